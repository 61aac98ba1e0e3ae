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

#include "sync.h"

static void
ev_lock(struct tvp_event *ev)
{
	int rc = pthread_mutex_lock(&ev->mutex);

	if (rc != 0)
		tvp_sync_bug("pthread_mutex_lock", rc);
}

static void
ev_unlock(struct tvp_event *ev)
{
	int rc = pthread_mutex_unlock(&ev->mutex);

	if (rc != 0)
		tvp_sync_bug("pthread_mutex_unlock", rc);
}

int
tvp_event_init(struct tvp_event *ev, bool pshared)
{
	int share = pshared ? PTHREAD_PROCESS_SHARED : PTHREAD_PROCESS_PRIVATE;
	pthread_mutexattr_t ma;
	pthread_condattr_t ca;
	int rc;

	if ((rc = pthread_mutexattr_init(&ma)) != 0)
		return rc;
	if ((rc = pthread_condattr_init(&ca)) != 0) {
		pthread_mutexattr_destroy(&ma);
		return rc;
	}
	if ((rc = pthread_mutexattr_setpshared(&ma, share)) == 0 &&
	    (rc = pthread_condattr_setpshared(&ca, share)) == 0 &&
	    (rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC)) == 0 &&
	    (rc = pthread_mutex_init(&ev->mutex, &ma)) == 0 &&
	    (rc = pthread_cond_init(&ev->cond, &ca)) != 0)
		pthread_mutex_destroy(&ev->mutex);
	pthread_condattr_destroy(&ca);
	pthread_mutexattr_destroy(&ma);
	ev->set = false;
	ev->pshared = pshared;
	return rc;
}

void
tvp_event_set(struct tvp_event *ev)
{
	int rc;

	ev_lock(ev);
	ev->set = true;
	/* Every waiter, as threading.Event.set() wakes them all. */
	if ((rc = pthread_cond_broadcast(&ev->cond)) != 0)
		tvp_sync_bug("pthread_cond_broadcast", rc);
	ev_unlock(ev);
}

void
tvp_event_clear(struct tvp_event *ev)
{
	ev_lock(ev);
	ev->set = false;
	ev_unlock(ev);
}

bool
tvp_event_is_set(struct tvp_event *ev)
{
	bool set;

	/* Under the mutex, so what the setter wrote before is visible. */
	ev_lock(ev);
	set = ev->set;
	ev_unlock(ev);
	return set;
}

void
tvp_event_wait(struct tvp_event *ev)
{
	int rc;

	ev_lock(ev);
	while (!ev->set)
		if ((rc = pthread_cond_wait(&ev->cond, &ev->mutex)) != 0)
			tvp_sync_bug("pthread_cond_wait", rc);
	ev_unlock(ev);
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
	ev_lock(ev);
	while (!ev->set && rc != ETIMEDOUT) {
		rc = pthread_cond_timedwait(&ev->cond, &ev->mutex, &deadline);
		if (rc != 0 && rc != ETIMEDOUT)
			tvp_sync_bug("pthread_cond_timedwait", rc);
	}
	/* Set just as the time ran out still counts as set. */
	set = ev->set;
	ev_unlock(ev);
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
