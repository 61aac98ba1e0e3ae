/*
 * The MPI runner: workers are the ranks of an MPI job (mpirun -np N
 * bin/tvp-mpi), worker K is rank K, and rank 0 also merges, verifies and
 * prints.  Ranks share no memory: every rank runs the same setup on its
 * own copy of the inputs, and the framework's shared regions are private
 * to each rank.  What the other runners do through shared memory is done
 * here with MPI's own tools:
 *
 *   the claim counter   one uint64 in a window on rank 0, MPI_Fetch_and_op
 *                       under a passive-target MPI_Win_lock_all
 *   the start gate      MPI_Barrier
 *   item result slots   a window from MPI_Win_allocate_shared for the ranks
 *                       on rank 0's node (the "shared" path); any other
 *                       rank, or every rank with TVP_MPI_PATH=net, keeps
 *                       its results and rank 0 gathers them at the end, by
 *                       item, from the rank that computed each
 *   worker slots        (stamps, counts, errors) gathered to rank 0
 *   a dead rank         mpirun ends the job: no recovery is claimed
 *
 * Every window lives only inside tvp_runner_run.  Ranks other than 0 end
 * there, once they have handed everything to rank 0: they never run
 * finish, verify or teardown (rank 0 does), and their memory goes with
 * their process.
 */
#define _GNU_SOURCE /* sigabbrev_np */
#include <sys/resource.h>

#include <err.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mpi.h>

#include "core/footprint.h"
#include "core/runner.h"
#include "lib/clock.h"
#include "mpi/mpi_runner.h"

const char tvp_mode[] = "mpi";

/* The message tag of tvp_send/tvp_recv (pingpong's turns). */
#define TAG_MESSAGE 1

/* What this process knows of the job; set by tvp_mpi_begin. */
static struct {
	int rank, size;
	int saved_stderr;   /* ranks > 0: the real stderr, -1 once back */
	FILE *held_stderr;  /* ranks > 0: what they said before the start */
	bool voted;         /* took part in the start vote */
	bool footprint;     /* the memory snapshot is ours to take */
	MPI_Win counter;    /* the claim counter, on rank 0 */
} job = { .saved_stderr = -1, .counter = MPI_WIN_NULL };

/* ---- the life of a rank (mpi/main.c) ----------------------------------- */

void
tvp_mpi_begin(void)
{
	int null;

	MPI_Comm_rank(MPI_COMM_WORLD, &job.rank);
	MPI_Comm_size(MPI_COMM_WORLD, &job.size);
	/* A failing MPI call ends the job with MPI's message: no recovery. */
	MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_ARE_FATAL);
	if (job.rank == 0)
		return;
	/* Rank 0 prints the record; the others print nothing on stdout. */
	if ((null = open("/dev/null", O_WRONLY)) >= 0) {
		dup2(null, STDOUT_FILENO);
		close(null);
	}
	/* Held in an unlinked temporary file, shown only if they differ. */
	fflush(stderr);
	if ((job.held_stderr = tmpfile()) != NULL &&
	    (job.saved_stderr = dup(STDERR_FILENO)) >= 0)
		dup2(fileno(job.held_stderr), STDERR_FILENO);
}

/* Give a rank > 0 its stderr back, after replaying what it held if asked. */
static void
release_stderr(bool replay)
{
	char buf[4096];
	size_t n;

	if (job.saved_stderr < 0)
		return;
	fflush(stderr);
	if (replay && fseek(job.held_stderr, 0, SEEK_SET) == 0)
		while ((n = fread(buf, 1, sizeof(buf), job.held_stderr)) > 0)
			if (write(job.saved_stderr, buf, n) < 0)
				break;
	dup2(job.saved_stderr, STDERR_FILENO);
	close(job.saved_stderr);
	job.saved_stderr = -1;
	fclose(job.held_stderr);
	job.held_stderr = NULL;
}

/*
 * The start vote: every rank says how it arrived at the start (0: ready,
 * else the status it stopped with), and each learns every rank's.  A rank
 * that stopped earlier votes from tvp_mpi_end, so no one waits at the
 * barrier for it.  Returns rank 0's status if it stopped, else the first
 * other one's, else 0.
 */
static int
start_vote(int mine)
{
	int *all = calloc((size_t)job.size, sizeof(*all));
	int agreed = 0;

	/* A rank that ends without MPI_Finalize ends the job. */
	if (all == NULL)
		err(TVP_EXIT_FAIL, "rank %d: the start vote", job.rank);
	job.voted = true;
	MPI_Allgather(&mine, 1, MPI_INT, all, 1, MPI_INT, MPI_COMM_WORLD);
	for (int r = 0; r < job.size && agreed == 0; r++)
		agreed = all[r];
	/* Rank 0 said why it stopped; one that stopped alone says it here. */
	release_stderr(mine != 0 && mine != all[0]);
	if (job.rank == 0 && all[0] == 0)
		for (int r = 1; r < job.size; r++)
			if (all[r] != 0)
				warnx("rank %d stopped before the start with "
				    "status %d", r, all[r]);
	free(all);
	return agreed;
}

int
tvp_mpi_end(int status)
{
	/* 0 here: every rank answered --list or --help alike. */
	return job.voted ? status : start_vote(status);
}

/* ---- memory, mode, ending a worker -------------------------------------- */

/* A rank's own memory: ranks share nothing the framework could map. */
void *
tvp_shared_map(size_t size)
{
	return tvp_private_map(size);
}

void
tvp_shared_unmap(void *p, size_t size)
{
	tvp_private_unmap(p, size);
}

/* Ranks are separate processes: private memory is private. */
bool
tvp_mode_is_processes(void)
{
	return true;
}

/* A rank that ends without MPI_Finalize makes mpirun end the job. */
void
tvp_worker_exit(unsigned worker, int status)
{
	/* A rank is its worker: worker == job.rank. */
	warnx("rank %u (pid %ld) exits with status %d, without "
	    "MPI_Finalize: mpirun ends the job", worker, (long)getpid(),
	    status);
	_exit(status);
}

/* ---- the hooks (core/run.h) --------------------------------------------- */

static uint64_t
mpi_claim(struct tvp_run *run)
{
	const uint64_t one = 1;
	uint64_t item;

	(void)run;
	MPI_Fetch_and_op(&one, &item, MPI_UINT64_T, 0, 0, MPI_SUM,
	    job.counter);
	MPI_Win_flush(0, job.counter);
	return item;
}

static int
mpi_send(struct tvp_run *run, unsigned to, const void *buf, size_t len)
{
	(void)run;
	return MPI_Send(buf, (int)len, MPI_BYTE, (int)to, TAG_MESSAGE,
	    MPI_COMM_WORLD) == MPI_SUCCESS ? 0 : -1;
}

static int
mpi_recv(struct tvp_run *run, unsigned from, void *buf, size_t len)
{
	(void)run;
	return MPI_Recv(buf, (int)len, MPI_BYTE, (int)from, TAG_MESSAGE,
	    MPI_COMM_WORLD, MPI_STATUS_IGNORE) == MPI_SUCCESS ? 0 : -1;
}

/*
 * Workloads with a worker body of their own that can run as ranks: the
 * option that makes them pass messages, and its value, which is their
 * default here (the record's options then say what ran).
 */
static const struct {
	const char *workload, *option, *value;
} message_workloads[] = {
	{ "pingpong", "via", "mpi" },
};

#define NMESSAGE_WORKLOADS \
	(sizeof(message_workloads) / sizeof(message_workloads[0]))

/* Which of message_workloads wl is, or NMESSAGE_WORKLOADS. */
static size_t
message_workload(const struct tvp_workload *wl)
{
	size_t i;

	for (i = 0; i < NMESSAGE_WORKLOADS; i++)
		if (strcmp(wl->name, message_workloads[i].workload) == 0)
			break;
	return i;
}

bool
tvp_mpi_runs(const struct tvp_workload *wl)
{
	return wl->item != NULL || message_workload(wl) < NMESSAGE_WORKLOADS;
}

/* Can the run's workload run as ranks?  Then select its messages. */
static bool
runs_as_ranks(struct tvp_run *run)
{
	const struct tvp_workload *wl = run->wl;
	size_t i = message_workload(wl);

	if (!tvp_mpi_runs(wl))
		return false;
	for (size_t o = 0; i < NMESSAGE_WORKLOADS && wl->opts != NULL &&
	    wl->opts[o].name != NULL; o++)
		if (strcmp(wl->opts[o].name, message_workloads[i].option) == 0 &&
		    !run->opts[o].given)
			run->opts[o].str = message_workloads[i].value;
	return true;
}

/* The path of the item results: TVP_MPI_PATH, shared (default) or net. */
static int
forced_net(bool *net)
{
	const char *path = getenv("TVP_MPI_PATH");

	*net = false;
	if (path == NULL || *path == '\0' || strcmp(path, "shared") == 0)
		return 0;
	if (strcmp(path, "net") == 0) {
		*net = true;
		return 0;
	}
	warnx("TVP_MPI_PATH is '%s', allowed: shared|net", path);
	return -1;
}

/* How many nodes the ranks are on: one leader per shared-memory node. */
static unsigned
count_nodes(MPI_Comm node)
{
	int nrank, leader, nodes;

	MPI_Comm_rank(node, &nrank);
	leader = nrank == 0;
	MPI_Allreduce(&leader, &nodes, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
	return (unsigned)nodes;
}

int
tvp_runner_prepare(struct tvp_run *run)
{
	char version[MPI_MAX_LIBRARY_VERSION_STRING];
	MPI_Comm node;
	bool net;
	int len;

	if (!runs_as_ranks(run)) {
		warnx("%s: not available as MPI ranks: its workers share "
		    "memory (bin/tvp-mpi runs items workloads such as hash and "
		    "fileread, and pingpong)", run->wl->name);
		return TVP_EXIT_USAGE;
	}
	if (run->nworkers != 1 && run->nworkers != (unsigned)job.size) {
		warnx("-j %u does not match the %d rank(s) of mpirun -np: the "
		    "ranks are the workers (leave -j out)", run->nworkers,
		    job.size);
		return TVP_EXIT_USAGE;
	}
	if (run->fault.worker >= (unsigned)job.size) {
		warnx("--fault-worker %u is not a rank of this job, allowed: "
		    "0 .. %d", run->fault.worker, job.size - 1);
		return TVP_EXIT_USAGE;
	}
	if (run->fault.recover) {
		warnx("--recover: MPI cannot replace a dead rank in a running "
		    "job; mpirun ends the job");
		return TVP_EXIT_USAGE;
	}
	if (run->timeout_s > 0) {
		warnx("--timeout: a rank cannot stop the others' MPI calls; "
		    "use mpirun's own --timeout S");
		return TVP_EXIT_USAGE;
	}
	if (forced_net(&net) != 0)
		return TVP_EXIT_USAGE;
	run->nworkers = (unsigned)job.size;
	/*
	 * The framework's memory snapshot meets the workers in the control
	 * block, which ranks do not share: this runner takes it instead
	 * (memory_snapshot), and gives the setting back to rank 0's record.
	 */
	job.footprint = !run->no_footprint;
	run->no_footprint = true;
	run->claim = mpi_claim;
	run->send = mpi_send;
	run->recv = mpi_recv;
	/* Only the first line: Open MPI adds its build details after it. */
	MPI_Get_library_version(version, &len);
	version[strcspn(version, ",\n")] = '\0';
	strlcpy(run->runner_library, version, sizeof(run->runner_library));
	MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, job.rank,
	    MPI_INFO_NULL, &node);
	run->nodes = count_nodes(node);
	MPI_Comm_free(&node);
	return 0;
}

/* ---- the run ------------------------------------------------------------ */

/* Where this rank's item results go during the run. */
struct slots {
	MPI_Comm node;          /* the ranks sharing this rank's node */
	MPI_Win win;            /* the shared result window, or NULL */
	unsigned char *shared;  /* its memory, as rank 0's node sees it */
	bool net;               /* this rank's results travel by gather */
	unsigned char *own;     /* run->item_results as setup made it */
};

/*
 * The shared path: one window on each node, its memory allocated by the
 * node's first rank; a rank on rank 0's node writes its results straight
 * into rank 0's memory.  Ranks of other nodes (or all, when forced) take
 * the net path.
 */
static void
slots_open(struct slots *s, struct tvp_run *run, bool force_net)
{
	size_t size = run->nitems * run->item_result_size;
	int nrank, root_node;
	MPI_Aint wsize;
	int disp;

	s->own = run->item_results;
	s->win = MPI_WIN_NULL;
	s->shared = NULL;
	MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, job.rank,
	    MPI_INFO_NULL, &s->node);
	MPI_Comm_rank(s->node, &nrank);
	/* Is rank 0 on this node?  It is the node's first rank if so. */
	root_node = job.rank == 0;
	MPI_Bcast(&root_node, 1, MPI_INT, 0, s->node);
	s->net = force_net || !root_node || size == 0;
	/* The same answer on every rank of a node: the call is collective. */
	if (s->net)
		return;
	MPI_Win_allocate_shared(nrank == 0 ? (MPI_Aint)size : 0, 1,
	    MPI_INFO_NULL, s->node, &s->shared, &s->win);
	MPI_Win_shared_query(s->win, 0, &wsize, &disp, &s->shared);
	if (nrank == 0)
		memset(s->shared, 0, size);
	MPI_Win_lock_all(MPI_MODE_NOCHECK, s->win);
	if (!s->net)
		run->item_results = s->shared;
}

/*
 * The net path: every rank that did not write into rank 0's window sends
 * rank 0 the items it finished, each as (item, result), and rank 0 puts
 * each result in its slot.
 */
static void
gather_by_item(struct tvp_run *run, const struct slots *s)
{
	size_t rsize = run->item_result_size, rec = sizeof(uint64_t) + rsize;
	size_t mine = 0, total = 0, at = 0;
	unsigned char *out = NULL, *in = NULL;
	int *counts = NULL, *displs = NULL, n;
	/* A local: the analyzer cannot know MPI calls leave `job` alone. */
	const bool root = job.rank == 0;

	if (rsize == 0)
		return;
	if (s->net)
		for (size_t i = 0; i < run->nitems; i++)
			mine += atomic_load(&run->ctl->done[i]) != 0;
	if (mine * rec > INT32_MAX)
		errx(TVP_EXIT_FAIL, "rank %d: %zu results are too many to "
		    "send at once", job.rank, mine);
	if ((out = malloc(mine * rec + 1)) == NULL)
		err(TVP_EXIT_FAIL, "rank %d: results to send", job.rank);
	for (size_t i = 0; s->net && i < run->nitems; i++) {
		uint64_t item = i;

		if (atomic_load(&run->ctl->done[i]) == 0)
			continue;
		memcpy(out + at, &item, sizeof(item));
		memcpy(out + at + sizeof(item), s->own + i * rsize, rsize);
		at += rec;
	}
	n = (int)at;
	if (root) {
		counts = calloc((size_t)job.size, sizeof(*counts));
		displs = calloc((size_t)job.size, sizeof(*displs));
		if (counts == NULL || displs == NULL)
			err(TVP_EXIT_FAIL, "rank 0: result counts");
	}
	MPI_Gather(&n, 1, MPI_INT, counts, 1, MPI_INT, 0, MPI_COMM_WORLD);
	if (root) {
		for (int r = 0; r < job.size; r++) {
			displs[r] = (int)total;
			total += (size_t)counts[r];
		}
		if (total > INT32_MAX || (in = malloc(total + 1)) == NULL)
			errx(TVP_EXIT_FAIL, "rank 0: cannot receive %zu bytes "
			    "of results", total);
	}
	MPI_Gatherv(out, n, MPI_BYTE, in, counts, displs, MPI_BYTE, 0,
	    MPI_COMM_WORLD);
	for (size_t off = 0; root && off < total; off += rec) {
		uint64_t item;

		memcpy(&item, in + off, sizeof(item));
		if (item < run->nitems)
			memcpy(s->own + item * rsize, in + off + sizeof(item),
			    rsize);
	}
	free(out);
	free(in);
	free(counts);
	free(displs);
}

/* Back to setup's result memory on rank 0, every window freed. */
static void
slots_close(struct slots *s, struct tvp_run *run)
{
	size_t size = run->nitems * run->item_result_size;

	if (s->win != MPI_WIN_NULL) {
		/* Every rank's stores before rank 0 reads (unified model). */
		MPI_Win_sync(s->win);
		MPI_Barrier(MPI_COMM_WORLD);
		MPI_Win_sync(s->win);
		if (job.rank == 0)
			memcpy(s->own, s->shared, size);
		MPI_Win_unlock_all(s->win);
		MPI_Win_free(&s->win);
	}
	run->item_results = s->own;
	gather_by_item(run, s);
	MPI_Comm_free(&s->node);
}

/*
 * Each rank's slot to rank 0, its stamps moved onto rank 0's clock: a
 * stamp is taken relative to the rank's own exit from the start barrier,
 * which every rank leaves at about the same moment, so ranks on other
 * hosts (other clocks) compare too.  The done flags likewise.
 */
static void
gather_slots(struct tvp_run *run, uint64_t gate)
{
	struct tvp_slot *me = &run->ctl->slot[job.rank];
	uint64_t root_gate = gate;
	uint64_t *stamps[] = { &me->t_arrive, &me->t_begin, &me->t_end };
	void *done;

	MPI_Bcast(&root_gate, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
	for (size_t i = 0; i < sizeof(stamps) / sizeof(stamps[0]); i++)
		if (*stamps[i] != 0)
			*stamps[i] = *stamps[i] - gate + root_gate;
	MPI_Gather(job.rank == 0 ? MPI_IN_PLACE : me, sizeof(*me), MPI_BYTE,
	    run->ctl->slot, sizeof(*me), MPI_BYTE, 0, MPI_COMM_WORLD);
	/* Every rank is past its work: the flags are plain bytes now. */
	done = (void *)(uintptr_t)run->ctl->done;
	if (run->ctl->nitems > 0)
		MPI_Reduce(job.rank == 0 ? MPI_IN_PLACE : done, done,
		    (int)run->ctl->nitems, MPI_UNSIGNED_CHAR, MPI_MAX, 0,
		    MPI_COMM_WORLD);
}

/*
 * footprint.h's snapshot, as the processes runner takes it: once every
 * rank has finished its work (a barrier), each samples its own memory
 * into its slot, which goes to rank 0 with the others.  Rank 0 is the
 * parent and worker 0 at once: its peak RSS is the record's own
 * (VmHWM, read at the end), so its slot carries none, and the parent's
 * part of the sums is empty.
 */
static void
memory_snapshot(struct tvp_run *run, struct tvp_slot *me)
{
	if (!job.footprint)
		return;
	MPI_Barrier(MPI_COMM_WORLD);
	(void)tvp_mem_sample(0, &me->mem);
	if (job.rank == 0) {
		me->mem.hwm_kb = 0;
		run->ctl->mem = (struct tvp_mem){ .taken = true };
	}
}

/* The claim counter: zero, in a window on rank 0, locked for the run. */
static void
counter_open(void)
{
	uint64_t *base;

	MPI_Win_allocate(job.rank == 0 ? sizeof(uint64_t) : 0,
	    sizeof(uint64_t), MPI_INFO_NULL, MPI_COMM_WORLD, &base,
	    &job.counter);
	if (job.rank == 0)
		*base = 0;
	MPI_Win_lock_all(MPI_MODE_NOCHECK, job.counter);
}

static void
counter_close(void)
{
	MPI_Win_unlock_all(job.counter);
	MPI_Win_free(&job.counter);
}

/*
 * A rank has nothing of its own to clean up after Ctrl-C (mpirun sends
 * SIGTERM, and Open MPI's daemon removes its shared memory), so the
 * signals the framework holds during a run take their default action.
 */
static void
signals_default(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

static double
tv_seconds(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/*
 * To rank 0: the usage of the other ranks during the run (rank 0's own
 * is measured by the framework).
 */
static void
usage_to_root(struct tvp_phases *ph, const struct rusage *before)
{
	struct rusage ru;
	double cpu[2] = { 0, 0 }, cpu_sum[2];
	long counts[4] = { 0 }, sums[4];

	getrusage(RUSAGE_SELF, &ru);
	if (job.rank != 0) {
		cpu[0] = tv_seconds(ru.ru_utime) - tv_seconds(before->ru_utime);
		cpu[1] = tv_seconds(ru.ru_stime) - tv_seconds(before->ru_stime);
		counts[0] = ru.ru_minflt - before->ru_minflt;
		counts[1] = ru.ru_majflt - before->ru_majflt;
		counts[2] = ru.ru_nvcsw - before->ru_nvcsw;
		counts[3] = ru.ru_nivcsw - before->ru_nivcsw;
	}
	MPI_Reduce(cpu, cpu_sum, 2, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
	MPI_Reduce(counts, sums, 4, MPI_LONG, MPI_SUM, 0, MPI_COMM_WORLD);
	if (job.rank != 0)
		return;
	ph->others_user_s = cpu_sum[0];
	ph->others_sys_s = cpu_sum[1];
	ph->others_minflt = sums[0];
	ph->others_majflt = sums[1];
	ph->others_nvcsw = sums[2];
	ph->others_nivcsw = sums[3];
}

int
tvp_runner_run(struct tvp_run *run, struct tvp_phases *ph)
{
	struct tvp_slot *me = &run->ctl->slot[job.rank];
	struct slots s = { .net = false };
	struct rusage before;
	bool force_net = false;
	uint64_t gate;
	int rc;

	getrusage(RUSAGE_SELF, &before);
	if ((rc = start_vote(0)) != 0)
		goto end;
	signals_default();
	(void)forced_net(&force_net);
	counter_open();
	slots_open(&s, run, force_net);
	ph->t0 = tvp_now_ns();
	MPI_Barrier(MPI_COMM_WORLD);
	gate = ph->t_gate = tvp_now_ns();
	tvp_gate_open(run->ctl);
	if ((rc = tvp_worker_main(run, (unsigned)job.rank)) != 0) {
		/* Its partners may wait for it for good: end the job. */
		warnx("rank %d (pid %ld) failed: %s", job.rank, (long)getpid(),
		    me->error[0] ? me->error : "no reason given");
		MPI_Abort(MPI_COMM_WORLD, TVP_EXIT_FAIL);
		_exit(TVP_EXIT_FAIL); /* MPI_Abort does not return */
	}
	counter_close();
	memory_snapshot(run, me);
	slots_close(&s, run);
	gather_slots(run, gate);
	run->no_footprint = !job.footprint;
	usage_to_root(ph, &before);
	ph->t_reaped = tvp_now_ns();
	if (job.rank == 0)
		tvp_note(run, "%d rank(s) on %u node(s); item results %s",
		    job.size, run->nodes, run->item_result_size == 0 ?
		    "none" : force_net ? "gathered by item (TVP_MPI_PATH=net)" :
		    run->nodes > 1 ? "shared on rank 0's node, gathered from "
		    "the others" : "in a shared window (MPI_Win_allocate_shared)");
end:
	if (job.rank == 0)
		return rc;
	/* Everything is with rank 0; this rank's part ends here. */
	fflush(NULL);
	MPI_Finalize();
	exit(rc);
}
