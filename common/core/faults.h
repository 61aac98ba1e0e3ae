/*
 * Fault injection, all of it: the kinds and their names, the run options
 * that choose one, the point where it strikes, and the hand-over of a dead
 * worker's item to its replacement (--recover, processes only).
 */
#ifndef TVP_FAULTS_H
#define TVP_FAULTS_H

#include <stdbool.h>
#include <stdint.h>

struct tvp_control;
struct tvp_run;

enum tvp_fault_kind {
	TVP_FAULT_NONE,
	TVP_FAULT_CRASH,  /* SIGSEGV */
	TVP_FAULT_KILL,   /* SIGKILL */
	TVP_FAULT_EXIT,   /* exit status 1 */
	TVP_FAULT_HANG,   /* blocks forever; --timeout ends the run */
};

/* What --fault, --fault-worker and --recover asked for. */
struct tvp_fault {
	enum tvp_fault_kind kind;
	unsigned worker;           /* which worker it strikes */
	bool worker_given;         /* --fault-worker was on the command line */
	bool recover;              /* processes: hand its items to a new one */
};

/* --fault's word for a kind: "crash", "kill", ... */
const char *tvp_fault_name(enum tvp_fault_kind kind);

/* Parse --fault's value: 0, or -1 after one line naming the bad word. */
int tvp_fault_parse(const char *text, enum tvp_fault_kind *kind);

/*
 * The fault options of a run that only make sense together, once the
 * workload and the worker count are known: 0, or -1 after one line.
 */
int tvp_fault_check(const struct tvp_run *run);

/*
 * The item loop's claim: a replacement's inherited item first.  True,
 * with *item set, if the worker inherited one.
 */
bool tvp_fault_take_redo(struct tvp_control *ctl, unsigned worker,
    uint64_t *item);

/*
 * Worker w died and a replacement will take its slot: pass on the item
 * it held (or had inherited and not yet claimed), which the replacement
 * redoes first.  Returns that item, or -1 if it held none; *newly is
 * false when the item was already counted as redone (a replacement died
 * before it claimed it).
 */
int64_t tvp_fault_hand_over(struct tvp_control *ctl, unsigned w,
    bool *newly);

#endif
