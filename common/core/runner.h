/*
 * What a runner provides.  threads/runner.c and processes/runner.c each
 * define all of it (and tvp_mode_is_processes of workload_api.h);
 * bin/tvp-threads and bin/tvp-processes differ only in which one they
 * link.
 */
#ifndef TVP_RUNNER_H
#define TVP_RUNNER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/control.h"

/* "threads" or "processes": the record's mode field. */
extern const char tvp_mode[];

/*
 * Zeroed memory that every worker sees and writes.  For processes this is
 * a POSIX shm object, unlinked as soon as it is mapped.  NULL after a
 * warning if it cannot be had.  Workloads ask through tvp_shared().
 */
void *tvp_shared_map(size_t size);
void tvp_shared_unmap(void *p, size_t size);

/*
 * Zeroed anonymous private memory (core/private_map.c): what threads
 * and MPI ranks answer tvp_shared_map with.  NULL after a warning.
 */
void *tvp_private_map(size_t size);
void tvp_private_unmap(void *p, size_t size);

/*
 * End the calling worker (number `worker`) with `status` the way its
 * mode ends a worker:
 * _exit for a child process; for a thread, exit(), which ends the whole
 * program -- there is no ending one thread "with a status" from inside
 * without its caller's cooperation, which is the point of the lesson.
 */
_Noreturn void tvp_worker_exit(unsigned worker, int status);

/*
 * Before setup: 0 if this runner can run `run` (its workload, options and
 * run options), after installing its hooks in it (run.h: claim, send,
 * recv); else TVP_EXIT_USAGE after one line saying why.  Threads and
 * processes take every run and install nothing.
 */
int tvp_runner_prepare(struct tvp_run *run);

/*
 * Start run->nworkers workers on tvp_worker_main, open the gate once all
 * exist, wait for every one.  Called by tvp_execute with SIGINT, SIGTERM
 * and SIGCHLD blocked (signals.h), which every worker thread inherits.
 * Fills ph.  Returns 0, TVP_EXIT_FAIL after saying which worker failed
 * and how, or 128 + a signal that interrupted the run; no worker is left
 * running either way.
 */
int tvp_runner_run(struct tvp_run *run, struct tvp_phases *ph);

#endif
