/*
 * The threads runner: workers are pthreads in this process, and the
 * "shared region" is ordinary memory, because threads share everything.
 */
#define _GNU_SOURCE /* sigabbrev_np */

#include <err.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/runner.h"
#include "core/signals.h"
#include "lib/escape.h"
#include "lib/clock.h"

const char tvp_mode[] = "threads";

void *
tvp_shared_map(size_t size)
{
	return tvp_private_map(size);
}

void
tvp_shared_unmap(void *p, size_t size)
{
	tvp_private_unmap(p, size);
}

bool
tvp_mode_is_processes(void)
{
	return false;
}

void
tvp_worker_exit(unsigned worker, int status)
{
	/* Named, as the processes runner names a worker that exited. */
	warnx("worker %u called exit(%d) from its thread: that ends the whole "
	    "process", worker, status);
	exit(status);
}

struct thread_arg {
	struct tvp_run *run;
	unsigned worker;
	pthread_t parent;
	_Atomic unsigned *done;
	_Atomic bool finished;   /* read by the parent while others run */
};

static void *
thread_main(void *p)
{
	struct thread_arg *a = p;
	int rc = tvp_worker_main(a->run, a->worker);

	/*
	 * Count first, then wake: the parent re-checks the count.  Only the
	 * last to finish wakes it, so the parent pays for one signal per
	 * run, not one per worker.
	 */
	atomic_store(&a->finished, true);
	if (atomic_fetch_add(a->done, 1) + 1 == a->run->nworkers)
		pthread_kill(a->parent, TVP_SIGNAL_DONE);
	return (void *)(intptr_t)rc;
}

/* Join the first n threads; count those whose body failed. */
static unsigned
join_all(pthread_t *tids, unsigned n)
{
	unsigned failed = 0;

	for (unsigned w = 0; w < n; w++) {
		void *ret;
		int rc = pthread_join(tids[w], &ret);

		if (rc != 0) {
			warnc(rc, "pthread_join worker %u", w);
			failed++;
		} else if (ret != NULL) {
			failed++;
		}
	}
	return failed;
}

static bool
thread_unfinished(const void *ctx, unsigned w)
{
	const struct thread_arg *args = ctx;

	return !atomic_load(&args[w].finished);
}

/*
 * Threads cannot be stopped from outside: one that hangs or must be
 * interrupted ends only when the whole process does.  So an interrupted
 * or timed-out run says, in one line, why and which workers were still
 * busy, and ends the program here (there is nothing on disk or in
 * /dev/shm to clean up in this mode).
 */
static _Noreturn void
abandon(struct tvp_run *run, const struct thread_arg *args,
    const char *why, int status)
{
	char which[256];
	unsigned n = run->nworkers,
	    busy = tvp_workers_describe(which, sizeof(which), n,
	    thread_unfinished, args);

	warnx("%s: %u of %u worker thread(s) unfinished%s%s%s; a thread "
	    "cannot be killed alone, so the process exits", why, busy, n,
	    busy ? " (" : "", which, busy ? ")" : "");
	fflush(NULL);
	_exit(status);
}

/* Wait until every thread counted itself done, or a signal or deadline. */
static void
wait_all(struct tvp_run *run, const struct thread_arg *args,
    const _Atomic unsigned *done, uint64_t deadline)
{
	char why[64];

	while (atomic_load(done) < run->nworkers) {
		int sig = tvp_signal_wait(deadline);

		if (sig == SIGINT || sig == SIGTERM) {
			snprintf(why, sizeof(why), "interrupted by SIG%s",
			    sigabbrev_np(sig));
			abandon(run, args, why, TVP_EXIT_SIGNAL(sig));
		}
		if (sig == 0) {
			snprintf(why, sizeof(why), "timed out after %g s",
			    run->timeout_s);
			abandon(run, args, why, TVP_EXIT_FAIL);
		}
	}
}

/*
 * Name the workers that failed, with why: the first few each on a line,
 * the rest counted on one (hundreds of observers of a loaded machine
 * failing alike are one finding, not hundreds of lines).  As processes,
 * the first death stops the run, so one line is said there.
 */
#define FAILURES_NAMED 3

static void
report_failures(const struct tvp_run *run)
{
	unsigned named = 0, more = 0;

	for (unsigned w = 0; w < run->nworkers; w++) {
		const struct tvp_slot *slot = &run->ctl->slot[w];

		if (slot->status == 0)
			continue;
		if (named++ >= FAILURES_NAMED) {
			more++;
			continue;
		}
		warnx("worker %u failed: %s", w, slot->error[0] ?
		    TVP_ESC(slot->error) : "no reason given");
	}
	if (more > 0)
		warnx("and %u more worker(s) failed", more);
}

int
tvp_runner_run(struct tvp_run *run, struct tvp_phases *ph)
{
	unsigned n = run->nworkers, failed;
	pthread_t *tids = reallocarray(NULL, n, sizeof(*tids));
	struct thread_arg *args = reallocarray(NULL, n, sizeof(*args));
	_Atomic unsigned done = 0;
	uint64_t deadline = 0;

	if (tids == NULL || args == NULL)
		err(TVP_EXIT_FAIL, "cannot allocate %u thread handles", n);
	ph->t0 = tvp_now_ns();
	if (run->timeout_s > 0)
		deadline = ph->t0 + (uint64_t)(run->timeout_s * 1e9);
	for (unsigned w = 0; w < n; w++) {
		int rc;

		args[w] = (struct thread_arg){ run, w, pthread_self(), &done,
		    false };
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
	wait_all(run, args, &done, deadline);
	failed = join_all(tids, n);
	ph->t_reaped = tvp_now_ns();
	free(tids);
	free(args);
	if (failed == 0)
		return 0;
	report_failures(run);
	return TVP_EXIT_FAIL;
}

int
tvp_runner_prepare(struct tvp_run *run)
{
	(void)run;
	return 0;
}
