/* The synthetic data generator: determinism and known answers. */
#include <string.h>

#include <CUnit/CUnit.h>

#include "lib/gen.h"
#include "tests.h"
#include "workload_api.h"

static void
test_gen_same(void)
{
	unsigned char a[1000], b[1000];

	tvp_gen_block(1, 3, a, sizeof(a));
	tvp_gen_block(1, 3, b, sizeof(b));
	CU_ASSERT_EQUAL(memcmp(a, b, sizeof(a)), 0);
}

static void
test_gen_differs(void)
{
	unsigned char a[64], b[64];

	tvp_gen_block(1, 3, a, sizeof(a));
	tvp_gen_block(1, 4, b, sizeof(b));
	CU_ASSERT_NOT_EQUAL(memcmp(a, b, sizeof(a)), 0);
	tvp_gen_block(2, 3, b, sizeof(b));
	CU_ASSERT_NOT_EQUAL(memcmp(a, b, sizeof(a)), 0);
}

static void
test_gen_prefix(void)
{
	unsigned char big[1003], small[sizeof(big)];
	/* Sizes that cut the last 8-byte word short and ones that do not. */
	static const size_t sizes[] = { 0, 1, 7, 8, 9, 15, 16, 17, 500, 1003 };

	tvp_gen_block(7, 11, big, sizeof(big));
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		memset(small, 0xAA, sizeof(small));
		tvp_gen_block(7, 11, small, sizes[i]);
		CU_ASSERT_EQUAL(memcmp(big, small, sizes[i]), 0);
		/* Nothing written beyond the requested size. */
		if (sizes[i] < sizeof(small))
			CU_ASSERT_EQUAL(small[sizes[i]], 0xAA);
	}
}

/*
 * These values came from an independent Python implementation of the
 * algorithm documented in common/gen.h (SplitMix64, little-endian words),
 * not from this C code.
 */
static void
test_gen_known(void)
{
	unsigned char b[16];
	char hex[33];

	tvp_gen_block(1, 0, b, sizeof(b));
	tvp_hex(hex, b, sizeof(b));
	CU_ASSERT_STRING_EQUAL(hex, "72d7c2dd3080efbf47aaf282e42c555f");
	tvp_gen_block(1, 5, b, sizeof(b));
	tvp_hex(hex, b, sizeof(b));
	CU_ASSERT_STRING_EQUAL(hex, "3a4b8577fb04c673b6276d01bb8408a5");
}

CU_TestInfo tvp_gen_tests[] = {
	{ "same seed and index give the same bytes", test_gen_same },
	{ "another index or seed gives other bytes", test_gen_differs },
	{ "a shorter block is a prefix of a longer one", test_gen_prefix },
	{ "known answers (seed 1, blocks 0 and 5)", test_gen_known },
	CU_TEST_INFO_NULL,
};
