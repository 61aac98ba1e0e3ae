/*
 * The spawn workload through this binary's runner: every spawned thread
 * or child ran (the counter says so), at several worker counts, with a
 * touched address space, and bad --touch values are usage errors.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "core/cli.h"
#include "core/execute.h"
#include "core/record.h"
#include "core/runner.h"
#include "tests.h"

static void
run_spawn(unsigned workers, unsigned count, const char *more)
{
	char args[128], want[64];
	struct tvp_record rec;

	snprintf(args, sizeof(args), "--count %u%s%s", count,
	    *more ? " " : "", more);
	CU_ASSERT_EQUAL_FATAL(tvp_test_execute("spawn", workers, args, &rec),
	    TVP_EXIT_OK);
	CU_ASSERT_TRUE((rec.verdict == TVP_VERDICT_VERIFIED));
	if (!(rec.verdict == TVP_VERDICT_VERIFIED))
		fprintf(stderr, "not verified: %s\n", rec.note);
	snprintf(want, sizeof(want), "spawned=%u", workers * count);
	CU_ASSERT_STRING_EQUAL(rec.result, want);
	CU_ASSERT_EQUAL(rec.items, (uint64_t)workers * count);
	/* The cost is reported, named for this mode's way of spawning. */
	CU_ASSERT_TRUE(tvp_test_metric(&rec, "us_per_spawn_median") > 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(rec.note, tvp_mode_is_processes() ?
	    "fork+waitpid" : "pthread_create+pthread_join"));
}

static void
test_spawn_1(void)
{
	run_spawn(1, 50, "");
}

static void
test_spawn_2(void)
{
	run_spawn(2, 50, "");
}

static void
test_spawn_4(void)
{
	run_spawn(4, 25, "");
}

static void
test_spawn_8(void)
{
	run_spawn(8, 10, "");
}

static void
test_spawn_256(void)
{
	run_spawn(256, 2, "");
}

static void
test_spawn_touch(void)
{
	run_spawn(2, 10, "--touch 4");
	run_spawn(1, 5, "--touch 4 --pages huge");
}

/* The whole program, as a user types it: its exit status. */
static int
tvp(const char *args)
{
	int argc, rc;
	char **argv = tvp_test_split(args, &argc);

	CU_ASSERT_PTR_NOT_NULL_FATAL(argv);
	optind = 0; /* getopt starts afresh */
	rc = tvp_main(argc, argv);
	tvp_test_argv_free(argv);
	return rc;
}

static void
test_spawn_bad_touch(void)
{
	struct tvp_record rec;

	CU_ASSERT_EQUAL(tvp("tvp spawn --touch lots"), TVP_EXIT_USAGE);
	CU_ASSERT_EQUAL(tvp("tvp spawn --touch -1"), TVP_EXIT_USAGE);
	CU_ASSERT_EQUAL(tvp("tvp spawn --touch 1073741825"), TVP_EXIT_USAGE);
	/* 1 PiB: more than any machine this runs on; refused, not mapped. */
	CU_ASSERT_EQUAL(tvp("tvp spawn --touch 1073741824"), TVP_EXIT_USAGE);
	CU_ASSERT_EQUAL(tvp_test_execute("spawn", 1, "--touch 1073741824",
	    &rec), TVP_EXIT_USAGE);
}

CU_TestInfo tvp_spawn_tests[] = {
	{ "spawn, 1 worker", test_spawn_1 },
	{ "spawn, 2 workers", test_spawn_2 },
	{ "spawn, 4 workers", test_spawn_4 },
	{ "spawn, 8 workers", test_spawn_8 },
	{ "spawn, 256 workers, 2 spawns each", test_spawn_256 },
	{ "spawn with touched memory, small and huge pages", test_spawn_touch },
	{ "spawn: bad or too large --touch is a usage error",
	    test_spawn_bad_touch },
	CU_TEST_INFO_NULL,
};
