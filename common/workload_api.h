/*
 * What a workload may use: the facts of its run, its options, memory every
 * worker sees, the mode as a question, the result, notes and metrics, and
 * the worker-side calls.  Together with workload.h, sync/sync.h (the
 * primitives) and lib/ (data generator, digests, datasets, clock), this is
 * everything a file in common/workloads/ includes.
 *
 * Functions marked "worker" may be called from a worker; the others only
 * from setup, finish, verify or teardown, in the parent.
 */
#ifndef TVP_WORKLOAD_API_H
#define TVP_WORKLOAD_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "workload.h"

/*
 * What workers write often goes on lines of its own, this far apart: 128
 * bytes, because the adjacent-line prefetcher moves 64-byte lines in
 * pairs (will-it-scale pads its per-task slots the same way).
 */
#define TVP_CACHE_LINE 128

/* ---- the run ---------------------------------------------------------- */

/* The workload's state_size bytes, zeroed before setup (worker). */
void *tvp_state(const struct tvp_run *run);
/* How many workers run (worker). */
unsigned tvp_workers(const struct tvp_run *run);

/*
 * From setup, for a workload with `item`: there are n items, and each
 * leaves result_size bytes (at most TVP_ITEM_RESULT_MAX; 0 for none) in
 * its slot.  0, or -1 after a warning.
 */
#define TVP_ITEM_RESULT_MAX 256
int tvp_set_items(struct tvp_run *run, size_t n, size_t result_size);
size_t tvp_items(const struct tvp_run *run);
/* Every item's result, in item order (from finish and verify). */
const void *tvp_item_results(const struct tvp_run *run);

/* The workload's options, by name (worker). */
long long tvp_opt_num(const struct tvp_run *run, const char *name);
const char *tvp_opt_str(const struct tvp_run *run, const char *name);
bool tvp_opt_given(const struct tvp_run *run, const char *name);

/* ---- memory and mode -------------------------------------------------- */

/*
 * `size` zeroed bytes that every worker sees and may write: for processes,
 * POSIX shared memory mapped before the fork; anything else a child
 * process writes is its own copy-on-write copy, lost when it exits.  The
 * framework unmaps it after teardown.  NULL after a warning.
 */
void *tvp_shared(struct tvp_run *run, size_t size);

/*
 * Are the workers separate processes?  Then synchronization objects must
 * be PTHREAD_PROCESS_SHARED (pass this as sync/sync.h's `pshared`), and
 * private memory is private.  (worker)
 */
bool tvp_mode_is_processes(void);

/*
 * Messages between workers, for workers that share no memory (MPI ranks,
 * bin/tvp-mpi): does this run have them?  Then tvp_send blocks until `len`
 * bytes could be handed to worker `to`, tvp_recv until `len` bytes came
 * from worker `from`; 0, or -1 after tvp_worker_error.  Without messages
 * both fail.  (worker)
 */
bool tvp_has_messages(const struct tvp_run *run);
int tvp_send(struct tvp_run *run, unsigned worker, unsigned to,
    const void *buf, size_t len);
int tvp_recv(struct tvp_run *run, unsigned worker, unsigned from, void *buf,
    size_t len);

/*
 * Refuse a request needing `need` bytes of memory when the machine has
 * less available (MemAvailable, less a margin: lib/room.h), before
 * anything is allocated: 0, or -1 after a warning that says how much
 * `what` needs.
 */
int tvp_check_memory(const char *what, size_t need);

/*
 * In setup, before making them: the file descriptors the run will hold
 * open at once beyond the framework's own, `in_setup` made by setup
 * (inherited by every worker process) and `per_worker` that each of
 * `busy` workers opens for itself (all in this one process as threads,
 * each in its own as processes).  Raises the soft RLIMIT_NOFILE if the
 * hard one allows; else -1 after one line saying what is needed.
 */
int tvp_need_fds(struct tvp_run *run, size_t in_setup, size_t per_worker,
    size_t busy);

/* ---- results, notes, metrics ------------------------------------------ */

/* Set the result (printf-style; at most TVP_RESULT_MAX - 1 bytes, cut
 * beyond), or to the hex of `len` bytes. */
#define TVP_RESULT_MAX 160
void tvp_result(struct tvp_run *run, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void tvp_result_hex(struct tvp_run *run, const unsigned char *bytes,
    size_t len);
const char *tvp_result_text(const struct tvp_run *run);

/* Append a remark for people to the record's note ("; "-separated). */
void tvp_note(struct tvp_run *run, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Which way a metric gets better. */
enum tvp_better { TVP_LOWER_IS_BETTER, TVP_HIGHER_IS_BETTER };

/*
 * A figure the workload measured, for programs to read by name
 * (stress-ng's stress_metrics_set): "ns_per_increment", "ns", 12.5.
 * The name is lower_snake_case and says the unit; the first metric is the
 * workload's headline figure.  At most TVP_METRICS_MAX per run.
 */
#define TVP_METRICS_MAX 8
void tvp_metric(struct tvp_run *run, const char *name, const char *unit,
    double value, enum tvp_better better);

/*
 * From the first worker's start (past the gate) to the last one's end:
 * the time all workers together took, for a "cost per unit" metric.
 */
uint64_t tvp_work_span_ns(const struct tvp_run *run);

/*
 * The minor page faults all workers took from the start gate to the end
 * of their work (after every worker ended).  As processes, each write to
 * a page shared copy-on-write since the fork is one: one page copied.
 */
uint64_t tvp_work_minflt(const struct tvp_run *run);

/* ---- in a worker ------------------------------------------------------- */

/*
 * Record why the worker failed (the parent prints it with the worker's
 * number) and return -1 for the worker to return.  (worker)
 */
int tvp_worker_error(struct tvp_run *run, unsigned worker, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

/*
 * Add to a worker's item and byte counts, for a workload with its own
 * `work` (the item loop counts by itself).  (worker)
 */
void tvp_worker_count(struct tvp_run *run, unsigned worker, uint64_t items,
    uint64_t bytes);

/*
 * Where an injected fault (--fault) strikes.  The item loop calls it at
 * the first item a worker claims past the run's halfway mark; a workload
 * with its own `work` calls it once its worker is about half done.  Only
 * the chosen worker, once per run, is hit; every other call returns at
 * once.  (If a body never calls it, the framework does after the body.)
 * (worker)
 */
void tvp_fault_point(struct tvp_run *run, unsigned worker);

/*
 * In a process a workload forks itself (background): default signal
 * dispositions and an empty mask, as a new program would have.
 */
void tvp_child_signals_reset(void);

/* ---- small helpers ------------------------------------------------------ */

/*
 * The k-th of `samples` items spread evenly over n, first and last
 * included: which items a verify recomputes.
 */
size_t tvp_sample_item(size_t k, size_t samples, size_t n);

/* Lower-case hex of len bytes into out (2*len+1 bytes). */
void tvp_hex(char *out, const unsigned char *bytes, size_t len);

#endif
