/*
 * The one main of the test programs.  build/test-threads and
 * build/test-processes each register the suites of tests/suites.h that
 * apply to their mode (tvp_mode says which): a suite for the other mode
 * is registered with its tests inactive, which CUnit counts and this
 * main reports as skipped, never as passed.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "core/runner.h"
#include "suites.h"
#include "tests.h"

extern char **environ;

enum scope { EACH, ONCE, THREADS, PROCESSES };

#define DECLARE(name, scope) extern CU_TestInfo tvp_##name##_tests[];
#define ENTRY(name, scope) { #name, tvp_##name##_tests, scope },
TVP_SUITES(DECLARE)

static const struct suite {
	const char *name;
	CU_TestInfo *tests;
	enum scope scope;
} suites[] = { TVP_SUITES(ENTRY) };

/* Does this program run the suite (true), skip it (false), or leave it out? */
static bool
runs(enum scope scope, bool *registered)
{
	bool processes = strcmp(tvp_mode, "processes") == 0;

	*registered = true;
	switch (scope) {
	case EACH:
		return true;
	case ONCE:
		/* The processes program leaves it out: not a skip, a repeat. */
		*registered = !processes;
		return !processes;
	case THREADS:
		return !processes;
	case PROCESSES:
		return processes;
	}
	return false;
}

static int
register_suites(void)
{
	/* Read once: the analyzer cannot know two getenv calls agree. */
	const char *only_suite = getenv("TVP_ONLY_SUITE"),
	    *only_test = getenv("TVP_ONLY_TEST");

	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
		bool registered, active = runs(suites[i].scope, &registered);
		char name[96];
		CU_pSuite s;

		if (!registered || (only_suite != NULL &&
		    strcmp(only_suite, suites[i].name) != 0))
			continue;
		snprintf(name, sizeof(name), "%s%s", suites[i].name,
		    active ? "" : " (other mode: skipped)");
		if ((s = CU_add_suite(name, NULL, NULL)) == NULL)
			return -1;
		for (CU_TestInfo *t = suites[i].tests; t->pName != NULL; t++) {
			CU_pTest test;

			if (only_test != NULL &&
			    strstr(t->pName, only_test) == NULL)
				continue;
			test = CU_add_test(s, t->pName, t->pTestFunc);

			if (test == NULL)
				return -1;
			if (!active)
				CU_set_test_active(test, CU_FALSE);
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	const CU_RunSummary *sum;
	unsigned failures;

	/* As common/core/main.c does: the processes runner names workers. */
	setproctitle_init(argc, argv, environ);

	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "CU_initialize_registry: %s\n",
		    CU_get_error_msg());
		return EXIT_FAILURE;
	}
	if (register_suites() != 0) {
		fprintf(stderr, "registering the suites: %s\n",
		    CU_get_error_msg());
		CU_cleanup_registry();
		return EXIT_FAILURE;
	}
	/* An inactive test is a skip, not a failure. */
	CU_set_fail_on_inactive(CU_FALSE);
	printf("tvp tests, mode %s\n", tvp_mode);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	if (CU_basic_run_tests() != CUE_SUCCESS) {
		fprintf(stderr, "CU_basic_run_tests: %s\n",
		    CU_get_error_msg());
		CU_cleanup_registry();
		return EXIT_FAILURE;
	}
	CU_basic_show_failures(CU_get_failure_list());
	printf("\n");
	sum = CU_get_run_summary();
	failures = CU_get_number_of_failures();
	printf("mode %s: %u run, %u skipped (for the other mode), %u failed "
	    "assertions, %u failed tests%s\n", tvp_mode, sum->nTestsRun,
	    sum->nTestsInactive, failures, sum->nTestsFailed,
	    strcmp(tvp_mode, "threads") == 0 ? "" :
	    " (mode-independent suites ran in test-threads)");
	CU_cleanup_registry();
	return failures != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
