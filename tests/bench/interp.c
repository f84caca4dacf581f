/*
 * interp — an interpreter, as scripting engines and packet filters are: a
 * register machine with byte-coded instructions decoded by a switch, running
 * a program that computes Collatz sequence lengths and greatest common
 * divisors (r6, r7 in; r0 out).
 */
#include "bench.h"

#define STEPS_MAX 4000000

enum { OP_LI, OP_MOV, OP_ADD, OP_SUB, OP_AND, OP_SHR, OP_MUL3, OP_JZ, OP_JNZ, OP_JLT, OP_JMP, OP_MOD, OP_HALT };

/* ins encodes op, two register numbers and an 8-bit signed operand. */
#define INS(op, a, b, k) (uint8_t)(op), (uint8_t)((a) << 4 | (b)), (uint8_t)(k)

struct machine {
	uint32_t r[16];
	uint32_t steps;
};

static uint32_t run(struct machine *m, const uint8_t *code, int len, uint32_t n)
{
	uint32_t pc = 0;
	m->r[8] = n;
	for (;;) {
		if (pc * 3 >= (uint32_t)len || m->steps++ >= STEPS_MAX)
			return 0xFFFFFFFF;
		const uint8_t *ins = &code[pc * 3];
		uint8_t op = ins[0], a = ins[1] >> 4, b = ins[1] & 15;
		int8_t k = (int8_t)ins[2];
		pc++;
		switch (op) {
		case OP_LI: m->r[a] = (uint32_t)k; break;
		case OP_MOV: m->r[a] = m->r[b]; break;
		case OP_ADD: m->r[a] += m->r[b]; break;
		case OP_SUB: m->r[a] -= m->r[b]; break;
		case OP_AND: m->r[a] &= m->r[b]; break;
		case OP_SHR: m->r[a] >>= k; break;
		case OP_MUL3: m->r[a] = m->r[a] * 3 + 1; break;
		case OP_MOD: m->r[a] = m->r[b] ? m->r[a] % m->r[b] : 0; break;
		case OP_JZ: if (!m->r[a]) pc += (uint32_t)k; break;
		case OP_JNZ: if (m->r[a]) pc += (uint32_t)k; break;
		case OP_JLT: if (m->r[a] < m->r[b]) pc += (uint32_t)k; break;
		case OP_JMP: pc += (uint32_t)k; break;
		case OP_HALT: return m->r[0];
		}
	}
}

/* code holds the Collatz program: r8 = n in, r0 = steps to reach 1 out. */
static uint8_t code[256];

static int assemble(void)
{
	static const uint8_t p[] = {
		INS(OP_LI, 5, 0, 1),	/* 0 r5 = 1 */
		INS(OP_LI, 1, 0, 0),	/* 1 r1 = 0 */
		INS(OP_MOV, 0, 8, 0),	/* 2 r0 = n */
		INS(OP_MOV, 4, 0, 0),	/* 3 loop: r4 = r0 */
		INS(OP_SUB, 4, 5, 0),	/* 4 r4 -= 1 */
		INS(OP_JZ, 4, 0, 8),	/* 5 r0 == 1: goto 14 */
		INS(OP_MOV, 4, 0, 0),	/* 6 r4 = r0 */
		INS(OP_AND, 4, 5, 0),	/* 7 r4 &= 1 */
		INS(OP_JZ, 4, 0, 2),	/* 8 even: goto 11 */
		INS(OP_MUL3, 0, 0, 0),	/* 9 odd: r0 = 3 r0 + 1 */
		INS(OP_JMP, 0, 0, 1),	/* 10 goto 12 */
		INS(OP_SHR, 0, 0, 1),	/* 11 r0 >>= 1 */
		INS(OP_ADD, 1, 5, 0),	/* 12 r1++ */
		INS(OP_JMP, 0, 0, -11),	/* 13 goto 3 */
		INS(OP_MOV, 0, 1, 0),	/* 14 r0 = steps */
		INS(OP_HALT, 0, 0, 0),	/* 15 */
	};
	memcpy(code, p, sizeof p);
	return (int)sizeof p;
}

static const uint8_t gcd_prog[] = {
	INS(OP_JZ, 7, 0, 4),	/* 0 b == 0: goto 5 */
	INS(OP_MOV, 4, 6, 0),	/* 1 t = a */
	INS(OP_MOD, 4, 7, 0),	/* 2 t %= b */
	INS(OP_MOV, 6, 7, 0),	/* 3 a = b */
	INS(OP_MOV, 7, 4, 0),	/* 4 b = t */
	INS(OP_JNZ, 7, 0, -6),	/* 5 b != 0: goto 0 */
	INS(OP_MOV, 0, 6, 0),	/* 6 r0 = a */
	INS(OP_HALT, 0, 0, 0),	/* 7 */
};

int main(uint32_t magic, void *info)
{
	uint32_t seed = 31337, h = 0x811C9DC5u;
	struct machine m = {0};

	int n = rounds(magic, info, 1);

	idt_install_exception_handlers();
	int len = assemble();
	for (int r = 0; r < n; r++) {
		for (uint32_t k = 1; k <= 1200; k++)
			h = mix(h, run(&m, code, len, k));
		for (int i = 0; i < 3000; i++) {
			m.r[6] = rnd(&seed) % 100000 + 1;
			m.r[7] = rnd(&seed) % 100000 + 1;
			h = mix(h, run(&m, gcd_prog, (int)sizeof gcd_prog, 0));
		}
		h = mix(h, m.steps);
		m.steps = 0;
	}
	return report("interp", h);
}
