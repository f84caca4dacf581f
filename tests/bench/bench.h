/*
 * bench.h — what the benchmark images share: a pseudo-random generator and
 * the checksum report. Each image does its work a fixed number of rounds and
 * prints a checksum, so a wrong result shows even when only speed is
 * measured.
 */
#ifndef BENCH_H
#define BENCH_H

#include "bare.h"

/* rnd is Numerical Recipes' 32-bit LCG with the high half folded in. */
static inline uint32_t rnd(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s ^ (*s >> 16);
}

/* mix folds v into the running checksum h (FNV-1a over v's bytes). */
static inline uint32_t mix(uint32_t h, uint32_t v)
{
	for (int i = 0; i < 4; i++) {
		h ^= (v >> (8 * i)) & 0xFF;
		h *= 16777619u;
	}
	return h;
}

/* report prints the image's checksum; main returns its result. */
static inline int report(const char *name, uint32_t h)
{
	printf("%s checksum %08x\n", name, h);
	printf("OK\n");
	return 0;
}

#endif
