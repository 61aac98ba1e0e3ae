/*
 * background: Python's daemon threads, and what a program's end does to
 * the workers nobody waits for.  Each tvp worker is an observer.  It forks
 * a short-lived "main program" P, which starts
 *
 *   T  a detached thread (Thread(daemon=True)): never joined;
 *   C  a child process with nothing arranged (os.fork(), Popen): never
 *      waited for;
 *   D  a child process that asked for PR_SET_PDEATHSIG(SIGKILL);
 *
 * and then ends without joining or waiting for any of them.  The observer
 * sees that T ended with P (a thread cannot outlive its process), that C
 * lives on, reparented, and that D was killed when P's thread that forked
 * it ended.  Then it kills C and reaps everything it made.
 *
 * Then a second main program Q, Python's non-daemon thread: Q starts a
 * thread N and its main thread calls pthread_exit() instead of returning.
 * The observer sees that N outlived Q's main thread (N joined it, and Q
 * is still running), and that Q ended, with status 0, only when N ended.
 *
 * The observer is a child subreaper (PR_SET_CHILD_SUBREAPER), so P's
 * orphans come to it rather than to init, and it reaps them by pid.  In
 * threads mode the observers are threads of one process and share that
 * flag (it is per process); each still reaps only the pids it made, never
 * wait(-1), so none takes another's.  Nothing here sleeps to synchronise:
 * each daemon holds one end of a socket pair, so a message says "I run",
 * end-of-file says "I am gone", and pidfds say when a process has ended.
 * Every wait has a deadline.  The daemons exit by themselves when their
 * observer's end closes, so even an observer that dies leaves nothing
 * running for long.
 */
#define _GNU_SOURCE /* close_range, gettid */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/clock.h"
#include "workload.h"
#include "workload_api.h"

/* Who is at the other end of a socket pair, as indices. */
enum { MAIN, THREAD, ORPHAN, DEATHSIG, NSOCK };

/* The second scene's two ends: Q's main thread and its thread N. */
enum { MAIN2, NONDAEMON, NSOCK2 };

/* What the observer saw of each daemon. */
enum outcome { UNSEEN, DIED, SURVIVED, SURVIVED_ELSEWHERE, KILLED, ENDED };

static const char *const thread_words[] = { [UNSEEN] = "unseen",
    [DIED] = "died_with_process", [SURVIVED] = "survived" };
static const char *const orphan_words[] = { [UNSEEN] = "unseen",
    [DIED] = "died", [SURVIVED] = "survived",
    [SURVIVED_ELSEWHERE] = "survived_not_reparented_here" };
static const char *const deathsig_words[] = { [UNSEEN] = "unseen",
    [SURVIVED] = "survived", [KILLED] = "killed", [ENDED] = "ended" };
static const char *const nondaemon_words[] = { [UNSEEN] = "unseen",
    [DIED] = "died_with_main", [SURVIVED] = "kept_process_alive" };

#define EXPECTED "daemon_thread=died_with_process orphan_child=survived " \
    "deathsig_child=killed nondaemon_thread=kept_process_alive"

/* One message on a socket pair: a daemon saying who and where it is. */
struct bg_msg {
	int role;
	pid_t pid, ppid;
	pid_t tid;        /* THREAD: its thread id */
	pid_t orphan, deathsig; /* MAIN: the children it forked */
};

/* One observer's findings, in the shared region. */
struct bg_obs {
	alignas(TVP_CACHE_LINE) int thread, orphan, deathsig; /* enum outcome */
	pid_t observer;        /* the observer's process */
	pid_t main;            /* P */
	pid_t thread_tid;      /* T, a thread of P */
	pid_t orphan_ppid_before, orphan_ppid_after;
	int deathsig_signal;   /* what ended D; 0 if it exited */
	int nondaemon;         /* enum outcome, of N */
	pid_t main2;           /* Q */
	pid_t nondaemon_tid;   /* N, a thread of Q */
	int main2_status;      /* Q's wait status, once N ended */
};

struct bg_state {
	struct bg_obs *obs;    /* shared: one per worker */
	int deadline_ms;
	int subreaper_before;  /* this process's flag, restored by teardown */
};

static const struct tvp_optdef background_opts[] = {
	{ "deadline-ms", TVP_OPT_NUM, "5000", 10, 600000, NULL,
	    "longest any one wait (for a message, an end, a reaping) may "
	    "take before the observation counts as failed" },
	{ NULL, 0, NULL, 0, 0, NULL, NULL },
};

static int
background_setup(struct tvp_run *run)
{
	struct bg_state *st = tvp_state(run);

	st->deadline_ms = (int)tvp_opt_num(run, "deadline-ms");
	/*
	 * An observer holds both ends of its four socket pairs until P is
	 * forked, then its own four ends and three pidfds: 8 at most.
	 */
	if (tvp_need_fds(run, 0, 2 * NSOCK, tvp_workers(run)) != 0)
		return TVP_EXIT_USAGE;
	if (prctl(PR_GET_CHILD_SUBREAPER, &st->subreaper_before) != 0) {
		warn("background: prctl(PR_GET_CHILD_SUBREAPER)");
		return TVP_EXIT_FAIL;
	}
	st->obs = tvp_shared(run, (size_t)tvp_workers(run) * sizeof(*st->obs));
	return st->obs == NULL ? TVP_EXIT_FAIL : 0;
}

/*
 * Close every descriptor but 0, 1, 2 and keep[0..n) (ascending).  A fork
 * copies all of them, among them other observers' socket ends in threads
 * mode, and one stray copy of a write end would keep an end-of-file from
 * ever coming.  A system call: safe in a child of a threaded process.
 */
static void
keep_only(const int *keep, int n)
{
	unsigned lo = 3;

	for (int i = 0; i < n; i++) {
		if ((unsigned)keep[i] > lo)
			close_range(lo, (unsigned)keep[i] - 1, 0);
		lo = (unsigned)keep[i] + 1;
	}
	close_range(lo, ~0U, 0);
}

static void
sort_fds(int *fds, int n)
{
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && fds[j - 1] > fds[j]; j--) {
			int t = fds[j];

			fds[j] = fds[j - 1];
			fds[j - 1] = t;
		}
}

static void
say(int fd, int role, pid_t orphan, pid_t deathsig)
{
	struct bg_msg m = { .role = role, .pid = getpid(), .ppid = getppid(),
	    .tid = gettid(), .orphan = orphan, .deathsig = deathsig };

	/* A lost message shows as a missing answer: nothing to do here. */
	(void)!write(fd, &m, sizeof(m));
}

/*
 * A daemon's life: say it runs, then answer every question with where it
 * is now, until its observer's end closes.  Nobody tells it to stop.
 */
static void
serve(int fd, int role)
{
	char c;

	say(fd, role, 0, 0);
	while (read(fd, &c, 1) == 1)
		say(fd, role, 0, 0);
}

static void *
daemon_thread(void *arg)
{
	prctl(PR_SET_NAME, "tvpbg-thread");
	serve(*(int *)arg, THREAD);
	return NULL;
}

/* C and D: children of P.  Never return. */
static _Noreturn void
daemon_child(int fd, int role, pid_t parent)
{
	if (role == DEATHSIG) {
		/* If P is already gone the signal never comes: check. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 ||
		    getppid() != parent)
			_exit(1);
	}
	keep_only(&fd, 1);
	prctl(PR_SET_NAME, role == DEATHSIG ? "tvpbg-deathsig" :
	    "tvpbg-orphan");
	serve(fd, role);
	_exit(0);
}

/*
 * P, the "main program": start the three daemons, report the children's
 * pids, and when told, end without joining or waiting for anything.
 * Its children are forked before its thread, while P has one thread.
 */
static _Noreturn void
main_program(int fd[NSOCK])
{
	int sorted[NSOCK];
	pthread_attr_t attr;
	pthread_t tid;
	pid_t me = getpid(), orphan, deathsig;
	char c;

	memcpy(sorted, fd, sizeof(sorted));
	sort_fds(sorted, NSOCK);
	keep_only(sorted, NSOCK);
	/* Ctrl-C ends P, C and D like any program, whatever tvp blocks. */
	tvp_child_signals_reset();
	prctl(PR_SET_NAME, "tvpbg-main");
	if ((orphan = fork()) == 0)
		daemon_child(fd[ORPHAN], ORPHAN, me);
	close(fd[ORPHAN]);
	if ((deathsig = fork()) == 0)
		daemon_child(fd[DEATHSIG], DEATHSIG, me);
	close(fd[DEATHSIG]);
	say(fd[MAIN], MAIN, orphan, deathsig);
	/*
	 * Detached: nobody will join it, as nobody joins a daemon thread.
	 * pthread_create in a child forked from a threaded process is more
	 * than POSIX promises (only async-signal-safe calls); glibc resets
	 * its locks in the child so it works, and threads mode needs it.
	 */
	if (pthread_attr_init(&attr) != 0 ||
	    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) != 0 ||
	    pthread_create(&tid, &attr, daemon_thread, &fd[THREAD]) != 0)
		close(fd[THREAD]); /* the observer sees EOF, not a message */
	/* Wait to be told (or for the observer to vanish); then just end. */
	(void)!read(fd[MAIN], &c, 1);
	/*
	 * _exit, not exit: P's stdio buffers are copies of tvp's.  Either
	 * ends every thread of the process at once (exit_group).
	 */
	_exit(0);
}

/* What N needs: its socket end, and Q's main thread, to join. */
struct nondaemon_arg {
	int fd;
	pthread_t main;
};

/*
 * N: wait for Q's main thread to end (joining it returns once it has),
 * say so from the still running process, then answer until the
 * observer's end closes.  Then N, Q's last thread, ends Q.  Returning
 * would too: glibc's last thread out calls exit(0).  _exit(0) does it
 * without what exit() would run in this copy of tvp: its stdio buffers
 * (output twice) and its exit handlers (LeakSanitizer's check, in the
 * sanitized tests, of a fork whose other threads it cannot see), as P
 * and every child here end.
 */
static void *
nondaemon_thread(void *p)
{
	const struct nondaemon_arg *a = p;

	prctl(PR_SET_NAME, "tvpbg-nondaemon");
	if (pthread_join(a->main, NULL) == 0)
		serve(a->fd, NONDAEMON);
	_exit(0);
}

/*
 * Q: start N, say so, and end the main thread with pthread_exit(), which
 * ends only the calling thread.  Returning from main (or exit) would end
 * N with it, as the first scene's daemon thread.
 */
static _Noreturn void
main_program_pthread_exit(int fd[NSOCK2])
{
	static struct nondaemon_arg arg;
	int sorted[NSOCK2] = { fd[MAIN2], fd[NONDAEMON] };
	pthread_t tid;

	sort_fds(sorted, NSOCK2);
	keep_only(sorted, NSOCK2);
	tvp_child_signals_reset();
	prctl(PR_SET_NAME, "tvpbg-main2");
	arg.fd = fd[NONDAEMON];
	arg.main = pthread_self();
	/* Joinable, not detached: N joins main, nobody joins N. */
	if (pthread_create(&tid, NULL, nondaemon_thread, &arg) != 0)
		_exit(1);
	say(fd[MAIN2], MAIN2, 0, 0);
	pthread_exit(NULL);
}

/* Everything one observation made, and how far it got. */
struct scene {
	int sock[NSOCK];       /* the observer's ends; -1 closed */
	pid_t pid[NSOCK];      /* MAIN, ORPHAN, DEATHSIG; 0 none or reaped */
	int pidfd[NSOCK];      /* of those; -1 none */
	uint64_t deadline_ns;  /* of the current wait */
	int deadline_ms;
};

static void
arm(struct scene *s)
{
	s->deadline_ns = tvp_now_ns() + (uint64_t)s->deadline_ms * 1000000u;
}

/* Poll one descriptor until readable or the deadline: 1, 0 timeout, -1. */
static int
wait_readable(int fd, uint64_t deadline_ns)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint64_t now = tvp_now_ns();
		int rc;

		if (now >= deadline_ns)
			return 0;
		rc = poll(&p, 1, (int)((deadline_ns - now + 999999) / 1000000));
		if (rc > 0)
			return 1;
		if (rc < 0 && errno != EINTR)
			return -1;
	}
}

/* Read one message by the deadline: 1, 0 end-of-file, -1 timeout/error. */
static int
recv_msg(int fd, uint64_t deadline_ns, struct bg_msg *m)
{
	ssize_t n;

	if (wait_readable(fd, deadline_ns) != 1)
		return -1;
	n = read(fd, m, sizeof(*m));
	if (n == 0)
		return 0;
	return n == (ssize_t)sizeof(*m) ? 1 : -1;
}

/*
 * Reap pid by the deadline, once its pidfd says it ended: 1 and *status,
 * 0 if it is still running, -1 if it is not ours to reap (errno).
 */
static int
reap(int pidfd, pid_t pid, uint64_t deadline_ns, int *status)
{
	pid_t got;

	/* No pidfd: only after SIGKILL (scene_end), so the wait is short. */
	if (pidfd >= 0 && wait_readable(pidfd, deadline_ns) != 1)
		return 0;
	/* It has ended, so this returns at once (or says it is not ours). */
	while ((got = waitpid(pid, status, 0)) < 0 && errno == EINTR)
		;
	return got == pid ? 1 : -1;
}

/*
 * Kill and reap whatever of the scene is left, and close it all.  How
 * many did not end within the deadline of SIGKILL (the first in *stuck):
 * the caller's error to report, once -- not a line from every observer
 * when hundreds share two cores.
 */
static unsigned
scene_end(struct scene *s, pid_t *stuck)
{
	unsigned left = 0;

	/* EOF on their sockets ends P, C and D by themselves; make sure. */
	for (int i = 0; i < NSOCK; i++)
		if (s->sock[i] >= 0) {
			close(s->sock[i]);
			s->sock[i] = -1;
		}
	/* P first: once it is reaped, its orphans are ours to reap. */
	for (int i = 0; i < NSOCK; i++) {
		int status;

		if (s->pid[i] == 0)
			continue;
		kill(s->pid[i], SIGKILL);
		arm(s);
		if (reap(s->pidfd[i], s->pid[i], s->deadline_ns, &status) == 0 &&
		    left++ == 0)
			*stuck = s->pid[i];
		s->pid[i] = 0;
	}
	for (int i = 0; i < NSOCK; i++)
		if (s->pidfd[i] >= 0) {
			close(s->pidfd[i]);
			s->pidfd[i] = -1;
		}
	return left;
}

/* End the scene; a process of it that outlived SIGKILL fails the worker. */
static int
scene_finish(struct tvp_run *run, unsigned worker, struct scene *s, int rc)
{
	pid_t stuck = 0;
	unsigned left = scene_end(s, &stuck);

	if (left > 0 && rc == 0)
		rc = tvp_worker_error(run, worker, "pid %ld%s did not end "
		    "within %d ms of SIGKILL (raise --deadline-ms on a loaded "
		    "machine)", (long)stuck, left > 1 ? " and others" : "",
		    s->deadline_ms);
	return rc;
}

static int
pidfd_of(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* Start P and wait until it and all three daemons say they run. */
static int
scene_start(struct tvp_run *run, unsigned worker, struct scene *s,
    struct bg_obs *o)
{
	static const char *const names[NSOCK] = { "main program", "daemon "
	    "thread", "orphan child", "deathsig child" };
	int peer[NSOCK];
	struct bg_msg m;

	for (int i = 0; i < NSOCK; i++) {
		int sv[2];

		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
		    sv) != 0) {
			for (int j = 0; j < i; j++)
				close(peer[j]);
			return tvp_worker_error(run, worker, "socketpair: %s",
			    strerror(errno));
		}
		s->sock[i] = sv[0];
		peer[i] = sv[1];
	}
	s->pid[MAIN] = fork();
	if (s->pid[MAIN] == 0)
		main_program(peer);
	for (int i = 0; i < NSOCK; i++)
		close(peer[i]);
	if (s->pid[MAIN] < 0) {
		s->pid[MAIN] = 0;
		return tvp_worker_error(run, worker, "fork: %s",
		    strerror(errno));
	}
	if ((s->pidfd[MAIN] = pidfd_of(s->pid[MAIN])) < 0)
		return tvp_worker_error(run, worker, "pidfd_open: %s (Linux "
		    "5.3 or later needed)", strerror(errno));
	o->main = s->pid[MAIN];
	arm(s);
	if (recv_msg(s->sock[MAIN], s->deadline_ns, &m) != 1)
		return tvp_worker_error(run, worker, "the main program did "
		    "not report its two children within %d ms", s->deadline_ms);
	/*
	 * P never reaps them, so until P ends these pids are theirs.  Kept
	 * even if one fork failed, for scene_end to reap the other.
	 */
	s->pid[ORPHAN] = m.orphan > 0 ? m.orphan : 0;
	s->pid[DEATHSIG] = m.deathsig > 0 ? m.deathsig : 0;
	if (m.orphan <= 0 || m.deathsig <= 0)
		return tvp_worker_error(run, worker, "the main program could "
		    "not fork its %s child", m.orphan <= 0 ? "orphan" :
		    "deathsig");
	if ((s->pidfd[ORPHAN] = pidfd_of(m.orphan)) < 0 ||
	    (s->pidfd[DEATHSIG] = pidfd_of(m.deathsig)) < 0)
		return tvp_worker_error(run, worker, "pidfd_open: %s",
		    strerror(errno));
	for (int i = THREAD; i < NSOCK; i++) {
		int got = recv_msg(s->sock[i], s->deadline_ns, &m);

		if (got == 0)
			return tvp_worker_error(run, worker, "the %s ended "
			    "before it said it runs", names[i]);
		if (got < 0 || m.role != i)
			return tvp_worker_error(run, worker, "no word from the "
			    "%s within %d ms", names[i], s->deadline_ms);
		if (i == THREAD && m.pid != o->main)
			return tvp_worker_error(run, worker, "the daemon "
			    "thread runs in pid %ld, not in P %ld",
			    (long)m.pid, (long)o->main);
		if (i != THREAD && m.ppid != o->main)
			return tvp_worker_error(run, worker, "the %s's parent "
			    "is %ld, not P %ld", names[i], (long)m.ppid,
			    (long)o->main);
		if (i == THREAD)
			o->thread_tid = m.tid;
		if (i == ORPHAN)
			o->orphan_ppid_before = m.ppid;
	}
	return 0;
}

/* Has the process behind pidfd ended, right now?  No waiting. */
static bool
ended(int pidfd)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };

	return poll(&p, 1, 0) != 0;
}

/*
 * The second scene: fork Q, hear from its main thread that it is about
 * to pthread_exit, hear from N that it joined it, see Q still running,
 * then close N's end and see Q end with status 0.  Reaps Q whatever
 * happens.  0, or a worker error.
 */
static int
observe_pthread_exit(struct tvp_run *run, unsigned worker, struct bg_obs *o,
    int deadline_ms)
{
	struct scene s = { .deadline_ms = deadline_ms };
	struct bg_msg m;
	int peer[NSOCK2], status, rc = 0;

	for (int i = 0; i < NSOCK; i++) {
		s.sock[i] = s.pidfd[i] = -1;
		s.pid[i] = 0;
	}
	for (int i = 0; i < NSOCK2; i++) {
		int sv[2];

		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
		    sv) != 0) {
			rc = tvp_worker_error(run, worker, "socketpair: %s",
			    strerror(errno));
			for (int j = 0; j < i; j++)
				close(peer[j]);
			goto out;
		}
		s.sock[i] = sv[0];
		peer[i] = sv[1];
	}
	if ((s.pid[MAIN] = fork()) == 0)
		main_program_pthread_exit(peer);
	for (int i = 0; i < NSOCK2; i++)
		close(peer[i]);
	if (s.pid[MAIN] < 0) {
		s.pid[MAIN] = 0;
		rc = tvp_worker_error(run, worker, "fork: %s", strerror(errno));
		goto out;
	}
	o->main2 = s.pid[MAIN];
	if ((s.pidfd[MAIN] = pidfd_of(s.pid[MAIN])) < 0) {
		rc = tvp_worker_error(run, worker, "pidfd_open: %s",
		    strerror(errno));
		goto out;
	}
	arm(&s);
	if (recv_msg(s.sock[MAIN2], s.deadline_ns, &m) != 1 ||
	    m.role != MAIN2) {
		rc = tvp_worker_error(run, worker, "the second main program "
		    "did not start its thread within %d ms", deadline_ms);
		goto out;
	}
	/* N speaks only once main has ended; is Q still there? */
	o->nondaemon = DIED;
	if (recv_msg(s.sock[NONDAEMON], s.deadline_ns, &m) == 1 &&
	    m.role == NONDAEMON && m.pid == o->main2 && !ended(s.pidfd[MAIN])) {
		o->nondaemon = SURVIVED;
		o->nondaemon_tid = m.tid;
	}
	/* N's end closes: N returns, and with the last thread, Q ends. */
	close(s.sock[NONDAEMON]);
	s.sock[NONDAEMON] = -1;
	arm(&s);
	if (reap(s.pidfd[MAIN], s.pid[MAIN], s.deadline_ns, &status) != 1) {
		rc = tvp_worker_error(run, worker, "the second main program "
		    "(pid %ld) did not end within %d ms of its thread",
		    (long)s.pid[MAIN], deadline_ms);
		goto out;
	}
	s.pid[MAIN] = 0;
	o->main2_status = status;
out:
	return scene_finish(run, worker, &s, rc);
}

static int
background_work(struct tvp_run *run, unsigned worker)
{
	struct bg_state *st = tvp_state(run);
	struct bg_obs *o = &st->obs[worker];
	struct scene s = { .deadline_ms = st->deadline_ms };
	struct bg_msg m;
	int status, rc;

	for (int i = 0; i < NSOCK; i++) {
		s.sock[i] = s.pidfd[i] = -1;
		s.pid[i] = 0;
	}
	memset(o, 0, sizeof(*o));
	o->observer = getpid();
	/* Per process: in threads mode every observer sets the same flag. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
		return tvp_worker_error(run, worker, "prctl(PR_SET_CHILD_"
		    "SUBREAPER): %s", strerror(errno));
	if ((rc = scene_start(run, worker, &s, o)) != 0)
		goto out;

	/* The main program ends, joining and waiting for nothing. */
	if (write(s.sock[MAIN], "x", 1) != 1) {
		rc = tvp_worker_error(run, worker, "cannot tell the main "
		    "program to end: %s", strerror(errno));
		goto out;
	}
	arm(&s);
	if (reap(s.pidfd[MAIN], s.pid[MAIN], s.deadline_ns, &status) != 1) {
		rc = tvp_worker_error(run, worker, "the main program (pid %ld) "
		    "did not end within %d ms", (long)s.pid[MAIN],
		    s.deadline_ms);
		goto out;
	}
	s.pid[MAIN] = 0;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		rc = tvp_worker_error(run, worker, "the main program ended "
		    "with wait status %#x", (unsigned)status);
		goto out;
	}
	tvp_fault_point(run, worker);

	/*
	 * T: P is reaped, so every thread of P has ended; its socket end
	 * went with P's descriptor table, the last user of which was the
	 * last thread.  Still there would mean it outlived its process.
	 */
	o->thread = recv_msg(s.sock[THREAD], s.deadline_ns, &m) == 0 ?
	    DIED : SURVIVED;

	/* D: P's thread that forked it ended, so SIGKILL. */
	arm(&s);
	switch (reap(s.pidfd[DEATHSIG], s.pid[DEATHSIG], s.deadline_ns,
	    &status)) {
	case 1:
		s.pid[DEATHSIG] = 0;
		o->deathsig = WIFSIGNALED(status) ? KILLED : ENDED;
		o->deathsig_signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
		break;
	case 0:
		o->deathsig = SURVIVED;
		break;
	default: /* ended, but reparented elsewhere: not ours to reap */
		s.pid[DEATHSIG] = 0;
		o->deathsig = ENDED;
		break;
	}

	/* C: ask it where it is now, and check it is our child, running. */
	arm(&s);
	if (write(s.sock[ORPHAN], "?", 1) == 1 &&
	    recv_msg(s.sock[ORPHAN], s.deadline_ns, &m) == 1) {
		o->orphan_ppid_after = m.ppid;
		o->orphan = m.ppid == o->observer &&
		    waitpid(s.pid[ORPHAN], &status, WNOHANG) == 0 ?
		    SURVIVED : SURVIVED_ELSEWHERE;
	} else {
		o->orphan = DIED;
	}
	rc = 0;
out:
	/* Kills C (and anything a failure left), and reaps it all. */
	rc = scene_finish(run, worker, &s, rc);
	if (rc == 0)
		rc = observe_pthread_exit(run, worker, o, st->deadline_ms);
	if (rc == 0)
		tvp_worker_count(run, worker, 1, 0);
	return rc;
}

static void
describe(const struct bg_obs *o, char *out, size_t len)
{
	snprintf(out, len, "daemon_thread=%s orphan_child=%s "
	    "deathsig_child=%s nondaemon_thread=%s", thread_words[o->thread],
	    orphan_words[o->orphan], deathsig_words[o->deathsig],
	    nondaemon_words[o->nondaemon]);
}

static int
background_finish(struct tvp_run *run)
{
	struct bg_state *st = tvp_state(run);
	const struct bg_obs *o = &st->obs[0];
	char first[TVP_RESULT_MAX], other[TVP_RESULT_MAX];

	describe(o, first, sizeof(first));
	for (unsigned w = 1; w < tvp_workers(run); w++) {
		describe(&st->obs[w], other, sizeof(other));
		if (strcmp(first, other) != 0) {
			tvp_result(run, "workers disagree");
			tvp_note(run, "worker 0 saw %s; worker %u saw %s",
			    first, w, other);
			return 0;
		}
	}
	tvp_result(run, "%s", first);
	/* All workers together, as counter's ns_per_increment is. */
	tvp_metric(run, "ms_per_scene", "ms", (double)tvp_work_span_ns(run) /
	    1e6 / tvp_workers(run), TVP_LOWER_IS_BETTER);
	tvp_note(run, "worker 0: P (pid %ld) ended; its daemon thread "
	    "(tid %ld) went with it; the orphan's parent went from %ld to "
	    "the observer %ld (child subreaper); the PR_SET_PDEATHSIG child "
	    "died of SIG%s", (long)o->main, (long)o->thread_tid,
	    (long)o->orphan_ppid_before, (long)o->orphan_ppid_after,
	    o->deathsig_signal == SIGKILL ? "KILL" : "?");
	if (o->nondaemon == SURVIVED)
		tvp_note(run, "Q (pid %ld) ran on after its main thread's "
		    "pthread_exit, in its thread (tid %ld), until that "
		    "returned", (long)o->main2, (long)o->nondaemon_tid);
	else
		tvp_note(run, "Q (pid %ld) ended with its main thread",
		    (long)o->main2);
	return 0;
}

/* Every observer saw exactly what the kernel documents. */
static enum tvp_verdict
background_verify(struct tvp_run *run)
{
	struct bg_state *st = tvp_state(run);

	if (strcmp(tvp_result_text(run), EXPECTED) != 0) {
		tvp_note(run, "expected %s", EXPECTED);
		return TVP_VERDICT_FAILED;
	}
	for (unsigned w = 0; w < tvp_workers(run); w++) {
		const struct bg_obs *o = &st->obs[w];

		if (o->thread_tid == o->main || o->thread_tid <= 0 ||
		    o->orphan_ppid_before != o->main ||
		    o->orphan_ppid_after != o->observer ||
		    o->deathsig_signal != SIGKILL) {
			tvp_note(run, "worker %u: details differ (thread tid "
			    "%ld in P %ld, orphan parent %ld then %ld, "
			    "observer %ld, deathsig child signal %d)", w,
			    (long)o->thread_tid, (long)o->main,
			    (long)o->orphan_ppid_before,
			    (long)o->orphan_ppid_after, (long)o->observer,
			    o->deathsig_signal);
			return TVP_VERDICT_FAILED;
		}
		/* N is not Q's main thread; Q ended as programs end, 0. */
		if (o->nondaemon_tid == o->main2 || o->nondaemon_tid <= 0 ||
		    !WIFEXITED(o->main2_status) ||
		    WEXITSTATUS(o->main2_status) != 0) {
			tvp_note(run, "worker %u: details differ (thread tid "
			    "%ld in Q %ld, Q's wait status %#x)", w,
			    (long)o->nondaemon_tid, (long)o->main2,
			    (unsigned)o->main2_status);
			return TVP_VERDICT_FAILED;
		}
	}
	return TVP_VERDICT_VERIFIED;
}

static void
background_teardown(struct tvp_run *run)
{
	struct bg_state *st = tvp_state(run);

	/* Threads mode set it on this very process. */
	prctl(PR_SET_CHILD_SUBREAPER, st->subreaper_before);
}

const struct tvp_workload tvp_wl_background = {
	.name = "background",
	.kind = "spawn",
	.summary = "daemon thread, orphan, PDEATHSIG child, pthread_exit "
	    "from main: what outlives the program",
	.opts = background_opts,
	.quick = "--deadline-ms 2000",
	.state_size = sizeof(struct bg_state),
	.setup = background_setup,
	.work = background_work,
	.finish = background_finish,
	.verify = background_verify,
	.teardown = background_teardown,
};
