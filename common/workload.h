/*
 * The workload interface: what a workload is.  With workload_api.h (what
 * a workload may call) it is all a workload file includes; the framework
 * behind it (common/core/) stays out of sight.
 *
 * A workload is data plus a few functions, in one constant struct.  This is
 * C's answer to Python's "subclass threading.Thread and override run()": the
 * struct is the class, `item` (or `work`) is run(), and struct tvp_run is the
 * instance.  Neither runner knows any workload; both call only through this
 * struct, which is why the same workload runs as threads and as processes
 * without a line of difference.
 *
 * Life of a run (common/core/execute.c):
 *   (state)   the framework allocates state_size zeroed bytes (tvp_state)
 *   setup     in the parent, before any worker exists: build inputs, ask
 *             for the memory workers write (tvp_shared), say how many
 *             items there are (tvp_set_items)
 *   item      in N workers at once, for every item, each once: the
 *             framework's loop claims item indices from one shared atomic
 *             counter, hands the item a private result buffer and copies
 *             it to the item's slot in shared memory afterwards (so
 *             workers on neighbouring items never write one cache line)
 *   work      instead of item, for a workload that is not a list of items:
 *             one worker's whole body
 *   finish    in the parent once every worker ended: merge the per-item
 *             results, in item order, into the result (tvp_result)
 *   verify    in the parent: check the result against an independent
 *             reference
 *   teardown  always, also after a failure: release what setup took that
 *             the framework does not own
 *   (release) the framework unmaps every tvp_shared region and frees the
 *             state
 *
 * Required: name, kind, summary, and item or work (not both).  Optional
 * (NULL): opts (no options), quick, setup, finish, verify, teardown, with
 * the defaults described at each.
 */
#ifndef TVP_WORKLOAD_H
#define TVP_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exit.h"

struct tvp_run; /* the instance: opaque, reached through workload_api.h */

/* ---- options ---------------------------------------------------------- */

enum tvp_opttype {
	TVP_OPT_NUM,    /* integer in [min, max] */
	TVP_OPT_SIZE,   /* integer in [min, max], K/M/G suffix (powers of 1024) */
	TVP_OPT_CHOICE, /* one of the '|'-separated words in `choices` */
	TVP_OPT_STR,    /* any string; the workload checks it in setup */
};

/* One option; a table of them ends with an entry whose name is NULL. */
struct tvp_optdef {
	const char *name;  /* without the leading "--" */
	enum tvp_opttype type;
	const char *defval; /* as typed on the command line; "" for none */
	long long min, max;
	const char *choices;
	const char *help;
};

/* ---- what verify says ------------------------------------------------- */

enum tvp_verdict {
	TVP_VERDICT_FAILED = 0,   /* the result is wrong: exit 1 */
	TVP_VERDICT_VERIFIED,     /* matches the independent reference */
	/*
	 * The result is wrong and that is the lesson (a race shown on
	 * purpose, counter --sync none): the program still exits 0.
	 */
	TVP_VERDICT_RACE,
};

/* ---- the workload ----------------------------------------------------- */

struct tvp_workload {
	const char *name;
	const char *kind;          /* cpu, io, sync, ... */
	const char *summary;       /* one line for --list */
	const struct tvp_optdef *opts; /* NULL: no options */
	const char *quick;         /* options for a short run (--quick) */
	size_t state_size;         /* bytes of tvp_state(), zeroed; 0: none */

	/* 0, or TVP_EXIT_USAGE / TVP_EXIT_FAIL after saying why (warnx). */
	int (*setup)(struct tvp_run *run);
	/*
	 * One item's kernel.  Runs in a worker: no err(3), no exit; report
	 * trouble with tvp_worker_error() and return non-zero.  `result` is
	 * this worker's private buffer of the size given to tvp_set_items
	 * (NULL if 0), copied to the item's shared slot when item returns;
	 * *bytes receives the bytes this item processed.
	 */
	int (*item)(struct tvp_run *run, size_t item, unsigned worker,
	    void *result, uint64_t *bytes);
	/* A whole worker body, for workloads that are not a list of items. */
	int (*work)(struct tvp_run *run, unsigned worker);
	/*
	 * 0, or TVP_EXIT_FAIL after saying why.  NULL: the result is the
	 * XXH3-64 of the item results in item order, or "items=N".
	 */
	int (*finish)(struct tvp_run *run);
	/*
	 * NULL: a sample of items is recomputed serially by `item` in the
	 * parent and compared with the workers' results (the same kernel,
	 * not an independent reference: the note says so).
	 */
	enum tvp_verdict (*verify)(struct tvp_run *run);
	void (*teardown)(struct tvp_run *run);
};

#endif
