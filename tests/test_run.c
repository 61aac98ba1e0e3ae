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

#include "core/execute.h"
#include "lib/gen.h"
#include "core/registry.h"
#include "core/runner.h"
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

static void
run_hash(unsigned workers, size_t blocks)
{
	char args[128], want[2 * EVP_MAX_MD_SIZE + 1];
	struct tvp_record rec;

	snprintf(args, sizeof(args), "--blocks %zu --block-size %d --rounds %d",
	    blocks, BLOCK_SIZE, ROUNDS);
	CU_ASSERT_EQUAL(tvp_test_execute("hash", workers, args, &rec),
	    TVP_EXIT_OK);
	CU_ASSERT_TRUE((rec.verdict == TVP_VERDICT_VERIFIED));
	if (!(rec.verdict == TVP_VERDICT_VERIFIED))
		fprintf(stderr, "not verified: %s\n", rec.note);
	CU_ASSERT_EQUAL(rec.items, blocks);
	CU_ASSERT_EQUAL(rec.bytes, (uint64_t)blocks * BLOCK_SIZE);
	CU_ASSERT_EQUAL(rec.workers, workers);
	CU_ASSERT_STRING_EQUAL(rec.mode, tvp_mode);
	CU_ASSERT_STRING_EQUAL(rec.workload, "hash");
	reference(blocks, want);
	CU_ASSERT_STRING_EQUAL(rec.result, want);
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
	struct tvp_record rec;

	CU_ASSERT_EQUAL(tvp_test_execute("hash", 2,
	    "--blocks 3 --algo nosuchalgo", &rec), TVP_EXIT_USAGE);
}

/*
 * The input on 4 KiB pages or on 2 MiB huge pages (4 MiB of it, so at
 * least one can be huge): the same bytes, so the same verified result,
 * in both modes.
 */
static void
test_run_pages(void)
{
	static const char *const pages[] = { "small", "huge" };
	char args[128], first[TVP_RESULT_MAX] = "";
	struct tvp_record rec;

	for (size_t i = 0; i < 2; i++) {
		snprintf(args, sizeof(args), "--blocks 64 --block-size 64K "
		    "--rounds 2 --pages %s", pages[i]);
		CU_ASSERT_EQUAL(tvp_test_execute("hash", 2, args, &rec),
		    TVP_EXIT_OK);
		CU_ASSERT_TRUE((rec.verdict == TVP_VERDICT_VERIFIED));
		CU_ASSERT_PTR_NOT_NULL(strstr(rec.options, pages[i]));
		if (i == 0)
			strlcpy(first, rec.result, sizeof(first));
		else
			CU_ASSERT_STRING_EQUAL(rec.result, first);
	}
}

/* Each worker marks its own flag in memory every worker sees. */
static int
mark_body(void *shared, unsigned worker, unsigned nworkers)
{
	unsigned char *flags = shared;

	flags[worker] = 1;
	return worker < nworkers ? 0 : -1;
}

static void
test_run_workers_share_the_region(void)
{
	unsigned char *flags = tvp_shared_map(8);

	CU_ASSERT_PTR_NOT_NULL_FATAL(flags);
	CU_ASSERT_EQUAL(tvp_test_run_workers(8, mark_body, flags), 0);
	for (unsigned w = 0; w < 8; w++)
		CU_ASSERT_EQUAL(flags[w], 1);
	tvp_shared_unmap(flags, 8);
}

static int
fail_body(void *shared, unsigned worker, unsigned nworkers)
{
	(void)shared;
	(void)worker;
	(void)nworkers;
	return -1;
}

/*
 * Every one of 12 workers fails: a few lines name workers, the rest are
 * counted, not 12 lines (as threads: the first 3 and "and 9 more"; as
 * processes: the first death, which stops the others).
 */
static void
test_run_many_failures_few_lines(void)
{
	char err[4096];
	FILE *tmp = tmpfile();
	int saved, rc;
	size_t n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(tmp);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	CU_ASSERT_FATAL(saved >= 0);
	dup2(fileno(tmp), STDERR_FILENO);
	rc = tvp_test_run_workers(12, fail_body, NULL);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(tmp);
	n = fread(err, 1, sizeof(err) - 1, tmp);
	err[n] = '\0';
	fclose(tmp);
	CU_ASSERT_EQUAL(rc, TVP_EXIT_FAIL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "worker "));
	if (tvp_mode_is_processes()) {
		CU_ASSERT_EQUAL(tvp_test_count_lines(err), 1);
	} else {
		CU_ASSERT_EQUAL(tvp_test_count_lines(err), 4);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "and 9 more worker(s) "
		    "failed"));
	}
	if (CU_get_number_of_failures() > 0)
		fprintf(stderr, "stderr was:\n%s", err);
}

CU_TestInfo tvp_run_tests[] = {
	{ "workers see one shared region", test_run_workers_share_the_region },
	{ "12 workers fail: a few lines, not 12",
	    test_run_many_failures_few_lines },
	{ "hash, 1 worker, 37 blocks", test_run_1 },
	{ "hash, 2 workers, 37 blocks", test_run_2 },
	{ "hash, 3 workers, 37 blocks", test_run_3 },
	{ "hash, 8 workers, 37 blocks", test_run_8 },
	{ "hash, 8 workers, 3 blocks", test_run_more_workers_than_items },
	{ "hash, 0 blocks", test_run_zero_blocks },
	{ "hash, unknown --algo is a usage error", test_run_bad_algo },
	{ "hash --pages small and huge: the same result", test_run_pages },
	CU_TEST_INFO_NULL,
};
