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

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

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

CU_TestInfo tvp_signals_tests[] = {
	{ "a signal ignored at start is not acted on", test_ignored_at_start },
	{ "workers keep an inherited SIG_IGN", test_ignored_in_workers },
	{ "SIGCHLD ignored at start: workers still reaped",
	    test_sigchld_ignored_at_start },
	CU_TEST_INFO_NULL,
};
