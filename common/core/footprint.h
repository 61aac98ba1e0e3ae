/*
 * What a run costs in memory, summed over every process of the run, taken
 * at one moment: when the last worker has finished its work, before any
 * is joined or reaped.
 *
 * Peak RSS summed over processes misleads: a page shared copy-on-write by
 * nine processes is counted nine times.  PSS (proportional set size)
 * charges each process 1/k of a page k processes map, so PSS sums to the
 * memory the run really holds; USS (private clean + private dirty) is
 * what each process alone holds, what its exit would free; page tables
 * (VmPTE) are not in either, and each process has its own.
 *
 * How each mode is sampled, so the sums compare:
 *   threads    one process: the last worker to finish reads
 *              /proc/self/smaps_rollup and /proc/self/status once.
 *   processes  every child, once all children have finished, reads its
 *              own; the last of them reads the parent's; only then do
 *              they exit.  (A child that exited early would raise the
 *              share of every page it shared in those sampled after it.)
 */
#ifndef TVP_FOOTPRINT_H
#define TVP_FOOTPRINT_H

#include <sys/types.h>

#include <stdbool.h>

struct tvp_run;
struct tvp_slot;

/* One process's figures, in KiB. */
struct tvp_mem {
	long pss_kb;   /* smaps_rollup Pss */
	long uss_kb;   /* smaps_rollup Private_Clean + Private_Dirty */
	long pte_kb;   /* status VmPTE */
	long hwm_kb;   /* status VmHWM: peak RSS of this address space */
	bool taken;    /* false: /proc could not be read */
};

/* Sample process pid (0: this one).  0, or -1 (m->taken false). */
int tvp_mem_sample(pid_t pid, struct tvp_mem *m);

/* This process's VmHWM in KiB (reset by exec, unlike ru_maxrss), or 0. */
long tvp_mem_hwm_kb(void);

/* In a worker, as it passes the start gate: where its fault count starts. */
void tvp_mem_work_begin(struct tvp_slot *slot);

/*
 * In a worker whose work succeeded, right after its end stamp: count its
 * minor faults since the gate and take its part of the snapshot above.
 * For processes this waits for the other workers (see above); a worker
 * that failed does not come here, and the parent stops or replaces it.
 * With sample false (--no-footprint) only the faults are counted: no
 * /proc is read and no worker waits for another.
 */
void tvp_mem_finish_line(struct tvp_run *run, unsigned worker, bool sample);

#endif
