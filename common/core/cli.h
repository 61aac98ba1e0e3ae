/* The command line both programs share. */
#ifndef TVP_CLI_H
#define TVP_CLI_H

/*
 * The whole program: parse, run, print the record; returns the exit
 * status, TVP_EXIT_FAIL if what it printed could not be written.
 */
int tvp_main(int argc, char **argv);

#endif
