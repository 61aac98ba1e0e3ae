/*
 * bin/tvp-mpi's main: the one tvp_main of the other programs, inside
 * MPI_Init and MPI_Finalize.  Every rank runs it; rank 0 prints the
 * record.
 */
#include <unistd.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpi.h>

#include "core/cli.h"
#include "core/registry.h"
#include "core/stdfds.h"
#include "exit.h"
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

/*
 * --list before any workload name: only the workloads that run as ranks,
 * so that a driver asking (compare.sh --mpi) skips the others' rows.
 */
static bool
wants_list(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (tvp_workload_find(argv[i]) != NULL)
			return false;
		if (strcmp(argv[i], "--list") == 0)
			return true;
	}
	return false;
}

static void
list_ranks_workloads(void)
{
	for (size_t i = 0; tvp_workloads[i] != NULL; i++)
		if (tvp_mpi_runs(tvp_workloads[i]))
			printf("%-12s %-5s %s\n", tvp_workloads[i]->name,
			    tvp_workloads[i]->kind, tvp_workloads[i]->summary);
}

int
main(int argc, char **argv)
{
	int rc;

	setproctitle_init(argc, argv, environ);
	tvp_std_fds_open();
	if (MPI_Init(&argc, &argv) != MPI_SUCCESS)
		return TVP_EXIT_FAIL;
	tvp_mpi_begin();
	if (wants_list(argc, argv)) {
		list_ranks_workloads();
		rc = tvp_mpi_end(0);
	} else {
		rc = tvp_mpi_end(tvp_main(argc, argv));
		/* The run options' --help (not a workload's). */
		if (rc == 0 && argc > 1 && (strcmp(argv[1], "--help") == 0 ||
		    strcmp(argv[1], "-h") == 0))
			mpi_usage();
	}
	/*
	 * Nothing is left to clean up: a SIGTERM from mpirun now (it ends the
	 * job once any rank exits non-zero, maybe while this one finalizes)
	 * ends the rank without the "interrupted" line of tvp_main's handler.
	 */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	MPI_Finalize();
	/* A record that was not written is a failed run, as in main.c. */
	if (tvp_close_stdout() != 0 && rc == TVP_EXIT_OK)
		rc = TVP_EXIT_FAIL;
	return rc;
}
