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
extern CU_TestInfo tvp_faults_tests[];
extern CU_TestInfo tvp_queue_tests[];
extern CU_TestInfo tvp_semaphore_tests[];
extern CU_TestInfo tvp_lock_tests[];
extern CU_TestInfo tvp_event_tests[];
extern CU_TestInfo tvp_counter_tests[];
extern CU_TestInfo tvp_pingpong_tests[];
extern CU_TestInfo tvp_spawn_tests[];
extern CU_TestInfo tvp_background_tests[];
extern CU_TestInfo tvp_badinput_tests[];

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
#include <stdbool.h>
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

/* "./bin/tvp-threads" or "./bin/tvp-processes": this binary's mode. */
const char *tvp_test_program(void);

struct tvp_test_output {
	char out[16384], err[8192];
	size_t outlen, errlen;
};

/*
 * Run argv (argv[0] the program) to its end with stdout and stderr
 * captured; return its raw wait status (WIFEXITED etc.), or -1.  With
 * pending_signal non-zero, the program starts with that signal blocked and
 * already pending: the signal has "arrived" by the time the program can
 * look, which makes an interrupted run deterministic to test (tvp blocks
 * SIGINT/SIGTERM itself and takes them at its first wait).
 */
int tvp_test_run_program(const char *const *argv, int pending_signal,
    struct tvp_test_output *o);

/* The field `name` of the first row of CSV text with a header line. */
bool tvp_test_csv_field(const char *csv, const char *name, char *out,
    size_t len);

#endif
