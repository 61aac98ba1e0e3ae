/*
 * Synchronization primitives that work the same for threads and for
 * processes.
 *
 * Each object lives in memory every worker sees: for threads any memory
 * will do, for processes it must be in the region from tvp_shared(),
 * mapped before the fork.  Pass `pshared` = tvp_mode_is_processes() to the
 * init function: in the process form the pthread objects are made
 * PTHREAD_PROCESS_SHARED (and the lock robust), in the thread form they
 * stay private, which is cheaper.  A pthread object that is *not* in the
 * shared region is copied by fork into each child and protects nothing;
 * the counter workload shows it.
 *
 * None of them waits by polling: every wait blocks in the kernel (futex)
 * until another worker wakes it.
 *
 * They correspond to Python's threading.Lock, Event, queue.Queue and
 * Semaphore.  Implementations: lock.c, event.c, queue.c,
 * semaphore.c.  All init functions return 0, or an errno value.
 */
#ifndef TVP_SYNC_H
#define TVP_SYNC_H

#include <pthread.h>
#include <stdalign.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A pthread call failed in a way only a bug can cause (an uninitialised
 * object, unlocking a mutex not held).  The caller may be a worker, which
 * must not exit(3) on the parent's behalf, and going on would run
 * unprotected: abort, which the runner reports as the worker's death by
 * SIGABRT.  (pthread_checked.c)
 */
_Noreturn void tvp_sync_bug(const char *call, int rc);

/* ---- lock: threading.Lock ------------------------------------------- */

struct tvp_lock {
	pthread_mutex_t mutex;
};

int tvp_lock_init(struct tvp_lock *lock, bool pshared);
/*
 * 0, or TVP_LOCK_RECOVERED when the previous owner died holding it (a
 * robust mutex's EOWNERDEAD, process form only): the caller now holds the
 * lock, it has been marked consistent, and the caller must repair whatever
 * the dead owner may have left half-updated.
 */
#define TVP_LOCK_RECOVERED 1
int tvp_lock_acquire(struct tvp_lock *lock);
void tvp_lock_release(struct tvp_lock *lock);
void tvp_lock_destroy(struct tvp_lock *lock);

/* ---- event: threading.Event ----------------------------------------- */

struct tvp_event {
	pthread_mutex_t mutex;
	pthread_cond_t cond;     /* CLOCK_MONOTONIC, for the timed wait */
	bool set;
	bool pshared;            /* process form: see tvp_event_destroy */
};

int tvp_event_init(struct tvp_event *ev, bool pshared);
void tvp_event_set(struct tvp_event *ev);    /* wakes every waiter */
void tvp_event_clear(struct tvp_event *ev);
bool tvp_event_is_set(struct tvp_event *ev);
void tvp_event_wait(struct tvp_event *ev);
/* true if the event was set within timeout_ns, false on timeout. */
bool tvp_event_timedwait(struct tvp_event *ev, uint64_t timeout_ns);
void tvp_event_destroy(struct tvp_event *ev);

/* ---- bounded queue: queue.Queue(maxsize) ----------------------------- */

/*
 * A ring of `capacity` fixed-size items, guarded by one mutex and two
 * condition variables (not empty, not full).  Closing replaces Python's
 * "check empty() then get()" race: get() returns TVP_QUEUE_CLOSED once the
 * queue is closed and drained, so consumers just loop until then.
 * task_done/join count unfinished items as queue.Queue does.
 */
struct tvp_queue {
	pthread_mutex_t mutex;
	pthread_cond_t not_empty, not_full, all_done;
	size_t capacity, item_size;
	size_t head, count;      /* next to get; items held */
	uint64_t unfinished;     /* put and not yet task_done */
	bool closed;
	bool pshared;            /* process form: see tvp_queue_destroy */
	alignas(16) unsigned char ring[];  /* capacity * item_size bytes */
};

#define TVP_QUEUE_CLOSED (-1)

/* Bytes to allocate for a queue (struct plus ring). */
size_t tvp_queue_size(size_t capacity, size_t item_size);
int tvp_queue_init(struct tvp_queue *q, size_t capacity, size_t item_size,
    bool pshared);
/* Blocks while full; 0, or TVP_QUEUE_CLOSED (item not queued). */
int tvp_queue_put(struct tvp_queue *q, const void *item);
/* Blocks while empty and open; 0, or TVP_QUEUE_CLOSED when drained. */
int tvp_queue_get(struct tvp_queue *q, void *item);
/*
 * Items held now (qsize), and whether none is (empty), without waiting.
 * Like queue.Queue's, the answer may be stale by the time the caller acts
 * on it: "not empty, so get() will not block" is the race the queue
 * workload's --consumer check-empty shows.  Use close to end consumers.
 */
size_t tvp_queue_qsize(struct tvp_queue *q);
bool tvp_queue_empty(struct tvp_queue *q);
/* No more puts; wakes every blocked getter and putter. */
void tvp_queue_close(struct tvp_queue *q);
void tvp_queue_task_done(struct tvp_queue *q);
/* Blocks until every item put has been task_done. */
void tvp_queue_join(struct tvp_queue *q);
void tvp_queue_destroy(struct tvp_queue *q);

/* ---- counting semaphore: threading.Semaphore ------------------------- */

struct tvp_sem {
	sem_t sem;
};

int tvp_sem_init(struct tvp_sem *s, unsigned value, bool pshared);
void tvp_sem_acquire(struct tvp_sem *s);  /* retries on EINTR */
void tvp_sem_release(struct tvp_sem *s);
void tvp_sem_destroy(struct tvp_sem *s);

#endif
