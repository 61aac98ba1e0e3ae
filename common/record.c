#define _GNU_SOURCE /* sched_getaffinity, CPU_ISSET */
#include <sys/utsname.h>

#include <gnu/libc-version.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "record.h"

void
tvp_env_collect(struct tvp_env *env)
{
	struct utsname u;
	cpu_set_t set;
	char line[256];
	FILE *fp;

	memset(env, 0, sizeof(*env));
	strlcpy(env->cpu_model, "unknown", sizeof(env->cpu_model));
	if ((fp = fopen("/proc/cpuinfo", "r")) != NULL) {
		while (fgets(line, sizeof(line), fp) != NULL) {
			char *colon = strchr(line, ':');

			if (strncmp(line, "model name", 10) != 0 ||
			    colon == NULL)
				continue;
			colon += 1 + strspn(colon + 1, " \t");
			colon[strcspn(colon, "\n")] = '\0';
			strlcpy(env->cpu_model, colon,
			    sizeof(env->cpu_model));
			break;
		}
		fclose(fp);
	}
	env->online_cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (uname(&u) == 0)
		strlcpy(env->kernel, u.release, sizeof(env->kernel));
	snprintf(env->libc, sizeof(env->libc), "glibc %s",
	    gnu_get_libc_version());
	/* As ranges, "0-1,4": the form taskset and /sys use. */
	if (sched_getaffinity(0, sizeof(set), &set) == 0) {
		size_t used = 0;

		for (int c = 0; c < CPU_SETSIZE; c++) {
			int last = c;

			if (!CPU_ISSET(c, &set))
				continue;
			while (last + 1 < CPU_SETSIZE && CPU_ISSET(last + 1, &set))
				last++;
			used += (size_t)snprintf(env->affinity + used,
			    sizeof(env->affinity) - used,
			    last > c ? "%s%d-%d" : "%s%d", used ? "," : "", c,
			    last);
			if (used >= sizeof(env->affinity))
				break;
			c = last;
		}
	}
}

/* A CSV field, quoted when it holds a comma, quote or newline (RFC 4180). */
static void
csv_field(FILE *fp, const char *s, bool last)
{
	if (strpbrk(s, ",\"\n") == NULL) {
		fputs(s, fp);
	} else {
		putc('"', fp);
		for (; *s; s++) {
			if (*s == '"')
				putc('"', fp);
			putc(*s, fp);
		}
		putc('"', fp);
	}
	putc(last ? '\n' : ',', fp);
}

static void
json_string(FILE *fp, const char *key, const char *s, bool last)
{
	fprintf(fp, "  \"%s\": \"", key);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(fp, "\\%c", c);
		else if (c < 0x20)
			fprintf(fp, "\\u%04x", c);
		else
			putc(c, fp);
	}
	fprintf(fp, "\"%s\n", last ? "" : ",");
}

static const char csv_header[] =
    "mode,workload,workers,wall_s,start_s,work_s,reap_s,user_s,sys_s,"
    "minflt,majflt,nvcsw,nivcsw,maxrss_kb,items,bytes,result,verified,"
    "rss_sum_kb,options,note,died,redone,recover_s,cpu_model,online_cpus,"
    "kernel,libc,affinity\n";

void
tvp_record_print(FILE *fp, const struct tvp_record *r, enum tvp_format fmt)
{
	const struct tvp_env *e = &r->env;
	/* "race": not verified, on purpose (counter --sync none). */
	const char *verified = r->verified ? "yes" : r->race ? "race" : "no";

	switch (fmt) {
	case TVP_FMT_CSV:
		fputs(csv_header, fp);
		fprintf(fp, "%s,%s,%u,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,"
		    "%ld,%ld,%ld,%ld,%ld,%llu,%llu,", r->mode, r->workload,
		    r->workers, r->wall_s, r->start_s, r->work_s, r->reap_s,
		    r->user_s, r->sys_s, r->minflt, r->majflt, r->nvcsw,
		    r->nivcsw, r->maxrss_kb, (unsigned long long)r->items,
		    (unsigned long long)r->bytes);
		csv_field(fp, r->result, false);
		fprintf(fp, "%s,%ld,", verified, r->rss_sum_kb);
		csv_field(fp, r->options, false);
		csv_field(fp, r->note, false);
		fprintf(fp, "%u,%llu,%.6f,", r->died,
		    (unsigned long long)r->redone, r->recover_s);
		csv_field(fp, e->cpu_model, false);
		fprintf(fp, "%ld,", e->online_cpus);
		csv_field(fp, e->kernel, false);
		csv_field(fp, e->libc, false);
		csv_field(fp, e->affinity, true);
		break;
	case TVP_FMT_JSON:
		fputs("{\n", fp);
		json_string(fp, "mode", r->mode, false);
		json_string(fp, "workload", r->workload, false);
		json_string(fp, "options", r->options, false);
		fprintf(fp, "  \"workers\": %u,\n  \"wall_s\": %.6f,\n"
		    "  \"start_s\": %.6f,\n  \"work_s\": %.6f,\n"
		    "  \"reap_s\": %.6f,\n  \"user_s\": %.6f,\n"
		    "  \"sys_s\": %.6f,\n  \"minflt\": %ld,\n"
		    "  \"majflt\": %ld,\n  \"nvcsw\": %ld,\n  \"nivcsw\": %ld,\n"
		    "  \"maxrss_kb\": %ld,\n  \"rss_sum_kb\": %ld,\n"
		    "  \"items\": %llu,\n  \"bytes\": %llu,\n", r->workers,
		    r->wall_s, r->start_s, r->work_s, r->reap_s, r->user_s,
		    r->sys_s, r->minflt, r->majflt, r->nvcsw, r->nivcsw,
		    r->maxrss_kb, r->rss_sum_kb, (unsigned long long)r->items,
		    (unsigned long long)r->bytes);
		json_string(fp, "result", r->result, false);
		fprintf(fp, "  \"verified\": %s,\n  \"race\": %s,\n",
		    r->verified ? "true" : "false", r->race ? "true" : "false");
		json_string(fp, "note", r->note, false);
		fprintf(fp, "  \"died\": %u,\n  \"redone\": %llu,\n"
		    "  \"recover_s\": %.6f,\n", r->died,
		    (unsigned long long)r->redone, r->recover_s);
		fputs("  \"env\": {\n  ", fp);
		json_string(fp, "cpu_model", e->cpu_model, false);
		fprintf(fp, "    \"online_cpus\": %ld,\n  ", e->online_cpus);
		json_string(fp, "kernel", e->kernel, false);
		fputs("  ", fp);
		json_string(fp, "libc", e->libc, false);
		fputs("  ", fp);
		json_string(fp, "affinity", e->affinity, true);
		fputs("  }\n}\n", fp);
		break;
	case TVP_FMT_TEXT:
		fprintf(fp,
		    "mode        %s\nworkload    %s\noptions     %s\n"
		    "workers     %u\nwall        %.6f s  (start %.6f, work %.6f,"
		    " reap %.6f)\ncpu         user %.6f s, sys %.6f s\n"
		    "faults      minor %ld, major %ld\n"
		    "switches    voluntary %ld, involuntary %ld\n"
		    "memory      peak rss %ld KiB (largest process), %ld KiB "
		    "summed over processes\nprocessed   %llu items, %llu bytes\n"
		    "result      %s\nverified    %s\n", r->mode, r->workload,
		    r->options, r->workers, r->wall_s, r->start_s, r->work_s,
		    r->reap_s, r->user_s, r->sys_s, r->minflt, r->majflt,
		    r->nvcsw, r->nivcsw, r->maxrss_kb, r->rss_sum_kb,
		    (unsigned long long)r->items, (unsigned long long)r->bytes,
		    r->result, verified);
		if (r->note[0])
			fprintf(fp, "note        %s\n", r->note);
		if (r->died > 0)
			fprintf(fp, "faults      %u worker(s) died, %llu item(s) "
			    "redone, recovery %.6f s\n", r->died,
			    (unsigned long long)r->redone, r->recover_s);
		fprintf(fp, "machine     %s, %ld online cpus, affinity %s, "
		    "linux %s, %s\n", e->cpu_model, e->online_cpus, e->affinity,
		    e->kernel, e->libc);
		break;
	}
}
