/* The test arrays of every test file, collected by test_main.c. */
#ifndef TVP_TESTS_H
#define TVP_TESTS_H

#include <CUnit/CUnit.h>

extern CU_TestInfo tvp_digest_tests[];
extern CU_TestInfo tvp_xxh3_tests[];
extern CU_TestInfo tvp_gen_tests[];
extern CU_TestInfo tvp_options_tests[];
extern CU_TestInfo tvp_registry_tests[];
extern CU_TestInfo tvp_run_tests[];
extern CU_TestInfo tvp_cli_tests[];
extern CU_TestInfo tvp_fileread_tests[];

/* Helpers (test_util.c). */
#include <stddef.h>

/* A NULL-terminated, writable copy of words[0..n). */
char **tvp_test_argv(int n, const char *const *words);
void tvp_test_argv_free(char **argv);
/* Split a space-separated string into a writable argv; *argc set. */
char **tvp_test_split(const char *s, int *argc);

/* Nothing left behind by a run (test_run.c). */
void assert_no_shm_left(void);
void assert_no_child_left(void);

#endif
