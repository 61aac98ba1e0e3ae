/*
 * The run's memory, from /proc, at the moment the last worker finished
 * (footprint.h says why then, and how each mode is sampled).
 */
#define _GNU_SOURCE /* RUSAGE_THREAD */
#include <sys/resource.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/control.h"
#include "core/footprint.h"

/*
 * Read a small /proc file whole into buf, without stdio: the callers are
 * workers, children of a fork.  Its length, or -1.
 */
static ssize_t
slurp(const char *path, char *buf, size_t len)
{
	size_t used = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while (used + 1 < len && (n = read(fd, buf + used,
	    len - 1 - used)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return -1;
		}
		used += (size_t)n;
	}
	close(fd);
	buf[used] = '\0';
	return (ssize_t)used;
}

/* The "Key:   123 kB" line's number, or -1 if there is none. */
static long
kb_of(const char *text, const char *key)
{
	size_t klen = strlen(key);

	for (const char *p = text; p != NULL && *p != '\0';
	    p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, key, klen) == 0 && p[klen] == ':')
			return strtol(p + klen + 1, NULL, 10);
	return -1;
}

/* /proc/PID/file, or /proc/self/file for pid 0. */
static void
proc_path(char *out, size_t len, pid_t pid, const char *file)
{
	if (pid == 0)
		snprintf(out, len, "/proc/self/%s", file);
	else
		snprintf(out, len, "/proc/%ld/%s", (long)pid, file);
}

int
tvp_mem_sample(pid_t pid, struct tvp_mem *m)
{
	char path[64], buf[4096];
	long clean, dirty;

	memset(m, 0, sizeof(*m));
	proc_path(path, sizeof(path), pid, "smaps_rollup");
	if (slurp(path, buf, sizeof(buf)) < 0)
		return -1;
	m->pss_kb = kb_of(buf, "Pss");
	clean = kb_of(buf, "Private_Clean");
	dirty = kb_of(buf, "Private_Dirty");
	m->uss_kb = clean + dirty;
	proc_path(path, sizeof(path), pid, "status");
	if (slurp(path, buf, sizeof(buf)) < 0)
		return -1;
	m->pte_kb = kb_of(buf, "VmPTE");
	m->hwm_kb = kb_of(buf, "VmHWM");
	if (m->pss_kb < 0 || clean < 0 || dirty < 0 || m->pte_kb < 0 ||
	    m->hwm_kb < 0)
		return -1;
	m->taken = true;
	return 0;
}

long
tvp_mem_hwm_kb(void)
{
	char buf[4096];
	long kb;

	if (slurp("/proc/self/status", buf, sizeof(buf)) < 0)
		return 0;
	kb = kb_of(buf, "VmHWM");
	return kb > 0 ? kb : 0;
}

/* Minor faults of the calling thread so far. */
static long
thread_minflt(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_THREAD, &ru) == 0 ? ru.ru_minflt : 0;
}

void
tvp_mem_work_begin(struct tvp_slot *slot)
{
	slot->minflt_begin = thread_minflt();
}

/*
 * The kernel's view of an atomic counter: the same 32 bits (an
 * _Atomic uint32_t is a plain one in memory on Linux's ABIs).
 */
static uint32_t *
futex_word(_Atomic uint32_t *c)
{
	return (uint32_t *)(uintptr_t)c;
}

/*
 * Count one more at *c and wake whoever waits on it.  A futex, not a
 * process-shared condition variable: nothing to initialise or destroy,
 * and a worker killed while waiting leaves no lock held.
 */
static void
count_and_wake(_Atomic uint32_t *c)
{
	atomic_fetch_add(c, 1);
	syscall(SYS_futex, futex_word(c), FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

/* Sleep until *c reaches n. */
static void
wait_count(_Atomic uint32_t *c, uint32_t n)
{
	uint32_t seen;

	while ((seen = atomic_load(c)) < n)
		syscall(SYS_futex, futex_word(c), FUTEX_WAIT, seen, NULL,
		    NULL, 0);
}

void
tvp_mem_finish_line(struct tvp_run *run, unsigned worker, bool sample)
{
	struct tvp_control *ctl = run->ctl;
	struct tvp_slot *slot = &ctl->slot[worker];
	uint32_t n = run->nworkers;

	slot->work_minflt = thread_minflt() - slot->minflt_begin;
	if (!sample)
		return;
	if (!tvp_mode_is_processes()) {
		/* One process: the last to finish samples it, once. */
		if (atomic_fetch_add(&ctl->finished, 1) + 1 == n)
			(void)tvp_mem_sample(0, &ctl->mem);
		return;
	}
	count_and_wake(&ctl->finished);
	wait_count(&ctl->finished, n);
	(void)tvp_mem_sample(0, &slot->mem);
	/* The last sampler takes the parent's, then lets everyone go. */
	if (atomic_fetch_add(&ctl->sampled, 1) + 1 == n) {
		(void)tvp_mem_sample(getppid(), &ctl->mem);
		count_and_wake(&ctl->sampled);
	}
	wait_count(&ctl->sampled, n + 1);
}

uint64_t
tvp_work_minflt(const struct tvp_run *run)
{
	uint64_t n = 0;

	for (unsigned w = 0; w < run->nworkers; w++)
		if (run->ctl->slot[w].work_minflt > 0)
			n += (uint64_t)run->ctl->slot[w].work_minflt;
	return n;
}
