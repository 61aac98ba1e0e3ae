#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "lib/escape.h"

/* One byte as the message shows it, into piece (8 bytes). */
static void
escape_byte(char *piece, unsigned char c)
{
	switch (c) {
	case '\n':
		strlcpy(piece, "\\n", 8);
		break;
	case '\t':
		strlcpy(piece, "\\t", 8);
		break;
	case '\r':
		strlcpy(piece, "\\r", 8);
		break;
	case '\\':
		strlcpy(piece, "\\\\", 8);
		break;
	default:
		if (c < 0x20 || c == 0x7f)
			snprintf(piece, 8, "\\x%02x", c);
		else
			snprintf(piece, 8, "%c", c);
	}
}

char *
tvp_escape_n(char *out, size_t len, const char *s, size_t n)
{
	static const char dots[] = "...";
	size_t used = 0, whole = 0, i;
	char piece[8];
	bool cut;

	if (len == 0)
		return out;
	for (i = 0; i < n && s[i] != '\0'; i++) {
		escape_byte(piece, (unsigned char)s[i]);
		whole += strlen(piece);
	}
	/* Cut short, an escape is never cut in half, and "..." says so. */
	cut = whole + 1 > len;
	for (i = 0; i < n && s[i] != '\0'; i++) {
		size_t plen;

		escape_byte(piece, (unsigned char)s[i]);
		plen = strlen(piece);
		if (cut && used + plen + sizeof(dots) > len) {
			if (used + sizeof(dots) <= len) {
				memcpy(out + used, dots, sizeof(dots) - 1);
				used += sizeof(dots) - 1;
			}
			break;
		}
		memcpy(out + used, piece, plen);
		used += plen;
	}
	out[used] = '\0';
	return out;
}
