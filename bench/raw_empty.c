/*
 * raw-empty threads|processes N: start N workers that do nothing and wait
 * for them -- N pthread_create then N pthread_join, or N fork then N
 * waitpid -- the bare cost that `tvp -j N hash --blocks 0` adds its
 * gate, its bookkeeping and its record to.  wall_s is the figure.
 */
#include <sys/wait.h>

#include <err.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "raw.h"

#define USAGE "raw-empty threads|processes WORKERS"

static _Atomic unsigned ran;

static void *
worker(void *arg)
{
	(void)arg;
	atomic_fetch_add_explicit(&ran, 1, memory_order_relaxed);
	return NULL;
}

int
main(int argc, char **argv)
{
	struct tvp_record rec;
	bool processes;
	unsigned n, exited = 0;
	uint64_t t0, t1;
	pthread_t *tids;
	pid_t *pids;

	if (argc != 3)
		errx(2, "usage: %s", USAGE);
	processes = raw_mode_is_processes(argv[1], USAGE);
	n = (unsigned)raw_arg_num("WORKERS", argv[2], 1, 4096);
	tids = calloc(n, sizeof(*tids));
	pids = calloc(n, sizeof(*pids));
	if (tids == NULL || pids == NULL)
		err(1, "calloc");
	raw_begin(&rec, processes, "hash", "blocks=0", n);
	fflush(NULL);
	t0 = raw_now_ns();
	for (unsigned w = 0; w < n; w++) {
		int rc;

		if (processes) {
			if ((pids[w] = fork()) == 0)
				_exit(0);
			if (pids[w] < 0)
				err(1, "fork");
		} else if ((rc = pthread_create(&tids[w], NULL, worker,
		    NULL)) != 0) {
			errc(1, rc, "pthread_create");
		}
	}
	for (unsigned w = 0; w < n; w++) {
		int status;

		if (!processes) {
			pthread_join(tids[w], NULL);
		} else if (waitpid(pids[w], &status, 0) == pids[w] &&
		    WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			exited++;
		}
	}
	t1 = raw_now_ns();
	if (!processes)
		exited = atomic_load(&ran);
	snprintf(rec.result, sizeof(rec.result), "ran=%u", exited);
	free(tids);
	free(pids);
	return raw_end(&rec, t0, t1, exited == n);
}
