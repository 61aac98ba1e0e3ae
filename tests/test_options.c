/* Number parsing and workload option parsing. */
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "core/options.h"
#include "core/run.h"
#include "core/registry.h"
#include "lib/escape.h"
#include "tests.h"

static void
test_num_ok(void)
{
	long long v = -1;

	CU_ASSERT_EQUAL(tvp_parse_num("t", "10", 1, 100, false, &v), 0);
	CU_ASSERT_EQUAL(v, 10);
	CU_ASSERT_EQUAL(tvp_parse_num("t", "0", 0, 100, false, &v), 0);
	CU_ASSERT_EQUAL(v, 0);
}

static void
test_num_bad(void)
{
	static const char *const bad[] = { "-1", "abc", "", "99999999999999999999",
	    " 5", "+5", "5x", "10K" };
	long long v;

	CU_ASSERT_EQUAL(tvp_parse_num("t", "0", 1, 100, false, &v), -1);
	CU_ASSERT_EQUAL(tvp_parse_num("t", "101", 1, 100, false, &v), -1);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(tvp_parse_num("t", bad[i], 0,
		    0x7fffffffffffffffLL, false, &v), -1);
}

static void
test_num_size(void)
{
	long long v = 0;

	CU_ASSERT_EQUAL(tvp_parse_num("t", "64K", 1, 1LL << 30, true, &v), 0);
	CU_ASSERT_EQUAL(v, 65536);
	CU_ASSERT_EQUAL(tvp_parse_num("t", "1G", 1, 1LL << 30, true, &v), 0);
	CU_ASSERT_EQUAL(v, 1LL << 30);
	CU_ASSERT_EQUAL(tvp_parse_num("t", "3M", 1, 1LL << 30, true, &v), 0);
	CU_ASSERT_EQUAL(v, 3LL << 20);
	CU_ASSERT_EQUAL(tvp_parse_num("t", "2G", 1, 1LL << 30, true, &v), -1);
	CU_ASSERT_EQUAL(tvp_parse_num("t", "K", 1, 1LL << 30, true, &v), -1);
	CU_ASSERT_EQUAL(tvp_parse_num("t", "-1K", 1, 1LL << 30, true, &v),
	    -1);
	CU_ASSERT_EQUAL(tvp_parse_num("t", "+5", 1, 1LL << 30, true, &v), -1);
	CU_ASSERT_EQUAL(tvp_parse_num("t", " 5", 1, 1LL << 30, true, &v), -1);
}

/*
 * Parse words into a fresh run of the hash workload, as the command line
 * does (tvp_run_init): 0, or 2 after a warning.  tvp_run_free() after.
 */
static int
parse_hash(int n, const char *const *words, struct tvp_run *run)
{
	char **argv = tvp_test_argv(n, words);
	int rc;

	CU_ASSERT_PTR_NOT_NULL_FATAL(argv);
	*run = (struct tvp_run){ .nworkers = 1 };
	rc = tvp_run_init(run, tvp_workload_find("hash"), false, n, argv);
	tvp_test_argv_free(argv);
	return rc;
}

static const struct tvp_optval *
find_val(const struct tvp_run *run, const char *name)
{
	for (size_t i = 0; run->wl->opts[i].name != NULL; i++)
		if (strcmp(run->wl->opts[i].name, name) == 0)
			return &run->opts[i];
	return NULL;
}

static void
test_opts_defaults(void)
{
	struct tvp_run vals;
	const struct tvp_optval *v;

	CU_ASSERT_EQUAL(parse_hash(0, NULL, &vals), 0);
	v = find_val(&vals, "blocks");
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_EQUAL(v->num, 1024);
	CU_ASSERT_FALSE(v->given);
	v = find_val(&vals, "block-size");
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_EQUAL(v->num, 64 * 1024);
	tvp_run_free(&vals);
}

static void
test_opts_good(void)
{
	static const char *const eq[] = { "--blocks=7" };
	static const char *const sep[] = { "--blocks", "7", "--block-size",
	    "4K" };
	struct tvp_run vals;
	const struct tvp_optval *v;

	CU_ASSERT_EQUAL(parse_hash(1, eq, &vals), 0);
	v = find_val(&vals, "blocks");
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_EQUAL(v->num, 7);
	CU_ASSERT_TRUE(v->given);
	tvp_run_free(&vals);

	CU_ASSERT_EQUAL(parse_hash(4, sep, &vals), 0);
	v = find_val(&vals, "blocks");
	CU_ASSERT_EQUAL(v->num, 7);
	CU_ASSERT_TRUE(v->given);
	v = find_val(&vals, "block-size");
	CU_ASSERT_EQUAL(v->num, 4096);
	v = find_val(&vals, "rounds");
	CU_ASSERT_FALSE(v->given);
	tvp_run_free(&vals);
}

static void
test_opts_bad(void)
{
	static const char *const unknown[] = { "--nosuch", "1" };
	static const char *const missing[] = { "--blocks" };
	static const char *const range[] = { "--blocks", "16777217" };
	static const char *const range_eq[] = { "--rounds=0" };
	static const char *const neg[] = { "--blocks", "-5" };
	static const char *const bare[] = { "7" };
	struct tvp_run vals;

	CU_ASSERT_EQUAL(parse_hash(2, unknown, &vals), 2);
	tvp_run_free(&vals);
	CU_ASSERT_EQUAL(parse_hash(1, missing, &vals), 2);
	tvp_run_free(&vals);
	CU_ASSERT_EQUAL(parse_hash(2, range, &vals), 2);
	tvp_run_free(&vals);
	CU_ASSERT_EQUAL(parse_hash(1, range_eq, &vals), 2);
	tvp_run_free(&vals);
	CU_ASSERT_EQUAL(parse_hash(2, neg, &vals), 2);
	tvp_run_free(&vals);
	CU_ASSERT_EQUAL(parse_hash(1, bare, &vals), 2);
	tvp_run_free(&vals);
}

/* The one escape for words echoed in messages: whole, or cut with "...". */
static void
test_escape(void)
{
	char out[12];

	CU_ASSERT_STRING_EQUAL(TVP_ESC("a\nb\tc\rd\\e\x1b\x7f\xc3\xa9"),
	    "a\\nb\\tc\\rd\\\\e\\x1b\\x7f\xc3\xa9");
	CU_ASSERT_STRING_EQUAL(TVP_ESC(""), "");
	/* Exactly fits (11 bytes and the NUL), and one byte more does not. */
	CU_ASSERT_STRING_EQUAL(tvp_escape_n(out, sizeof(out), "abcdefghijk",
	    (size_t)-1), "abcdefghijk");
	CU_ASSERT_STRING_EQUAL(tvp_escape_n(out, sizeof(out), "abcdefghijkl",
	    (size_t)-1), "abcdefgh...");
	/* An escape is never cut in half. */
	CU_ASSERT_STRING_EQUAL(tvp_escape_n(out, sizeof(out), "abcdefg\n\n\n",
	    (size_t)-1), "abcdefg...");
	/* n bytes at most. */
	CU_ASSERT_STRING_EQUAL(tvp_escape_n(out, sizeof(out), "--x=1", 3),
	    "--x");
}

CU_TestInfo tvp_options_tests[] = {
	{ "tvp_parse_num accepts in-range numbers", test_num_ok },
	{ "tvp_parse_num rejects bad numbers", test_num_bad },
	{ "tvp_parse_num size suffixes and bounds", test_num_size },
	{ "hash options: defaults", test_opts_defaults },
	{ "hash options: --name=value and --name value", test_opts_good },
	{ "hash options: unknown, missing, out of range", test_opts_bad },
	{ "words echoed in messages are escaped", test_escape },
	CU_TEST_INFO_NULL,
};
