/*
 * The lock: one pthread mutex.  In the process form it is
 * PTHREAD_PROCESS_SHARED, so the kernel's futex keys it by the shared
 * page rather than by one process's address, and robust, so that a
 * process killed while holding it does not leave every other process
 * blocked forever: the next locker is told (EOWNERDEAD) instead.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync/sync.h"

int
tvp_lock_init(struct tvp_lock *lock, bool pshared)
{
	pthread_mutexattr_t attr;
	int rc;

	if ((rc = pthread_mutexattr_init(&attr)) != 0)
		return rc;
	if (pshared && ((rc = pthread_mutexattr_setpshared(&attr,
	    PTHREAD_PROCESS_SHARED)) != 0 ||
	    (rc = pthread_mutexattr_setrobust(&attr,
	    PTHREAD_MUTEX_ROBUST)) != 0)) {
		pthread_mutexattr_destroy(&attr);
		return rc;
	}
	rc = pthread_mutex_init(&lock->mutex, &attr);
	pthread_mutexattr_destroy(&attr);
	return rc;
}

int
tvp_lock_acquire(struct tvp_lock *lock)
{
	int rc = pthread_mutex_lock(&lock->mutex);

	if (rc == 0)
		return 0;
	if (rc == EOWNERDEAD) {
		/*
		 * We hold it now.  Marking it consistent is what lets it be
		 * used again; without it, the unlock would make the mutex
		 * unusable for good (ENOTRECOVERABLE).  What it protected
		 * is the caller's to repair.
		 */
		if ((rc = pthread_mutex_consistent(&lock->mutex)) != 0)
			tvp_sync_bug("pthread_mutex_consistent", rc);
		return TVP_LOCK_RECOVERED;
	}
	/*
	 * ENOTRECOVERABLE cannot happen either: every EOWNERDEAD is made
	 * consistent just above.
	 */
	tvp_sync_bug("pthread_mutex_lock", rc);
}

void
tvp_lock_release(struct tvp_lock *lock)
{
	int rc = pthread_mutex_unlock(&lock->mutex);

	if (rc != 0)
		tvp_sync_bug("pthread_mutex_unlock", rc);
}

void
tvp_lock_destroy(struct tvp_lock *lock)
{
	/*
	 * The result is ignored on purpose: after a failed run a killed
	 * worker may still "hold" it (EBUSY), and a mutex owns no resource
	 * outside its own bytes on Linux, so there is nothing to leak.
	 */
	(void)pthread_mutex_destroy(&lock->mutex);
}
