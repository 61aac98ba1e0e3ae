/*
 * bin/tvp-mpi's main: the one tvp_main of the other programs, inside
 * MPI_Init and MPI_Finalize.  Every rank runs it; rank 0 prints the
 * record.
 */
#include <unistd.h>

#include <stdlib.h>

#include <mpi.h>

#include "core/cli.h"
#include "mpi/mpi_runner.h"

extern char **environ;

int
main(int argc, char **argv)
{
	int rc;

	setproctitle_init(argc, argv, environ);
	if (MPI_Init(&argc, &argv) != MPI_SUCCESS)
		return 1;
	tvp_mpi_begin();
	rc = tvp_mpi_end(tvp_main(argc, argv));
	MPI_Finalize();
	return rc;
}
