/*
 * End to end: both programs, run as the user would, with bad arguments.
 * Paths are relative to the repository root, where `make check` runs;
 * TVP_BINDIR (tests.h) is the bin directory of this test binary's build.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "tests.h"

static const char *const programs[] = { TVP_BINDIR "/tvp-threads",
    TVP_BINDIR "/tvp-processes" };

/* Run prog with n words as arguments; return its exit status. */
static int
run_prog(const char *prog, int n, const char *const *words,
    struct tvp_test_output *o)
{
	const char *argv[16];

	CU_ASSERT_FATAL(n < 16);
	for (int i = 0; i < n; i++)
		argv[i] = words[i];
	argv[n] = NULL;
	return tvp_test_run_words(prog, argv, NULL, o);
}

static void
expect_usage(int n, const char *const *words)
{
	struct tvp_test_output o;

	for (size_t p = 0; p < sizeof(programs) / sizeof(programs[0]); p++) {
		int rc = run_prog(programs[p], n, words, &o);

		CU_ASSERT_EQUAL(rc, 2);
		CU_ASSERT(o.errlen > 0);
		if (rc != 2 || o.errlen == 0) {
			fprintf(stderr, "%s", programs[p]);
			for (int i = 0; i < n; i++)
				fprintf(stderr, " %s", words[i]);
			fprintf(stderr, ": exit %d, stderr '%s'\n", rc, o.err);
		}
	}
}

static void
test_programs_exist(void)
{
	for (size_t p = 0; p < sizeof(programs) / sizeof(programs[0]); p++)
		CU_ASSERT_EQUAL(access(programs[p], X_OK), 0);
}

static void
test_bad_workers(void)
{
	static const char *const zero[] = { "-j", "0", "hash" };
	static const char *const word[] = { "-j", "x", "hash" };

	expect_usage(3, zero);
	expect_usage(3, word);
}

static void
test_bad_workload(void)
{
	static const char *const w[] = { "nosuchworkload" };

	expect_usage(1, w);
}

static void
test_bad_workload_options(void)
{
	static const char *const unknown[] = { "hash", "--nosuch", "1" };
	static const char *const neg[] = { "hash", "--blocks", "-5" };
	static const char *const missing[] = { "hash", "--blocks" };
	static const char *const algo[] = { "hash", "--algo", "nosuchalgo" };

	expect_usage(3, unknown);
	expect_usage(3, neg);
	expect_usage(2, missing);
	expect_usage(3, algo);
}

static void
test_bad_format(void)
{
	static const char *const w[] = { "--format", "xml", "hash" };

	expect_usage(3, w);
}

static void
test_no_arguments(void)
{
	expect_usage(0, NULL);
}

static void
test_list(void)
{
	static const char *const w[] = { "--list" };
	struct tvp_test_output o;

	for (size_t p = 0; p < sizeof(programs) / sizeof(programs[0]); p++) {
		CU_ASSERT_EQUAL(run_prog(programs[p], 1, w, &o), 0);
		CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "hash"));
	}
}

static void
test_workload_help(void)
{
	static const char *const w[] = { "hash", "--help" };
	struct tvp_test_output o;

	for (size_t p = 0; p < sizeof(programs) / sizeof(programs[0]); p++) {
		CU_ASSERT_EQUAL(run_prog(programs[p], 2, w, &o), 0);
		CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "--blocks"));
	}
}

CU_TestInfo tvp_cli_tests[] = {
	{ "both programs are built", test_programs_exist },
	{ "-j 0 and -j x are usage errors", test_bad_workers },
	{ "an unknown workload is a usage error", test_bad_workload },
	{ "bad workload options are usage errors", test_bad_workload_options },
	{ "--format xml is a usage error", test_bad_format },
	{ "no arguments is a usage error", test_no_arguments },
	{ "--list exits 0 and names hash", test_list },
	{ "hash --help exits 0", test_workload_help },
	CU_TEST_INFO_NULL,
};
