/* The test arrays of every test file, collected by test_main.c. */
#ifndef TVP_TESTS_H
#define TVP_TESTS_H

#include <CUnit/CUnit.h>

#ifdef __clang_analyzer__
#include <stdlib.h>
/*
 * For `make lint` only: a failed CU_ASSERT_*_FATAL longjmps out of the
 * test, which clang's analyzer cannot see, so it would report every use
 * of a pointer after a fatal NULL check as a NULL dereference.  Here a
 * fatal failure visibly ends the test.
 */
#undef CU_assertImplementation
#define CU_assertImplementation(value, line, cond, file, fn, fatal) \
	((void)((value) || !(fatal) || (abort(), 0)))
#endif

extern CU_TestInfo tvp_digest_tests[];
extern CU_TestInfo tvp_xxh3_tests[];
extern CU_TestInfo tvp_gen_tests[];
extern CU_TestInfo tvp_options_tests[];
extern CU_TestInfo tvp_registry_tests[];
extern CU_TestInfo tvp_run_tests[];
extern CU_TestInfo tvp_cli_tests[];
extern CU_TestInfo tvp_fileread_tests[];

/*
 * Where the programs under test are: the Makefile passes the bin directory
 * of the same build (bin, or build-asan/bin for `make asan check`), so a
 * sanitized test binary runs sanitized programs.  Relative to the
 * repository root, where `make check` runs.
 */
#ifndef TVP_BINDIR
#define TVP_BINDIR "bin"
#endif

/* Helpers (test_util.c). */
#include <stddef.h>

/* A NULL-terminated, writable copy of words[0..n). */
char **tvp_test_argv(int n, const char *const *words);
void tvp_test_argv_free(char **argv);
/* Split a space-separated string into a writable argv; *argc set. */
char **tvp_test_split(const char *s, int *argc);

/* Nothing left behind by a run. */
void assert_no_shm_left(void);
void assert_no_child_left(void);

struct tvp_record;
/*
 * Run `workload` with space-separated `args` on `workers` workers through
 * tvp_execute and this binary's runner; asserts that nothing of the run
 * is left behind, and returns its exit status.
 */
int tvp_test_execute(const char *workload, unsigned workers,
    const char *args, struct tvp_record *rec);

/*
 * Run body(shared, worker, nworkers) on nworkers workers of this binary's
 * mode (threads or processes), through the real runner.  `shared` must
 * come from tvp_shared_map() for the processes to share it.  Returns 0 if
 * every body returned 0, else TVP_EXIT_FAIL; asserts nothing is left.
 */
int tvp_test_run_workers(unsigned nworkers,
    int (*body)(void *shared, unsigned worker, unsigned nworkers),
    void *shared);

#endif
