/*
 * How much of a resource a run may take: what is available, less a margin
 * kept back for everything else on the machine.  One rule for memory
 * (MemAvailable, of MemTotal) and for a filesystem (its free blocks, of
 * its size): the margin is the smaller of 5% of the total and 1 GiB.
 */
#ifndef TVP_ROOM_H
#define TVP_ROOM_H

#include <stdint.h>

/* The margin kept back of a resource of `total` bytes. */
uint64_t tvp_room_margin(uint64_t total);

/* What a run may take of `available` bytes of `total`: 0 if none. */
uint64_t tvp_room(uint64_t available, uint64_t total);

#endif
