/*
 * Zeroed private memory, for the runners whose workers already share
 * (threads) or cannot share (MPI ranks) what the framework maps: one
 * mapping each, so that tvp_shared_map is the same call in both.
 */
#include <sys/mman.h>

#include <err.h>

#include "core/runner.h"

void *
tvp_private_map(size_t size)
{
	void *p = mmap(NULL, size ? size : 1, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		warn("cannot map %zu bytes of memory", size);
		return NULL;
	}
	return p;
}

void
tvp_private_unmap(void *p, size_t size)
{
	if (p != NULL)
		munmap(p, size ? size : 1);
}
