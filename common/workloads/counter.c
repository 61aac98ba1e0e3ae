/*
 * counter: every worker adds 1 to one shared counter --increments times,
 * protected by --sync: nothing (the race, shown), a mutex (tvp_lock:
 * threading.Lock), a spinlock, or one atomic add.  Two more options move
 * things out of the shared region to show what fork copies:
 *
 *   --share no        the counter is ordinary malloc'd memory.  Threads
 *                     share it anyway; each child process increments its
 *                     own copy-on-write copy and the parent's stays 0.
 *   --lock-in private the lock is ordinary memory.  Threads share it; each
 *                     child process locks its own copy, which excludes no
 *                     one, and updates are lost.
 *
 * The counter is always read and written through atomics, also under a
 * lock: with --sync none a plain ++ would be a data race the compiler may
 * fold into one add of --increments, hiding the lost updates this is meant
 * to show.  Relaxed loads and stores compile to the same plain moves as ++
 * would, so the cost measured is that of the synchronization.
 */
#include <err.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync/sync.h"
#include "workload.h"
#include "workload_api.h"

enum method { SYNC_NONE, SYNC_MUTEX, SYNC_SPIN, SYNC_ATOMIC };

static const char *const method_names[] = { "none", "mutex", "spin",
    "atomic" };

/* The two kinds of lock; which one a run uses depends on --sync. */
struct counter_locks {
	struct tvp_lock mutex;
	atomic_int spin;         /* 0 free, 1 held */
};

/*
 * What may live in either kind of memory, each part on its own cache
 * lines (128 bytes: the adjacent-line prefetcher moves lines in pairs) so
 * that the lock and the counter do not falsely share one.
 */
struct counter_block {
	alignas(TVP_CACHE_LINE) _Atomic uint64_t counter;
	alignas(TVP_CACHE_LINE) struct counter_locks locks;
};

/* Per worker, in the shared region: stamps and what it saw at the end. */
struct counter_slot {
	alignas(TVP_CACHE_LINE) uint64_t seen;           /* the counter, read after its last add */
};

struct counter_shared {
	struct counter_block blk;
	struct counter_slot slot[];
};

struct counter_state {
	enum method method;
	bool share;              /* counter in the shared region */
	bool lock_shared;        /* lock in the shared region */
	bool lock_init;          /* locks.mutex needs destroying */
	uint64_t increments;
	struct counter_shared *sh;   /* tvp_shared */
	struct counter_block *priv;  /* malloc: private to each process */
	_Atomic uint64_t *counter;   /* in sh or priv, per --share */
	struct counter_locks *locks; /* in sh or priv, per --lock-in */
};

static const struct tvp_optdef counter_opts[] = {
	{ "increments", TVP_OPT_NUM, "1000000", 0, 1000000000, NULL,
	    "how many times each worker adds 1" },
	{ "sync", TVP_OPT_CHOICE, "mutex", 0, 0, "none|mutex|spin|atomic",
	    "none: load and store with no protection (the race); mutex: "
	    "tvp_lock; spin: a test-and-test-and-set spinlock; atomic: one "
	    "atomic fetch-and-add" },
	{ "share", TVP_OPT_CHOICE, "yes", 0, 0, "yes|no",
	    "no: the counter is in private (malloc'd) memory instead of the "
	    "shared region" },
	{ "lock-in", TVP_OPT_CHOICE, "shared", 0, 0, "shared|private",
	    "private: the mutex or spinlock is in private (malloc'd) memory "
	    "instead of the shared region" },
	{ NULL, 0, NULL, 0, 0, NULL, NULL },
};

static int
counter_setup(struct tvp_run *run)
{
	struct counter_state *st = tvp_state(run);
	const char *sync = tvp_opt_str(run, "sync");
	int rc;

	for (size_t i = 0; i < sizeof(method_names) / sizeof(*method_names);
	    i++)
		if (strcmp(sync, method_names[i]) == 0)
			st->method = (enum method)i;
	st->increments = (uint64_t)tvp_opt_num(run, "increments");
	st->share = strcmp(tvp_opt_str(run, "share"), "yes") == 0;
	st->lock_shared = strcmp(tvp_opt_str(run, "lock-in"), "shared") == 0;
	if (!st->lock_shared &&
	    (st->method == SYNC_NONE || st->method == SYNC_ATOMIC)) {
		warnx("counter: --lock-in private needs a lock: use it with "
		    "--sync mutex or --sync spin");
		return TVP_EXIT_USAGE;
	}
	st->sh = tvp_shared(run, sizeof(*st->sh) +
	    (size_t)tvp_workers(run) * sizeof(st->sh->slot[0]));
	if (st->sh == NULL)
		return TVP_EXIT_FAIL;
	if (!st->share || !st->lock_shared) {
		/*
		 * Ordinary heap memory, as a Python program's objects are:
		 * threads share it, fork gives each child its own copy.
		 */
		st->priv = aligned_alloc(alignof(struct counter_block),
		    sizeof(*st->priv));
		if (st->priv == NULL) {
			warn("counter: malloc");
			return TVP_EXIT_FAIL;
		}
		memset(st->priv, 0, sizeof(*st->priv));
		atomic_init(&st->priv->counter, 0);
		atomic_init(&st->priv->locks.spin, 0);
	}
	st->counter = st->share ? &st->sh->blk.counter : &st->priv->counter;
	st->locks = st->lock_shared ? &st->sh->blk.locks : &st->priv->locks;
	/*
	 * The same init wherever the lock lives, so that its place is the
	 * only difference: even a PTHREAD_PROCESS_SHARED mutex protects
	 * nothing once fork has copied it into each child's private memory.
	 */
	if (st->method == SYNC_MUTEX) {
		if ((rc = tvp_lock_init(&st->locks->mutex,
		    tvp_mode_is_processes())) != 0) {
			warnc(rc, "counter: cannot initialise the mutex");
			return TVP_EXIT_FAIL;
		}
		st->lock_init = true;
	}
	return 0;
}

/* Tell the CPU this is a spin-wait: saves power, and the sibling thread. */
static inline void
cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#endif
}

/*
 * Test-and-test-and-set: wait with plain loads, which stay in this core's
 * cache, and try the exchange (which takes the cache line away from every
 * other core) only once the lock looks free.  With more workers than
 * cores a spinner may burn its whole time slice while the holder waits
 * for a CPU: that is the lesson, and the mutex's reason to sleep instead.
 */
static void
spin_lock(atomic_int *lock)
{
	while (atomic_exchange_explicit(lock, 1, memory_order_acquire) != 0)
		while (atomic_load_explicit(lock, memory_order_relaxed) != 0)
			cpu_relax();
}

static void
spin_unlock(atomic_int *lock)
{
	atomic_store_explicit(lock, 0, memory_order_release);
}

/* Read, then write back one more: two steps, with room between them. */
static inline void
add_one(_Atomic uint64_t *c)
{
	uint64_t v = atomic_load_explicit(c, memory_order_relaxed);

	atomic_store_explicit(c, v + 1, memory_order_relaxed);
}

/* n increments by the run's method; one loop per method, no test inside. */
static void
add_n(struct counter_state *st, uint64_t n)
{
	_Atomic uint64_t *c = st->counter;
	struct counter_locks *l = st->locks;

	switch (st->method) {
	case SYNC_NONE:
		for (uint64_t i = 0; i < n; i++)
			add_one(c);
		break;
	case SYNC_MUTEX:
		/* Never TVP_LOCK_RECOVERED: a dead worker ends the run. */
		for (uint64_t i = 0; i < n; i++) {
			(void)tvp_lock_acquire(&l->mutex);
			add_one(c);
			tvp_lock_release(&l->mutex);
		}
		break;
	case SYNC_SPIN:
		for (uint64_t i = 0; i < n; i++) {
			spin_lock(&l->spin);
			add_one(c);
			spin_unlock(&l->spin);
		}
		break;
	case SYNC_ATOMIC:
		for (uint64_t i = 0; i < n; i++)
			atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
		break;
	}
}

static int
counter_work(struct tvp_run *run, unsigned worker)
{
	struct counter_state *st = tvp_state(run);
	struct counter_slot *slot = &st->sh->slot[worker];
	uint64_t half = st->increments / 2;

	add_n(st, half);
	/* Never while holding a lock: add_n has released it. */
	tvp_fault_point(run, worker);
	add_n(st, st->increments - half);
	slot->seen = atomic_load_explicit(st->counter, memory_order_relaxed);
	tvp_worker_count(run, worker, st->increments, 0);
	return 0;
}

static int
counter_finish(struct tvp_run *run)
{
	struct counter_state *st = tvp_state(run);

	tvp_result(run, "%llu", (unsigned long long)atomic_load(st->counter));
	return 0;
}

/*
 * Time per increment, all workers together: the span over all of them
 * divided by every increment (so with more workers than cores it is the
 * machine's throughput, not one worker's latency).
 */
static void
report_cost(struct tvp_run *run, const struct counter_state *st)
{
	uint64_t span = tvp_work_span_ns(run);
	uint64_t total = st->increments * tvp_workers(run);

	if (total > 0 && span > 0)
		tvp_metric(run, "ns_per_increment", "ns",
		    (double)span / (double)total, TVP_LOWER_IS_BETTER);
}

static enum tvp_verdict
counter_verify(struct tvp_run *run)
{
	struct counter_state *st = tvp_state(run);
	bool processes = tvp_mode_is_processes();
	uint64_t total = st->increments * tvp_workers(run);
	uint64_t got = atomic_load(st->counter);
	/* What each mode predicts for the counter the parent sees. */
	uint64_t want = !st->share && processes ? 0 : total;
	/* Who can lose updates: no lock, or each process its own lock. */
	bool racy = tvp_workers(run) > 1 && (st->method == SYNC_NONE ||
	    (!st->lock_shared && processes));

	report_cost(run, st);
	if (!st->share && processes) {
		for (unsigned w = 0; w < tvp_workers(run); w++)
			if (st->sh->slot[w].seen != st->increments) {
				tvp_note(run, "worker %u's own copy of the "
				    "counter ended at %llu, not %llu", w,
				    (unsigned long long)st->sh->slot[w].seen,
				    (unsigned long long)st->increments);
				return TVP_VERDICT_FAILED;
			}
		tvp_note(run, "--share no: each child process added to its "
		    "own copy-on-write copy of the counter (each ended at "
		    "%llu) and the parent's stayed %llu; as threads the same "
		    "memory is shared and the count is %llu, so the result "
		    "differs between modes by design",
		    (unsigned long long)st->increments,
		    (unsigned long long)got, (unsigned long long)total);
		if (got != want)
			return TVP_VERDICT_FAILED;
		return TVP_VERDICT_VERIFIED;
	}
	if (!st->share)
		tvp_note(run, "--share no: threads share even malloc'd "
		    "memory, so all added to one counter; as processes each "
		    "child adds to its own copy and the parent sees 0, so "
		    "the result differs between modes by design");
	if (!st->lock_shared)
		tvp_note(run, processes ? "--lock-in private: the lock was a "
		    "private copy in each process, so it excluded no one" :
		    "--lock-in private: threads share even malloc'd memory, "
		    "so the one lock still excluded");
	if (got == want) {
		if (racy)
			tvp_note(run, "no update was lost, by luck: nothing "
			    "stopped two workers from interleaving");
		return TVP_VERDICT_VERIFIED;
	}
	tvp_note(run, "%s: expected %llu, got %llu, lost %lld updates",
	    racy ? "race" : "wrong count", (unsigned long long)want,
	    (unsigned long long)got, (long long)(want - got));
	return racy ? TVP_VERDICT_RACE : TVP_VERDICT_FAILED;
}

static void
counter_teardown(struct tvp_run *run)
{
	struct counter_state *st = tvp_state(run);

	if (st->lock_init)
		tvp_lock_destroy(&st->locks->mutex);
	free(st->priv);
}

const struct tvp_workload tvp_wl_counter = {
	.name = "counter",
	.kind = "sync",
	.summary = "workers add 1 to one shared counter: no lock (race), "
	    "mutex, spinlock, atomic",
	.opts = counter_opts,
	.quick = "--increments 100000",
	.state_size = sizeof(struct counter_state),
	.setup = counter_setup,
	.work = counter_work,
	.finish = counter_finish,
	.verify = counter_verify,
	.teardown = counter_teardown,
};
