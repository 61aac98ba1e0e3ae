/*
 * The counting semaphore (common/sync_sem.c) on this binary's workers,
 * threads or processes, and the semaphore workload end to end.
 */
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "core/execute.h"
#include "core/record.h"
#include "core/runner.h"
#include "sync/sync.h"
#include "tests.h"

#define LIMIT 3
#define ROUNDS 200

struct semtest {
	struct tvp_sem sem;
	_Atomic unsigned inside, max_inside, over;
};

/* Enter ROUNDS times; inside, yield so that others pile up at the door. */
static int
sem_body(void *shared, unsigned worker, unsigned nworkers)
{
	struct semtest *t = shared;

	(void)worker;
	(void)nworkers;
	for (int r = 0; r < ROUNDS; r++) {
		unsigned now, seen;

		tvp_sem_acquire(&t->sem);
		now = atomic_fetch_add(&t->inside, 1) + 1;
		if (now > LIMIT)
			atomic_fetch_add(&t->over, 1);
		seen = atomic_load(&t->max_inside);
		while (seen < now &&
		    !atomic_compare_exchange_weak(&t->max_inside, &seen, now))
			;
		sched_yield();
		atomic_fetch_sub(&t->inside, 1);
		tvp_sem_release(&t->sem);
	}
	return 0;
}

static void
test_bound(void)
{
	struct semtest *t = tvp_shared_map(sizeof(*t));

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL_FATAL(tvp_sem_init(&t->sem, LIMIT,
	    tvp_mode_is_processes()), 0);
	CU_ASSERT_EQUAL(tvp_test_run_workers(8, sem_body, t), 0);
	/* The bound: never more than LIMIT inside, ever. */
	CU_ASSERT_EQUAL(atomic_load(&t->over), 0);
	CU_ASSERT(atomic_load(&t->max_inside) <= LIMIT);
	CU_ASSERT(atomic_load(&t->max_inside) >= 1);
	CU_ASSERT_EQUAL(atomic_load(&t->inside), 0);
	tvp_sem_destroy(&t->sem);
	tvp_shared_unmap(t, sizeof(*t));
}

/*
 * The workload: the bound held and was reached (min(limit, workers): the
 * first round waits for it, so this is certain, not likely), every
 * entry counted, the same result in both modes.
 */
static void
run_semaphore(unsigned workers, unsigned limit, unsigned want_max)
{
	char args[96], want[TVP_RESULT_MAX];
	struct tvp_record rec;

	snprintf(args, sizeof(args), "--limit %u --rounds 5 --hold-us 50",
	    limit);
	CU_ASSERT_EQUAL(tvp_test_execute("semaphore", workers, args, &rec),
	    TVP_EXIT_OK);
	CU_ASSERT_TRUE((rec.verdict == TVP_VERDICT_VERIFIED));
	snprintf(want, sizeof(want),
	    "limit=%u workers=%u max_inside=%u entries=%u", limit, workers,
	    want_max, workers * 5);
	CU_ASSERT_STRING_EQUAL(rec.result, want);
	if (!(rec.verdict == TVP_VERDICT_VERIFIED) || strcmp(rec.result, want) != 0)
		fprintf(stderr, "semaphore -j %u: %s (%s)\n", workers,
		    rec.result, rec.note);
}

static void
test_workload(void)
{
	run_semaphore(1, 2, 1);
	run_semaphore(2, 2, 2);
	run_semaphore(4, 2, 2);
	run_semaphore(8, 2, 2);
	run_semaphore(8, 3, 3);
	run_semaphore(3, 8, 3);
	run_semaphore(256, 16, 16);
}

CU_TestInfo tvp_semaphore_tests[] = {
	{ "never more than the limit inside", test_bound },
	{ "semaphore workload: bound held and reached, 1..256 workers",
	    test_workload },
	CU_TEST_INFO_NULL,
};
