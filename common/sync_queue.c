/*
 * The bounded queue: a ring of fixed-size items in one block of memory,
 * guarded by one mutex, with a condition variable for each thing a caller
 * waits for.  Everything, ring included, lives in that block, so in the
 * shared region it works between processes as it does between threads.
 *
 * Every wait re-checks its condition in a loop: a condition variable may
 * wake spuriously, and another consumer may have taken the item first.
 */
#include <errno.h>
#include <string.h>

#include "sync.h"

static void
q_lock(struct tvp_queue *q)
{
	int rc = pthread_mutex_lock(&q->mutex);

	if (rc != 0)
		tvp_sync_bug("pthread_mutex_lock (queue)", rc);
}

static void
q_unlock(struct tvp_queue *q)
{
	int rc = pthread_mutex_unlock(&q->mutex);

	if (rc != 0)
		tvp_sync_bug("pthread_mutex_unlock (queue)", rc);
}

static void
q_wait(struct tvp_queue *q, pthread_cond_t *cond)
{
	int rc = pthread_cond_wait(cond, &q->mutex);

	if (rc != 0)
		tvp_sync_bug("pthread_cond_wait (queue)", rc);
}

static void
q_broadcast(pthread_cond_t *cond)
{
	int rc = pthread_cond_broadcast(cond);

	if (rc != 0)
		tvp_sync_bug("pthread_cond_broadcast (queue)", rc);
}

size_t
tvp_queue_size(size_t capacity, size_t item_size)
{
	return sizeof(struct tvp_queue) + capacity * item_size;
}

int
tvp_queue_init(struct tvp_queue *q, size_t capacity, size_t item_size,
    bool pshared)
{
	int share = pshared ? PTHREAD_PROCESS_SHARED : PTHREAD_PROCESS_PRIVATE;
	pthread_mutexattr_t ma;
	pthread_condattr_t ca;
	int rc;

	if (capacity == 0 || item_size == 0)
		return EINVAL;
	if ((rc = pthread_mutexattr_init(&ma)) != 0)
		return rc;
	if ((rc = pthread_condattr_init(&ca)) != 0) {
		pthread_mutexattr_destroy(&ma);
		return rc;
	}
	if ((rc = pthread_mutexattr_setpshared(&ma, share)) == 0 &&
	    (rc = pthread_condattr_setpshared(&ca, share)) == 0 &&
	    (rc = pthread_mutex_init(&q->mutex, &ma)) == 0) {
		if ((rc = pthread_cond_init(&q->not_empty, &ca)) == 0) {
			if ((rc = pthread_cond_init(&q->not_full, &ca)) == 0) {
				rc = pthread_cond_init(&q->all_done, &ca);
				if (rc != 0)
					pthread_cond_destroy(&q->not_full);
			}
			if (rc != 0)
				pthread_cond_destroy(&q->not_empty);
		}
		if (rc != 0)
			pthread_mutex_destroy(&q->mutex);
	}
	pthread_condattr_destroy(&ca);
	pthread_mutexattr_destroy(&ma);
	q->capacity = capacity;
	q->item_size = item_size;
	q->head = q->count = 0;
	q->unfinished = 0;
	q->closed = false;
	q->pshared = pshared;
	return rc;
}

int
tvp_queue_put(struct tvp_queue *q, const void *item)
{
	size_t tail;

	q_lock(q);
	while (q->count == q->capacity && !q->closed)
		q_wait(q, &q->not_full);
	if (q->closed) {
		q_unlock(q);
		return TVP_QUEUE_CLOSED;
	}
	tail = (q->head + q->count) % q->capacity;
	memcpy(q->ring + tail * q->item_size, item, q->item_size);
	q->count++;
	q->unfinished++;
	/*
	 * Signal, not broadcast: one item can feed one getter.  Every getter
	 * waits for the same condition, so whichever wakes can take it.
	 */
	pthread_cond_signal(&q->not_empty);
	q_unlock(q);
	return 0;
}

int
tvp_queue_get(struct tvp_queue *q, void *item)
{
	q_lock(q);
	while (q->count == 0 && !q->closed)
		q_wait(q, &q->not_empty);
	if (q->count == 0) {
		/* Closed and drained: the end, for every consumer. */
		q_unlock(q);
		return TVP_QUEUE_CLOSED;
	}
	memcpy(item, q->ring + q->head * q->item_size, q->item_size);
	q->head = (q->head + 1) % q->capacity;
	q->count--;
	pthread_cond_signal(&q->not_full);
	q_unlock(q);
	return 0;
}

void
tvp_queue_close(struct tvp_queue *q)
{
	q_lock(q);
	q->closed = true;
	/* Everyone blocked must look again: getters drain, putters give up. */
	q_broadcast(&q->not_empty);
	q_broadcast(&q->not_full);
	q_unlock(q);
}

void
tvp_queue_task_done(struct tvp_queue *q)
{
	q_lock(q);
	if (q->unfinished == 0)
		tvp_sync_bug("tvp_queue_task_done: more calls than items put",
		    EINVAL);
	if (--q->unfinished == 0)
		q_broadcast(&q->all_done);
	q_unlock(q);
}

void
tvp_queue_join(struct tvp_queue *q)
{
	q_lock(q);
	while (q->unfinished > 0)
		q_wait(q, &q->all_done);
	q_unlock(q);
}

void
tvp_queue_destroy(struct tvp_queue *q)
{
	/*
	 * As tvp_event_destroy explains: glibc's pthread_cond_destroy waits
	 * for waiters to leave, and a killed worker process never does; a
	 * process-shared condvar owns nothing outside the region the caller
	 * unmaps next.
	 */
	if (!q->pshared) {
		(void)pthread_cond_destroy(&q->not_empty);
		(void)pthread_cond_destroy(&q->not_full);
		(void)pthread_cond_destroy(&q->all_done);
	}
	(void)pthread_mutex_destroy(&q->mutex);
}
