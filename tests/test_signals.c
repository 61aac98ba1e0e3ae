/*
 * Signals, end to end: what the program does with SIGINT and SIGTERM in
 * every phase of a run, and with dispositions it inherits.
 *
 * A signal that "arrives during the run" is made deterministic by
 * starting the program with it blocked and already pending
 * (tvp_test_setup.pending_signal): tvp holds SIGINT/SIGTERM itself and
 * looks at its first wait.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "core/execute.h"
#include "core/registry.h"
#include "core/runner.h"
#include "tests.h"

#define HASH_SMALL "hash", "--blocks", "8", "--block-size", "1K", \
	"--rounds", "10"

static void
show(const char *what, int status, const struct tvp_test_output *o)
{
	fprintf(stderr, "\n%s: exit status %d\nstdout: %s\nstderr: %s\n",
	    what, status, o->out, o->err);
}

/* words run to a verified record, exit 0, under setup s. */
static void
expect_verified(const char *what, const char *const *words,
    const struct tvp_test_setup *s)
{
	struct tvp_test_output o;
	int status = tvp_test_run_words(tvp_test_program(), words, s, &o);
	char verdict[32] = "";
	bool ok = status == 0 && tvp_test_csv_field(o.out, "verdict",
	    verdict, sizeof(verdict)) && strcmp(verdict, "verified") == 0;

	CU_ASSERT_TRUE(ok);
	if (!ok)
		show(what, status, &o);
}

/*
 * A signal whose disposition was SIG_IGN when the program started (nohup,
 * a background job of a script) is not acted on, even when it comes
 * while tvp holds the others: blocked, an ignored signal is still queued,
 * and sigtimedwait would take it.  In the run and in dataset generation.
 */
static void
test_ignored_at_start(void)
{
	static const int sigs[] = { SIGINT, SIGTERM };
	static const char *const hash[] = { "-j", "2", "--format", "csv",
	    HASH_SMALL, NULL };
	char dir[] = "/tmp/tvp-signals-XXXXXX";
	const char *gen[] = { "-j", "2", "--format", "csv", "fileread",
	    "--cache-dir", dir, "--files", "20", "--file-size", "1000", NULL };

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct tvp_test_setup s = { .ignore_signal = sigs[i],
		    .pending_signal = sigs[i] };

		expect_verified("hash, signal ignored and pending", hash, &s);
		expect_verified("fileread generation, signal ignored and "
		    "pending", gen, &s);
		/* A new dataset each time: generation is what is tested. */
		tvp_test_rm_rf(dir);
		CU_ASSERT_FATAL(mkdir(dir, 0700) == 0);
	}
	tvp_test_rm_rf(dir);
}

/* Each worker sees SIGINT and SIGTERM still ignored. */
static int
still_ignored(void *shared, unsigned worker, unsigned nworkers)
{
	struct sigaction sa;

	(void)shared;
	(void)worker;
	(void)nworkers;
	if (sigaction(SIGINT, NULL, &sa) != 0 || sa.sa_handler != SIG_IGN)
		return 1;
	if (sigaction(SIGTERM, NULL, &sa) != 0 || sa.sa_handler != SIG_IGN)
		return 1;
	return 0;
}

/* Workers (processes of their own in that mode) keep an inherited SIG_IGN. */
static void
test_ignored_in_workers(void)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, old_int, old_term;

	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGTERM, &ign, &old_term);
	CU_ASSERT_EQUAL(tvp_test_run_workers(3, still_ignored, NULL), 0);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
}

/*
 * SIGCHLD ignored at start would have the kernel reap every child itself,
 * and a runner waiting to reap its workers would wait for ever: tvp puts
 * the default back.  (The alarm ends a hang as a failure.)
 */
static void
test_sigchld_ignored_at_start(void)
{
	static const struct tvp_test_setup s = { .ignore_signal = SIGCHLD,
	    .alarm_s = 60 };
	static const char *const hash[] = { "-j", "2", "--format", "csv",
	    HASH_SMALL, NULL };
	static const char *const spawn[] = { "-j", "2", "--format", "csv",
	    "spawn", "--count", "20", NULL };

	expect_verified("hash, SIGCHLD ignored", hash, &s);
	expect_verified("spawn, SIGCHLD ignored", spawn, &s);
}

/*
 * A signal in each phase of a run, made deterministic: a copy of a
 * workload whose hook raises the signal at that point and then does the
 * real work.  Run through tvp_execute in a forked child, which may end
 * by the signal (the failure this tests against) or by the handler.
 */
enum phase { IN_SETUP, AFTER_SETUP, IN_WORK, IN_FINISH, IN_VERIFY,
    IN_TEARDOWN };
static enum phase phase;
static int phase_signal;
static const struct tvp_workload *real;

static int
hooked_setup(struct tvp_run *run)
{
	int rc;

	if (phase == IN_SETUP)
		raise(phase_signal);
	rc = real->setup(run);
	if (phase == AFTER_SETUP)
		raise(phase_signal);
	return rc;
}

/*
 * IN_WORK: every worker, at its first item, sends the signal to the
 * program (the parent, for a worker process) and then never returns, as
 * a worker busy for long would not: the runner must stop the run with
 * them still at work.
 */
static int
hooked_item(struct tvp_run *run, size_t item, unsigned worker,
    void *result, uint64_t *bytes)
{
	if (phase == IN_WORK) {
		kill(tvp_mode_is_processes() ? getppid() : getpid(),
		    phase_signal);
		for (;;)
			pause();
	}
	return real->item(run, item, worker, result, bytes);
}

static int
hooked_finish(struct tvp_run *run)
{
	if (phase == IN_FINISH)
		raise(phase_signal);
	return real->finish(run);
}

static enum tvp_verdict
hooked_verify(struct tvp_run *run)
{
	if (phase == IN_VERIFY)
		raise(phase_signal);
	return real->verify(run);
}

static void
hooked_teardown(struct tvp_run *run)
{
	if (phase == IN_TEARDOWN)
		raise(phase_signal);
	real->teardown(run);
}

/*
 * Run workload `name`, hooked, in a child: its wait status, and its
 * stderr in err.
 */
static int
run_hooked(const char *name, unsigned workers, const char *args, char *err,
    size_t errlen)
{
	struct tvp_workload wl = *tvp_workload_find(name);
	char tmpl[] = "/tmp/tvp-signals-err-XXXXXX";
	int fd = mkstemp(tmpl), status = -1;
	pid_t pid;
	ssize_t n;

	CU_ASSERT_FATAL(fd >= 0);
	unlink(tmpl);
	real = tvp_workload_find(name);
	wl.setup = hooked_setup;
	if (wl.item != NULL)
		wl.item = hooked_item;
	wl.finish = hooked_finish;
	wl.verify = hooked_verify;
	wl.teardown = hooked_teardown;
	fflush(NULL);
	if ((pid = fork()) == 0) {
		struct tvp_run run = { .nworkers = workers };
		struct tvp_record rec;
		int argc;
		char **argv = tvp_test_split(args, &argc);

		dup2(fd, STDERR_FILENO);
		if (argv == NULL || tvp_run_init(&run, &wl, false, argc,
		    argv) != 0)
			_exit(99);
		_exit(tvp_execute(&run, &rec));
	}
	CU_ASSERT_FATAL(pid > 0);
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	n = pread(fd, err, errlen - 1, 0);
	err[n > 0 ? n : 0] = '\0';
	close(fd);
	return status;
}

/* Ended with exit 128 + sig (not killed by it), saying so in stderr. */
static void
expect_interrupted(const char *what, int status, int sig, const char *err,
    const char *msg)
{
	bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 128 + sig &&
	    strstr(err, msg) != NULL;

	CU_ASSERT_TRUE(ok);
	if (!ok)
		fprintf(stderr, "\n%s: wait status %#x (%s %d), stderr:\n%s"
		    "(want exit %d and '%s')\n", what, (unsigned)status,
		    WIFSIGNALED(status) ? "killed by signal" : "exit",
		    WIFSIGNALED(status) ? WTERMSIG(status) :
		    WEXITSTATUS(status), err, 128 + sig, msg);
}

/*
 * Ctrl-C during dataset generation: the dataset is removed and the
 * program exits 130.  The signal must be taken, or it kills the program
 * when the mask is restored, after the message.
 */
static void
test_signal_while_generating(void)
{
	char dir[] = "/tmp/tvp-signals-XXXXXX", args[128], err[4096];
	int status;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(args, sizeof(args), "--cache-dir %s --files 50 --file-size "
	    "1000", dir);
	phase = IN_SETUP;
	phase_signal = SIGINT;
	status = run_hooked("fileread", 2, args, err, sizeof(err));
	expect_interrupted("generation", status, SIGINT, err,
	    "interrupted by SIGINT while generating the dataset");
	CU_ASSERT_EQUAL(tvp_test_count_entries(dir, ""), 0);
	tvp_test_rm_rf(dir);
}

/* A signal in each other phase: 128 + the signal, one line naming it. */
static void
test_signal_in_each_phase(void)
{
	static const char args[] = "--blocks 8 --block-size 1K --rounds 10";
	static const struct {
		enum phase phase;
		int sig;
		const char *what, *msg;
	} cases[] = {
		{ AFTER_SETUP, SIGTERM, "end of setup",
		    "interrupted by SIGTERM before the workers started" },
		{ IN_FINISH, SIGINT, "finish",
		    "interrupted by SIGINT after the workers ended" },
		{ IN_VERIFY, SIGTERM, "verify", "interrupted by SIGTERM" },
		{ IN_TEARDOWN, SIGINT, "teardown", "interrupted by SIGINT" },
	};
	char err[4096];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int status;

		phase = cases[i].phase;
		phase_signal = cases[i].sig;
		status = run_hooked("hash", 2, args, err, sizeof(err));
		expect_interrupted(cases[i].what, status, cases[i].sig, err,
		    cases[i].msg);
		CU_ASSERT_EQUAL(tvp_test_count_lines(err), 1);
	}
}

/*
 * A signal while the workers are at work, every one of them busy: 128 +
 * the signal and one line, however many workers (threads mode, which
 * cannot stop its threads, listed each on a line of its own: 66 lines
 * here).
 */
static void
test_signal_while_working(void)
{
	static const char args[] = "--blocks 256 --block-size 1K --rounds 10";
	char err[8192];
	int status;

	phase = IN_WORK;
	phase_signal = SIGTERM;
	status = run_hooked("hash", 64, args, err, sizeof(err));
	expect_interrupted("work", status, SIGTERM, err,
	    "interrupted by SIGTERM");
	CU_ASSERT_EQUAL(tvp_test_count_lines(err), 1);
	if (tvp_test_count_lines(err) != 1)
		fprintf(stderr, "\nwork: stderr:\n%s", err);
}

/*
 * A signal taken while the workers are stopped after a failed start (no
 * processes left to fork, as nobody under RLIMIT_NPROC) is not lost: the
 * run ends 130, not 1.
 */
static void
test_signal_while_stopping(void)
{
	static const struct tvp_test_setup s = { .nobody = true, .nproc = 8,
	    .pending_signal = SIGINT };
	static const char *const words[] = { "-j", "64", "hash", "--blocks",
	    "64", "--block-size", "64", "--rounds", "1", NULL };
	struct tvp_test_output o;
	int status = tvp_test_run_words(tvp_test_program(), words, &s, &o);

	CU_ASSERT_EQUAL(status, 130);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.err, "interrupted by SIGINT"));
	if (status != 130)
		show("stopping after a failed start", status, &o);
}

CU_TestInfo tvp_signals_tests[] = {
	{ "a signal ignored at start is not acted on", test_ignored_at_start },
	{ "workers keep an inherited SIG_IGN", test_ignored_in_workers },
	{ "SIGCHLD ignored at start: workers still reaped",
	    test_sigchld_ignored_at_start },
	{ "Ctrl-C while generating a dataset: exit 130, nothing left",
	    test_signal_while_generating },
	{ "a signal after setup, in finish, verify, teardown: 128+N",
	    test_signal_in_each_phase },
	{ "a signal while every worker is busy: 128+N, one line",
	    test_signal_while_working },
	{ "a signal while stopping workers is not lost",
	    test_signal_while_stopping },
	CU_TEST_INFO_NULL,
};
