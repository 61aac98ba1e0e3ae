#define _GNU_SOURCE /* sched_getaffinity, CPU_ISSET */
#include <sys/utsname.h>

#include <gnu/libc-version.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/record.h"

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
#if defined(__clang__)
	snprintf(env->runtime, sizeof(env->runtime), "C (clang %s)",
	    __clang_version__);
#elif defined(__GNUC__)
	snprintf(env->runtime, sizeof(env->runtime), "C (gcc %d.%d.%d)",
	    __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__);
#else
	strlcpy(env->runtime, "C", sizeof(env->runtime));
#endif
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

/* ---- the field table ---------------------------------------------------- */

enum field_type {
	F_NAME,      /* const char * */
	F_TEXT,      /* char[] */
	F_UINT,      /* unsigned */
	F_LONG,      /* long */
	F_KB,        /* long, KiB; negative: not measured, empty (JSON null) */
	F_U64,       /* uint64_t */
	F_SECONDS,   /* double, printed with 6 decimals */
	F_VERIFIED,  /* the verdict as yes / no / race (the original column) */
	F_VERDICT,   /* the verdict as verified / failed / race */
};

struct field {
	const char *name;       /* CSV column and JSON key */
	size_t offset;          /* in struct tvp_record */
	enum field_type type;
	bool env;               /* JSON: inside the "env" object */
};

#define R(name, type) { #name, offsetof(struct tvp_record, name), type, false }
#define E(name, type) \
	{ #name, offsetof(struct tvp_record, env.name), type, true }

/*
 * Every field of the record, in CSV column order: the one list that
 * every format is printed from.  New fields go at the end (after the
 * environment); the metrics follow them.
 */
static const struct field fields[] = {
	R(mode, F_NAME), R(workload, F_NAME), R(workers, F_UINT),
	R(wall_s, F_SECONDS), R(start_s, F_SECONDS), R(work_s, F_SECONDS),
	R(reap_s, F_SECONDS), R(user_s, F_SECONDS), R(sys_s, F_SECONDS),
	R(minflt, F_LONG), R(majflt, F_LONG), R(nvcsw, F_LONG),
	R(nivcsw, F_LONG), R(maxrss_kb, F_KB), R(items, F_U64),
	R(bytes, F_U64), R(result, F_TEXT),
	{ "verified", offsetof(struct tvp_record, verdict), F_VERIFIED, false },
	R(rss_sum_kb, F_KB), R(options, F_TEXT), R(note, F_TEXT),
	R(died, F_UINT), R(redone, F_U64), R(recover_s, F_SECONDS),
	E(cpu_model, F_TEXT), E(online_cpus, F_LONG), E(kernel, F_TEXT),
	E(libc, F_TEXT), E(affinity, F_TEXT),
	R(verdict, F_VERDICT), R(maps, F_LONG),
	R(pss_kb, F_KB), R(uss_kb, F_KB), R(pte_kb, F_KB),
	R(work_minflt, F_LONG), E(runtime, F_TEXT),
	E(mpi_library, F_TEXT), E(nodes, F_TEXT),
};

#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

const char *
tvp_verdict_name(enum tvp_verdict v)
{
	switch (v) {
	case TVP_VERDICT_VERIFIED:
		return "verified";
	case TVP_VERDICT_RACE:
		return "race";
	case TVP_VERDICT_FAILED:
		break;
	}
	return "failed";
}

/* Is the field a string (quoted in JSON)? */
static bool
is_text(enum field_type t)
{
	return t == F_NAME || t == F_TEXT || t == F_VERIFIED || t == F_VERDICT;
}

/* The field's value as text, into buf (which it may return). */
static const char *
field_value(const struct tvp_record *r, const struct field *f, char *buf,
    size_t len)
{
	const char *p = (const char *)r + f->offset;
	enum tvp_verdict v;

	switch (f->type) {
	case F_NAME:
		return *(const char *const *)(const void *)p;
	case F_TEXT:
		return p;
	case F_UINT:
		snprintf(buf, len, "%u", *(const unsigned *)(const void *)p);
		return buf;
	case F_LONG:
		snprintf(buf, len, "%ld", *(const long *)(const void *)p);
		return buf;
	case F_KB:
		if (*(const long *)(const void *)p < 0)
			return "";
		snprintf(buf, len, "%ld", *(const long *)(const void *)p);
		return buf;
	case F_U64:
		snprintf(buf, len, "%llu",
		    (unsigned long long)*(const uint64_t *)(const void *)p);
		return buf;
	case F_SECONDS:
		snprintf(buf, len, "%.6f", *(const double *)(const void *)p);
		return buf;
	case F_VERIFIED:
		v = *(const enum tvp_verdict *)(const void *)p;
		return v == TVP_VERDICT_VERIFIED ? "yes" :
		    v == TVP_VERDICT_RACE ? "race" : "no";
	case F_VERDICT:
		return tvp_verdict_name(*(const enum tvp_verdict *)
		    (const void *)p);
	}
	return "";
}

/* A number as the record prints it: %.6g keeps 6 significant digits. */
static void
number(char *buf, size_t len, double v)
{
	snprintf(buf, len, "%.6g", v);
}

static const char *
better_name(enum tvp_better b)
{
	return b == TVP_HIGHER_IS_BETTER ? "higher" : "lower";
}

/* A CSV field, quoted when it holds a comma, quote or newline (RFC 4180). */
static void
csv_field(FILE *fp, const char *s, bool last)
{
	if (strpbrk(s, ",\"\n\r") == NULL) {
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
json_string(FILE *fp, const char *s)
{
	putc('"', fp);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(fp, "\\%c", c);
		else if (c < 0x20)
			fprintf(fp, "\\u%04x", c);
		else
			putc(c, fp);
	}
	putc('"', fp);
}

static void
print_csv(FILE *fp, const struct tvp_record *r)
{
	char buf[64];

	for (size_t i = 0; i < NFIELDS; i++)
		fprintf(fp, "%s,", fields[i].name);
	/* A fixed set of metric columns: the k-th metric's four fields. */
	for (int k = 1; k <= TVP_METRICS_MAX; k++)
		fprintf(fp, "metric%d_name,metric%d_value,metric%d_unit,"
		    "metric%d_better%s", k, k, k, k,
		    k < TVP_METRICS_MAX ? "," : "\n");
	for (size_t i = 0; i < NFIELDS; i++)
		csv_field(fp, field_value(r, &fields[i], buf, sizeof(buf)),
		    false);
	for (size_t k = 0; k < TVP_METRICS_MAX; k++) {
		const struct tvp_metric_value *m = &r->metrics[k];
		bool last = k + 1 == TVP_METRICS_MAX;

		if (k >= r->nmetrics) {
			fputs(last ? ",,,\n" : ",,,,", fp);
			continue;
		}
		number(buf, sizeof(buf), m->value);
		csv_field(fp, m->name, false);
		csv_field(fp, buf, false);
		csv_field(fp, m->unit, false);
		csv_field(fp, better_name(m->better), last);
	}
}

static void
json_pair(FILE *fp, const struct tvp_record *r, const struct field *f,
    const char *indent)
{
	char buf[64];
	const char *v = field_value(r, f, buf, sizeof(buf));

	fprintf(fp, "%s\"%s\": ", indent, f->name);
	if (is_text(f->type))
		json_string(fp, v);
	else
		fputs(*v == '\0' ? "null" : v, fp);
}

static void
print_json(FILE *fp, const struct tvp_record *r)
{
	char buf[64];

	fputs("{\n", fp);
	for (size_t i = 0; i < NFIELDS; i++) {
		if (fields[i].env)
			continue;
		json_pair(fp, r, &fields[i], "  ");
		fputs(",\n", fp);
	}
	fputs("  \"env\": {\n", fp);
	for (size_t i = 0, first = 1; i < NFIELDS; i++) {
		if (!fields[i].env)
			continue;
		fputs(first ? "" : ",\n", fp);
		json_pair(fp, r, &fields[i], "    ");
		first = 0;
	}
	fputs("\n  },\n  \"metrics\": [", fp);
	for (size_t k = 0; k < r->nmetrics; k++) {
		const struct tvp_metric_value *m = &r->metrics[k];

		fputs(k ? ",\n    {\"name\": " : "\n    {\"name\": ", fp);
		json_string(fp, m->name);
		number(buf, sizeof(buf), m->value);
		fprintf(fp, ", \"value\": %s, \"unit\": ", buf);
		json_string(fp, m->unit);
		fprintf(fp, ", \"better\": \"%s\"}", better_name(m->better));
	}
	fputs(r->nmetrics ? "\n  ]\n}\n" : "]\n}\n", fp);
}

static void
print_text(FILE *fp, const struct tvp_record *r)
{
	char buf[64];

	for (size_t i = 0; i < NFIELDS; i++) {
		const char *v = field_value(r, &fields[i], buf, sizeof(buf));

		/* An empty note says nothing; every other field is shown. */
		if (fields[i].offset == offsetof(struct tvp_record, note) &&
		    *v == '\0')
			continue;
		fprintf(fp, "%-12s %s\n", fields[i].name, v);
	}
	for (size_t k = 0; k < r->nmetrics; k++) {
		const struct tvp_metric_value *m = &r->metrics[k];

		number(buf, sizeof(buf), m->value);
		fprintf(fp, "metric       %s %s %s (%s is better)\n", m->name,
		    buf, m->unit, better_name(m->better));
	}
}

void
tvp_record_print(FILE *fp, const struct tvp_record *r, enum tvp_format fmt)
{
	switch (fmt) {
	case TVP_FMT_CSV:
		print_csv(fp, r);
		break;
	case TVP_FMT_JSON:
		print_json(fp, r);
		break;
	case TVP_FMT_TEXT:
		print_text(fp, r);
		break;
	}
}
