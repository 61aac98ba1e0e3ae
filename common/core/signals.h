/*
 * How tvp waits for its workers, and for Ctrl-C, without races.
 *
 * SIGINT and SIGTERM (and the wake-up SIGCHLD) are blocked in
 * every thread of the program, so none of them can strike between a check
 * and a wait.  The parent picks them up where it chooses: the runners in
 * tvp_signal_wait(), long setup loops (dataset generation) by polling
 * tvp_signal_pending().  An interrupted run stops and reaps its workers,
 * cleans up, and the program exits 128 + the signal number, as a shell
 * reports a program killed by that signal.
 */
#ifndef TVP_SIGNALS_H
#define TVP_SIGNALS_H

#include <signal.h>
#include <stdint.h>

#include "exit.h"
#include "workload_api.h"

/*
 * A worker thread wakes the waiting parent thread with this.  SIGCHLD,
 * because its default action is to be ignored: one still pending when the
 * mask is restored after a run vanishes harmlessly.
 */
#define TVP_SIGNAL_DONE SIGCHLD

/*
 * Block the signals above in the calling thread (and the threads it
 * creates); the mask before goes to *old, if old is not NULL.
 */
void tvp_signals_block(sigset_t *old);
void tvp_signals_restore(const sigset_t *old);

/* In a new child process: tvp_child_signals_reset (workload_api.h). */

/* SIGINT or SIGTERM if one is pending (and not yet taken), else 0. */
int tvp_signal_pending(void);

/*
 * Take one of the blocked signals, waiting until deadline_ns (a
 * tvp_now_ns() value; 0 for no deadline).  Returns the signal, or 0 once
 * the deadline has passed.
 */
int tvp_signal_wait(uint64_t deadline_ns);

#endif
