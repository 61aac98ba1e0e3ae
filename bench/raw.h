/*
 * What the raw reference programs share: a clock, and one record in
 * tvp's own format (common/core/record.c prints it, so the columns are
 * tvp's whatever they become), with mode raw-threads or raw-processes.
 * The programs themselves are written from scratch, each the bare
 * operation tvp claims to measure; only the printing is tvp's.
 */
#ifndef TVP_BENCH_RAW_H
#define TVP_BENCH_RAW_H

#include <stdbool.h>
#include <stdint.h>

#include "core/record.h"

/* CLOCK_MONOTONIC in ns. */
uint64_t raw_now_ns(void);

/* "threads" -> false, "processes" -> true; anything else is usage. */
bool raw_mode_is_processes(const char *word, const char *usage);

/* A positive number from argv, or exit 2 naming it. */
long long raw_arg_num(const char *what, const char *word, long long min,
    long long max);

/*
 * Start a record: mode, workload, options (as tvp would print them),
 * workers; and the CPU usage before (RUSAGE_SELF and _CHILDREN).
 */
void raw_begin(struct tvp_record *rec, bool processes, const char *workload,
    const char *options, unsigned workers);

/*
 * Close it: wall_s from t0 to t1, CPU and faults since raw_begin, the
 * verdict, and print it as CSV.  Returns the exit status (0, or 1 when
 * the check failed).
 */
int raw_end(struct tvp_record *rec, uint64_t t0, uint64_t t1, bool ok);

/* Add a metric, as tvp_metric does. */
void raw_metric(struct tvp_record *rec, const char *name, const char *unit,
    double value, bool higher_is_better);

#endif
