/*
 * End to end: both programs, run as the user would, with bad arguments.
 * Paths are relative to the repository root, where `make check` runs;
 * TVP_BINDIR (tests.h) is the bin directory of this test binary's build.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "tests.h"

static const char *const programs[] = { TVP_BINDIR "/tvp-threads",
    TVP_BINDIR "/tvp-processes" };

struct output {
	char out[8192], err[8192];
	size_t outlen, errlen;
};

/* Run prog with words as arguments; return its exit status, or -1. */
static int
run_prog(const char *prog, int n, const char *const *words,
    struct output *o)
{
	const char *argv[16];
	int po[2], pe[2], status;
	pid_t pid;
	struct pollfd fds[2];
	int open_fds = 2;

	memset(o, 0, sizeof(*o));
	if (n > 14 || pipe(po) != 0)
		return -1;
	if (pipe(pe) != 0) {
		close(po[0]);
		close(po[1]);
		return -1;
	}
	argv[0] = prog;
	for (int i = 0; i < n; i++)
		argv[i + 1] = words[i];
	argv[n + 1] = NULL;
	fflush(NULL);
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		if (null >= 0)
			dup2(null, STDIN_FILENO);
		dup2(po[1], STDOUT_FILENO);
		dup2(pe[1], STDERR_FILENO);
		close(po[0]);
		close(pe[0]);
		/* execv's argv is char *const[]; the strings are not changed. */
		execv(prog, (char *const *)(void *)argv);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	fds[0].fd = po[0];
	fds[1].fd = pe[0];
	fds[0].events = fds[1].events = POLLIN;
	while (open_fds > 0) {
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < 2; i++) {
			char *buf = i == 0 ? o->out : o->err;
			size_t *len = i == 0 ? &o->outlen : &o->errlen;
			char sink[1024];
			ssize_t r;

			if (fds[i].fd < 0 || fds[i].revents == 0)
				continue;
			if (*len < sizeof(o->out) - 1)
				r = read(fds[i].fd, buf + *len,
				    sizeof(o->out) - 1 - *len);
			else
				r = read(fds[i].fd, sink, sizeof(sink));
			if (r > 0 && *len < sizeof(o->out) - 1)
				*len += (size_t)r;
			else if (r <= 0) {
				close(fds[i].fd);
				fds[i].fd = -1;
				open_fds--;
			}
		}
	}
	for (int i = 0; i < 2; i++)
		if (fds[i].fd >= 0)
			close(fds[i].fd);
	o->out[o->outlen] = '\0';
	o->err[o->errlen] = '\0';
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void
expect_usage(int n, const char *const *words)
{
	struct output o;

	for (size_t p = 0; p < sizeof(programs) / sizeof(programs[0]); p++) {
		int rc = run_prog(programs[p], n, words, &o);

		CU_ASSERT_EQUAL(rc, 2);
		CU_ASSERT(o.errlen > 0);
		if (rc != 2 || o.errlen == 0) {
			fprintf(stderr, "%s", programs[p]);
			for (int i = 0; i < n; i++)
				fprintf(stderr, " %s", words[i]);
			fprintf(stderr, ": exit %d, stderr '%s'\n", rc, o.err);
		}
	}
}

static void
test_programs_exist(void)
{
	for (size_t p = 0; p < sizeof(programs) / sizeof(programs[0]); p++)
		CU_ASSERT_EQUAL(access(programs[p], X_OK), 0);
}

static void
test_bad_workers(void)
{
	static const char *const zero[] = { "-j", "0", "hash" };
	static const char *const word[] = { "-j", "x", "hash" };

	expect_usage(3, zero);
	expect_usage(3, word);
}

static void
test_bad_workload(void)
{
	static const char *const w[] = { "nosuchworkload" };

	expect_usage(1, w);
}

static void
test_bad_workload_options(void)
{
	static const char *const unknown[] = { "hash", "--nosuch", "1" };
	static const char *const neg[] = { "hash", "--blocks", "-5" };
	static const char *const missing[] = { "hash", "--blocks" };
	static const char *const algo[] = { "hash", "--algo", "nosuchalgo" };

	expect_usage(3, unknown);
	expect_usage(3, neg);
	expect_usage(2, missing);
	expect_usage(3, algo);
}

static void
test_bad_format(void)
{
	static const char *const w[] = { "--format", "xml", "hash" };

	expect_usage(3, w);
}

static void
test_no_arguments(void)
{
	expect_usage(0, NULL);
}

static void
test_list(void)
{
	static const char *const w[] = { "--list" };
	struct output o;

	for (size_t p = 0; p < sizeof(programs) / sizeof(programs[0]); p++) {
		CU_ASSERT_EQUAL(run_prog(programs[p], 1, w, &o), 0);
		CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "hash"));
	}
}

static void
test_workload_help(void)
{
	static const char *const w[] = { "hash", "--help" };
	struct output o;

	for (size_t p = 0; p < sizeof(programs) / sizeof(programs[0]); p++) {
		CU_ASSERT_EQUAL(run_prog(programs[p], 2, w, &o), 0);
		CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "--blocks"));
	}
}

CU_TestInfo tvp_cli_tests[] = {
	{ "both programs are built", test_programs_exist },
	{ "-j 0 and -j x are usage errors", test_bad_workers },
	{ "an unknown workload is a usage error", test_bad_workload },
	{ "bad workload options are usage errors", test_bad_workload_options },
	{ "--format xml is a usage error", test_bad_format },
	{ "no arguments is a usage error", test_no_arguments },
	{ "--list exits 0 and names hash", test_list },
	{ "hash --help exits 0", test_workload_help },
	CU_TEST_INFO_NULL,
};
