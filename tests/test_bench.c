/*
 * The raw reference programs of bench/: each prints one record with
 * tvp's own columns, verified, and the result tvp computes for the same
 * work, so that `make bench` and the report program can set them side by
 * side by name.  Mode-independent: run once, against tvp-threads.
 */
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "tests.h"

#ifndef TVP_BENCHDIR
#define TVP_BENCHDIR "build/bench"
#endif

#define CACHE "/tmp/tvp-test-bench-cache"

/* Run path with words; its CSV record, exit 0 asserted. */
static void
record(const char *path, const char *const *words, struct tvp_test_output *o)
{
	int rc = tvp_test_run_words(path, words, NULL, o);

	CU_ASSERT_EQUAL(rc, 0);
	if (rc != 0)
		fprintf(stderr, "%s: exit %d: %s\n", path, rc, o->err);
}

/* The first line (the header) of a and b are the same. */
static void
same_header(const char *a, const char *b)
{
	size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");

	CU_ASSERT_EQUAL(la, lb);
	CU_ASSERT(la == lb && strncmp(a, b, la) == 0);
}

static void
field(const char *csv, const char *name, char *out, size_t len)
{
	CU_ASSERT_FATAL(tvp_test_csv_field(csv, name, out, len));
}

/* tvp's record and the raw one: same columns, both verified, one result. */
static void
compare(const char *const *tvp_words, const char *raw,
    const char *const *raw_words, const char *raw_mode)
{
	struct tvp_test_output t, r;
	char a[200], b[200];

	record(TVP_BINDIR "/tvp-threads", tvp_words, &t);
	record(raw, raw_words, &r);
	same_header(t.out, r.out);
	field(r.out, "mode", a, sizeof(a));
	CU_ASSERT_STRING_EQUAL(a, raw_mode);
	field(t.out, "workload", a, sizeof(a));
	field(r.out, "workload", b, sizeof(b));
	CU_ASSERT_STRING_EQUAL(a, b);
	field(r.out, "verdict", b, sizeof(b));
	CU_ASSERT_STRING_EQUAL(b, "verified");
	field(t.out, "result", a, sizeof(a));
	field(r.out, "result", b, sizeof(b));
	CU_ASSERT_STRING_EQUAL(a, b);
	field(t.out, "metric1_name", a, sizeof(a));
	field(r.out, "metric1_name", b, sizeof(b));
	CU_ASSERT_STRING_EQUAL(a, b);
}

static void
test_bench_hash(void)
{
	static const char *const tvp[] = { "-j", "2", "--format", "csv",
	    "hash", "--blocks", "8", "--block-size", "4K", "--rounds", "10",
	    NULL };
	static const char *const threads[] = { "threads", "2", "8", "4096",
	    "10", "huge", NULL };
	static const char *const processes[] = { "processes", "2", "8",
	    "4096", "10", "small", NULL };

	compare(tvp, TVP_BENCHDIR "/raw-hash", threads, "raw-threads");
	compare(tvp, TVP_BENCHDIR "/raw-hash", processes, "raw-processes");
}

static void
test_bench_fileread(void)
{
	static const char *const tvp[] = { "--format", "csv", "fileread",
	    "--files", "5", "--file-size", "3000", "--cache-dir", CACHE, NULL };
	static const char *const threads[] = { "threads",
	    CACHE "/fileread-5x3000-seed1", "4096", NULL };
	static const char *const processes[] = { "processes",
	    CACHE "/fileread-5x3000-seed1", NULL };

	static const char dataset[] = CACHE "/fileread-5x3000-seed1";
	const char *const ceiling[] = { "threads", dataset, "4096", "none",
	    NULL };
	const char *const bad[] = { "threads", dataset, "4096", "sha1", NULL };
	struct tvp_test_output o;
	char v[64];

	compare(tvp, TVP_BENCHDIR "/raw-fileread", threads, "raw-threads");
	compare(tvp, TVP_BENCHDIR "/raw-fileread", processes,
	    "raw-processes");
	/* Read only: every byte of the five files, and no checksum. */
	record(TVP_BENCHDIR "/raw-fileread", ceiling, &o);
	field(o.out, "verdict", v, sizeof(v));
	CU_ASSERT_STRING_EQUAL(v, "verified");
	field(o.out, "result", v, sizeof(v));
	CU_ASSERT_STRING_EQUAL(v, "read=15000");
	CU_ASSERT_EQUAL(tvp_test_run_words(TVP_BENCHDIR "/raw-fileread", bad,
	    NULL, &o), 2);
	CU_ASSERT_EQUAL(tvp_test_count_lines(o.err), 1);
	tvp_test_rm_rf(CACHE);
}

static void
test_bench_counter(void)
{
	static const char *const tvp[] = { "-j", "2", "--format", "csv",
	    "counter", "--sync", "mutex", "--increments", "1000", NULL };
	static const char *const threads[] = { "threads", "2", "1000", NULL };
	static const char *const processes[] = { "processes", "2", "1000",
	    NULL };

	compare(tvp, TVP_BENCHDIR "/raw-counter", threads, "raw-threads");
	compare(tvp, TVP_BENCHDIR "/raw-counter", processes, "raw-processes");
}

static void
test_bench_spawn(void)
{
	static const char *const tvp[] = { "--format", "csv", "spawn",
	    "--count", "5", NULL };
	static const char *const threads[] = { "threads", "5", NULL };
	static const char *const processes[] = { "processes", "5", NULL };

	compare(tvp, TVP_BENCHDIR "/raw-spawn", threads, "raw-threads");
	compare(tvp, TVP_BENCHDIR "/raw-spawn", processes, "raw-processes");
}

/* The empty run has no result to share: its workers ran, and said so. */
static void
test_bench_empty(void)
{
	static const char *const tvp[] = { "-j", "3", "--format", "csv",
	    "hash", "--blocks", "0", NULL };
	static const char *const modes[] = { "threads", "processes" };
	struct tvp_test_output t, r;
	char v[64];

	record(TVP_BINDIR "/tvp-threads", tvp, &t);
	for (int m = 0; m < 2; m++) {
		const char *const words[] = { modes[m], "3", NULL };

		const char *const gated[] = { modes[m], "3", "gate", NULL };

		record(TVP_BENCHDIR "/raw-empty", words, &r);
		same_header(t.out, r.out);
		field(r.out, "verdict", v, sizeof(v));
		CU_ASSERT_STRING_EQUAL(v, "verified");
		field(r.out, "result", v, sizeof(v));
		CU_ASSERT_STRING_EQUAL(v, "ran=3");
		/* Behind the gate, every worker still ran (and none hung). */
		record(TVP_BENCHDIR "/raw-empty", gated, &r);
		field(r.out, "verdict", v, sizeof(v));
		CU_ASSERT_STRING_EQUAL(v, "verified");
		field(r.out, "result", v, sizeof(v));
		CU_ASSERT_STRING_EQUAL(v, "ran=3");
	}
}

CU_TestInfo tvp_bench_tests[] = {
	{ "raw-hash: tvp's columns and result", test_bench_hash },
	{ "raw-fileread: tvp's columns and result", test_bench_fileread },
	{ "raw-counter: tvp's columns and result", test_bench_counter },
	{ "raw-spawn: tvp's columns and result", test_bench_spawn },
	{ "raw-empty: tvp's columns, every worker ran", test_bench_empty },
	CU_TEST_INFO_NULL,
};
