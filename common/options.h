/*
 * Option parsing shared by the global command line and every workload's
 * options: numbers through strtonum(3) with bounds, sizes with K/M/G
 * suffixes, names from a fixed list.  Every range error is worded here, once.
 */
#ifndef TVP_OPTIONS_H
#define TVP_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

enum tvp_opttype {
	TVP_OPT_NUM,    /* integer in [min, max] */
	TVP_OPT_SIZE,   /* integer in [min, max], K/M/G suffix (powers of 1024) */
	TVP_OPT_CHOICE, /* one of the '|'-separated words in `choices` */
	TVP_OPT_STR,    /* any string; the workload checks it in setup */
};

struct tvp_optdef {
	const char *name;  /* without the leading "--" */
	enum tvp_opttype type;
	const char *defval; /* as typed on the command line; "" for none */
	long long min, max;
	const char *choices;
	const char *help;
};

struct tvp_optval {
	const struct tvp_optdef *def;
	long long num;      /* NUM, SIZE */
	const char *str;    /* CHOICE, STR (points into argv or defval) */
	bool given;         /* set on the command line */
};

/*
 * Parse a number or size for the option called `what`.  On error, print one
 * line naming `what` and the bad value, and return -1.
 */
int tvp_parse_num(const char *what, const char *text, long long min,
    long long max, bool size_suffix, long long *out);

/* Set vals[] (one per def) to the defaults. Returns -1 on a bad default. */
int tvp_opts_defaults(const struct tvp_optdef *defs, struct tvp_optval *vals);

/*
 * Parse "--name value" and "--name=value" pairs from argv[0..argc) into
 * vals.  `owner` names the workload in error messages.  Returns 0, or -1
 * after printing one line naming the bad option.
 */
int tvp_opts_parse(const char *owner, const struct tvp_optdef *defs,
    struct tvp_optval *vals, int argc, char **argv);

/* Count the entries of a NULL-terminated definition table. */
size_t tvp_opts_count(const struct tvp_optdef *defs);

/* Print the options and their defaults, for WORKLOAD --help. */
void tvp_opts_help(FILE *fp, const struct tvp_optdef *defs);

/* "name=value name=value ..." of every option, as the work was defined. */
void tvp_opts_describe(const struct tvp_optval *vals, size_t n, char *out,
    size_t outlen);

struct tvp_run;
/* Accessors by name; an unknown name is a programming error (abort). */
long long tvp_opt_num(const struct tvp_run *run, const char *name);
const char *tvp_opt_str(const struct tvp_run *run, const char *name);
bool tvp_opt_given(const struct tvp_run *run, const char *name);

/*
 * Refuse a request needing `need` bytes of memory when the machine has
 * less, before anything is allocated: 0, or -1 after a warning that says
 * how much `what` needs.
 */
int tvp_check_memory(const char *what, size_t need);

#endif
