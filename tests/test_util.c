/* Small helpers shared by the test files. */
#define _GNU_SOURCE /* nftw */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/clock.h"
#include "core/execute.h"
#include "core/registry.h"
#include "core/runner.h"
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
tvp_test_run_init(struct tvp_run *run, const char *workload,
    unsigned workers, const char *args)
{
	const struct tvp_workload *wl = tvp_workload_find(workload);
	int argc, rc;
	char **argv = tvp_test_split(args, &argc);

	CU_ASSERT_PTR_NOT_NULL_FATAL(wl);
	CU_ASSERT_PTR_NOT_NULL_FATAL(argv);
	*run = (struct tvp_run){ .nworkers = workers };
	rc = tvp_run_init(run, wl, false, argc, argv);
	tvp_test_argv_free(argv);
	return rc;
}

int
tvp_test_execute(const char *workload, unsigned workers, const char *args,
    struct tvp_record *rec)
{
	struct tvp_run run;
	int rc;

	CU_ASSERT_EQUAL_FATAL(tvp_test_run_init(&run, workload, workers,
	    args), 0);
	rc = tvp_execute(&run, rec);
	/* Whatever happened, nothing of the run is left. */
	CU_ASSERT_PTR_NULL(run.ctl);
	CU_ASSERT_PTR_NULL(run.state);
	CU_ASSERT_EQUAL(run.nregions, 0);
	assert_no_shm_left();
	assert_no_child_left();
	tvp_run_free(&run);
	return rc;
}

/*
 * A workload made on the spot: every worker calls the test's body.  It
 * goes through tvp_execute and this binary's runner, so a primitive is
 * tested exactly as the workloads use it, as threads or as processes.
 * Only `work` and `verify`: the framework supplies the rest.
 */
struct probe_state {
	int (*body)(void *shared, unsigned worker, unsigned nworkers);
	void *shared;
};

static struct probe_state probe_state;

static int
probe_work(struct tvp_run *run, unsigned worker)
{
	if (probe_state.body(probe_state.shared, worker,
	    tvp_workers(run)) != 0)
		return tvp_worker_error(run, worker, "test body failed");
	return 0;
}

static enum tvp_verdict
probe_verify(struct tvp_run *run)
{
	(void)run;
	return TVP_VERDICT_VERIFIED;
}

static const struct tvp_workload probe = {
	.name = "probe",
	.kind = "test",
	.summary = "runs a test's body on every worker",
	.work = probe_work,
	.verify = probe_verify,
};

int
tvp_test_run_workers(unsigned nworkers,
    int (*body)(void *shared, unsigned worker, unsigned nworkers),
    void *shared)
{
	struct tvp_optval vals[1] = { { 0 } };
	/* A body that never returns fails the run instead of hanging it. */
	struct tvp_run run = { .wl = &probe, .opts = vals,
	    .nworkers = nworkers, .timeout_s = 60 };
	struct tvp_record rec;
	int rc;

	probe_state = (struct probe_state){ body, shared };
	rc = tvp_execute(&run, &rec);
	assert_no_shm_left();
	assert_no_child_left();
	return rc;
}

const char *
tvp_test_program(void)
{
	return strcmp(tvp_mode, "threads") == 0 ? TVP_BINDIR "/tvp-threads" :
	    TVP_BINDIR "/tvp-processes";
}

#define NOBODY 65534
#define MAXWORDS 32

static void
child_exec(const char *path, char *const *argv,
    const struct tvp_test_setup *s, int out, int errfd)
{
	int null = open("/dev/null", O_RDONLY);
	sigset_t mask;

	if (null >= 0)
		dup2(null, STDIN_FILENO);
	dup2(out, STDOUT_FILENO);
	dup2(errfd, STDERR_FILENO);
	if (s != NULL && s->stdout_file != NULL) {
		int fd = open(s->stdout_file, O_WRONLY);

		if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0)
			_exit(126);
		close(fd);
	} else if (s != NULL && s->stdout_closed) {
		close(STDOUT_FILENO);
	}
	if (s != NULL && s->fsize != 0) {
		struct rlimit rl = { s->fsize, s->fsize };

		/* The program must turn SIGXFSZ into EFBIG itself. */
		signal(SIGXFSZ, SIG_DFL);
		if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
			_exit(126);
	}
	if (s != NULL && s->nofile != 0) {
		struct rlimit rl = { s->nofile, s->nofile_hard };

		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			_exit(126);
	}
	if (s != NULL && s->address_space != 0) {
		struct rlimit rl = { s->address_space, s->address_space };

		if (setrlimit(RLIMIT_AS, &rl) != 0)
			_exit(126);
	}
	if (s != NULL && s->nproc != 0) {
		struct rlimit rl = { s->nproc, s->nproc };

		if (setrlimit(RLIMIT_NPROC, &rl) != 0)
			_exit(126);
	}
	if (s != NULL && s->touch_mib != 0) {
		size_t len = s->touch_mib << 20;
		char *big = malloc(len);

		if (big == NULL)
			_exit(126);
		memset(big, 1, len);
		/* Kept: the compiler must not drop a store nobody reads. */
		__asm__ __volatile__("" : : "r"(big) : "memory");
		/* cppcheck-suppress memleak ; held until exec replaces us */
	}
	if (s != NULL && s->nobody && (setgroups(0, NULL) != 0 ||
	    setgid(NOBODY) != 0 || setuid(NOBODY) != 0))
		_exit(126);
	if (s != NULL && s->ignore_signal != 0)
		signal(s->ignore_signal, SIG_IGN);
	if (s != NULL && s->alarm_s != 0)
		alarm(s->alarm_s);
	sigemptyset(&mask);
	if (s != NULL && s->pending_signal != 0) {
		/* Blocked and pending across exec: see tests.h. */
		sigaddset(&mask, s->pending_signal);
		sigprocmask(SIG_SETMASK, &mask, NULL);
		raise(s->pending_signal);
	} else {
		sigprocmask(SIG_SETMASK, &mask, NULL);
	}
	execv(path, argv);
	_exit(127);
}

/* Read both pipes to EOF. */
static void
collect(int po, int pe, struct tvp_test_output *o)
{
	struct pollfd fds[2] = { { po, POLLIN, 0 }, { pe, POLLIN, 0 } };
	int open_fds = 2;

	while (open_fds > 0) {
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < 2; i++) {
			char *buf = i == 0 ? o->out : o->err;
			size_t cap = i == 0 ? sizeof(o->out) : sizeof(o->err);
			size_t *len = i == 0 ? &o->outlen : &o->errlen;
			char sink[1024];
			ssize_t r;

			if (fds[i].fd < 0 || fds[i].revents == 0)
				continue;
			if (*len < cap - 1)
				r = read(fds[i].fd, buf + *len, cap - 1 - *len);
			else
				r = read(fds[i].fd, sink, sizeof(sink));
			if (r > 0 && *len < cap - 1)
				*len += (size_t)r;
			else if (r <= 0) {
				close(fds[i].fd);
				fds[i].fd = -1;
				open_fds--;
			}
		}
	}
	o->out[o->outlen] = '\0';
	o->err[o->errlen] = '\0';
}

/* No /dev/shm entry of process pid ("tvp-PID-N"). */
static void
assert_no_shm_of(pid_t pid)
{
	char prefix[64];
	DIR *d = opendir("/dev/shm");
	struct dirent *e;

	snprintf(prefix, sizeof(prefix), "tvp-%ld-", (long)pid);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0) {
			CU_FAIL("left in /dev/shm");
			fprintf(stderr, "left in /dev/shm: %s\n", e->d_name);
		}
	closedir(d);
}

size_t
tvp_test_children(pid_t ppid, pid_t *out, size_t max)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	size_t n = 0;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL && n < max) {
		char path[300], buf[512], *p;
		long pid = strtol(e->d_name, &p, 10), parent;
		FILE *fp;

		if (*p != '\0' || pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
		if ((fp = fopen(path, "r")) == NULL)
			continue;
		/* "pid (comm) state ppid": comm may hold anything but ')'. */
		if (fgets(buf, sizeof(buf), fp) != NULL &&
		    (p = strrchr(buf, ')')) != NULL &&
		    /* NOLINTNEXTLINE(cert-err34-c): kernel-written numbers */
		    sscanf(p + 1, " %*c %ld", &parent) == 1 &&
		    parent == (long)ppid)
			out[n++] = (pid_t)pid;
		fclose(fp);
	}
	closedir(d);
	return n;
}

/* SIGKILL every child of this process (from /proc); how many there were. */
static int
kill_children(void)
{
	pid_t kids[TVP_TEST_CHILDREN_MAX];
	size_t n = tvp_test_children(getpid(), kids, TVP_TEST_CHILDREN_MAX);

	for (size_t i = 0; i < n; i++) {
		fprintf(stderr, "left running: pid %ld\n", (long)kids[i]);
		kill(kids[i], SIGKILL);
	}
	return (int)n;
}

/*
 * Run path with argv (NULL-terminated, argv[0] included) after setup s.
 * Returns the exit status, 128+N for death by signal N, or -1.  Asserts
 * that it left no process and no shared memory behind.
 */
int
tvp_test_run_argv(const char *path, char *const *argv,
    const struct tvp_test_setup *s,
    struct tvp_test_output *o)
{
	int po[2], pe[2], status, orphans = 0;
	pid_t pid, p;

	memset(o, 0, sizeof(*o));
	if (pipe(po) != 0)
		return -1;
	if (pipe(pe) != 0) {
		close(po[0]);
		close(po[1]);
		return -1;
	}
	/* Orphans of the program (workers it left) are reparented to us. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	fflush(NULL);
	if ((pid = fork()) == 0) {
		close(po[0]);
		close(pe[0]);
		child_exec(path, argv, s, po[1], pe[1]);
	}
	close(po[1]);
	close(pe[1]);
	if (pid < 0) {
		close(po[0]);
		close(pe[0]);
		prctl(PR_SET_CHILD_SUBREAPER, 0);
		return -1;
	}
	collect(po[0], pe[0], o);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	/* Anything still a child of ours now is left over from the run. */
	while ((p = waitpid(-1, NULL, WNOHANG)) != 0) {
		if (p < 0)
			break;
		orphans++;
	}
	if (p == 0) {
		/* Orphans still running: count them, end them, reap them. */
		orphans += kill_children();
		while (waitpid(-1, NULL, 0) > 0)
			;
	}
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	CU_ASSERT_EQUAL(orphans, 0);
	assert_no_shm_of(pid);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Run path with the NULL-terminated words. */
int
tvp_test_run_words(const char *path, const char *const *words,
    const struct tvp_test_setup *s,
    struct tvp_test_output *o)
{
	char *argv[MAXWORDS + 2];
	int n = 0, rc;

	argv[n++] = strdup(path);
	while (words[n - 1] != NULL && n <= MAXWORDS)
		argv[n] = strdup(words[n - 1]), n++;
	argv[n] = NULL;
	rc = tvp_test_run_argv(path, argv, s, o);
	for (int i = 0; i < n; i++)
		free(argv[i]);
	return rc;
}


/*
 * Split one CSV line (RFC 4180: quoted fields, "" for a quote; a quoted
 * newline is not expected in what tvp prints on one line) into at most
 * max fields, each at most flen bytes; returns the count, or -1.
 */
int
tvp_test_csv_split(const char *line, char fields[][TVP_TEST_FIELD_MAX],
    int max)
{
	int n = 0;
	size_t len = 0;
	bool quoted = false;

	for (const char *p = line;; p++) {
		if (n == max)
			return -1;
		if (quoted && *p == '"' && p[1] == '"') {
			p++;
		} else if (*p == '"') {
			quoted = !quoted;
			continue;
		} else if (*p == '\0' || (!quoted && (*p == ',' ||
		    *p == '\n'))) {
			fields[n][len < TVP_TEST_FIELD_MAX ? len :
			    TVP_TEST_FIELD_MAX - 1] = '\0';
			n++;
			len = 0;
			if (*p != ',')
				return n;
			continue;
		}
		if (len < TVP_TEST_FIELD_MAX - 1)
			fields[n][len++] = *p;
	}
}

bool
tvp_test_csv_field(const char *csv, const char *name, char *out,
    size_t len)
{
	static char head[TVP_TEST_FIELDS][TVP_TEST_FIELD_MAX];
	static char row[TVP_TEST_FIELDS][TVP_TEST_FIELD_MAX];
	const char *second = strchr(csv, '\n');
	int nh, nr;

	if (second == NULL)
		return false;
	nh = tvp_test_csv_split(csv, head, TVP_TEST_FIELDS);
	nr = tvp_test_csv_split(second + 1, row, TVP_TEST_FIELDS);
	for (int i = 0; i < nh && i < nr; i++)
		if (strcmp(head[i], name) == 0) {
			snprintf(out, len, "%s", row[i]);
			return true;
		}
	return false;
}

static int
remove_entry(const char *path, const struct stat *sb, int type,
    struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	return remove(path);
}

void
tvp_test_rm_rf(const char *path)
{
	/* Depth first, symlinks not followed: only what is under path. */
	CU_ASSERT_EQUAL(nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

void
tvp_test_whoami(struct tvp_test_task *t)
{
	t->pid = getpid();
	t->tid = (pid_t)syscall(SYS_gettid);
}

/* The state letter of /proc/PID/task/TID/stat, or 0 if unreadable. */
static char
task_state(const struct tvp_test_task *t)
{
	char path[64], buf[512], *p;
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%ld/task/%ld/stat", (long)t->pid,
	    (long)t->tid);
	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	/* "pid (comm) S ...": comm may hold anything, even ')'. */
	if ((p = strrchr(buf, ')')) == NULL || p[1] != ' ')
		return 0;
	return p[2];
}

bool
tvp_test_wait_asleep(const struct tvp_test_task *t)
{
	uint64_t deadline = tvp_now_ns() + 10 * 1000000000ULL;

	/*
	 * Asking the kernel is the only way to know that another task is
	 * blocked, short of the primitive's private fields; the caller
	 * arranges that, once the task sleeps at all, it sleeps where the
	 * test means it to, and stays there.
	 */
	while (tvp_now_ns() < deadline) {
		char s = task_state(t);

		if (s == 'S')
			return true;
		if (s == 0)
			return false;
		sched_yield();
	}
	return false;
}

double
tvp_test_metric(const struct tvp_record *rec, const char *name)
{
	for (size_t k = 0; k < rec->nmetrics; k++)
		if (strcmp(rec->metrics[k].name, name) == 0)
			return rec->metrics[k].value;
	CU_FAIL("metric missing");
	fprintf(stderr, "no metric %s in the %s record\n", name,
	    rec->workload);
	return -1;
}

int
tvp_test_count_entries(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
		    strncmp(e->d_name, prefix, strlen(prefix)) == 0)
			n++;
	closedir(d);
	return n;
}

size_t
tvp_test_count_lines(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

/*
 * Run and check: exit status `want`, stderr holding `msg`, and (lines > 0)
 * exactly that many lines on stderr.  Prints the case when it fails.
 */
void
tvp_test_expect(const char *path, const char *const *words,
    const struct tvp_test_setup *s, int want, const char *msg, size_t lines)
{
	struct tvp_test_output o;
	int rc = tvp_test_run_words(path, words, s, &o);
	bool ok = rc == want && strstr(o.err, msg) != NULL &&
	    (lines == 0 || tvp_test_count_lines(o.err) == lines);

	CU_ASSERT_EQUAL(rc, want);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.err, msg));
	if (lines > 0)
		CU_ASSERT_EQUAL(tvp_test_count_lines(o.err), lines);
	if (!ok) {
		fprintf(stderr, "\n%s", path);
		for (int i = 0; words[i] != NULL; i++)
			fprintf(stderr, " '%s'", words[i]);
		fprintf(stderr, ": exit %d (want %d), stderr:\n%s(want '%s')\n",
		    rc, want, o.err, msg);
	}
}

void
tvp_test_expect_table(const char *path, const struct tvp_test_bad *t)
{
	for (size_t i = 0; t[i].msg != NULL; i++)
		tvp_test_expect(path, t[i].words, NULL, t[i].status, t[i].msg,
		    1);
}

bool
tvp_test_tsan_skips_background(void)
{
#ifdef __SANITIZE_THREAD__
	if (tvp_mode_is_processes()) {
		fprintf(stderr, "(TSan: background as processes not run) ");
		return true;
	}
#endif
	return false;
}
