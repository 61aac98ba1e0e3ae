/*
 * How tvp waits for its workers, and for Ctrl-C, without races.
 *
 * A run holds SIGINT and SIGTERM (and the wake-up SIGCHLD) blocked in
 * every thread while there is something to clean up after them: during
 * setup (a dataset half-written), the workers' run and finish (a
 * manifest half-written).  The parent takes them where it chooses: the
 * runners in tvp_signal_wait(), long setup loops (dataset generation)
 * with tvp_signal_take(), tvp_execute at the end of each held phase.  An
 * interrupted run stops and reaps its workers, cleans up, and the
 * program exits 128 + the signal number, as a shell reports a program
 * killed by that signal.  Outside those phases (parsing, verify,
 * teardown, printing) there is nothing to clean up: a handler ends the
 * program at once with the same status and one line.  A signal ignored
 * when the program started stays ignored, in it and in its workers.
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
 * Install the handler that ends the program with 128 + the signal and one
 * line, for SIGINT and SIGTERM unless ignored at start.  Idempotent; the
 * program calls it first thing, tvp_execute before every run.
 */
void tvp_signals_init(void);

/*
 * Block the signals above in the calling thread (and the threads it
 * creates); the mask before goes to *old, if old is not NULL.
 */
void tvp_signals_block(sigset_t *old);
void tvp_signals_restore(const sigset_t *old);

/* In a new child process: tvp_child_signals_reset (workload_api.h). */

/*
 * Take a pending SIGINT or SIGTERM (they must be blocked) without
 * waiting: the signal, now taken, so that it does not strike again when
 * the mask is restored; or 0 if none is pending.
 */
int tvp_signal_take(void);

/*
 * Take one of the blocked signals, waiting until deadline_ns (a
 * tvp_now_ns() value; 0 for no deadline).  Returns the signal, or 0 once
 * the deadline has passed.
 */
int tvp_signal_wait(uint64_t deadline_ns);

#endif
