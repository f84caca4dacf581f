//go:build ignore
/*
 * lib.c — the algorithms the test images share. See lib.h.
 */
#include "lib.h"

/* ---- Pseudo-random numbers ---------------------------------------------- */

uint32_t lcg32(uint32_t *state)
{
	*state = *state * 1664525u + 1013904223u;
	return *state ^ (*state >> 16);
}

uint64_t lcg64(uint64_t *state)
{
	*state = *state * 6364136223846793005ull + 1442695040888963407ull;
	return *state;
}

void lcg_fill(void *buf, size_t n, uint32_t seed)
{
	uint8_t *p = buf;

	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(lcg32(&seed) >> 8);
}

/* ---- CRC32 (IEEE 802.3, reflected, polynomial 0xEDB88320) --------------- */

static uint32_t crc32_table[256];
static int crc32_table_ready;

static void crc32_make_table(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		crc32_table[i] = c;
	}
	crc32_table_ready = 1;
}

uint32_t crc32_update(uint32_t crc, const void *data, size_t n)
{
	const uint8_t *p = data;

	if (!crc32_table_ready)
		crc32_make_table();
	crc = ~crc;
	while (n-- != 0)
		crc = crc32_table[(crc ^ *p++) & 0xFF] ^ (crc >> 8);
	return ~crc;
}

uint32_t crc32_bitwise(uint32_t crc, const void *data, size_t n)
{
	const uint8_t *p = data;

	crc = ~crc;
	while (n-- != 0) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xEDB88320u & -(crc & 1));
	}
	return ~crc;
}

uint32_t crc32(const void *data, size_t n)
{
	return crc32_update(0, data, n);
}

/* ---- FNV-1a ------------------------------------------------------------- */

uint32_t fnv1a32(uint32_t h, const void *data, size_t n)
{
	const uint8_t *p = data;

	while (n-- != 0)
		h = (h ^ *p++) * 0x01000193u;
	return h;
}

uint64_t fnv1a64(uint64_t h, const void *data, size_t n)
{
	const uint8_t *p = data;

	while (n-- != 0)
		h = (h ^ *p++) * 0x00000100000001B3ull;
	return h;
}

uint32_t fnv1a32_word(uint32_t h, uint32_t word)
{
	for (int i = 0; i < 4; i++, word >>= 8)
		h = (h ^ (word & 0xFF)) * 0x01000193u;
	return h;
}

/* ---- SHA-256 (FIPS 180-4) ----------------------------------------------- */

static const uint32_t sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t ror32(uint32_t x, int n)
{
	return (x >> n) | (x << (32 - n));
}

static void sha256_block(struct sha256 *c, const uint8_t *p)
{
	uint32_t w[64], s[8];
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (; i < 64; i++) {
		uint32_t s0 = ror32(w[i - 15], 7) ^ ror32(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ror32(w[i - 2], 17) ^ ror32(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	for (i = 0; i < 8; i++)
		s[i] = c->state[i];
	for (i = 0; i < 64; i++) {
		uint32_t e = s[4], a = s[0];
		uint32_t t1 = s[7] + (ror32(e, 6) ^ ror32(e, 11) ^ ror32(e, 25)) +
			      ((e & s[5]) ^ (~e & s[6])) + sha256_k[i] + w[i];
		uint32_t t2 = (ror32(a, 2) ^ ror32(a, 13) ^ ror32(a, 22)) +
			      ((a & s[1]) ^ (a & s[2]) ^ (s[1] & s[2]));
		s[7] = s[6];
		s[6] = s[5];
		s[5] = s[4];
		s[4] = s[3] + t1;
		s[3] = s[2];
		s[2] = s[1];
		s[1] = s[0];
		s[0] = t1 + t2;
	}
	for (i = 0; i < 8; i++)
		c->state[i] += s[i];
}

void sha256_init(struct sha256 *c)
{
	static const uint32_t h0[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};

	memcpy(c->state, h0, sizeof h0);
	c->length = 0;
	c->used = 0;
}

void sha256_update(struct sha256 *c, const void *data, size_t n)
{
	const uint8_t *p = data;

	c->length += n;
	while (n != 0) {
		if (c->used == 0 && n >= 64) {
			sha256_block(c, p);
			p += 64;
			n -= 64;
			continue;
		}
		size_t take = 64 - c->used;
		if (take > n)
			take = n;
		memcpy(c->block + c->used, p, take);
		c->used += take;
		p += take;
		n -= take;
		if (c->used == 64) {
			sha256_block(c, c->block);
			c->used = 0;
		}
	}
}

void sha256_final(struct sha256 *c, uint8_t digest[32])
{
	uint64_t bits = c->length * 8;
	uint8_t pad[72] = { 0x80 };
	size_t padlen = (c->used < 56 ? 56 : 120) - c->used;

	for (int i = 0; i < 8; i++)
		pad[padlen + i] = (uint8_t)(bits >> (56 - 8 * i));
	sha256_update(c, pad, padlen + 8);
	for (int i = 0; i < 8; i++) {
		digest[4 * i] = (uint8_t)(c->state[i] >> 24);
		digest[4 * i + 1] = (uint8_t)(c->state[i] >> 16);
		digest[4 * i + 2] = (uint8_t)(c->state[i] >> 8);
		digest[4 * i + 3] = (uint8_t)c->state[i];
	}
}

void sha256(const void *data, size_t n, uint8_t digest[32])
{
	struct sha256 c;

	sha256_init(&c);
	sha256_update(&c, data, n);
	sha256_final(&c, digest);
}

void print_digest(const uint8_t digest[32])
{
	for (int i = 0; i < 32; i++)
		printf("%02x", digest[i]);
}

/* ---- Sorting ------------------------------------------------------------ */

uint32_t sort_compares;

#define LESS(x, y) (sort_compares++, (x) < (y))

static void swap(int32_t *a, size_t i, size_t j)
{
	int32_t t = a[i];
	a[i] = a[j];
	a[j] = t;
}

void insertion_sort(int32_t *a, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		int32_t v = a[i];
		size_t j = i;
		while (j > 0 && LESS(v, a[j - 1])) {
			a[j] = a[j - 1];
			j--;
		}
		a[j] = v;
	}
}

/* Quicksort: median-of-three pivot, Hoare partition, recursion on the
 * smaller part only (so the depth stays logarithmic), insertion sort for
 * short ranges. */
void quick_sort(int32_t *a, size_t n)
{
	while (n > 16) {
		size_t mid = n / 2, last = n - 1;

		if (LESS(a[mid], a[0]))
			swap(a, mid, 0);
		if (LESS(a[last], a[mid])) {
			swap(a, last, mid);
			if (LESS(a[mid], a[0]))
				swap(a, mid, 0);
		}
		int32_t pivot = a[mid];
		size_t i = 0, j = last;
		for (;;) {
			while (LESS(a[i], pivot))
				i++;
			while (LESS(pivot, a[j]))
				j--;
			if (i >= j)
				break;
			swap(a, i, j);
			i++;
			j--;
		}
		/* a[0..j] <= pivot <= a[j+1..n-1] */
		size_t left = j + 1, right = n - left;
		if (left < right) {
			quick_sort(a, left);
			a += left;
			n = right;
		} else {
			quick_sort(a + left, right);
			n = left;
		}
	}
	insertion_sort(a, n);
}

static void sift_down(int32_t *a, size_t root, size_t n)
{
	for (;;) {
		size_t child = 2 * root + 1;
		if (child >= n)
			return;
		if (child + 1 < n && LESS(a[child], a[child + 1]))
			child++;
		if (!LESS(a[root], a[child]))
			return;
		swap(a, root, child);
		root = child;
	}
}

void heap_sort(int32_t *a, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		sift_down(a, i, n);
	for (size_t end = n; end > 1; end--) {
		swap(a, 0, end - 1);
		sift_down(a, 0, end - 1);
	}
}

void merge_sort(int32_t *a, size_t n, int32_t *tmp)
{
	if (n < 2)
		return;
	size_t half = n / 2;
	merge_sort(a, half, tmp);
	merge_sort(a + half, n - half, tmp);

	size_t i = 0, j = half, k = 0;
	while (i < half && j < n)
		tmp[k++] = LESS(a[j], a[i]) ? a[j++] : a[i++];
	while (i < half)
		tmp[k++] = a[i++];
	/* a[j..n) is already in place */
	memcpy(a, tmp, k * sizeof *a);
}

int is_sorted(const int32_t *a, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (a[i] < a[i - 1])
			return 0;
	return 1;
}

uint32_t array_hash(const int32_t *a, size_t n)
{
	uint32_t h = FNV32_OFFSET;

	for (size_t i = 0; i < n; i++)
		h = fnv1a32_word(h, (uint32_t)a[i]);
	return h;
}

/* ---- Bytecode interpreter ----------------------------------------------- */

const char *vm_status_name(enum vm_status s)
{
	static const char *const names[] = {
		"ok", "divide by zero", "stack overflow", "stack underflow",
		"call too deep", "bad address", "bad opcode", "step limit",
	};
	return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "?";
}

void vm_run(struct vm *vm)
{
	int32_t stack[VM_STACK];
	struct {
		uint32_t return_pc;
		int32_t locals[VM_LOCALS];
	} frames[VM_FRAMES];
	const uint8_t *code = vm->code;
	uint32_t pc = 0, steps = 0;
	int sp = 0, fp = 0;
	int32_t *locals = frames[0].locals;
	int32_t a, b;
	enum vm_status status = VM_OK;

	memset(frames[0].locals, 0, sizeof frames[0].locals);
	vm->outputs = 0;
	vm->output_hash = FNV32_OFFSET;

/* Operand access, each with its check. */
#define NEED(k) do { if (sp < (k)) { status = VM_STACK_UNDERFLOW; goto stop; } } while (0)
#define ROOM(k) do { if (sp + (k) > VM_STACK) { status = VM_STACK_OVERFLOW; goto stop; } } while (0)
#define IMM8() ((int8_t)code[pc++])
#define IMM16() (pc += 2, (int16_t)(code[pc - 2] | code[pc - 1] << 8))
#define BINARY(expr) do { NEED(2); b = stack[--sp]; a = stack[sp - 1]; stack[sp - 1] = (expr); } while (0)

	for (;;) {
		if (steps == vm->max_steps) {
			status = VM_STEP_LIMIT;
			goto stop;
		}
		steps++;
		if (pc >= vm->code_len) {
			status = VM_BAD_ADDRESS;
			goto stop;
		}
		switch (code[pc++]) {
		case OP_HALT:
			vm->result = sp > 0 ? stack[sp - 1] : 0;
			goto stop;
		case OP_PUSH:
			ROOM(1);
			stack[sp++] = (int32_t)(code[pc] | code[pc + 1] << 8 |
						code[pc + 2] << 16 | (uint32_t)code[pc + 3] << 24);
			pc += 4;
			break;
		case OP_PUSH8:
			ROOM(1);
			stack[sp++] = IMM8();
			break;
		case OP_POP:
			NEED(1);
			sp--;
			break;
		case OP_DUP:
			NEED(1);
			ROOM(1);
			stack[sp] = stack[sp - 1];
			sp++;
			break;
		case OP_SWAP:
			NEED(2);
			a = stack[sp - 1];
			stack[sp - 1] = stack[sp - 2];
			stack[sp - 2] = a;
			break;
		case OP_OVER:
			NEED(2);
			ROOM(1);
			stack[sp] = stack[sp - 2];
			sp++;
			break;
		case OP_ADD: BINARY((int32_t)((uint32_t)a + (uint32_t)b)); break;
		case OP_SUB: BINARY((int32_t)((uint32_t)a - (uint32_t)b)); break;
		case OP_MUL: BINARY((int32_t)((uint32_t)a * (uint32_t)b)); break;
		case OP_DIV:
		case OP_MOD:
			NEED(2);
			if (stack[sp - 1] == 0) {
				status = VM_DIVIDE_BY_ZERO;
				goto stop;
			}
			if (stack[sp - 1] == -1) {	/* INT32_MIN / -1 must not trap */
				if (code[pc - 1] == OP_DIV)
					BINARY((int32_t)-(uint32_t)a);
				else
					BINARY(0);
			} else if (code[pc - 1] == OP_DIV) {
				BINARY(a / b);
			} else {
				BINARY(a % b);
			}
			break;
		case OP_NEG:
			NEED(1);
			stack[sp - 1] = (int32_t)-(uint32_t)stack[sp - 1];
			break;
		case OP_AND: BINARY(a & b); break;
		case OP_OR: BINARY(a | b); break;
		case OP_XOR: BINARY(a ^ b); break;
		case OP_SHL: BINARY((int32_t)((uint32_t)a << (b & 31))); break;
		case OP_SHR: BINARY((int32_t)((uint32_t)a >> (b & 31))); break;
		case OP_SAR: BINARY(a >> (b & 31)); break;
		case OP_EQ: BINARY(a == b); break;
		case OP_NE: BINARY(a != b); break;
		case OP_LT: BINARY(a < b); break;
		case OP_LE: BINARY(a <= b); break;
		case OP_GT: BINARY(a > b); break;
		case OP_GE: BINARY(a >= b); break;
		case OP_LTU: BINARY((uint32_t)a < (uint32_t)b); break;
		case OP_JMP:
			a = IMM16();
			pc += a;
			break;
		case OP_JZ:
		case OP_JNZ:
			NEED(1);
			b = code[pc - 1] == OP_JZ;
			a = IMM16();
			if ((stack[--sp] == 0) == b)
				pc += a;
			break;
		case OP_LOAD:
			ROOM(1);
			stack[sp++] = locals[code[pc++] % VM_LOCALS];
			break;
		case OP_STORE:
			NEED(1);
			locals[code[pc++] % VM_LOCALS] = stack[--sp];
			break;
		case OP_INC:
			a = code[pc++] % VM_LOCALS;
			locals[a] = (int32_t)((uint32_t)locals[a] + (uint32_t)IMM8());
			break;
		case OP_LDM:
			NEED(1);
			if ((uint32_t)stack[sp - 1] >= vm->mem_len) {
				status = VM_BAD_ADDRESS;
				goto stop;
			}
			stack[sp - 1] = vm->mem[stack[sp - 1]];
			break;
		case OP_STM:
			NEED(2);
			if ((uint32_t)stack[sp - 1] >= vm->mem_len) {
				status = VM_BAD_ADDRESS;
				goto stop;
			}
			vm->mem[stack[sp - 1]] = stack[sp - 2];
			sp -= 2;
			break;
		case OP_CALL: {
			uint32_t target = code[pc] | code[pc + 1] << 8;
			int nargs = code[pc + 2];
			pc += 3;
			NEED(nargs);
			if (fp + 1 == VM_FRAMES || nargs > VM_LOCALS) {
				status = VM_CALL_TOO_DEEP;
				goto stop;
			}
			fp++;
			frames[fp].return_pc = pc;
			locals = frames[fp].locals;
			memset(locals, 0, sizeof frames[fp].locals);
			sp -= nargs;
			memcpy(locals, &stack[sp], nargs * sizeof *locals);
			pc = target;
			break;
		}
		case OP_RET:
			NEED(1);
			if (fp == 0) {		/* a return from the top: halt */
				vm->result = stack[sp - 1];
				goto stop;
			}
			pc = frames[fp].return_pc;
			fp--;
			locals = frames[fp].locals;
			break;
		case OP_OUT:
			NEED(1);
			a = stack[--sp];
			vm->outputs++;
			vm->output_hash = fnv1a32_word(vm->output_hash, (uint32_t)a);
			if (vm->print_output)
				printf("  out %d\n", a);
			break;
		default:
			status = VM_BAD_OPCODE;
			goto stop;
		}
	}
stop:
	vm->status = status;
	vm->steps = steps;
	if (status != VM_OK)
		vm->result = 0;
#undef NEED
#undef ROOM
#undef IMM8
#undef IMM16
#undef BINARY
}

/* ---- The assembler ------------------------------------------------------ */

void asm_init(struct vm_asm *a, uint8_t *buf, size_t cap)
{
	a->code = buf;
	a->cap = cap;
	a->len = 0;
	a->nlabels = 0;
	a->nfixups = 0;
	a->error = 0;
}

static void emit8(struct vm_asm *a, uint32_t b)
{
	if (a->len < a->cap)
		a->code[a->len++] = (uint8_t)b;
	else
		a->error = 1;
}

static void emit16(struct vm_asm *a, uint32_t v)
{
	emit8(a, v);
	emit8(a, v >> 8);
}

void asm_op(struct vm_asm *a, enum vm_op op)
{
	emit8(a, op);
}

void asm_push(struct vm_asm *a, int32_t v)
{
	if (v >= -128 && v <= 127) {
		emit8(a, OP_PUSH8);
		emit8(a, (uint32_t)v);
	} else {
		emit8(a, OP_PUSH);
		emit16(a, (uint32_t)v);
		emit16(a, (uint32_t)v >> 16);
	}
}

void asm_local(struct vm_asm *a, enum vm_op op, uint8_t local)
{
	emit8(a, op);
	emit8(a, local);
}

void asm_inc(struct vm_asm *a, uint8_t local, int8_t delta)
{
	emit8(a, OP_INC);
	emit8(a, local);
	emit8(a, (uint8_t)delta);
}

int asm_label(struct vm_asm *a)
{
	if (a->nlabels == ASM_LABELS) {
		a->error = 1;
		return 0;
	}
	a->labels[a->nlabels] = -1;
	return a->nlabels++;
}

void asm_bind(struct vm_asm *a, int label)
{
	a->labels[label] = (int32_t)a->len;
}

static void add_fixup(struct vm_asm *a, int label)
{
	if (a->nfixups == ASM_FIXUPS) {
		a->error = 1;
		return;
	}
	a->fixups[a->nfixups].at = a->len;
	a->fixups[a->nfixups].label = label;
	a->nfixups++;
}

void asm_jump(struct vm_asm *a, enum vm_op op, int label)
{
	emit8(a, op);
	add_fixup(a, label);
	emit16(a, 0);
}

void asm_call(struct vm_asm *a, int label, uint8_t nargs)
{
	emit8(a, OP_CALL);
	add_fixup(a, label);
	emit16(a, 0);
	emit8(a, nargs);
}

size_t asm_finish(struct vm_asm *a)
{
	for (int i = 0; i < a->nfixups && !a->error; i++) {
		uint32_t at = a->fixups[i].at;
		int32_t target = a->labels[a->fixups[i].label];
		if (target < 0) {
			a->error = 1;
			break;
		}
		/* CALL takes an absolute address; jumps are relative to the
		 * end of their 16-bit operand. */
		int32_t v = a->code[at - 1] == OP_CALL ? target : target - (int32_t)(at + 2);
		a->code[at] = (uint8_t)v;
		a->code[at + 1] = (uint8_t)(v >> 8);
	}
	return a->error ? 0 : a->len;
}

/* ---- Programs ----------------------------------------------------------- */

#define PROG_CAP 512

/* Locals: 0 a, 1 b, 2 i, 3 t. OUTs fib(i) for i = 0..n; result fib(n+1). */
size_t prog_fib_iter(uint8_t *buf, int32_t n)
{
	struct vm_asm s, *a = &s;
	asm_init(a, buf, PROG_CAP);
	int loop = asm_label(a), end = asm_label(a);

	asm_push(a, 0); asm_local(a, OP_STORE, 0);
	asm_push(a, 1); asm_local(a, OP_STORE, 1);
	asm_push(a, 0); asm_local(a, OP_STORE, 2);
	asm_bind(a, loop);
	asm_local(a, OP_LOAD, 2); asm_push(a, n); asm_op(a, OP_GT);
	asm_jump(a, OP_JNZ, end);
	asm_local(a, OP_LOAD, 0); asm_op(a, OP_OUT);
	asm_local(a, OP_LOAD, 0); asm_local(a, OP_LOAD, 1); asm_op(a, OP_ADD);
	asm_local(a, OP_STORE, 3);
	asm_local(a, OP_LOAD, 1); asm_local(a, OP_STORE, 0);
	asm_local(a, OP_LOAD, 3); asm_local(a, OP_STORE, 1);
	asm_inc(a, 2, 1);
	asm_jump(a, OP_JMP, loop);
	asm_bind(a, end);
	asm_local(a, OP_LOAD, 0);
	asm_op(a, OP_HALT);
	return asm_finish(a);
}

/* fib(n) = n < 2 ? n : fib(n-1) + fib(n-2), as a recursive VM function. */
size_t prog_fib_rec(uint8_t *buf, int32_t n)
{
	struct vm_asm s, *a = &s;
	asm_init(a, buf, PROG_CAP);
	int fib = asm_label(a), recurse = asm_label(a);

	asm_push(a, n);
	asm_call(a, fib, 1);
	asm_op(a, OP_HALT);

	asm_bind(a, fib);		/* local 0: n */
	asm_local(a, OP_LOAD, 0); asm_push(a, 2); asm_op(a, OP_LT);
	asm_jump(a, OP_JZ, recurse);
	asm_local(a, OP_LOAD, 0);
	asm_op(a, OP_RET);
	asm_bind(a, recurse);
	asm_local(a, OP_LOAD, 0); asm_push(a, 1); asm_op(a, OP_SUB);
	asm_call(a, fib, 1);
	asm_local(a, OP_LOAD, 0); asm_push(a, 2); asm_op(a, OP_SUB);
	asm_call(a, fib, 1);
	asm_op(a, OP_ADD);
	asm_op(a, OP_RET);
	return asm_finish(a);
}

/*
 * Sieve of Eratosthenes over mem[0..n). Locals: 0 i, 1 j, 2 count, 3 sum.
 * OUTs the primes above n - 64, then the count and the sum of the primes
 * below n; the result is the count.
 */
size_t prog_sieve(uint8_t *buf, int32_t n)
{
	struct vm_asm s, *a = &s;
	asm_init(a, buf, PROG_CAP);
	int fill = asm_label(a), filled = asm_label(a);
	int outer = asm_label(a), inner = asm_label(a), next = asm_label(a);
	int count = asm_label(a), skip = asm_label(a), quiet = asm_label(a);
	int done = asm_label(a);

	/* mem[i] = 1 for every i, then mem[0] = mem[1] = 0 */
	asm_push(a, 0); asm_local(a, OP_STORE, 0);
	asm_bind(a, fill);
	asm_local(a, OP_LOAD, 0); asm_push(a, n); asm_op(a, OP_LT);
	asm_jump(a, OP_JZ, filled);
	asm_push(a, 1); asm_local(a, OP_LOAD, 0); asm_op(a, OP_STM);
	asm_inc(a, 0, 1);
	asm_jump(a, OP_JMP, fill);
	asm_bind(a, filled);
	asm_push(a, 0); asm_push(a, 0); asm_op(a, OP_STM);
	asm_push(a, 0); asm_push(a, 1); asm_op(a, OP_STM);

	/* for (i = 2; i * i < n; i++) if (mem[i]) for (j = i*i; j < n; j += i) mem[j] = 0 */
	asm_push(a, 2); asm_local(a, OP_STORE, 0);
	asm_bind(a, outer);
	asm_local(a, OP_LOAD, 0); asm_op(a, OP_DUP); asm_op(a, OP_MUL);
	asm_push(a, n); asm_op(a, OP_LT);
	asm_jump(a, OP_JZ, count);
	asm_local(a, OP_LOAD, 0); asm_op(a, OP_LDM);
	asm_jump(a, OP_JZ, next);
	asm_local(a, OP_LOAD, 0); asm_op(a, OP_DUP); asm_op(a, OP_MUL);
	asm_local(a, OP_STORE, 1);
	asm_bind(a, inner);
	asm_local(a, OP_LOAD, 1); asm_push(a, n); asm_op(a, OP_LT);
	asm_jump(a, OP_JZ, next);
	asm_push(a, 0); asm_local(a, OP_LOAD, 1); asm_op(a, OP_STM);
	asm_local(a, OP_LOAD, 1); asm_local(a, OP_LOAD, 0); asm_op(a, OP_ADD);
	asm_local(a, OP_STORE, 1);
	asm_jump(a, OP_JMP, inner);
	asm_bind(a, next);
	asm_inc(a, 0, 1);
	asm_jump(a, OP_JMP, outer);

	/* count and sum the primes, OUT the last ones */
	asm_bind(a, count);
	asm_push(a, 0); asm_local(a, OP_STORE, 0);
	asm_push(a, 0); asm_local(a, OP_STORE, 2);
	asm_push(a, 0); asm_local(a, OP_STORE, 3);
	asm_bind(a, skip);		/* loop head; entered after each number */
	asm_local(a, OP_LOAD, 0); asm_push(a, n); asm_op(a, OP_LT);
	asm_jump(a, OP_JZ, done);
	asm_local(a, OP_LOAD, 0); asm_op(a, OP_LDM);
	asm_inc(a, 0, 1);		/* i++ now; the number is i - 1 below */
	asm_jump(a, OP_JZ, skip);
	asm_inc(a, 2, 1);
	asm_local(a, OP_LOAD, 3); asm_local(a, OP_LOAD, 0); asm_op(a, OP_ADD);
	asm_push(a, 1); asm_op(a, OP_SUB);
	asm_local(a, OP_STORE, 3);
	asm_local(a, OP_LOAD, 0); asm_push(a, n - 63); asm_op(a, OP_LE);
	asm_jump(a, OP_JNZ, quiet);
	asm_local(a, OP_LOAD, 0); asm_push(a, 1); asm_op(a, OP_SUB);
	asm_op(a, OP_OUT);
	asm_bind(a, quiet);
	asm_jump(a, OP_JMP, skip);
	asm_bind(a, done);
	asm_local(a, OP_LOAD, 2); asm_op(a, OP_OUT);
	asm_local(a, OP_LOAD, 3); asm_op(a, OP_OUT);
	asm_local(a, OP_LOAD, 2);
	asm_op(a, OP_HALT);
	return asm_finish(a);
}

/* Sum of gcd(i, j) for 1 <= i, j <= n by Euclid's algorithm; OUTs the
 * running sum after each i. Locals: 0 i, 1 j, 2 x, 3 y, 4 t, 5 sum. */
size_t prog_gcd_sum(uint8_t *buf, int32_t n)
{
	struct vm_asm s, *a = &s;
	asm_init(a, buf, PROG_CAP);
	int rows = asm_label(a), cols = asm_label(a), euclid = asm_label(a);
	int found = asm_label(a), next_row = asm_label(a), done = asm_label(a);

	asm_push(a, 0); asm_local(a, OP_STORE, 5);
	asm_push(a, 1); asm_local(a, OP_STORE, 0);
	asm_bind(a, rows);
	asm_local(a, OP_LOAD, 0); asm_push(a, n); asm_op(a, OP_GT);
	asm_jump(a, OP_JNZ, done);
	asm_push(a, 1); asm_local(a, OP_STORE, 1);
	asm_bind(a, cols);
	asm_local(a, OP_LOAD, 1); asm_push(a, n); asm_op(a, OP_GT);
	asm_jump(a, OP_JNZ, next_row);
	asm_local(a, OP_LOAD, 0); asm_local(a, OP_STORE, 2);
	asm_local(a, OP_LOAD, 1); asm_local(a, OP_STORE, 3);
	asm_bind(a, euclid);
	asm_local(a, OP_LOAD, 3);
	asm_jump(a, OP_JZ, found);
	asm_local(a, OP_LOAD, 2); asm_local(a, OP_LOAD, 3); asm_op(a, OP_MOD);
	asm_local(a, OP_STORE, 4);
	asm_local(a, OP_LOAD, 3); asm_local(a, OP_STORE, 2);
	asm_local(a, OP_LOAD, 4); asm_local(a, OP_STORE, 3);
	asm_jump(a, OP_JMP, euclid);
	asm_bind(a, found);
	asm_local(a, OP_LOAD, 5); asm_local(a, OP_LOAD, 2); asm_op(a, OP_ADD);
	asm_local(a, OP_STORE, 5);
	asm_inc(a, 1, 1);
	asm_jump(a, OP_JMP, cols);
	asm_bind(a, next_row);
	asm_local(a, OP_LOAD, 5); asm_op(a, OP_OUT);
	asm_inc(a, 0, 1);
	asm_jump(a, OP_JMP, rows);
	asm_bind(a, done);
	asm_local(a, OP_LOAD, 5);
	asm_op(a, OP_HALT);
	return asm_finish(a);
}

/* The start below n of the longest Collatz chain; OUTs each new record as
 * (start, steps). Locals: 0 k, 1 x, 2 steps, 3 best, 4 best_k. */
size_t prog_collatz(uint8_t *buf, int32_t n)
{
	struct vm_asm s, *a = &s;
	asm_init(a, buf, PROG_CAP);
	int starts = asm_label(a), chain = asm_label(a), even = asm_label(a);
	int stepped = asm_label(a), ended = asm_label(a), next = asm_label(a);
	int done = asm_label(a);

	asm_push(a, -1); asm_local(a, OP_STORE, 3);
	asm_push(a, 1); asm_local(a, OP_STORE, 0);
	asm_bind(a, starts);
	asm_local(a, OP_LOAD, 0); asm_push(a, n); asm_op(a, OP_LT);
	asm_jump(a, OP_JZ, done);
	asm_local(a, OP_LOAD, 0); asm_local(a, OP_STORE, 1);
	asm_push(a, 0); asm_local(a, OP_STORE, 2);
	asm_bind(a, chain);
	asm_local(a, OP_LOAD, 1); asm_push(a, 1); asm_op(a, OP_NE);
	asm_jump(a, OP_JZ, ended);
	asm_local(a, OP_LOAD, 1); asm_push(a, 1); asm_op(a, OP_AND);
	asm_jump(a, OP_JZ, even);
	asm_local(a, OP_LOAD, 1); asm_push(a, 3); asm_op(a, OP_MUL);
	asm_push(a, 1); asm_op(a, OP_ADD);
	asm_local(a, OP_STORE, 1);
	asm_jump(a, OP_JMP, stepped);
	asm_bind(a, even);
	asm_local(a, OP_LOAD, 1); asm_push(a, 1); asm_op(a, OP_SHR);
	asm_local(a, OP_STORE, 1);
	asm_bind(a, stepped);
	asm_inc(a, 2, 1);
	asm_jump(a, OP_JMP, chain);
	asm_bind(a, ended);
	asm_local(a, OP_LOAD, 2); asm_local(a, OP_LOAD, 3); asm_op(a, OP_GT);
	asm_jump(a, OP_JZ, next);
	asm_local(a, OP_LOAD, 2); asm_local(a, OP_STORE, 3);
	asm_local(a, OP_LOAD, 0); asm_local(a, OP_STORE, 4);
	asm_local(a, OP_LOAD, 0); asm_op(a, OP_OUT);
	asm_local(a, OP_LOAD, 2); asm_op(a, OP_OUT);
	asm_bind(a, next);
	asm_inc(a, 0, 1);
	asm_jump(a, OP_JMP, starts);
	asm_bind(a, done);
	asm_local(a, OP_LOAD, 4);
	asm_op(a, OP_HALT);
	return asm_finish(a);
}
