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

/*
 * rounds returns how many times to repeat the work: def, times N when the
 * multiboot command line says "scale=N" (qemu-compare.sh scales the work
 * up, so that QEMU's run is long beside its start-up).
 */
static inline int rounds(uint32_t magic, const void *info, int def)
{
	const struct multiboot_info *mb = info;
	if (magic != MULTIBOOT_BOOTLOADER_MAGIC || !mb || !(mb->flags & 4) || !mb->cmdline)
		return def;
	for (const char *p = (const char *)(uintptr_t)mb->cmdline; *p; p++) {
		const char *k = "scale=";
		int i = 0;
		while (k[i] && p[i] == k[i])
			i++;
		if (k[i])
			continue;
		int n = 0;
		for (p += i; *p >= '0' && *p <= '9'; p++)
			n = n * 10 + (*p - '0');
		return n > 0 ? n * def : def;
	}
	return def;
}

/* report prints the image's checksum; main returns its result. */
static inline int report(const char *name, uint32_t h)
{
	printf("%s checksum %08x\n", name, h);
	printf("OK\n");
	return 0;
}

#endif
