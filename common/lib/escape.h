/*
 * Text from outside (a command-line word, a file name) made safe to echo
 * in a one-line message: every control character, and the backslash
 * that introduces the escapes, written as a C escape (\n, \t, \r, \\,
 * \x1b, ...), so that a refusal stays one line and cannot move the
 * terminal's cursor.  Bytes from 0x80 up are left alone (UTF-8 names).
 */
#ifndef TVP_ESCAPE_H
#define TVP_ESCAPE_H

#include <stddef.h>

#define TVP_ESCAPE_MAX 4096

/*
 * At most n bytes of s (fewer if it ends first), escaped into out, which
 * holds len bytes; cut short with "..." if they do not fit.  Returns out.
 */
char *tvp_escape_n(char *out, size_t len, const char *s, size_t n);

/*
 * s escaped, in a buffer that lives until the end of the enclosing block:
 * for the arguments of one message, warnx("... '%s'", TVP_ESC(word)).
 */
#define TVP_ESC(s) \
	tvp_escape_n((char[TVP_ESCAPE_MAX]){ 0 }, TVP_ESCAPE_MAX, (s), \
	    (size_t)-1)

#endif
