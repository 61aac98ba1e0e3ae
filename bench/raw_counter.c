/*
 * raw-counter threads|processes WORKERS INCREMENTS: WORKERS add 1 to one
 * counter INCREMENTS times each, under one pthread mutex, as tvp's
 * `counter --sync mutex` does: a default mutex for threads; for
 * processes one in MAP_SHARED memory, PTHREAD_PROCESS_SHARED and robust
 * (the attributes tvp's lock has in that mode).  The workers meet at a
 * spinning start line first, so that they contend from the first
 * increment; ns_per_increment is the span from the first start to the
 * last end over all increments, as tvp reports it.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/wait.h>

#include <err.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "raw.h"

#define USAGE "raw-counter threads|processes WORKERS INCREMENTS"

struct shared {
	pthread_mutex_t mutex;
	_Alignas(128) uint64_t counter;
	_Alignas(128) _Atomic unsigned arrived;
	_Alignas(128) uint64_t stamps[]; /* begin, end per worker, 128 B apart */
};

static struct shared *sh;
static unsigned workers;
static uint64_t increments;

static void *
worker(void *arg)
{
	unsigned w = (unsigned)(uintptr_t)arg;

	atomic_fetch_add(&sh->arrived, 1);
	while (atomic_load(&sh->arrived) < workers)
		sched_yield();
	sh->stamps[32 * w] = raw_now_ns();
	for (uint64_t i = 0; i < increments; i++) {
		pthread_mutex_lock(&sh->mutex);
		sh->counter++;
		pthread_mutex_unlock(&sh->mutex);
	}
	sh->stamps[32 * w + 1] = raw_now_ns();
	return NULL;
}

int
main(int argc, char **argv)
{
	pthread_mutexattr_t attr;
	struct tvp_record rec;
	char options[128];
	uint64_t t0, t1, first = UINT64_MAX, last = 0;
	bool processes, ok = true;
	size_t size;

	if (argc != 4)
		errx(2, "usage: %s", USAGE);
	processes = raw_mode_is_processes(argv[1], USAGE);
	workers = (unsigned)raw_arg_num("WORKERS", argv[2], 1, 4096);
	increments = (uint64_t)raw_arg_num("INCREMENTS", argv[3], 1,
	    1000000000);
	size = sizeof(*sh) + (size_t)workers * 32 * sizeof(uint64_t);
	sh = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED |
	    MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		err(1, "mmap");
	pthread_mutexattr_init(&attr);
	if (processes) {
		pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
		pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
	}
	pthread_mutex_init(&sh->mutex, &attr);
	snprintf(options, sizeof(options), "increments=%llu sync=mutex "
	    "share=yes lock-in=shared", (unsigned long long)increments);
	raw_begin(&rec, processes, "counter", options, workers);
	fflush(NULL);
	t0 = raw_now_ns();
	if (processes) {
		pid_t *pids = calloc(workers, sizeof(*pids));

		if (pids == NULL)
			err(1, "calloc");
		for (unsigned w = 0; w < workers; w++) {
			if ((pids[w] = fork()) == 0) {
				worker((void *)(uintptr_t)w);
				_exit(0);
			}
			if (pids[w] < 0)
				err(1, "fork");
		}
		for (unsigned w = 0; w < workers; w++) {
			int status;

			if (waitpid(pids[w], &status, 0) != pids[w] ||
			    !WIFEXITED(status) || WEXITSTATUS(status) != 0)
				ok = false;
		}
		free(pids);
	} else {
		pthread_t *tids = calloc(workers, sizeof(*tids));

		if (tids == NULL)
			err(1, "calloc");
		for (unsigned w = 0; w < workers; w++) {
			int rc = pthread_create(&tids[w], NULL, worker,
			    (void *)(uintptr_t)w);

			if (rc != 0)
				errc(1, rc, "pthread_create");
		}
		for (unsigned w = 0; w < workers; w++)
			pthread_join(tids[w], NULL);
		free(tids);
	}
	t1 = raw_now_ns();
	for (unsigned w = 0; w < workers; w++) {
		if (sh->stamps[32 * w] < first)
			first = sh->stamps[32 * w];
		if (sh->stamps[32 * w + 1] > last)
			last = sh->stamps[32 * w + 1];
	}
	snprintf(rec.result, sizeof(rec.result), "%llu",
	    (unsigned long long)sh->counter);
	ok = ok && sh->counter == increments * workers;
	raw_metric(&rec, "ns_per_increment", "ns", (double)(last - first) /
	    (double)(increments * workers), false);
	rec.items = increments * workers;
	rec.work_s = (double)(last - first) / 1e9;
	return raw_end(&rec, t0, t1, ok);
}
