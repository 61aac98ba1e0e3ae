/*
 * fileread: I/O-bound work.  Every regular file under --dir (or a generated
 * dataset) is read with read(2) in --block-size chunks and folded into a
 * per-file XXH3-64.  The result is XXH3-64 over the per-file checksums in
 * path order, each in xxhash's canonical (big-endian) 8-byte form.
 *
 * --cache says where the bytes come from: warm (the page cache: a memory
 * bandwidth figure), cold (evicted first: the device, through the cache
 * and its read-ahead) or direct (O_DIRECT: every read(2) waits on the
 * device, the cache bypassed).  The bytes, and so the result, are the
 * same whichever.
 */
#define _GNU_SOURCE /* O_DIRECT, statx */
#include <sys/mman.h>
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>
/*
 * XXH3 through libxxhash's dispatcher: the widest vector unit this CPU
 * has (AVX-512, AVX2), where the library's plain entry points run SSE2,
 * which bounded warm reads at half the page cache's speed.  The same
 * function whatever the path, so the sums do not change.  x86 only; the
 * header is installed only where the library was built with it.
 */
#if (defined(__x86_64__) || defined(__i386__)) && \
    __has_include(<xxh_x86dispatch.h>)
#include <xxh_x86dispatch.h>
#endif

#include "lib/dataset.h"
#include "lib/escape.h"
#include "workload.h"
#include "workload_api.h"

#define VERIFY_SAMPLE 8

struct fileread_state {
	struct tvp_filelist files;
	uint64_t *expected;    /* from the dataset's manifest, or NULL */
	size_t block_size;
	long long delay_us;
	bool direct;           /* --cache direct: O_DIRECT */
};

/* Every read buffer starts on a page: what O_DIRECT asks at most. */
#define BUF_ALIGN 4096

static const struct tvp_optdef fileread_opts[] = {
	{ "dir", TVP_OPT_STR, "", 0, 0, NULL,
	    "read every regular file under DIR (default: a generated "
	    "dataset)" },
	{ "files", TVP_OPT_NUM, "512", 1, 1 << 20, NULL,
	    "files in the generated dataset" },
	{ "file-size", TVP_OPT_SIZE, "256K", 0, 1LL << 30, NULL,
	    "bytes per file in the generated dataset" },
	{ "seed", TVP_OPT_NUM, "1", 0, 0x7fffffffffffffffLL, NULL,
	    "seed of the generated dataset's contents" },
	{ "cache-dir", TVP_OPT_STR, "", 0, 0, NULL,
	    "where generated datasets live (default $XDG_CACHE_HOME/tvp or "
	    "~/.cache/tvp)" },
	{ "block-size", TVP_OPT_SIZE, "64K", 1, 64LL << 20, NULL,
	    "bytes per read(2)" },
	{ "cache", TVP_OPT_CHOICE, "warm", 0, 0, "warm|cold|direct",
	    "warm: read from the page cache (memory bandwidth); cold: evict "
	    "every file from it before the run; direct: O_DIRECT, every read "
	    "waits on the device" },
	{ "delay-us", TVP_OPT_NUM, "0", 0, 1000000, NULL,
	    "SIMULATED device latency slept after every read(2) that "
	    "returned data" },
	{ "manifest", TVP_OPT_STR, "", 0, 0, NULL,
	    "write per-file checksums to FILE (xxhsum -H3 format; check "
	    "with xxhsum -c FILE)" },
	{ NULL, 0, NULL, 0, 0, NULL, NULL },
};

/* An option given as "" would silently mean its default: refuse it. */
static int
check_not_empty(const struct tvp_run *run, const char *name)
{
	if (tvp_opt_given(run, name) && *tvp_opt_str(run, name) == '\0') {
		warnx("fileread: --%s is empty (leave it out for the default)",
		    name);
		return -1;
	}
	return 0;
}

/*
 * The alignment direct I/O needs for one open file (statx's
 * STATX_DIOALIGN: the larger of the offset and buffer alignments), or 0
 * if the filesystem does not say.
 */
static size_t
dio_align(int fd)
{
	struct statx sx;
	size_t a;

	if (statx(fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &sx) != 0 ||
	    !(sx.stx_mask & STATX_DIOALIGN) || sx.stx_dio_offset_align == 0)
		return 0;
	a = sx.stx_dio_offset_align;
	return sx.stx_dio_mem_align > a ? sx.stx_dio_mem_align : a;
}

/*
 * --cache direct, before any worker starts: every file must open with
 * O_DIRECT (a filesystem that refuses it, /proc or tmpfs before Linux
 * 6.6, is refused here, exit 2, rather than read through the cache under
 * a name that says otherwise), and --block-size must be a multiple of
 * what direct I/O needs there (the device's logical block size; 4096
 * where the filesystem does not say).  Not rounded: the size of a read
 * is part of the experiment.
 */
static int
check_direct(struct tvp_run *run, struct fileread_state *st)
{
	size_t need = 0;
	bool unsaid = false;

	for (size_t i = 0; i < st->files.n; i++) {
		const char *path = st->files.paths[i];
		int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK |
		    O_DIRECT);
		size_t a;

		if (fd < 0) {
			if (errno == EINVAL)
				warnx("fileread: --cache direct: %s: its "
				    "filesystem refuses O_DIRECT (--cache "
				    "cold reads it from the device through "
				    "the cache)", TVP_ESC(path));
			else
				warn("fileread: --cache direct: %s",
				    TVP_ESC(path));
			return TVP_EXIT_USAGE;
		}
		if ((a = dio_align(fd)) == 0)
			unsaid = true;
		else if (a > need)
			need = a;
		close(fd);
	}
	if (unsaid && need < BUF_ALIGN)
		need = BUF_ALIGN;
	if (need != 0 && st->block_size % need != 0) {
		warnx("fileread: --block-size %zu is not a multiple of %zu, "
		    "the alignment --cache direct needs here (%s)",
		    st->block_size, need, unsaid ? "assumed: the filesystem "
		    "does not say" : "the device's logical block size");
		return TVP_EXIT_USAGE;
	}
	st->direct = true;
	tvp_note(run, "direct I/O: every read(2) of %zu bytes went to the "
	    "device (O_DIRECT), the page cache bypassed", st->block_size);
	return 0;
}

/*
 * Can --manifest list these files, and not be one of them next time?  A
 * name with a newline has no line xxhsum (0.8.1, Debian 12's) can read
 * back; every other byte it reads as written.  A manifest inside --dir
 * would be read as data by the next run.  0, or TVP_EXIT_USAGE after one
 * line.
 */
static int
check_manifest(const char *manifest, const char *dir,
    const struct tvp_filelist *files)
{
	char copy[PATH_MAX], real_dir[PATH_MAX], real_parent[PATH_MAX];
	size_t len;

	for (size_t i = 0; i < files->n; i++)
		if (strchr(files->paths[i], '\n') != NULL) {
			warnx("fileread: --manifest cannot list %s: a file name "
			    "with a newline has no line xxhsum -c reads",
			    TVP_ESC(files->paths[i]));
			return TVP_EXIT_USAGE;
		}
	/* Where it will be, symlinks resolved; a missing parent fails later. */
	if (strlcpy(copy, manifest, sizeof(copy)) >= sizeof(copy) ||
	    realpath(dirname(copy), real_parent) == NULL ||
	    realpath(dir, real_dir) == NULL)
		return 0;
	len = strlen(real_dir);
	if (strncmp(real_parent, real_dir, len) == 0 &&
	    (real_parent[len] == '\0' || real_parent[len] == '/' ||
	    strcmp(real_dir, "/") == 0)) {
		warnx("fileread: --manifest %s is inside --dir %s: the next run "
		    "would read it as data; write it elsewhere",
		    TVP_ESC(manifest), TVP_ESC(dir));
		return TVP_EXIT_USAGE;
	}
	return 0;
}

static int
fileread_setup(struct tvp_run *run)
{
	struct fileread_state *st = tvp_state(run);
	const char *dir = tvp_opt_str(run, "dir");
	int rc;

	if (check_not_empty(run, "dir") != 0 ||
	    check_not_empty(run, "cache-dir") != 0 ||
	    check_not_empty(run, "manifest") != 0)
		return TVP_EXIT_USAGE;
	st->block_size = (size_t)tvp_opt_num(run, "block-size");
	st->delay_us = tvp_opt_num(run, "delay-us");
	if (*dir != '\0') {
		rc = tvp_filelist_scan(dir, &st->files);
		if (rc == 0 && *tvp_opt_str(run, "manifest") != '\0')
			rc = check_manifest(tvp_opt_str(run, "manifest"), dir,
			    &st->files);
		if (rc == 0 && st->files.skipped > 0)
			tvp_note(run, "skipped %zu entries that are not "
			    "regular files (%zu symlinks, not followed; %zu "
			    "FIFOs, devices, sockets or directory loops)",
			    st->files.skipped, st->files.links,
			    st->files.skipped - st->files.links);
	} else {
		size_t stale = 0;

		rc = tvp_dataset_open(tvp_opt_str(run, "cache-dir"),
		    (size_t)tvp_opt_num(run, "files"),
		    (size_t)tvp_opt_num(run, "file-size"),
		    (uint64_t)tvp_opt_num(run, "seed"), &st->files,
		    &st->expected, &stale);
		if (stale > 0)
			tvp_note(run, "removed %zu stale temporary "
			    "director%s of datasets whose maker was killed",
			    stale, stale == 1 ? "y" : "ies");
	}
	if (rc != 0)
		return rc;
	/* Each worker holds one file open while it reads it. */
	if (tvp_need_fds(run, 0, 1, st->files.n < tvp_workers(run) ?
	    st->files.n : tvp_workers(run)) != 0)
		return TVP_EXIT_USAGE;
	if (strcmp(tvp_opt_str(run, "cache"), "cold") == 0) {
		size_t resident = tvp_filelist_evict(&st->files);

		tvp_note(run, resident ? "cold cache: %zu pages stayed "
		    "resident after eviction" : "cold cache: all files "
		    "evicted", resident);
	} else if (strcmp(tvp_opt_str(run, "cache"), "direct") == 0) {
		if ((rc = check_direct(run, st)) != 0)
			return rc;
	}
	if (st->delay_us > 0)
		tvp_note(run, "simulated device latency %lld us per read",
		    st->delay_us);
	/* Each file leaves its XXH3-64, kept in path order. */
	return tvp_set_items(run, st->files.n, sizeof(uint64_t)) == 0 ? 0 :
	    TVP_EXIT_FAIL;
}

static void
simulated_latency(long long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/*
 * Read one file to its end into an XXH3 state.  0, or -1 with errno set;
 * a file that is no longer regular (a FIFO would block a worker for good)
 * is EINVAL.
 */
static int
read_file(int fd, struct fileread_state *st, XXH3_state_t *xs, char *buf,
    uint64_t *bytes)
{
	struct stat sb;
	ssize_t n;

	if (fstat(fd, &sb) != 0)
		return -1;
	if (!S_ISREG(sb.st_mode)) {
		errno = EINVAL;
		return -1;
	}
	XXH3_64bits_reset(xs);
	while ((n = read(fd, buf, st->block_size)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		XXH3_64bits_update(xs, buf, (size_t)n);
		*bytes += (uint64_t)n;
		if (st->delay_us > 0)
			simulated_latency(st->delay_us);
	}
	return 0;
}

static int
fileread_item(struct tvp_run *run, size_t item, unsigned worker,
    void *result, uint64_t *bytes)
{
	struct fileread_state *st = tvp_state(run);
	const char *path = st->files.paths[item];
	uint64_t want = st->files.sizes[item];
	XXH3_state_t *xs = XXH3_createState();
	/* C11's aligned_alloc wants a size that is a multiple of the alignment. */
	char *buf = aligned_alloc(BUF_ALIGN, (st->block_size + BUF_ALIGN - 1) /
	    BUF_ALIGN * BUF_ALIGN);
	/* O_NONBLOCK: a FIFO put in the file's place must not hang open(). */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK |
	    (st->direct ? O_DIRECT : 0)), rc = 0;

	if (xs == NULL || buf == NULL) {
		rc = tvp_worker_error(run, worker, "%s: %s", path,
		    strerror(ENOMEM));
	} else if (fd < 0) {
		rc = tvp_worker_error(run, worker, "cannot open %s: %s", path,
		    strerror(errno));
	} else if (read_file(fd, st, xs, buf, bytes) != 0) {
		rc = tvp_worker_error(run, worker, "cannot read %s: %s", path,
		    errno == EINVAL ? "no longer a regular file" :
		    strerror(errno));
	} else if (*bytes != want) {
		/* Shrunk or grown since it was listed: no result to trust. */
		rc = tvp_worker_error(run, worker, "%s changed size since "
		    "it was listed: %llu bytes expected, %llu read", path,
		    (unsigned long long)want, (unsigned long long)*bytes);
	} else {
		uint64_t sum = XXH3_64bits_digest(xs);

		memcpy(result, &sum, sizeof(sum));
	}
	if (fd >= 0)
		close(fd);
	XXH3_freeState(xs);
	free(buf);
	return rc;
}

static int
print_manifest(FILE *fp, const struct tvp_filelist *files,
    const uint64_t *sums)
{
	for (size_t i = 0; i < files->n; i++)
		fprintf(fp, "XXH3 (%s) = %016llx\n", files->paths[i],
		    (unsigned long long)sums[i]);
	return ferror(fp) ? -1 : 0;
}

/*
 * Write the manifest whole or not at all: into a temporary file beside
 * it, renamed over it once written and closed, so that a full disk leaves
 * the old one (or none), never a cut one.  A symlink is followed (the
 * file it names is replaced); what is not a regular file (a FIFO,
 * /dev/stdout), and a symlink to nothing yet, are written as they are.
 */
static int
write_manifest(const char *file, const struct tvp_filelist *files,
    const uint64_t *sums)
{
	char target[PATH_MAX], tmp[PATH_MAX + 16];
	struct stat sb;
	mode_t mask;
	FILE *fp;
	int fd;

	if (stat(file, &sb) == 0 ? !S_ISREG(sb.st_mode) :
	    lstat(file, &sb) == 0 && S_ISLNK(sb.st_mode)) {
		if ((fp = fopen(file, "w")) == NULL ||
		    (print_manifest(fp, files, sums) | fclose(fp)) != 0)
			goto fail;
		return 0;
	}
	if (realpath(file, target) == NULL &&
	    strlcpy(target, file, sizeof(target)) >= sizeof(target)) {
		errno = ENAMETOOLONG;
		goto fail;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", target);
	if ((fd = mkstemp(tmp)) < 0)
		goto fail;
	/* The mode fopen would have given it, not mkstemp's 0600. */
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) != 0 || (fp = fdopen(fd, "w")) == NULL) {
		close(fd);
		goto fail_tmp;
	}
	if ((print_manifest(fp, files, sums) | fclose(fp)) != 0 ||
	    rename(tmp, target) != 0)
		goto fail_tmp;
	return 0;
fail_tmp:
	{
		int saved = errno;

		unlink(tmp);
		errno = saved;
	}
fail:
	warn("fileread: --manifest %s", TVP_ESC(file));
	return TVP_EXIT_FAIL;
}

/* Bytes per second over the work span: the headline, then files. */
static void
report_metrics(struct tvp_run *run, const struct fileread_state *st)
{
	double span = (double)tvp_work_span_ns(run) / 1e9;
	uint64_t bytes = 0;

	for (size_t i = 0; i < st->files.n; i++)
		bytes += st->files.sizes[i];
	if (span <= 0)
		return;
	tvp_metric(run, "gb_per_s", "GB/s", (double)bytes / span / 1e9,
	    TVP_HIGHER_IS_BETTER);
	tvp_metric(run, "files_per_s", "1/s", (double)st->files.n / span,
	    TVP_HIGHER_IS_BETTER);
}

static int
fileread_finish(struct tvp_run *run)
{
	struct fileread_state *st = tvp_state(run);
	const uint64_t *sums = tvp_item_results(run);
	const char *manifest = tvp_opt_str(run, "manifest");
	XXH3_state_t *xs = XXH3_createState();

	if (xs == NULL)
		err(TVP_EXIT_FAIL, "XXH3_createState");
	XXH3_64bits_reset(xs);
	for (size_t i = 0; i < st->files.n; i++) {
		XXH64_canonical_t c;

		XXH64_canonicalFromHash(&c, sums[i]);
		XXH3_64bits_update(xs, &c, sizeof(c));
	}
	tvp_result(run, "%016llx", (unsigned long long)XXH3_64bits_digest(xs));
	XXH3_freeState(xs);
	report_metrics(run, st);
	if (*manifest != '\0')
		return write_manifest(manifest, &st->files, sums);
	return 0;
}

/* An independent read path for the reference: mmap and one-shot XXH3. */
static bool
reference_sum(const char *path, uint64_t *out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	void *p;

	if (fd < 0 || fstat(fd, &sb) != 0) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	if (sb.st_size == 0) {
		*out = XXH3_64bits("", 0);
		close(fd);
		return true;
	}
	p = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return false;
	*out = XXH3_64bits(p, (size_t)sb.st_size);
	munmap(p, (size_t)sb.st_size);
	return true;
}

static enum tvp_verdict
fileread_verify(struct tvp_run *run)
{
	struct fileread_state *st = tvp_state(run);
	const uint64_t *sums = tvp_item_results(run);
	size_t n = st->files.n;

	if (st->expected != NULL) {
		for (size_t i = 0; i < n; i++)
			if (sums[i] != st->expected[i]) {
				tvp_note(run, "%s differs from the dataset's "
				    "manifest", st->files.paths[i]);
				return TVP_VERDICT_FAILED;
			}
		return TVP_VERDICT_VERIFIED;
	}
	for (size_t k = 0, samples = n < VERIFY_SAMPLE ? n : VERIFY_SAMPLE;
	    k < samples; k++) {
		size_t i = tvp_sample_item(k, samples, n);
		uint64_t want;

		if (!reference_sum(st->files.paths[i], &want) ||
		    want != sums[i]) {
			tvp_note(run, "%s differs from a serial re-read",
			    st->files.paths[i]);
			return TVP_VERDICT_FAILED;
		}
	}
	return TVP_VERDICT_VERIFIED;
}

static void
fileread_teardown(struct tvp_run *run)
{
	struct fileread_state *st = tvp_state(run);

	tvp_filelist_free(&st->files);
	free(st->expected);
}

const struct tvp_workload tvp_wl_fileread = {
	.name = "fileread",
	.kind = "io",
	.summary = "read(2) every file of a directory, XXH3-64 per file "
	    "(page cache, cold, or O_DIRECT)",
	.opts = fileread_opts,
	.quick = "--files 128",
	.state_size = sizeof(struct fileread_state),
	.setup = fileread_setup,
	.item = fileread_item,
	.finish = fileread_finish,
	.verify = fileread_verify,
	.teardown = fileread_teardown,
};
