#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>

#include "core/signals.h"
#include "lib/clock.h"

static void
waited_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGCHLD); /* also TVP_SIGNAL_DONE */
}

void
tvp_signals_block(sigset_t *old)
{
	sigset_t set;

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

	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	sigemptyset(&none);
	pthread_sigmask(SIG_SETMASK, &none, NULL);
}

int
tvp_signal_pending(void)
{
	sigset_t pending;

	if (sigpending(&pending) != 0)
		return 0;
	if (sigismember(&pending, SIGINT))
		return SIGINT;
	if (sigismember(&pending, SIGTERM))
		return SIGTERM;
	return 0;
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
