/*
 * Independent reference digests (libmd, the BSD message-digest library),
 * used only to verify what OpenSSL computed in the workers: two unrelated
 * implementations agreeing is the check.
 */
#ifndef TVP_REFDIGEST_H
#define TVP_REFDIGEST_H

#include <stdbool.h>
#include <stddef.h>

#define TVP_REF_MAX_DIGEST 64

/* Does libmd implement this algorithm (OpenSSL's name for it)? */
bool tvp_ref_has(const char *algo);

/* Digest len bytes; returns the digest length, 0 if algo is not known. */
size_t tvp_ref_digest(const char *algo, const void *data, size_t len,
    unsigned char out[TVP_REF_MAX_DIGEST]);

#endif
