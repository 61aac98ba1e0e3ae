/*
 * Whole runs of the hash workload through tvp_execute, with this binary's
 * runner, checked against a serial reference computed here.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <openssl/evp.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "execute.h"
#include "gen.h"
#include "registry.h"
#include "runner.h"
#include "tests.h"

#define BLOCK_SIZE 1000
#define ROUNDS 5

/* Serial reference: the documented hash result, with OpenSSL EVP. */
static void
reference(size_t blocks, char *hex)
{
	unsigned char *digests = malloc(blocks * 32 + 1);
	unsigned char data[BLOCK_SIZE], md[EVP_MAX_MD_SIZE];
	unsigned int len;

	CU_ASSERT_PTR_NOT_NULL_FATAL(digests);
	for (size_t i = 0; i < blocks; i++) {
		tvp_gen_block(1, i, data, sizeof(data));
		CU_ASSERT_FATAL(EVP_Digest(data, sizeof(data), md, &len,
		    EVP_sha256(), NULL) == 1);
		for (int r = 1; r < ROUNDS; r++)
			CU_ASSERT_FATAL(EVP_Digest(md, len, md, &len,
			    EVP_sha256(), NULL) == 1);
		memcpy(digests + i * 32, md, 32);
	}
	CU_ASSERT_FATAL(EVP_Digest(digests, blocks * 32, md, &len,
	    EVP_sha256(), NULL) == 1);
	tvp_hex(hex, md, len);
	free(digests);
}

/* No shared memory object of this process is left in /dev/shm. */
void
assert_no_shm_left(void)
{
	char prefix[64];
	DIR *d = opendir("/dev/shm");
	struct dirent *e;

	/*
	 * Only this process's names ("tvp-PID-N"): other tvp programs may be
	 * running on the machine at the same time.
	 */
	snprintf(prefix, sizeof(prefix), "tvp-%ld-", (long)getpid());
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	while ((e = readdir(d)) != NULL) {
		CU_ASSERT(strncmp(e->d_name, prefix, strlen(prefix)) != 0);
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
			fprintf(stderr, "left in /dev/shm: %s\n", e->d_name);
	}
	closedir(d);
}

/* No child process left, running or zombie. */
void
assert_no_child_left(void)
{
	errno = 0;
	CU_ASSERT_EQUAL(waitpid(-1, NULL, WNOHANG), -1);
	CU_ASSERT_EQUAL(errno, ECHILD);
}

static void
run_hash(unsigned workers, size_t blocks)
{
	const struct tvp_workload *wl = tvp_workload_find("hash");
	char nblocks[32], bsize[32], rounds[32];
	const char *words[] = { "--blocks", nblocks, "--block-size", bsize,
	    "--rounds", rounds };
	struct tvp_run run;
	struct tvp_record rec;
	struct tvp_optval *vals;
	char want[2 * EVP_MAX_MD_SIZE + 1];
	char **argv;
	int rc;

	snprintf(nblocks, sizeof(nblocks), "%zu", blocks);
	snprintf(bsize, sizeof(bsize), "%d", BLOCK_SIZE);
	snprintf(rounds, sizeof(rounds), "%d", ROUNDS);
	CU_ASSERT_PTR_NOT_NULL_FATAL(wl);
	vals = calloc(tvp_opts_count(wl->opts) + 1, sizeof(*vals));
	CU_ASSERT_PTR_NOT_NULL_FATAL(vals);
	CU_ASSERT_EQUAL_FATAL(tvp_opts_defaults(wl->opts, vals), 0);
	argv = tvp_test_argv(6, words);
	CU_ASSERT_PTR_NOT_NULL_FATAL(argv);
	CU_ASSERT_EQUAL_FATAL(tvp_opts_parse(wl->name, wl->opts, vals, 6,
	    argv), 0);

	memset(&run, 0, sizeof(run));
	run.wl = wl;
	run.opts = vals;
	run.nworkers = workers;
	rc = tvp_execute(&run, &rec);
	CU_ASSERT_EQUAL(rc, TVP_EXIT_OK);
	CU_ASSERT_TRUE(rec.verified);
	if (!rec.verified)
		fprintf(stderr, "not verified: %s\n", rec.note);
	CU_ASSERT_EQUAL(rec.items, blocks);
	CU_ASSERT_EQUAL(rec.bytes, (uint64_t)blocks * BLOCK_SIZE);
	CU_ASSERT_EQUAL(rec.workers, workers);
	CU_ASSERT_STRING_EQUAL(rec.mode, tvp_mode);
	CU_ASSERT_STRING_EQUAL(rec.workload, "hash");
	reference(blocks, want);
	CU_ASSERT_STRING_EQUAL(rec.result, want);
	CU_ASSERT_PTR_NULL(run.ctl);
	CU_ASSERT_PTR_NULL(run.state);
	assert_no_shm_left();
	assert_no_child_left();
	tvp_test_argv_free(argv);
	free(vals);
}

static void
test_run_1(void)
{
	run_hash(1, 37);
}

static void
test_run_2(void)
{
	run_hash(2, 37);
}

static void
test_run_3(void)
{
	run_hash(3, 37);
}

static void
test_run_8(void)
{
	run_hash(8, 37);
}

static void
test_run_more_workers_than_items(void)
{
	run_hash(8, 3);
}

static void
test_run_zero_blocks(void)
{
	/* The digest of nothing: sha256 of the empty string. */
	run_hash(2, 0);
}

static void
test_run_bad_algo(void)
{
	const struct tvp_workload *wl = tvp_workload_find("hash");
	const char *words[] = { "--blocks", "3", "--algo", "nosuchalgo" };
	struct tvp_optval *vals;
	struct tvp_run run;
	struct tvp_record rec;
	char **argv;

	CU_ASSERT_PTR_NOT_NULL_FATAL(wl);
	vals = calloc(tvp_opts_count(wl->opts) + 1, sizeof(*vals));
	CU_ASSERT_PTR_NOT_NULL_FATAL(vals);
	CU_ASSERT_EQUAL_FATAL(tvp_opts_defaults(wl->opts, vals), 0);
	argv = tvp_test_argv(4, words);
	CU_ASSERT_PTR_NOT_NULL_FATAL(argv);
	CU_ASSERT_EQUAL_FATAL(tvp_opts_parse(wl->name, wl->opts, vals, 4,
	    argv), 0);
	memset(&run, 0, sizeof(run));
	run.wl = wl;
	run.opts = vals;
	run.nworkers = 2;
	CU_ASSERT_EQUAL(tvp_execute(&run, &rec), TVP_EXIT_USAGE);
	CU_ASSERT_PTR_NULL(run.state);
	assert_no_shm_left();
	assert_no_child_left();
	tvp_test_argv_free(argv);
	free(vals);
}

CU_TestInfo tvp_run_tests[] = {
	{ "hash, 1 worker, 37 blocks", test_run_1 },
	{ "hash, 2 workers, 37 blocks", test_run_2 },
	{ "hash, 3 workers, 37 blocks", test_run_3 },
	{ "hash, 8 workers, 37 blocks", test_run_8 },
	{ "hash, 8 workers, 3 blocks", test_run_more_workers_than_items },
	{ "hash, 0 blocks", test_run_zero_blocks },
	{ "hash, unknown --algo is a usage error", test_run_bad_algo },
	CU_TEST_INFO_NULL,
};
