/* XXH3-64 known answers (values from the xxhsum 0.8.1 CLI, -H3). */
#include <xxhash.h>

#include <CUnit/CUnit.h>

#include "tests.h"

static void
test_xxh3_empty(void)
{
	CU_ASSERT_EQUAL(XXH3_64bits("", 0), 0x2d06800538d394c2ULL);
}

static void
test_xxh3_abc(void)
{
	CU_ASSERT_EQUAL(XXH3_64bits("abc", 3), 0x78af5f94892f3950ULL);
}

CU_TestInfo tvp_xxh3_tests[] = {
	{ "XXH3_64bits of empty input", test_xxh3_empty },
	{ "XXH3_64bits of \"abc\"", test_xxh3_abc },
	CU_TEST_INFO_NULL,
};
