/*
 * Private anonymous memory on the page size asked for: small (4 KiB) or
 * transparent huge pages (2 MiB), said explicitly whatever the system's
 * default (/sys/kernel/mm/transparent_hugepage/enabled).  The page size
 * decides what a forked child pays to use memory its parent filled: the
 * child's first touch of each inherited page costs it something (the
 * kernel marks the copied entries not yet accessed), so 512 times fewer
 * pages are 512 times fewer first touches; and fork copies one page table
 * entry per page.
 */
#ifndef TVP_PAGES_H
#define TVP_PAGES_H

#include <stdbool.h>
#include <stddef.h>

struct tvp_pages {
	unsigned char *p;   /* size bytes, 2 MiB-aligned, zeroed */
	size_t size;
	void *base;         /* the mapping itself, for munmap */
	size_t len;
	int advice_errno;   /* madvise's errno if it refused; 0 */
};

/*
 * Map size bytes (at least one page) on huge or small pages: 0, or -1
 * with errno set and nothing mapped.  A refused madvise (a kernel without
 * transparent huge pages) is not a failure: it is left in advice_errno.
 */
int tvp_pages_map(struct tvp_pages *pg, size_t size, bool huge);
void tvp_pages_unmap(struct tvp_pages *pg);

/*
 * How many bytes of pg are on huge pages now (AnonHugePages in
 * /proc/self/smaps), or -1 if that cannot be read.
 */
long long tvp_pages_huge_bytes(const struct tvp_pages *pg);

#endif
