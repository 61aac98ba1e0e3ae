#define _GNU_SOURCE /* sigabbrev_np */
#include <sys/resource.h>

#include <err.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "core/control.h"
#include "core/execute.h"
#include "core/footprint.h"
#include "core/runner.h"
#include "core/signals.h"
#include "lib/clock.h"

/* How many items the default verify recomputes. */
#define DEFAULT_VERIFY_SAMPLE 8

static double
seconds(uint64_t ns)
{
	return (double)ns / 1e9;
}

static double
tv_seconds(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/* after - before, over RUSAGE_SELF and RUSAGE_CHILDREN together. */
static void
usage_delta(struct tvp_record *rec, const struct rusage before[2],
    const struct rusage after[2])
{
	for (int i = 0; i < 2; i++) {
		rec->user_s += tv_seconds(after[i].ru_utime) -
		    tv_seconds(before[i].ru_utime);
		rec->sys_s += tv_seconds(after[i].ru_stime) -
		    tv_seconds(before[i].ru_stime);
		rec->minflt += after[i].ru_minflt - before[i].ru_minflt;
		rec->majflt += after[i].ru_majflt - before[i].ru_majflt;
		rec->nvcsw += after[i].ru_nvcsw - before[i].ru_nvcsw;
		rec->nivcsw += after[i].ru_nivcsw - before[i].ru_nivcsw;
	}
}

/*
 * Memory: the snapshot footprint.h describes, summed over the run's
 * processes, and peak RSS.  Peaks are VmHWM, not ru_maxrss: RUSAGE_SELF's
 * carries over exec, so a small run started by a big process (a Python
 * driver holding 500 MB) would report the driver's peak as its own.
 */
static void
fill_memory(struct tvp_record *rec, const struct tvp_run *run,
    bool processes)
{
	const struct tvp_control *ctl = run->ctl;
	struct tvp_mem late;
	const struct tvp_mem *parent = &ctl->mem;
	long hwm = tvp_mem_hwm_kb();

	rec->work_minflt = (long)tvp_work_minflt(run);
	/*
	 * --no-footprint: what was not sampled is empty in the record, not
	 * 0; threads are one process, whose peak is known anyway.
	 */
	if (run->no_footprint) {
		rec->pss_kb = rec->uss_kb = rec->pte_kb = -1;
		rec->maxrss_kb = rec->rss_sum_kb = processes ? -1 : hwm;
		return;
	}
	/* Not taken at the finish line (no /proc): now is the best left. */
	if (!parent->taken && tvp_mem_sample(0, &late) == 0)
		parent = &late;
	rec->maxrss_kb = rec->rss_sum_kb = hwm;
	rec->pss_kb = parent->pss_kb;
	rec->uss_kb = parent->uss_kb;
	rec->pte_kb = parent->pte_kb;
	for (unsigned w = 0; w < ctl->nworkers; w++) {
		const struct tvp_slot *s = &ctl->slot[w];

		if (!processes || !s->mem.taken)
			continue;
		rec->pss_kb += s->mem.pss_kb;
		rec->uss_kb += s->mem.uss_kb;
		rec->pte_kb += s->mem.pte_kb;
		rec->rss_sum_kb += s->mem.hwm_kb;
		if (s->mem.hwm_kb > rec->maxrss_kb)
			rec->maxrss_kb = s->mem.hwm_kb;
	}
}

/*
 * How many mappings this process has (lines of /proc/self/maps), or -1:
 * fork copies each one, so its cost grows with them, and a figure for a
 * process's start says how many there were.
 */
static long
count_mappings(void)
{
	FILE *fp = fopen("/proc/self/maps", "r");
	long n = 0;
	int c;

	if (fp == NULL)
		return -1;
	while ((c = getc(fp)) != EOF)
		n += c == '\n';
	fclose(fp);
	return n;
}

static void
sample_usage(struct rusage ru[2])
{
	getrusage(RUSAGE_SELF, &ru[0]);
	getrusage(RUSAGE_CHILDREN, &ru[1]);
}

/* The phases, from the runner's stamps and each worker's own. */
static void
fill_phases(struct tvp_record *rec, const struct tvp_control *ctl,
    const struct tvp_phases *ph)
{
	uint64_t last_end = ph->t_gate;

	for (unsigned w = 0; w < ctl->nworkers; w++) {
		const struct tvp_slot *s = &ctl->slot[w];

		if (s->t_end > last_end)
			last_end = s->t_end;
		rec->items += s->items;
		rec->bytes += s->bytes;
	}
	rec->wall_s = seconds(ph->t_reaped - ph->t0);
	rec->start_s = seconds(ph->t_gate - ph->t0);
	rec->work_s = seconds(last_end - ph->t_gate);
	rec->reap_s = seconds(ph->t_reaped - last_end);
}

/*
 * The default finish: the XXH3-64 of every item's result in item order,
 * or, for a workload whose items leave none, how many items were done.
 */
static int
default_finish(struct tvp_run *run, const struct tvp_record *rec)
{
	if (run->item_result_size == 0) {
		tvp_result(run, "items=%llu", (unsigned long long)rec->items);
		return 0;
	}
	tvp_result(run, "%016llx", (unsigned long long)XXH3_64bits(
	    run->item_results, run->nitems * run->item_result_size));
	return 0;
}

/*
 * The default verify: recompute a sample of items serially, in this
 * process, with the workload's own kernel, and compare.  It catches what
 * running in parallel and across processes can break (a result lost
 * between address spaces, two workers' results mixed up), not a wrong
 * kernel: the note says so.
 */
static enum tvp_verdict
default_verify(struct tvp_run *run)
{
	size_t n = run->nitems, rsize = run->item_result_size;
	size_t samples = n < DEFAULT_VERIFY_SAMPLE ? n : DEFAULT_VERIFY_SAMPLE;
	unsigned char again[TVP_ITEM_RESULT_MAX] = { 0 };
	const unsigned char *got = run->item_results;

	/* cppcheck-suppress knownConditionTrueFalse ; n is not known here */
	for (size_t k = 0; k < samples; k++) {
		size_t item = tvp_sample_item(k, samples, n);
		uint64_t bytes = 0;

		if (run->wl->item(run, item, 0, rsize ? again : NULL,
		    &bytes) != 0) {
			tvp_note(run, "item %zu failed when recomputed: %s",
			    item, run->ctl->slot[0].error);
			return TVP_VERDICT_FAILED;
		}
		if (rsize != 0 && memcmp(again, got + item * rsize,
		    rsize) != 0) {
			tvp_note(run, "item %zu differs when recomputed "
			    "serially", item);
			return TVP_VERDICT_FAILED;
		}
	}
	tvp_note(run, "verified by recomputing %zu sampled items serially "
	    "with the same kernel (no independent reference)", samples);
	return TVP_VERDICT_VERIFIED;
}

/* Ask for the item results' shared slots, once setup said their size. */
static int
map_item_results(struct tvp_run *run)
{
	size_t size;

	if (run->item_result_size == 0 || run->nitems == 0)
		return 0;
	if (run->nitems > SIZE_MAX / run->item_result_size) {
		warnx("%s: %zu items of %zu bytes overflow", run->wl->name,
		    run->nitems, run->item_result_size);
		return TVP_EXIT_USAGE;
	}
	size = run->nitems * run->item_result_size;
	if (tvp_check_memory("the item results", size) != 0)
		return TVP_EXIT_USAGE;
	if ((run->item_results = tvp_shared(run, size)) == NULL)
		return TVP_EXIT_FAIL;
	return 0;
}

/*
 * A SIGINT or SIGTERM that came while held: take it, say where, and make
 * it the run's status (over a failure it may have caused, as a worker
 * killed by the same Ctrl-C).  rc, or 128 + the signal.
 */
static int
interrupted(int rc, const char *when)
{
	int sig;

	if (rc > TVP_EXIT_USAGE || (sig = tvp_signal_take()) == 0)
		return rc;
	warnx("interrupted by SIG%s %s", sigabbrev_np(sig), when);
	return TVP_EXIT_SIGNAL(sig);
}

/* The run's own measurements into the record, once every worker ended. */
static void
fill_record(struct tvp_record *rec, const struct tvp_run *run,
    const struct tvp_phases *ph, const struct rusage before[2],
    const struct rusage after[2])
{
	usage_delta(rec, before, after);
	rec->user_s += ph->others_user_s;
	rec->sys_s += ph->others_sys_s;
	rec->minflt += ph->others_minflt;
	rec->majflt += ph->others_majflt;
	rec->nvcsw += ph->others_nvcsw;
	rec->nivcsw += ph->others_nivcsw;
	fill_phases(rec, run->ctl, ph);
	/* Each item once, even if a death made one be done twice. */
	if (run->wl->item != NULL)
		rec->items = run->nitems;
	fill_memory(rec, run, tvp_mode_is_processes());
	rec->died = ph->died;
	rec->redone = ph->redone;
	if (ph->t_first_death != 0)
		rec->recover_s = seconds(ph->t_reaped - ph->t_first_death);
}

int
tvp_execute(struct tvp_run *run, struct tvp_record *rec)
{
	const struct tvp_workload *wl = run->wl;
	struct rusage before[2], after[2];
	struct tvp_phases ph = { 0 };
	const char *defect = tvp_workload_defect(wl);
	sigset_t oldmask;
	size_t done;
	int rc = 0;

	if (defect != NULL) {
		warnx("internal error: workload %s: %s", wl->name ? wl->name :
		    "(unnamed)", defect);
		return TVP_EXIT_FAIL;
	}
	memset(rec, 0, sizeof(*rec));
	if ((rc = tvp_runner_prepare(run)) != 0)
		return rc;
	run->result[0] = run->note[0] = '\0';
	run->nmetrics = 0;
	run->nitems = run->item_result_size = 0;
	rec->mode = tvp_mode;
	rec->workload = wl->name;
	rec->workers = run->nworkers;
	tvp_opts_describe(run->opts, tvp_opts_count(wl->opts), rec->options,
	    sizeof(rec->options));
	tvp_env_collect(&rec->env);
	strlcpy(rec->env.mpi_library, run->runner_library,
	    sizeof(rec->env.mpi_library));
	if (run->nodes > 0)
		snprintf(rec->env.nodes, sizeof(rec->env.nodes), "%u",
		    run->nodes);
	if ((run->state = calloc(1, wl->state_size ? wl->state_size : 1)) ==
	    NULL)
		err(TVP_EXIT_FAIL, "cannot allocate %s's state", wl->name);

	/*
	 * Ctrl-C is held while there is something to clean up after it: the
	 * setup (a dataset half-written takes it between files), the workers
	 * (the runner waits for it) and finish (a manifest half-written).
	 * One that came meanwhile is taken before the workers start and
	 * after finish.  Outside, nothing is left to clean: during verify or
	 * teardown the handler of tvp_signals_init ends the program at once.
	 */
	tvp_signals_init();
	tvp_signals_block(&oldmask);
	if (wl->setup != NULL)
		rc = wl->setup(run);
	if (rc == 0)
		rc = map_item_results(run);
	if (rc == 0 && (run->ctl = tvp_control_create(run->nworkers,
	    wl->item != NULL ? run->nitems : 0)) == NULL)
		rc = TVP_EXIT_FAIL;
	rc = interrupted(rc, "before the workers started");
	if (rc == 0) {
		rec->maps = count_mappings();
		sample_usage(before);
		rc = tvp_runner_run(run, &ph);
		sample_usage(after);
	}
	if (rc == 0 && wl->item != NULL &&
	    (done = tvp_items_done(run->ctl)) != run->nitems) {
		/* Never a silent gap: a worker died holding items unredone. */
		warnx("%zu of %zu items were never finished", run->nitems - done,
		    run->nitems);
		rc = TVP_EXIT_FAIL;
	}
	if (rc == 0) {
		fill_record(rec, run, &ph, before, after);
		rc = wl->finish != NULL ? wl->finish(run) :
		    default_finish(run, rec);
	}
	rc = interrupted(rc, "after the workers ended");
	tvp_signals_restore(&oldmask);
	if (rc == 0) {
		rec->verdict = wl->verify != NULL ? wl->verify(run) :
		    default_verify(run);
		strlcpy(rec->result, run->result, sizeof(rec->result));
		strlcpy(rec->note, run->note, sizeof(rec->note));
		memcpy(rec->metrics, run->metrics, sizeof(rec->metrics));
		rec->nmetrics = run->nmetrics;
	}
	if (wl->teardown != NULL)
		wl->teardown(run);
	tvp_control_destroy(run->ctl);
	run->ctl = NULL;
	tvp_run_release(run);
	return rc;
}
