/*
 * pingpong through tvp_execute with this binary's runner: every pair
 * completes its round trips, by event and by pipe; an odd worker count
 * is refused.
 */
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "core/execute.h"
#include "tests.h"

#define ROUNDS 200

static void
pingpong(unsigned workers, const char *via, unsigned rounds)
{
	struct tvp_record rec;
	char args[64], want[96];

	snprintf(args, sizeof(args), "--via %s --rounds %u", via, rounds);
	snprintf(want, sizeof(want), "pairs=%u rounds=%u turns=%u",
	    workers / 2, rounds, workers * rounds);
	CU_ASSERT_EQUAL(tvp_test_execute("pingpong", workers, args, &rec),
	    TVP_EXIT_OK);
	CU_ASSERT_TRUE((rec.verdict == TVP_VERDICT_VERIFIED));
	CU_ASSERT_STRING_EQUAL(rec.result, want);
	CU_ASSERT_EQUAL(rec.items, (uint64_t)workers * rounds);
	CU_ASSERT_TRUE(tvp_test_metric(&rec, "us_per_round_trip") > 0);
	if (!(rec.verdict == TVP_VERDICT_VERIFIED))
		fprintf(stderr, "pingpong %s: %s\n", args, rec.note);
}

static void
test_pingpong_event(void)
{
	pingpong(2, "event", ROUNDS);
	pingpong(4, "event", ROUNDS);
	pingpong(8, "event", ROUNDS);
}

static void
test_pingpong_pipe(void)
{
	pingpong(2, "pipe", ROUNDS);
	pingpong(4, "pipe", ROUNDS);
	pingpong(8, "pipe", ROUNDS);
}

static void
test_pingpong_256(void)
{
	pingpong(256, "event", 5);
	pingpong(256, "pipe", 5);
}

static void
test_pingpong_one_round(void)
{
	pingpong(2, "event", 1);
	pingpong(2, "pipe", 1);
}

/* Pairs only: an odd count, 1 included, is a usage error. */
static void
test_pingpong_odd(void)
{
	struct tvp_record rec;

	CU_ASSERT_EQUAL(tvp_test_execute("pingpong", 1, "", &rec),
	    TVP_EXIT_USAGE);
	CU_ASSERT_EQUAL(tvp_test_execute("pingpong", 3, "--via pipe", &rec),
	    TVP_EXIT_USAGE);
	CU_ASSERT_EQUAL(tvp_test_execute("pingpong", 255, "", &rec),
	    TVP_EXIT_USAGE);
}

CU_TestInfo tvp_pingpong_tests[] = {
	{ "pingpong by event, 2, 4, 8 workers", test_pingpong_event },
	{ "pingpong by pipe, 2, 4, 8 workers", test_pingpong_pipe },
	{ "pingpong, one round", test_pingpong_one_round },
	{ "pingpong, 256 workers", test_pingpong_256 },
	{ "pingpong refuses an odd worker count", test_pingpong_odd },
	CU_TEST_INFO_NULL,
};
