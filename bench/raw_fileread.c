/*
 * raw-fileread threads|processes DATASET [BLOCK_SIZE [xxh3|none]]: tvp's
 * fileread at one worker, written the plain way.  DATASET is a directory tvp
 * generated (fileread-FILESxSIZE-seedS under its cache directory); its
 * manifest lists the files in path order with their XXH3-64.  One worker
 * (a thread, or a forked child) reads each file with read(2) into one
 * buffer and folds it into XXH3-64 (through libxxhash's dispatcher, the
 * widest SIMD path the CPU has); the result is XXH3-64 over the per-file
 * sums in canonical form, as tvp's.  Checked against the manifest.
 *
 * With "none" the worker only reads: the machine's page-cache read()
 * ceiling, which no fileread that hashes what it reads can pass (there is
 * no checksum to check; verified means every file was read to the size
 * stat(2) gave when the manifest was loaded).
 */
#define _GNU_SOURCE /* asprintf */
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <err.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>
#if (defined(__x86_64__) || defined(__i386__)) && \
    __has_include(<xxh_x86dispatch.h>)
#include <xxh_x86dispatch.h>
#endif

#include "raw.h"

#define USAGE "raw-fileread threads|processes DATASET [BLOCK_SIZE [xxh3|none]]"

struct job {
	char **paths;               /* one allocation each, as tvp's */
	uint64_t *want, *got;       /* got: shared */
	uint64_t *stamps, *bytes;   /* shared: begin, end; bytes read */
	uint64_t size;              /* of all the files, by stat(2) */
	size_t n, block_size;
	bool hash;                  /* false: read only ("none") */
};

static struct job job;

static int
open_or_die(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		err(1, "%s", path);
	return fd;
}

static void *
worker(void *arg)
{
	char *buf = aligned_alloc(4096, job.block_size);
	XXH3_state_t *xs = XXH3_createState();

	(void)arg;
	if (buf == NULL || xs == NULL)
		errx(1, "out of memory");
	job.stamps[0] = raw_now_ns();
	for (size_t i = 0; i < job.n; i++) {
		int fd = open_or_die(job.paths[i]);
		ssize_t r;

		if (job.hash)
			XXH3_64bits_reset(xs);
		while ((r = read(fd, buf, job.block_size)) > 0) {
			if (job.hash)
				XXH3_64bits_update(xs, buf, (size_t)r);
			*job.bytes += (uint64_t)r;
		}
		if (r < 0)
			err(1, "%s", job.paths[i]);
		close(fd);
		if (job.hash)
			job.got[i] = XXH3_64bits_digest(xs);
	}
	job.stamps[1] = raw_now_ns();
	XXH3_freeState(xs);
	free(buf);
	return NULL;
}

static void *
shared(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		err(1, "mmap");
	return p;
}

/* The manifest's files, in its (path) order, with their sums. */
static void
load(const char *dir)
{
	char path[4200], name[64];
	unsigned long long sum;
	struct stat sb;
	size_t cap = 0;
	FILE *mf;

	snprintf(path, sizeof(path), "%s/manifest.xxh3", dir);
	if ((mf = fopen(path, "r")) == NULL)
		err(2, "%s (run tvp's fileread once to make the dataset)", path);
	/* NOLINTNEXTLINE(cert-err34-c): the width bounds the value */
	while (fscanf(mf, "XXH3 (%63[^)]) = %16llx\n", name, &sum) == 2) {
		if (job.n == cap) {
			cap = cap ? 2 * cap : 1024;
			job.paths = reallocarray(job.paths, cap,
			    sizeof(*job.paths));
			job.want = reallocarray(job.want, cap,
			    sizeof(*job.want));
			if (job.paths == NULL || job.want == NULL)
				err(1, "reallocarray");
		}
		if (asprintf(&job.paths[job.n], "%s/%s", dir, name) < 0)
			err(1, "asprintf");
		if (stat(job.paths[job.n], &sb) != 0)
			err(2, "%s", job.paths[job.n]);
		job.size += (uint64_t)sb.st_size;
		job.want[job.n++] = sum;
	}
	fclose(mf);
	if (job.n == 0)
		errx(2, "%s lists no files", path);
}

int
main(int argc, char **argv)
{
	struct tvp_record rec;
	XXH3_state_t *xs = XXH3_createState();
	char options[128];
	uint64_t t0, t1;
	bool processes, ok = true;
	double span;

	if (argc < 3 || argc > 5)
		errx(2, "usage: %s", USAGE);
	processes = raw_mode_is_processes(argv[1], USAGE);
	job.block_size = argc >= 4 ? (size_t)raw_arg_num("BLOCK_SIZE", argv[3],
	    4096, 64 << 20) : 65536;
	job.hash = argc < 5 || strcmp(argv[4], "xxh3") == 0;
	if (!job.hash && strcmp(argv[4], "none") != 0)
		errx(2, "hash is %s: xxh3 or none; usage: %s", argv[4], USAGE);
	load(argv[2]);
	job.got = shared(job.n * sizeof(*job.got));
	job.stamps = shared(3 * sizeof(uint64_t));
	job.bytes = job.stamps + 2;
	snprintf(options, sizeof(options), "files=%zu block-size=%zu "
	    "cache=warm%s", job.n, job.block_size, job.hash ? "" : " hash=none");
	raw_begin(&rec, processes, "fileread", options, 1);
	fflush(NULL);
	t0 = raw_now_ns();
	if (processes) {
		pid_t pid = fork();
		int status;

		if (pid == 0) {
			worker(NULL);
			_exit(0);
		}
		if (pid < 0)
			err(1, "fork");
		ok = waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		    WEXITSTATUS(status) == 0;
	} else {
		pthread_t tid;
		int rc = pthread_create(&tid, NULL, worker, NULL);

		if (rc != 0)
			errc(1, rc, "pthread_create");
		pthread_join(tid, NULL);
	}
	t1 = raw_now_ns();
	if (xs == NULL)
		errx(1, "XXH3_createState");
	XXH3_64bits_reset(xs);
	for (size_t i = 0; i < job.n && job.hash; i++) {
		XXH64_canonical_t c;

		ok = ok && job.got[i] == job.want[i];
		XXH64_canonicalFromHash(&c, job.got[i]);
		XXH3_64bits_update(xs, &c, sizeof(c));
	}
	if (job.hash) {
		snprintf(rec.result, sizeof(rec.result), "%016llx",
		    (unsigned long long)XXH3_64bits_digest(xs));
	} else {
		ok = ok && *job.bytes == job.size;
		snprintf(rec.result, sizeof(rec.result), "read=%llu",
		    (unsigned long long)*job.bytes);
	}
	XXH3_freeState(xs);
	span = (double)(job.stamps[1] - job.stamps[0]) / 1e9;
	raw_metric(&rec, "gb_per_s", "GB/s", (double)*job.bytes / span / 1e9,
	    true);
	raw_metric(&rec, "files_per_s", "1/s", (double)job.n / span, true);
	rec.items = job.n;
	rec.bytes = *job.bytes;
	rec.work_s = span;
	return raw_end(&rec, t0, t1, ok);
}
