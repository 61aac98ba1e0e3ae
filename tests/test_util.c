/* Small helpers shared by the test files. */
#include <stdlib.h>
#include <string.h>

#include "tests.h"

char **
tvp_test_argv(int n, const char *const *words)
{
	char **argv = calloc((size_t)n + 1, sizeof(*argv));

	if (argv == NULL)
		return NULL;
	for (int i = 0; i < n; i++)
		if ((argv[i] = strdup(words[i])) == NULL) {
			tvp_test_argv_free(argv);
			return NULL;
		}
	return argv;
}

void
tvp_test_argv_free(char **argv)
{
	if (argv == NULL)
		return;
	for (char **p = argv; *p != NULL; p++)
		free(*p);
	free(argv);
}

char **
tvp_test_split(const char *s, int *argc)
{
	char *copy = strdup(s), *p, **argv;
	const char *words[64];
	int n = 0;

	if (copy == NULL)
		return NULL;
	for (p = strtok(copy, " "); p != NULL && n < 64; p = strtok(NULL, " "))
		words[n++] = p;
	argv = tvp_test_argv(n, words);
	free(copy);
	*argc = n;
	return argv;
}
