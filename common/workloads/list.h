/*
 * Every workload, one line each, in the order --list prints them.  A new
 * workload is one file in this folder ending in
 * `const struct tvp_workload tvp_wl_NAME = { ... };` and one line here.
 */
#ifndef TVP_WORKLOAD_LIST_H
#define TVP_WORKLOAD_LIST_H

#define TVP_WORKLOADS(X) \
	X(hash)          \
	X(fileread)      \
	X(counter)       \
	X(falseshare)    \
	X(pingpong)      \
	X(spawn)         \
	X(background)    \
	X(queue)         \
	X(semaphore)     \
	X(memory)

#endif
