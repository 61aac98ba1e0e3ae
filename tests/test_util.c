/* Small helpers shared by the test files. */
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "execute.h"
#include "registry.h"
#include "tests.h"

char **
tvp_test_argv(int n, const char *const *words)
{
	char **argv = calloc((size_t)n + 1, sizeof(*argv));

	if (argv == NULL)
		return NULL;
	for (int i = 0; i < n; i++)
		if ((argv[i] = strdup(words[i])) == NULL) {
			tvp_test_argv_free(argv);
			return NULL;
		}
	return argv;
}

void
tvp_test_argv_free(char **argv)
{
	if (argv == NULL)
		return;
	for (char **p = argv; *p != NULL; p++)
		free(*p);
	free(argv);
}

char **
tvp_test_split(const char *s, int *argc)
{
	char *copy = strdup(s), *p, *last, **argv;
	const char *words[64];
	int n = 0;

	if (copy == NULL)
		return NULL;
	for (p = strtok_r(copy, " ", &last); p != NULL && n < 64;
	    p = strtok_r(NULL, " ", &last))
		words[n++] = p;
	argv = tvp_test_argv(n, words);
	free(copy);
	*argc = n;
	return argv;
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

int
tvp_test_execute(const char *workload, unsigned workers, const char *args,
    struct tvp_record *rec)
{
	struct tvp_run run = { .nworkers = workers };
	struct tvp_optval *vals;
	int argc, rc;
	char **argv = tvp_test_split(args, &argc);

	run.wl = tvp_workload_find(workload);
	CU_ASSERT_PTR_NOT_NULL_FATAL(run.wl);
	CU_ASSERT_PTR_NOT_NULL_FATAL(argv);
	vals = calloc(tvp_opts_count(run.wl->opts) + 1, sizeof(*vals));
	CU_ASSERT_PTR_NOT_NULL_FATAL(vals);
	CU_ASSERT_EQUAL_FATAL(tvp_opts_defaults(run.wl->opts, vals), 0);
	CU_ASSERT_EQUAL_FATAL(tvp_opts_parse(workload, run.wl->opts, vals,
	    argc, argv), 0);
	run.opts = vals;
	rc = tvp_execute(&run, rec);
	/* Whatever happened, nothing of the run is left. */
	CU_ASSERT_PTR_NULL(run.ctl);
	CU_ASSERT_PTR_NULL(run.state);
	assert_no_shm_left();
	assert_no_child_left();
	tvp_test_argv_free(argv);
	free(vals);
	return rc;
}

/*
 * A workload made on the spot: every worker calls the test's body.  It
 * goes through tvp_execute and this binary's runner, so a primitive is
 * tested exactly as the workloads use it, as threads or as processes.
 */
struct probe_state {
	int (*body)(void *shared, unsigned worker, unsigned nworkers);
	void *shared;
};

static struct probe_state probe_state;

static int
probe_setup(struct tvp_run *run)
{
	run->state = &probe_state;
	return 0;
}

static int
probe_work(struct tvp_run *run, unsigned worker)
{
	const struct probe_state *p = run->state;

	if (p->body(p->shared, worker, run->nworkers) != 0)
		return tvp_worker_error(run, worker, "test body failed");
	return 0;
}

static int
probe_finish(struct tvp_run *run)
{
	(void)run;
	return 0;
}

static int
probe_verify(struct tvp_run *run)
{
	(void)run;
	return TVP_VERIFIED;
}

static void
probe_teardown(struct tvp_run *run)
{
	run->state = NULL;
}

static const struct tvp_optdef probe_opts[] = { { .name = NULL } };

static const struct tvp_workload probe = {
	.name = "probe",
	.kind = "test",
	.summary = "runs a test's body on every worker",
	.opts = probe_opts,
	.setup = probe_setup,
	.work = probe_work,
	.finish = probe_finish,
	.verify = probe_verify,
	.teardown = probe_teardown,
};

int
tvp_test_run_workers(unsigned nworkers,
    int (*body)(void *shared, unsigned worker, unsigned nworkers),
    void *shared)
{
	struct tvp_optval vals[1] = { { 0 } };
	struct tvp_run run = { .wl = &probe, .opts = vals,
	    .nworkers = nworkers };
	struct tvp_record rec;
	int rc;

	probe_state = (struct probe_state){ body, shared };
	rc = tvp_execute(&run, &rec);
	assert_no_shm_left();
	assert_no_child_left();
	return rc;
}
