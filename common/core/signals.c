#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/signals.h"
#include "lib/clock.h"

/*
 * Is sig's disposition SIG_IGN?  tvp never sets that itself, so for
 * SIGINT and SIGTERM it says the program was started so (nohup, a
 * background job of a script), and that is respected.
 */
static bool
ignored(int sig)
{
	struct sigaction sa;

	return sigaction(sig, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN;
}

/*
 * SIGINT and SIGTERM, which interrupt a run; not one ignored at start: a
 * blocked signal is queued even when ignored, and sigtimedwait would
 * take it.
 */
static void
interrupt_set(sigset_t *set)
{
	sigemptyset(set);
	if (!ignored(SIGINT))
		sigaddset(set, SIGINT);
	if (!ignored(SIGTERM))
		sigaddset(set, SIGTERM);
}

/* The signals tvp holds and takes. */
static void
waited_set(sigset_t *set)
{
	interrupt_set(set);
	sigaddset(set, SIGCHLD); /* also TVP_SIGNAL_DONE */
}

/* Append s to buf (cap bytes, kept NUL-terminated): async-signal-safe. */
static void
append(char *buf, size_t *used, size_t cap, const char *s)
{
	while (*s != '\0' && *used + 1 < cap)
		buf[(*used)++] = *s++;
	buf[*used] = '\0';
}

/*
 * A signal outside the held phases: nothing is left to clean up, so say
 * so in one line and end as an interrupted run does.  Only
 * async-signal-safe calls.
 */
static void
exit_on_signal(int sig)
{
	char line[256];
	size_t used = 0;

	append(line, &used, sizeof(line), getprogname());
	append(line, &used, sizeof(line), ": interrupted by ");
	append(line, &used, sizeof(line), sig == SIGINT ? "SIGINT" :
	    "SIGTERM");
	append(line, &used, sizeof(line), "\n");
	(void)!write(STDERR_FILENO, line, used);
	_exit(TVP_EXIT_SIGNAL(sig));
}

void
tvp_signals_init(void)
{
	static const int sigs[] = { SIGINT, SIGTERM };
	struct sigaction sa = { .sa_handler = exit_on_signal };

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (!ignored(sigs[i]))
			sigaction(sigs[i], &sa, NULL);
}

void
tvp_signals_block(sigset_t *old)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t set;

	/*
	 * SIGCHLD ignored at start would have the kernel reap every child
	 * itself: waitpid could never report a worker's end, and a runner
	 * would wait for ever.  The default (nothing done) is what tvp needs.
	 */
	if (ignored(SIGCHLD))
		sigaction(SIGCHLD, &dfl, NULL);
	waited_set(&set);
	pthread_sigmask(SIG_BLOCK, &set, old);
}

void
tvp_signals_restore(const sigset_t *old)
{
	pthread_sigmask(SIG_SETMASK, old, NULL);
}

void
tvp_child_signals_reset(void)
{
	sigset_t none;

	/* What the program was started with stays: ignored stays ignored. */
	if (!ignored(SIGINT))
		signal(SIGINT, SIG_DFL);
	if (!ignored(SIGTERM))
		signal(SIGTERM, SIG_DFL);
	sigemptyset(&none);
	pthread_sigmask(SIG_SETMASK, &none, NULL);
}

int
tvp_signal_take(void)
{
	static const struct timespec now = { 0, 0 };
	sigset_t set;
	int sig;

	interrupt_set(&set);
	while ((sig = sigtimedwait(&set, NULL, &now)) < 0 && errno == EINTR)
		;
	return sig > 0 ? sig : 0;
}

int
tvp_signal_wait(uint64_t deadline_ns)
{
	sigset_t set;

	waited_set(&set);
	for (;;) {
		struct timespec left, *timeout = NULL;
		int sig;

		if (deadline_ns != 0) {
			uint64_t now = tvp_now_ns();

			if (now >= deadline_ns)
				return 0;
			left.tv_sec = (time_t)((deadline_ns - now) / 1000000000u);
			left.tv_nsec = (long)((deadline_ns - now) % 1000000000u);
			timeout = &left;
		}
		sig = sigtimedwait(&set, NULL, timeout);
		if (sig > 0)
			return sig;
		if (errno != EINTR && errno != EAGAIN)
			return 0;
	}
}
