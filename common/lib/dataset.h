/* Lists of files to read, and the generated dataset fileread reads by default. */
#ifndef TVP_DATASET_H
#define TVP_DATASET_H

#include <stddef.h>
#include <stdint.h>

struct tvp_filelist {
	char **paths;     /* sorted by strcmp */
	uint64_t *sizes;  /* each file's size when listed, in path order */
	size_t n;
	size_t skipped;   /* entries that were not regular files ... */
	size_t links;     /* ... of which symlinks (never followed) */
};

/*
 * Every regular file under dir, recursively, symlinks below dir not
 * followed (dir itself may be one).  0, or TVP_EXIT_USAGE after naming
 * what is wrong (missing, not a directory, unreadable, empty).
 */
int tvp_filelist_scan(const char *dir, struct tvp_filelist *list);
void tvp_filelist_free(struct tvp_filelist *list);

/* Drop the files from the page cache; returns the pages still resident. */
size_t tvp_filelist_evict(const struct tvp_filelist *list);

/*
 * The generated dataset for (files, size, seed) under cache_dir (""
 * for the default), made on first use and reused after.  Fills list and
 * *expected (one XXH3-64 per file, from the manifest written when it was
 * made).  0, or a TVP_EXIT_* status after saying why: TVP_EXIT_USAGE if
 * the filesystem has not the room for it, TVP_EXIT_SIGNAL(sig) if SIGINT
 * or SIGTERM came while it was being made (nothing of it is left then).
 * First it removes the temporary directories that runs killed while making
 * a dataset there left (their maker gone, by pid and lock), and says how
 * many in *stale_removed.
 */
int tvp_dataset_open(const char *cache_dir, size_t files, size_t size,
    uint64_t seed, struct tvp_filelist *list, uint64_t **expected,
    size_t *stale_removed);

#endif
