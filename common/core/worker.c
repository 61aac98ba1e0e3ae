/*
 * The worker side of the framework, the same in both modes: the control
 * block, the start gate, and the default work loop that hands out items.
 */
#define _GNU_SOURCE /* pipe2 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/control.h"
#include "core/footprint.h"
#include "core/runner.h"
#include "lib/clock.h"

struct tvp_control *
tvp_control_create(unsigned nworkers, size_t nitems)
{
	size_t slots = sizeof(struct tvp_control) +
	    (size_t)nworkers * sizeof(struct tvp_slot);
	size_t size = slots + nitems;
	struct tvp_control *ctl;
	int fds[2];

	if (tvp_check_memory("the control block (-j and items)", size) != 0)
		return NULL;
	if ((ctl = tvp_shared_map(size)) == NULL)
		return NULL;
	/*
	 * The gate is a pipe nobody writes to: workers block reading it and
	 * closing the write end wakes all of them at once with EOF.  If the
	 * parent dies, the kernel closes it too, so no worker waits forever.
	 */
	if (pipe2(fds, O_CLOEXEC) != 0) {
		warn("start gate pipe");
		tvp_shared_unmap(ctl, size);
		return NULL;
	}
	ctl->gate_rd = fds[0];
	ctl->gate_wr = fds[1];
	ctl->nworkers = nworkers;
	ctl->nitems = nitems;
	ctl->size = size;
	ctl->done = (_Atomic unsigned char *)((char *)ctl + slots);
	for (unsigned w = 0; w < nworkers; w++) {
		atomic_init(&ctl->slot[w].current, -1);
		ctl->slot[w].redo = -1;
	}
	return ctl;
}

void
tvp_control_destroy(struct tvp_control *ctl)
{
	if (ctl == NULL)
		return;
	tvp_gate_abort(ctl);
	close(ctl->gate_rd);
	tvp_shared_unmap(ctl, ctl->size);
}

void
tvp_gate_open(struct tvp_control *ctl)
{
	atomic_store_explicit(&ctl->go, 1, memory_order_release);
	tvp_gate_abort(ctl);
}

void
tvp_gate_abort(struct tvp_control *ctl)
{
	/*
	 * gate_wr itself stays as it is: children read it from the shared
	 * block to close their own copies, however late they run.
	 */
	if (!ctl->gate_closed)
		close(ctl->gate_wr);
	ctl->gate_closed = true;
}

void
tvp_gate_child_close(struct tvp_control *ctl)
{
	close(ctl->gate_wr);
}

/* Block until the gate opens or is aborted; true if there is work to do. */
static bool
gate_wait(struct tvp_control *ctl)
{
	char c;
	ssize_t n;

	do
		n = read(ctl->gate_rd, &c, 1);
	while (n < 0 && errno == EINTR);
	return atomic_load_explicit(&ctl->go, memory_order_acquire) == 1;
}

/* Claim the next item: a replacement's inherited one first. */
static uint64_t
claim(struct tvp_run *run, unsigned worker)
{
	uint64_t item;

	if (tvp_fault_take_redo(run->ctl, worker, &item))
		return item;
	return atomic_fetch_add_explicit(&run->ctl->next_item, 1,
	    memory_order_relaxed);
}

/*
 * Claim items one at a time from the shared counter until none are left.
 * Each item computes into a buffer on this worker's stack and its result
 * is copied to the shared slot once: a kernel that wrote its slot as it
 * went (a digest chained 9,000 times) would bounce the cache line it
 * shares with a neighbouring item's slot between the cores.
 */
static int
item_loop(struct tvp_run *run, unsigned worker)
{
	struct tvp_slot *slot = &run->ctl->slot[worker];
	size_t rsize = run->item_result_size;
	alignas(TVP_CACHE_LINE) unsigned char result[TVP_ITEM_RESULT_MAX];

	for (;;) {
		uint64_t item = claim(run, worker);
		uint64_t bytes = 0;
		int rc;

		if (item >= run->nitems)
			return 0;
		atomic_store_explicit(&slot->current, (int64_t)item,
		    memory_order_relaxed);
		/*
		 * An injected fault strikes at the first item this worker
		 * claims past the run's halfway mark, while it holds it.
		 */
		if (item >= run->nitems / 2)
			tvp_fault_point(run, worker);
		rc = run->wl->item(run, (size_t)item, worker,
		    rsize ? result : NULL, &bytes);
		if (rc != 0)
			return rc;
		if (rsize != 0)
			memcpy(run->item_results + item * rsize, result, rsize);
		atomic_store_explicit(&run->ctl->done[item], 1,
		    memory_order_release);
		slot->items++;
		slot->bytes += bytes;
		atomic_store_explicit(&slot->current, -1,
		    memory_order_release);
	}
}

int
tvp_worker_main(struct tvp_run *run, unsigned worker)
{
	struct tvp_slot *slot = &run->ctl->slot[worker];
	int rc;

	slot->t_arrive = tvp_now_ns();
	if (!gate_wait(run->ctl))
		return 0;
	slot->t_begin = tvp_now_ns();
	tvp_mem_work_begin(slot);
	rc = run->wl->work ? run->wl->work(run, worker) :
	    item_loop(run, worker);
	/* A worker that got no items, or a body that never called it. */
	if (rc == 0)
		tvp_fault_point(run, worker);
	slot->t_end = tvp_now_ns();
	slot->status = rc;
	if (rc == 0)
		tvp_mem_finish_line(run, worker);
	return rc;
}

int
tvp_worker_error(struct tvp_run *run, unsigned worker, const char *fmt, ...)
{
	struct tvp_slot *slot = &run->ctl->slot[worker];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(slot->error, sizeof(slot->error), fmt, ap);
	va_end(ap);
	return -1;
}

void
tvp_worker_count(struct tvp_run *run, unsigned worker, uint64_t items,
    uint64_t bytes)
{
	run->ctl->slot[worker].items += items;
	run->ctl->slot[worker].bytes += bytes;
}

uint64_t
tvp_work_span_ns(const struct tvp_run *run)
{
	uint64_t first = UINT64_MAX, last = 0;

	for (unsigned w = 0; w < run->nworkers; w++) {
		if (run->ctl->slot[w].t_begin < first)
			first = run->ctl->slot[w].t_begin;
		if (run->ctl->slot[w].t_end > last)
			last = run->ctl->slot[w].t_end;
	}
	return last > first ? last - first : 0;
}

size_t
tvp_items_done(const struct tvp_control *ctl)
{
	size_t n = 0;

	for (size_t i = 0; i < ctl->nitems; i++)
		n += atomic_load_explicit(&ctl->done[i],
		    memory_order_relaxed) != 0;
	return n;
}
