/* XXH3-64 known answers (values from the xxhsum 0.8.1 CLI, -H3). */
#include <stdlib.h>

#include <xxhash.h>
#if (defined(__x86_64__) || defined(__i386__)) && \
    __has_include(<xxh_x86dispatch.h>)
/* Both entry points side by side: no replacement of the plain names. */
#define XXH_DISPATCH_DISABLE_REPLACE
#include <xxh_x86dispatch.h>
#define HAVE_DISPATCH 1
#endif

#include <CUnit/CUnit.h>

#include "lib/gen.h"
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

/*
 * fileread hashes through libxxhash's dispatcher (the widest SIMD path);
 * the sums must be those of the plain entry points, one-shot and
 * streamed in uneven pieces, at every size class XXH3 has (0, short,
 * 129..240, one stripe block, many).
 */
static void
test_xxh3_dispatch_same(void)
{
#ifdef HAVE_DISPATCH
	static const size_t sizes[] = { 0, 1, 16, 17, 128, 129, 240, 241,
	    1024, 4095, 65536, 1000003 };
	unsigned char *buf = malloc(1000003);
	XXH3_state_t *a = XXH3_createState(), *b = XXH3_createState();

	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	tvp_gen_block(3, 0, buf, 1000003);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i], off = 0, step = 1;

		CU_ASSERT_EQUAL(XXH3_64bits_dispatch(buf, n),
		    XXH3_64bits(buf, n));
		XXH3_64bits_reset(a);
		XXH3_64bits_reset(b);
		while (off < n) {
			size_t k = n - off < step ? n - off : step;

			XXH3_64bits_update(a, buf + off, k);
			XXH3_64bits_update_dispatch(b, buf + off, k);
			off += k;
			step = step * 3 + 1;
		}
		CU_ASSERT_EQUAL(XXH3_64bits_digest(b), XXH3_64bits_digest(a));
		CU_ASSERT_EQUAL(XXH3_64bits_digest(a), XXH3_64bits(buf, n));
	}
	XXH3_freeState(a);
	XXH3_freeState(b);
	free(buf);
#else
	CU_PASS("no dispatcher on this platform: fileread uses the plain path");
#endif
}

CU_TestInfo tvp_xxh3_tests[] = {
	{ "XXH3_64bits of empty input", test_xxh3_empty },
	{ "XXH3_64bits of \"abc\"", test_xxh3_abc },
	{ "the dispatcher's sums are the plain ones", test_xxh3_dispatch_same },
	CU_TEST_INFO_NULL,
};
