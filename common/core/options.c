#include <err.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/escape.h"
#include "options.h"

/* Write n with the largest K/M/G suffix that divides it exactly. */
static void
format_size(char *out, size_t len, long long n)
{
	static const char suffix[] = "KMG";
	int s = -1;

	while (s < 2 && n != 0 && n % 1024 == 0) {
		n /= 1024;
		s++;
	}
	if (s < 0)
		snprintf(out, len, "%lld", n);
	else
		snprintf(out, len, "%lld%c", n, suffix[s]);
}

static void
format_value(char *out, size_t len, long long n, bool size)
{
	if (size)
		format_size(out, len, n);
	else
		snprintf(out, len, "%lld", n);
}

int
tvp_parse_num(const char *what, const char *text, long long min,
    long long max, bool size_suffix, long long *out)
{
	char number[64], lo[32], hi[32];
	long long mult = 1, value;
	const char *errstr;
	size_t len = strlen(text);

	format_value(lo, sizeof(lo), min, size_suffix);
	format_value(hi, sizeof(hi), max, size_suffix);
	if (len == 0 || len >= sizeof(number)) {
		warnx("value '%s' for %s is not a number", TVP_ESC(text),
		    what);
		return -1;
	}
	memcpy(number, text, len + 1);
	if (size_suffix) {
		switch (number[len - 1]) {
		case 'k': case 'K': mult = 1LL << 10; break;
		case 'm': case 'M': mult = 1LL << 20; break;
		case 'g': case 'G': mult = 1LL << 30; break;
		default: break;
		}
		if (mult != 1)
			number[--len] = '\0';
	}
	/* strtonum accepts leading blanks and '+'; a careful tool does not. */
	if (len == 0 || !(number[0] == '-' || (number[0] >= '0' &&
	    number[0] <= '9'))) {
		warnx("value '%s' for %s is not a number", TVP_ESC(text),
		    what);
		return -1;
	}
	value = strtonum(number, min / mult - (min % mult != 0), max / mult,
	    &errstr);
	if (errstr != NULL && strcmp(errstr, "invalid") == 0) {
		warnx("value '%s' for %s is not a number", TVP_ESC(text),
		    what);
		return -1;
	}
	if (errstr != NULL || value * mult < min || value * mult > max) {
		warnx("value %s is out of range for %s, allowed: %s .. %s",
		    TVP_ESC(text), what, lo, hi);
		return -1;
	}
	*out = value * mult;
	return 0;
}

/* A workload without options has opts NULL: the same as an empty table. */
static const struct tvp_optdef no_options[] = { { .name = NULL } };

static const struct tvp_optdef *
table(const struct tvp_optdef *defs)
{
	return defs != NULL ? defs : no_options;
}

size_t
tvp_opts_count(const struct tvp_optdef *defs)
{
	size_t n = 0;

	defs = table(defs);
	while (defs[n].name != NULL)
		n++;
	return n;
}

/* Is `word` one of the '|'-separated choices? */
static bool
is_choice(const char *choices, const char *word)
{
	size_t wlen = strlen(word);
	const char *p = choices;

	while (*p != '\0') {
		size_t n = strcspn(p, "|");

		if (n == wlen && strncmp(p, word, n) == 0)
			return true;
		p += n;
		if (*p == '|')
			p++;
	}
	return false;
}

static int
set_value(const char *owner, struct tvp_optval *v, const char *text)
{
	const struct tvp_optdef *d = v->def;
	char what[96];

	snprintf(what, sizeof(what), "%s%s--%s", owner, *owner ? " " : "",
	    d->name);
	switch (d->type) {
	case TVP_OPT_NUM:
	case TVP_OPT_SIZE:
		return tvp_parse_num(what, text, d->min, d->max,
		    d->type == TVP_OPT_SIZE, &v->num);
	case TVP_OPT_CHOICE:
		if (!is_choice(d->choices, text)) {
			warnx("unknown value '%s' for %s, allowed: %s",
			    TVP_ESC(text), what, d->choices);
			return -1;
		}
		v->str = text;
		return 0;
	case TVP_OPT_STR:
		v->str = text;
		return 0;
	}
	return -1;
}

int
tvp_opts_defaults(const struct tvp_optdef *defs, struct tvp_optval *vals)
{
	defs = table(defs);
	for (size_t i = 0; defs[i].name != NULL; i++) {
		vals[i] = (struct tvp_optval){ .def = &defs[i] };
		if (set_value("default", &vals[i], defs[i].defval) != 0)
			return -1;
	}
	return 0;
}

int
tvp_opts_parse(const char *owner, const struct tvp_optdef *defs,
    struct tvp_optval *vals, int argc, char **argv)
{
	defs = table(defs);
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i], *value, *eq;
		size_t namelen, k;

		if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
			warnx("%s: unexpected argument '%s' (options are "
			    "--name value)", owner, TVP_ESC(arg));
			return -1;
		}
		eq = strchr(arg + 2, '=');
		namelen = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
		for (k = 0; defs[k].name != NULL; k++)
			if (strlen(defs[k].name) == namelen &&
			    strncmp(defs[k].name, arg + 2, namelen) == 0)
				break;
		if (defs[k].name == NULL) {
			char name[TVP_ESCAPE_MAX];

			warnx("%s: unknown option '%s' (see %s --help)", owner,
			    tvp_escape_n(name, sizeof(name), arg, namelen + 2),
			    owner);
			return -1;
		}
		if (eq != NULL) {
			value = eq + 1;
		} else if (i + 1 < argc) {
			value = argv[++i];
		} else {
			warnx("%s: option --%s needs a value", owner,
			    defs[k].name);
			return -1;
		}
		if (set_value(owner, &vals[k], value) != 0)
			return -1;
		vals[k].given = true;
	}
	return 0;
}

void
tvp_opts_help(FILE *fp, const struct tvp_optdef *defs)
{
	defs = table(defs);
	if (defs[0].name == NULL)
		fprintf(fp, "  (none)\n");
	for (size_t i = 0; defs[i].name != NULL; i++) {
		const struct tvp_optdef *d = &defs[i];
		char lo[32], hi[32], range[128] = "";

		if (d->type == TVP_OPT_NUM || d->type == TVP_OPT_SIZE) {
			format_value(lo, sizeof(lo), d->min,
			    d->type == TVP_OPT_SIZE);
			format_value(hi, sizeof(hi), d->max,
			    d->type == TVP_OPT_SIZE);
			snprintf(range, sizeof(range), ", %s .. %s%s", lo, hi,
			    d->type == TVP_OPT_SIZE ? ", K/M/G suffix" : "");
		} else if (d->type == TVP_OPT_CHOICE) {
			snprintf(range, sizeof(range), ", one of %s",
			    d->choices);
		}
		fprintf(fp, "  --%-14s %s\n  %16s (default: %s%s)\n", d->name,
		    d->help, "", *d->defval ? d->defval : "none", range);
	}
}

void
tvp_opts_describe(const struct tvp_optval *vals, size_t n, char *out,
    size_t outlen)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n && used < outlen; i++) {
		const struct tvp_optdef *d = vals[i].def;
		int w;

		if (d->type == TVP_OPT_NUM)
			w = snprintf(out + used, outlen - used, "%s%s=%lld",
			    i ? " " : "", d->name, vals[i].num);
		else if (d->type == TVP_OPT_SIZE) {
			char sz[32];

			format_size(sz, sizeof(sz), vals[i].num);
			w = snprintf(out + used, outlen - used, "%s%s=%s",
			    i ? " " : "", d->name, sz);
		} else
			w = snprintf(out + used, outlen - used, "%s%s=%s",
			    i ? " " : "", d->name, vals[i].str);
		if (w < 0)
			break;
		used += (size_t)w;
	}
}
