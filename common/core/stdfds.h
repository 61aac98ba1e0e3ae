/* The standard descriptors at a program's start and end (stdfds.c). */
#ifndef TVP_STDFDS_H
#define TVP_STDFDS_H

/* Open closed standard descriptors on /dev/null, the wrong way round. */
void tvp_std_fds_open(void);

/* Close stdout, checking that the record was written: 0, or -1 said. */
int tvp_close_stdout(void);

#endif
