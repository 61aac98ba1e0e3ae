/*
 * The event (common/sync_event.c): one set wakes every waiter, on the
 * workers of this binary's mode; a timed wait times out when nobody sets
 * it and returns at once when it is set; clear makes it unset again.
 */
#include <sched.h>
#include <stdatomic.h>

#include <CUnit/CUnit.h>

#include "lib/clock.h"
#include "core/runner.h"
#include "sync/sync.h"
#include "tests.h"

/* Long enough never to expire on a correct event, however busy the box. */
#define GENEROUS_NS (10ull * 1000000000u)

struct wake {
	struct tvp_event ev;
	atomic_uint announced;  /* waiters about to wait */
	atomic_uint woken;      /* waiters that saw the event set */
	struct tvp_test_task waiter[16];
};

/*
 * Worker 0 sets the event once the kernel says every other worker is
 * asleep in its wait (/proc), so the one broadcast must wake them all.
 * The waits have a timeout so that an event that forgets a waiter fails
 * this test instead of hanging it.
 */
static int
wake_body(void *shared, unsigned worker, unsigned nworkers)
{
	struct wake *w = shared;
	uint64_t t0;

	if (worker == 0) {
		/*
		 * On the others' word, not a guessed delay; yielding so
		 * that they get the CPU sooner.
		 */
		while (atomic_load(&w->announced) < nworkers - 1)
			sched_yield();
		for (unsigned k = 1; k < nworkers; k++)
			if (!tvp_test_wait_asleep(&w->waiter[k]))
				return -1;
		tvp_event_set(&w->ev);
		return 0;
	}
	tvp_test_whoami(&w->waiter[worker]);
	atomic_fetch_add(&w->announced, 1);
	t0 = tvp_now_ns();
	/*
	 * A waiter the set forgot returns at its deadline, and true, since
	 * the event is set by then: so the time tells it apart, with a
	 * margin of seconds against microseconds.
	 */
	if (!tvp_event_timedwait(&w->ev, GENEROUS_NS) ||
	    tvp_now_ns() - t0 >= GENEROUS_NS)
		return -1;
	atomic_fetch_add(&w->woken, 1);
	return 0;
}

static void
set_wakes_all(unsigned n)
{
	struct wake *w = tvp_shared_map(sizeof(*w));

	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_EQUAL_FATAL(tvp_event_init(&w->ev,
	    tvp_mode_is_processes()), 0);
	CU_ASSERT_EQUAL(tvp_test_run_workers(n, wake_body, w), 0);
	CU_ASSERT_EQUAL(atomic_load(&w->woken), n - 1);
	CU_ASSERT_TRUE(tvp_event_is_set(&w->ev));
	tvp_event_destroy(&w->ev);
	tvp_shared_unmap(w, sizeof(*w));
}

static void
test_event_set_wakes_all_4(void)
{
	set_wakes_all(4);
}

static void
test_event_set_wakes_all_16(void)
{
	set_wakes_all(16);
}

static void
test_event_timedwait_times_out(void)
{
	struct tvp_event ev;
	uint64_t t0, timeout = 20 * 1000000;

	CU_ASSERT_EQUAL_FATAL(tvp_event_init(&ev, tvp_mode_is_processes()),
	    0);
	CU_ASSERT_FALSE(tvp_event_is_set(&ev));
	t0 = tvp_now_ns();
	CU_ASSERT_FALSE(tvp_event_timedwait(&ev, timeout));
	/* A lower bound POSIX guarantees, not a speed expectation. */
	CU_ASSERT(tvp_now_ns() - t0 >= timeout);
	CU_ASSERT_FALSE(tvp_event_timedwait(&ev, 0));
	tvp_event_destroy(&ev);
}

static void
test_event_set_and_clear(void)
{
	struct tvp_event ev;

	CU_ASSERT_EQUAL_FATAL(tvp_event_init(&ev, tvp_mode_is_processes()),
	    0);
	tvp_event_set(&ev);
	CU_ASSERT_TRUE(tvp_event_is_set(&ev));
	/* Already set: no waiting at all, even with no time allowed. */
	CU_ASSERT_TRUE(tvp_event_timedwait(&ev, 0));
	CU_ASSERT_TRUE(tvp_event_timedwait(&ev, GENEROUS_NS));
	tvp_event_wait(&ev);
	/* Waiting does not consume it: still set, as threading.Event. */
	CU_ASSERT_TRUE(tvp_event_is_set(&ev));
	tvp_event_set(&ev);
	CU_ASSERT_TRUE(tvp_event_is_set(&ev));
	tvp_event_clear(&ev);
	CU_ASSERT_FALSE(tvp_event_is_set(&ev));
	CU_ASSERT_FALSE(tvp_event_timedwait(&ev, 1000000));
	tvp_event_clear(&ev);
	CU_ASSERT_FALSE(tvp_event_is_set(&ev));
	tvp_event_destroy(&ev);
}

CU_TestInfo tvp_event_tests[] = {
	{ "event set and clear", test_event_set_and_clear },
	{ "event timed wait times out unset", test_event_timedwait_times_out },
	{ "event set wakes all, 4 workers", test_event_set_wakes_all_4 },
	{ "event set wakes all, 16 workers", test_event_set_wakes_all_16 },
	CU_TEST_INFO_NULL,
};
