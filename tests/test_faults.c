/*
 * Injected faults, timeouts and interrupts, end to end through this
 * binary's program (bin/tvp-threads or bin/tvp-processes).  The two modes
 * are expected to differ: a process can die alone and be replaced, a
 * thread's crash takes the whole program.
 *
 * tvp_test_run_words() makes the test process the child subreaper, so a
 * worker the program left running would be re-parented to us and caught.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "core/runner.h"
#include "tests.h"

/* 48 items per worker: each claims some past halfway. */
#define HASH_ARGS "hash", "--blocks", "192", "--block-size", "4K", \
	"--rounds", "2000"

static bool
processes(void)
{
	return tvp_mode_is_processes();
}

/* Run argv (argv[0] the program); nothing may be left behind. */
static int
run(const char *const *argv, int pending_signal, struct tvp_test_output *o)
{
	struct tvp_test_setup s = { .pending_signal = pending_signal };
	int status = tvp_test_run_words(argv[0], argv + 1, &s, o);

	CU_ASSERT_NOT_EQUAL(status, -1);
	return status;
}

static void
show(const char *what, int status, const struct tvp_test_output *o)
{
	fprintf(stderr, "\n%s: exit status %d\nstdout: %s\nstderr: %s\n",
	    what, status, o->out, o->err);
}

static bool
exited(int status, int code)
{
	return status == code;
}

/* As the shell shows it: 128 + the signal. */
static bool
killed_by(int status, int sig)
{
	return status == 128 + sig;
}

/* The fault-free result of the run every fault test uses. */
static void
clean_result(char *out, size_t len)
{
	const char *argv[] = { tvp_test_program(), "-j", "4", "--format",
	    "csv", HASH_ARGS, NULL };
	struct tvp_test_output o;
	int status = run(argv, 0, &o);

	CU_ASSERT_TRUE_FATAL(exited(status, 0));
	CU_ASSERT_TRUE_FATAL(tvp_test_csv_field(o.out, "result", out, len));
}

/* One fault, with or without --recover, on worker 1 of 4. */
static void
fault_run(const char *kind, bool recover)
{
	const char *argv[] = { tvp_test_program(), "-j", "4", "--format",
	    "csv", "--fault", kind, "--fault-worker", "1",
	    recover ? "--recover" : "--quick", HASH_ARGS, NULL };
	struct tvp_test_output o;
	char want[TVP_RESULT_MAX], got[TVP_RESULT_MAX], field[32];
	int status = run(argv, 0, &o);
	int sig = strcmp(kind, "crash") == 0 ? SIGSEGV :
	    strcmp(kind, "kill") == 0 ? SIGKILL : 0;
	bool ok;

	if (!processes()) {
		/* A thread cannot die alone: the whole program goes. */
		ok = sig ? killed_by(status, sig) : exited(status, 1);
		/* exit(): one line naming the worker, as processes do. */
		if (!sig) {
			CU_ASSERT_PTR_NOT_NULL(strstr(o.err, "worker 1 called "
			    "exit(1)"));
			CU_ASSERT_EQUAL(tvp_test_count_lines(o.err), 1);
		}
	} else if (!recover) {
		ok = exited(status, 1) &&
		    strstr(o.err, "worker 1 (pid") != NULL &&
		    strstr(o.err, "injected fault") != NULL;
		if (sig)
			CU_ASSERT_PTR_NOT_NULL(strstr(o.err,
			    sig == SIGSEGV ? "SIGSEGV" : "SIGKILL"));
	} else {
		clean_result(want, sizeof(want));
		ok = exited(status, 0) &&
		    tvp_test_csv_field(o.out, "result", got, sizeof(got)) &&
		    strcmp(got, want) == 0 &&
		    tvp_test_csv_field(o.out, "verified", field,
		    sizeof(field)) && strcmp(field, "yes") == 0 &&
		    tvp_test_csv_field(o.out, "died", field, sizeof(field)) &&
		    strcmp(field, "1") == 0;
		/*
		 * Whether worker 1 still held an item when it died depends on
		 * the schedule (on a busy machine it may get none past
		 * halfway); test_recover_redoes_held_item pins that down.
		 * Either way every item was done exactly once.
		 */
		CU_ASSERT_TRUE(tvp_test_csv_field(o.out, "items", field,
		    sizeof(field)) && strcmp(field, "192") == 0);
	}
	CU_ASSERT_TRUE(ok);
	if (!ok)
		show(kind, status, &o);
}

static void
test_kill(void)
{
	fault_run("kill", false);
}

static void
test_kill_recover(void)
{
	fault_run("kill", true);
}

static void
test_crash(void)
{
	fault_run("crash", false);
}

static void
test_crash_recover(void)
{
	fault_run("crash", true);
}

static void
test_exit(void)
{
	fault_run("exit", false);
}

static void
test_exit_recover(void)
{
	fault_run("exit", true);
}

/*
 * One worker alone claims every item in order, so the fault strikes at
 * item 96 (halfway), held: the replacement must redo exactly that one,
 * and the result must still be the fault-free one.
 */
static void
test_recover_redoes_held_item(void)
{
	const char *argv[] = { tvp_test_program(), "-j", "1", "--format",
	    "csv", "--fault", "kill", "--recover", HASH_ARGS, NULL };
	const char *clean[] = { tvp_test_program(), "-j", "1", "--format",
	    "csv", HASH_ARGS, NULL };
	struct tvp_test_output o;
	char want[TVP_RESULT_MAX], got[TVP_RESULT_MAX], redone[32];
	int status;

	CU_ASSERT_EQUAL_FATAL(run(clean, 0, &o), 0);
	CU_ASSERT_TRUE_FATAL(tvp_test_csv_field(o.out, "result", want,
	    sizeof(want)));
	status = run(argv, 0, &o);
	CU_ASSERT_EQUAL(status, 0);
	CU_ASSERT_TRUE(tvp_test_csv_field(o.out, "result", got, sizeof(got)) &&
	    strcmp(got, want) == 0);
	CU_ASSERT_TRUE(tvp_test_csv_field(o.out, "redone", redone,
	    sizeof(redone)) && strcmp(redone, "1") == 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.err, "redoing the item it held"));
}

/* A hung worker: --timeout ends the run with a message, in both modes. */
static void
test_hang_timeout(void)
{
	const char *argv[] = { tvp_test_program(), "-j", "3", "--timeout",
	    "1", "--fault", "hang", "--fault-worker", "2", HASH_ARGS, NULL };
	struct tvp_test_output o;
	int status = run(argv, 0, &o);
	bool ok = exited(status, 1) && strstr(o.err, "timed out") != NULL &&
	    strstr(o.err, "worker 2") != NULL;

	CU_ASSERT_TRUE(ok);
	if (!ok)
		show("hang", status, &o);
}

/* Interrupted while a worker hangs: every worker stopped, 128 + signal. */
static void
interrupted(int sig)
{
	const char *argv[] = { tvp_test_program(), "-j", "3", "--fault",
	    "hang", HASH_ARGS, NULL };
	struct tvp_test_output o;
	int status = run(argv, sig, &o);
	bool ok = exited(status, 128 + sig) &&
	    strstr(o.err, "interrupted") != NULL;

	CU_ASSERT_TRUE(ok);
	if (!ok)
		show("interrupted", status, &o);
}

static void
test_sigint(void)
{
	interrupted(SIGINT);
}

static void
test_sigterm(void)
{
	interrupted(SIGTERM);
}

static void
expect_usage(const char *const *argv, const char *message)
{
	struct tvp_test_output o;
	int status = run(argv, 0, &o);
	bool ok = exited(status, 2) && strstr(o.err, message) != NULL;

	CU_ASSERT_TRUE(ok);
	if (!ok)
		show(message, status, &o);
}

static void
test_bad_fault_options(void)
{
	const char *kind[] = { tvp_test_program(), "--fault", "melt",
	    HASH_ARGS, NULL };
	const char *worker[] = { tvp_test_program(), "-j", "2", "--fault",
	    "kill", "--fault-worker", "2", HASH_ARGS, NULL };
	const char *alone[] = { tvp_test_program(), "--fault-worker", "0",
	    HASH_ARGS, NULL };
	const char *timeout[] = { tvp_test_program(), "--timeout", "0",
	    HASH_ARGS, NULL };

	expect_usage(kind, "unknown fault 'melt'");
	expect_usage(worker, "--fault-worker 2 is not a worker");
	expect_usage(alone, "--fault-worker needs --fault");
	expect_usage(timeout, "--timeout");
}

CU_TestInfo tvp_faults_tests[] = {
	{ "kill: named, or the program dies (threads)", test_kill },
	{ "kill --recover: same result (processes)", test_kill_recover },
	{ "crash: named, or the program dies (threads)", test_crash },
	{ "crash --recover: same result (processes)", test_crash_recover },
	{ "exit: named, or the program exits (threads)", test_exit },
	{ "exit --recover: same result (processes)", test_exit_recover },
	{ "hang: --timeout ends the run", test_hang_timeout },
	{ "SIGINT: workers stopped, exit 130", test_sigint },
	{ "SIGTERM: workers stopped, exit 143", test_sigterm },
	{ "bad fault options are usage errors", test_bad_fault_options },
	CU_TEST_INFO_NULL,
};

/* As threads a killed worker takes the program: test_kill shows it. */
CU_TestInfo tvp_faults_processes_tests[] = {
	{ "--recover redoes the item the dead worker held",
	    test_recover_redoes_held_item },
	CU_TEST_INFO_NULL,
};
