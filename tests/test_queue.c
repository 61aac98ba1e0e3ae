/*
 * The bounded queue (common/sync_queue.c) on this binary's workers,
 * threads or processes, and the queue workload end to end.
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

#define ITEMS 600
#define CAPACITY 4

/* Everything the workers share, in one tvp_shared_map region. */
struct qtest {
	unsigned producers;
	_Atomic unsigned producers_done;
	_Atomic unsigned entering_get;    /* consumers about to call get */
	_Atomic unsigned seen[ITEMS];
	_Atomic unsigned closed_seen;     /* consumers that saw CLOSED */
	_Atomic unsigned put_refused;
	_Atomic unsigned taken;
	struct tvp_test_task consumer[8];
	struct tvp_queue *q;  /* just after this struct, in the same region */
};

/* The queue starts after the struct, at its own alignment. */
#define QUEUE_OFFSET \
	((sizeof(struct qtest) + _Alignof(struct tvp_queue) - 1) & \
	~(_Alignof(struct tvp_queue) - 1))

static size_t
qtest_size(void)
{
	return QUEUE_OFFSET + tvp_queue_size(CAPACITY, sizeof(unsigned));
}

static struct qtest *
qtest_new(unsigned producers)
{
	struct qtest *t = tvp_shared_map(qtest_size());

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	t->producers = producers;
	/* Inherited by fork at the same address, so the pointer holds. */
	t->q = (struct tvp_queue *)((char *)t + QUEUE_OFFSET);
	CU_ASSERT_EQUAL_FATAL(tvp_queue_init(t->q, CAPACITY,
	    sizeof(unsigned), tvp_mode_is_processes()), 0);
	return t;
}

static void
qtest_free(struct qtest *t)
{
	tvp_queue_destroy(t->q);
	tvp_shared_unmap(t, qtest_size());
}

/* Producers put their share of ITEMS; consumers take until CLOSED. */
static int
exchange_body(void *shared, unsigned worker, unsigned nworkers)
{
	struct qtest *t = shared;
	unsigned v;

	(void)nworkers;
	if (worker < t->producers) {
		for (v = worker; v < ITEMS; v += t->producers)
			if (tvp_queue_put(t->q, &v) != 0)
				return -1;
		/* The last producer: wait for every task_done, then close. */
		if (atomic_fetch_add(&t->producers_done, 1) + 1 ==
		    t->producers) {
			tvp_queue_join(t->q);
			tvp_queue_close(t->q);
		}
		return 0;
	}
	while (tvp_queue_get(t->q, &v) == 0) {
		if (v >= ITEMS)
			return -1;
		atomic_fetch_add(&t->seen[v], 1);
		atomic_fetch_add(&t->taken, 1);
		tvp_queue_task_done(t->q);
	}
	atomic_fetch_add(&t->closed_seen, 1);
	return 0;
}

/* Every item exactly once, for 1-4 producers x 1-4 consumers. */
static void
test_exactly_once(void)
{
	for (unsigned p = 1; p <= 4; p++)
		for (unsigned c = 1; c <= 4; c++) {
			struct qtest *t = qtest_new(p);
			unsigned wrong = 0;

			CU_ASSERT_EQUAL(tvp_test_run_workers(p + c,
			    exchange_body, t), 0);
			for (unsigned i = 0; i < ITEMS; i++)
				wrong += atomic_load(&t->seen[i]) != 1;
			CU_ASSERT_EQUAL(wrong, 0);
			CU_ASSERT_EQUAL(atomic_load(&t->taken), ITEMS);
			/* Every consumer ended by CLOSED, none by error. */
			CU_ASSERT_EQUAL(atomic_load(&t->closed_seen), c);
			if (wrong != 0)
				fprintf(stderr, "%u producers, %u consumers: "
				    "%u items not seen exactly once\n", p, c,
				    wrong);
			qtest_free(t);
		}
}

/*
 * Consumers block on an empty queue; worker 0 closes it once the kernel
 * says every one of them is asleep (/proc), so close meets real waiters,
 * not consumers about to wait.  Close must wake each: a consumer it
 * missed would block for good, and the run's timeout fails the test.
 * (The way to see a waiter asleep comes from the queuesem branch.)
 */
static int
close_body(void *shared, unsigned worker, unsigned nworkers)
{
	struct qtest *t = shared;
	unsigned v;

	if (worker == 0) {
		while (atomic_load(&t->entering_get) < nworkers - 1)
			sched_yield();  /* only until the few consumers start */
		for (unsigned c = 1; c < nworkers; c++)
			if (!tvp_test_wait_asleep(&t->consumer[c]))
				return -1;
		tvp_queue_close(t->q);
		/* After close, a put is refused and nothing is queued. */
		v = 1;
		if (tvp_queue_put(t->q, &v) == TVP_QUEUE_CLOSED)
			atomic_fetch_add(&t->put_refused, 1);
		return 0;
	}
	tvp_test_whoami(&t->consumer[worker]);
	atomic_fetch_add(&t->entering_get, 1);
	/* The only place this worker can sleep from here on. */
	if (tvp_queue_get(t->q, &v) != TVP_QUEUE_CLOSED)
		return -1;
	atomic_fetch_add(&t->closed_seen, 1);
	return 0;
}

static void
test_close_wakes_waiters(void)
{
	for (unsigned consumers = 1; consumers <= 4; consumers++) {
		struct qtest *t = qtest_new(0);

		CU_ASSERT_EQUAL(tvp_test_run_workers(consumers + 1,
		    close_body, t), 0);
		CU_ASSERT_EQUAL(atomic_load(&t->closed_seen), consumers);
		CU_ASSERT_EQUAL(atomic_load(&t->put_refused), 1);
		qtest_free(t);
	}
}

/* A closed queue still hands out what it holds, then CLOSED. */
static void
test_close_drains_first(void)
{
	struct qtest *t = qtest_new(0);
	unsigned v;

	for (v = 10; v < 10 + CAPACITY; v++)
		CU_ASSERT_EQUAL(tvp_queue_put(t->q, &v), 0);
	tvp_queue_close(t->q);
	for (unsigned want = 10; want < 10 + CAPACITY; want++) {
		CU_ASSERT_EQUAL(tvp_queue_get(t->q, &v), 0);
		CU_ASSERT_EQUAL(v, want);   /* first in, first out */
		tvp_queue_task_done(t->q);
	}
	CU_ASSERT_EQUAL(tvp_queue_get(t->q, &v), TVP_QUEUE_CLOSED);
	/* Every item was done: join returns at once. */
	tvp_queue_join(t->q);
	qtest_free(t);
}

static void
run_queue(unsigned workers, const char *args, struct tvp_record *rec)
{
	CU_ASSERT_EQUAL(tvp_test_execute("queue", workers, args, rec),
	    TVP_EXIT_OK);
	CU_ASSERT_TRUE((rec->verdict == TVP_VERDICT_VERIFIED));
	if (!(rec->verdict == TVP_VERDICT_VERIFIED))
		fprintf(stderr, "queue -j %u %s: %s\n", workers, args,
		    rec->note);
}

/* The same result at every worker count, and item counts add up. */
static void
test_workload(void)
{
	static const unsigned counts[] = { 1, 2, 3, 4, 8, 256 };
	struct tvp_record rec;
	char first[TVP_RESULT_MAX] = "";

	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		run_queue(counts[i], "--items 3000 --capacity 8 --payload 100",
		    &rec);
		CU_ASSERT_EQUAL(rec.items, 3000);
		if (i == 0)
			strlcpy(first, rec.result, sizeof(first));
		CU_ASSERT_STRING_EQUAL(rec.result, first);
	}
	/* More producers than consumers, a queue of one, no payload. */
	run_queue(4, "--items 500 --producers 3 --capacity 1 --payload 0",
	    &rec);
	CU_ASSERT_EQUAL(rec.items, 500);
}

static void
test_workload_bad_options(void)
{
	struct tvp_record rec;

	CU_ASSERT_EQUAL(tvp_test_execute("queue", 2, "--producers 2", &rec),
	    TVP_EXIT_USAGE);
	CU_ASSERT_EQUAL(tvp_test_execute("queue", 1, "--producers 2", &rec),
	    TVP_EXIT_USAGE);
	/* A forced race needs the tutorial's consumers, and two of them. */
	CU_ASSERT_EQUAL(tvp_test_execute("queue", 3, "--force-race yes",
	    &rec), TVP_EXIT_USAGE);
	CU_ASSERT_EQUAL(tvp_test_execute("queue", 2, "--consumer check-empty "
	    "--force-race yes", &rec), TVP_EXIT_USAGE);
	/* The tutorial fills the queue first: it must hold every item. */
	CU_ASSERT_EQUAL(tvp_test_execute("queue", 2, "--consumer check-empty "
	    "--items 8 --capacity 4", &rec), TVP_EXIT_USAGE);
}

/* qsize and empty say what the queue holds now. */
static void
test_qsize_empty(void)
{
	struct qtest *t = qtest_new(0);
	unsigned v = 1;

	CU_ASSERT_TRUE(tvp_queue_empty(t->q));
	CU_ASSERT_EQUAL(tvp_queue_qsize(t->q), 0);
	for (size_t n = 1; n <= CAPACITY; n++) {
		CU_ASSERT_EQUAL(tvp_queue_put(t->q, &v), 0);
		CU_ASSERT_EQUAL(tvp_queue_qsize(t->q), n);
		CU_ASSERT_FALSE(tvp_queue_empty(t->q));
	}
	for (size_t n = CAPACITY; n > 0; n--) {
		CU_ASSERT_EQUAL(tvp_queue_get(t->q, &v), 0);
		CU_ASSERT_EQUAL(tvp_queue_qsize(t->q), n - 1);
	}
	CU_ASSERT_TRUE(tvp_queue_empty(t->q));
	qtest_free(t);
}

/*
 * The tutorial's consumers with one consumer (or one worker) cannot race:
 * the run ends and gives the result of the closing consumers.
 */
static void
test_check_empty_alone(void)
{
	struct tvp_record rec;
	char closing[TVP_RESULT_MAX];

	run_queue(2, "--items 500", &rec);
	strlcpy(closing, rec.result, sizeof(closing));
	run_queue(2, "--items 500 --consumer check-empty", &rec);
	CU_ASSERT_STRING_EQUAL(rec.result, closing);
	run_queue(1, "--items 500 --consumer check-empty", &rec);
	CU_ASSERT_STRING_EQUAL(rec.result, closing);
}

/*
 * The tutorial's bug, made certain: two consumers both find the last item
 * (--force-race), one gets it, the other blocks in get for good.  The run
 * cannot end; --timeout ends it, exit 1, naming that consumer (1 or 2; the
 * producer is 0) and no one else, in one line.  Fails if the pitfall does not happen.
 */
static void
test_check_empty_pitfall(void)
{
	static const char *const words[] = { "-j", "3", "--timeout", "5",
	    "queue", "--items", "8", "--consumer", "check-empty",
	    "--force-race", "yes", NULL };
	struct tvp_test_output o;
	int rc = tvp_test_run_words(tvp_test_program(), words, NULL, &o);
	bool one = strstr(o.err, "(worker 1)") != NULL,
	    two = strstr(o.err, "(worker 2)") != NULL;

	CU_ASSERT_EQUAL(rc, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.err, "timed out after 5 s"));
	CU_ASSERT_TRUE(one != two);
	CU_ASSERT_EQUAL(tvp_test_count_lines(o.err), 1);
	if (rc != 1 || one == two)
		fprintf(stderr, "exit %d, stderr:\n%s", rc, o.err);
}

CU_TestInfo tvp_queue_tests[] = {
	{ "every item exactly once, 1-4 producers x 1-4 consumers",
	    test_exactly_once },
	{ "close wakes every waiting consumer; put after close refused",
	    test_close_wakes_waiters },
	{ "a closed queue drains in order, then says closed",
	    test_close_drains_first },
	{ "queue workload: one result at 1..256 workers", test_workload },
	{ "queue workload: producers leaving no consumer refused",
	    test_workload_bad_options },
	{ "qsize and empty", test_qsize_empty },
	{ "queue --consumer check-empty, one consumer: no race",
	    test_check_empty_alone },
	{ "queue --consumer check-empty --force-race: a consumer blocks in "
	    "get for good, --timeout names it", test_check_empty_pitfall },
	CU_TEST_INFO_NULL,
};
