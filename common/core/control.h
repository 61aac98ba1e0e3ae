/*
 * The control block: the part of the shared region that the framework
 * itself uses.  It lives in memory every worker sees (ordinary memory for
 * threads, a POSIX shm mapping for processes), so one layout serves both.
 */
#ifndef TVP_CONTROL_H
#define TVP_CONTROL_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/footprint.h"
#include "core/run.h"

/*
 * One per worker, on its own cache lines so that workers stamping their
 * own slots never contend (will-it-scale keeps one 256-byte slot per task
 * for the same reason).  `current` and `redo` belong to faults.c.
 */
struct tvp_slot {
	alignas(TVP_CACHE_LINE) uint64_t t_arrive; /* CLOCK_MONOTONIC ns: worker exists */
	uint64_t t_begin;               /* passed the start gate */
	uint64_t t_end;                 /* finished its work */
	uint64_t items, bytes;          /* processed by this worker */
	_Atomic int64_t current;        /* item claimed, not finished; -1 none */
	int64_t redo;                   /* a replacement's first item; -1 none */
	int status;                     /* what the worker body returned */
	char error[200];                /* why it failed, if it did */
	long minflt_begin;              /* its minor faults at the gate */
	long work_minflt;               /* ... taken from the gate to its end */
	struct tvp_mem mem;             /* processes: its own, at the end */
};

/* The start gate's states (worker.c). */
enum { TVP_GATE_CLOSED, TVP_GATE_OPEN, TVP_GATE_ABORTED };

struct tvp_control {
	_Atomic uint64_t next_item;  /* the claim counter */
	/*
	 * The start gate: a futex word, TVP_GATE_*.  On a line of its own:
	 * waiting workers read it while the claim counter is not yet used.
	 */
	alignas(TVP_CACHE_LINE) _Atomic uint32_t gate;
	_Atomic int fault_fired;     /* the injected fault has struck */
	/* The memory snapshot's meeting points (memory.c). */
	_Atomic uint32_t finished, sampled;
	struct tvp_mem mem;          /* threads: the process; else the parent */
	unsigned nworkers;
	size_t nitems;
	/*
	 * One flag per item of the default work loop, set when the item is
	 * finished: what proves, after deaths and replacements, that every
	 * item was done (and counts each once).  After the slots.
	 */
	_Atomic unsigned char *done;
	size_t size;                 /* of the whole mapping */
	struct tvp_slot slot[];
};

/* What a runner measures around the workers. */
struct tvp_phases {
	uint64_t t0;        /* before the first worker was started */
	uint64_t t_gate;    /* all started; the gate opened */
	uint64_t t_reaped;  /* the last worker joined or reaped */
	unsigned died;      /* workers that died and were replaced (--recover) */
	uint64_t redone;    /* items their replacements redid */
	uint64_t t_first_death; /* when the first death was seen; 0 none */
	/*
	 * Usage of workers that are neither this process nor its children
	 * (MPI ranks other than 0), summed over the run: added to the
	 * record's own.  0 in threads and processes.
	 */
	double others_user_s, others_sys_s;
	long others_minflt, others_majflt, others_nvcsw, others_nivcsw;
};

/* Map the control block for n workers and items; make the start gate. */
struct tvp_control *tvp_control_create(unsigned nworkers, size_t nitems);

/* How many items the default work loop finished. */
size_t tvp_items_done(const struct tvp_control *ctl);
void tvp_control_destroy(struct tvp_control *ctl);

/*
 * A worker's whole life: say it exists, wait at the gate, run the
 * workload's body, stamp the end.  Returns the body's status (0 fine), or 0
 * without working if the gate was aborted.
 */
int tvp_worker_main(struct tvp_run *run, unsigned worker);

/*
 * Release every waiting worker at once (open) or send them home without
 * working (abort).  One store and at most one wake-up call, whatever the
 * number of workers.
 */
void tvp_gate_open(struct tvp_control *ctl);
void tvp_gate_abort(struct tvp_control *ctl);

/*
 * Which of workers 0 .. n-1 are `still` something (running, when a run is
 * stopped), for a one-line message: "worker 2" or "workers 0-3, 5, 9-11",
 * cut short with ", ..." where len would not hold more (thousands of
 * workers, one line).  Returns how many are.
 */
unsigned tvp_workers_describe(char *buf, size_t len, unsigned n,
    bool (*still)(const void *ctx, unsigned w), const void *ctx);

#endif
