#include <unistd.h>

#include <stdlib.h>

#include "core/cli.h"

extern char **environ;

int
main(int argc, char **argv)
{
	/* So worker processes can be named in ps (processes runner). */
	setproctitle_init(argc, argv, environ);
	return tvp_main(argc, argv);
}
