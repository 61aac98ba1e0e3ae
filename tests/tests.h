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
#include <sys/resource.h>
#include <sys/types.h>

/* A NULL-terminated, writable copy of words[0..n). */
char **tvp_test_argv(int n, const char *const *words);
void tvp_test_argv_free(char **argv);
/* Split a space-separated string into a writable argv; *argc set. */
char **tvp_test_split(const char *s, int *argc);

/* Nothing left behind by a run. */
void assert_no_shm_left(void);
void assert_no_child_left(void);

struct tvp_record;
struct tvp_run;
/*
 * Set run up for `workload` on `workers` workers with space-separated
 * `args`, as the command line would (tvp_run_init): 0, or 2 after one
 * line naming the bad option.  tvp_run_free() it after.
 */
int tvp_test_run_init(struct tvp_run *run, const char *workload,
    unsigned workers, const char *args);
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

/* TVP_BINDIR "/tvp-threads" or "/tvp-processes": this binary's mode. */
const char *tvp_test_program(void);

struct tvp_test_output {
	char out[16384], err[8192];
	size_t outlen, errlen;
};

/* What the forked child does to itself before it execs the program. */
struct tvp_test_setup {
	bool nobody;          /* drop to uid/gid 65534 */
	rlim_t nproc;         /* RLIMIT_NPROC, 0: unchanged */
	rlim_t fsize;         /* RLIMIT_FSIZE, 0: unchanged */
	rlim_t address_space; /* RLIMIT_AS, 0: unchanged */
	rlim_t nofile, nofile_hard; /* RLIMIT_NOFILE soft, hard; 0: unchanged */
	/*
	 * Non-zero: the program starts with this signal blocked and already
	 * pending, so it has "arrived" by the time the program can look.
	 * That makes an interrupted run deterministic to test (tvp blocks
	 * SIGINT/SIGTERM itself and takes them at its first wait).
	 */
	int pending_signal;
	/*
	 * Non-zero: the program starts with this signal's disposition
	 * SIG_IGN, as under nohup or in a script's background job.  Set
	 * before pending_signal is raised, which is then queued (blocked
	 * signals are not discarded), as one sent during the run would be.
	 */
	int ignore_signal;
	/*
	 * Non-zero: SIGALRM after this many seconds (alarm survives exec):
	 * a program that would hang ends, and the test fails, not hangs.
	 */
	unsigned alarm_s;
	/* Standard output to this file (say /dev/full), or closed. */
	const char *stdout_file;
	bool stdout_closed;
	/*
	 * Non-zero: the child first touches this many MiB of memory, so the
	 * program is exec'd by a process with that large a peak RSS.
	 */
	size_t touch_mib;
};

/*
 * Run path with argv (NULL-terminated, argv[0] included), after setup s
 * (may be NULL), stdout and stderr captured.  Returns the exit status,
 * 128+N for death by signal N, or -1.  The test process is the child
 * subreaper meanwhile, so any process the program left behind comes back
 * to it: asserts there is none, and no /dev/shm entry of the program.
 */
int tvp_test_run_argv(const char *path, char *const *argv,
    const struct tvp_test_setup *s, struct tvp_test_output *o);
/* The same, with words: the arguments after argv[0], NULL-terminated. */
int tvp_test_run_words(const char *path, const char *const *words,
    const struct tvp_test_setup *s, struct tvp_test_output *o);

/*
 * Which task a worker is (its process and thread ids), so that another
 * worker can tell whether it is blocked.
 */
struct tvp_test_task {
	pid_t pid, tid;
};
void tvp_test_whoami(struct tvp_test_task *t);
/*
 * Wait until task t is asleep in the kernel (state S in /proc), at most
 * 10 s; false if it never was.  For a test to show that a worker is
 * really blocked in a wait, not merely about to wait.
 */
bool tvp_test_wait_asleep(const struct tvp_test_task *t);

/* Remove a directory tree the test made (rm -rf, without a shell). */
void tvp_test_rm_rf(const char *path);

/* How many lines s holds. */
size_t tvp_test_count_lines(const char *s);

/* Entries of dir whose names start with prefix ("" for all but . ..). */
int tvp_test_count_entries(const char *dir, const char *prefix);

/*
 * Run path with words after setup s (may be NULL) and check: exit status
 * `want`, stderr holding `msg`, and (lines > 0) exactly that many lines
 * on stderr.  Prints the case when it fails.
 */
void tvp_test_expect(const char *path, const char *const *words,
    const struct tvp_test_setup *s, int want, const char *msg, size_t lines);

/* A bad command line, and what the program must say. */
struct tvp_test_bad {
	const char *words[16];
	int status;
	const char *msg;
};

/* tvp_test_expect every entry of t (ended by msg NULL), one line each. */
void tvp_test_expect_table(const char *path, const struct tvp_test_bad *t);

/*
 * The value of the metric `name` in rec; -1 (and a failed assertion) if
 * the record has none of that name.
 */
double tvp_test_metric(const struct tvp_record *rec, const char *name);

/* Split one CSV line (RFC 4180) into fields: their count, or -1. */
#define TVP_TEST_FIELDS 96
#define TVP_TEST_FIELD_MAX 600
int tvp_test_csv_split(const char *line,
    char fields[][TVP_TEST_FIELD_MAX], int max);

/* The field `name` of the first row of CSV text with a header line. */
bool tvp_test_csv_field(const char *csv, const char *name, char *out,
    size_t len);

/*
 * True in the TSan build's processes mode, where background cannot run:
 * its Q process (forked from a program with threads) ends its main
 * thread with pthread_exit and lives on in another, and TSan's runtime
 * fails a CHECK there (tid < kMaxTid); doc/checkers.md.  Says so on
 * stderr; the caller skips that run.
 */
bool tvp_test_tsan_skips_background(void);

/*
 * The children of ppid, from /proc (their parent field): up to max pids
 * into out; how many.
 */
#define TVP_TEST_CHILDREN_MAX 8192
size_t tvp_test_children(pid_t ppid, pid_t *out, size_t max);

#endif
