/*
 * The worker side of the framework, the same in both modes: the control
 * block, the start gate, and the default work loop that hands out items.
 */
#define _GNU_SOURCE /* pipe2 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "control.h"
#include "runner.h"

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

const char *const tvp_fault_names[] = {
	[TVP_FAULT_CRASH] = "crash",
	[TVP_FAULT_KILL] = "kill",
	[TVP_FAULT_EXIT] = "exit",
	[TVP_FAULT_HANG] = "hang",
};

void
tvp_fault_point(struct tvp_run *run, unsigned worker)
{
	struct tvp_slot *slot = &run->ctl->slot[worker];

	if (run->fault.kind == TVP_FAULT_NONE || worker != run->fault.worker ||
	    atomic_exchange(&run->ctl->fault_fired, 1) != 0)
		return;
	snprintf(slot->error, sizeof(slot->error), "injected fault '%s'",
	    tvp_fault_names[run->fault.kind]);
	switch (run->fault.kind) {
	case TVP_FAULT_CRASH:
		/* What a stray pointer does, without undefined behaviour. */
		raise(SIGSEGV);
		break;
	case TVP_FAULT_KILL:
		raise(SIGKILL);
		break;
	case TVP_FAULT_EXIT:
		tvp_worker_exit(TVP_EXIT_FAIL);
	case TVP_FAULT_HANG:
		/* Blocked for good, as a worker stuck on a lost wake-up is. */
		for (;;)
			pause();
	case TVP_FAULT_NONE:
		break;
	}
}

/* Claim the next item: a replacement's inherited one first. */
static uint64_t
claim(struct tvp_run *run, struct tvp_slot *slot)
{
	if (slot->redo >= 0) {
		uint64_t item = (uint64_t)slot->redo;

		slot->redo = -1;
		return item;
	}
	return atomic_fetch_add_explicit(&run->ctl->next_item, 1,
	    memory_order_relaxed);
}

/* Claim items one at a time from the shared counter until none are left. */
static int
default_work(struct tvp_run *run, unsigned worker)
{
	struct tvp_slot *slot = &run->ctl->slot[worker];

	for (;;) {
		uint64_t item = claim(run, slot);
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
		rc = run->wl->item(run, (size_t)item, worker, &bytes);
		if (rc != 0)
			return rc;
		atomic_store_explicit(&run->ctl->done[item], 1,
		    memory_order_relaxed);
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
	rc = run->wl->work ? run->wl->work(run, worker) :
	    default_work(run, worker);
	/* A worker that got no items, or a body that never called it. */
	if (rc == 0)
		tvp_fault_point(run, worker);
	slot->t_end = tvp_now_ns();
	slot->status = rc;
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

void
tvp_note(struct tvp_run *run, const char *fmt, ...)
{
	size_t used = strlen(run->note);
	va_list ap;

	if (used > 0 && used + 2 < sizeof(run->note)) {
		strlcpy(run->note + used, "; ", sizeof(run->note) - used);
		used += 2;
	}
	va_start(ap, fmt);
	vsnprintf(run->note + used, sizeof(run->note) - used, fmt, ap);
	va_end(ap);
}

void
tvp_hex(char *out, const unsigned char *bytes, size_t len)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[bytes[i] >> 4];
		out[2 * i + 1] = digits[bytes[i] & 15];
	}
	out[2 * len] = '\0';
}

size_t
tvp_sample_item(size_t k, size_t samples, size_t n)
{
	return samples <= 1 ? 0 : k * (n - 1) / (samples - 1);
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
