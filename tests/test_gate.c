/*
 * The start gate (common/core/worker.c), in this binary's mode: it holds
 * every worker until all exist and then lets all of them through; a
 * worker asleep at it is woken by the opening or sent home by an abort;
 * and (processes) a parent killed while its workers wait or work leaves
 * none behind.
 */
#define _GNU_SOURCE /* PR_SET_CHILD_SUBREAPER */
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "core/control.h"
#include "core/execute.h"
#include "core/runner.h"
#include "lib/clock.h"
#include "tests.h"

/* ---- through the runner: nobody begins before the gate opened -------- */

struct begun {
	_Atomic unsigned bodies;    /* bodies that ran */
	_Atomic unsigned early;     /* ... of which before the gate opened */
};

static struct begun *begun;

/*
 * The runner opens the gate only once it has started every worker, so
 * a body that finds it still closed was let through early.
 */
static int
gate_check_work(struct tvp_run *run, unsigned worker)
{
	(void)worker;
	if (atomic_load(&run->ctl->gate) != TVP_GATE_OPEN)
		atomic_fetch_add(&begun->early, 1);
	atomic_fetch_add(&begun->bodies, 1);
	return 0;
}

static enum tvp_verdict
gate_check_verify(struct tvp_run *run)
{
	(void)run;
	return TVP_VERDICT_VERIFIED;
}

static const struct tvp_workload gate_check = {
	.name = "gatecheck",
	.kind = "test",
	.summary = "every worker notes whether the gate was open",
	.work = gate_check_work,
	.verify = gate_check_verify,
};

static void
run_gate_check(unsigned n)
{
	struct tvp_optval vals[1] = { { 0 } };
	struct tvp_run run = { .wl = &gate_check, .opts = vals,
	    .nworkers = n, .timeout_s = 60 };
	struct tvp_record rec;

	begun = tvp_shared_map(sizeof(*begun));
	CU_ASSERT_PTR_NOT_NULL_FATAL(begun);
	CU_ASSERT_EQUAL(tvp_execute(&run, &rec), 0);
	CU_ASSERT_EQUAL(atomic_load(&begun->bodies), n);
	CU_ASSERT_EQUAL(atomic_load(&begun->early), 0);
	assert_no_child_left();
	tvp_shared_unmap(begun, sizeof(*begun));
}

/*
 * 1 worker; 7 (a prime, more than the cores); 64, a start long enough
 * that early workers are surely asleep at the gate and must be woken by
 * its opening.
 */
static void
test_gate_releases_all(void)
{
	run_gate_check(1);
	run_gate_check(7);
	run_gate_check(64);
}

/* ---- one worker asleep at the gate, then opened or aborted ----------- */

struct waiter {
	struct tvp_test_task task;  /* set once it runs */
	_Atomic int started;
	_Atomic int worked;         /* its body ran */
	int rc;                     /* what tvp_worker_main returned */
};

static struct waiter *waiter;

static int
waiter_work(struct tvp_run *run, unsigned worker)
{
	(void)run;
	(void)worker;
	atomic_store(&waiter->worked, 1);
	return 0;
}

static const struct tvp_workload waiter_wl = {
	.name = "waiter",
	.kind = "test",
	.summary = "one worker, waiting at the gate",
	.work = waiter_work,
	.verify = gate_check_verify,
};

static void *
waiter_main(void *arg)
{
	struct tvp_run *run = arg;

	tvp_test_whoami(&waiter->task);
	atomic_store(&waiter->started, 1);
	waiter->rc = tvp_worker_main(run, 0);
	return NULL;
}

/*
 * Start one worker (a thread or a child, as this binary's mode), let it
 * fall asleep at the closed gate, then open or abort the gate.
 */
static void
gate_wake(bool open)
{
	struct tvp_optval vals[1] = { { 0 } };
	struct tvp_run run = { .wl = &waiter_wl, .opts = vals, .nworkers = 1 };
	pthread_t tid;
	pid_t pid = 0;
	int status;

	waiter = tvp_shared_map(sizeof(*waiter));
	CU_ASSERT_PTR_NOT_NULL_FATAL(waiter);
	run.ctl = tvp_control_create(1, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(run.ctl);
	if (tvp_mode_is_processes()) {
		fflush(NULL);
		if ((pid = fork()) == 0) {
			waiter_main(&run);
			_exit(waiter->rc == 0 ? 0 : 1);
		}
		CU_ASSERT_FATAL(pid > 0);
	} else {
		CU_ASSERT_FATAL(pthread_create(&tid, NULL, waiter_main,
		    &run) == 0);
	}
	while (!atomic_load(&waiter->started))
		sched_yield();
	/* Asleep in the kernel, on the gate word. */
	CU_ASSERT_TRUE(tvp_test_wait_asleep(&waiter->task));
	CU_ASSERT_EQUAL(atomic_load(&waiter->worked), 0);
	if (open)
		tvp_gate_open(run.ctl);
	else
		tvp_gate_abort(run.ctl);
	if (pid > 0) {
		CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
		CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	} else {
		CU_ASSERT_EQUAL(pthread_join(tid, NULL), 0);
	}
	CU_ASSERT_EQUAL(waiter->rc, 0);
	CU_ASSERT_EQUAL(atomic_load(&waiter->worked), open ? 1 : 0);
	CU_ASSERT_EQUAL(run.ctl->slot[0].t_begin != 0, open);
	tvp_control_destroy(run.ctl);
	tvp_shared_unmap(waiter, sizeof(*waiter));
}

static void
test_gate_open_wakes_a_sleeper(void)
{
	gate_wake(true);
}

static void
test_gate_abort_sends_a_sleeper_home(void)
{
	gate_wake(false);
}

/* ---- processes: a parent killed leaves no worker ---------------------- */

/* Does process pid's command line read "...: worker K of N (hash)"? */
static bool
has_title(pid_t pid)
{
	char path[64], buf[256];
	size_t n;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%ld/cmdline", (long)pid);
	if ((fp = fopen(path, "r")) == NULL)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	return strstr(buf, ": worker ") != NULL &&
	    strstr(buf, "(hash)") != NULL;
}

/*
 * How many processes have ppid as their parent (and, if `titled`, show
 * the title --name-workers gives, "tvp-processes: worker K of N");
 * SIGKILL them if asked.
 */
static unsigned
children_of(pid_t ppid, bool titled, bool kill_them)
{
	static pid_t kids[TVP_TEST_CHILDREN_MAX];
	size_t n = tvp_test_children(ppid, kids, TVP_TEST_CHILDREN_MAX);
	unsigned counted = 0;

	for (size_t i = 0; i < n; i++) {
		counted += !titled || has_title(kids[i]);
		if (kill_them)
			kill(kids[i], SIGKILL);
	}
	return counted;
}

/*
 * SIGKILL the program once `wanted` of its workers exist (while the
 * others are still being forked, or once all work); every worker must
 * then end too, wherever it was: at the gate or in the middle of an
 * item.  We are the child subreaper, so the orphans come to us to be
 * counted.
 */
static void
kill_parent_when(const char *workers, unsigned wanted, bool titled)
{
	const char *argv[] = { tvp_test_program(), "-j", workers, "hash",
	    "--blocks", "64", "--block-size", "4K", "--rounds", "100000000",
	    NULL, NULL };
	uint64_t deadline = tvp_now_ns() + 20 * 1000000000ULL;
	unsigned reaped = 0, ended_right = 0;
	pid_t pid, p;
	int status;

	if (titled) {
		memmove(argv + 4, argv + 3, 8 * sizeof(*argv));
		argv[3] = "--name-workers";
	}
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	fflush(NULL);
	if ((pid = fork()) == 0) {
		execv(argv[0], (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	CU_ASSERT_FATAL(pid > 0);
	while (children_of(pid, titled, false) < wanted &&
	    tvp_now_ns() < deadline)
		sched_yield();
	CU_ASSERT(children_of(pid, titled, false) >= wanted);
	kill(pid, SIGKILL);
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	/* The workers, now ours: each must end, at once. */
	while (tvp_now_ns() < deadline) {
		p = waitpid(-1, &status, WNOHANG);
		if (p < 0 && errno == ECHILD)
			break;
		if (p <= 0) {
			const struct timespec ms = { 0, 1000000 };

			nanosleep(&ms, NULL);
			continue;
		}
		reaped++;
		/*
		 * SIGKILL from PR_SET_PDEATHSIG; or, for a child forked just
		 * before its parent died and too late to be told, its own
		 * check of getppid(): exit 1.
		 */
		if ((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) ||
		    (WIFEXITED(status) && WEXITSTATUS(status) == 1))
			ended_right++;
		else
			fprintf(stderr, "worker %ld: wait status %#x\n",
			    (long)p, (unsigned)status);
	}
	CU_ASSERT(reaped >= wanted);
	CU_ASSERT_EQUAL(ended_right, reaped);
	/* A worker that outlived its parent is a failure: end it here. */
	if (waitpid(-1, NULL, WNOHANG) == 0) {
		CU_FAIL("a worker outlived its parent");
		children_of(getpid(), false, true);
		while (waitpid(-1, NULL, 0) > 0)
			;
	}
	prctl(PR_SET_CHILD_SUBREAPER, 0);
}

static void
test_parent_killed_while_starting(void)
{
	/* Killed once 2 of 200 exist: they wait at the gate. */
	kill_parent_when("200", 2, false);
}

static void
test_parent_killed_while_working(void)
{
	/*
	 * Killed once all 3 exist and have named themselves (--name-workers:
	 * "worker K of 3 (hash)" in ps): past the gate, they hash, for
	 * minutes.
	 */
	kill_parent_when("3", 3, true);
}

CU_TestInfo tvp_gate_tests[] = {
	{ "the gate lets every worker through, none early (1, 7, 64)",
	    test_gate_releases_all },
	{ "opening the gate wakes a worker asleep at it",
	    test_gate_open_wakes_a_sleeper },
	{ "aborting the gate sends a sleeping worker home unworked",
	    test_gate_abort_sends_a_sleeper_home },
	CU_TEST_INFO_NULL,
};

CU_TestInfo tvp_gate_processes_tests[] = {
	{ "parent killed while workers wait at the gate: none left",
	    test_parent_killed_while_starting },
	{ "parent killed while named workers work: none left",
	    test_parent_killed_while_working },
	CU_TEST_INFO_NULL,
};
