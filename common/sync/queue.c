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

#include "sync/sync.h"
#include "sync/pthread_checked.h"

size_t
tvp_queue_size(size_t capacity, size_t item_size)
{
	return sizeof(struct tvp_queue) + capacity * item_size;
}

int
tvp_queue_init(struct tvp_queue *q, size_t capacity, size_t item_size,
    bool pshared)
{
	int rc;

	if (capacity == 0 || item_size == 0)
		return EINVAL;
	if ((rc = tvp_sync_mutex_init(&q->mutex, pshared)) != 0)
		return rc;
	if ((rc = tvp_sync_cond_init(&q->not_empty, pshared)) != 0)
		goto no_not_empty;
	if ((rc = tvp_sync_cond_init(&q->not_full, pshared)) != 0)
		goto no_not_full;
	if ((rc = tvp_sync_cond_init(&q->all_done, pshared)) != 0)
		goto no_all_done;
	q->capacity = capacity;
	q->item_size = item_size;
	q->head = q->count = 0;
	q->unfinished = 0;
	q->closed = false;
	q->pshared = pshared;
	return 0;
no_all_done:
	pthread_cond_destroy(&q->not_full);
no_not_full:
	pthread_cond_destroy(&q->not_empty);
no_not_empty:
	pthread_mutex_destroy(&q->mutex);
	return rc;
}

int
tvp_queue_put(struct tvp_queue *q, const void *item)
{
	size_t tail;

	tvp_sync_lock(&q->mutex);
	while (q->count == q->capacity && !q->closed)
		tvp_sync_wait(&q->not_full, &q->mutex);
	if (q->closed) {
		tvp_sync_unlock(&q->mutex);
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
	tvp_sync_signal(&q->not_empty);
	tvp_sync_unlock(&q->mutex);
	return 0;
}

int
tvp_queue_get(struct tvp_queue *q, void *item)
{
	tvp_sync_lock(&q->mutex);
	while (q->count == 0 && !q->closed)
		tvp_sync_wait(&q->not_empty, &q->mutex);
	if (q->count == 0) {
		/* Closed and drained: the end, for every consumer. */
		tvp_sync_unlock(&q->mutex);
		return TVP_QUEUE_CLOSED;
	}
	memcpy(item, q->ring + q->head * q->item_size, q->item_size);
	q->head = (q->head + 1) % q->capacity;
	q->count--;
	tvp_sync_signal(&q->not_full);
	tvp_sync_unlock(&q->mutex);
	return 0;
}

size_t
tvp_queue_qsize(struct tvp_queue *q)
{
	size_t n;

	tvp_sync_lock(&q->mutex);
	n = q->count;
	tvp_sync_unlock(&q->mutex);
	return n;
}

bool
tvp_queue_empty(struct tvp_queue *q)
{
	return tvp_queue_qsize(q) == 0;
}

void
tvp_queue_close(struct tvp_queue *q)
{
	tvp_sync_lock(&q->mutex);
	q->closed = true;
	/* Everyone blocked must look again: getters drain, putters give up. */
	tvp_sync_broadcast(&q->not_empty);
	tvp_sync_broadcast(&q->not_full);
	tvp_sync_unlock(&q->mutex);
}

void
tvp_queue_task_done(struct tvp_queue *q)
{
	tvp_sync_lock(&q->mutex);
	if (q->unfinished == 0)
		tvp_sync_bug("tvp_queue_task_done: more calls than items put",
		    EINVAL);
	if (--q->unfinished == 0)
		tvp_sync_broadcast(&q->all_done);
	tvp_sync_unlock(&q->mutex);
}

void
tvp_queue_join(struct tvp_queue *q)
{
	tvp_sync_lock(&q->mutex);
	while (q->unfinished > 0)
		tvp_sync_wait(&q->all_done, &q->mutex);
	tvp_sync_unlock(&q->mutex);
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
