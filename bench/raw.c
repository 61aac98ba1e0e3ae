#include <sys/resource.h>

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "raw.h"

static struct rusage before[2];

uint64_t
raw_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

bool
raw_mode_is_processes(const char *word, const char *usage)
{
	if (strcmp(word, "threads") == 0)
		return false;
	if (strcmp(word, "processes") == 0)
		return true;
	warnx("mode is %s: threads or processes", word);
	fprintf(stderr, "usage: %s\n", usage);
	exit(2);
}

long long
raw_arg_num(const char *what, const char *word, long long min, long long max)
{
	char *end;
	long long v = strtoll(word, &end, 10);

	if (*word == '\0' || *end != '\0' || v < min || v > max)
		errx(2, "%s is %s: allowed %lld .. %lld", what, word, min, max);
	return v;
}

static double
tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

void
raw_begin(struct tvp_record *rec, bool processes, const char *workload,
    const char *options, unsigned workers)
{
	memset(rec, 0, sizeof(*rec));
	rec->mode = processes ? "raw-processes" : "raw-threads";
	rec->workload = workload;
	snprintf(rec->options, sizeof(rec->options), "%s", options);
	rec->workers = workers;
	getrusage(RUSAGE_SELF, &before[0]);
	getrusage(RUSAGE_CHILDREN, &before[1]);
}

int
raw_end(struct tvp_record *rec, uint64_t t0, uint64_t t1, bool ok)
{
	struct rusage after[2];

	getrusage(RUSAGE_SELF, &after[0]);
	getrusage(RUSAGE_CHILDREN, &after[1]);
	for (int i = 0; i < 2; i++) {
		rec->user_s += tv_s(after[i].ru_utime) - tv_s(before[i].ru_utime);
		rec->sys_s += tv_s(after[i].ru_stime) - tv_s(before[i].ru_stime);
		rec->minflt += after[i].ru_minflt - before[i].ru_minflt;
		rec->majflt += after[i].ru_majflt - before[i].ru_majflt;
		rec->nvcsw += after[i].ru_nvcsw - before[i].ru_nvcsw;
		rec->nivcsw += after[i].ru_nivcsw - before[i].ru_nivcsw;
	}
	rec->maxrss_kb = after[0].ru_maxrss > after[1].ru_maxrss ?
	    after[0].ru_maxrss : after[1].ru_maxrss;
	rec->rss_sum_kb = rec->maxrss_kb;
	rec->wall_s = (double)(t1 - t0) / 1e9;
	rec->verdict = ok ? TVP_VERDICT_VERIFIED : TVP_VERDICT_FAILED;
	tvp_env_collect(&rec->env);
	tvp_record_print(stdout, rec, TVP_FMT_CSV);
	if (!ok)
		warnx("%s: result did not verify%s%s", rec->workload,
		    rec->note[0] ? ": " : "", rec->note);
	return ok ? 0 : 1;
}

void
raw_metric(struct tvp_record *rec, const char *name, const char *unit,
    double value, bool higher_is_better)
{
	struct tvp_metric_value *m;

	if (rec->nmetrics == TVP_METRICS_MAX)
		return;
	m = &rec->metrics[rec->nmetrics++];
	snprintf(m->name, sizeof(m->name), "%s", name);
	snprintf(m->unit, sizeof(m->unit), "%s", unit);
	m->value = value;
	m->better = higher_is_better ? TVP_HIGHER_IS_BETTER :
	    TVP_LOWER_IS_BETTER;
}
