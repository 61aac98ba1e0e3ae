/*
 * queue: producers put items through one bounded queue (tvp_queue, in the
 * shared region: Python's queue.Queue(maxsize)) to consumers, who hash
 * each item's payload.  The pattern of a worker pool fed by a queue.
 *
 * Producer p of P puts items p, p + P, p + 2P, ...; each item is its index
 * and a payload generated from it (gen.h), copied into the ring and out
 * again, as a message between processes must be.  The last producer to
 * finish waits until every item was taken and marked done (task_done /
 * join) and then closes the queue, which ends every consumer: no consumer
 * ever asks "is it empty?" and then blocks on a get that never returns.
 *
 * Consumers count every index they take (each must be seen exactly once)
 * and add the XXH3 of each payload, seeded with its index, to their own
 * sum: addition does not care about order, so the result is the same
 * whichever consumer took which item, in either mode.
 *
 * With one worker, it is producer and consumer in turn: put one, get one.
 *
 * --consumer check-empty does what the Python tutorial does instead: the
 * producers fill the queue, and each consumer loops
 * `while not q.empty(): item = q.get()`.  Between the check and the get
 * another consumer may take the last item; then this one blocks in get()
 * for good, since nobody will put again or close.  The run never ends;
 * --timeout ends it, exit 1, naming the stuck consumers.  How often that
 * happens is up to the schedule; --force-race yes makes it certain (for
 * the tests): consumers check and get one at a time (a lock held around
 * both), and the one that finds one item left lets go of the lock and
 * waits, on an event, for another to find the same; then both get.
 */
#include <err.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "lib/clock.h"
#include "lib/gen.h"
#include "sync/sync.h"
#include "workload.h"
#include "workload_api.h"

/* Per worker, in the shared region, on its own cache lines. */
struct queue_slot {
	alignas(TVP_CACHE_LINE) uint64_t taken;          /* items this consumer got */
	uint64_t sum;            /* sum of their payload hashes, mod 2^64 */
};

/* --consumer check-empty: what its consumers share. */
struct check_empty {
	struct tvp_event filled;     /* the producers have put every item */
	struct tvp_lock turn;        /* --force-race: one check+get at a time */
	struct tvp_event two_at_last; /* two consumers found one item left */
	_Atomic unsigned at_last;    /* how many found one item left */
};

struct queue_state {
	uint64_t items, seed;
	size_t payload, item_size, capacity;
	unsigned producers, consumers;
	bool check_empty, force_race;
	bool ce_init;                      /* ce's objects need destroying */
	struct check_empty *ce;            /* shared */
	_Atomic unsigned *producers_done;  /* shared */
	_Atomic unsigned char *seen;       /* shared, one per item */
	struct queue_slot *slot;           /* shared, one per worker */
	struct tvp_queue *q;               /* shared */
	bool q_init;
	void *region;
};

static const struct tvp_optdef queue_opts[] = {
	{ "items", TVP_OPT_NUM, "200000", 0, 100000000, NULL,
	    "items put through the queue, in all" },
	{ "capacity", TVP_OPT_NUM, "64", 1, 1 << 20, NULL,
	    "items the queue holds; a producer blocks while it is full" },
	{ "payload", TVP_OPT_SIZE, "256", 0, 1 << 20, NULL,
	    "bytes of data each item carries (K/M suffixes)" },
	{ "producers", TVP_OPT_NUM, "0", 0, 4095, NULL,
	    "workers that put (the rest get); 0: half of them, rounded down, "
	    "at least 1" },
	{ "seed", TVP_OPT_NUM, "1", 0, 0x7fffffffffffffffLL, NULL,
	    "seed of the payload generator" },
	{ "consumer", TVP_OPT_CHOICE, "close", 0, 0, "close|check-empty",
	    "close: consumers get until the queue is closed and drained; "
	    "check-empty: the producers fill the queue first (it must hold "
	    "every item) and consumers loop 'while not empty: get', as the "
	    "Python tutorial does, which can block one in get for good "
	    "(give --timeout)" },
	{ "force-race", TVP_OPT_CHOICE, "no", 0, 0, "no|yes",
	    "check-empty: make two consumers go for the last item every "
	    "time (a lock and an event, no sleep); needs 2 consumers" },
	{ NULL, 0, NULL, 0, 0, NULL, NULL },
};

/* Round up to a multiple of the line, so each part starts a cache line. */
static size_t
line_up(size_t n)
{
	return (n + TVP_CACHE_LINE - 1) & ~(size_t)(TVP_CACHE_LINE - 1);
}

/*
 * --consumer and --force-race, once the worker split is known: the queue
 * must hold every item (the producers fill it before any get), and a
 * forced race needs two consumers.  0, or -1 after one line.
 */
static int
check_empty_options(const struct tvp_run *run, struct queue_state *st)
{
	st->check_empty = strcmp(tvp_opt_str(run, "consumer"),
	    "check-empty") == 0;
	st->force_race = strcmp(tvp_opt_str(run, "force-race"), "yes") == 0;
	if (st->force_race && !st->check_empty) {
		warnx("queue: --force-race yes needs --consumer check-empty");
		return -1;
	}
	if (st->force_race && (tvp_workers(run) == 1 || st->consumers < 2)) {
		warnx("queue: --force-race yes needs 2 consumers, not %u (-j "
		    "and --producers)", tvp_workers(run) == 1 ? 1 :
		    st->consumers);
		return -1;
	}
	if (!st->check_empty || st->capacity >= st->items)
		return 0;
	if (tvp_opt_given(run, "capacity")) {
		warnx("queue: --consumer check-empty fills the queue before "
		    "any consumer starts: --capacity %zu cannot hold --items "
		    "%llu", st->capacity, (unsigned long long)st->items);
		return -1;
	}
	st->capacity = st->items > 0 ? (size_t)st->items : 1;
	return 0;
}

static int
check_empty_init(struct queue_state *st)
{
	bool pshared = tvp_mode_is_processes();
	int rc;

	if ((rc = tvp_event_init(&st->ce->filled, pshared)) != 0)
		goto fail;
	if ((rc = tvp_event_init(&st->ce->two_at_last, pshared)) != 0) {
		tvp_event_destroy(&st->ce->filled);
		goto fail;
	}
	if ((rc = tvp_lock_init(&st->ce->turn, pshared)) != 0) {
		tvp_event_destroy(&st->ce->two_at_last);
		tvp_event_destroy(&st->ce->filled);
		goto fail;
	}
	atomic_init(&st->ce->at_last, 0);
	st->ce_init = true;
	return 0;
fail:
	warnc(rc, "queue: cannot initialise --consumer check-empty's event");
	return TVP_EXIT_FAIL;
}

static int
queue_setup(struct tvp_run *run)
{
	struct queue_state *st = tvp_state(run);
	unsigned n = tvp_workers(run);
	size_t off_seen, off_slot, off_done, off_ce, off_q, region_size;
	int rc;

	st->items = (uint64_t)tvp_opt_num(run, "items");
	st->capacity = (size_t)tvp_opt_num(run, "capacity");
	st->payload = (size_t)tvp_opt_num(run, "payload");
	st->seed = (uint64_t)tvp_opt_num(run, "seed");
	st->producers = (unsigned)tvp_opt_num(run, "producers");
	if (n == 1) {
		if (st->producers > 1) {
			warnx("queue: --producers %u needs at least %u workers "
			    "(one worker is producer and consumer in turn)",
			    st->producers, st->producers + 1);
			return TVP_EXIT_USAGE;
		}
		st->producers = st->consumers = 1;
	} else {
		if (st->producers == 0)
			st->producers = n / 2;
		if (st->producers >= n) {
			warnx("queue: --producers %u leaves no consumer among "
			    "%u workers, allowed: 1 .. %u", st->producers, n,
			    n - 1);
			return TVP_EXIT_USAGE;
		}
		st->consumers = n - st->producers;
	}
	if (check_empty_options(run, st) != 0)
		return TVP_EXIT_USAGE;
	st->item_size = (sizeof(uint64_t) + st->payload + 7) & ~(size_t)7;
	off_seen = 0;
	off_slot = line_up(off_seen + st->items);
	off_done = off_slot + (size_t)n * sizeof(struct queue_slot);
	off_ce = line_up(off_done + sizeof(*st->producers_done));
	off_q = line_up(off_ce + sizeof(*st->ce));
	region_size = off_q + tvp_queue_size(st->capacity, st->item_size);
	if (tvp_check_memory("queue: --items + --capacity x --payload",
	    region_size) != 0)
		return TVP_EXIT_USAGE;
	if ((st->region = tvp_shared(run, region_size)) == NULL)
		return TVP_EXIT_FAIL;
	st->seen = (_Atomic unsigned char *)((char *)st->region + off_seen);
	st->slot = (struct queue_slot *)((char *)st->region + off_slot);
	st->producers_done = (_Atomic unsigned *)((char *)st->region +
	    off_done);
	st->ce = (struct check_empty *)((char *)st->region + off_ce);
	st->q = (struct tvp_queue *)((char *)st->region + off_q);
	if ((rc = tvp_queue_init(st->q, st->capacity, st->item_size,
	    tvp_mode_is_processes())) != 0) {
		warnc(rc, "queue: cannot initialise the queue");
		return TVP_EXIT_FAIL;
	}
	st->q_init = true;
	return st->check_empty ? check_empty_init(st) : 0;
}

/* The payload hash a consumer adds for item i: the sum's terms. */
static uint64_t
payload_hash(const unsigned char *payload, size_t len, uint64_t index)
{
	return XXH3_64bits_withSeed(payload, len, index);
}

static void
make_item(const struct queue_state *st, uint64_t index, unsigned char *buf)
{
	memcpy(buf, &index, sizeof(index));
	tvp_gen_block(st->seed, index, buf + sizeof(index), st->payload);
}

/* Take one item off the queue and account for it; -1 on a bad index. */
static int
consume(struct queue_state *st, struct queue_slot *slot,
    const unsigned char *buf)
{
	uint64_t index;

	memcpy(&index, buf, sizeof(index));
	if (index >= st->items)
		return -1;
	atomic_fetch_add_explicit(&st->seen[index], 1, memory_order_relaxed);
	slot->sum += payload_hash(buf + sizeof(index), st->payload, index);
	slot->taken++;
	tvp_queue_task_done(st->q);
	return 0;
}

static int
produce(struct tvp_run *run, struct queue_state *st, unsigned p,
    unsigned char *buf)
{
	uint64_t mine = st->items > p ?
	    (st->items - p + st->producers - 1) / st->producers : 0, done = 0;

	for (uint64_t i = p; i < st->items; i += st->producers) {
		if (done++ == mine / 2)
			tvp_fault_point(run, p);
		make_item(st, i, buf);
		if (tvp_queue_put(st->q, buf) != 0)
			return tvp_worker_error(run, p, "queue closed while "
			    "item %llu was being put", (unsigned long long)i);
	}
	/*
	 * The last producer out waits until every item was handled, as
	 * queue.Queue.join() does, then closes: consumers drain and end.
	 * As the tutorial, it only says the queue is full, and never closes.
	 */
	if (atomic_fetch_add(st->producers_done, 1) + 1 == st->producers) {
		if (st->check_empty) {
			tvp_event_set(&st->ce->filled);
			return 0;
		}
		tvp_queue_join(st->q);
		tvp_queue_close(st->q);
	}
	return 0;
}

static int
drain(struct tvp_run *run, struct queue_state *st, unsigned w,
    unsigned char *buf)
{
	uint64_t half = st->items / st->consumers / 2;
	struct queue_slot *slot = &st->slot[w];

	while (tvp_queue_get(st->q, buf) == 0) {
		if (consume(st, slot, buf) != 0)
			return tvp_worker_error(run, w, "got an item with a "
			    "bad index");
		if (slot->taken == half + 1)
			tvp_fault_point(run, w);
	}
	return 0;
}

/*
 * --force-race, for a consumer that has just found one item left (its
 * empty() said no): wait until a second consumer has found the same, then
 * both go on to get it.
 */
static void
meet_at_last_item(struct queue_state *st)
{
	if (atomic_fetch_add(&st->ce->at_last, 1) + 1 >= 2)
		tvp_event_set(&st->ce->two_at_last);
	tvp_event_wait(&st->ce->two_at_last);
}

/*
 * The tutorial's consumer: `while not q.empty(): item = q.get()`.  When
 * another consumer takes the last item between this one's check and its
 * get, the get blocks for good: nothing is put or closed any more.
 * --force-race holds a turn around each check and get, so that the
 * queue shrinks one item at a time, and lets go of it for the last item.
 */
static int
drain_check_empty(struct tvp_run *run, struct queue_state *st, unsigned w,
    unsigned char *buf)
{
	struct queue_slot *slot = &st->slot[w];
	uint64_t half = st->items / st->consumers / 2;

	tvp_event_wait(&st->ce->filled);
	for (;;) {
		bool held = st->force_race;

		if (held)
			(void)tvp_lock_acquire(&st->ce->turn);
		if (tvp_queue_empty(st->q)) {
			if (held)
				tvp_lock_release(&st->ce->turn);
			return 0;
		}
		if (held && tvp_queue_qsize(st->q) == 1) {
			tvp_lock_release(&st->ce->turn);
			held = false;
			meet_at_last_item(st);
		}
		(void)tvp_queue_get(st->q, buf);
		if (held)
			tvp_lock_release(&st->ce->turn);
		if (consume(st, slot, buf) != 0)
			return tvp_worker_error(run, w, "got an item with a "
			    "bad index");
		if (slot->taken == half + 1)
			tvp_fault_point(run, w);
	}
}

/* One worker alone: put one, get one, so the ring never fills. */
static int
solo(struct tvp_run *run, struct queue_state *st, unsigned char *buf)
{
	if (st->check_empty) {
		int rc = produce(run, st, 0, buf);

		return rc != 0 ? rc : drain_check_empty(run, st, 0, buf);
	}
	for (uint64_t i = 0; i < st->items; i++) {
		if (i == st->items / 2)
			tvp_fault_point(run, 0);
		make_item(st, i, buf);
		if (tvp_queue_put(st->q, buf) != 0 ||
		    tvp_queue_get(st->q, buf) != 0 ||
		    consume(st, &st->slot[0], buf) != 0)
			return tvp_worker_error(run, 0, "queue failed on item "
			    "%llu", (unsigned long long)i);
	}
	tvp_queue_join(st->q);
	tvp_queue_close(st->q);
	return 0;
}

static int
queue_work(struct tvp_run *run, unsigned worker)
{
	struct queue_state *st = tvp_state(run);
	unsigned char *buf = malloc(st->item_size);
	int rc;

	if (buf == NULL)
		return tvp_worker_error(run, worker, "cannot allocate an item");
	if (tvp_workers(run) == 1)
		rc = solo(run, st, buf);
	else if (worker < st->producers)
		rc = produce(run, st, worker, buf);
	else if (st->check_empty)
		rc = drain_check_empty(run, st, worker, buf);
	else
		rc = drain(run, st, worker, buf);
	tvp_worker_count(run, worker, st->slot[worker].taken,
	    st->slot[worker].taken * st->payload);
	free(buf);
	return rc;
}

static uint64_t
total_sum(const struct tvp_run *run, const struct queue_state *st)
{
	uint64_t sum = 0;

	for (unsigned w = 0; w < tvp_workers(run); w++)
		sum += st->slot[w].sum;
	return sum;
}

static int
queue_finish(struct tvp_run *run)
{
	struct queue_state *st = tvp_state(run);

	tvp_result(run, "items=%llu sum=%016llx",
	    (unsigned long long)st->items,
	    (unsigned long long)total_sum(run, st));
	return 0;
}

static enum tvp_verdict
queue_verify(struct tvp_run *run)
{
	struct queue_state *st = tvp_state(run);
	unsigned char *buf = malloc(st->payload ? st->payload : 1);
	uint64_t want = 0, taken = 0, span = tvp_work_span_ns(run);

	if (buf == NULL)
		err(TVP_EXIT_FAIL, "malloc");
	for (uint64_t i = 0; i < st->items; i++) {
		unsigned seen = atomic_load(&st->seen[i]);

		if (seen != 1) {
			tvp_note(run, "item %llu was consumed %u times, not "
			    "once", (unsigned long long)i, seen);
			free(buf);
			return TVP_VERDICT_FAILED;
		}
		/* The reference: the same sum, serially, from the generator. */
		tvp_gen_block(st->seed, i, buf, st->payload);
		want += payload_hash(buf, st->payload, i);
	}
	free(buf);
	for (unsigned w = 0; w < tvp_workers(run); w++)
		taken += st->slot[w].taken;
	if (span > 0)
		tvp_metric(run, "items_per_s", "1/s",
		    (double)st->items * 1e9 / (double)span,
		    TVP_HIGHER_IS_BETTER);
	tvp_note(run, "items_per_s: %u producer(s), %u consumer(s), "
	    "capacity %zu, %zu-byte payload", st->producers, st->consumers,
	    st->capacity, st->payload);
	if (st->check_empty && st->consumers > 1)
		tvp_note(run, "--consumer check-empty: no consumer was caught "
		    "between empty() and get() this time, by luck: nothing "
		    "stopped it");
	if (taken != st->items || total_sum(run, st) != want) {
		tvp_note(run, "consumers took %llu items, sum %016llx; the "
		    "reference is %llu items, sum %016llx",
		    (unsigned long long)taken,
		    (unsigned long long)total_sum(run, st),
		    (unsigned long long)st->items, (unsigned long long)want);
		return TVP_VERDICT_FAILED;
	}
	return TVP_VERDICT_VERIFIED;
}

static void
queue_teardown(struct tvp_run *run)
{
	struct queue_state *st = tvp_state(run);

	if (st->q_init)
		tvp_queue_destroy(st->q);
	if (st->ce_init) {
		tvp_lock_destroy(&st->ce->turn);
		tvp_event_destroy(&st->ce->two_at_last);
		tvp_event_destroy(&st->ce->filled);
	}
}

const struct tvp_workload tvp_wl_queue = {
	.name = "queue",
	.kind = "sync",
	.summary = "producers feed consumers through one bounded queue; "
	    "every item consumed exactly once",
	.opts = queue_opts,
	.quick = "--items 20000",
	.state_size = sizeof(struct queue_state),
	.setup = queue_setup,
	.work = queue_work,
	.finish = queue_finish,
	.verify = queue_verify,
	.teardown = queue_teardown,
};
