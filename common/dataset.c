#include <sys/mman.h>
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <fts.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#include "dataset.h"
#include "gen.h"
#include "workload.h"

#define MANIFEST "manifest.xxh3"

static int
by_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
list_add(struct tvp_filelist *list, const char *path, size_t *cap)
{
	if (list->n == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		list->paths = reallocarray(list->paths, *cap,
		    sizeof(*list->paths));
		if (list->paths == NULL)
			err(TVP_EXIT_FAIL, "reallocarray");
	}
	if ((list->paths[list->n++] = strdup(path)) == NULL)
		err(TVP_EXIT_FAIL, "strdup");
}

int
tvp_filelist_scan(const char *dir, struct tvp_filelist *list)
{
	char *roots[] = { (char *)(uintptr_t)dir, NULL };
	struct stat sb;
	size_t cap = 0;
	FTSENT *e;
	FTS *fts;

	memset(list, 0, sizeof(*list));
	if (stat(dir, &sb) != 0) {
		warn("fileread: --dir %s", dir);
		return TVP_EXIT_USAGE;
	}
	if (!S_ISDIR(sb.st_mode)) {
		warnx("fileread: --dir %s: not a directory", dir);
		return TVP_EXIT_USAGE;
	}
	if ((fts = fts_open(roots, FTS_PHYSICAL | FTS_NOCHDIR, NULL)) == NULL) {
		warn("fileread: --dir %s", dir);
		return TVP_EXIT_USAGE;
	}
	while ((e = fts_read(fts)) != NULL) {
		switch (e->fts_info) {
		case FTS_F:
			list_add(list, e->fts_path, &cap);
			break;
		case FTS_D: case FTS_DP: case FTS_DOT:
			break;
		case FTS_DNR: case FTS_ERR: case FTS_NS:
			warnx("fileread: --dir %s: %s: %s", dir, e->fts_path,
			    strerror(e->fts_errno));
			fts_close(fts);
			tvp_filelist_free(list);
			return TVP_EXIT_USAGE;
		default:
			list->skipped++;  /* symlinks, FIFOs, devices, sockets */
		}
	}
	fts_close(fts);
	if (list->n == 0) {
		warnx("fileread: --dir %s holds no regular files", dir);
		tvp_filelist_free(list);
		return TVP_EXIT_USAGE;
	}
	qsort(list->paths, list->n, sizeof(*list->paths), by_path);
	return 0;
}

void
tvp_filelist_free(struct tvp_filelist *list)
{
	for (size_t i = 0; i < list->n; i++)
		free(list->paths[i]);
	free(list->paths);
	memset(list, 0, sizeof(*list));
}

size_t
tvp_filelist_evict(const struct tvp_filelist *list)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t resident = 0;

	for (size_t i = 0; i < list->n; i++) {
		int fd = open(list->paths[i], O_RDONLY | O_CLOEXEC);
		struct stat sb;
		void *p;

		if (fd < 0)
			continue;
		/* Dirty pages cannot be dropped: write them out first. */
		fdatasync(fd);
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		if (fstat(fd, &sb) == 0 && sb.st_size > 0 &&
		    (p = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_SHARED,
		    fd, 0)) != MAP_FAILED) {
			size_t pages = ((size_t)sb.st_size + (size_t)page - 1) /
			    (size_t)page;
			unsigned char *vec = malloc(pages);

			if (vec != NULL && mincore(p, (size_t)sb.st_size,
			    vec) == 0)
				for (size_t k = 0; k < pages; k++)
					resident += vec[k] & 1;
			free(vec);
			munmap(p, (size_t)sb.st_size);
		}
		close(fd);
	}
	return resident;
}

static void
default_cache_dir(char *out, size_t len)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

	if (xdg != NULL && *xdg == '/')
		snprintf(out, len, "%s/tvp", xdg);
	else if (home != NULL && *home == '/')
		snprintf(out, len, "%s/.cache/tvp", home);
	else
		snprintf(out, len, "/tmp/tvp-cache-%ld", (long)getuid());
}

/* mkdir -p */
static int
make_dirs(const char *path)
{
	char buf[4096];

	if (strlcpy(buf, path, sizeof(buf)) >= sizeof(buf))
		return -1;
	for (char *p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(buf, 0755) != 0 && errno != EEXIST)
				return -1;
			*p = '/';
		}
	return mkdir(buf, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

static int
remove_tree(const char *dir)
{
	char *roots[] = { (char *)(uintptr_t)dir, NULL };
	FTS *fts = fts_open(roots, FTS_PHYSICAL | FTS_NOCHDIR, NULL);
	FTSENT *e;

	if (fts == NULL)
		return -1;
	while ((e = fts_read(fts)) != NULL)
		if (e->fts_info == FTS_DP)
			rmdir(e->fts_accpath);
		else if (e->fts_info != FTS_D)
			unlink(e->fts_accpath);
	return fts_close(fts);
}

static bool
write_all(int fd, const unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

/*
 * Write the dataset into tmp: data/fNNNNNNN.bin and the manifest, with
 * paths relative to the dataset so `xxhsum -c manifest.xxh3` works there.
 */
static int
generate(const char *tmp, size_t files, size_t size, uint64_t seed)
{
	unsigned char *buf = malloc(size ? size : 1);
	char path[8448];
	FILE *mf;

	snprintf(path, sizeof(path), "%s/data", tmp);
	if (buf == NULL || mkdir(path, 0755) != 0) {
		free(buf);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s", tmp, MANIFEST);
	if ((mf = fopen(path, "w")) == NULL) {
		free(buf);
		return -1;
	}
	for (size_t i = 0; i < files; i++) {
		int fd;
		bool ok;

		tvp_gen_block(seed, i, buf, size);
		snprintf(path, sizeof(path), "%s/data/f%07zu.bin", tmp, i);
		if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		    0644)) < 0)
			break;
		ok = write_all(fd, buf, size);
		ok = close(fd) == 0 && ok;
		if (!ok)
			break;
		fprintf(mf, "XXH3 (data/f%07zu.bin) = %016llx\n", i,
		    (unsigned long long)XXH3_64bits(buf, size));
		if (i + 1 == files) {
			free(buf);
			return fclose(mf) == 0 ? 0 : -1;
		}
	}
	free(buf);
	fclose(mf);
	return -1;
}

/* Read the manifest back into list and expected, in path order. */
static int
load(const char *dir, size_t files, struct tvp_filelist *list,
    uint64_t **expected)
{
	char path[8448], name[64];
	unsigned long long sum;
	size_t cap = 0, idx;
	FILE *mf;

	snprintf(path, sizeof(path), "%s/%s", dir, MANIFEST);
	if ((mf = fopen(path, "r")) == NULL)
		return -1;
	memset(list, 0, sizeof(*list));
	if ((*expected = calloc(files, sizeof(**expected))) == NULL)
		err(TVP_EXIT_FAIL, "calloc");
	for (idx = 0; idx < files; idx++) {
		/* At most 16 digits: a longer number cannot overflow sum. */
		/* NOLINTNEXTLINE(cert-err34-c): the width bounds the value */
		if (fscanf(mf, "XXH3 (%63[^)]) = %16llx\n", name, &sum) != 2)
			break;
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		list_add(list, path, &cap);
		(*expected)[idx] = sum;
	}
	fclose(mf);
	if (idx != files) {
		tvp_filelist_free(list);
		free(*expected);
		*expected = NULL;
		return -1;
	}
	return 0;
}

int
tvp_dataset_open(const char *cache_dir, size_t files, size_t size,
    uint64_t seed, struct tvp_filelist *list, uint64_t **expected)
{
	char root[4096], dir[4200], tmp[4200];

	if (*cache_dir)
		strlcpy(root, cache_dir, sizeof(root));
	else
		default_cache_dir(root, sizeof(root));
	snprintf(dir, sizeof(dir), "%s/fileread-%zux%zu-seed%llu", root,
	    files, size, (unsigned long long)seed);
	if (load(dir, files, list, expected) == 0)
		return 0;
	if (make_dirs(root) != 0) {
		warn("fileread: cannot create cache directory %s", root);
		return TVP_EXIT_FAIL;
	}
	/* Made under a temporary name and renamed when whole. */
	snprintf(tmp, sizeof(tmp), "%s/.tmp-XXXXXX", root);
	if (mkdtemp(tmp) == NULL) {
		warn("fileread: cannot create a dataset in %s", root);
		return TVP_EXIT_FAIL;
	}
	fprintf(stderr, "fileread: generating %zu files of %zu bytes in %s\n",
	    files, size, dir);
	if (generate(tmp, files, size, seed) != 0) {
		warn("fileread: cannot write the dataset in %s", root);
		remove_tree(tmp);
		return TVP_EXIT_FAIL;
	}
	sync();
	if (rename(tmp, dir) != 0)
		remove_tree(tmp);  /* someone else made it meanwhile */
	if (load(dir, files, list, expected) != 0) {
		warnx("fileread: dataset %s is unreadable", dir);
		return TVP_EXIT_FAIL;
	}
	return 0;
}
