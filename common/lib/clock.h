#ifndef TVP_CLOCK_H
#define TVP_CLOCK_H

#include <stdint.h>
#include <time.h>

/*
 * CLOCK_MONOTONIC is one clock for the whole system, so stamps taken in
 * different processes can be subtracted.
 */
static inline uint64_t
tvp_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#endif
