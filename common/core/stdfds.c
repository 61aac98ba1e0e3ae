/*
 * The standard descriptors around a program's life, for every main
 * (common/core/main.c, mpi/main.c).
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

#include "core/stdfds.h"

/*
 * Standard descriptors closed at start are opened on /dev/null the wrong
 * way round (0 write-only, 1 and 2 read-only), as gnulib's stdopen does:
 * no file the run opens can take their numbers (a record printed into a
 * data file), and a write to a closed standard output still fails
 * (EBADF), where close_stdout() sees it.
 */
void
tvp_std_fds_open(void)
{
	for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++) {
		int got;

		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		/* The lowest free number: fd itself, as the ones below are open. */
		got = open("/dev/null", fd == STDIN_FILENO ? O_WRONLY : O_RDONLY);
		if (got >= 0 && got != fd) {
			dup2(got, fd);
			close(got);
		}
	}
}

/*
 * A record that was not written is a failed run (coreutils' close_stdout):
 * stdio keeps a failed write sticky (ferror), so this one check at the end
 * covers every write before it, and fclose writes out what is buffered.
 * In main, not in tvp_main, which the tests call in their own process.  0,
 * or -1 after one line.
 */
int
tvp_close_stdout(void)
{
	bool failed = ferror(stdout) != 0;

	errno = 0;
	if (fclose(stdout) == 0 && !failed)
		return 0;
	if (errno != 0)
		warn("cannot write the standard output");
	else
		warnx("cannot write the standard output");
	return -1;
}
