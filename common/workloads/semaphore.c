/*
 * semaphore: N workers share K slots (tvp_sem: threading.Semaphore(K)),
 * as a pool of K connections or licences is shared.  Each worker enters
 * --rounds times and holds its slot for --hold-us of simulated work (a
 * sleep: the slot stands for a resource one waits on, not for CPU).
 *
 * Inside, each worker adds itself to a shared count and records the
 * highest count seen; verify checks that it never passed K, and that it
 * reached min(K, N).  "Reached" is made certain rather than likely: in the
 * first round every worker that gets in waits, on an event, until
 * min(K, N) are inside at once.  That cannot deadlock: while fewer are
 * inside, a slot is free and a worker that has not entered yet is
 * blocked only on the semaphore, so it gets in.
 */
#include <err.h>
#include <errno.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "lib/clock.h"
#include "sync/sync.h"
#include "workload.h"
#include "workload_api.h"

struct sem_shared {
	struct tvp_sem sem;
	struct tvp_event all_in;           /* min(K, N) inside, once */
	alignas(TVP_CACHE_LINE) _Atomic unsigned inside;
	alignas(TVP_CACHE_LINE) _Atomic unsigned max_inside;
	alignas(TVP_CACHE_LINE) _Atomic uint64_t entries;
};

struct sem_state {
	unsigned limit, target;
	uint64_t rounds, hold_ns;
	struct sem_shared *sh;             /* tvp_shared_map */
	bool sem_init, ev_init;
};

static const struct tvp_optdef semaphore_opts[] = {
	{ "limit", TVP_OPT_NUM, "2", 1, 4096, NULL,
	    "slots: workers allowed inside at once" },
	{ "rounds", TVP_OPT_NUM, "100", 1, 1000000, NULL,
	    "times each worker enters" },
	{ "hold-us", TVP_OPT_NUM, "200", 0, 1000000, NULL,
	    "microseconds a worker holds its slot (simulated work: a sleep)" },
	{ NULL, 0, NULL, 0, 0, NULL, NULL },
};

static int
semaphore_setup(struct tvp_run *run)
{
	struct sem_state *st = tvp_state(run);
	bool pshared = tvp_mode_is_processes();
	int rc;

	st->limit = (unsigned)tvp_opt_num(run, "limit");
	st->rounds = (uint64_t)tvp_opt_num(run, "rounds");
	st->hold_ns = (uint64_t)tvp_opt_num(run, "hold-us") * 1000;
	st->target = st->limit < tvp_workers(run) ? st->limit : tvp_workers(run);
	if ((st->sh = tvp_shared(run, sizeof(*st->sh))) == NULL)
		return TVP_EXIT_FAIL;
	if ((rc = tvp_sem_init(&st->sh->sem, st->limit, pshared)) != 0) {
		warnc(rc, "semaphore: cannot initialise the semaphore");
		return TVP_EXIT_FAIL;
	}
	st->sem_init = true;
	if ((rc = tvp_event_init(&st->sh->all_in, pshared)) != 0) {
		warnc(rc, "semaphore: cannot initialise the event");
		return TVP_EXIT_FAIL;
	}
	st->ev_init = true;
	return 0;
}

/* Raise *max to at least v. */
static void
raise_max(_Atomic unsigned *max, unsigned v)
{
	unsigned seen = atomic_load(max);

	while (seen < v && !atomic_compare_exchange_weak(max, &seen, v))
		;
}

static void
hold(uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000u),
	    (long)(ns % 1000000000u) };

	while (ts.tv_sec > 0 || ts.tv_nsec > 0)
		if (nanosleep(&ts, &ts) == 0 || errno != EINTR)
			break;
}

static int
semaphore_work(struct tvp_run *run, unsigned worker)
{
	struct sem_state *st = tvp_state(run);
	struct sem_shared *sh = st->sh;

	for (uint64_t r = 0; r < st->rounds; r++) {
		unsigned now;

		/* Outside the semaphore: a fault here holds no slot. */
		if (r == st->rounds / 2)
			tvp_fault_point(run, worker);
		tvp_sem_acquire(&sh->sem);
		now = atomic_fetch_add(&sh->inside, 1) + 1;
		raise_max(&sh->max_inside, now);
		if (r == 0) {
			if (now >= st->target)
				tvp_event_set(&sh->all_in);
			else
				tvp_event_wait(&sh->all_in);
		}
		hold(st->hold_ns);
		atomic_fetch_add(&sh->entries, 1);
		atomic_fetch_sub(&sh->inside, 1);
		tvp_sem_release(&sh->sem);
	}
	tvp_worker_count(run, worker, st->rounds, 0);
	return 0;
}

static int
semaphore_finish(struct tvp_run *run)
{
	struct sem_state *st = tvp_state(run);

	tvp_result(run, "limit=%u workers=%u max_inside=%u entries=%llu", st->limit,
	    tvp_workers(run), atomic_load(&st->sh->max_inside),
	    (unsigned long long)atomic_load(&st->sh->entries));
	return 0;
}

/* Time per entry against the ideal: N x rounds entries, K at a time. */
static void
report_rate(struct tvp_run *run, const struct sem_state *st)
{
	uint64_t span = tvp_work_span_ns(run);
	double entries = (double)(st->rounds * tvp_workers(run));

	if (span > 0 && entries > 0) {
		tvp_metric(run, "us_per_entry", "us",
		    (double)span / entries / 1e3, TVP_LOWER_IS_BETTER);
		tvp_metric(run, "us_per_entry_ideal", "us",
		    (double)st->hold_ns / 1e3 / st->target,
		    TVP_LOWER_IS_BETTER);
	}
	tvp_note(run, "us_per_entry: all workers together; held %.1f us "
	    "each, %u at a time, so us_per_entry_ideal if waiting cost "
	    "nothing", (double)st->hold_ns / 1e3, st->target);
}

static enum tvp_verdict
semaphore_verify(struct tvp_run *run)
{
	struct sem_state *st = tvp_state(run);
	unsigned max = atomic_load(&st->sh->max_inside);
	uint64_t entries = atomic_load(&st->sh->entries);

	if (max > st->limit) {
		tvp_note(run, "%u workers were inside at once, with only %u "
		    "slots", max, st->limit);
		return TVP_VERDICT_FAILED;
	}
	if (max != st->target) {
		tvp_note(run, "at most %u workers were inside at once, never "
		    "%u", max, st->target);
		return TVP_VERDICT_FAILED;
	}
	report_rate(run, st);
	if (entries != st->rounds * tvp_workers(run)) {
		tvp_note(run, "%llu entries, not %llu",
		    (unsigned long long)entries,
		    (unsigned long long)st->rounds * tvp_workers(run));
		return TVP_VERDICT_FAILED;
	}
	return TVP_VERDICT_VERIFIED;
}

static void
semaphore_teardown(struct tvp_run *run)
{
	struct sem_state *st = tvp_state(run);

	if (st->ev_init)
		tvp_event_destroy(&st->sh->all_in);
	if (st->sem_init)
		tvp_sem_destroy(&st->sh->sem);
}

const struct tvp_workload tvp_wl_semaphore = {
	.name = "semaphore",
	.kind = "sync",
	.summary = "workers share --limit slots; never more inside at once",
	.opts = semaphore_opts,
	.quick = "--rounds 20",
	.state_size = sizeof(struct sem_state),
	.setup = semaphore_setup,
	.work = semaphore_work,
	.finish = semaphore_finish,
	.verify = semaphore_verify,
	.teardown = semaphore_teardown,
};
