/*
 * The counting semaphore: a POSIX unnamed semaphore, which takes the
 * process-shared choice itself (sem_init's pshared) and is a futex
 * underneath, like the mutex.
 */
#include <errno.h>

#include "sync/sync.h"

int
tvp_sem_init(struct tvp_sem *s, unsigned value, bool pshared)
{
	return sem_init(&s->sem, pshared ? 1 : 0, value) == 0 ? 0 : errno;
}

void
tvp_sem_acquire(struct tvp_sem *s)
{
	/* A signal handler may interrupt the wait; the slot is still wanted. */
	while (sem_wait(&s->sem) != 0)
		if (errno != EINTR)
			tvp_sync_bug("sem_wait", errno);
}

void
tvp_sem_release(struct tvp_sem *s)
{
	if (sem_post(&s->sem) != 0)
		tvp_sync_bug("sem_post", errno);
}

void
tvp_sem_destroy(struct tvp_sem *s)
{
	(void)sem_destroy(&s->sem);
}
