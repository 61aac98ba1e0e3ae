/*
 * The workload interface: what every workload provides, and what the
 * framework hands it.
 *
 * A workload is data plus a few functions, in one constant struct.  This is
 * C's answer to Python's "subclass threading.Thread and override run()": the
 * struct is the class, `work` (or `item`) is run(), and struct tvp_run is the
 * instance data.  Neither runner knows any workload; both call only through
 * this struct, which is why the same workload runs as threads and as
 * processes without a line of difference.
 *
 * Life of a run (common/execute.c):
 *   setup     in the parent, before any worker exists: parse nothing (the
 *             options are already parsed), build inputs, map the shared
 *             memory that workers write (tvp_shared_map), set run->nitems
 *   work      in each of N workers at once: the default body claims item
 *             indices from one shared atomic counter and calls `item` for
 *             each; a workload with another shape provides `work` instead
 *   finish    in the parent after every worker ended: merge the per-item
 *             results, in item order, into run->result
 *   verify    in the parent: check the result against an independent
 *             reference; TVP_VERIFIED, TVP_NOT_VERIFIED (with run->note
 *             saying why), or TVP_VERIFY_RACE for a run whose wrong
 *             result is the point (counter --sync none)
 *   teardown  always, also after a failure: release what setup took
 */
#ifndef TVP_WORKLOAD_H
#define TVP_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "options.h"

struct tvp_control;

/* Exit statuses, as documented in the README. */
enum { TVP_EXIT_OK = 0, TVP_EXIT_FAIL = 1, TVP_EXIT_USAGE = 2 };

/* What verify returns. */
enum tvp_verdict {
	TVP_NOT_VERIFIED = 0,
	TVP_VERIFIED = 1,
	/*
	 * The result is wrong and that is the lesson (a race shown on
	 * purpose): the record says verified "no" with a note, and the
	 * program still exits 0.
	 */
	TVP_VERIFY_RACE = 2,
};

/* Fault injection (run options --fault KIND --fault-worker K --recover). */
enum tvp_fault_kind {
	TVP_FAULT_NONE,
	TVP_FAULT_CRASH,  /* SIGSEGV */
	TVP_FAULT_KILL,   /* SIGKILL */
	TVP_FAULT_EXIT,   /* exit status 1 */
	TVP_FAULT_HANG,   /* blocks forever; --timeout ends the run */
};

/* "crash", "kill", ... by kind, as --fault spells them (worker.c). */
extern const char *const tvp_fault_names[];

struct tvp_fault {
	enum tvp_fault_kind kind;
	unsigned worker;           /* which worker it strikes */
	bool recover;              /* processes: hand its items to a new one */
};

#define TVP_RESULT_MAX 160
#define TVP_NOTE_MAX 512

struct tvp_run {
	const struct tvp_workload *wl;
	struct tvp_optval *opts;   /* one per wl->opts entry, same order */
	unsigned nworkers;
	size_t nitems;             /* items the default work loop hands out */
	void *state;               /* the workload's own data, set by setup */
	struct tvp_control *ctl;   /* shared: claim counter, per-worker slots */
	struct tvp_fault fault;
	double timeout_s;          /* 0: no limit */
	char result[TVP_RESULT_MAX];
	char note[TVP_NOTE_MAX];   /* remarks for the record ("; "-separated) */
};

struct tvp_workload {
	const char *name;
	const char *kind;          /* cpu, io, sync, ... */
	const char *summary;       /* one line for --list */
	const struct tvp_optdef *opts; /* terminated by an entry with name NULL */
	const char *quick;         /* options for a short run (compare.sh --quick) */

	/* 0, or TVP_EXIT_USAGE / TVP_EXIT_FAIL after saying why (warnx). */
	int (*setup)(struct tvp_run *run);
	/*
	 * One item's kernel, for the default work loop.  Runs in a worker:
	 * no err(3), no exit; report trouble with tvp_worker_error() and
	 * return non-zero.  *bytes receives the bytes this item processed.
	 */
	int (*item)(struct tvp_run *run, size_t item, unsigned worker,
	    uint64_t *bytes);
	/* A whole worker body, for workloads that are not a list of items. */
	int (*work)(struct tvp_run *run, unsigned worker);
	int (*finish)(struct tvp_run *run);
	int (*verify)(struct tvp_run *run);
	void (*teardown)(struct tvp_run *run);
};

/* Append a remark to run->note. */
void tvp_note(struct tvp_run *run, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Called from a worker: record why it failed (the parent prints it with the
 * worker's number) and return -1 for the worker to return.
 */
int tvp_worker_error(struct tvp_run *run, unsigned worker, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

/*
 * Where an injected fault strikes.  The default work loop calls it once
 * the worker has done about half of its share of items; a workload with
 * its own `work` calls it once its worker is about half done.  Only the
 * chosen worker, once per run, is hit; for every other call it returns at
 * once.  (If a body never calls it, the framework does after the body.)
 */
void tvp_fault_point(struct tvp_run *run, unsigned worker);

/*
 * From the first worker's start (past the gate) to the last one's end:
 * the time all workers together took, for a "cost per unit" note.
 * 0 before the run.
 */
uint64_t tvp_work_span_ns(const struct tvp_run *run);

/* Add to a worker's item and byte counts (for workloads with own `work`). */
void tvp_worker_count(struct tvp_run *run, unsigned worker, uint64_t items,
    uint64_t bytes);

/*
 * The k-th of `samples` items spread evenly over n, first and last
 * included: which items a verify recomputes.
 */
size_t tvp_sample_item(size_t k, size_t samples, size_t n);

/* Lower-case hex of len bytes into out (2*len+1 bytes). */
void tvp_hex(char *out, const unsigned char *bytes, size_t len);

#endif
