#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sync/sync.h"
#include "sync/pthread_checked.h"

void
tvp_sync_bug(const char *call, int rc)
{
	fprintf(stderr, "tvp: %s: %s\n", call, strerror(rc));
	abort();
}

int
tvp_sync_mutex_init(pthread_mutex_t *m, bool pshared)
{
	pthread_mutexattr_t ma;
	int rc;

	if ((rc = pthread_mutexattr_init(&ma)) != 0)
		return rc;
	if ((rc = pthread_mutexattr_setpshared(&ma, pshared ?
	    PTHREAD_PROCESS_SHARED : PTHREAD_PROCESS_PRIVATE)) == 0)
		rc = pthread_mutex_init(m, &ma);
	pthread_mutexattr_destroy(&ma);
	return rc;
}

int
tvp_sync_cond_init(pthread_cond_t *c, bool pshared)
{
	pthread_condattr_t ca;
	int rc;

	if ((rc = pthread_condattr_init(&ca)) != 0)
		return rc;
	/* Timed waits are not stretched when someone sets the clock. */
	if ((rc = pthread_condattr_setpshared(&ca, pshared ?
	    PTHREAD_PROCESS_SHARED : PTHREAD_PROCESS_PRIVATE)) == 0 &&
	    (rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC)) == 0)
		rc = pthread_cond_init(c, &ca);
	pthread_condattr_destroy(&ca);
	return rc;
}

void
tvp_sync_lock(pthread_mutex_t *m)
{
	int rc = pthread_mutex_lock(m);

	if (rc != 0)
		tvp_sync_bug("pthread_mutex_lock", rc);
}

void
tvp_sync_unlock(pthread_mutex_t *m)
{
	int rc = pthread_mutex_unlock(m);

	if (rc != 0)
		tvp_sync_bug("pthread_mutex_unlock", rc);
}

void
tvp_sync_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
	int rc = pthread_cond_wait(c, m);

	if (rc != 0)
		tvp_sync_bug("pthread_cond_wait", rc);
}

void
tvp_sync_broadcast(pthread_cond_t *c)
{
	int rc = pthread_cond_broadcast(c);

	if (rc != 0)
		tvp_sync_bug("pthread_cond_broadcast", rc);
}

void
tvp_sync_signal(pthread_cond_t *c)
{
	int rc = pthread_cond_signal(c);

	if (rc != 0)
		tvp_sync_bug("pthread_cond_signal", rc);
}
