/*
 * What mpi/main.c asks of the MPI runner beyond core/runner.h: the life
 * of a rank around tvp_main.
 */
#ifndef TVP_MPI_RUNNER_H
#define TVP_MPI_RUNNER_H

#include <stdbool.h>

#include "workload.h"

/* Can wl run as ranks (made of items, or written for messages)? */
bool tvp_mpi_runs(const struct tvp_workload *wl);

/*
 * After MPI_Init: ranks other than 0 keep quiet until the workers start.
 * Every rank parses the same command line and runs the same setup, so a
 * bad option would otherwise be said once per rank; rank 0 says it.
 */
void tvp_mpi_begin(void);

/*
 * Before MPI_Finalize, with what tvp_main returned: a rank that stopped
 * before the start (a usage error, a setup that failed) still takes part
 * in the one collective that tells the others, so that no rank waits at
 * the start for it.  Returns the status the rank exits with.
 */
int tvp_mpi_end(int status);

#endif
