//go:build ignore
/*
 * arith64.c — 64-bit integer arithmetic as 32-bit code does it: multiply
 * inline (MUL/IMUL and adds), divide and modulo through libgcc's __udivdi3,
 * __umoddi3, __divdi3 and __moddi3, shifts by variable counts (SHLD/SHRD and
 * a test of bit 5), add/subtract with carry, comparisons, and the 32x32->64
 * and 64/32 mixes. Edge values and LCG inputs of every magnitude; every
 * quotient and remainder is checked against a = q*b + r.
 */
#include "lib.h"

static int failures;
static uint64_t digest = FNV64_OFFSET;	/* of every result, printed or not */

static void fold(uint64_t v)
{
	digest = fnv1a64(digest, &v, sizeof v);
}

/* Inputs are hidden from the optimiser so the operations happen at run
 * time, through the same code paths whatever the values. */
static uint64_t opaque(uint64_t v)
{
	__asm__ volatile("" : "+r"(v));
	return v;
}

/* Divides and multiplies a by b both ways; prints a line if show. */
static void divide(uint64_t a, uint64_t b, int show)
{
	a = opaque(a);
	b = opaque(b);
	uint64_t product = a * b;
	uint64_t q = a / b, r = a % b;
	int64_t sa = (int64_t)a, sb = (int64_t)b, sq, sr;
	int bad = q * b + r != a || r >= b;

	if (sa == INT64_MIN && sb == -1) {	/* overflows: C leaves it undefined */
		sq = INT64_MIN;
		sr = 0;
	} else {
		sq = sa / sb;
		sr = sa % sb;
		uint64_t abs_r = sr < 0 ? -(uint64_t)sr : (uint64_t)sr;
		uint64_t abs_b = sb < 0 ? -(uint64_t)sb : (uint64_t)sb;
		if ((uint64_t)sq * (uint64_t)sb + (uint64_t)sr != a || abs_r >= abs_b ||
		    (sr != 0 && (sr < 0) != (sa < 0)))
			bad = 1;
	}
	fold(product);
	fold(q);
	fold(r);
	fold((uint64_t)sq);
	fold((uint64_t)sr);
	if (show || bad)
		printf("%016llx %016llx mul %016llx udiv %016llx %016llx sdiv %lld %lld%s\n",
		       a, b, product, q, r, sq, sr, bad ? " WRONG" : "");
	if (bad)
		failures++;
}

static const uint64_t edges[] = {
	0, 1, 2, 3, 7, 10, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x100000000ull,
	0x100000001ull, 0x7FFFFFFFFFFFFFFFull, 0x8000000000000000ull,
	0xFFFFFFFFFFFFFFFFull, 0xFFFFFFFF00000000ull, 0x123456789ABCDEF0ull,
	0xFFFFFFFFFFFFFFFEull, 0xFFFFFFFF80000000ull,
};
#define NEDGES (sizeof edges / sizeof edges[0])

/* An LCG value reduced to a random number of significant bits, so that
 * divisors and dividends of every size occur. */
static uint64_t random_magnitude(uint64_t *seed)
{
	uint64_t v = lcg64(seed);
	unsigned shift = (unsigned)(lcg64(seed) >> 58);	/* 0..63 */
	v >>= shift;
	if (lcg64(seed) >> 63)
		v = -v;		/* also small negative values */
	return v;
}

static void divisions(void)
{
	printf("-- edge pairs\n");
	for (size_t i = 0; i < NEDGES; i++)
		for (size_t j = 0; j < NEDGES; j++)
			if (edges[j] != 0)
				divide(edges[i], edges[j], (i + j) % 4 == 0);

	printf("-- random pairs\n");
	uint64_t seed = 2024;
	for (int i = 0; i < 5000; i++) {
		uint64_t a = random_magnitude(&seed), b = random_magnitude(&seed);
		if (b == 0)
			b = 1;
		divide(a, b, i < 80);
	}
	printf("division digest %016llx\n", digest);
}

static void shifts(void)
{
	uint64_t a = opaque(0x8123456789ABCDEFull);

	printf("-- shifts of %016llx\n", a);
	for (unsigned n = 0; n < 64; n++) {
		unsigned c = (unsigned)opaque(n);
		uint64_t shl = a << c, shr = a >> c;
		int64_t sar = (int64_t)a >> c;
		uint64_t rol = c ? (a << c) | (a >> (64 - c)) : a;
		fold(shl);
		fold(shr);
		fold((uint64_t)sar);
		fold(rol);
		if (n % 4 == 0 || n % 32 < 2 || n % 32 == 31)
			printf("%2u shl %016llx shr %016llx sar %016llx rol %016llx\n",
			       n, shl, shr, (uint64_t)sar, rol);
	}
	printf("shift digest %016llx\n", digest);
}

static void add_compare(void)
{
	uint64_t seed = 77;
	int lt = 0, slt = 0;

	printf("-- add, subtract, negate, compare\n");
	for (int i = 0; i < 2000; i++) {
		uint64_t a = opaque(random_magnitude(&seed));
		uint64_t b = opaque(random_magnitude(&seed));
		uint64_t sum = a + b, diff = a - b, neg = -a;
		fold(sum);
		fold(diff);
		fold(neg);
		fold(a * 10 + (b >> 3));
		lt += a < b;
		slt += (int64_t)a < (int64_t)b;
		if (i < 24)
			printf("%016llx %016llx add %016llx sub %016llx neg %016llx %s %s\n",
			       a, b, sum, diff, neg, a < b ? "ult" : "uge",
			       (int64_t)a < (int64_t)b ? "slt" : "sge");
	}
	printf("unsigned-less %d signed-less %d digest %016llx\n", lt, slt, digest);
}

static void mixed_widths(void)
{
	uint32_t seed = 99;

	printf("-- 32x32->64 multiply, 64/32 divide\n");
	for (int i = 0; i < 1000; i++) {
		uint32_t x = (uint32_t)opaque(lcg32(&seed));
		uint32_t y = (uint32_t)opaque(lcg32(&seed) >> (i % 32));
		int32_t sx = (int32_t)x, sy = (int32_t)y;
		uint64_t up = (uint64_t)x * y;		/* one MUL */
		int64_t sp = (int64_t)sx * sy;		/* one IMUL */
		uint64_t q = y ? up / y : 0;
		uint32_t r = y ? (uint32_t)(up % y) : 0;
		if (y != 0 && (q != x || r != 0)) {
			printf("%08x * %08x = %016llx: divides back to %016llx rem %u WRONG\n",
			       x, y, up, q, r);
			failures++;
		}
		fold(up);
		fold((uint64_t)sp);
		fold(q);
		if (i < 16)
			printf("%08x %08x umul %016llx smul %016llx\n", x, y, up, (uint64_t)sp);
	}
	printf("mixed digest %016llx\n", digest);
}

static void decimal(void)
{
	/* printf's own %llu/%lld conversions divide by ten through libgcc. */
	printf("-- decimal\n");
	for (size_t i = 0; i < NEDGES; i += 2)
		printf("%llu %lld\n", edges[i], (int64_t)edges[i]);
}

int main(uint32_t magic, void *info)
{
	(void)info;
	idt_install_exception_handlers();
	printf("image arith64\n");
	printf("multiboot magic %08x\n", magic);

	divisions();
	shifts();
	add_compare();
	mixed_widths();
	decimal();

	printf("digest %016llx\n", digest);
	if (failures != 0) {
		printf("FAIL %d wrong results\n", failures);
		return 1;
	}
	printf("OK\n");
	return 0;
}
