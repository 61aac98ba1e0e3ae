/*
 * The background workload through this binary's runner: every observer
 * sees the daemon thread end with its process, the orphan live on as the
 * observer's child, the PR_SET_PDEATHSIG child killed, and a thread keep
 * its process running after main's pthread_exit; and nothing the run
 * made is left, neither a child of ours nor an orphan elsewhere.
 */
#define _GNU_SOURCE
#include <sys/prctl.h>

#include <ctype.h>
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "core/cli.h"
#include "core/execute.h"
#include "core/record.h"
#include "tests.h"

#define EXPECTED "daemon_thread=died_with_process orphan_child=survived " \
    "deathsig_child=killed nondaemon_thread=kept_process_alive"

/*
 * Running processes of our process group with a name the workload gives
 * (tvpbg-*): orphans that escaped to init would still be in our group.
 * Zombies are not counted: one under init is init's to reap (a fault
 * injected into an observer leaves those, by design), and one of ours is
 * what tvp_test_execute's check for children finds.
 */
static unsigned
count_leftovers(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	unsigned n = 0;
	pid_t pgrp = getpgrp();

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	while ((e = readdir(d)) != NULL) {
		char path[300], buf[512], *name, *end;
		long ppid, group;
		char state;
		FILE *fp;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		if ((fp = fopen(path, "r")) == NULL)
			continue; /* gone meanwhile */
		if (fgets(buf, sizeof(buf), fp) != NULL &&
		    (name = strchr(buf, '(')) != NULL &&
		    (end = strrchr(buf, ')')) != NULL &&
		    /* NOLINTNEXTLINE(cert-err34-c): kernel-written numbers */
		    sscanf(end + 1, " %c %ld %ld", &state, &ppid,
		    &group) == 3 && group == pgrp && state != 'Z' &&
		    strncmp(name + 1, "tvpbg-", 6) == 0) {
			*end = '\0';
			fprintf(stderr, "left: pid %s (%s) state %c parent "
			    "%ld\n", e->d_name, name + 1, state, ppid);
			n++;
		}
		fclose(fp);
	}
	closedir(d);
	return n;
}

static void
run_background(unsigned workers)
{
	struct tvp_record rec;
	int before = -1, after = -1;

	if (tvp_test_tsan_skips_background())
		return;
	CU_ASSERT_EQUAL_FATAL(prctl(PR_GET_CHILD_SUBREAPER, &before), 0);
	CU_ASSERT_EQUAL_FATAL(tvp_test_execute("background", workers, "",
	    &rec), TVP_EXIT_OK);
	CU_ASSERT_TRUE((rec.verdict == TVP_VERDICT_VERIFIED));
	if (!(rec.verdict == TVP_VERDICT_VERIFIED))
		fprintf(stderr, "not verified: %s: %s\n", rec.result,
		    rec.note);
	CU_ASSERT_STRING_EQUAL(rec.result, EXPECTED);
	CU_ASSERT_EQUAL(rec.items, workers);
	/* tvp_test_execute checked for children; and no orphans anywhere. */
	CU_ASSERT_EQUAL(count_leftovers(), 0);
	/* Threads mode made this very process a subreaper: no longer. */
	CU_ASSERT_EQUAL(prctl(PR_GET_CHILD_SUBREAPER, &after), 0);
	CU_ASSERT_EQUAL(after, before);
}

static void
test_background_1(void)
{
	run_background(1);
}

static void
test_background_2(void)
{
	run_background(2);
}

static void
test_background_4(void)
{
	run_background(4);
}

static void
test_background_8(void)
{
	run_background(8);
}

static void
test_background_bad_deadline(void)
{
	int argc;
	char **argv = tvp_test_split("tvp background --deadline-ms 0",
	    &argc);

	CU_ASSERT_PTR_NOT_NULL_FATAL(argv);
	optind = 0; /* getopt starts afresh */
	CU_ASSERT_EQUAL(tvp_main(argc, argv), TVP_EXIT_USAGE);
	tvp_test_argv_free(argv);
}

CU_TestInfo tvp_background_tests[] = {
	{ "background, 1 worker", test_background_1 },
	{ "background, 2 workers", test_background_2 },
	{ "background, 4 workers", test_background_4 },
	{ "background, 8 workers", test_background_8 },
	{ "background: --deadline-ms 0 is a usage error",
	    test_background_bad_deadline },
	CU_TEST_INFO_NULL,
};
