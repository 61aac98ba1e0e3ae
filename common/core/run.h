/*
 * The instance of a workload: struct tvp_run, which workloads reach only
 * through workload_api.h.  The framework's own fields are here, where the
 * core and the runners see them.
 */
#ifndef TVP_RUN_H
#define TVP_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/faults.h"
#include "core/options.h"
#include "workload.h"
#include "workload_api.h"

#define TVP_NOTE_MAX 512

struct tvp_control;

/* A metric as a workload reported it (tvp_metric). */
struct tvp_metric_value {
	char name[40];
	char unit[16];
	double value;
	enum tvp_better better;
};

/* A region from tvp_shared(), unmapped by the framework after teardown. */
struct tvp_region {
	void *p;
	size_t size;
};

struct tvp_run {
	const struct tvp_workload *wl;
	struct tvp_optval *opts;   /* one per wl->opts entry, same order */
	char *strings;             /* the string values, owned by the run */
	unsigned nworkers;
	struct tvp_fault fault;
	double timeout_s;          /* 0: no limit */
	bool name_workers;         /* processes: setproctitle per worker */
	bool no_footprint;         /* --no-footprint: no memory snapshot */

	void *state;               /* wl->state_size bytes, zeroed */
	size_t nitems;             /* items the item loop hands out */
	size_t item_result_size;   /* bytes each item leaves */
	unsigned char *item_results; /* shared: nitems * item_result_size */
	struct tvp_control *ctl;   /* shared: claim counter, per-worker slots */
	struct tvp_region *regions; /* every tvp_shared() of the run */
	size_t nregions;

	/*
	 * Hooks of a runner whose workers share no memory (mpi/runner.c
	 * installs them in tvp_runner_prepare); NULL in threads and
	 * processes, where the claim counter is an atomic in the control
	 * block and workers have no messages.
	 */
	uint64_t (*claim)(struct tvp_run *run);
	int (*send)(struct tvp_run *run, unsigned to, const void *buf,
	    size_t len);
	int (*recv)(struct tvp_run *run, unsigned from, void *buf, size_t len);
	char runner_library[128];  /* the record's mpi_library; "" none */
	unsigned nodes;            /* the record's nodes; 0: not counted */

	char result[TVP_RESULT_MAX];
	char note[TVP_NOTE_MAX];
	struct tvp_metric_value metrics[TVP_METRICS_MAX];
	size_t nmetrics;
};

/*
 * Set a run up for workload wl: option values from its defaults, then its
 * quick sizes if `quick` (which do not count as given), then argv[0..argc)
 * ("--name value" words).  The one place option values are built from
 * words: the command line and the tests both come here.  0, or
 * TVP_EXIT_USAGE after one line naming the bad option (nothing to free).
 */
int tvp_run_init(struct tvp_run *run, const struct tvp_workload *wl,
    bool quick, int argc, char **argv);
/* Free what tvp_run_init allocated. */
void tvp_run_free(struct tvp_run *run);

/*
 * After teardown: unmap every tvp_shared() region, free the state.  The
 * run may be executed again.
 */
void tvp_run_release(struct tvp_run *run);

/*
 * Is wl complete (a name, a kind, a summary, exactly one of item and
 * work, verify where the default cannot serve)?  NULL, or what is missing.
 */
const char *tvp_workload_defect(const struct tvp_workload *wl);

#endif
