/*
 * The run a workload sees: its options, state, items, shared regions,
 * result, notes and metrics (workload_api.h), and how the framework sets
 * a run up and releases it (run.h).
 */
#include <sys/resource.h>

#include <dirent.h>
#include <err.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/run.h"
#include "core/runner.h"
#include "lib/room.h"

/* Split a workload's quick-run string into words and parse them. */
static int
apply_quick(const struct tvp_workload *wl, struct tvp_optval *vals)
{
	char *copy, *words[32], *p, *last;
	int n = 0, rc;

	if (wl->quick == NULL || *wl->quick == '\0')
		return 0;
	if ((copy = strdup(wl->quick)) == NULL)
		err(TVP_EXIT_FAIL, "strdup");
	for (p = strtok_r(copy, " ", &last); p != NULL && n < 32;
	    p = strtok_r(NULL, " ", &last))
		words[n++] = p;
	rc = tvp_opts_parse(wl->name, wl->opts, vals, n, words);
	free(copy);
	/* Quick sizes are not what the user typed. */
	for (size_t i = 0, k = tvp_opts_count(wl->opts); i < k; i++)
		vals[i].given = false;
	return rc;
}

/*
 * Copy the option values that are strings into one block the run owns,
 * so that the run outlives the words it was built from.
 */
static void
own_strings(struct tvp_run *run, size_t n)
{
	size_t total = 0, used = 0;

	for (size_t i = 0; i < n; i++)
		if (run->opts[i].str != NULL)
			total += strlen(run->opts[i].str) + 1;
	if ((run->strings = malloc(total ? total : 1)) == NULL)
		err(TVP_EXIT_FAIL, "malloc");
	for (size_t i = 0; i < n; i++) {
		size_t len;

		if (run->opts[i].str == NULL)
			continue;
		len = strlen(run->opts[i].str) + 1;
		memcpy(run->strings + used, run->opts[i].str, len);
		run->opts[i].str = run->strings + used;
		used += len;
	}
}

int
tvp_run_init(struct tvp_run *run, const struct tvp_workload *wl, bool quick,
    int argc, char **argv)
{
	size_t n = tvp_opts_count(wl->opts);

	run->wl = wl;
	run->strings = NULL;
	if ((run->opts = calloc(n + 1, sizeof(*run->opts))) == NULL)
		err(TVP_EXIT_FAIL, "calloc");
	if (tvp_opts_defaults(wl->opts, run->opts) != 0 ||
	    (quick && apply_quick(wl, run->opts) != 0) ||
	    tvp_opts_parse(wl->name, wl->opts, run->opts, argc, argv) != 0) {
		tvp_run_free(run);
		return TVP_EXIT_USAGE;
	}
	own_strings(run, n);
	return 0;
}

void
tvp_run_free(struct tvp_run *run)
{
	free(run->opts);
	free(run->strings);
	run->opts = NULL;
	run->strings = NULL;
}

void
tvp_run_release(struct tvp_run *run)
{
	for (size_t i = 0; i < run->nregions; i++)
		tvp_shared_unmap(run->regions[i].p, run->regions[i].size);
	free(run->regions);
	run->regions = NULL;
	run->nregions = 0;
	run->item_results = NULL;
	free(run->state);
	run->state = NULL;
}

const char *
tvp_workload_defect(const struct tvp_workload *wl)
{
	if (wl->name == NULL || wl->kind == NULL || wl->summary == NULL)
		return "a name, a kind and a summary are required";
	if ((wl->item == NULL) == (wl->work == NULL))
		return "exactly one of item and work is required";
	/* The default verify recomputes items: a work body has none. */
	if (wl->work != NULL && wl->verify == NULL)
		return "a workload with its own work needs its own verify";
	return NULL;
}

/* ---- workload_api.h ------------------------------------------------------ */

void *
tvp_state(const struct tvp_run *run)
{
	return run->state;
}

unsigned
tvp_workers(const struct tvp_run *run)
{
	return run->nworkers;
}

int
tvp_set_items(struct tvp_run *run, size_t n, size_t result_size)
{
	if (result_size > TVP_ITEM_RESULT_MAX) {
		warnx("%s: an item result of %zu bytes, more than the %d the "
		    "item loop holds", run->wl->name, result_size,
		    TVP_ITEM_RESULT_MAX);
		return -1;
	}
	run->nitems = n;
	run->item_result_size = result_size;
	return 0;
}

size_t
tvp_items(const struct tvp_run *run)
{
	return run->nitems;
}

const void *
tvp_item_results(const struct tvp_run *run)
{
	return run->item_results;
}

static const struct tvp_optval *
find(const struct tvp_run *run, const char *name)
{
	for (size_t i = 0, n = tvp_opts_count(run->wl->opts); i < n; i++)
		if (strcmp(run->wl->opts[i].name, name) == 0)
			return &run->opts[i];
	errx(TVP_EXIT_FAIL, "internal error: workload %s has no option %s",
	    run->wl->name, name);
}

long long
tvp_opt_num(const struct tvp_run *run, const char *name)
{
	return find(run, name)->num;
}

const char *
tvp_opt_str(const struct tvp_run *run, const char *name)
{
	return find(run, name)->str;
}

bool
tvp_opt_given(const struct tvp_run *run, const char *name)
{
	return find(run, name)->given;
}

void *
tvp_shared(struct tvp_run *run, size_t size)
{
	struct tvp_region *r = reallocarray(run->regions, run->nregions + 1,
	    sizeof(*r));
	void *p;

	if (r == NULL) {
		warn("%s: cannot keep track of a shared region", run->wl->name);
		return NULL;
	}
	run->regions = r;
	if ((p = tvp_shared_map(size)) == NULL)
		return NULL;
	r[run->nregions++] = (struct tvp_region){ p, size };
	return p;
}

/*
 * The memory this machine has available (MemAvailable: free, and what
 * the kernel can reclaim without swapping) and its total, in bytes.
 * Without /proc, or on a kernel before MemAvailable (3.14), free pages
 * only.  false if neither is known.
 */
static bool
memory(uint64_t *avail, uint64_t *total)
{
	long pages = sysconf(_SC_PHYS_PAGES), free_pages =
	    sysconf(_SC_AVPHYS_PAGES), page = sysconf(_SC_PAGESIZE);
	unsigned long long kb;
	char line[128];
	bool found = false;
	FILE *fp;

	if (pages <= 0 || free_pages < 0 || page <= 0)
		return false;
	*total = (uint64_t)pages * (uint64_t)page;
	*avail = (uint64_t)free_pages * (uint64_t)page;
	if ((fp = fopen("/proc/meminfo", "r")) == NULL)
		return true;
	while (!found && fgets(line, sizeof(line), fp) != NULL)
		/* NOLINTNEXTLINE(cert-err34-c): a kernel-written number */
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1) {
			*avail = kb * 1024;
			found = true;
		}
	fclose(fp);
	return true;
}

int
tvp_check_memory(const char *what, size_t need)
{
	uint64_t avail, total, room;

	if (!memory(&avail, &total) || need <= (room = tvp_room(avail,
	    total)))
		return 0;
	warnx("%s needs %zu bytes (%.1f GiB), more than the %.1f GiB of "
	    "memory available (%.1f GiB, less a margin of %.1f GiB)", what,
	    need, (double)need / (1 << 30), (double)room / (1 << 30),
	    (double)avail / (1 << 30),
	    (double)tvp_room_margin(total) / (1 << 30));
	return -1;
}

/*
 * Descriptors the framework may hold during a run besides those already
 * open: the start gate's pipe, a shared memory object being mapped, a
 * file of /proc being read, the manifest, what a sanitizer opens.
 */
#define FDS_RESERVE 32

/* Descriptors open in this process now (those inherited included). */
static size_t
fds_open(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	size_t n = 0;

	if (d == NULL)
		return 3;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the directory's own */
}

int
tvp_need_fds(struct tvp_run *run, size_t in_setup, size_t per_worker,
    size_t busy)
{
	bool one_process = !tvp_mode_is_processes();
	size_t need = fds_open() + FDS_RESERVE + in_setup +
	    per_worker * (one_process ? busy : (busy > 0));
	unsigned long long soft;
	struct rlimit rl;
	char why[128];

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY ||
	    need <= rl.rlim_cur)
		return 0;
	soft = (unsigned long long)rl.rlim_cur;
	if (in_setup > 0)
		snprintf(why, sizeof(why), "%zu made in setup", in_setup);
	else
		snprintf(why, sizeof(why), "%zu per worker%s", per_worker,
		    one_process ? ", all in this one process" : "");
	if (rl.rlim_max != RLIM_INFINITY && need > rl.rlim_max) {
		warnx("%s: -j %u needs %zu file descriptors open at once (%s), "
		    "more than the hard limit of %llu (ulimit -Hn)",
		    run->wl->name, run->nworkers, need, why,
		    (unsigned long long)rl.rlim_max);
		return -1;
	}
	/* The hard limit allows it: raise the soft one, as far as needed. */
	rl.rlim_cur = need;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
		warn("%s: -j %u needs %zu file descriptors open at once (%s); "
		    "raising the limit of %llu (ulimit -n)", run->wl->name,
		    run->nworkers, need, why, soft);
		return -1;
	}
	return 0;
}

void
tvp_result(struct tvp_run *run, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(run->result, sizeof(run->result), fmt, ap);
	va_end(ap);
}

void
tvp_result_hex(struct tvp_run *run, const unsigned char *bytes, size_t len)
{
	if (2 * len + 1 > sizeof(run->result))
		len = (sizeof(run->result) - 1) / 2;
	tvp_hex(run->result, bytes, len);
}

const char *
tvp_result_text(const struct tvp_run *run)
{
	return run->result;
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
tvp_metric(struct tvp_run *run, const char *name, const char *unit,
    double value, enum tvp_better better)
{
	struct tvp_metric_value *m;

	/* A workload's own bug, not the user's: say so, keep the rest. */
	if (run->nmetrics == TVP_METRICS_MAX) {
		warnx("internal error: %s reports more than %d metrics; %s "
		    "dropped", run->wl->name, TVP_METRICS_MAX, name);
		return;
	}
	m = &run->metrics[run->nmetrics++];
	strlcpy(m->name, name, sizeof(m->name));
	strlcpy(m->unit, unit, sizeof(m->unit));
	m->value = value;
	m->better = better;
}

size_t
tvp_sample_item(size_t k, size_t samples, size_t n)
{
	return samples <= 1 ? 0 : k * (n - 1) / (samples - 1);
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

bool
tvp_has_messages(const struct tvp_run *run)
{
	return run->send != NULL && run->recv != NULL;
}

int
tvp_send(struct tvp_run *run, unsigned worker, unsigned to, const void *buf,
    size_t len)
{
	if (!tvp_has_messages(run))
		return tvp_worker_error(run, worker, "no messages between "
		    "%s workers", tvp_mode);
	if (run->send(run, to, buf, len) != 0)
		return tvp_worker_error(run, worker, "cannot send %zu bytes "
		    "to worker %u", len, to);
	return 0;
}

int
tvp_recv(struct tvp_run *run, unsigned worker, unsigned from, void *buf,
    size_t len)
{
	if (!tvp_has_messages(run))
		return tvp_worker_error(run, worker, "no messages between "
		    "%s workers", tvp_mode);
	if (run->recv(run, from, buf, len) != 0)
		return tvp_worker_error(run, worker, "cannot receive %zu "
		    "bytes from worker %u", len, from);
	return 0;
}
