/*
 * The record's memory figures, through this mode's program as a user
 * runs it: PSS, USS and page tables summed over the run's processes are
 * there and plausible for what the run holds, and peak RSS is the run's
 * own, not that of the process that started it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "core/execute.h"
#include "core/record.h"
#include "core/runner.h"
#include "tests.h"

static bool
processes_mode(void)
{
	return strcmp(tvp_mode, "processes") == 0;
}

/* Run the program with words, --format csv first; exit 0 asserted. */
static void
run_csv(const char *const *words, const struct tvp_test_setup *s,
    struct tvp_test_output *o)
{
	const char *all[24] = { "--format", "csv" };
	size_t n = 2;
	int rc;

	for (size_t i = 0; words[i] != NULL && n < 23; i++)
		all[n++] = words[i];
	all[n] = NULL;
	rc = tvp_test_run_words(tvp_test_program(), all, s, o);
	CU_ASSERT_EQUAL(rc, 0);
	if (rc != 0)
		fprintf(stderr, "exit %d: %s\n", rc, o->err);
}

/* A numeric column of the record; asserts it is there. */
static long
field(const struct tvp_test_output *o, const char *name)
{
	char v[64];
	bool there = tvp_test_csv_field(o->out, name, v, sizeof(v));

	CU_ASSERT_TRUE(there);
	if (!there) {
		fprintf(stderr, "no column %s in:\n%s\n", name, o->out);
		return -1;
	}
	return strtol(v, NULL, 10);
}

/*
 * hash on 4 MiB of input, two workers.  The input is written before the
 * workers start: one copy, private to the one process as threads, shared
 * copy-on-write by parent and children as processes, so it is in every
 * PSS sum, in the threads' USS, and in no process's USS as processes.
 */
static void
test_memory_hash(void)
{
	static const char *const words[] = { "-j", "2", "hash", "--blocks",
	    "64", "--block-size", "64K", "--rounds", "10", NULL };
	const long input_kb = 64 * 64;
	struct tvp_test_output o;
	long pss, uss, pte, maxrss, sum;

	run_csv(words, NULL, &o);
	pss = field(&o, "pss_kb");
	uss = field(&o, "uss_kb");
	pte = field(&o, "pte_kb");
	maxrss = field(&o, "maxrss_kb");
	sum = field(&o, "rss_sum_kb");
	CU_ASSERT(field(&o, "work_minflt") >= 0);
	CU_ASSERT(pss >= input_kb);
	CU_ASSERT(pte > 0);
	CU_ASSERT(maxrss >= input_kb);
	CU_ASSERT(sum >= maxrss);
	/* PSS never counts a page more than once; the RSS sum may. */
	CU_ASSERT(pss <= sum);
	CU_ASSERT(uss <= pss);
	if (processes_mode()) {
		/* Three processes, each holding the whole input in its RSS. */
		CU_ASSERT(sum >= 3 * input_kb);
#ifndef __SANITIZE_THREAD__
		/* TSan's own runtime memory is private to each child. */
		CU_ASSERT(uss < input_kb);
#endif
	} else {
		CU_ASSERT_EQUAL(sum, maxrss);
		CU_ASSERT(uss >= input_kb);
	}
	if (pss < input_kb || pte <= 0 || uss > pss)
		fprintf(stderr, "pss %ld uss %ld pte %ld maxrss %ld sum %ld\n",
		    pss, uss, pte, maxrss, sum);
}

/*
 * Started by a process that had touched 256 MiB, a run of a few MiB
 * reports a few MiB: RUSAGE_SELF's ru_maxrss carries over exec and would
 * say 256 MiB; VmHWM starts again with the new program.
 */
static void
test_memory_peak_not_inherited(void)
{
	static const char *const words[] = { "-j", "2", "hash", "--blocks",
	    "4", "--block-size", "4K", "--rounds", "10", NULL };
	struct tvp_test_setup s = { .touch_mib = 256 };
	struct tvp_test_output o;
	long maxrss, sum;

	run_csv(words, &s, &o);
	maxrss = field(&o, "maxrss_kb");
	sum = field(&o, "rss_sum_kb");
	CU_ASSERT(maxrss > 0 && maxrss < 128 * 1024);
	CU_ASSERT(sum > 0 && sum < 128 * 1024);
	if (!(maxrss > 0 && maxrss < 128 * 1024))
		fprintf(stderr, "maxrss_kb %ld rss_sum_kb %ld after a 256 MiB "
		    "parent\n", maxrss, sum);
}

/* The value of the metric `name` of a CSV record, by its name column. */
static double
metric(const struct tvp_test_output *o, const char *name)
{
	char col[32], v[64];

	for (int k = 1; k <= 8; k++) {
		snprintf(col, sizeof(col), "metric%d_name", k);
		if (!tvp_test_csv_field(o->out, col, v, sizeof(v)) ||
		    strcmp(v, name) != 0)
			continue;
		snprintf(col, sizeof(col), "metric%d_value", k);
		if (tvp_test_csv_field(o->out, col, v, sizeof(v)))
			return strtod(v, NULL);
	}
	CU_FAIL("metric missing");
	fprintf(stderr, "no metric %s in:\n%s\n", name, o->out);
	return -1;
}

/*
 * The memory workload on 4 MiB, two workers, as `access` and `layout`:
 * returns its input_copies and fills *pss_kb; the result must verify and
 * be the one both modes compute.
 */
static double
run_memory(const char *access, const char *layout, const char *result,
    long *pss_kb)
{
	const char *words[] = { "-j", "2", "memory", "--size", "4M",
	    "--access", access, "--layout", layout, NULL };
	struct tvp_test_output o;
	char got[128];

	run_csv(words, NULL, &o);
	CU_ASSERT_TRUE(tvp_test_csv_field(o.out, "verdict", got,
	    sizeof(got)));
	CU_ASSERT_STRING_EQUAL(got, "verified");
	CU_ASSERT_TRUE(tvp_test_csv_field(o.out, "result", got, sizeof(got)));
	CU_ASSERT_STRING_EQUAL(got, result);
	*pss_kb = field(&o, "pss_kb");
	return metric(&o, "input_copies");
}

/* Both modes, any worker count: the same sums (pinned here once). */
#define READ_SUM "records=32768 sum=8460069c8e5d8d94"
#define WRITE_SUM "records=32768 sum=f4e6a7176a1079e9"

/*
 * Reading shares the pages in both modes: no copy.  Writing copies, as
 * processes only: every page by each of the two children when every page
 * holds records of both, each page once when each child writes its own
 * half.  Page counts and PSS over the reading run's, not timings:
 * copy-on-write is per page, always.  (Over the reading run, because a
 * sanitizer's own memory inflates every figure alike.)
 */
static void
test_memory_copies(void)
{
	const long input_kb = 4096;
	bool processes = processes_mode();
	double copies;
	long read_pss, pss;

	copies = run_memory("read", "interleaved", READ_SUM, &read_pss);
	CU_ASSERT(copies < 0.1);
	CU_ASSERT(read_pss >= input_kb);

	copies = run_memory("write", "interleaved", WRITE_SUM, &pss);
#ifdef __SANITIZE_THREAD__
	/*
	 * TSan shadows every byte written with memory of its own, faulted in
	 * as the workers write: their faults and PSS grow with the input in
	 * either mode, copies or not.  Only reading is checked under TSan.
	 */
	(void)copies;
	fprintf(stderr, "(TSan: the write figures not checked) ");
	return;
#endif
	if (processes) {
		CU_ASSERT(copies > 1.9 && copies < 2.1);
		CU_ASSERT(pss - read_pss > 19 * input_kb / 10);
	} else {
		CU_ASSERT(copies < 0.1);
		CU_ASSERT(pss - read_pss < input_kb / 2);
	}
	if (processes ? copies < 1.9 : copies > 0.1)
		fprintf(stderr, "write, interleaved: %g copies, pss %ld "
		    "(reading: %ld)\n", copies, pss, read_pss);

	copies = run_memory("write", "contiguous", WRITE_SUM, &pss);
	if (processes) {
		CU_ASSERT(copies > 0.9 && copies < 1.1);
		CU_ASSERT(pss - read_pss > 9 * input_kb / 10 &&
		    pss - read_pss < 3 * input_kb / 2);
	} else {
		CU_ASSERT(copies < 0.1);
		CU_ASSERT(pss - read_pss < input_kb / 2);
	}
}

/* Sizes it cannot cut into records, or hold: refused before any work. */
static void
test_memory_bad_options(void)
{
	struct tvp_record rec;

	CU_ASSERT_EQUAL(tvp_test_execute("memory", 1, "--size 1000", &rec),
	    TVP_EXIT_USAGE);
	/* More than any machine: as processes writing, N + 1 copies. */
	CU_ASSERT_EQUAL(tvp_test_execute("memory", 4, "--size 512G --access "
	    "write", &rec), TVP_EXIT_USAGE);
}

CU_TestInfo tvp_memory_tests[] = {
	{ "hash: PSS, USS, page tables summed over the run's processes",
	    test_memory_hash },
	{ "peak RSS is the run's, not its starter's (VmHWM)",
	    test_memory_peak_not_inherited },
	{ "memory: reading shares pages, writing copies them (processes)",
	    test_memory_copies },
	{ "memory: sizes it cannot use refused, exit 2",
	    test_memory_bad_options },
	CU_TEST_INFO_NULL,
};
