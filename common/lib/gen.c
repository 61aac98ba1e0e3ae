#include <string.h>

#include "lib/gen.h"

#define GOLDEN 0x9E3779B97F4A7C15ULL

uint64_t
tvp_mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

void
tvp_gen_block(uint64_t seed, uint64_t index, unsigned char *out, size_t size)
{
	uint64_t state = tvp_mix64(seed ^ tvp_mix64(index));

	while (size > 0) {
		uint64_t word;
		unsigned char le[8];
		size_t n = size < 8 ? size : 8;

		state += GOLDEN;
		word = tvp_mix64(state);
		/* Little-endian whatever the host, so the bytes are portable. */
		for (int b = 0; b < 8; b++)
			le[b] = (unsigned char)(word >> (8 * b));
		memcpy(out, le, n);
		out += n;
		size -= n;
	}
}
