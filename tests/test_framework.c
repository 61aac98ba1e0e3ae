/*
 * What the framework does for a workload: a workload with only `setup`
 * and `item` (the README's "Adding a workload") gets its state, its item
 * results, a result, a verify and its cleanup; shared regions are unmapped
 * after the run; an incomplete workload is refused with a message.
 */
#define _GNU_SOURCE /* gettid */
#include <sys/mman.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <xxhash.h>

#include "core/execute.h"
#include "core/run.h"
#include "tests.h"
#include "workload.h"
#include "workload_api.h"

/* ---- the README's example: squares of 0 .. n-1 ------------------------- */

struct squares_state {
	uint64_t offset;
};

static const struct tvp_optdef squares_opts[] = {
	{ "count", TVP_OPT_NUM, "100", 0, 1000000, NULL, "how many squares" },
	{ "offset", TVP_OPT_NUM, "7", 0, 1000, NULL, "added to each" },
	{ NULL, 0, NULL, 0, 0, NULL, NULL },
};

static int
squares_setup(struct tvp_run *run)
{
	struct squares_state *st = tvp_state(run);

	st->offset = (uint64_t)tvp_opt_num(run, "offset");
	return tvp_set_items(run, (size_t)tvp_opt_num(run, "count"),
	    sizeof(uint64_t));
}

static int
squares_item(struct tvp_run *run, size_t item, unsigned worker, void *result,
    uint64_t *bytes)
{
	const struct squares_state *st = tvp_state(run);
	uint64_t v = (uint64_t)item * item + st->offset;

	(void)worker;
	memcpy(result, &v, sizeof(v));
	*bytes = sizeof(v);
	return 0;
}

static const struct tvp_workload squares = {
	.name = "squares",
	.kind = "cpu",
	.summary = "the square of every item, plus an offset",
	.opts = squares_opts,
	.state_size = sizeof(struct squares_state),
	.setup = squares_setup,
	.item = squares_item,
};

/* Run wl with args on n workers, nothing left behind; the exit status. */
static int
execute(const struct tvp_workload *wl, unsigned n, const char *args,
    struct tvp_record *rec)
{
	struct tvp_run run = { .nworkers = n };
	int argc, rc;
	char **argv = tvp_test_split(args, &argc);

	CU_ASSERT_PTR_NOT_NULL_FATAL(argv);
	CU_ASSERT_EQUAL_FATAL(tvp_run_init(&run, wl, false, argc, argv), 0);
	tvp_test_argv_free(argv);
	rc = tvp_execute(&run, rec);
	CU_ASSERT_PTR_NULL(run.state);
	CU_ASSERT_PTR_NULL(run.ctl);
	CU_ASSERT_EQUAL(run.nregions, 0);
	assert_no_shm_left();
	assert_no_child_left();
	tvp_run_free(&run);
	return rc;
}

/*
 * 1 worker, a prime, more workers than items: the default result is the
 * XXH3-64 of the item results in item order, computed here independently.
 */
static void
test_setup_and_item_only(void)
{
	static const unsigned workers[] = { 1, 3, 7, 150 };
	uint64_t want[100];
	char hex[32];
	struct tvp_record rec;

	for (uint64_t i = 0; i < 100; i++)
		want[i] = i * i + 7;
	snprintf(hex, sizeof(hex), "%016llx",
	    (unsigned long long)XXH3_64bits(want, sizeof(want)));
	for (size_t k = 0; k < sizeof(workers) / sizeof(workers[0]); k++) {
		CU_ASSERT_EQUAL(execute(&squares, workers[k], "", &rec), 0);
		CU_ASSERT_EQUAL(rec.verdict, TVP_VERDICT_VERIFIED);
		CU_ASSERT_STRING_EQUAL(rec.result, hex);
		CU_ASSERT_EQUAL(rec.items, 100);
		CU_ASSERT_EQUAL(rec.bytes, 100 * sizeof(uint64_t));
		CU_ASSERT_PTR_NOT_NULL(strstr(rec.note,
		    "no independent reference"));
	}
	/* No items at all is a run too. */
	CU_ASSERT_EQUAL(execute(&squares, 2, "--count 0", &rec), 0);
	CU_ASSERT_EQUAL(rec.verdict, TVP_VERDICT_VERIFIED);
}

/* ---- the default verify catches a kernel that differs by place --------- */

static pid_t main_tid;

/* Right in the workers, wrong when the parent recomputes it. */
static int
twofaced_item(struct tvp_run *run, size_t item, unsigned worker,
    void *result, uint64_t *bytes)
{
	uint64_t v = item + (gettid() == main_tid);

	(void)run;
	(void)worker;
	(void)bytes;
	memcpy(result, &v, sizeof(v));
	return 0;
}

static int
twofaced_setup(struct tvp_run *run)
{
	return tvp_set_items(run, 16, sizeof(uint64_t));
}

static void
test_default_verify_catches(void)
{
	static const struct tvp_workload twofaced = { .name = "twofaced",
	    .kind = "test", .summary = "s", .setup = twofaced_setup,
	    .item = twofaced_item };
	struct tvp_record rec;

	main_tid = gettid();
	CU_ASSERT_EQUAL(execute(&twofaced, 2, "", &rec), 0);
	CU_ASSERT_EQUAL(rec.verdict, TVP_VERDICT_FAILED);
	CU_ASSERT_PTR_NOT_NULL(strstr(rec.note, "differs when recomputed"));
}

/* ---- shared regions are the framework's to unmap ----------------------- */

static void *regions[3];

static int
regions_setup(struct tvp_run *run)
{
	for (size_t i = 0; i < 3; i++)
		if ((regions[i] = tvp_shared(run, 4096 * (i + 1))) == NULL)
			return TVP_EXIT_FAIL;
	return 0;
}

static int
regions_work(struct tvp_run *run, unsigned worker)
{
	/* Every worker sees and writes them. */
	((unsigned char *)regions[worker % 3])[worker] = 1;
	(void)run;
	return 0;
}

static enum tvp_verdict
regions_verify(struct tvp_run *run)
{
	unsigned n = tvp_workers(run);

	for (unsigned w = 0; w < n; w++)
		if (((unsigned char *)regions[w % 3])[w] != 1)
			return TVP_VERDICT_FAILED;
	return TVP_VERDICT_VERIFIED;
}

static void
test_regions_unmapped(void)
{
	static const struct tvp_workload wl = { .name = "regions",
	    .kind = "test", .summary = "s", .setup = regions_setup,
	    .work = regions_work, .verify = regions_verify };
	long page = sysconf(_SC_PAGESIZE);
	struct tvp_record rec;

	CU_ASSERT_EQUAL(execute(&wl, 4, "", &rec), 0);
	CU_ASSERT_EQUAL(rec.verdict, TVP_VERDICT_VERIFIED);
	CU_ASSERT_STRING_EQUAL(rec.result, "items=0");
	/* msync of a page that is no longer mapped: ENOMEM. */
	for (size_t i = 0; i < 3; i++) {
		errno = 0;
		CU_ASSERT_EQUAL(msync(regions[i], (size_t)page, MS_ASYNC), -1);
		CU_ASSERT_EQUAL(errno, ENOMEM);
	}
}

/* ---- an incomplete workload is named, not run -------------------------- */

static void
test_incomplete_refused(void)
{
	static const struct tvp_workload none = { .name = "nobody",
	    .kind = "test", .summary = "neither item nor work" };
	struct tvp_run run = { .nworkers = 1 };
	struct tvp_record rec;

	CU_ASSERT_EQUAL_FATAL(tvp_run_init(&run, &none, false, 0, NULL), 0);
	CU_ASSERT_EQUAL(tvp_execute(&run, &rec), TVP_EXIT_FAIL);
	CU_ASSERT_PTR_NULL(run.state);
	tvp_run_free(&run);
}

CU_TestInfo tvp_framework_tests[] = {
	{ "a workload with only setup and item: result, verify, cleanup",
	    test_setup_and_item_only },
	{ "the default verify catches a kernel that differs in the parent",
	    test_default_verify_catches },
	{ "shared regions are unmapped by the framework",
	    test_regions_unmapped },
	{ "a workload with neither item nor work is refused",
	    test_incomplete_refused },
	CU_TEST_INFO_NULL,
};
