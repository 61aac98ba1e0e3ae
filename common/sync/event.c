/*
 * The event: a flag, a mutex guarding it and a condition variable to
 * sleep on until it is set.  Waiters re-check the flag after every wake-up,
 * because pthread_cond_wait may return without a broadcast (a spurious
 * wake-up) and because the event may have been cleared again by then.
 *
 * The condition variable uses CLOCK_MONOTONIC, so a timed wait is not
 * stretched or cut short when someone sets the wall clock.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sync/sync.h"
#include "sync/pthread_checked.h"

int
tvp_event_init(struct tvp_event *ev, bool pshared)
{
	int rc;

	if ((rc = tvp_sync_mutex_init(&ev->mutex, pshared)) != 0)
		return rc;
	if ((rc = tvp_sync_cond_init(&ev->cond, pshared)) != 0) {
		pthread_mutex_destroy(&ev->mutex);
		return rc;
	}
	ev->set = false;
	ev->pshared = pshared;
	return 0;
}

void
tvp_event_set(struct tvp_event *ev)
{
	tvp_sync_lock(&ev->mutex);
	ev->set = true;
	/* Every waiter, as threading.Event.set() wakes them all. */
	tvp_sync_broadcast(&ev->cond);
	tvp_sync_unlock(&ev->mutex);
}

void
tvp_event_clear(struct tvp_event *ev)
{
	tvp_sync_lock(&ev->mutex);
	ev->set = false;
	tvp_sync_unlock(&ev->mutex);
}

bool
tvp_event_is_set(struct tvp_event *ev)
{
	bool set;

	/* Under the mutex, so what the setter wrote before is visible. */
	tvp_sync_lock(&ev->mutex);
	set = ev->set;
	tvp_sync_unlock(&ev->mutex);
	return set;
}

void
tvp_event_wait(struct tvp_event *ev)
{
	tvp_sync_lock(&ev->mutex);
	while (!ev->set)
		tvp_sync_wait(&ev->cond, &ev->mutex);
	tvp_sync_unlock(&ev->mutex);
}

bool
tvp_event_timedwait(struct tvp_event *ev, uint64_t timeout_ns)
{
	struct timespec deadline;
	bool set;
	int rc = 0;

	/*
	 * One absolute deadline for the whole wait: spurious wake-ups loop
	 * back to the same deadline instead of starting the timeout anew.
	 */
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += (time_t)(timeout_ns / 1000000000u);
	deadline.tv_nsec += (long)(timeout_ns % 1000000000u);
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	tvp_sync_lock(&ev->mutex);
	while (!ev->set && rc != ETIMEDOUT) {
		rc = pthread_cond_timedwait(&ev->cond, &ev->mutex, &deadline);
		if (rc != 0 && rc != ETIMEDOUT)
			tvp_sync_bug("pthread_cond_timedwait", rc);
	}
	/* Set just as the time ran out still counts as set. */
	set = ev->set;
	tvp_sync_unlock(&ev->mutex);
	return set;
}

void
tvp_event_destroy(struct tvp_event *ev)
{
	/*
	 * glibc's condition variable counts its waiters inside the object,
	 * and pthread_cond_destroy waits until each has left.  A worker
	 * process killed while waiting never leaves, so after a failed run
	 * the parent would block there for good (seen with glibc 2.36).  A
	 * process-shared condvar holds nothing outside its own bytes, which
	 * the caller unmaps next, so in the process form it is not
	 * destroyed.  Threads cannot be killed one by one: there it is safe.
	 */
	if (!ev->pshared)
		(void)pthread_cond_destroy(&ev->cond);
	(void)pthread_mutex_destroy(&ev->mutex);
}
