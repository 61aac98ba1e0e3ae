/*
 * compare.sh's own command line: every bad argument refused with one
 * line and exit 2, before anything runs.  Mode-independent: run once.
 */
#include <sys/stat.h>

#include <stddef.h>

#include <CUnit/CUnit.h>

#include "tests.h"

static const struct tvp_test_bad bad_compare[] = {
	{ { "-j" }, 2, "option -j needs a value" },
	{ { "-j", "0" }, 2, "bad -j '0': '0' is not a worker count 1 .. 4096" },
	{ { "-j", "x" }, 2, "'x' is not a worker count" },
	{ { "-j", "-1" }, 2, "'-1' is not a worker count" },
	{ { "-j", "4097" }, 2, "'4097' is not a worker count" },
	{ { "-j", "99999999999999999999" }, 2, "is not a worker count" },
	{ { "-j", "" }, 2, "bad -j ''" },
	{ { "-j", "1,,2" }, 2, "bad -j '1,,2': '' is not a worker count" },
	{ { "-r" }, 2, "option -r needs a value" },
	{ { "-r", "0" }, 2, "bad -r '0' (a whole number 1 .. 999999)" },
	{ { "-r", "-1" }, 2, "bad -r '-1'" },
	{ { "-r", "x" }, 2, "bad -r 'x'" },
	{ { "-r", "1000000" }, 2, "bad -r '1000000'" },
	{ { "-r", "99999999999999999999" }, 2, "bad -r" },
	{ { "--format" }, 2, "option --format needs a value" },
	{ { "--format", "xml" }, 2, "bad --format 'xml'" },
	{ { "--format=" }, 2, "bad --format ''" },
	{ { "-w" }, 2, "option -w needs a value" },
	{ { "-w", "" }, 2, "bad -w '': no workloads" },
	{ { "-w", "nosuch" }, 2, "workload 'nosuch' is not available" },
	{ { "-w", "hash,,fileread" }, 2, "workload '' is not available" },
	{ { "-o" }, 2, "option -o needs a value" },
	{ { "-o", "" }, 2, "bad -o ''" },
	{ { "-o", "/nonexistent/dir/out" }, 2, "cannot write -o" },
	{ { "-o", "/tmp" }, 2, "cannot write -o '/tmp'" },
	{ { "--bogus" }, 2, "unknown option '--bogus'" },
	{ { "extra" }, 2, "unknown option 'extra'" },
	{ { NULL }, 0, NULL },
};

static void
test_compare_options(void)
{
	static const char *const pass[] = { "-w", "hash", "-j", "1", "-r",
	    "1", "--", "--blocks", "x", NULL };
	static const char *const out[] = { "-w", "nosuch", "-o",
	    "/tmp/tvp-badinput-compare.out", NULL };
	struct stat sb;

	tvp_test_expect_table("./compare.sh", bad_compare);
	/* A bad workload option: the program's line, then compare.sh's. */
	tvp_test_expect("./compare.sh", pass, NULL, 2,
	    "hash refused every worker count: value 'x' for hash --blocks", 2);
	/* A usage error after -o leaves no empty output file behind. */
	tvp_test_expect("./compare.sh", out, NULL, 2, "workload 'nosuch'", 1);
	CU_ASSERT_NOT_EQUAL(stat("/tmp/tvp-badinput-compare.out", &sb), 0);
}


CU_TestInfo tvp_compare_tests[] = {
	{ "compare.sh: bad arguments refused, exit 2", test_compare_options },
	CU_TEST_INFO_NULL,
};
