//go:build ignore
/*
 * bench.c — a compute-bound workload for measuring the emulator's speed
 * (MIPS): rounds of sorting (quicksort, heapsort, mergesort), hashing
 * (CRC32, FNV-1a, SHA-256) and bytecode interpretation (a sieve and a
 * recursive Fibonacci), about 74 million instructions in all (counted
 * with QEMU's -icount). It prints a checksum per round and one over
 * everything, so a wrong result shows even when only speed is measured.
 */
#include "lib.h"

#define ROUNDS 10
#define N 2048

static int32_t input[N], a[N], b[N], c[N], tmp[N];
static uint8_t code[512];
static int32_t memory[4000];

/* One round; returns its checksum. */
static uint32_t round_work(uint32_t seed)
{
	uint32_t h = FNV32_OFFSET;
	uint8_t digest[32];

	/* sort the same data three ways */
	for (int i = 0; i < N; i++)
		input[i] = (int32_t)lcg32(&seed);
	memcpy(a, input, sizeof a);
	memcpy(b, input, sizeof b);
	memcpy(c, input, sizeof c);
	quick_sort(a, N);
	heap_sort(b, N);
	merge_sort(c, N, tmp);
	h = fnv1a32_word(h, array_hash(a, N));
	if (memcmp(a, b, sizeof a) != 0 || memcmp(a, c, sizeof a) != 0)
		h = ~h;

	/* hash the input bytes */
	h = fnv1a32_word(h, crc32(input, sizeof input));
	h = fnv1a32_word(h, fnv1a32(FNV32_OFFSET, input, sizeof input));
	sha256(input, sizeof input, digest);
	h = fnv1a32(h, digest, sizeof digest);

	/* interpret */
	struct vm vm = {
		.code = code, .mem = memory, .mem_len = 4000, .max_steps = 10000000,
	};
	vm.code_len = prog_sieve(code, 4000);
	vm_run(&vm);
	h = fnv1a32_word(h, (uint32_t)vm.result ^ vm.output_hash ^ vm.steps);
	vm.code_len = prog_fib_rec(code, 14 + seed % 3);
	vm_run(&vm);
	h = fnv1a32_word(h, (uint32_t)vm.result ^ vm.steps);
	return h;
}

int main(uint32_t magic, void *info)
{
	uint32_t total = FNV32_OFFSET;

	(void)info;
	idt_install_exception_handlers();
	printf("image bench\n");
	printf("multiboot magic %08x\n", magic);

	for (int r = 1; r <= ROUNDS; r++) {
		uint32_t h = round_work(r * 7919u);
		total = fnv1a32_word(total, h);
		printf("round %2d checksum %08x\n", r, h);
	}
	printf("bench checksum %08x\n", total);
	printf("OK\n");
	return 0;
}
