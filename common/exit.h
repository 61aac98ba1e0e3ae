/* The exit statuses of both programs and compare.sh, as the README lists. */
#ifndef TVP_EXIT_H
#define TVP_EXIT_H

enum {
	TVP_EXIT_OK = 0,    /* ran, and the result verified (or showed its race) */
	TVP_EXIT_FAIL = 1,  /* runtime failure: unverified, a dead worker, ... */
	TVP_EXIT_USAGE = 2, /* bad usage: nothing was run, nothing was made */
};

/* A run ended by signal sig, after cleaning up: as a shell reports it. */
#define TVP_EXIT_SIGNAL(sig) (128 + (sig))

#endif
