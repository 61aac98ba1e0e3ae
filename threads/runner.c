/*
 * The threads runner: workers are pthreads in this process, and the
 * "shared region" is ordinary memory, because threads share everything.
 */
#include <sys/mman.h>

#include <err.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "clock.h"
#include "runner.h"

const char tvp_mode[] = "threads";

void *
tvp_shared_map(size_t size)
{
	void *p = mmap(NULL, size ? size : 1, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		warn("cannot map %zu bytes of memory", size);
		return NULL;
	}
	return p;
}

void
tvp_shared_unmap(void *p, size_t size)
{
	if (p != NULL)
		munmap(p, size ? size : 1);
}

bool
tvp_shared_is_pshared(void)
{
	return false;
}

struct thread_arg {
	struct tvp_run *run;
	unsigned worker;
};

static void *
thread_main(void *p)
{
	struct thread_arg *a = p;

	return (void *)(intptr_t)tvp_worker_main(a->run, a->worker);
}

/* Join the first n threads; count those whose body failed. */
static unsigned
join_all(pthread_t *tids, unsigned n)
{
	unsigned failed = 0;

	for (unsigned w = 0; w < n; w++) {
		void *ret;
		int rc = pthread_join(tids[w], &ret);

		if (rc != 0)
			errc(TVP_EXIT_FAIL, rc, "pthread_join worker %u", w);
		if (ret != NULL)
			failed++;
	}
	return failed;
}

int
tvp_runner_run(struct tvp_run *run, struct tvp_phases *ph)
{
	unsigned n = run->nworkers, failed;
	pthread_t *tids = reallocarray(NULL, n, sizeof(*tids));
	struct thread_arg *args = reallocarray(NULL, n, sizeof(*args));

	if (tids == NULL || args == NULL)
		err(TVP_EXIT_FAIL, "cannot allocate %u thread handles", n);
	ph->t0 = tvp_now_ns();
	for (unsigned w = 0; w < n; w++) {
		int rc;

		args[w] = (struct thread_arg){ run, w };
		rc = pthread_create(&tids[w], NULL, thread_main, &args[w]);
		if (rc != 0) {
			warnc(rc, "pthread_create for worker %u of %u", w, n);
			tvp_gate_abort(run->ctl);
			join_all(tids, w);
			free(tids);
			free(args);
			return TVP_EXIT_FAIL;
		}
	}
	ph->t_gate = tvp_now_ns();
	tvp_gate_open(run->ctl);
	failed = join_all(tids, n);
	ph->t_reaped = tvp_now_ns();
	free(tids);
	free(args);
	if (failed == 0)
		return 0;
	for (unsigned w = 0; w < n; w++)
		if (run->ctl->slot[w].status != 0)
			warnx("worker %u failed: %s", w,
			    run->ctl->slot[w].error[0] ?
			    run->ctl->slot[w].error : "no reason given");
	return TVP_EXIT_FAIL;
}
