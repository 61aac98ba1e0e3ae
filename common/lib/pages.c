#define _GNU_SOURCE /* MADV_HUGEPAGE */
#include <sys/mman.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lib/pages.h"

#define HUGE_PAGE ((size_t)2 << 20)

int
tvp_pages_map(struct tvp_pages *pg, size_t size, bool huge)
{
	size_t need = (size ? size : 1) + HUGE_PAGE - 1;
	uintptr_t start;

	memset(pg, 0, sizeof(*pg));
	/* Room to start on a 2 MiB boundary, so every huge page can be one. */
	need -= need % HUGE_PAGE;
	pg->len = need + HUGE_PAGE;
	pg->base = mmap(NULL, pg->len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pg->base == MAP_FAILED) {
		pg->base = NULL;
		return -1;
	}
	start = ((uintptr_t)pg->base + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	pg->p = (unsigned char *)start;
	pg->size = size;
	if (madvise(pg->p, need, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE) != 0)
		pg->advice_errno = errno;
	return 0;
}

void
tvp_pages_unmap(struct tvp_pages *pg)
{
	if (pg->base != NULL)
		munmap(pg->base, pg->len);
	memset(pg, 0, sizeof(*pg));
}

long long
tvp_pages_huge_bytes(const struct tvp_pages *pg)
{
	uintptr_t lo = (uintptr_t)pg->p, hi = lo + pg->size;
	FILE *fp = fopen("/proc/self/smaps", "r");
	unsigned long from, to;
	long long total = 0, kb;
	bool inside = false;
	char line[512];

	if (fp == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL) {
		/* A mapping's first line starts with its range; then fields. */
		/* NOLINTNEXTLINE(cert-err34-c): kernel-written hex numbers */
		if (sscanf(line, "%lx-%lx ", &from, &to) == 2)
			inside = from < hi && to > lo;
		/* NOLINTNEXTLINE(cert-err34-c): a kernel-written number */
		else if (inside && sscanf(line, "AnonHugePages: %lld kB",
		    &kb) == 1)
			total += kb * 1024;
	}
	fclose(fp);
	return total;
}
