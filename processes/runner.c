/*
 * The processes runner: workers are fork()ed children, and the shared
 * region is POSIX shared memory mapped before the fork, so every child
 * inherits the same pages.  Everything else a child touches is its own
 * copy-on-write copy.
 */
#define _GNU_SOURCE /* sigabbrev_np */
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "runner.h"

const char tvp_mode[] = "processes";

void *
tvp_shared_map(size_t size)
{
	static unsigned serial;
	char name[64];
	void *p;
	int fd;

	if (size == 0)
		size = 1;
	snprintf(name, sizeof(name), "/tvp-%ld-%u", (long)getpid(), serial++);
	fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0) {
		warn("shm_open %s", name);
		return NULL;
	}
	/* Unlinked at once: the mapping lives on, and nothing can leak. */
	shm_unlink(name);
	if (ftruncate(fd, (off_t)size) != 0) {
		warn("cannot size shared memory %s to %zu bytes", name, size);
		close(fd);
		return NULL;
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		warn("cannot map %zu bytes of shared memory", size);
		return NULL;
	}
	return p;
}

void
tvp_shared_unmap(void *p, size_t size)
{
	if (p != NULL)
		munmap(p, size ? size : 1);
}

bool
tvp_shared_is_pshared(void)
{
	return true;
}

/* The child's side: never returns. */
static void
child_main(struct tvp_run *run, unsigned worker, pid_t parent)
{
	tvp_gate_child_close(run->ctl);
	/* If the parent dies, so do we: no orphans left working. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
		_exit(TVP_EXIT_FAIL);
	setproctitle("worker %u of %u (%s)", worker, run->nworkers,
	    run->wl->name);
	/* _exit, not exit: the parent's stdio buffers and atexit are not ours. */
	_exit(tvp_worker_main(run, worker) == 0 ? 0 : TVP_EXIT_FAIL);
}

static void
kill_all(const pid_t *pids, unsigned n)
{
	for (unsigned w = 0; w < n; w++)
		if (pids[w] > 0)
			kill(pids[w], SIGKILL);
}

static unsigned
worker_of(const pid_t *pids, unsigned n, pid_t pid)
{
	for (unsigned w = 0; w < n; w++)
		if (pids[w] == pid)
			return w;
	return n;
}

/* Say how a worker ended, if that was not a clean exit 0. */
static void
report_death(struct tvp_run *run, unsigned w, pid_t pid, int status)
{
	const char *why = run->ctl->slot[w].error;

	if (WIFSIGNALED(status))
		warnx("worker %u (pid %ld) killed by SIG%s (%s)", w,
		    (long)pid, sigabbrev_np(WTERMSIG(status)),
		    strsignal(WTERMSIG(status)));
	else
		warnx("worker %u (pid %ld) exited with status %d: %s", w,
		    (long)pid, WEXITSTATUS(status),
		    *why ? why : "no reason given");
}

/*
 * Reap every started child.  After the first one that failed, stop the
 * rest: a run with a dead worker cannot give a whole result.
 */
static unsigned
reap_all(struct tvp_run *run, pid_t *pids, unsigned n, long *rss_sum_kb)
{
	unsigned left = 0, failed = 0;

	for (unsigned w = 0; w < n; w++)
		left += pids[w] > 0;
	while (left > 0) {
		struct rusage ru;
		int status;
		pid_t pid = wait4(-1, &status, 0, &ru);
		unsigned w;

		if (pid < 0) {
			if (errno == EINTR)
				continue;
			err(TVP_EXIT_FAIL, "wait4");
		}
		w = worker_of(pids, n, pid);
		if (w == n)
			continue; /* not a worker of this run */
		pids[w] = 0;
		left--;
		*rss_sum_kb += ru.ru_maxrss;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			continue;
		if (failed++ == 0)
			kill_all(pids, n);
		report_death(run, w, pid, status);
	}
	return failed;
}

int
tvp_runner_run(struct tvp_run *run, struct tvp_phases *ph)
{
	unsigned n = run->nworkers;
	pid_t *pids = calloc(n, sizeof(*pids));
	pid_t self = getpid();
	struct rusage ru;

	if (pids == NULL)
		err(TVP_EXIT_FAIL, "cannot allocate %u process ids", n);
	/* Whatever stdio holds now would otherwise be written once per child. */
	fflush(NULL);
	ph->t0 = tvp_now_ns();
	for (unsigned w = 0; w < n; w++) {
		pid_t pid = fork();

		if (pid == 0)
			child_main(run, w, self);
		if (pid < 0) {
			warn("fork for worker %u of %u", w, n);
			tvp_gate_abort(run->ctl);
			reap_all(run, pids, w, &ph->rss_sum_kb);
			free(pids);
			return TVP_EXIT_FAIL;
		}
		pids[w] = pid;
	}
	ph->t_gate = tvp_now_ns();
	tvp_gate_open(run->ctl);
	ph->rss_sum_kb = 0;
	if (reap_all(run, pids, n, &ph->rss_sum_kb) != 0) {
		free(pids);
		return TVP_EXIT_FAIL;
	}
	ph->t_reaped = tvp_now_ns();
	getrusage(RUSAGE_SELF, &ru);
	ph->rss_sum_kb += ru.ru_maxrss;
	free(pids);
	return 0;
}
