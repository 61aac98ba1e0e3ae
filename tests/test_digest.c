/* SHA-256 known answers (FIPS 180-2 / NIST), through OpenSSL and libmd. */
#include <openssl/evp.h>

#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "lib/refdigest.h"
#include "tests.h"
#include "workload_api.h"

static const struct {
	const char *msg;
	const char *hex;
} known[] = {
	{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ "abc",
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
};

static const char million_a_hex[] =
    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";

static void
evp_hex(const void *data, size_t len, char *hex)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	CU_ASSERT_FATAL(EVP_Digest(data, len, md, &mdlen, EVP_sha256(),
	    NULL) == 1);
	CU_ASSERT_EQUAL(mdlen, 32);
	tvp_hex(hex, md, mdlen);
}

static void
ref_hex(const void *data, size_t len, char *hex)
{
	unsigned char md[TVP_REF_MAX_DIGEST];
	size_t mdlen = tvp_ref_digest("sha256", data, len, md);

	CU_ASSERT_EQUAL_FATAL(mdlen, 32);
	tvp_hex(hex, md, mdlen);
}

static void
test_evp_known(void)
{
	char hex[2 * EVP_MAX_MD_SIZE + 1];

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		evp_hex(known[i].msg, strlen(known[i].msg), hex);
		CU_ASSERT_STRING_EQUAL(hex, known[i].hex);
	}
}

static void
test_ref_known(void)
{
	char hex[2 * TVP_REF_MAX_DIGEST + 1];

	CU_ASSERT(tvp_ref_has("sha256"));
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		ref_hex(known[i].msg, strlen(known[i].msg), hex);
		CU_ASSERT_STRING_EQUAL(hex, known[i].hex);
	}
}

static void
test_million_a(void)
{
	char hex[2 * TVP_REF_MAX_DIGEST + 1];
	size_t n = 1000000;
	char *a = malloc(n);

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	memset(a, 'a', n);
	evp_hex(a, n, hex);
	CU_ASSERT_STRING_EQUAL(hex, million_a_hex);
	ref_hex(a, n, hex);
	CU_ASSERT_STRING_EQUAL(hex, million_a_hex);
	free(a);
}

static void
test_ref_unknown(void)
{
	unsigned char md[TVP_REF_MAX_DIGEST];

	CU_ASSERT_FALSE(tvp_ref_has("nosuchalgo"));
	CU_ASSERT_EQUAL(tvp_ref_digest("nosuchalgo", "abc", 3, md), 0);
}

CU_TestInfo tvp_digest_tests[] = {
	{ "sha256 known answers via OpenSSL EVP", test_evp_known },
	{ "sha256 known answers via libmd reference", test_ref_known },
	{ "sha256 of one million 'a', both", test_million_a },
	{ "reference refuses an unknown algorithm", test_ref_unknown },
	CU_TEST_INFO_NULL,
};
