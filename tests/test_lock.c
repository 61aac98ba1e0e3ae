/*
 * The lock (common/sync_lock.c): it excludes, on the workers of this
 * binary's mode; and, in its process form, a holder killed with the lock
 * held hands it to the next locker as TVP_LOCK_RECOVERED.
 */
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "core/runner.h"
#include "sync/sync.h"
#include "tests.h"

#define ROUNDS 20000

struct excl {
	struct tvp_lock lock;
	atomic_int inside;      /* workers between acquire and release */
	uint64_t count;         /* plain: only the lock protects it */
};

/*
 * Every worker takes the lock ROUNDS times; nobody may find another one
 * inside, and the unprotected read-modify-write of count must not lose
 * an update (the lock calls are opaque, so the compiler cannot merge the
 * increments into one add).
 */
static int
excl_body(void *shared, unsigned worker, unsigned nworkers)
{
	struct excl *e = shared;
	int bad = 0;

	(void)worker;
	(void)nworkers;
	for (int i = 0; i < ROUNDS; i++) {
		if (tvp_lock_acquire(&e->lock) != 0)
			bad = 1;
		if (atomic_fetch_add(&e->inside, 1) != 0)
			bad = 1;
		e->count++;
		atomic_fetch_sub(&e->inside, 1);
		tvp_lock_release(&e->lock);
	}
	return bad ? -1 : 0;
}

static void
lock_excludes(unsigned n)
{
	struct excl *e = tvp_shared_map(sizeof(*e));

	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL_FATAL(tvp_lock_init(&e->lock,
	    tvp_mode_is_processes()), 0);
	CU_ASSERT_EQUAL(tvp_test_run_workers(n, excl_body, e), 0);
	CU_ASSERT_EQUAL(e->count, (uint64_t)n * ROUNDS);
	tvp_lock_destroy(&e->lock);
	tvp_shared_unmap(e, sizeof(*e));
}

static void
test_lock_excludes_2(void)
{
	lock_excludes(2);
}

static void
test_lock_excludes_8(void)
{
	lock_excludes(8);
}

static void
test_lock_uncontended(void)
{
	struct tvp_lock lock;

	CU_ASSERT_EQUAL_FATAL(tvp_lock_init(&lock, tvp_mode_is_processes()),
	    0);
	for (int i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(tvp_lock_acquire(&lock), 0);
		tvp_lock_release(&lock);
	}
	tvp_lock_destroy(&lock);
}

/*
 * A lock outside the shared region (here a global: ordinary memory).  As
 * threads it is the one lock and excludes; as processes, fork copies it
 * into each child, and two workers hold "it" at once, which this shows
 * deterministically: worker 0 takes its copy and keeps it until worker 1
 * says it has taken its own.
 */
static struct excl private_excl;

struct both {
	atomic_int held0, got1;
};

static int
both_body(void *shared, unsigned worker, unsigned nworkers)
{
	struct both *b = shared;

	(void)nworkers;
	if (tvp_lock_acquire(&private_excl.lock) != 0)
		return -1;
	if (worker == 0) {
		atomic_store(&b->held0, 1);
		while (atomic_load(&b->got1) == 0)
			sched_yield();
	} else {
		while (atomic_load(&b->held0) == 0)
			sched_yield();
		atomic_store(&b->got1, 1);
	}
	tvp_lock_release(&private_excl.lock);
	return 0;
}

static void
test_lock_private_copy(void)
{
	struct both *b;

	CU_ASSERT_EQUAL_FATAL(tvp_lock_init(&private_excl.lock,
	    tvp_mode_is_processes()), 0);
	private_excl.count = 0;
	if (tvp_mode_is_processes()) {
		b = tvp_shared_map(sizeof(*b));
		CU_ASSERT_PTR_NOT_NULL_FATAL(b);
		/* Returns at all only because each child had its own lock. */
		CU_ASSERT_EQUAL(tvp_test_run_workers(2, both_body, b), 0);
		CU_ASSERT_EQUAL(atomic_load(&b->got1), 1);
		tvp_shared_unmap(b, sizeof(*b));
	} else {
		CU_ASSERT_EQUAL(tvp_test_run_workers(4, excl_body,
		    &private_excl), 0);
		CU_ASSERT_EQUAL(private_excl.count, 4 * ROUNDS);
	}
	tvp_lock_destroy(&private_excl.lock);
}

/* A child that takes the lock and exits with what acquire returned. */
static pid_t
locker(struct tvp_lock *lock, int tell_fd, bool hold)
{
	pid_t pid = fork();
	int rc;

	if (pid != 0)
		return pid;
	/* Should the test die, do not outlive it. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	rc = tvp_lock_acquire(lock);
	if (tell_fd >= 0 && write(tell_fd, "x", 1) != 1)
		_exit(100);
	if (hold)
		for (;;)
			pause();
	tvp_lock_release(lock);
	_exit(rc);
}

/*
 * The process form: a child takes the lock and is killed holding it.  The
 * pipe says when it holds it, so no sleep guesses.  The parent's next
 * acquire must get TVP_LOCK_RECOVERED, and the lock must then work as
 * before, for the parent and for another process.
 */
static void
test_lock_robust(void)
{
	struct tvp_lock *lock = mmap(NULL, sizeof(*lock),
	    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int fds[2], status;
	pid_t pid;
	char c;

	CU_ASSERT_FATAL(lock != MAP_FAILED);
	CU_ASSERT_EQUAL_FATAL(tvp_lock_init(lock, true), 0);
	CU_ASSERT_EQUAL_FATAL(pipe(fds), 0);
	pid = locker(lock, fds[1], true);
	CU_ASSERT_FATAL(pid > 0);
	CU_ASSERT_EQUAL(read(fds[0], &c, 1), 1);
	CU_ASSERT_EQUAL(kill(pid, SIGKILL), 0);
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	close(fds[0]);
	close(fds[1]);

	CU_ASSERT_EQUAL(tvp_lock_acquire(lock), TVP_LOCK_RECOVERED);
	tvp_lock_release(lock);
	CU_ASSERT_EQUAL(tvp_lock_acquire(lock), 0);
	tvp_lock_release(lock);
	pid = locker(lock, -1, false);
	CU_ASSERT_FATAL(pid > 0);
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	tvp_lock_destroy(lock);
	munmap(lock, sizeof(*lock));
	assert_no_child_left();
}

CU_TestInfo tvp_lock_tests[] = {
	{ "lock, uncontended", test_lock_uncontended },
	{ "lock excludes, 2 workers", test_lock_excludes_2 },
	{ "lock excludes, 8 workers", test_lock_excludes_8 },
	{ "lock outside the shared region: private copy per process",
	    test_lock_private_copy },
	CU_TEST_INFO_NULL,
};

/*
 * The process form only: it is what the processes runner uses.  (A thread
 * cannot die alone holding a lock; its crash ends them all.)
 */
CU_TestInfo tvp_lock_processes_tests[] = {
	{ "lock held by a killed process is recovered", test_lock_robust },
	CU_TEST_INFO_NULL,
};
