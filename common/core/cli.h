/* The command line both programs share. */
#ifndef TVP_CLI_H
#define TVP_CLI_H

/*
 * The whole program but its standard output's last check (main.c): parse,
 * run, print the record; returns the exit status.
 */
int tvp_main(int argc, char **argv);

#endif
