/*
 * The synthetic data generator: block i of a seed is SplitMix64 output,
 * so anyone can regenerate it in a few lines of any language:
 *
 *   mix(z):  z = (z ^ z >> 30) * 0xBF58476D1CE4E5B9   (all mod 2^64)
 *            z = (z ^ z >> 27) * 0x94D049BB133111EB
 *            return z ^ z >> 31
 *   state  = mix(seed ^ mix(i))
 *   repeat: state += 0x9E3779B97F4A7C15; emit mix(state) as 8 bytes,
 *           little-endian; stop after `size` bytes (the last word cut short)
 */
#ifndef TVP_GEN_H
#define TVP_GEN_H

#include <stddef.h>
#include <stdint.h>

uint64_t tvp_mix64(uint64_t z);
void tvp_gen_block(uint64_t seed, uint64_t index, unsigned char *out,
    size_t size);

#endif
