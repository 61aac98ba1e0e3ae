/*
 * raw-empty threads|processes N [gate]: start N workers that do nothing
 * and wait for them -- N pthread_create then N pthread_join, or N fork
 * then N waitpid -- the bare cost that `tvp -j N hash --blocks 0` adds
 * its gate, its bookkeeping and its record to.  wall_s is the figure.
 *
 * With "gate", each worker first waits at a start gate until all N exist
 * (a futex word in shared memory: the parent stores "open" and wakes them
 * all with one FUTEX_WAKE), the least that any measurement of concurrent
 * work needs so that no worker starts before the last one exists.  Its
 * extra over the plain run is the price of starting together: N workers
 * asleep, woken at once, scheduled onto the cores.
 */
#define _GNU_SOURCE /* syscall */
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <err.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "raw.h"

#define USAGE "raw-empty threads|processes WORKERS [gate]"

/* Shared with the children (MAP_SHARED) when the workers are processes. */
struct shared {
	_Atomic uint32_t gate;      /* 0 closed, 1 open */
	_Atomic unsigned ran;
};

static struct shared *sh;
static bool gated;
/* Threads share one address space: the kernel's cheaper private futex. */
static int futex_private;

static void *
worker(void *arg)
{
	(void)arg;
	while (gated && atomic_load_explicit(&sh->gate,
	    memory_order_acquire) == 0)
		syscall(SYS_futex, (void *)(uintptr_t)&sh->gate,
		    FUTEX_WAIT | futex_private, 0, NULL, NULL, 0);
	atomic_fetch_add_explicit(&sh->ran, 1, memory_order_relaxed);
	return NULL;
}

static void
gate_open(void)
{
	atomic_store_explicit(&sh->gate, 1, memory_order_release);
	syscall(SYS_futex, (void *)(uintptr_t)&sh->gate,
	    FUTEX_WAKE | futex_private, INT_MAX, NULL, NULL, 0);
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

	if (argc != 3 && argc != 4)
		errx(2, "usage: %s", USAGE);
	processes = raw_mode_is_processes(argv[1], USAGE);
	n = (unsigned)raw_arg_num("WORKERS", argv[2], 1, 4096);
	if (argc == 4 && strcmp(argv[3], "gate") != 0)
		errx(2, "third word is %s: gate or nothing; usage: %s",
		    argv[3], USAGE);
	gated = argc == 4;
	futex_private = processes ? 0 : FUTEX_PRIVATE_FLAG;
	/* Ungated processes share nothing: the bare fork, one mapping less. */
	if (gated || !processes) {
		sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (sh == MAP_FAILED)
			err(1, "mmap");
	}
	tids = calloc(n, sizeof(*tids));
	pids = calloc(n, sizeof(*pids));
	if (tids == NULL || pids == NULL)
		err(1, "calloc");
	raw_begin(&rec, processes, "hash", gated ? "blocks=0 gate" :
	    "blocks=0", n);
	fflush(NULL);
	t0 = raw_now_ns();
	for (unsigned w = 0; w < n; w++) {
		int rc;

		if (processes) {
			/* Ungated, a child exits at once: the bare fork. */
			if ((pids[w] = fork()) == 0) {
				if (gated)
					worker(NULL);
				_exit(0);
			}
			if (pids[w] < 0) {
				/* Those made must not sleep at the gate. */
				if (gated)
					gate_open();
				err(1, "fork");
			}
		} else if ((rc = pthread_create(&tids[w], NULL, worker,
		    NULL)) != 0) {
			errc(1, rc, "pthread_create");
		}
	}
	if (gated)
		gate_open();
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
	/* Threads: those that ran; processes: those that exited 0 (and ran). */
	if (!processes || (gated && atomic_load(&sh->ran) < exited))
		exited = atomic_load(&sh->ran);
	snprintf(rec.result, sizeof(rec.result), "ran=%u", exited);
	free(tids);
	free(pids);
	return raw_end(&rec, t0, t1, exited == n);
}
