/*
 * bin/tvp-mpi's main: the one tvp_main of the other programs, inside
 * MPI_Init and MPI_Finalize.  Every rank runs it; rank 0 prints the
 * record.
 */
#include <unistd.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpi.h>

#include "core/cli.h"
#include "mpi/mpi_runner.h"

extern char **environ;

/* What --help adds for this program: how it is started. */
static void
mpi_usage(void)
{
	printf("\nAs the ranks of an Open MPI job (the world size is the "
	    "worker count):\n"
	    "  mpirun [--oversubscribe] [--allow-run-as-root] -np N %s "
	    "[options] WORKLOAD ...\n"
	    "  -j: leave it out (1, the default, means N) or give N itself; "
	    "--fault-worker\n  K needs -j N.\n"
	    "  Items workloads (hash, fileread) and pingpong (--via mpi) run "
	    "as ranks; the\n"
	    "  others are refused.  --recover and --timeout are refused "
	    "(mpirun --timeout S).\n"
	    "  TVP_MPI_PATH=net: item results gathered to rank 0 instead of a "
	    "shared window.\n", getprogname());
}

int
main(int argc, char **argv)
{
	int rc;

	setproctitle_init(argc, argv, environ);
	if (MPI_Init(&argc, &argv) != MPI_SUCCESS)
		return 1;
	tvp_mpi_begin();
	rc = tvp_mpi_end(tvp_main(argc, argv));
	/* The run options' --help (not a workload's). */
	if (rc == 0 && argc > 1 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0))
		mpi_usage();
	MPI_Finalize();
	return rc;
}
