#include <sys/resource.h>

#include <err.h>
#include <string.h>

#include "clock.h"
#include "control.h"
#include "execute.h"
#include "runner.h"
#include "signals.h"

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
	/* Peak RSS cannot be taken as a difference: the largest process. */
	rec->maxrss_kb = after[0].ru_maxrss > after[1].ru_maxrss ?
	    after[0].ru_maxrss : after[1].ru_maxrss;
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

int
tvp_execute(struct tvp_run *run, struct tvp_record *rec)
{
	struct rusage before[2], after[2];
	struct tvp_phases ph = { 0 };
	sigset_t oldmask;
	size_t done;
	int rc;

	memset(rec, 0, sizeof(*rec));
	run->result[0] = run->note[0] = '\0';
	rec->mode = tvp_mode;
	rec->workload = run->wl->name;
	rec->workers = run->nworkers;
	tvp_opts_describe(run->opts, tvp_opts_count(run->wl->opts),
	    rec->options, sizeof(rec->options));
	tvp_env_collect(&rec->env);

	/*
	 * Ctrl-C is held while there is something to clean up after it: the
	 * setup (a dataset half-written polls for it) and the workers (the
	 * runner waits for it).  After them nothing is left to clean, so a
	 * signal during verify or teardown may end the program at once.
	 */
	tvp_signals_block(&oldmask);
	rc = run->wl->setup(run);
	if (rc == 0 && (run->ctl = tvp_control_create(run->nworkers,
	    run->wl->item != NULL ? run->nitems : 0)) == NULL)
		rc = TVP_EXIT_FAIL;
	if (rc == 0) {
		sample_usage(before);
		rc = tvp_runner_run(run, &ph);
		sample_usage(after);
	}
	tvp_signals_restore(&oldmask);
	if (rc == 0 && run->wl->item != NULL &&
	    (done = tvp_items_done(run->ctl)) != run->nitems) {
		/* Never a silent gap: a worker died holding items unredone. */
		warnx("%zu of %zu items were never finished", run->nitems - done,
		    run->nitems);
		rc = TVP_EXIT_FAIL;
	}
	if (rc == 0) {
		usage_delta(rec, before, after);
		fill_phases(rec, run->ctl, &ph);
		/* Each item once, even if a death made one be done twice. */
		if (run->wl->item != NULL)
			rec->items = run->nitems;
		rec->rss_sum_kb = ph.rss_sum_kb ? ph.rss_sum_kb :
		    rec->maxrss_kb;
		rec->died = ph.died;
		rec->redone = ph.redone;
		if (ph.t_first_death != 0)
			rec->recover_s = seconds(ph.t_reaped -
			    ph.t_first_death);
		rc = run->wl->finish(run);
	}
	if (rc == 0) {
		enum tvp_verdict v = run->wl->verify(run);

		rec->verified = v == TVP_VERIFIED;
		rec->race = v == TVP_VERIFY_RACE;
		strlcpy(rec->result, run->result, sizeof(rec->result));
		strlcpy(rec->note, run->note, sizeof(rec->note));
	}
	run->wl->teardown(run);
	tvp_control_destroy(run->ctl);
	run->ctl = NULL;
	return rc;
}
