/*
 * memory: what separate address spaces cost.  The input, --size bytes of
 * synthetic data, is written by the parent before any worker exists, in
 * ordinary (malloc'd) memory, as a program's data is.  Threads share it;
 * fork gives each child the same pages copy-on-write: shared until
 * written, then copied, one page at a time, into the writer's own memory.
 *
 * The input is cut into records of TVP_CACHE_LINE bytes, and each worker
 * takes its share of them: with --layout interleaved, records w, w + N,
 * w + 2N, ... (every page holds records of every worker); with
 * contiguous, one run of records each.  With --access read a worker
 * hashes its records; with write it first inverts every byte of each of
 * its records in place, then hashes it.  The result is the sum of the
 * records' XXH3-64 (seeded with the record's number), which does not
 * care who did what: the same in both modes and for any worker count.
 *
 * What it costs, in the record's pss_kb (and pte_kb), and in this
 * workload's headline, input_copies (pages copied on write / input):
 *   read                     processes = threads + page tables; 0 copies
 *   write, interleaved       threads 0 copies; processes N: each child
 *                            copies every page, as each page holds
 *                            records of all workers
 *   write, contiguous        threads 0; processes 1: each page is copied
 *                            once, by the child that writes it
 * Copy-on-write copies pages, not bytes: one byte written costs a page.
 */
#include <err.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#include "lib/gen.h"
#include "workload.h"
#include "workload_api.h"

#define RECORD TVP_CACHE_LINE

/* How many records the parent re-checks for the mode's prediction. */
#define PARENT_SAMPLE 8

/* Per worker, in the shared region: what it computed. */
struct memory_slot {
	alignas(TVP_CACHE_LINE) uint64_t sum;  /* of its records' hashes */
	uint64_t records;
};

struct memory_state {
	unsigned char *data;        /* the input: private memory */
	size_t size, records;
	uint64_t seed;
	bool write, interleaved;
	struct memory_slot *slot;   /* shared: one per worker */
};

static const struct tvp_optdef memory_opts[] = {
	{ "size", TVP_OPT_SIZE, "256M", RECORD, 1LL << 40, NULL,
	    "bytes of input, written by the parent before the workers start "
	    "(a multiple of 128)" },
	{ "access", TVP_OPT_CHOICE, "read", 0, 0, "read|write",
	    "read: each worker hashes its records; write: it inverts every "
	    "byte of each first (in place), then hashes it" },
	{ "layout", TVP_OPT_CHOICE, "interleaved", 0, 0,
	    "interleaved|contiguous",
	    "interleaved: worker w takes records w, w+N, ... (every page "
	    "holds records of every worker); contiguous: one run each" },
	{ "seed", TVP_OPT_NUM, "1", 0, 0x7fffffffffffffffLL, NULL,
	    "seed of the input's contents" },
	{ NULL, 0, NULL, 0, 0, NULL, NULL },
};

static int
memory_setup(struct tvp_run *run)
{
	struct memory_state *st = tvp_state(run);
	size_t n = tvp_workers(run), copies;

	st->size = (size_t)tvp_opt_num(run, "size");
	st->seed = (uint64_t)tvp_opt_num(run, "seed");
	st->write = strcmp(tvp_opt_str(run, "access"), "write") == 0;
	st->interleaved = strcmp(tvp_opt_str(run, "layout"),
	    "interleaved") == 0;
	if (st->size % RECORD != 0) {
		warnx("memory: --size %zu is not a multiple of %d (a record)",
		    st->size, RECORD);
		return TVP_EXIT_USAGE;
	}
	st->records = st->size / RECORD;
	/*
	 * Refuse before anything is allocated what the machine cannot
	 * hold: the input, and as processes writing, the children's copies
	 * of it on top (every page by every child, if interleaved).
	 */
	copies = !st->write || !tvp_mode_is_processes() ? 1 :
	    st->interleaved ? n + 1 : 2;
	if (st->size > SIZE_MAX / copies) {
		warnx("memory: --size %zu times %zu copies overflows",
		    st->size, copies);
		return TVP_EXIT_USAGE;
	}
	if (tvp_check_memory(copies > 1 ? "memory: --size, copied on "
	    "write by every child," : "memory: --size", st->size *
	    copies) != 0)
		return TVP_EXIT_USAGE;
	if ((st->data = malloc(st->size)) == NULL) {
		warn("memory: cannot allocate %zu bytes", st->size);
		return TVP_EXIT_FAIL;
	}
	for (size_t r = 0; r < st->records; r++)
		tvp_gen_block(st->seed, r, st->data + r * RECORD, RECORD);
	st->slot = tvp_shared(run, n * sizeof(*st->slot));
	return st->slot == NULL ? TVP_EXIT_FAIL : 0;
}

/* One record's part of the sum, after the access (write: in place). */
static uint64_t
access_record(unsigned char *rec, size_t r, bool write)
{
	if (write)
		for (size_t i = 0; i < RECORD; i++)
			rec[i] = (unsigned char)~rec[i];
	return XXH3_64bits_withSeed(rec, RECORD, r);
}

/* Worker w's records: first, step, and how many. */
static void
share(const struct memory_state *st, unsigned w, unsigned n, size_t *first,
    size_t *step, size_t *count)
{
	if (st->interleaved) {
		*first = w;
		*step = n;
		*count = st->records > w ? (st->records - w + n - 1) / n : 0;
	} else {
		*first = st->records * w / n;
		*step = 1;
		*count = st->records * (w + 1) / n - *first;
	}
}

static int
memory_work(struct tvp_run *run, unsigned worker)
{
	struct memory_state *st = tvp_state(run);
	struct memory_slot *slot = &st->slot[worker];
	size_t first, step, count;
	uint64_t sum = 0;

	share(st, worker, tvp_workers(run), &first, &step, &count);
	for (size_t k = 0; k < count; k++) {
		size_t r = first + k * step;

		if (k == count / 2)
			tvp_fault_point(run, worker);
		sum += access_record(st->data + r * RECORD, r, st->write);
	}
	slot->sum = sum;
	slot->records = count;
	tvp_worker_count(run, worker, count, (uint64_t)count * RECORD);
	return 0;
}

static uint64_t
total(const struct tvp_run *run, const struct memory_state *st)
{
	uint64_t sum = 0;

	for (unsigned w = 0; w < tvp_workers(run); w++)
		sum += st->slot[w].sum;
	return sum;
}

static int
memory_finish(struct tvp_run *run)
{
	struct memory_state *st = tvp_state(run);
	double span = (double)tvp_work_span_ns(run) / 1e9;
	double copied = (double)tvp_work_minflt(run) *
	    (double)sysconf(_SC_PAGESIZE);

	tvp_result(run, "records=%zu sum=%016llx", st->records,
	    (unsigned long long)total(run, st));
	tvp_metric(run, "input_copies", "copies", copied / (double)st->size,
	    TVP_LOWER_IS_BETTER);
	tvp_metric(run, "mib_faulted_in", "MiB", copied / (1 << 20),
	    TVP_LOWER_IS_BETTER);
	if (span > 0)
		tvp_metric(run, "gb_per_s", "GB/s", (double)st->size / span /
		    1e9, TVP_HIGHER_IS_BETTER);
	return 0;
}

/*
 * The reference: every record regenerated from the generator, not read
 * from the input, accessed and hashed serially.  Then the parent's own
 * copy, which each mode predicts: written by the threads, untouched by
 * the children, who wrote their own copies.
 */
static enum tvp_verdict
memory_verify(struct tvp_run *run)
{
	struct memory_state *st = tvp_state(run);
	bool processes = tvp_mode_is_processes();
	unsigned char rec[RECORD];
	uint64_t want = 0, records = 0;

	for (size_t r = 0; r < st->records; r++) {
		tvp_gen_block(st->seed, r, rec, RECORD);
		want += access_record(rec, r, st->write);
	}
	for (unsigned w = 0; w < tvp_workers(run); w++)
		records += st->slot[w].records;
	if (records != st->records || total(run, st) != want) {
		tvp_note(run, "workers summed %llu records to %016llx; the "
		    "reference is %zu records, %016llx",
		    (unsigned long long)records,
		    (unsigned long long)total(run, st), st->records,
		    (unsigned long long)want);
		return TVP_VERDICT_FAILED;
	}
	for (size_t k = 0; st->write && k < PARENT_SAMPLE; k++) {
		size_t r = tvp_sample_item(k, PARENT_SAMPLE, st->records);

		tvp_gen_block(st->seed, r, rec, RECORD);
		if (!processes)
			(void)access_record(rec, r, true);
		if (memcmp(rec, st->data + r * RECORD, RECORD) != 0) {
			tvp_note(run, "record %zu in the parent's memory is "
			    "not what %s predict", r, processes ?
			    "separate address spaces" : "shared memory");
			return TVP_VERDICT_FAILED;
		}
	}
	if (st->write)
		tvp_note(run, processes ? "the parent's input is untouched: "
		    "each child wrote its own copy of the pages" :
		    "the parent's input holds the workers' writes: one "
		    "address space");
	return TVP_VERDICT_VERIFIED;
}

static void
memory_teardown(struct tvp_run *run)
{
	struct memory_state *st = tvp_state(run);

	free(st->data);
}

const struct tvp_workload tvp_wl_memory = {
	.name = "memory",
	.kind = "memory",
	.summary = "each worker reads or writes its share of one input: "
	    "what copy-on-write costs",
	.opts = memory_opts,
	.quick = "--size 32M",
	.state_size = sizeof(struct memory_state),
	.setup = memory_setup,
	.work = memory_work,
	.finish = memory_finish,
	.verify = memory_verify,
	.teardown = memory_teardown,
};
