/*
 * sorting — sorts of the kinds C programs write by hand: insertion sort of
 * short, Shell sort of records by a 16-bit key with a byte tie-break,
 * an iterative quicksort of int, and a counting sort of bytes.
 */
#include "bench.h"

#define ROUNDS 10
#define N 3000

struct rec {
	uint16_t key;
	uint8_t tag;
	uint8_t pad;
	uint32_t id;
};

static short s16[600];
static struct rec recs[N];
static int ints[N];
static uint8_t bytes[4 * N], sorted[4 * N];

static void insertion_short(short *a, int n)
{
	for (int i = 1; i < n; i++) {
		short v = a[i];
		int j = i - 1;
		while (j >= 0 && a[j] > v) {
			a[j + 1] = a[j];
			j--;
		}
		a[j + 1] = v;
	}
}

static int rec_less(const struct rec *x, const struct rec *y)
{
	return x->key != y->key ? x->key < y->key : x->tag < y->tag;
}

static void shell_recs(struct rec *a, int n)
{
	static const int gaps[] = {701, 301, 132, 57, 23, 10, 4, 1};
	for (int g = 0; g < 8; g++) {
		int gap = gaps[g];
		for (int i = gap; i < n; i++) {
			struct rec v = a[i];
			int j = i;
			while (j >= gap && rec_less(&v, &a[j - gap])) {
				a[j] = a[j - gap];
				j -= gap;
			}
			a[j] = v;
		}
	}
}

static void quick_ints(int *a, int n)
{
	int stack[64], sp = 0;
	stack[sp++] = 0;
	stack[sp++] = n - 1;
	while (sp) {
		int hi = stack[--sp], lo = stack[--sp];
		while (lo < hi) {
			int p = a[lo + (hi - lo) / 2], i = lo, j = hi;
			while (i <= j) {
				while (a[i] < p)
					i++;
				while (a[j] > p)
					j--;
				if (i <= j) {
					int t = a[i];
					a[i++] = a[j];
					a[j--] = t;
				}
			}
			if (j - lo < hi - i) {
				stack[sp++] = i, stack[sp++] = hi;
				hi = j;
			} else {
				stack[sp++] = lo, stack[sp++] = j;
				lo = i;
			}
		}
	}
}

static void counting_bytes(const uint8_t *in, int n, uint8_t *out)
{
	static int count[256];
	for (int i = 0; i < 256; i++)
		count[i] = 0;
	for (int i = 0; i < n; i++)
		count[in[i]]++;
	int o = 0;
	for (int v = 0; v < 256; v++)
		for (int k = count[v]; k > 0; k--)
			out[o++] = (uint8_t)v;
}

int main(uint32_t magic, void *info)
{
	uint32_t seed = 2024, h = 0x811C9DC5u;

	int n = rounds(magic, info, ROUNDS);

	idt_install_exception_handlers();
	for (int r = 0; r < n; r++) {
		for (int i = 0; i < 600; i++)
			s16[i] = (short)rnd(&seed);
		insertion_short(s16, 600);
		for (int i = 0; i < N; i++) {
			uint32_t x = rnd(&seed);
			recs[i] = (struct rec){.key = (uint16_t)(x % 2000), .tag = (uint8_t)(x >> 24), .id = (uint32_t)i};
			ints[i] = (int)rnd(&seed);
		}
		for (int i = 0; i < 4 * N; i++)
			bytes[i] = (uint8_t)(rnd(&seed) >> 3);
		shell_recs(recs, N);
		quick_ints(ints, N);
		counting_bytes(bytes, 4 * N, sorted);
		uint32_t s = 0;
		for (int i = 0; i < 600; i += 7)
			s = s * 3 + (uint16_t)s16[i];
		for (int i = 0; i < N; i += 11)
			s = s * 3 + recs[i].id + (uint32_t)ints[i];
		for (int i = 0; i < 4 * N; i += 13)
			s = s * 3 + sorted[i];
		h = mix(h, s);
	}
	return report("sorting", h);
}
