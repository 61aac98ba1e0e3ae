/*
 * pingpong: two workers pass a turn back and forth --rounds times, each
 * blocked until the other hands it over: the cost of one wake-up, twice
 * per round trip.  Workers 2k and 2k+1 form pair k; pairs run side by
 * side and never touch each other.  An odd worker count is refused: a
 * worker without a partner has no one to play with, and folding it into a
 * triple would measure something else.
 *
 * --via event: each side owns a tvp_event (threading.Event) in the shared
 * region; a side waits on its own event, clears it, takes its turn, and
 * sets its partner's.  Clearing after the wait cannot lose a wake-up: the
 * partner sets our event again only after we set its event, which is
 * after our clear.  And a set that comes before we wait is not lost
 * either: the event stays set until we clear it.
 * --via pipe: the same with one byte over a pipe each way, made in setup
 * and inherited by fork (threads share the descriptors).
 * --via mpi (bin/tvp-mpi, the default there): the turn number itself is
 * the message, MPI_Send to the partner rank, MPI_Recv from it (the
 * classic MPI latency benchmark).  Ranks share no memory, so each keeps
 * its own copy of its pair's bookkeeping, and at the end every rank sends
 * its side's to worker 0, which verifies them all.
 *
 * Each pair's turn counter checks the alternation: side 0 expects it even,
 * side 1 odd, and each adds 1 at its turn.
 */
#define _GNU_SOURCE /* pipe2 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/clock.h"
#include "sync/sync.h"
#include "workload.h"
#include "workload_api.h"

struct pp_side {
	alignas(TVP_CACHE_LINE) struct tvp_event ev;  /* "your turn", set by the other */
	uint64_t done;           /* turns this side took */
	uint64_t t0, t1;         /* side 0: first turn, last turn back */
};

/* One pair, in the shared region. */
struct pp_pair {
	alignas(TVP_CACHE_LINE) _Atomic uint64_t turn; /* turns taken by both sides */
	_Atomic int broken;      /* a side failed: its partner must stop */
	struct pp_side side[2];
};

/* What a rank sends worker 0 at the end (--via mpi). */
struct pp_summary {
	uint64_t turn, done, t0, t1;
};

struct pp_state {
	bool pipe;
	bool mpi;
	uint64_t rounds;
	unsigned npairs;
	unsigned nevents;        /* events initialised, for teardown */
	struct pp_pair *pairs;   /* shared */
	int (*fds)[2][2];        /* per pair: [to side s][read end, write end] */
	unsigned nfds;           /* pipes made, for teardown */
};

static const struct tvp_optdef pingpong_opts[] = {
	{ "rounds", TVP_OPT_NUM, "10000", 1, 1000000000, NULL,
	    "round trips per pair" },
	{ "via", TVP_OPT_CHOICE, "event", 0, 0, "event|pipe|mpi",
	    "event: two tvp_events (mutex + condition variable); pipe: a "
	    "byte over two pipes; mpi: MPI_Send/MPI_Recv between ranks "
	    "(bin/tvp-mpi only, and its default)" },
	{ NULL, 0, NULL, 0, 0, NULL, NULL },
};

static int
pingpong_setup(struct tvp_run *run)
{
	struct pp_state *st = tvp_state(run);
	int rc;

	if (tvp_workers(run) % 2 != 0) {
		warnx("pingpong: needs an even number of workers (it runs "
		    "them in pairs), not %u", tvp_workers(run));
		return TVP_EXIT_USAGE;
	}
	st->pipe = strcmp(tvp_opt_str(run, "via"), "pipe") == 0;
	st->mpi = strcmp(tvp_opt_str(run, "via"), "mpi") == 0;
	if (st->mpi != tvp_has_messages(run)) {
		warnx(st->mpi ? "pingpong: --via mpi needs MPI ranks "
		    "(mpirun -np N bin/tvp-mpi pingpong)" : "pingpong: --via "
		    "%s needs memory the workers share; MPI ranks pass the "
		    "turn with --via mpi", tvp_opt_str(run, "via"));
		return TVP_EXIT_USAGE;
	}
	st->rounds = (uint64_t)tvp_opt_num(run, "rounds");
	st->npairs = tvp_workers(run) / 2;
	if ((st->pairs = tvp_shared(run, st->npairs *
	    sizeof(*st->pairs))) == NULL)
		return TVP_EXIT_FAIL;
	if (st->mpi)
		return 0;
	if (!st->pipe) {
		for (; st->nevents < 2 * st->npairs; st->nevents++) {
			struct pp_pair *p = &st->pairs[st->nevents / 2];

			if ((rc = tvp_event_init(&p->side[st->nevents % 2].ev,
			    tvp_mode_is_processes())) != 0) {
				warnc(rc, "pingpong: cannot initialise event "
				    "%u", st->nevents);
				return TVP_EXIT_FAIL;
			}
		}
		return 0;
	}
	/* Two pipes per pair, made here, open in every worker. */
	if (tvp_need_fds(run, 4 * (size_t)st->npairs, 0, 0) != 0)
		return TVP_EXIT_USAGE;
	if ((st->fds = calloc(st->npairs, sizeof(*st->fds))) == NULL)
		err(TVP_EXIT_FAIL, "calloc");
	for (; st->nfds < 2 * st->npairs; st->nfds++) {
		if (pipe2(st->fds[st->nfds / 2][st->nfds % 2],
		    O_CLOEXEC) == 0)
			continue;
		/* The whole system out of them (ENFILE), say. */
		warn("pingpong: pipe %u of %u", st->nfds + 1, 2 * st->npairs);
		return TVP_EXIT_FAIL;
	}
	return 0;
}

/* Hand the turn to side `to` of the pair. */
static int
pass(struct tvp_run *run, struct pp_state *st, unsigned pair, unsigned to)
{
	if (st->mpi) {
		uint64_t turn = atomic_load(&st->pairs[pair].turn);

		return tvp_send(run, 2 * pair + 1 - to, 2 * pair + to, &turn,
		    sizeof(turn));
	}
	if (!st->pipe) {
		tvp_event_set(&st->pairs[pair].side[to].ev);
		return 0;
	}
	for (;;) {
		ssize_t n = write(st->fds[pair][to][1], "t", 1);

		if (n == 1)
			return 0;
		if (n < 0 && errno != EINTR)
			return -1;
	}
}

/* Block until the turn is handed to side `me`. */
static int
receive(struct tvp_run *run, struct pp_state *st, unsigned pair, unsigned me)
{
	char c;

	if (st->mpi) {
		uint64_t turn;

		if (tvp_recv(run, 2 * pair + me, 2 * pair + 1 - me, &turn,
		    sizeof(turn)) != 0)
			return -1;
		atomic_store(&st->pairs[pair].turn, turn);
		return 0;
	}
	if (!st->pipe) {
		struct tvp_event *ev = &st->pairs[pair].side[me].ev;

		tvp_event_wait(ev);
		tvp_event_clear(ev);
		return 0;
	}
	for (;;) {
		ssize_t n = read(st->fds[pair][me][0], &c, 1);

		if (n == 1)
			return 0;
		if (n == 0 || errno != EINTR)
			return -1;
	}
}

/*
 * A side failed: tell its partner, which may be blocked waiting for a
 * turn that will never come.  (A thread that returns early does not end
 * the process, so without this its partner would wait for good.)
 */
static int
fail(struct tvp_run *run, unsigned worker, const char *why)
{
	struct pp_state *st = tvp_state(run);
	unsigned pair = worker / 2, me = worker % 2;

	atomic_store(&st->pairs[pair].broken, 1);
	(void)pass(run, st, pair, 1 - me);
	return tvp_worker_error(run, worker, "pingpong pair %u: %s", pair,
	    why);
}

/* Take turn number `want`, which must be ours. */
static int
take_turn(struct tvp_run *run, unsigned worker, uint64_t want)
{
	struct pp_state *st = tvp_state(run);
	struct pp_pair *p = &st->pairs[worker / 2];
	uint64_t turn;

	if (atomic_load(&p->broken))
		return tvp_worker_error(run, worker, "pingpong pair %u: the "
		    "partner failed", worker / 2);
	turn = atomic_load_explicit(&p->turn, memory_order_acquire);
	if (turn != want) {
		char why[96];

		snprintf(why, sizeof(why), "turn %llu where %llu was due",
		    (unsigned long long)turn, (unsigned long long)want);
		return fail(run, worker, why);
	}
	atomic_store_explicit(&p->turn, turn + 1, memory_order_release);
	p->side[worker % 2].done++;
	return 0;
}

/*
 * --via mpi: worker 0 verifies, and holds only its own copy of the
 * bookkeeping; every other rank sends it its side's.
 */
static int
gather_sides(struct tvp_run *run, unsigned worker)
{
	struct pp_state *st = tvp_state(run);

	if (worker != 0) {
		struct pp_pair *p = &st->pairs[worker / 2];
		struct pp_side *s = &p->side[worker % 2];
		struct pp_summary sum = { atomic_load(&p->turn), s->done,
		    s->t0, s->t1 };

		return tvp_send(run, worker, 0, &sum, sizeof(sum));
	}
	for (unsigned w = 1; w < tvp_workers(run); w++) {
		struct pp_pair *p = &st->pairs[w / 2];
		struct pp_side *s = &p->side[w % 2];
		struct pp_summary sum;

		if (tvp_recv(run, 0, w, &sum, sizeof(sum)) != 0)
			return -1;
		/* Side 0 received the last turn: its count is the pair's. */
		if (w % 2 == 0)
			atomic_store(&p->turn, sum.turn);
		s->done = sum.done;
		s->t0 = sum.t0;
		s->t1 = sum.t1;
	}
	return 0;
}

static int
pingpong_work(struct tvp_run *run, unsigned worker)
{
	struct pp_state *st = tvp_state(run);
	unsigned pair = worker / 2, me = worker % 2;
	struct pp_side *side = &st->pairs[pair].side[me];

	side->t0 = tvp_now_ns();
	for (uint64_t r = 0; r < st->rounds; r++) {
		/*
		 * Halfway, between turns.  A worker that dies here leaves
		 * its partner waiting: as processes the runner then stops
		 * the others, as threads the fault ends the process, and a
		 * hang is what --timeout is for.
		 */
		if (r == st->rounds / 2)
			tvp_fault_point(run, worker);
		/* Side 0 serves first; side 1 answers. */
		if (me == 1 && receive(run, st, pair, me) != 0)
			return fail(run, worker, "cannot receive the turn");
		if (take_turn(run, worker, 2 * r + me) != 0)
			return -1;
		if (pass(run, st, pair, 1 - me) != 0)
			return fail(run, worker, "cannot pass the turn");
		if (me == 0 && receive(run, st, pair, me) != 0)
			return fail(run, worker, "cannot receive the turn");
	}
	if (atomic_load(&st->pairs[pair].broken))
		return tvp_worker_error(run, worker, "pingpong pair %u: the "
		    "partner failed", pair);
	side->t1 = tvp_now_ns();
	tvp_worker_count(run, worker, st->rounds, 0);
	return st->mpi ? gather_sides(run, worker) : 0;
}

static int
pingpong_finish(struct tvp_run *run)
{
	struct pp_state *st = tvp_state(run);
	unsigned long long turns = 0;

	for (unsigned k = 0; k < st->npairs; k++)
		turns += atomic_load(&st->pairs[k].turn);
	tvp_result(run, "pairs=%u rounds=%llu "
	    "turns=%llu", st->npairs, (unsigned long long)st->rounds, turns);
	return 0;
}

static enum tvp_verdict
pingpong_verify(struct tvp_run *run)
{
	struct pp_state *st = tvp_state(run);
	double us = 0;

	for (unsigned k = 0; k < st->npairs; k++) {
		struct pp_pair *p = &st->pairs[k];
		uint64_t turn = atomic_load(&p->turn);

		if (turn != 2 * st->rounds || p->side[0].done != st->rounds ||
		    p->side[1].done != st->rounds) {
			tvp_note(run, "pair %u: %llu turns (sides %llu and "
			    "%llu), not %llu", k, (unsigned long long)turn,
			    (unsigned long long)p->side[0].done,
			    (unsigned long long)p->side[1].done,
			    2 * (unsigned long long)st->rounds);
			return TVP_VERDICT_FAILED;
		}
		/* Side 0 served first and received last: whole trips. */
		us += (double)(p->side[0].t1 - p->side[0].t0) / 1e3;
	}
	tvp_metric(run, "us_per_round_trip", "us",
	    us / st->npairs / (double)st->rounds, TVP_LOWER_IS_BETTER);
	tvp_note(run, "us_per_round_trip: via %s, mean over %u pair%s",
	    st->mpi ? "mpi" : st->pipe ? "pipe" : "event", st->npairs,
	    st->npairs == 1 ? "" : "s");
	return TVP_VERDICT_VERIFIED;
}

static void
pingpong_teardown(struct tvp_run *run)
{
	struct pp_state *st = tvp_state(run);

	for (unsigned i = 0; i < st->nevents; i++)
		tvp_event_destroy(&st->pairs[i / 2].side[i % 2].ev);
	for (unsigned i = 0; i < st->nfds; i++) {
		close(st->fds[i / 2][i % 2][0]);
		close(st->fds[i / 2][i % 2][1]);
	}
	free(st->fds);
}

const struct tvp_workload tvp_wl_pingpong = {
	.name = "pingpong",
	.kind = "sync",
	.summary = "pairs of workers pass a turn back and forth (events, "
	    "pipes or MPI messages)",
	.opts = pingpong_opts,
	.quick = "--rounds 2000",
	.state_size = sizeof(struct pp_state),
	.setup = pingpong_setup,
	.work = pingpong_work,
	.finish = pingpong_finish,
	.verify = pingpong_verify,
	.teardown = pingpong_teardown,
};
