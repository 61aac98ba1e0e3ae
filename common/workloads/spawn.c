/*
 * spawn: what it costs to start and finish a worker that does nothing.
 * Python's Thread(target=f).start() then .join(), or Process(...).start()
 * then .join(), with an empty f.  In threads mode each spawn is
 * pthread_create + pthread_join; in processes mode fork + waitpid, the
 * child _exit(0)ing at once.  Every spawned thread or child adds one to
 * its tvp worker's counter in the shared region, so the count proves
 * each one really ran.
 *
 * --touch MiB makes the address space big first: fork copies the page
 * tables of every private page it would share copy-on-write, so its cost
 * grows with the memory the program has touched; a new thread shares the
 * address space and does not care.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/pages.h"
#include "workload.h"
#include "workload_api.h"

/* --count 0: this many, fewer for a larger --touch, at least AUTO_MIN. */
#define AUTO_COUNT 4000
#define AUTO_MIN 20

/* One per tvp worker, each on its own cache lines. */
struct spawn_slot {
	alignas(TVP_CACHE_LINE) _Atomic uint64_t ran; /* bumped by each spawned one */
};

struct spawn_state {
	size_t count;             /* spawns per tvp worker */
	size_t touch;             /* bytes mapped and written in setup */
	struct tvp_pages mem;     /* those bytes, private */
	struct spawn_slot *slots; /* shared: one per tvp worker */
	uint32_t *samples;        /* shared: ns per spawn, count per worker */
};

static const struct tvp_optdef spawn_opts[] = {
	{ "count", TVP_OPT_NUM, "0", 0, 10000000, NULL,
	    "spawns (thread or child started and waited for) per worker; "
	    "0: about a second's worth of forks, 4000 / (1 + touch / 8)" },
	{ "touch", TVP_OPT_NUM, "0", 0, 1LL << 30, NULL,
	    "MiB of private memory to map and write before the run: fork "
	    "copies its page tables, threads share them" },
	{ "pages", TVP_OPT_CHOICE, "small", 0, 0, "small|huge",
	    "page size asked for the --touch memory (huge: transparent huge "
	    "pages, 512 times fewer page table entries to copy)" },
	{ NULL, 0, NULL, 0, 0, NULL, NULL },
};

static int
spawn_setup(struct tvp_run *run)
{
	struct spawn_state *st = tvp_state(run);
	long long touch_mib = tvp_opt_num(run, "touch");
	bool huge = strcmp(tvp_opt_str(run, "pages"), "huge") == 0;
	size_t page = (size_t)sysconf(_SC_PAGESIZE), nsamples;

	st->count = (size_t)tvp_opt_num(run, "count");
	if (st->count == 0) {
		/*
		 * Sized on fork, the slower: ~0.2 ms plus ~0.03 ms per MiB
		 * touched, measured.  The same in both modes, so the
		 * results compare.
		 */
		st->count = AUTO_COUNT / (1 + (size_t)touch_mib / 8);
		if (st->count < AUTO_MIN)
			st->count = AUTO_MIN;
		tvp_note(run, "--count 0: %zu spawns per worker", st->count);
	}
	st->touch = (size_t)touch_mib << 20;
	nsamples = (size_t)tvp_workers(run) * st->count;
	if (tvp_check_memory("spawn: --touch", st->touch) != 0 ||
	    tvp_check_memory("spawn: -j x --count timings (4 bytes each)",
	    nsamples * sizeof(uint32_t)) != 0)
		return TVP_EXIT_USAGE;
	if (st->touch > 0) {
		/*
		 * Say which page size, whatever the system default: with
		 * huge pages fork copies one entry per 2 MiB, not per 4 KiB.
		 */
		if (tvp_pages_map(&st->mem, st->touch, huge) != 0) {
			warn("spawn: cannot map %lld MiB for --touch",
			    touch_mib);
			return TVP_EXIT_FAIL;
		}
		if (st->mem.advice_errno != 0)
			tvp_note(run, "madvise(%s) failed: %s",
			    huge ? "MADV_HUGEPAGE" : "MADV_NOHUGEPAGE",
			    strerror(st->mem.advice_errno));
		/* Written, not just mapped: untouched pages have no entries. */
		for (size_t off = 0; off < st->touch; off += page)
			st->mem.p[off] = 1;
	}
	st->slots = tvp_shared(run, (size_t)tvp_workers(run) *
	    sizeof(struct spawn_slot) + nsamples * sizeof(uint32_t));
	if (st->slots == NULL)
		return TVP_EXIT_FAIL;
	st->samples = (uint32_t *)(void *)(st->slots + tvp_workers(run));
	return 0;
}

/* The whole life of a spawned thread: prove it ran. */
static void *
spawned_thread(void *arg)
{
	atomic_fetch_add_explicit((_Atomic uint64_t *)arg, 1,
	    memory_order_relaxed);
	return NULL;
}

static int
spawn_thread(struct tvp_run *run, unsigned worker, struct spawn_slot *slot)
{
	pthread_t tid;
	int rc;

	if ((rc = pthread_create(&tid, NULL, spawned_thread,
	    &slot->ran)) != 0)
		return tvp_worker_error(run, worker, "pthread_create: %s",
		    strerror(rc));
	if ((rc = pthread_join(tid, NULL)) != 0)
		return tvp_worker_error(run, worker, "pthread_join: %s",
		    strerror(rc));
	return 0;
}

/*
 * fork + waitpid on that very pid: SIGCHLD is blocked in tvp, which a
 * waitpid for a given child does not need, and wait(-1) could take a
 * child that is not ours to reap.
 */
static int
spawn_process(struct tvp_run *run, unsigned worker, struct spawn_slot *slot)
{
	pid_t pid = fork(), got;
	int status;

	if (pid < 0)
		return tvp_worker_error(run, worker, "fork: %s",
		    strerror(errno));
	if (pid == 0) {
		atomic_fetch_add_explicit(&slot->ran, 1,
		    memory_order_relaxed);
		/* Never return: this is a copy of the worker. */
		_exit(0);
	}
	while ((got = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
		;
	if (got < 0)
		return tvp_worker_error(run, worker, "waitpid %ld: %s",
		    (long)pid, strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return tvp_worker_error(run, worker, "spawned child %ld ended "
		    "with wait status %#x", (long)pid, (unsigned)status);
	return 0;
}

static int
spawn_work(struct tvp_run *run, unsigned worker)
{
	struct spawn_state *st = tvp_state(run);
	struct spawn_slot *slot = &st->slots[worker];
	uint32_t *samples = st->samples + (size_t)worker * st->count;
	bool processes = tvp_mode_is_processes();

	for (size_t i = 0; i < st->count; i++) {
		uint64_t t0 = tvp_now_ns(), dt;
		int rc = processes ? spawn_process(run, worker, slot) :
		    spawn_thread(run, worker, slot);

		if (rc != 0)
			return rc;
		dt = tvp_now_ns() - t0;
		samples[i] = dt > UINT32_MAX ? UINT32_MAX : (uint32_t)dt;
		if (i == st->count / 2)
			tvp_fault_point(run, worker);
	}
	tvp_worker_count(run, worker, st->count, 0);
	return 0;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* The q-quantile (0..1) of n sorted values, nearest rank. */
static double
quantile_us(const uint32_t *sorted, size_t n, double q)
{
	return sorted[(size_t)(q * (double)(n - 1) + 0.5)] / 1e3;
}

static int
spawn_finish(struct tvp_run *run)
{
	struct spawn_state *st = tvp_state(run);
	size_t n = (size_t)tvp_workers(run) * st->count;
	uint64_t total = 0;
	double sum = 0;
	uint32_t *sorted;

	for (unsigned w = 0; w < tvp_workers(run); w++)
		total += atomic_load(&st->slots[w].ran);
	tvp_result(run, "spawned=%llu",
	    (unsigned long long)total);
	if ((sorted = calloc(n ? n : 1, sizeof(*sorted))) == NULL) {
		warn("spawn: cannot sort %zu timings", n);
		return TVP_EXIT_FAIL;
	}
	memcpy(sorted, st->samples, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_u32);
	for (size_t i = 0; i < n; i++)
		sum += sorted[i];
	tvp_metric(run, "us_per_spawn_median", "us",
	    quantile_us(sorted, n, 0.5), TVP_LOWER_IS_BETTER);
	tvp_metric(run, "us_per_spawn_p10", "us", quantile_us(sorted, n, 0.1),
	    TVP_LOWER_IS_BETTER);
	tvp_metric(run, "us_per_spawn_p90", "us", quantile_us(sorted, n, 0.9),
	    TVP_LOWER_IS_BETTER);
	tvp_metric(run, "us_per_spawn_mean", "us", sum / (double)n / 1e3,
	    TVP_LOWER_IS_BETTER);
	tvp_metric(run, "us_per_spawn_max", "us", sorted[n - 1] / 1e3,
	    TVP_LOWER_IS_BETTER);
	tvp_note(run, "us_per_spawn: %s, %zu MiB touched, over %zu spawns",
	    tvp_mode_is_processes() ? "fork+waitpid" :
	    "pthread_create+pthread_join", st->touch >> 20, n);
	free(sorted);
	return 0;
}

/* Every spawned thread or child ran, once: count per worker, and in all. */
static enum tvp_verdict
spawn_verify(struct tvp_run *run)
{
	struct spawn_state *st = tvp_state(run);
	char want[TVP_RESULT_MAX];

	for (unsigned w = 0; w < tvp_workers(run); w++) {
		uint64_t ran = atomic_load(&st->slots[w].ran);

		if (ran != st->count) {
			tvp_note(run, "worker %u: %llu of its %zu spawns ran",
			    w, (unsigned long long)ran, st->count);
			return TVP_VERDICT_FAILED;
		}
	}
	snprintf(want, sizeof(want), "spawned=%llu",
	    (unsigned long long)tvp_workers(run) * st->count);
	if (strcmp(want, tvp_result_text(run)) != 0) {
		tvp_note(run, "result %s, expected %s", tvp_result_text(run),
		    want);
		return TVP_VERDICT_FAILED;
	}
	return TVP_VERDICT_VERIFIED;
}

static void
spawn_teardown(struct tvp_run *run)
{
	struct spawn_state *st = tvp_state(run);

	tvp_pages_unmap(&st->mem);
}

const struct tvp_workload tvp_wl_spawn = {
	.name = "spawn",
	.kind = "spawn",
	.summary = "start and wait for an empty thread "
	    "(create+join) or child (fork+waitpid)",
	.opts = spawn_opts,
	.quick = "--count 200",
	.state_size = sizeof(struct spawn_state),
	.setup = spawn_setup,
	.work = spawn_work,
	.finish = spawn_finish,
	.verify = spawn_verify,
	.teardown = spawn_teardown,
};
