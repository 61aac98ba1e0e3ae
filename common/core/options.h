/*
 * Option parsing shared by the global command line and every workload's
 * options: numbers through strtonum(3) with bounds, sizes with K/M/G
 * suffixes, names from a fixed list.  Every range error is worded here, once.
 */
#ifndef TVP_OPTIONS_H
#define TVP_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "workload.h"

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

#endif
