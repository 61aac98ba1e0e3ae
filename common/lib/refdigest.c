/* Only libmd's headers here: OpenSSL's would clash with them. */
#include <sys/types.h>

#include <md5.h>
#include <sha1.h>
#include <sha2.h>
#include <string.h>

#include "lib/refdigest.h"

struct ref_algo {
	const char *name;
	size_t len;
	void (*digest)(const void *, size_t, unsigned char *);
};

static void
ref_md5(const void *p, size_t n, unsigned char *out)
{
	MD5_CTX c;

	MD5Init(&c);
	MD5Update(&c, p, n);
	MD5Final(out, &c);
}

static void
ref_sha1(const void *p, size_t n, unsigned char *out)
{
	SHA1_CTX c;

	SHA1Init(&c);
	SHA1Update(&c, p, n);
	SHA1Final(out, &c);
}

static void
ref_sha256(const void *p, size_t n, unsigned char *out)
{
	SHA2_CTX c;

	SHA256Init(&c);
	SHA256Update(&c, p, n);
	SHA256Final(out, &c);
}

static void
ref_sha384(const void *p, size_t n, unsigned char *out)
{
	SHA2_CTX c;

	SHA384Init(&c);
	SHA384Update(&c, p, n);
	SHA384Final(out, &c);
}

static void
ref_sha512(const void *p, size_t n, unsigned char *out)
{
	SHA2_CTX c;

	SHA512Init(&c);
	SHA512Update(&c, p, n);
	SHA512Final(out, &c);
}

static const struct ref_algo algos[] = {
	{ "md5", 16, ref_md5 },
	{ "sha1", 20, ref_sha1 },
	{ "sha256", 32, ref_sha256 },
	{ "sha384", 48, ref_sha384 },
	{ "sha512", 64, ref_sha512 },
};

static const struct ref_algo *
find(const char *algo)
{
	for (size_t i = 0; i < sizeof(algos) / sizeof(algos[0]); i++)
		if (strcasecmp(algos[i].name, algo) == 0)
			return &algos[i];
	return NULL;
}

bool
tvp_ref_has(const char *algo)
{
	return find(algo) != NULL;
}

size_t
tvp_ref_digest(const char *algo, const void *data, size_t len,
    unsigned char out[TVP_REF_MAX_DIGEST])
{
	const struct ref_algo *a = find(algo);

	if (a == NULL)
		return 0;
	a->digest(data, len, out);
	return a->len;
}
