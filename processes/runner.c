/*
 * The processes runner: workers are fork()ed children, and the shared
 * region is POSIX shared memory mapped before the fork, so every child
 * inherits the same pages.  Everything else a child touches is its own
 * copy-on-write copy.
 */
#define _GNU_SOURCE /* sigabbrev_np */
#include <sys/mman.h>
#include <sys/prctl.h>
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

#include "core/runner.h"
#include "core/signals.h"
#include "lib/escape.h"
#include "lib/clock.h"

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
tvp_mode_is_processes(void)
{
	return true;
}

void
tvp_worker_exit(unsigned worker, int status)
{
	(void)worker; /* the parent names it, from its wait status */
	_exit(status);
}

/* The child's side: never returns. */
static void
child_main(struct tvp_run *run, unsigned worker, pid_t parent,
    bool replacement)
{
	tvp_child_signals_reset();
	/*
	 * If the parent dies, so do we, also while waiting at the start
	 * gate: no orphans left working or waiting.  getppid() catches a
	 * parent that died before the prctl.
	 */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
		_exit(TVP_EXIT_FAIL);
	/* Only when asked: it costs a process its own copy of pages. */
	if (run->name_workers)
		setproctitle("worker %u of %u (%s)%s", worker, run->nworkers,
		    run->wl->name, replacement ? " replacement" : "");
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
	const char *why = TVP_ESC(run->ctl->slot[w].error);

	if (WIFSIGNALED(status))
		warnx("worker %u (pid %ld) killed by SIG%s (%s)%s%s", w,
		    (long)pid, sigabbrev_np(WTERMSIG(status)),
		    strsignal(WTERMSIG(status)), *why ? ": " : "", why);
	else
		warnx("worker %u (pid %ld) exited with status %d: %s", w,
		    (long)pid, WEXITSTATUS(status),
		    *why ? why : "no reason given");
}

/* The workers of one run, and what became of them. */
struct crew {
	struct tvp_run *run;
	pid_t *pids;        /* 0: reaped (or never started) */
	unsigned n, left;   /* workers, and how many still to reap */
	pid_t parent;
	unsigned failed;    /* deaths not recovered from */
	struct tvp_phases *ph;
};

static int
start_worker(struct crew *c, unsigned w, bool replacement)
{
	pid_t pid = fork();

	if (pid == 0)
		child_main(c->run, w, c->parent, replacement);
	if (pid < 0) {
		warn("fork for worker %u of %u%s", w, c->n,
		    replacement ? " (replacement)" : "");
		return -1;
	}
	c->pids[w] = pid;
	c->left++;
	return 0;
}

/*
 * A worker died.  With --recover, give the item it held to a new worker
 * in the same slot (its finished items are already in the shared
 * results); without, stop the others: the run cannot be whole.
 */
static void
handle_death(struct crew *c, unsigned w, pid_t pid, int status)
{
	if (c->failed > 0)
		return; /* one we stopped ourselves */
	report_death(c->run, w, pid, status);
	if (c->ph->t_first_death == 0)
		c->ph->t_first_death = tvp_now_ns();
	/* A worker whose item kills every replacement must not loop. */
	if (c->run->fault.recover && c->run->wl->work == NULL &&
	    c->ph->died < c->n) {
		bool newly;
		int64_t held = tvp_fault_hand_over(c->run->ctl, w, &newly);

		c->ph->died++;
		if (held >= 0 && newly)
			c->ph->redone++;
		if (start_worker(c, w, true) == 0) {
			warnx("worker %u replaced%s", w, held >= 0 ?
			    ", redoing the item it held" : "");
			return;
		}
	}
	if (c->failed++ == 0)
		kill_all(c->pids, c->n);
}

/* Reap every child that has ended, without waiting. */
static void
reap_ended(struct crew *c)
{
	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG);
		unsigned w;

		if (pid < 0 && errno == EINTR)
			continue;
		if (pid <= 0)
			return;
		w = worker_of(c->pids, c->n, pid);
		if (w == c->n)
			continue; /* not a worker of this run */
		c->pids[w] = 0;
		c->left--;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			handle_death(c, w, pid, status);
	}
}

/*
 * Kill every worker still there and wait for each.  A SIGINT or SIGTERM
 * taken meanwhile is not lost: the first is returned (else 0), for the
 * caller's status.
 */
static int
stop_all(struct crew *c)
{
	int sig, first = 0;

	kill_all(c->pids, c->n);
	c->failed++;
	while (c->left > 0) {
		reap_ended(c);
		if (c->left > 0 && (sig = tvp_signal_wait(0)) != 0 &&
		    sig != SIGCHLD && first == 0)
			first = sig;
	}
	return first;
}

/* The status of a run that failed and was stopped: a signal wins. */
static int
stopped(int sig)
{
	if (sig == 0)
		return TVP_EXIT_FAIL;
	warnx("interrupted by SIG%s while stopping the workers",
	    sigabbrev_np(sig));
	return TVP_EXIT_SIGNAL(sig);
}

static bool
still_working(const void *ctx, unsigned w)
{
	const struct crew *c = ctx;

	return c->pids[w] > 0 && c->run->ctl->slot[w].t_end == 0;
}

/*
 * Wait for every worker: SIGCHLD says one ended, SIGINT/SIGTERM stop the
 * run, and the --timeout deadline bounds it.  Returns 0, TVP_EXIT_FAIL, or
 * 128 + the signal that interrupted it.
 */
static int
wait_all(struct crew *c, uint64_t deadline)
{
	for (;;) {
		int sig;

		reap_ended(c);
		if (c->left == 0)
			return c->failed ? TVP_EXIT_FAIL : 0;
		sig = tvp_signal_wait(deadline);
		if (sig == SIGINT || sig == SIGTERM) {
			warnx("interrupted by SIG%s: stopping %u worker(s)",
			    sigabbrev_np(sig), c->left);
			(void)stop_all(c);
			return TVP_EXIT_SIGNAL(sig);
		}
		if (sig == 0) {
			/*
			 * Named: the workers still at their work, not those
			 * done with it that wait only at the memory
			 * snapshot's finish line (footprint.h).  All are
			 * killed.  One line, however many.
			 */
			char which[256];
			unsigned busy = tvp_workers_describe(which,
			    sizeof(which), c->n, still_working, c);

			warnx("timed out after %g s: killing %u worker(s) "
			    "still running%s%s%s", c->run->timeout_s, busy,
			    busy ? " (" : "", which, busy ? ")" : "");
			return stopped(stop_all(c));
		}
	}
}

int
tvp_runner_run(struct tvp_run *run, struct tvp_phases *ph)
{
	struct crew c = { .run = run, .n = run->nworkers, .parent = getpid(),
	    .ph = ph };
	uint64_t deadline = 0;
	int rc;

	if ((c.pids = calloc(c.n, sizeof(*c.pids))) == NULL)
		err(TVP_EXIT_FAIL, "cannot allocate %u process ids", c.n);
	/* Whatever stdio holds now would otherwise be written once per child. */
	fflush(NULL);
	ph->t0 = tvp_now_ns();
	if (run->timeout_s > 0)
		deadline = ph->t0 + (uint64_t)(run->timeout_s * 1e9);
	for (unsigned w = 0; w < c.n; w++) {
		int sig = 0;

		/*
		 * Thousands of forks take seconds: a Ctrl-C meanwhile is acted
		 * on now, not once all exist.  Looked at every 32 forks, so
		 * that the check (a system call) is not a cost of each one.
		 */
		if (w % 32 == 31 && (sig = tvp_signal_take()) != 0)
			warnx("interrupted by SIG%s while starting worker %u of "
			    "%u: stopping those started", sigabbrev_np(sig), w,
			    c.n);
		if (sig != 0 || start_worker(&c, w, false) != 0) {
			tvp_gate_abort(run->ctl);
			rc = stopped(stop_all(&c));
			if (sig != 0)
				rc = TVP_EXIT_SIGNAL(sig);
			free(c.pids);
			return rc;
		}
	}
	ph->t_gate = tvp_now_ns();
	tvp_gate_open(run->ctl);
	rc = wait_all(&c, deadline);
	ph->t_reaped = tvp_now_ns();
	free(c.pids);
	return rc;
}

int
tvp_runner_prepare(struct tvp_run *run)
{
	(void)run;
	return 0;
}
