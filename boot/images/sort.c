//go:build ignore
/*
 * sort.c — quicksort, heapsort, mergesort (and insertion sort on the
 * smaller inputs) over LCG-generated arrays of several shapes and sizes.
 * Every result must be sorted and identical to the others (same hash, same
 * sum as the input); each line prints the hash of the sorted array and the
 * comparisons each algorithm made, which depend on every branch taken
 * (insertion sort only up to 100 elements: it is quadratic).
 * Then a shell sort of generated words by strcmp.
 */
#include "lib.h"

#define MAX_N 5000

static int32_t input[MAX_N], work[MAX_N], tmp[MAX_N];
static int failures;

enum shape { RANDOM, SORTED, REVERSED, FEW_VALUES, EQUAL, ORGAN_PIPE, SAWTOOTH, SHAPES };

static const char *const shape_names[SHAPES] = {
	"random", "sorted", "reversed", "few-values", "equal", "organ-pipe", "sawtooth",
};

static void generate(int32_t *a, size_t n, enum shape shape, uint32_t seed)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t r = lcg32(&seed);
		switch (shape) {
		case RANDOM:     a[i] = (int32_t)r; break;
		case SORTED:     a[i] = (int32_t)(i * 3) - 1000; break;
		case REVERSED:   a[i] = (int32_t)(n - i) * 7; break;
		case FEW_VALUES: a[i] = (int32_t)(r >> 29) - 4; break;
		case EQUAL:      a[i] = 42; break;
		case ORGAN_PIPE: a[i] = (int32_t)(i < n / 2 ? i : n - i); break;
		case SAWTOOTH:   a[i] = (int32_t)(i % 17) * ((r & 1) ? 1 : -1); break;
		default:         a[i] = 0; break;
		}
	}
}

static uint32_t array_sum(const int32_t *a, size_t n)
{
	uint32_t sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += (uint32_t)a[i];
	return sum;
}

enum algorithm { QUICK, HEAP, MERGE, INSERTION, ALGORITHMS };

static const char *const algorithm_names[ALGORITHMS] = { "quick", "heap", "merge", "insertion" };

static void run_case(enum shape shape, size_t n, uint32_t seed)
{
	uint32_t compares[ALGORITHMS] = { 0 };
	uint32_t first_hash = 0, sum = 0;
	int ok = 1;

	generate(input, n, shape, seed);
	sum = array_sum(input, n);
	for (int alg = 0; alg < ALGORITHMS; alg++) {
		if (alg == INSERTION && n > 100)
			continue;	/* quadratic: too slow for the big inputs */
		memcpy(work, input, n * sizeof *work);
		sort_compares = 0;
		switch (alg) {
		case QUICK: quick_sort(work, n); break;
		case HEAP: heap_sort(work, n); break;
		case MERGE: merge_sort(work, n, tmp); break;
		case INSERTION: insertion_sort(work, n); break;
		}
		compares[alg] = sort_compares;

		uint32_t h = array_hash(work, n);
		if (alg == QUICK)
			first_hash = h;
		if (!is_sorted(work, n) || h != first_hash || array_sum(work, n) != sum) {
			printf("  %s: wrong result\n", algorithm_names[alg]);
			ok = 0;
		}
	}
	printf("%-10s n=%-4u hash=%08x sum=%08x min=%d max=%d compares quick=%u heap=%u merge=%u insertion=%u%s\n",
	       shape_names[shape], (unsigned)n, first_hash, sum,
	       n ? work[0] : 0, n ? work[n - 1] : 0,
	       compares[QUICK], compares[HEAP], compares[MERGE], compares[INSERTION],
	       ok ? "" : " FAILED");
	if (!ok)
		failures++;
}

/* Shell sort of pointers to generated words, by strcmp (Ciura's gaps). */
#define WORDS 600
static char word_store[WORDS][12];
static const char *words[WORDS];

static void sort_words(void)
{
	static const size_t gaps[] = { 132, 57, 23, 10, 4, 1 };
	uint32_t seed = 12345, compares = 0;

	for (int i = 0; i < WORDS; i++) {
		int len = lcg32(&seed) % 10 + 1;
		for (int k = 0; k < len; k++)
			word_store[i][k] = 'a' + lcg32(&seed) % 6;	/* many shared prefixes */
		word_store[i][len] = '\0';
		words[i] = word_store[i];
	}
	for (size_t g = 0; g < sizeof gaps / sizeof gaps[0]; g++) {
		size_t gap = gaps[g];
		for (size_t i = gap; i < WORDS; i++) {
			const char *w = words[i];
			size_t j = i;
			while (j >= gap && (compares++, strcmp(w, words[j - gap]) < 0)) {
				words[j] = words[j - gap];
				j -= gap;
			}
			words[j] = w;
		}
	}

	uint32_t h = FNV32_OFFSET;
	int sorted = 1;
	for (int i = 0; i < WORDS; i++) {
		h = fnv1a32(h, words[i], strlen(words[i]) + 1);
		if (i > 0 && strcmp(words[i - 1], words[i]) > 0)
			sorted = 0;
	}
	printf("words      n=%-4d hash=%08x compares=%u first=%s last=%s%s\n",
	       WORDS, h, compares, words[0], words[WORDS - 1], sorted ? "" : " FAILED");
	if (!sorted)
		failures++;
}

int main(uint32_t magic, void *info)
{
	static const uint32_t sizes[] = { 0, 1, 2, 3, 5, 10, 16, 17, 31, 100, 1000, 5000 };

	(void)info;
	idt_install_exception_handlers();
	printf("image sort\n");
	printf("multiboot magic %08x\n", magic);

	for (int shape = 0; shape < SHAPES; shape++)
		for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
			run_case(shape, sizes[i], 1 + shape * 1000 + sizes[i]);
	sort_words();

	if (failures != 0) {
		printf("FAIL %d cases\n", failures);
		return 1;
	}
	printf("OK\n");
	return 0;
}
