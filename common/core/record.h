/*
 * One record per run, the same fields in both modes, printed as text, CSV
 * or JSON from one table of fields (record.c).  The CSV column names are an
 * interface: compare.sh and users' scripts read them by name, so existing
 * ones never change; new ones are added at the end.
 */
#ifndef TVP_RECORD_H
#define TVP_RECORD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/run.h"

struct tvp_env {
	char cpu_model[128];
	long online_cpus;
	char kernel[96];
	char libc[32];
	char affinity[256];  /* the CPUs this run may use, as "0-1" */
	char runtime[96];    /* what ran the workers: "C (gcc 12.2.0)" */
	char mpi_library[128]; /* MPI_Get_library_version; "" not mpi */
	char nodes[16];      /* the nodes the ranks ran on; "" not mpi */
};

struct tvp_record {
	const char *mode, *workload;
	char options[1024];
	unsigned workers;
	double wall_s, start_s, work_s, reap_s, user_s, sys_s;
	long minflt, majflt, nvcsw, nivcsw, maxrss_kb, rss_sum_kb;
	uint64_t items, bytes;
	char result[TVP_RESULT_MAX];
	enum tvp_verdict verdict;
	unsigned died;        /* workers that died (fault injection) */
	uint64_t redone;      /* items redone by replacement workers */
	double recover_s;     /* from the first death seen to the run's end */
	long maps;            /* the parent's mappings when workers started */
	/* Summed over the run's processes when the last worker finished. */
	long pss_kb, uss_kb, pte_kb;
	long work_minflt;     /* minor faults of the workers past the gate */
	char note[TVP_NOTE_MAX];
	struct tvp_env env;
	struct tvp_metric_value metrics[TVP_METRICS_MAX];
	size_t nmetrics;
};

enum tvp_format { TVP_FMT_TEXT, TVP_FMT_CSV, TVP_FMT_JSON };

void tvp_env_collect(struct tvp_env *env);
void tvp_record_print(FILE *fp, const struct tvp_record *rec,
    enum tvp_format fmt);

/* "verified", "race" or "failed". */
const char *tvp_verdict_name(enum tvp_verdict v);

#endif
