/*
 * lib.h — the algorithms the test images share: pseudo-random generators,
 * hashes (CRC32, FNV-1a, SHA-256), sorts, and a small bytecode interpreter.
 * hash.c, sort.c and interp.c test them; bench.c runs them as a workload.
 */
#ifndef IMAGES_LIB_H
#define IMAGES_LIB_H

#include "bare.h"

/* ---- Pseudo-random numbers: linear congruential generators -------------- */

/* Numerical Recipes' 32-bit LCG; returns the new state with its high half
 * folded into the low half (the raw low bits of an LCG are weak). */
uint32_t lcg32(uint32_t *state);
/* Knuth's MMIX 64-bit LCG; returns the new state. */
uint64_t lcg64(uint64_t *state);
/* Fills buf with n bytes from lcg32 seeded with seed. */
void lcg_fill(void *buf, size_t n, uint32_t seed);

/* ---- Hashes ------------------------------------------------------------- */

uint32_t crc32_update(uint32_t crc, const void *data, size_t n); /* table */
uint32_t crc32_bitwise(uint32_t crc, const void *data, size_t n);
/* crc32(data) = crc32_update(0, data, n): the IEEE 802.3 CRC, as zlib's. */
uint32_t crc32(const void *data, size_t n);

#define FNV32_OFFSET 0x811C9DC5u
#define FNV64_OFFSET 0xCBF29CE484222325ull
uint32_t fnv1a32(uint32_t h, const void *data, size_t n);
uint64_t fnv1a64(uint64_t h, const void *data, size_t n);
/* Folds one 32-bit word into an FNV-1a hash, low byte first. */
uint32_t fnv1a32_word(uint32_t h, uint32_t word);

struct sha256 {
	uint32_t state[8];
	uint64_t length;	/* bytes hashed so far */
	uint8_t block[64];
	uint32_t used;		/* bytes in block */
};
void sha256_init(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *data, size_t n);
void sha256_final(struct sha256 *c, uint8_t digest[32]);
void sha256(const void *data, size_t n, uint8_t digest[32]);
/* Prints a digest as 64 lowercase hex digits (no newline). */
void print_digest(const uint8_t digest[32]);

/* ---- Sorting (ascending, signed 32-bit keys) ---------------------------- */

/* Comparisons made by the sorts since it was last reset. */
extern uint32_t sort_compares;

void insertion_sort(int32_t *a, size_t n);
void quick_sort(int32_t *a, size_t n);
void heap_sort(int32_t *a, size_t n);
/* tmp must hold n elements. */
void merge_sort(int32_t *a, size_t n, int32_t *tmp);
int is_sorted(const int32_t *a, size_t n);
/* FNV-1a over the elements, so equal arrays hash equal. */
uint32_t array_hash(const int32_t *a, size_t n);

/* ---- Bytecode interpreter ----------------------------------------------- */

/*
 * A stack machine with 32-bit cells. Instructions are one opcode byte and
 * little-endian immediates. Each call frame has VM_LOCALS locals; CALL
 * moves its arguments from the stack into the callee's first locals. OUT
 * pops a value into the machine's output (hashed, and printed if asked).
 */
enum vm_op {
	OP_HALT,	/* stop; the result is the top of the stack (0 if empty) */
	OP_PUSH,	/* imm32: push */
	OP_PUSH8,	/* simm8: push, sign-extended */
	OP_POP, OP_DUP, OP_SWAP, OP_OVER,
	OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD,	/* DIV/MOD are signed */
	OP_NEG, OP_AND, OP_OR, OP_XOR, OP_SHL, OP_SHR, OP_SAR,
	OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_LTU, /* push 1 or 0 */
	OP_JMP, OP_JZ, OP_JNZ,	/* simm16: pc-relative, from the next op */
	OP_LOAD, OP_STORE,	/* u8: local index */
	OP_INC,			/* u8 local, simm8 delta */
	OP_LDM, OP_STM,		/* memory: ( addr -- v ) and ( v addr -- ) */
	OP_CALL,		/* u16 absolute target, u8 argument count */
	OP_RET,			/* return the top of the stack to the caller */
	OP_OUT,			/* ( v -- ) */
	OP_COUNT
};

#define VM_LOCALS 8
#define VM_STACK 256
#define VM_FRAMES 64

/* Why vm_run stopped. */
enum vm_status {
	VM_OK, VM_DIVIDE_BY_ZERO, VM_STACK_OVERFLOW, VM_STACK_UNDERFLOW,
	VM_CALL_TOO_DEEP, VM_BAD_ADDRESS, VM_BAD_OPCODE, VM_STEP_LIMIT,
};

struct vm {
	const uint8_t *code;
	size_t code_len;
	int32_t *mem;		/* data memory for LDM/STM, mem_len cells */
	size_t mem_len;
	uint32_t max_steps;
	int print_output;	/* print each OUT value on its own line */

	/* results */
	enum vm_status status;
	int32_t result;
	uint32_t steps;		/* instructions executed */
	uint32_t outputs;	/* OUT count */
	uint32_t output_hash;	/* FNV-1a of the OUT values */
};

void vm_run(struct vm *vm);
const char *vm_status_name(enum vm_status s);

/* An assembler for VM programs, with forward labels. */
#define ASM_LABELS 32
#define ASM_FIXUPS 64
struct vm_asm {
	uint8_t *code;
	size_t cap, len;
	int32_t labels[ASM_LABELS];	/* bound address or -1 */
	int nlabels;
	struct { uint32_t at; int label; } fixups[ASM_FIXUPS];
	int nfixups;
	int error;		/* set when code, labels or fixups overflow */
};

void asm_init(struct vm_asm *a, uint8_t *buf, size_t cap);
void asm_op(struct vm_asm *a, enum vm_op op);
void asm_push(struct vm_asm *a, int32_t v);	/* PUSH8 when it fits */
void asm_local(struct vm_asm *a, enum vm_op op, uint8_t local);
void asm_inc(struct vm_asm *a, uint8_t local, int8_t delta);
int asm_label(struct vm_asm *a);
void asm_bind(struct vm_asm *a, int label);
void asm_jump(struct vm_asm *a, enum vm_op op, int label);
void asm_call(struct vm_asm *a, int label, uint8_t nargs);
/* Resolves the fixups; returns the code length, or 0 on error. */
size_t asm_finish(struct vm_asm *a);

/* Programs, assembled into buf (which must hold 512 bytes); each returns
 * the code length. */
size_t prog_fib_iter(uint8_t *buf, int32_t n);	/* OUTs fib(0..n) */
size_t prog_fib_rec(uint8_t *buf, int32_t n);	/* result fib(n), by recursion */
size_t prog_sieve(uint8_t *buf, int32_t n);	/* needs n cells of memory */
size_t prog_gcd_sum(uint8_t *buf, int32_t n);	/* sum of gcd(i,j), 1<=i,j<=n */
size_t prog_collatz(uint8_t *buf, int32_t n);	/* longest chain below n */

#endif /* IMAGES_LIB_H */
