/*
 * falseshare: every worker adds 1 to its OWN counter --increments times.
 * Nothing is shared, so nothing needs a lock, and yet with --padding no
 * the counters sit next to each other, eight to a 64-byte cache line, and
 * every store takes the line away from the other cores: the workers run
 * as if they shared one variable.  --padding yes gives each counter its
 * own 128 bytes (the adjacent-line prefetcher moves lines in pairs) and
 * the same work runs at the speed of one core's cache.  The counts are the
 * same either way; the time per increment in the note is the lesson.
 *
 * A separate workload rather than a counter option: counter is about one
 * variable everyone must share; this is about variables nobody shares.
 *
 * The counters are stored through relaxed atomics: the same plain loads
 * and stores as ++, but the compiler may not keep the counter in a
 * register and write it once at the end, which would hide the effect.
 */
#include <err.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/clock.h"
#include "workload.h"
#include "workload_api.h"

#define LINE TVP_CACHE_LINE

/* Per worker, apart from the counters so the stamps do not disturb them. */
struct fs_slot {
	alignas(LINE) uint64_t t0, t1;
};

struct fs_state {
	uint64_t increments;
	size_t stride;           /* bytes from one counter to the next */
	unsigned char *counters; /* shared: nworkers * stride, LINE-aligned */
	struct fs_slot *slots;   /* shared */
};

static const struct tvp_optdef falseshare_opts[] = {
	{ "increments", TVP_OPT_NUM, "20000000", 0, 1000000000, NULL,
	    "how many times each worker adds 1 to its own counter" },
	{ "padding", TVP_OPT_CHOICE, "no", 0, 0, "no|yes",
	    "no: the counters are adjacent (8 per 64-byte cache line); yes: "
	    "each has its own 128 bytes" },
	{ NULL, 0, NULL, 0, 0, NULL, NULL },
};

static _Atomic uint64_t *
counter_of(const struct fs_state *st, unsigned worker)
{
	return (_Atomic uint64_t *)(void *)(st->counters +
	    (size_t)worker * st->stride);
}

static int
falseshare_setup(struct tvp_run *run)
{
	struct fs_state *st = tvp_state(run);
	unsigned n = tvp_workers(run);

	st->increments = (uint64_t)tvp_opt_num(run, "increments");
	st->stride = strcmp(tvp_opt_str(run, "padding"), "yes") == 0 ?
	    LINE : sizeof(_Atomic uint64_t);
	/* Both page-aligned, so the first counter starts a cache line. */
	if ((st->counters = tvp_shared(run, (size_t)n * st->stride)) == NULL ||
	    (st->slots = tvp_shared(run, (size_t)n *
	    sizeof(struct fs_slot))) == NULL)
		return TVP_EXIT_FAIL;
	for (unsigned w = 0; w < n; w++)
		atomic_init(counter_of(st, w), 0);
	return 0;
}

static void
add_n(_Atomic uint64_t *c, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		atomic_store_explicit(c, atomic_load_explicit(c,
		    memory_order_relaxed) + 1, memory_order_relaxed);
}

static int
falseshare_work(struct tvp_run *run, unsigned worker)
{
	struct fs_state *st = tvp_state(run);
	_Atomic uint64_t *c = counter_of(st, worker);
	uint64_t half = st->increments / 2;

	st->slots[worker].t0 = tvp_now_ns();
	add_n(c, half);
	tvp_fault_point(run, worker);
	add_n(c, st->increments - half);
	st->slots[worker].t1 = tvp_now_ns();
	tvp_worker_count(run, worker, st->increments, 0);
	return 0;
}

static int
falseshare_finish(struct tvp_run *run)
{
	struct fs_state *st = tvp_state(run);
	uint64_t min = UINT64_MAX, max = 0, total = 0;

	for (unsigned w = 0; w < tvp_workers(run); w++) {
		uint64_t v = atomic_load(counter_of(st, w));

		total += v;
		min = v < min ? v : min;
		max = v > max ? v : max;
	}
	tvp_result(run, "counters=%u min=%llu max=%llu total=%llu",
	    tvp_workers(run), (unsigned long long)min,
	    (unsigned long long)max, (unsigned long long)total);
	return 0;
}

static enum tvp_verdict
falseshare_verify(struct tvp_run *run)
{
	struct fs_state *st = tvp_state(run);
	double ns = 0;

	for (unsigned w = 0; w < tvp_workers(run); w++) {
		uint64_t v = atomic_load(counter_of(st, w));

		if (v != st->increments) {
			tvp_note(run, "worker %u's counter is %llu, not %llu",
			    w, (unsigned long long)v,
			    (unsigned long long)st->increments);
			return TVP_VERDICT_FAILED;
		}
		ns += (double)(st->slots[w].t1 - st->slots[w].t0);
	}
	if (st->increments > 0)
		tvp_metric(run, "ns_per_increment", "ns",
		    ns / tvp_workers(run) / (double)st->increments,
		    TVP_LOWER_IS_BETTER);
	tvp_note(run, "ns_per_increment: each worker's own time per "
	    "increment, mean over workers; counters %s",
	    st->stride == LINE ? "128 bytes apart (own cache lines)" :
	    "adjacent (8 per 64-byte cache line)");
	return TVP_VERDICT_VERIFIED;
}

const struct tvp_workload tvp_wl_falseshare = {
	.name = "falseshare",
	.kind = "sync",
	.summary = "workers add 1 to their own counters: adjacent (false "
	    "sharing) or padded",
	.opts = falseshare_opts,
	.quick = "--increments 2000000",
	.state_size = sizeof(struct fs_state),
	.setup = falseshare_setup,
	.work = falseshare_work,
	.finish = falseshare_finish,
	.verify = falseshare_verify,
};
