/*
 * raw-spawn threads|processes COUNT: COUNT times, start one empty thread
 * or child and wait for it (pthread_create + pthread_join, or fork +
 * waitpid), each timed alone: what `tvp spawn --count COUNT` measures,
 * with its metrics (the nearest-rank median, p10, p90, mean, max).
 *
 * The timings and the count live in shared memory, as tvp's samples do:
 * kept in private memory, every fork made the pages the parent writes
 * next copy-on-write again, and each write after a fork paid a fault
 * (961 against 814 us a fork+waitpid here, medians of 11 runs; tvp 775).
 * That is a cost of the program's writes, not of the fork it measures.
 */
#include <sys/mman.h>
#include <sys/wait.h>

#include <err.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "raw.h"

#define USAGE "raw-spawn threads|processes COUNT"

struct shared {
	_Atomic unsigned long ran;
	uint64_t dt[];              /* ns, one per spawn */
};

static struct shared *sh;

static void *
spawned(void *arg)
{
	(void)arg;
	atomic_fetch_add_explicit(&sh->ran, 1, memory_order_relaxed);
	return NULL;
}

static int
by_value(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static double
quantile_us(const uint64_t *sorted, size_t n, double q)
{
	return (double)sorted[(size_t)(q * (double)(n - 1) + 0.5)] / 1e3;
}

int
main(int argc, char **argv)
{
	struct tvp_record rec;
	char options[64];
	uint64_t *dt, t0, t1;
	double sum = 0;
	bool processes;
	size_t count;

	if (argc != 3)
		errx(2, "usage: %s", USAGE);
	processes = raw_mode_is_processes(argv[1], USAGE);
	count = (size_t)raw_arg_num("COUNT", argv[2], 1, 10000000);
	sh = mmap(NULL, sizeof(*sh) + count * sizeof(*sh->dt), PROT_READ |
	    PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		err(1, "mmap");
	dt = sh->dt;
	snprintf(options, sizeof(options), "count=%zu touch=0 pages=small",
	    count);
	raw_begin(&rec, processes, "spawn", options, 1);
	fflush(NULL);
	t0 = raw_now_ns();
	for (size_t i = 0; i < count; i++) {
		uint64_t s = raw_now_ns();
		pthread_t tid;
		int status, rc;
		pid_t pid;

		if (processes) {
			if ((pid = fork()) == 0)
				_exit(0);
			if (pid < 0)
				err(1, "fork");
			if (waitpid(pid, &status, 0) == pid &&
			    WIFEXITED(status) && WEXITSTATUS(status) == 0)
				atomic_fetch_add_explicit(&sh->ran, 1,
				    memory_order_relaxed);
		} else {
			if ((rc = pthread_create(&tid, NULL, spawned,
			    NULL)) != 0)
				errc(1, rc, "pthread_create");
			pthread_join(tid, NULL);
		}
		dt[i] = raw_now_ns() - s;
	}
	t1 = raw_now_ns();
	qsort(dt, count, sizeof(*dt), by_value);
	for (size_t i = 0; i < count; i++)
		sum += (double)dt[i];
	raw_metric(&rec, "us_per_spawn_median", "us",
	    quantile_us(dt, count, 0.5), false);
	raw_metric(&rec, "us_per_spawn_p10", "us", quantile_us(dt, count, 0.1),
	    false);
	raw_metric(&rec, "us_per_spawn_p90", "us", quantile_us(dt, count, 0.9),
	    false);
	raw_metric(&rec, "us_per_spawn_mean", "us", sum / (double)count / 1e3,
	    false);
	raw_metric(&rec, "us_per_spawn_max", "us",
	    (double)dt[count - 1] / 1e3, false);
	snprintf(rec.result, sizeof(rec.result), "spawned=%lu",
	    atomic_load(&sh->ran));
	rec.items = count;
	return raw_end(&rec, t0, t1, atomic_load(&sh->ran) == count);
}
