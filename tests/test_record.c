/*
 * The record as printed: one table of fields makes the text, CSV and JSON
 * agree, and every workload reports its headline figure as a metric with
 * a unit and a direction, in every format.  Run through this mode's
 * program, as a user would.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "core/registry.h"
#include "workload_api.h"
#include "tests.h"

#define CACHE "/tmp/tvp-test-record-cache"

/* Small sizes per workload; one not listed here runs with --quick. */
static const struct {
	const char *name;
	const char *words[8];
} small[] = {
	{ "hash", { "--blocks", "8", "--rounds", "10" } },
	{ "fileread", { "--files", "4", "--file-size", "1K", "--cache-dir",
	    CACHE } },
	{ "counter", { "--increments", "1000" } },
	{ "falseshare", { "--increments", "1000" } },
	{ "pingpong", { "--rounds", "10" } },
	{ "spawn", { "--count", "3" } },
	{ "queue", { "--items", "100" } },
	{ "semaphore", { "--rounds", "2", "--hold-us", "10" } },
	{ "memory", { "--size", "1M" } },
	/* Its waits have deadlines: generous, for a loaded or ASan run. */
	{ "background", { "--deadline-ms", "30000" } },
};

/*
 * Run wl in `format`, its stdout into o; exit status 0 asserted.  At -j 2,
 * but background at -j 1: two worker threads forking at once can hang a
 * child in the AddressSanitizer build's allocator (seen before this test
 * existed; plain builds never do), and one observer shows the same.
 */
static void
run_format(const char *wl, const char *format, struct tvp_test_output *o)
{
	const char *words[16] = { "-j", strcmp(wl, "background") == 0 ? "1" :
	    "2", "--format", format };
	size_t n = 4, k;
	int rc;

	for (k = 0; k < sizeof(small) / sizeof(small[0]); k++)
		if (strcmp(small[k].name, wl) == 0)
			break;
	if (k == sizeof(small) / sizeof(small[0]))
		words[n++] = "--quick";
	words[n++] = wl;
	for (size_t i = 0; k < sizeof(small) / sizeof(small[0]) &&
	    small[k].words[i] != NULL; i++)
		words[n++] = small[k].words[i];
	words[n] = NULL;
	rc = tvp_test_run_words(tvp_test_program(), words, NULL, o);
	CU_ASSERT_EQUAL(rc, 0);
	if (rc != 0)
		fprintf(stderr, "%s --format %s: exit %d: %s\n", wl, format, rc,
		    o->err);
}

static char head[TVP_TEST_FIELDS][TVP_TEST_FIELD_MAX];
static char row[TVP_TEST_FIELDS][TVP_TEST_FIELD_MAX];

/* The CSV record: as many fields in the row as in the header. */
static int
split_record(const char *csv)
{
	const char *second = strchr(csv, '\n');
	int nh = tvp_test_csv_split(csv, head, TVP_TEST_FIELDS), nr;

	CU_ASSERT_PTR_NOT_NULL_FATAL(second);
	nr = tvp_test_csv_split(second + 1, row, TVP_TEST_FIELDS);
	CU_ASSERT(nh > 30);
	CU_ASSERT_EQUAL(nh, nr);
	return nh < nr ? nh : nr;
}

static const char *
column(int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(head[i], name) == 0)
			return row[i];
	return NULL;
}

/* Every workload: a first metric with a name, a unit and a direction. */
static void
test_every_workload_has_metrics(void)
{
	for (const struct tvp_workload *const *p = tvp_workloads; *p != NULL;
	    p++) {
		const char *wl = (*p)->name, *name, *unit, *better, *value;
		struct tvp_test_output o;
		char want[160];
		bool measured;
		int n;

		if (strcmp(wl, "background") == 0 &&
		    tvp_test_tsan_skips_background())
			continue;
		run_format(wl, "csv", &o);
		n = split_record(o.out);
		name = column(n, "metric1_name");
		unit = column(n, "metric1_unit");
		better = column(n, "metric1_better");
		value = column(n, "metric1_value");
		CU_ASSERT_PTR_NOT_NULL_FATAL(name);
		CU_ASSERT_PTR_NOT_NULL_FATAL(unit);
		CU_ASSERT_PTR_NOT_NULL_FATAL(better);
		CU_ASSERT_PTR_NOT_NULL_FATAL(value);
		CU_ASSERT(name[0] != '\0' && unit[0] != '\0');
		CU_ASSERT(strcmp(better, "lower") == 0 ||
		    strcmp(better, "higher") == 0);
		/* A cost may be nothing (memory's copies when reading). */
		measured = strcmp(better, "lower") == 0 ?
		    strtod(value, NULL) >= 0 : strtod(value, NULL) > 0;
		CU_ASSERT(value[0] != '\0' && measured);
		if (name[0] == '\0' || value[0] == '\0' || !measured)
			fprintf(stderr, "%s: no headline metric\n", wl);

		/* The same metric, by name, in the JSON array. */
		run_format(wl, "json", &o);
		snprintf(want, sizeof(want), "{\"name\": \"%s\", \"value\": ",
		    name);
		CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "\"metrics\": ["));
		CU_ASSERT_PTR_NOT_NULL(strstr(o.out, want));
		snprintf(want, sizeof(want), "\"unit\": \"%s\", \"better\": "
		    "\"%s\"}", unit, better);
		CU_ASSERT_PTR_NOT_NULL(strstr(o.out, want));

		/* And a line of its own in the text. */
		run_format(wl, "text", &o);
		snprintf(want, sizeof(want), "metric       %s ", name);
		CU_ASSERT_PTR_NOT_NULL(strstr(o.out, want));
	}
	tvp_test_rm_rf(CACHE);
}

/*
 * One field table: every CSV column but the metric ones is a key of the
 * JSON record and a line of the text record (an empty note aside), and the
 * verdict is one of three words.
 */
static void
test_formats_agree(void)
{
	struct tvp_test_output csv, json, text;
	int n;

	run_format("hash", "csv", &csv);
	run_format("hash", "json", &json);
	run_format("hash", "text", &text);
	n = split_record(csv.out);
	for (int i = 0; i < n; i++) {
		char key[128], line[128];

		if (strncmp(head[i], "metric", 6) == 0)
			continue;
		/* Column names are short: %.100s only keeps gcc content. */
		snprintf(key, sizeof(key), "\"%.100s\": ", head[i]);
		snprintf(line, sizeof(line), "\n%.100s ", head[i]);
		CU_ASSERT_PTR_NOT_NULL(strstr(json.out, key));
		if (strcmp(head[i], "note") == 0 && column(n, "note")[0] == '\0')
			continue;
		/* The first line has no newline before it. */
		CU_ASSERT(strstr(text.out, line) != NULL ||
		    strncmp(text.out, line + 1, strlen(line + 1)) == 0);
	}
	CU_ASSERT_STRING_EQUAL(column(n, "verdict"), "verified");
	CU_ASSERT_STRING_EQUAL(column(n, "verified"), "yes");
	CU_ASSERT_PTR_NOT_NULL(strstr(json.out, "\"verdict\": \"verified\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(json.out, "\"env\": {"));
}

/* The maps column of a run of this mode's program with words. */
static long
maps_of(const char *const *words)
{
	struct tvp_test_output o;
	const char *v;

	CU_ASSERT_EQUAL_FATAL(tvp_test_run_words(tvp_test_program(), words,
	    NULL, &o), 0);
	v = column(split_record(o.out), "maps");
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	return strtol(v, NULL, 10);
}

/*
 * maps: the mappings the program had when its workers started, which
 * fork copies; at least the program, libc, the stack and the control
 * block, so more than a handful, and what /proc says, not a constant:
 * a run whose setup maps a region of its own counts one more.
 */
static void
test_maps_counted(void)
{
	static const char *const none[] = { "--format", "csv", "spawn",
	    "--count", "2", NULL };
	static const char *const touch[] = { "--format", "csv", "spawn",
	    "--count", "2", "--touch", "4", NULL };
	long plain = maps_of(none);

	CU_ASSERT(plain > 5);
	/*
	 * Two runs' counts compare only where the allocator maps the same
	 * regions each run: ASan's maps its own as it goes (one processes
	 * run had fewer with --touch than another without).
	 */
#ifndef __SANITIZE_ADDRESS__
	CU_ASSERT(maps_of(touch) > plain);
#else
	CU_ASSERT(maps_of(touch) > 5);
#endif
}

/*
 * --no-footprint: no memory snapshot, and the record says so by leaving
 * its figures empty (CSV) or null (JSON), never 0; without it they are
 * measured.  As processes the workers' peak RSS is the snapshot's too.
 */
static void
test_no_footprint_empty(void)
{
	static const char *const cols[] = { "pss_kb", "uss_kb", "pte_kb" };
	const char *csv[] = { "-j", "2", "--format", "csv", NULL, "hash",
	    "--blocks", "2", "--rounds", "2", NULL };
	const char *json[] = { "-j", "2", "--no-footprint", "--format",
	    "json", "hash", "--blocks", "2", "--rounds", "2", NULL };
	struct tvp_test_output o;
	char v[64];

	for (int skip = 0; skip <= 1; skip++) {
		csv[4] = skip ? "--no-footprint" : "--quick";
		CU_ASSERT_EQUAL_FATAL(tvp_test_run_words(tvp_test_program(),
		    csv, NULL, &o), 0);
		for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
			CU_ASSERT_TRUE(tvp_test_csv_field(o.out, cols[i], v,
			    sizeof(v)));
			if (skip) {
				CU_ASSERT_STRING_EQUAL(v, "");
			} else {
				CU_ASSERT(strtol(v, NULL, 10) > 0);
			}
		}
		CU_ASSERT_TRUE(tvp_test_csv_field(o.out, "rss_sum_kb", v,
		    sizeof(v)));
		CU_ASSERT_EQUAL(*v == '\0', skip && tvp_mode_is_processes());
	}
	CU_ASSERT_EQUAL_FATAL(tvp_test_run_words(tvp_test_program(), json,
	    NULL, &o), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "\"pss_kb\": null,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "\"pte_kb\": null,"));
}

CU_TestInfo tvp_record_tests[] = {
	{ "every workload reports a metric, in CSV, JSON and text",
	    test_every_workload_has_metrics },
	{ "text, CSV and JSON carry the same fields", test_formats_agree },
	{ "maps: the mappings fork copies, counted", test_maps_counted },
	{ "--no-footprint: memory figures empty, not 0",
	    test_no_footprint_empty },
	CU_TEST_INFO_NULL,
};
