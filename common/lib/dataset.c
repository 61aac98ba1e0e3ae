#define _GNU_SOURCE /* sigabbrev_np */
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <fts.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#include "lib/dataset.h"
#include "lib/escape.h"
#include "lib/gen.h"
#include "lib/room.h"
#include "core/signals.h"
#include "exit.h"

#define MANIFEST "manifest.xxh3"
/*
 * A dataset is made in ".tmp-PID-XXXXXX" (PID its maker's), which its
 * maker holds flock()ed until it is renamed or removed.
 */
#define TMP_PREFIX ".tmp-"

struct entry {
	char *path;
	uint64_t size;
};

static int
by_path(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->path,
	    ((const struct entry *)b)->path);
}

static void
list_add(struct tvp_filelist *list, const char *path, uint64_t size,
    size_t *cap)
{
	if (list->n == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		list->paths = reallocarray(list->paths, *cap,
		    sizeof(*list->paths));
		list->sizes = reallocarray(list->sizes, *cap,
		    sizeof(*list->sizes));
		if (list->paths == NULL || list->sizes == NULL)
			err(TVP_EXIT_FAIL, "reallocarray");
	}
	if ((list->paths[list->n] = strdup(path)) == NULL)
		err(TVP_EXIT_FAIL, "strdup");
	list->sizes[list->n++] = size;
}

/* Sort paths, and sizes with them. */
static void
list_sort(struct tvp_filelist *list)
{
	struct entry *e = reallocarray(NULL, list->n, sizeof(*e));

	if (e == NULL)
		err(TVP_EXIT_FAIL, "reallocarray");
	for (size_t i = 0; i < list->n; i++)
		e[i] = (struct entry){ list->paths[i], list->sizes[i] };
	qsort(e, list->n, sizeof(*e), by_path);
	for (size_t i = 0; i < list->n; i++) {
		list->paths[i] = e[i].path;
		list->sizes[i] = e[i].size;
	}
	free(e);
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
		warn("fileread: --dir %s", TVP_ESC(dir));
		return TVP_EXIT_USAGE;
	}
	if (!S_ISDIR(sb.st_mode)) {
		warnx("fileread: --dir %s: not a directory", TVP_ESC(dir));
		return TVP_EXIT_USAGE;
	}
	/* COMFOLLOW: --dir may name a symlink; the ones under it are skipped. */
	if ((fts = fts_open(roots, FTS_PHYSICAL | FTS_COMFOLLOW | FTS_NOCHDIR,
	    NULL)) == NULL) {
		warn("fileread: --dir %s", TVP_ESC(dir));
		return TVP_EXIT_USAGE;
	}
	while ((e = fts_read(fts)) != NULL) {
		int errnum = e->fts_errno;

		switch (e->fts_info) {
		case FTS_F:
			/* A file no worker could open is bad input: say so now. */
			if (faccessat(AT_FDCWD, e->fts_accpath, R_OK,
			    AT_EACCESS) != 0) {
				errnum = errno;
				break;
			}
			list_add(list, e->fts_path,
			    (uint64_t)e->fts_statp->st_size, &cap);
			continue;
		case FTS_D: case FTS_DP: case FTS_DOT:
			continue;
		case FTS_DC:
			/* A directory that is its own ancestor (a bind mount). */
			list->skipped++;
			continue;
		case FTS_DNR: case FTS_ERR: case FTS_NS:
			break;
		case FTS_SL: case FTS_SLNONE:
			list->links++;
			list->skipped++;
			continue;
		default:
			list->skipped++;  /* FIFOs, devices, sockets */
			continue;
		}
		warnx("fileread: --dir %s: %s: %s", TVP_ESC(dir),
		    TVP_ESC(e->fts_path), strerror(errnum));
		fts_close(fts);
		tvp_filelist_free(list);
		return TVP_EXIT_USAGE;
	}
	fts_close(fts);
	if (list->n == 0) {
		warnx("fileread: --dir %s holds no regular files",
		    TVP_ESC(dir));
		tvp_filelist_free(list);
		return TVP_EXIT_USAGE;
	}
	list_sort(list);
	return 0;
}

void
tvp_filelist_free(struct tvp_filelist *list)
{
	for (size_t i = 0; i < list->n; i++)
		free(list->paths[i]);
	free(list->paths);
	free(list->sizes);
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
 * 0; -1 after saying which file could not be written (in root, the
 * directory the user knows); or SIGINT/SIGTERM if one came meanwhile.
 */
static int
generate(const char *root, const char *tmp, size_t files, size_t size,
    uint64_t seed)
{
	unsigned char *buf = malloc(size ? size : 1);
	char path[8448];
	const char *what = "data";
	int rc = -1, sig;
	FILE *mf = NULL;

	if (buf == NULL)
		err(TVP_EXIT_FAIL, "cannot allocate %zu bytes", size);
	snprintf(path, sizeof(path), "%s/data", tmp);
	if (mkdir(path, 0755) != 0)
		goto fail;
	what = MANIFEST;
	snprintf(path, sizeof(path), "%s/%s", tmp, MANIFEST);
	if ((mf = fopen(path, "w")) == NULL)
		goto fail;
	for (size_t i = 0; i < files; i++) {
		char name[32];
		int fd, saved;
		bool ok;

		/*
		 * Ctrl-C is blocked (signals.h): look for it between files,
		 * and take it, or it strikes when the mask is restored.
		 */
		if ((sig = tvp_signal_take()) != 0) {
			rc = sig;
			goto out;
		}
		tvp_gen_block(seed, i, buf, size);
		snprintf(name, sizeof(name), "data/f%07zu.bin", i);
		what = name;
		snprintf(path, sizeof(path), "%s/%s", tmp, name);
		if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		    0644)) < 0)
			goto fail;
		ok = write_all(fd, buf, size);
		saved = errno;
		if (close(fd) != 0 && ok) {
			ok = false;
			saved = errno;
		}
		if (!ok) {
			errno = saved;
			goto fail;
		}
		fprintf(mf, "XXH3 (%s) = %016llx\n", name,
		    (unsigned long long)XXH3_64bits(buf, size));
	}
	what = MANIFEST;
	rc = fclose(mf);
	mf = NULL;
	if (rc == 0)
		goto out;
fail:
	warn("fileread: cannot write the dataset in %s: %s", TVP_ESC(root),
	    what);
	rc = -1;
out:
	if (mf != NULL)
		fclose(mf);
	free(buf);
	return rc;
}

/*
 * Is the temporary directory `name` (in root) stale: its maker gone?  Its
 * maker holds a lock on it (which dies with it, even by SIGKILL) from just
 * after making it; in that moment before, the maker's pid, alive, says it
 * is not.  A pid alive again by reuse only postpones the removal.  On
 * true, *fd is the directory, locked by us.
 */
static bool
stale(int rootfd, const char *name, int *fd)
{
	char *end;
	long pid = strtol(name + strlen(TMP_PREFIX), &end, 10);

	if (pid <= 0 || *end != '-' || kill((pid_t)pid, 0) == 0 ||
	    errno != ESRCH)
		return false;
	if ((*fd = openat(rootfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) < 0)
		return false;
	if (flock(*fd, LOCK_EX | LOCK_NB) == 0)
		return true;
	close(*fd);
	return false;
}

/*
 * Remove the temporary directories in root that runs killed while making
 * a dataset left behind (nothing cleans up after SIGKILL).  Returns how
 * many were removed.
 */
static size_t
remove_stale(const char *root)
{
	char path[4096 + 1 + 256];
	DIR *d = opendir(root);
	struct dirent *e;
	size_t removed = 0;
	int fd;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) != 0 ||
		    !stale(dirfd(d), e->d_name, &fd))
			continue;
		snprintf(path, sizeof(path), "%s/%s", root, e->d_name);
		remove_tree(path);
		removed += faccessat(dirfd(d), e->d_name, F_OK,
		    AT_SYMLINK_NOFOLLOW) != 0;
		close(fd);
	}
	closedir(d);
	return removed;
}

/* "123 bytes", "4.0 KiB", ... for a message. */
static void
human(char *out, size_t len, unsigned long long n)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB",
	    "PiB" };
	double v = (double)n;
	int u = -1;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(out, len, "%llu bytes", n);
	else
		snprintf(out, len, "%llu bytes (%.1f %s)", n, v, unit[u]);
}

/*
 * Refuse a dataset the filesystem has no room for, before writing any of
 * it: room is its free blocks less a margin (lib/room.h), so that a
 * dataset that would fit leaves the filesystem usable.  The cache
 * directory may not exist yet: ask the nearest directory that does.
 * Without figures (statvfs fails, a pseudo filesystem), let the writes
 * find out.
 */
static int
check_space(const char *root, size_t files, size_t size)
{
	char path[4096], need_s[64], have_s[64], room_s[64];
	unsigned long long bsize, need, have, room;
	struct statvfs sv;

	strlcpy(path, root, sizeof(path));
	while (statvfs(path, &sv) != 0) {
		char *slash = strrchr(path, '/');

		if (errno != ENOENT || strcmp(path, "/") == 0 ||
		    strcmp(path, ".") == 0)
			return 0;
		if (slash == NULL)
			strlcpy(path, ".", sizeof(path));
		else if (slash == path)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	bsize = sv.f_frsize ? sv.f_frsize : sv.f_bsize;
	if (sv.f_blocks == 0 || bsize == 0)
		return 0;
	/* Whole blocks per file; a manifest line (48 bytes) per file; dirs. */
	need = (unsigned long long)files * ((size + bsize - 1) / bsize * bsize) +
	    (unsigned long long)files * 48 + 2 * bsize;
	have = (unsigned long long)sv.f_bavail * bsize;
	room = tvp_room(have, (unsigned long long)sv.f_blocks * bsize);
	if (need <= room)
		return 0;
	human(need_s, sizeof(need_s), need);
	human(have_s, sizeof(have_s), have);
	human(room_s, sizeof(room_s), room);
	warnx("fileread: the dataset (--files %zu x --file-size %zu) needs "
	    "%s, but %s has %s free, %s of it usable (a margin of 5%% of the "
	    "filesystem, at most 1 GiB, is kept free)", files, size, need_s,
	    TVP_ESC(path), have_s, room_s);
	return -1;
}

/* Read the manifest back into list and expected, in path order. */
static int
load(const char *dir, size_t files, size_t size, struct tvp_filelist *list,
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
		list_add(list, path, size, &cap);
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
    uint64_t seed, struct tvp_filelist *list, uint64_t **expected,
    size_t *stale_removed)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, old_xfsz;
	char root[4096], dir[4200], tmp[4200];
	int rc, lock;

	if (*cache_dir)
		strlcpy(root, cache_dir, sizeof(root));
	else
		default_cache_dir(root, sizeof(root));
	*stale_removed = remove_stale(root);
	snprintf(dir, sizeof(dir), "%s/fileread-%zux%zu-seed%llu", root,
	    files, size, (unsigned long long)seed);
	if (load(dir, files, size, list, expected) == 0)
		return 0;
	if (check_space(root, files, size) != 0)
		return TVP_EXIT_USAGE;
	if (make_dirs(root) != 0) {
		warn("fileread: cannot create cache directory %s",
		    TVP_ESC(root));
		return TVP_EXIT_FAIL;
	}
	/* Made under a temporary name, held (stale()), renamed when whole. */
	snprintf(tmp, sizeof(tmp), "%s/" TMP_PREFIX "%ld-XXXXXX", root,
	    (long)getpid());
	if (mkdtemp(tmp) == NULL) {
		warn("fileread: cannot create a dataset in %s", TVP_ESC(root));
		return TVP_EXIT_FAIL;
	}
	if ((lock = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    flock(lock, LOCK_EX) != 0) {
		warn("fileread: cannot lock %s", TVP_ESC(tmp));
		if (lock >= 0)
			close(lock);
		remove_tree(tmp);
		return TVP_EXIT_FAIL;
	}
	fprintf(stderr, "fileread: generating %zu files of %zu bytes in %s\n",
	    files, size, TVP_ESC(dir));
	/* Past a ulimit -f, write(2) fails with EFBIG: say so, not die. */
	sigaction(SIGXFSZ, &ign, &old_xfsz);
	rc = generate(root, tmp, files, size, seed);
	sigaction(SIGXFSZ, &old_xfsz, NULL);
	if (rc != 0) {
		remove_tree(tmp);
		close(lock);
		if (rc < 0)
			return TVP_EXIT_FAIL;
		warnx("fileread: interrupted by SIG%s while generating the "
		    "dataset; removed what was written", sigabbrev_np(rc));
		return TVP_EXIT_SIGNAL(rc);
	}
	sync();
	if (rename(tmp, dir) != 0)
		remove_tree(tmp);  /* someone else made it meanwhile */
	close(lock);
	if (load(dir, files, size, list, expected) != 0) {
		warnx("fileread: dataset %s is damaged (remove it, and it is "
		    "made again)", TVP_ESC(dir));
		return TVP_EXIT_FAIL;
	}
	return 0;
}
