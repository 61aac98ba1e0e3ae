/*
 * The worker side of the framework, the same in both modes: the control
 * block, the start gate, and the default work loop that hands out items.
 */
#define _GNU_SOURCE /* syscall */
#include <linux/futex.h>
#include <sys/syscall.h>

#include <limits.h>
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

	if (tvp_check_memory("the control block (-j and items)", size) != 0)
		return NULL;
	if ((ctl = tvp_shared_map(size)) == NULL)
		return NULL;
	atomic_init(&ctl->gate, TVP_GATE_CLOSED);
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
	tvp_shared_unmap(ctl, ctl->size);
}

/*
 * The start gate.  What it must guarantee: no worker begins its work
 * before every worker exists, so that work_s measures work and not
 * staggered starts (and workers that contend do so from their first
 * operation); a start that fails sends the workers already waiting home;
 * and no worker waits for a parent that is gone -- threads die with
 * their process, and each child process has PR_SET_PDEATHSIG, so the
 * kernel kills a waiting child with its parent (processes/runner.c).
 *
 * It costs what the least such gate costs (bench/raw-empty's "gate": one
 * futex word, one FUTEX_WAKE for all) and no more.  Workers sleep on the
 * word at once.  An earlier gate had early arrivals yield their CPU for
 * up to 200 us first, to spare them a wake-up; but where creating a
 * worker takes longer than that (260 us a thread, 1.5 ms a process on a
 * 2-vCPU VM) they went to sleep anyway, after competing with the parent
 * that was creating the others: 8.9 ms against 7.8 ms without it for 32
 * empty threads, the gated raw program 7.8 ms (medians of 15 alternating
 * runs).
 */

static int
futex_op(int op)
{
	return op | (tvp_mode_is_processes() ? 0 : FUTEX_PRIVATE_FLAG);
}

/* Sleep while *word is val (or until a signal): the caller looks again. */
static void
futex_wait(_Atomic uint32_t *word, uint32_t val)
{
	syscall(SYS_futex, (void *)(uintptr_t)word, futex_op(FUTEX_WAIT), val,
	    NULL, NULL, 0);
}

static void
futex_wake_all(_Atomic uint32_t *word)
{
	syscall(SYS_futex, (void *)(uintptr_t)word, futex_op(FUTEX_WAKE),
	    INT_MAX, NULL, NULL, 0);
}

static void
gate_set(struct tvp_control *ctl, uint32_t state)
{
	atomic_store_explicit(&ctl->gate, state, memory_order_release);
	futex_wake_all(&ctl->gate);
}

void
tvp_gate_open(struct tvp_control *ctl)
{
	gate_set(ctl, TVP_GATE_OPEN);
}

void
tvp_gate_abort(struct tvp_control *ctl)
{
	gate_set(ctl, TVP_GATE_ABORTED);
}

/* Wait until the gate opens or is aborted; true if there is work to do. */
static bool
gate_wait(struct tvp_control *ctl)
{
	uint32_t g;

	while ((g = atomic_load_explicit(&ctl->gate, memory_order_acquire)) ==
	    TVP_GATE_CLOSED)
		futex_wait(&ctl->gate, TVP_GATE_CLOSED);
	return g == TVP_GATE_OPEN;
}

/* Claim the next item: a replacement's inherited one first. */
static uint64_t
claim(struct tvp_run *run, unsigned worker)
{
	uint64_t item;

	if (tvp_fault_take_redo(run->ctl, worker, &item))
		return item;
	if (run->claim != NULL)
		return run->claim(run);  /* ranks: MPI_Fetch_and_op */
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
		tvp_mem_finish_line(run, worker, !run->no_footprint);
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

/* Append text to buf (len bytes, kept NUL-terminated); false once full. */
static bool
append_text(char *buf, size_t len, size_t *used, const char *text)
{
	int n = snprintf(buf + *used, len - *used, "%s", text);

	if (n < 0 || (size_t)n >= len - *used) {
		*used = len - 1;
		return false;
	}
	*used += (size_t)n;
	return true;
}

unsigned
tvp_workers_describe(char *buf, size_t len, unsigned n,
    bool (*still)(const void *ctx, unsigned w), const void *ctx)
{
	/* Room kept for ", ..." when the list does not fit. */
	static const char more[] = ", ...";
	size_t used = 0, room = len > sizeof(more) ? len - sizeof(more) + 1 : 1;
	unsigned count = 0, runs = 0;
	bool full = false;

	buf[0] = '\0';
	for (unsigned w = 0; w < n; w++)
		count += still(ctx, w);
	if (count == 0 || len < 16)
		return count;
	full = !append_text(buf, room, &used, count == 1 ? "worker " :
	    "workers ");
	for (unsigned w = 0; w < n && !full; w++) {
		unsigned last = w;
		char run[32];

		if (!still(ctx, w))
			continue;
		while (last + 1 < n && still(ctx, last + 1))
			last++;
		if (last == w)
			snprintf(run, sizeof(run), "%s%u", runs ? ", " : "", w);
		else
			snprintf(run, sizeof(run), "%s%u-%u", runs ? ", " : "",
			    w, last);
		full = !append_text(buf, room, &used, run);
		runs++;
		w = last;
	}
	if (full) {
		/* Cut back to the last whole entry, then say there is more. */
		char *comma = strrchr(buf, ',');

		if (comma != NULL)
			*comma = '\0';
		used = strlen(buf);
		append_text(buf, len, &used, more);
	}
	return count;
}
