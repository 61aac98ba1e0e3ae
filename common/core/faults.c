/*
 * Fault injection: --fault KIND strikes worker --fault-worker K once,
 * halfway through its work; with --recover (processes) the runner gives
 * the item it held to a replacement, through tvp_fault_hand_over.
 */
#include <err.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/control.h"
#include "core/faults.h"
#include "core/runner.h"
#include "lib/escape.h"

static const char *const names[] = {
	[TVP_FAULT_NONE] = "none",
	[TVP_FAULT_CRASH] = "crash",
	[TVP_FAULT_KILL] = "kill",
	[TVP_FAULT_EXIT] = "exit",
	[TVP_FAULT_HANG] = "hang",
};

const char *
tvp_fault_name(enum tvp_fault_kind kind)
{
	return names[kind];
}

int
tvp_fault_parse(const char *text, enum tvp_fault_kind *kind)
{
	for (size_t k = TVP_FAULT_CRASH; k <= TVP_FAULT_HANG; k++)
		if (strcmp(text, names[k]) == 0) {
			*kind = (enum tvp_fault_kind)k;
			return 0;
		}
	warnx("unknown fault '%s', allowed: crash|kill|exit|hang",
	    TVP_ESC(text));
	return -1;
}

int
tvp_fault_check(const struct tvp_run *run)
{
	const struct tvp_fault *f = &run->fault;

	if (f->worker_given && f->kind == TVP_FAULT_NONE) {
		warnx("--fault-worker needs --fault");
		return -1;
	}
	if (f->worker >= run->nworkers) {
		warnx("--fault-worker %u is not a worker of this run, allowed: "
		    "0 .. %u", f->worker, run->nworkers - 1);
		return -1;
	}
	if (f->recover && run->wl->work != NULL) {
		warnx("--recover: %s's workers are not a list of items that a "
		    "replacement could redo", run->wl->name);
		return -1;
	}
	return 0;
}

void
tvp_fault_point(struct tvp_run *run, unsigned worker)
{
	struct tvp_slot *slot = &run->ctl->slot[worker];

	if (run->fault.kind == TVP_FAULT_NONE || worker != run->fault.worker ||
	    atomic_exchange(&run->ctl->fault_fired, 1) != 0)
		return;
	snprintf(slot->error, sizeof(slot->error), "injected fault '%s'",
	    names[run->fault.kind]);
	switch (run->fault.kind) {
	case TVP_FAULT_CRASH:
		/* What a stray pointer does, without undefined behaviour. */
		raise(SIGSEGV);
		break;
	case TVP_FAULT_KILL:
		raise(SIGKILL);
		break;
	case TVP_FAULT_EXIT:
		tvp_worker_exit(worker, TVP_EXIT_FAIL);
	case TVP_FAULT_HANG:
		/* Blocked for good, as a worker stuck on a lost wake-up is. */
		for (;;)
			pause();
	case TVP_FAULT_NONE:
		break;
	}
}

bool
tvp_fault_take_redo(struct tvp_control *ctl, unsigned worker, uint64_t *item)
{
	struct tvp_slot *slot = &ctl->slot[worker];

	if (slot->redo < 0)
		return false;
	*item = (uint64_t)slot->redo;
	slot->redo = -1;
	return true;
}

int64_t
tvp_fault_hand_over(struct tvp_control *ctl, unsigned w, bool *newly)
{
	struct tvp_slot *slot = &ctl->slot[w];
	int64_t held = atomic_load(&slot->current);

	/* A replacement that died before claiming still owed its redo. */
	*newly = held >= 0;
	if (held < 0)
		held = slot->redo;
	slot->redo = held;
	atomic_store(&slot->current, -1);
	slot->error[0] = '\0';
	return held;
}
