/*
 * The pthread calls the primitives in sync.h share (pthread_checked.c): how
 * a mutex or condition variable is made for either form, and the calls
 * that can only fail through a bug, which abort (see tvp_sync_bug).
 */
#ifndef TVP_SYNC_PTHREAD_CHECKED_H
#define TVP_SYNC_PTHREAD_CHECKED_H

#include <pthread.h>
#include <stdbool.h>

/* A plain mutex, process-shared when pshared; 0 or an errno value. */
int tvp_sync_mutex_init(pthread_mutex_t *m, bool pshared);
/* A condition variable on CLOCK_MONOTONIC, process-shared when pshared. */
int tvp_sync_cond_init(pthread_cond_t *c, bool pshared);

void tvp_sync_lock(pthread_mutex_t *m);
void tvp_sync_unlock(pthread_mutex_t *m);
void tvp_sync_wait(pthread_cond_t *c, pthread_mutex_t *m);
void tvp_sync_broadcast(pthread_cond_t *c);
void tvp_sync_signal(pthread_cond_t *c);

#endif
