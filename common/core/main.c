#include <stdlib.h>
#include <unistd.h>

#include "core/cli.h"
#include "core/stdfds.h"
#include "exit.h"

extern char **environ;

int
main(int argc, char **argv)
{
	int rc;

	/* So worker processes can be named in ps (processes runner). */
	setproctitle_init(argc, argv, environ);
	tvp_std_fds_open();
	rc = tvp_main(argc, argv);
	if (tvp_close_stdout() != 0 && rc == TVP_EXIT_OK)
		rc = TVP_EXIT_FAIL;
	return rc;
}
