/*
 * compare.sh's own command line: every bad argument refused with one
 * line and exit 2, before anything runs; every option a fixed report
 * (--lessons, --faults) cannot honour refused, not ignored.  What the
 * options do when honoured is tested by tests/report/test_compare_sh.py.
 * Mode-independent: run once.
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
	{ { "--lessons", "--python" }, 2,
	    "--python cannot be used with --lessons" },
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
	{ { "--warmup", "x" }, 2, "bad --warmup 'x' (a whole number 0 .. 999999)" },
	{ { "--warmup", "-1" }, 2, "bad --warmup '-1'" },
	{ { "--min-runs", "0" }, 2, "bad --min-runs '0' (a whole number 1 .. 999999)" },
	{ { "--max-runs" }, 2, "option --max-runs needs a value" },
	{ { "--max-runs", "x" }, 2, "bad --max-runs 'x'" },
	{ { "--min-time", "1.2.3" }, 2, "bad --min-time '1.2.3'" },
	{ { "--min-time", "-1" }, 2, "bad --min-time '-1'" },
	{ { "-r", "3", "--min-runs", "2" }, 2, "-r 3 is exact" },
	{ { "--min-runs", "5", "--max-runs", "2" }, 2,
	    "--min-runs 5 is more than --max-runs 2" },
	{ { "-x" }, 2, "option -x needs a value" },
	{ { "-x", "touch" }, 2, "bad -x 'touch' (NAME=V1,V2,..." },
	{ { "-x", "=1" }, 2, "bad -x '=1'" },
	{ { "-x", "touch=1,,2" }, 2, "bad -x 'touch=1,,2': '' is not a value" },
	{ { "-x", "a=1", "-x", "b=2" }, 2, "only one -x" },
	{ { "--save", "" }, 2, "bad --save ''" },
	{ { "--save", "/tmp" }, 2, "cannot write --save '/tmp'" },
	{ { "--save", "/nonexistent/dir/x" }, 2, "cannot write --save" },
	{ { "--plot", "/etc/passwd" }, 2, "cannot write --plot '/etc/passwd'" },
	{ { "--plot", "/nonexistent/dir/x" }, 2, "cannot write --plot" },
	{ { "-o", "/tmp/tvp-same", "--save", "/tmp/tvp-same" }, 2,
	    "-o and --save name the same file" },
	{ { "-w", "hash", "--", "" }, 2, "bad workload option ''" },
	{ { "--lessons", "--faults" }, 2, "two reports: pick one" },
	{ { "--lessons", "-j", "2" }, 2, "-j cannot be used with --lessons" },
	{ { "--lessons", "-x", "touch=1" }, 2, "-x cannot be used with --lessons" },
	{ { "--lessons", "--quick" }, 2, "--quick cannot be used with --lessons" },
	{ { "--lessons", "--plot", "/tmp" }, 2, "--plot cannot be used with --lessons" },
	{ { "--lessons", "--", "--x" }, 2, "-- cannot be used with --lessons" },
	{ { "--lessons", "-w", "nosuch" }, 2, "workload 'nosuch' has no lesson" },
	{ { "--faults", "-w", "hash" }, 2, "-w cannot be used with --faults" },
	{ { "--faults", "-j", "4" }, 2, "-j cannot be used with --faults" },
	{ { "--faults", "-r", "2" }, 2, "-r cannot be used with --faults" },
	{ { "--faults", "--warmup", "0" }, 2, "--warmup cannot be used with --faults" },
	{ { "--faults", "--min-time", "1" }, 2, "--min-time cannot be used with --faults" },
	{ { NULL }, 0, NULL },
};

static void
test_compare_options(void)
{
	static const char *const pass[] = { "-w", "hash", "-j", "1", "-r",
	    "1", "--", "--blocks", "x", NULL };
	static const char *const sweep[] = { "-w", "hash", "-j", "1,2",
	    "-x", "blocks=x,y", "-r", "1", "--warmup", "0", NULL };
	static const char *const out[] = { "-w", "nosuch", "-o",
	    "/tmp/tvp-badinput-compare.out", NULL };
	struct stat sb;

	tvp_test_expect_table("./compare.sh", bad_compare);
	/* A bad workload option: one line, with the program's reason. */
	tvp_test_expect("./compare.sh", pass, NULL, 2,
	    "hash refused every worker count: value 'x' for hash --blocks", 1);
	tvp_test_expect("./compare.sh", sweep, NULL, 2,
	    "compare.sh: hash refused every row: value 'y' for hash --blocks",
	    1);
	/*
	 * A usage error after -o leaves no empty output file behind, nor the
	 * file of kept runs beside it.
	 */
	tvp_test_expect("./compare.sh", out, NULL, 2, "workload 'nosuch'", 1);
	CU_ASSERT_NOT_EQUAL(stat("/tmp/tvp-badinput-compare.out", &sb), 0);
	CU_ASSERT_NOT_EQUAL(stat("/tmp/tvp-badinput-compare.out.runs.csv",
	    &sb), 0);
}


CU_TestInfo tvp_compare_tests[] = {
	{ "compare.sh: bad arguments refused, exit 2", test_compare_options },
	CU_TEST_INFO_NULL,
};
