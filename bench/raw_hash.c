/*
 * raw-hash threads|processes WORKERS BLOCKS BLOCK_SIZE ROUNDS small|huge:
 * tvp's hash workload written the plain way.  BLOCKS blocks of the
 * documented SplitMix64 data (README), each digested ROUNDS times with
 * SHA-256, chained, in a local buffer; the digests land in memory the
 * workers share (MAP_SHARED | MAP_ANONYMOUS, inherited by fork); worker
 * w takes the w-th contiguous share of the blocks.  The result is the
 * SHA-256 of the digests in block order, as tvp's.  Checked with libmd
 * (the first and last block's chains and the final digest).
 */
#define _GNU_SOURCE /* MADV_HUGEPAGE */
#include <sys/mman.h>
#include <sys/wait.h>

#include <openssl/evp.h>

#include <err.h>
#include <pthread.h>
#include <sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "raw.h"

#define USAGE "raw-hash threads|processes WORKERS BLOCKS BLOCK_SIZE ROUNDS " \
	"small|huge"
#define MDLEN 32
#define HUGE_PAGE (2u << 20)

struct job {
	const unsigned char *data;
	unsigned char *digests;     /* shared */
	uint64_t *stamps;           /* shared: begin, end per worker */
	size_t blocks, block_size;
	long rounds;
	unsigned workers;
};

static struct job job;

static uint64_t
mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* Block i of seed 1, as the README's Python defines it. */
static void
generate(unsigned char *out, uint64_t i, size_t size)
{
	uint64_t s = mix(1 ^ mix(i));

	for (size_t off = 0; off < size; off += 8) {
		uint64_t word;

		s += 0x9E3779B97F4A7C15ULL;
		word = mix(s);
		for (size_t b = 0; b < 8 && off + b < size; b++)
			out[off + b] = (unsigned char)(word >> (8 * b));
	}
}

static void *
worker(void *arg)
{
	unsigned w = (unsigned)(uintptr_t)arg;
	size_t first = job.blocks * w / job.workers;
	size_t last = job.blocks * (w + 1) / job.workers;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	/*
	 * Fetched once, before the timed loop, as OpenSSL 3 asks (tvp
	 * fetches it once a run, in setup; EVP_sha256() fetches per init).
	 */
	EVP_MD *md = EVP_MD_fetch(NULL, "SHA256", NULL);

	if (ctx == NULL || md == NULL)
		errx(1, "EVP_MD_CTX_new or EVP_MD_fetch");
	job.stamps[2 * w] = raw_now_ns();
	for (size_t i = first; i < last; i++) {
		unsigned char out[EVP_MAX_MD_SIZE];
		unsigned int len;

		EVP_DigestInit_ex2(ctx, md, NULL);
		EVP_DigestUpdate(ctx, job.data + i * job.block_size,
		    job.block_size);
		EVP_DigestFinal_ex(ctx, out, &len);
		for (long r = 1; r < job.rounds; r++) {
			EVP_DigestInit_ex2(ctx, NULL, NULL);
			EVP_DigestUpdate(ctx, out, len);
			EVP_DigestFinal_ex(ctx, out, &len);
		}
		memcpy(job.digests + i * MDLEN, out, MDLEN);
	}
	job.stamps[2 * w + 1] = raw_now_ns();
	EVP_MD_CTX_free(ctx);
	EVP_MD_free(md);
	return NULL;
}

/* libmd's chain for block i equals the workers'? */
static bool
check_block(size_t i)
{
	uint8_t out[SHA256_DIGEST_LENGTH];
	SHA2_CTX c;

	SHA256Init(&c);
	SHA256Update(&c, job.data + i * job.block_size, job.block_size);
	SHA256Final(out, &c);
	for (long r = 1; r < job.rounds; r++) {
		SHA256Init(&c);
		SHA256Update(&c, out, sizeof(out));
		SHA256Final(out, &c);
	}
	return memcmp(out, job.digests + i * MDLEN, MDLEN) == 0;
}

static void *
map(size_t size, bool shared, bool huge)
{
	void *p = mmap(NULL, size ? size : 1, PROT_READ | PROT_WRITE,
	    (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		err(1, "mmap %zu bytes", size);
	if (!shared)
		madvise(p, size, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	return p;
}

int
main(int argc, char **argv)
{
	unsigned char final[EVP_MAX_MD_SIZE];
	uint8_t ref[SHA256_DIGEST_LENGTH];
	char options[160];
	struct tvp_record rec;
	SHA2_CTX ctx;
	uint64_t t0, t1, first = UINT64_MAX, last = 0;
	unsigned int len;
	bool processes, huge, ok = true;
	size_t data_size;
	double span;

	if (argc != 7)
		errx(2, "usage: %s", USAGE);
	processes = raw_mode_is_processes(argv[1], USAGE);
	job.workers = (unsigned)raw_arg_num("WORKERS", argv[2], 1, 4096);
	job.blocks = (size_t)raw_arg_num("BLOCKS", argv[3], 1, 1 << 24);
	job.block_size = (size_t)raw_arg_num("BLOCK_SIZE", argv[4], 1,
	    1 << 30);
	job.rounds = (long)raw_arg_num("ROUNDS", argv[5], 1, 1000000000);
	if (strcmp(argv[6], "small") != 0 && strcmp(argv[6], "huge") != 0)
		errx(2, "pages is %s: small or huge", argv[6]);
	huge = strcmp(argv[6], "huge") == 0;
	data_size = (job.blocks * job.block_size + HUGE_PAGE - 1) /
	    HUGE_PAGE * HUGE_PAGE;
	job.data = map(data_size, false, huge);
	for (size_t i = 0; i < job.blocks; i++)
		generate((unsigned char *)(uintptr_t)job.data +
		    i * job.block_size, i, job.block_size);
	job.digests = map(job.blocks * MDLEN, true, false);
	job.stamps = map(2 * job.workers * sizeof(uint64_t), true, false);
	snprintf(options, sizeof(options), "blocks=%zu block-size=%zu "
	    "rounds=%ld seed=1 algo=sha256 pages=%s", job.blocks,
	    job.block_size, job.rounds, argv[6]);
	raw_begin(&rec, processes, "hash", options, job.workers);
	fflush(NULL);
	t0 = raw_now_ns();
	if (processes) {
		pid_t *pids = calloc(job.workers, sizeof(*pids));

		if (pids == NULL)
			err(1, "calloc");
		for (unsigned w = 0; w < job.workers; w++) {
			if ((pids[w] = fork()) == 0) {
				worker((void *)(uintptr_t)w);
				_exit(0);
			}
			if (pids[w] < 0)
				err(1, "fork");
		}
		for (unsigned w = 0; w < job.workers; w++) {
			int status;

			if (waitpid(pids[w], &status, 0) != pids[w] ||
			    !WIFEXITED(status) || WEXITSTATUS(status) != 0)
				ok = false;
		}
		free(pids);
	} else {
		pthread_t *tids = calloc(job.workers, sizeof(*tids));

		if (tids == NULL)
			err(1, "calloc");
		for (unsigned w = 0; w < job.workers; w++) {
			int rc = pthread_create(&tids[w], NULL, worker,
			    (void *)(uintptr_t)w);

			if (rc != 0)
				errc(1, rc, "pthread_create");
		}
		for (unsigned w = 0; w < job.workers; w++)
			pthread_join(tids[w], NULL);
		free(tids);
	}
	t1 = raw_now_ns();
	for (unsigned w = 0; w < job.workers; w++) {
		if (job.stamps[2 * w] < first)
			first = job.stamps[2 * w];
		if (job.stamps[2 * w + 1] > last)
			last = job.stamps[2 * w + 1];
	}
	EVP_Digest(job.digests, job.blocks * MDLEN, final, &len, EVP_sha256(),
	    NULL);
	for (unsigned i = 0; i < len; i++)
		snprintf(rec.result + 2 * i, 3, "%02x", final[i]);
	SHA256Init(&ctx);
	SHA256Update(&ctx, job.digests, job.blocks * MDLEN);
	SHA256Final(ref, &ctx);
	ok = ok && check_block(0) && check_block(job.blocks - 1) &&
	    memcmp(ref, final, sizeof(ref)) == 0;
	span = (double)(last - first) / 1e9;
	raw_metric(&rec, "digests_per_s", "1/s",
	    (double)job.blocks * (double)job.rounds / span, true);
	raw_metric(&rec, "blocks_per_s", "1/s", (double)job.blocks / span,
	    true);
	rec.items = job.blocks;
	rec.bytes = (uint64_t)job.blocks * job.block_size;
	rec.work_s = span;
	return raw_end(&rec, t0, t1, ok);
}
