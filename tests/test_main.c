/*
 * The one main of the test programs.  build/test-threads and
 * build/test-processes both run every suite below, each against its own
 * runner (tvp_mode says which).
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "core/runner.h"
#include "tests.h"

extern char **environ;

static CU_SuiteInfo suites[] = {
	{ "digest", NULL, NULL, NULL, NULL, tvp_digest_tests },
	{ "xxh3", NULL, NULL, NULL, NULL, tvp_xxh3_tests },
	{ "gen", NULL, NULL, NULL, NULL, tvp_gen_tests },
	{ "options", NULL, NULL, NULL, NULL, tvp_options_tests },
	{ "registry", NULL, NULL, NULL, NULL, tvp_registry_tests },
	{ "run", NULL, NULL, NULL, NULL, tvp_run_tests },
	{ "cli", NULL, NULL, NULL, NULL, tvp_cli_tests },
	{ "fileread", NULL, NULL, NULL, NULL, tvp_fileread_tests },
	{ "faults", NULL, NULL, NULL, NULL, tvp_faults_tests },
	{ "queue", NULL, NULL, NULL, NULL, tvp_queue_tests },
	{ "semaphore", NULL, NULL, NULL, NULL, tvp_semaphore_tests },
	{ "lock", NULL, NULL, NULL, NULL, tvp_lock_tests },
	{ "event", NULL, NULL, NULL, NULL, tvp_event_tests },
	{ "counter", NULL, NULL, NULL, NULL, tvp_counter_tests },
	{ "pingpong", NULL, NULL, NULL, NULL, tvp_pingpong_tests },
	{ "spawn", NULL, NULL, NULL, NULL, tvp_spawn_tests },
	{ "background", NULL, NULL, NULL, NULL, tvp_background_tests },
	{ "badinput", NULL, NULL, NULL, NULL, tvp_badinput_tests },
	CU_SUITE_INFO_NULL,
};

int
main(int argc, char **argv)
{
	unsigned failures;

	/* As common/main.c does: the processes runner names its workers. */
	setproctitle_init(argc, argv, environ);

	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "CU_initialize_registry: %s\n",
		    CU_get_error_msg());
		return EXIT_FAILURE;
	}
	if (CU_register_suites(suites) != CUE_SUCCESS) {
		fprintf(stderr, "CU_register_suites: %s\n",
		    CU_get_error_msg());
		CU_cleanup_registry();
		return EXIT_FAILURE;
	}
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
	failures = CU_get_number_of_failures();
	printf("mode %s: %u run, %u failed assertions, %u failed tests\n",
	    tvp_mode, CU_get_number_of_tests_run(), failures,
	    CU_get_number_of_tests_failed());
	CU_cleanup_registry();
	return failures != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
