//go:build ignore
/*
 * flags.c — integer instructions and the flags they leave, at 8, 16 and 32
 * bits. Each instruction runs in inline assembly between a POPF that sets
 * the input flags and a PUSHF that captures the output, twice per operand
 * pair: once with every arithmetic flag clear and once with every one set,
 * which exercises carry-in (ADC, SBB, RCL, RCR) and shows which flags an
 * instruction leaves alone.
 *
 * Only the flags the Intel and AMD manuals both define are compared: each
 * instruction has a rule (the "defined" column below) that masks the rest,
 * and cases whose result is undefined (SHLD/SHRD of 16 bits by more than
 * 16, division overflow) are skipped, so the transcript is the same on any
 * correct x86.
 *
 * For each instruction the transcript has detail lines for a few chosen
 * operands — "name a b | r f | r f" for input flags clear | set, with a
 * second result where the instruction has one — and a summary line with
 * the number of cases and a hash over all of them: every 8-bit value pair
 * for ADC and SBB (so ADD and SUB too), every 8-bit value for the unary
 * and shift forms, and edge values plus LCG values at 16 and 32 bits.
 *
 * Then the conditions (SETcc, CMOVcc, Jcc against a model, for every
 * combination of the six flags), LAHF/SAHF, CMPXCHG8B, and BT/BTS/BTR/BTC
 * on memory with bit offsets outside the addressed word.
 */
#include "lib.h"

#define CF 0x001
#define PF 0x004
#define AF 0x010
#define ZF 0x040
#define SF 0x080
#define OF 0x800
#define ALL (CF | PF | AF | ZF | SF | OF)

/* The two input flag states: all arithmetic flags clear, all set (bit 1 of
 * EFLAGS is always 1). */
#define FLAGS_CLEAR 0x002u
#define FLAGS_SET (0x002u | ALL)

static int failures;

struct result {
	uint32_t r, r2, flags;
};

/* Runs one instruction on a, b with EFLAGS = fin; returns 0 (and runs
 * nothing) when the case is undefined. */
typedef int (*op_fn)(uint32_t a, uint32_t b, uint32_t fin, struct result *o);

#define POPF "pushl %[fin]\n\tpopfl\n\t"
#define PUSHF "\n\tpushfl\n\tpopl %[f]"

/* ---- Instruction wrappers, by operand shape ----------------------------- */

/* x = x op y */
#define OP_BINARY(fn, insn, T)							\
	static int fn(uint32_t a, uint32_t b, uint32_t fin, struct result *o)	\
	{									\
		T x = (T)a, y = (T)b;						\
		uint32_t f;							\
		__asm__ volatile(POPF insn " %[y], %[x]" PUSHF			\
				 : [x] "+q"(x), [f] "=&r"(f)			\
				 : [y] "q"(y), [fin] "r"(fin) : "cc");		\
		o->r = x;							\
		o->flags = f;							\
		return 1;							\
	}

/* m = m op y, m in memory */
#define OP_BINARY_MEM(fn, insn, T)						\
	static int fn(uint32_t a, uint32_t b, uint32_t fin, struct result *o)	\
	{									\
		T m = (T)a, y = (T)b;						\
		uint32_t f;							\
		__asm__ volatile(POPF insn " %[y], %[m]" PUSHF			\
				 : [m] "+m"(m), [f] "=&r"(f)			\
				 : [y] "q"(y), [fin] "r"(fin) : "cc", "memory"); \
		o->r = m;							\
		o->flags = f;							\
		return 1;							\
	}

/* x = op x; insn may carry an immediate ("addl $-1,") */
#define OP_UNARY(fn, insn, T)							\
	static int fn(uint32_t a, uint32_t b, uint32_t fin, struct result *o)	\
	{									\
		T x = (T)a;							\
		uint32_t f;							\
		(void)b;							\
		__asm__ volatile(POPF insn " %[x]" PUSHF			\
				 : [x] "+q"(x), [f] "=&r"(f)			\
				 : [fin] "r"(fin) : "cc");			\
		o->r = x;							\
		o->flags = f;							\
		return 1;							\
	}

#define OP_UNARY_MEM(fn, insn, T)						\
	static int fn(uint32_t a, uint32_t b, uint32_t fin, struct result *o)	\
	{									\
		T m = (T)a;							\
		uint32_t f;							\
		(void)b;							\
		__asm__ volatile(POPF insn " %[m]" PUSHF			\
				 : [m] "+m"(m), [f] "=&r"(f)			\
				 : [fin] "r"(fin) : "cc", "memory");		\
		o->r = m;							\
		o->flags = f;							\
		return 1;							\
	}

/* no operands (CLC, STC, CMC) */
#define OP_NONE(fn, insn)							\
	static int fn(uint32_t a, uint32_t b, uint32_t fin, struct result *o)	\
	{									\
		uint32_t f;							\
		(void)a;							\
		(void)b;							\
		__asm__ volatile(POPF insn PUSHF : [f] "=&r"(f) : [fin] "r"(fin) : "cc"); \
		o->flags = f;							\
		return 1;							\
	}

/* x = x shifted by CL = b */
#define OP_SHIFT_CL(fn, insn, T)						\
	static int fn(uint32_t a, uint32_t b, uint32_t fin, struct result *o)	\
	{									\
		T x = (T)a;							\
		uint8_t c = (uint8_t)b;						\
		uint32_t f;							\
		__asm__ volatile(POPF insn " %%cl, %[x]" PUSHF			\
				 : [x] "+q"(x), [f] "=&r"(f)			\
				 : "c"(c), [fin] "r"(fin) : "cc");		\
		o->r = x;							\
		o->flags = f;							\
		return 1;							\
	}

/* The second operand of SHLD/SHRD, derived from the first. */
static uint32_t shd_source(uint32_t a)
{
	return ((a >> 8) | (a << 24)) ^ 0xF0F0F0F0u;
}

/* x = SHLD/SHRD(x, source, CL = b); 16-bit counts above 16 are undefined */
#define OP_SHD_CL(fn, insn, T)							\
	static int fn(uint32_t a, uint32_t b, uint32_t fin, struct result *o)	\
	{									\
		T x = (T)a, y = (T)shd_source(a);				\
		uint8_t c = (uint8_t)b;						\
		uint32_t f;							\
		if (sizeof(T) == 2 && (c & 31) > 16)				\
			return 0;						\
		__asm__ volatile(POPF insn " %%cl, %[y], %[x]" PUSHF		\
				 : [x] "+r"(x), [f] "=&r"(f)			\
				 : [y] "r"(y), "c"(c), [fin] "r"(fin) : "cc");	\
		o->r = x;							\
		o->r2 = y;							\
		o->flags = f;							\
		return 1;							\
	}

/* x = SHLD/SHRD(x, source, imm): insn carries the count ("shldl $7,") */
#define OP_SHD_IMM(fn, insn, T)							\
	static int fn(uint32_t a, uint32_t b, uint32_t fin, struct result *o)	\
	{									\
		T x = (T)a, y = (T)shd_source(a);				\
		uint32_t f;							\
		(void)b;							\
		__asm__ volatile(POPF insn " %[y], %[x]" PUSHF			\
				 : [x] "+r"(x), [f] "=&r"(f)			\
				 : [y] "r"(y), [fin] "r"(fin) : "cc");		\
		o->r = x;							\
		o->r2 = y;							\
		o->flags = f;							\
		return 1;							\
	}

/* AX = AL * y */
#define OP_MUL8(fn, insn)							\
	static int fn(uint32_t a, uint32_t b, uint32_t fin, struct result *o)	\
	{									\
		uint16_t ax = (uint8_t)a;					\
		uint8_t y = (uint8_t)b;						\
		uint32_t f;							\
		__asm__ volatile(POPF insn " %[y]" PUSHF			\
				 : "+a"(ax), [f] "=&r"(f)			\
				 : [y] "q"(y), [fin] "r"(fin) : "cc");		\
		o->r = ax;							\
		o->flags = f;							\
		return 1;							\
	}

/* DX:AX = AX * y, EDX:EAX = EAX * y */
#define OP_MUL(fn, insn, T)							\
	static int fn(uint32_t a, uint32_t b, uint32_t fin, struct result *o)	\
	{									\
		T ax = (T)a, dx, y = (T)b;					\
		uint32_t f;							\
		__asm__ volatile(POPF insn " %[y]" PUSHF			\
				 : "+a"(ax), "=&d"(dx), [f] "=&r"(f)		\
				 : [y] "r"(y), [fin] "r"(fin) : "cc");		\
		o->r = ax;							\
		o->r2 = dx;							\
		o->flags = f;							\
		return 1;							\
	}

/* x = y * imm ("imull $-3,") */
#define OP_IMUL_IMM(fn, insn, T)						\
	static int fn(uint32_t a, uint32_t b, uint32_t fin, struct result *o)	\
	{									\
		T x, y = (T)a;							\
		uint32_t f;							\
		(void)b;							\
		__asm__ volatile(POPF insn " %[y], %[x]" PUSHF			\
				 : [x] "=&r"(x), [f] "=&r"(f)			\
				 : [y] "r"(y), [fin] "r"(fin) : "cc");		\
		o->r = x;							\
		o->flags = f;							\
		return 1;							\
	}

static uint32_t width_mask(int width)
{
	return width == 32 ? 0xFFFFFFFFu : (1u << width) - 1;
}

static int32_t sign_extend(uint32_t v, int width)
{
	return width == 32 ? (int32_t)v : (int32_t)(v << (32 - width)) >> (32 - width);
}

/*
 * The dividend for dividing a by b at width w, as high and low halves, or
 * 0 when the quotient would not fit (the CPU would raise #DE). Unsigned:
 * a high half below the divisor. Signed: a small multiple of a.
 */
static int dividend(uint32_t a, uint32_t b, int width, int is_signed,
		    uint32_t *hi, uint32_t *lo)
{
	uint32_t mask = width_mask(width);

	a &= mask;
	b &= mask;
	if (b == 0)
		return 0;
	if (!is_signed) {
		*hi = (a * 7 + 3) % b;
		*lo = a;
		return 1;
	}
	int64_t n = (int64_t)sign_extend(a, width) * (int64_t)((a ^ b) % 5 + 1);
	int64_t d = sign_extend(b, width);
	int64_t q = n / d;
	int64_t limit = (int64_t)1 << (width - 1);
	if (q < -limit || q >= limit)
		return 0;
	*lo = (uint32_t)n & mask;
	*hi = (uint32_t)(n >> width) & mask;
	return 1;
}

/* AL, AH = AX / y */
#define OP_DIV8(fn, insn, is_signed)						\
	static int fn(uint32_t a, uint32_t b, uint32_t fin, struct result *o)	\
	{									\
		uint32_t hi, lo, f;						\
		if (!dividend(a, b, 8, is_signed, &hi, &lo))			\
			return 0;						\
		uint16_t ax = (uint16_t)(hi << 8 | lo);				\
		uint8_t y = (uint8_t)b;						\
		__asm__ volatile(POPF insn " %[y]" PUSHF			\
				 : "+a"(ax), [f] "=&r"(f)			\
				 : [y] "q"(y), [fin] "r"(fin) : "cc");		\
		o->r = ax & 0xFF;						\
		o->r2 = ax >> 8;						\
		o->flags = f;							\
		return 1;							\
	}

/* (E)AX, (E)DX = (E)DX:(E)AX / y */
#define OP_DIV(fn, insn, T, is_signed)						\
	static int fn(uint32_t a, uint32_t b, uint32_t fin, struct result *o)	\
	{									\
		uint32_t hi, lo, f;						\
		if (!dividend(a, b, 8 * sizeof(T), is_signed, &hi, &lo))	\
			return 0;						\
		T ax = (T)lo, dx = (T)hi, y = (T)b;				\
		__asm__ volatile(POPF insn " %[y]" PUSHF			\
				 : "+a"(ax), "+d"(dx), [f] "=&r"(f)		\
				 : [y] "r"(y), [fin] "r"(fin) : "cc");		\
		o->r = ax;							\
		o->r2 = dx;							\
		o->flags = f;							\
		return 1;							\
	}

/* BSF/BSR y = a into x; the destination is undefined when a is 0 */
#define OP_BITSCAN(fn, insn, T)							\
	static int fn(uint32_t a, uint32_t b, uint32_t fin, struct result *o)	\
	{									\
		T x = (T)0x5A5A5A5A, y = (T)a;					\
		uint32_t f;							\
		(void)b;							\
		__asm__ volatile(POPF insn " %[y], %[x]" PUSHF			\
				 : [x] "+r"(x), [f] "=&r"(f)			\
				 : [y] "r"(y), [fin] "r"(fin) : "cc");		\
		o->r = y != 0 ? x : 0;						\
		o->flags = f;							\
		return 1;							\
	}

/* XADD and XCHG: both operands change */
#define OP_EXCHANGE(fn, insn, T)						\
	static int fn(uint32_t a, uint32_t b, uint32_t fin, struct result *o)	\
	{									\
		T x = (T)a, y = (T)b;						\
		uint32_t f;							\
		__asm__ volatile(POPF insn " %[y], %[x]" PUSHF			\
				 : [x] "+q"(x), [y] "+q"(y), [f] "=&r"(f)	\
				 : [fin] "r"(fin) : "cc");			\
		o->r = x;							\
		o->r2 = y;							\
		o->flags = f;							\
		return 1;							\
	}

#define OP_EXCHANGE_MEM(fn, insn, T)						\
	static int fn(uint32_t a, uint32_t b, uint32_t fin, struct result *o)	\
	{									\
		T m = (T)a, y = (T)b;						\
		uint32_t f;							\
		__asm__ volatile(POPF insn " %[y], %[m]" PUSHF			\
				 : [m] "+m"(m), [y] "+q"(y), [f] "=&r"(f)	\
				 : [fin] "r"(fin) : "cc", "memory");		\
		o->r = m;							\
		o->r2 = y;							\
		o->flags = f;							\
		return 1;							\
	}

/* CMPXCHG y, x with the accumulator = a when CF is set on input (so the
 * exchange happens) and b otherwise (so it usually does not). */
#define OP_CMPXCHG(fn, insn, T, constraint)						\
	static int fn(uint32_t a, uint32_t b, uint32_t fin, struct result *o)	\
	{									\
		T x = (T)a, y = (T)b, acc = (T)((fin & CF) ? a : b);		\
		uint32_t f;							\
		__asm__ volatile(POPF insn " %[y], %[x]" PUSHF			\
				 : [x] constraint(x), "+a"(acc), [f] "=&r"(f)	\
				 : [y] "q"(y), [fin] "r"(fin) : "cc", "memory"); \
		o->r = x;							\
		o->r2 = acc;							\
		o->flags = f;							\
		return 1;							\
	}

/* Sign and zero extension; the destination starts with junk in it. */
#define OP_EXTEND(fn, insn, TS, TD)						\
	static int fn(uint32_t a, uint32_t b, uint32_t fin, struct result *o)	\
	{									\
		TS y = (TS)a;							\
		TD x = (TD)0xDEADBEEF;						\
		uint32_t f;							\
		(void)b;							\
		__asm__ volatile(POPF insn " %[y], %[x]" PUSHF			\
				 : [x] "+r"(x), [f] "=&r"(f)			\
				 : [y] "q"(y), [fin] "r"(fin) : "cc");		\
		o->r = x;							\
		o->flags = f;							\
		return 1;							\
	}

/* CBW, CWDE, CWD, CDQ: accumulator (and EDX) in, out */
#define OP_CONVERT(fn, insn, T, junk)						\
	static int fn(uint32_t a, uint32_t b, uint32_t fin, struct result *o)	\
	{									\
		T ax = (T)(a | junk), dx = (T)0x13579BDF;			\
		uint32_t f;							\
		(void)b;							\
		__asm__ volatile(POPF insn PUSHF				\
				 : "+a"(ax), "+d"(dx), [f] "=&r"(f)		\
				 : [fin] "r"(fin) : "cc");			\
		o->r = ax;							\
		o->r2 = dx;							\
		o->flags = f;							\
		return 1;							\
	}

/* ---- The instructions --------------------------------------------------- */

#define ALU(name, T, s)								\
	OP_BINARY(name##_##s, #name #s, T)
#define ALU3(name) ALU(name, uint8_t, b) ALU(name, uint16_t, w) ALU(name, uint32_t, l)

ALU3(add) ALU3(adc) ALU3(sub) ALU3(sbb) ALU3(cmp)
ALU3(and) ALU3(or) ALU3(xor) ALU3(test)

OP_BINARY_MEM(addl_mem, "addl", uint32_t)
OP_BINARY_MEM(adcl_mem, "adcl", uint32_t)
OP_BINARY_MEM(sbbb_mem, "sbbb", uint8_t)
OP_BINARY_MEM(subw_mem, "subw", uint16_t)
OP_BINARY_MEM(lock_addl_mem, "lock addl", uint32_t)
OP_BINARY_MEM(lock_subl_mem, "lock subl", uint32_t)
OP_BINARY_MEM(lock_orl_mem, "lock orl", uint32_t)
OP_BINARY_MEM(lock_andb_mem, "lock andb", uint8_t)
OP_BINARY_MEM(lock_xorw_mem, "lock xorw", uint16_t)
OP_BINARY_MEM(lock_adcl_mem, "lock adcl", uint32_t)

#define UNARY3(name)								\
	OP_UNARY(name##b, #name "b", uint8_t)					\
	OP_UNARY(name##w, #name "w", uint16_t)					\
	OP_UNARY(name##l, #name "l", uint32_t)
UNARY3(inc) UNARY3(dec) UNARY3(neg) UNARY3(not)
OP_UNARY_MEM(lock_incl_mem, "lock incl", uint32_t)
OP_UNARY_MEM(lock_decw_mem, "lock decw", uint16_t)
OP_UNARY_MEM(lock_negl_mem, "lock negl", uint32_t)
OP_UNARY_MEM(lock_notb_mem, "lock notb", uint8_t)
OP_UNARY_MEM(incb_mem, "incb", uint8_t)

/* Immediate forms: the short sign-extended imm8 (83 /n), the full
 * immediate (81 /n, 80 /n), and the accumulator forms the assembler picks
 * when the operand is AL/AX/EAX. */
OP_UNARY(addl_m1, "addl $-1,", uint32_t)
OP_UNARY(addl_big, "addl $0x12345678,", uint32_t)
OP_UNARY(addw_7fff, "addw $0x7fff,", uint16_t)
OP_UNARY(addb_80, "addb $0x80,", uint8_t)
OP_UNARY(adcl_0, "adcl $0,", uint32_t)
OP_UNARY(sbbl_0, "sbbl $0,", uint32_t)
OP_UNARY(subl_m128, "subl $-128,", uint32_t)
OP_UNARY(cmpl_7f, "cmpl $0x7f,", uint32_t)
OP_UNARY(cmpw_m1, "cmpw $-1,", uint16_t)
OP_UNARY(andl_mask, "andl $0xff00ff00,", uint32_t)
OP_UNARY(orw_8001, "orw $0x8001,", uint16_t)
OP_UNARY(xorb_ff, "xorb $0xff,", uint8_t)
OP_UNARY(testl_imm, "testl $0x80000001,", uint32_t)

static int addl_eax_imm(uint32_t a, uint32_t b, uint32_t fin, struct result *o)
{
	uint32_t x = a, f;
	(void)b;
	__asm__ volatile(POPF "addl $0x7fffffff, %%eax" PUSHF
			 : "+a"(x), [f] "=&r"(f) : [fin] "r"(fin) : "cc");
	o->r = x;
	o->flags = f;
	return 1;
}

static int sbbb_al_imm(uint32_t a, uint32_t b, uint32_t fin, struct result *o)
{
	uint8_t x = (uint8_t)a;
	uint32_t f;
	(void)b;
	__asm__ volatile(POPF "sbbb $0x7f, %%al" PUSHF
			 : "+a"(x), [f] "=&r"(f) : [fin] "r"(fin) : "cc");
	o->r = x;
	o->flags = f;
	return 1;
}

OP_NONE(clc, "clc")
OP_NONE(stc, "stc")
OP_NONE(cmc, "cmc")

#define SHIFT3(name)								\
	OP_SHIFT_CL(name##b_cl, #name "b", uint8_t)				\
	OP_SHIFT_CL(name##w_cl, #name "w", uint16_t)				\
	OP_SHIFT_CL(name##l_cl, #name "l", uint32_t)
SHIFT3(shl) SHIFT3(shr) SHIFT3(sar) SHIFT3(rol) SHIFT3(ror) SHIFT3(rcl) SHIFT3(rcr)

/* Shifts by one (D0/D1) and by an immediate (C0/C1). */
OP_UNARY(shll_1, "shll $1,", uint32_t)
OP_UNARY(shrb_1, "shrb $1,", uint8_t)
OP_UNARY(sarw_1, "sarw $1,", uint16_t)
OP_UNARY(roll_1, "roll $1,", uint32_t)
OP_UNARY(rcrb_1, "rcrb $1,", uint8_t)
OP_UNARY(rclw_1, "rclw $1,", uint16_t)
OP_UNARY(shll_5, "shll $5,", uint32_t)
OP_UNARY(sarb_3, "sarb $3,", uint8_t)
OP_UNARY(rorw_9, "rorw $9,", uint16_t)
OP_UNARY(rcll_31, "rcll $31,", uint32_t)
OP_UNARY(rcrb_9, "rcrb $9,", uint8_t)
OP_UNARY(shrl_33, "shrl $33,", uint32_t)

OP_SHD_CL(shldw_cl, "shldw", uint16_t)
OP_SHD_CL(shldl_cl, "shldl", uint32_t)
OP_SHD_CL(shrdw_cl, "shrdw", uint16_t)
OP_SHD_CL(shrdl_cl, "shrdl", uint32_t)
OP_SHD_IMM(shldl_7, "shldl $7,", uint32_t)
OP_SHD_IMM(shrdw_3, "shrdw $3,", uint16_t)
OP_SHD_IMM(shrdl_1, "shrdl $1,", uint32_t)

OP_MUL8(mulb, "mulb")
OP_MUL8(imulb, "imulb")
OP_MUL(mulw, "mulw", uint16_t)
OP_MUL(imulw, "imulw", uint16_t)
OP_MUL(mull, "mull", uint32_t)
OP_MUL(imull, "imull", uint32_t)
OP_BINARY(imulw2, "imulw", uint16_t)
OP_BINARY(imull2, "imull", uint32_t)
OP_IMUL_IMM(imulw_m3, "imulw $-3,", uint16_t)
OP_IMUL_IMM(imull_m3, "imull $-3,", uint32_t)
OP_IMUL_IMM(imulw_big, "imulw $0x1234,", uint16_t)
OP_IMUL_IMM(imull_big, "imull $0x10001,", uint32_t)

OP_DIV8(divb, "divb", 0)
OP_DIV8(idivb, "idivb", 1)
OP_DIV(divw, "divw", uint16_t, 0)
OP_DIV(idivw, "idivw", uint16_t, 1)
OP_DIV(divl, "divl", uint32_t, 0)
OP_DIV(idivl, "idivl", uint32_t, 1)

/* Bit tests on a register: the offset is taken modulo the width. */
OP_BINARY(btw_r, "btw", uint16_t)
OP_BINARY(btsw_r, "btsw", uint16_t)
OP_BINARY(btrw_r, "btrw", uint16_t)
OP_BINARY(btcw_r, "btcw", uint16_t)
OP_BINARY(btl_r, "btl", uint32_t)
OP_BINARY(btsl_r, "btsl", uint32_t)
OP_BINARY(btrl_r, "btrl", uint32_t)
OP_BINARY(btcl_r, "btcl", uint32_t)
OP_UNARY(btl_37, "btl $37,", uint32_t)
OP_UNARY(btsw_20, "btsw $20,", uint16_t)
OP_UNARY(btrl_31, "btrl $31,", uint32_t)
OP_UNARY(btcl_0, "btcl $0,", uint32_t)

OP_BITSCAN(bsfw, "bsfw", uint16_t)
OP_BITSCAN(bsfl, "bsfl", uint32_t)
OP_BITSCAN(bsrw, "bsrw", uint16_t)
OP_BITSCAN(bsrl, "bsrl", uint32_t)
OP_UNARY(bswapl, "bswapl", uint32_t)

OP_EXCHANGE(xaddb, "xaddb", uint8_t)
OP_EXCHANGE(xaddw, "xaddw", uint16_t)
OP_EXCHANGE(xaddl, "xaddl", uint32_t)
OP_EXCHANGE(xchgb, "xchgb", uint8_t)
OP_EXCHANGE(xchgl, "xchgl", uint32_t)
OP_EXCHANGE_MEM(lock_xaddl_mem, "lock xaddl", uint32_t)
OP_EXCHANGE_MEM(xchgw_mem, "xchgw", uint16_t)
OP_CMPXCHG(cmpxchgb, "cmpxchgb", uint8_t, "+q")
OP_CMPXCHG(cmpxchgw, "cmpxchgw", uint16_t, "+q")
OP_CMPXCHG(cmpxchgl, "cmpxchgl", uint32_t, "+q")
OP_CMPXCHG(lock_cmpxchgl_mem, "lock cmpxchgl", uint32_t, "+m")

OP_EXTEND(movsbl, "movsbl", uint8_t, uint32_t)
OP_EXTEND(movzbl, "movzbl", uint8_t, uint32_t)
OP_EXTEND(movsbw, "movsbw", uint8_t, uint16_t)
OP_EXTEND(movzbw, "movzbw", uint8_t, uint16_t)
OP_EXTEND(movswl, "movswl", uint16_t, uint32_t)
OP_EXTEND(movzwl, "movzwl", uint16_t, uint32_t)
OP_CONVERT(cbw, "cbtw", uint16_t, 0xAB00)
OP_CONVERT(cwde, "cwtl", uint32_t, 0xABCD0000)
OP_CONVERT(cwd, "cwtd", uint16_t, 0)
OP_CONVERT(cdq, "cltd", uint32_t, 0)

/* ---- Which flags are defined -------------------------------------------- */

enum rule {
	R_ALL,		/* every arithmetic flag (set, or left alone) */
	R_LOGIC,	/* all but AF */
	R_CF_OF,	/* multiplication */
	R_CF,		/* bit tests */
	R_ZF,		/* bit scans */
	R_NONE,		/* division */
	R_SHIFT,	/* SHL/SHR/SAR by the count */
	R_ROTATE,	/* ROL/ROR/RCL/RCR by the count */
	R_SHD,		/* SHLD/SHRD by the count */
};

/* The operands an instruction takes from the case generator. */
enum inputs {
	PAIRS,		/* a and b from the value list */
	SINGLE,		/* a from the value list; b unused */
	COUNTED,	/* a from the value list, b a count 0..35 */
};

struct op {
	const char *name;
	op_fn fn;
	uint8_t width;		/* of a and b */
	uint8_t inputs;		/* enum inputs */
	uint8_t rule;		/* enum rule */
	int8_t count;		/* the count for a shift by an immediate, else -1 */
	uint8_t second;		/* r2 is meaningful */
	uint8_t exhaustive;	/* 8-bit pairs: all 65536 */
};

#define BIN(n, fn, w, rule) { n, fn, w, PAIRS, rule, -1, 0, 0 }
#define ONE(n, fn, w, rule) { n, fn, w, SINGLE, rule, -1, 0, 0 }
#define ONE2(n, fn, w, rule) { n, fn, w, SINGLE, rule, -1, 1, 0 }
#define IMM(n, fn, w, rule, count) { n, fn, w, SINGLE, rule, count, 0, 0 }
#define SHF(n, fn, w, rule) { n, fn, w, COUNTED, rule, -1, 0, 0 }
#define SHD(n, fn, w) { n, fn, w, COUNTED, R_SHD, -1, 1, 0 }
#define SHDI(n, fn, w, count) { n, fn, w, SINGLE, R_SHD, count, 1, 0 }
#define TWO(n, fn, w, rule) { n, fn, w, PAIRS, rule, -1, 1, 0 }
#define ALU_OPS(name, rule)							\
	BIN(#name "8", name##_b, 8, rule),					\
	BIN(#name "16", name##_w, 16, rule),					\
	BIN(#name "32", name##_l, 32, rule)
#define SHIFT_OPS(name, rule)							\
	SHF(#name "8", name##b_cl, 8, rule),					\
	SHF(#name "16", name##w_cl, 16, rule),					\
	SHF(#name "32", name##l_cl, 32, rule)
#define UNARY_OPS(name, rule)							\
	ONE(#name "8", name##b, 8, rule),					\
	ONE(#name "16", name##w, 16, rule),					\
	ONE(#name "32", name##l, 32, rule)

static const struct op ops[] = {
	ALU_OPS(add, R_ALL),
	{ "adc8", adc_b, 8, PAIRS, R_ALL, -1, 0, 1 },
	BIN("adc16", adc_w, 16, R_ALL),
	BIN("adc32", adc_l, 32, R_ALL),
	ALU_OPS(sub, R_ALL),
	{ "sbb8", sbb_b, 8, PAIRS, R_ALL, -1, 0, 1 },
	BIN("sbb16", sbb_w, 16, R_ALL),
	BIN("sbb32", sbb_l, 32, R_ALL),
	ALU_OPS(cmp, R_ALL),
	ALU_OPS(and, R_LOGIC),
	ALU_OPS(or, R_LOGIC),
	ALU_OPS(xor, R_LOGIC),
	ALU_OPS(test, R_LOGIC),
	BIN("add32 mem", addl_mem, 32, R_ALL),
	BIN("adc32 mem", adcl_mem, 32, R_ALL),
	BIN("sbb8 mem", sbbb_mem, 8, R_ALL),
	BIN("sub16 mem", subw_mem, 16, R_ALL),
	BIN("lock add32", lock_addl_mem, 32, R_ALL),
	BIN("lock sub32", lock_subl_mem, 32, R_ALL),
	BIN("lock or32", lock_orl_mem, 32, R_LOGIC),
	BIN("lock and8", lock_andb_mem, 8, R_LOGIC),
	BIN("lock xor16", lock_xorw_mem, 16, R_LOGIC),
	BIN("lock adc32", lock_adcl_mem, 32, R_ALL),

	UNARY_OPS(inc, R_ALL),
	UNARY_OPS(dec, R_ALL),
	UNARY_OPS(neg, R_ALL),
	UNARY_OPS(not, R_ALL),
	ONE("lock inc32", lock_incl_mem, 32, R_ALL),
	ONE("lock dec16", lock_decw_mem, 16, R_ALL),
	ONE("lock neg32", lock_negl_mem, 32, R_ALL),
	ONE("lock not8", lock_notb_mem, 8, R_ALL),
	ONE("inc8 mem", incb_mem, 8, R_ALL),

	ONE("add32 $-1", addl_m1, 32, R_ALL),
	ONE("add32 $0x12345678", addl_big, 32, R_ALL),
	ONE("add16 $0x7fff", addw_7fff, 16, R_ALL),
	ONE("add8 $0x80", addb_80, 8, R_ALL),
	ONE("add eax,$0x7fffffff", addl_eax_imm, 32, R_ALL),
	ONE("adc32 $0", adcl_0, 32, R_ALL),
	ONE("sbb32 $0", sbbl_0, 32, R_ALL),
	ONE("sbb al,$0x7f", sbbb_al_imm, 8, R_ALL),
	ONE("sub32 $-128", subl_m128, 32, R_ALL),
	ONE("cmp32 $0x7f", cmpl_7f, 32, R_ALL),
	ONE("cmp16 $-1", cmpw_m1, 16, R_ALL),
	ONE("and32 $0xff00ff00", andl_mask, 32, R_LOGIC),
	ONE("or16 $0x8001", orw_8001, 16, R_LOGIC),
	ONE("xor8 $0xff", xorb_ff, 8, R_LOGIC),
	ONE("test32 $0x80000001", testl_imm, 32, R_LOGIC),
	ONE("clc", clc, 32, R_ALL),
	ONE("stc", stc, 32, R_ALL),
	ONE("cmc", cmc, 32, R_ALL),

	SHIFT_OPS(shl, R_SHIFT),
	SHIFT_OPS(shr, R_SHIFT),
	SHIFT_OPS(sar, R_SHIFT),
	SHIFT_OPS(rol, R_ROTATE),
	SHIFT_OPS(ror, R_ROTATE),
	SHIFT_OPS(rcl, R_ROTATE),
	SHIFT_OPS(rcr, R_ROTATE),
	IMM("shl32 $1", shll_1, 32, R_SHIFT, 1),
	IMM("shr8 $1", shrb_1, 8, R_SHIFT, 1),
	IMM("sar16 $1", sarw_1, 16, R_SHIFT, 1),
	IMM("rol32 $1", roll_1, 32, R_ROTATE, 1),
	IMM("rcr8 $1", rcrb_1, 8, R_ROTATE, 1),
	IMM("rcl16 $1", rclw_1, 16, R_ROTATE, 1),
	IMM("shl32 $5", shll_5, 32, R_SHIFT, 5),
	IMM("sar8 $3", sarb_3, 8, R_SHIFT, 3),
	IMM("ror16 $9", rorw_9, 16, R_ROTATE, 9),
	IMM("rcl32 $31", rcll_31, 32, R_ROTATE, 31),
	IMM("rcr8 $9", rcrb_9, 8, R_ROTATE, 9),
	IMM("shr32 $33", shrl_33, 32, R_SHIFT, 33),
	SHD("shld16", shldw_cl, 16),
	SHD("shld32", shldl_cl, 32),
	SHD("shrd16", shrdw_cl, 16),
	SHD("shrd32", shrdl_cl, 32),
	SHDI("shld32 $7", shldl_7, 32, 7),
	SHDI("shrd16 $3", shrdw_3, 16, 3),
	SHDI("shrd32 $1", shrdl_1, 32, 1),

	BIN("mul8", mulb, 8, R_CF_OF),
	BIN("imul8", imulb, 8, R_CF_OF),
	TWO("mul16", mulw, 16, R_CF_OF),
	TWO("imul16", imulw, 16, R_CF_OF),
	TWO("mul32", mull, 32, R_CF_OF),
	TWO("imul32", imull, 32, R_CF_OF),
	BIN("imul16 r,r", imulw2, 16, R_CF_OF),
	BIN("imul32 r,r", imull2, 32, R_CF_OF),
	ONE("imul16 $-3", imulw_m3, 16, R_CF_OF),
	ONE("imul32 $-3", imull_m3, 32, R_CF_OF),
	ONE("imul16 $0x1234", imulw_big, 16, R_CF_OF),
	ONE("imul32 $0x10001", imull_big, 32, R_CF_OF),
	TWO("div8", divb, 8, R_NONE),
	TWO("idiv8", idivb, 8, R_NONE),
	TWO("div16", divw, 16, R_NONE),
	TWO("idiv16", idivw, 16, R_NONE),
	TWO("div32", divl, 32, R_NONE),
	TWO("idiv32", idivl, 32, R_NONE),

	BIN("bt16", btw_r, 16, R_CF),
	BIN("bts16", btsw_r, 16, R_CF),
	BIN("btr16", btrw_r, 16, R_CF),
	BIN("btc16", btcw_r, 16, R_CF),
	BIN("bt32", btl_r, 32, R_CF),
	BIN("bts32", btsl_r, 32, R_CF),
	BIN("btr32", btrl_r, 32, R_CF),
	BIN("btc32", btcl_r, 32, R_CF),
	ONE("bt32 $37", btl_37, 32, R_CF),
	ONE("bts16 $20", btsw_20, 16, R_CF),
	ONE("btr32 $31", btrl_31, 32, R_CF),
	ONE("btc32 $0", btcl_0, 32, R_CF),
	ONE("bsf16", bsfw, 16, R_ZF),
	ONE("bsf32", bsfl, 32, R_ZF),
	ONE("bsr16", bsrw, 16, R_ZF),
	ONE("bsr32", bsrl, 32, R_ZF),
	ONE("bswap32", bswapl, 32, R_ALL),

	TWO("xadd8", xaddb, 8, R_ALL),
	TWO("xadd16", xaddw, 16, R_ALL),
	TWO("xadd32", xaddl, 32, R_ALL),
	TWO("lock xadd32", lock_xaddl_mem, 32, R_ALL),
	TWO("xchg8", xchgb, 8, R_ALL),
	TWO("xchg32", xchgl, 32, R_ALL),
	TWO("xchg16 mem", xchgw_mem, 16, R_ALL),
	TWO("cmpxchg8", cmpxchgb, 8, R_ALL),
	TWO("cmpxchg16", cmpxchgw, 16, R_ALL),
	TWO("cmpxchg32", cmpxchgl, 32, R_ALL),
	TWO("lock cmpxchg32", lock_cmpxchgl_mem, 32, R_ALL),

	ONE("movsx8>32", movsbl, 8, R_ALL),
	ONE("movzx8>32", movzbl, 8, R_ALL),
	ONE("movsx8>16", movsbw, 8, R_ALL),
	ONE("movzx8>16", movzbw, 8, R_ALL),
	ONE("movsx16>32", movswl, 16, R_ALL),
	ONE("movzx16>32", movzwl, 16, R_ALL),
	ONE2("cbw", cbw, 8, R_ALL),
	ONE2("cwde", cwde, 16, R_ALL),
	ONE2("cwd", cwd, 16, R_ALL),
	ONE2("cdq", cdq, 32, R_ALL),
};

static uint32_t defined_flags(const struct op *op, uint32_t b)
{
	unsigned count = (op->count >= 0 ? (unsigned)op->count : b) & 31;

	switch (op->rule) {
	case R_ALL: return ALL;
	case R_LOGIC: return ALL & ~AF;
	case R_CF_OF: return CF | OF;
	case R_CF: return CF;
	case R_ZF: return ZF;
	case R_NONE: return 0;
	case R_SHIFT:
		/* a zero count changes nothing; CF is undefined once the count
		 * reaches the width, OF for any count but 1, AF always */
		if (count == 0)
			return ALL;
		return SF | ZF | PF | (count < op->width ? CF : 0) | (count == 1 ? OF : 0);
	case R_ROTATE:
		/* SF, ZF, AF, PF are left alone; OF is defined for a count of 1 */
		if (count == 0)
			return ALL;
		return (ALL & ~OF) | (count == 1 ? OF : 0);
	case R_SHD:
		if (count == 0)
			return ALL;
		return CF | SF | ZF | PF | (count == 1 ? OF : 0);
	}
	return 0;
}

/* ---- Running the cases -------------------------------------------------- */

/* Values at each width: edges first (the detail lines use some of them),
 * then LCG values. */
#define RANDOM_VALUES 24
static uint32_t values8[12 + RANDOM_VALUES], values16[16 + RANDOM_VALUES],
	values32[19 + RANDOM_VALUES];

static const uint32_t edges8[12] = {
	0x00, 0x01, 0x02, 0x0F, 0x10, 0x55, 0x7F, 0x80, 0x81, 0xAA, 0xFE, 0xFF,
};
static const uint32_t edges16[16] = {
	0x0000, 0x0001, 0x0002, 0x007F, 0x0080, 0x00FF, 0x0100, 0x0FFF,
	0x1000, 0x5555, 0x7FFF, 0x8000, 0x8001, 0xAAAA, 0xFFFE, 0xFFFF,
};
static const uint32_t edges32[19] = {
	0x00000000, 0x00000001, 0x00000002, 0x0000000F, 0x0000007F,
	0x00000080, 0x000000FF, 0x00007FFF, 0x00008000, 0x0000FFFF,
	0x00010000, 0x55555555, 0x7FFFFFFF, 0x80000000, 0x80000001,
	0xAAAAAAAA, 0xF0000000, 0xFFFFFFFE, 0xFFFFFFFF,
};

static void make_values(void)
{
	uint32_t seed = 0xF1A65;

	memcpy(values8, edges8, sizeof edges8);
	memcpy(values16, edges16, sizeof edges16);
	memcpy(values32, edges32, sizeof edges32);
	for (int i = 0; i < RANDOM_VALUES; i++) {
		values8[12 + i] = lcg32(&seed) & 0xFF;
		values16[16 + i] = lcg32(&seed) & 0xFFFF;
		values32[19 + i] = lcg32(&seed);
	}
}

/* The values at a width, how many, and how many of them are edges. */
static const uint32_t *value_list(int width, size_t *n, size_t *edges)
{
	switch (width) {
	case 8:
		*n = sizeof values8 / sizeof values8[0];
		*edges = sizeof edges8 / sizeof edges8[0];
		return values8;
	case 16:
		*n = sizeof values16 / sizeof values16[0];
		*edges = sizeof edges16 / sizeof edges16[0];
		return values16;
	default:
		*n = sizeof values32 / sizeof values32[0];
		*edges = sizeof edges32 / sizeof edges32[0];
		return values32;
	}
}

static uint32_t mix(uint32_t h, uint32_t v)
{
	return (h ^ v) * 0x01000193u;
}

struct tally {
	uint32_t cases;
	uint32_t hash;
};

/* Runs one case with both input flag states; folds it into t and prints it
 * if show. */
static void run_case(const struct op *op, uint32_t a, uint32_t b, int show, struct tally *t)
{
	static const uint32_t fins[2] = { FLAGS_CLEAR, FLAGS_SET };
	struct result res[2];
	uint32_t mask = defined_flags(op, b);

	for (int i = 0; i < 2; i++) {
		res[i].r = res[i].r2 = res[i].flags = 0;
		if (!op->fn(a, b, fins[i], &res[i]))
			return;		/* undefined: neither folded nor shown */
		res[i].flags &= mask;
		t->hash = mix(mix(mix(t->hash, res[i].r), res[i].r2), res[i].flags);
	}
	t->cases++;
	if (!show)
		return;

	int digits = op->width / 4;
	printf("%-12s %0*x", op->name, digits, a);
	if (op->inputs == COUNTED)
		printf(" %-2u", b);
	else if (op->inputs == PAIRS)
		printf(" %0*x", digits, b);
	for (int i = 0; i < 2; i++) {
		printf(" | %x", res[i].r);
		if (op->second)
			printf(" %x", res[i].r2);
		printf(" %03x", res[i].flags);
	}
	printf("\n");
}

/* Is v one of the values shown in detail at this width? */
static int shown_value(uint32_t v, int width, enum inputs inputs)
{
	uint32_t sign = 1u << (width - 1), mask = width_mask(width);

	if (inputs == COUNTED)
		return v == (sign | 1) || v == sign - 1;
	if (inputs == SINGLE && v == 0)
		return 1;
	return v == 1 || v == sign - 1 || v == sign || v == mask;
}

static int shown_count(uint32_t c, int width)
{
	return c <= 1 || c == 3 || c == (uint32_t)width - 1 || c == (uint32_t)width ||
	       c == (uint32_t)width + 1 || c == 31 || c == 32;
}

static void run_op(const struct op *op)
{
	struct tally t = { 0, FNV32_OFFSET };
	size_t n, edges;
	const uint32_t *v = value_list(op->width, &n, &edges);
	/* at 8 bits, the single-operand forms and shifts take every value */
	int every8 = op->width == 8 && (op->inputs != PAIRS || op->exhaustive);

	if (op->inputs == PAIRS && every8) {
		/* detail lines first, in the usual order, then all pairs */
		for (size_t i = 0; i < edges; i++)
			for (size_t j = 0; j < edges; j++)
				if (shown_value(v[i], 8, PAIRS) && shown_value(v[j], 8, PAIRS))
					run_case(op, v[i], v[j], 1, &t);
		t.cases = 0;
		t.hash = FNV32_OFFSET;
		for (uint32_t a = 0; a < 256; a++)
			for (uint32_t b = 0; b < 256; b++)
				run_case(op, a, b, 0, &t);
	} else if (op->inputs == PAIRS) {
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < n; j++)
				run_case(op, v[i], v[j],
					 shown_value(v[i], op->width, PAIRS) &&
					 shown_value(v[j], op->width, PAIRS) &&
					 i < edges && j < edges,
					 &t);
	} else {
		size_t count = every8 ? 256 : n;
		for (size_t i = 0; i < count; i++) {
			uint32_t a = every8 ? i : v[i];
			int show = shown_value(a, op->width, op->inputs) && (every8 || i < edges);
			if (op->inputs == SINGLE) {
				run_case(op, a, 0, show, &t);
				continue;
			}
			for (uint32_t c = 0; c <= 35; c++)
				run_case(op, a, c, show && shown_count(c, op->width), &t);
		}
	}
	printf("%-12s cases=%-5u hash=%08x\n", op->name, t.cases, t.hash);
}

/* ---- Conditions: SETcc, CMOVcc, Jcc ------------------------------------- */

#define CONDITIONS(X)								\
	X(o) X(no) X(b) X(ae) X(e) X(ne) X(be) X(a)				\
	X(s) X(ns) X(p) X(np) X(l) X(ge) X(le) X(g)

#define DEFINE_SETCC(cc)							\
	static uint32_t set_##cc(uint32_t fin)					\
	{									\
		uint8_t r;							\
		__asm__ volatile(POPF "set" #cc " %[r]"				\
				 : [r] "=q"(r) : [fin] "r"(fin) : "cc");	\
		return r;							\
	}
#define DEFINE_CMOVL(cc)							\
	static uint32_t cmovl_##cc(uint32_t fin)				\
	{									\
		uint32_t r = 0, one = 1;					\
		__asm__ volatile(POPF "cmov" #cc "l %[one], %[r]"		\
				 : [r] "+r"(r) : [one] "r"(one), [fin] "r"(fin) : "cc"); \
		return r;							\
	}
#define DEFINE_CMOVW_MEM(cc)							\
	static uint32_t cmovw_##cc(uint32_t fin)				\
	{									\
		uint16_t r = 0, one = 1;					\
		__asm__ volatile(POPF "cmov" #cc "w %[one], %[r]"		\
				 : [r] "+r"(r) : [one] "m"(one), [fin] "r"(fin) : "cc"); \
		return r;							\
	}
#define DEFINE_JCC(cc)								\
	static uint32_t j_##cc(uint32_t fin)					\
	{									\
		uint32_t r;							\
		__asm__ volatile(POPF "j" #cc " 1f\n\t"				\
				 "movl $0, %[r]\n\t"				\
				 "jmp 2f\n"					\
				 "1:\tmovl $1, %[r]\n"				\
				 "2:"						\
				 : [r] "=r"(r) : [fin] "r"(fin) : "cc");	\
		return r;							\
	}
CONDITIONS(DEFINE_SETCC)
CONDITIONS(DEFINE_CMOVL)
CONDITIONS(DEFINE_CMOVW_MEM)
CONDITIONS(DEFINE_JCC)

typedef uint32_t (*condition_fn)(uint32_t fin);
#define ENTRY_SETCC(cc) set_##cc,
#define ENTRY_CMOVL(cc) cmovl_##cc,
#define ENTRY_CMOVW(cc) cmovw_##cc,
#define ENTRY_JCC(cc) j_##cc,
#define NAME(cc) #cc,
static const condition_fn setcc[16] = { CONDITIONS(ENTRY_SETCC) };
static const condition_fn cmovl[16] = { CONDITIONS(ENTRY_CMOVL) };
static const condition_fn cmovw[16] = { CONDITIONS(ENTRY_CMOVW) };
static const condition_fn jcc[16] = { CONDITIONS(ENTRY_JCC) };
static const char *const condition_names[16] = { CONDITIONS(NAME) };

/* The manual's definition of condition cc (its encoding, 0-15). */
static int condition_holds(int cc, uint32_t f)
{
	int cf = !!(f & CF), zf = !!(f & ZF), sf = !!(f & SF);
	int of = !!(f & OF), pf = !!(f & PF), r = 0;

	switch (cc >> 1) {
	case 0: r = of; break;
	case 1: r = cf; break;
	case 2: r = zf; break;
	case 3: r = cf || zf; break;
	case 4: r = sf; break;
	case 5: r = pf; break;
	case 6: r = sf != of; break;
	case 7: r = zf || sf != of; break;
	}
	return (cc & 1) ? !r : r;
}

/* The input flags for combination i of CF, PF, AF, ZF, SF, OF. */
static uint32_t flag_combination(int i)
{
	static const uint32_t bits[6] = { CF, PF, AF, ZF, SF, OF };
	uint32_t f = 0x002;

	for (int k = 0; k < 6; k++)
		if (i & (1 << k))
			f |= bits[k];
	return f;
}

static void conditions(void)
{
	int bad = 0;

	printf("conditions:");
	for (int cc = 0; cc < 16; cc++)
		printf(" %s", condition_names[cc]);
	printf("\n");
	for (int i = 0; i < 64; i++) {
		uint32_t fin = flag_combination(i), set = 0, want = 0;
		int same = 1;
		for (int cc = 0; cc < 16; cc++) {
			uint32_t s = setcc[cc](fin);
			set |= s << cc;
			want |= (uint32_t)condition_holds(cc, fin) << cc;
			same &= cmovl[cc](fin) == s && cmovw[cc](fin) == s && jcc[cc](fin) == s;
		}
		if (set != want || !same)
			bad++;
		printf("flags %03x true %04x%s%s\n", fin, set, set == want ? "" : " WRONG",
		       same ? "" : " CMOV/JCC-DIFFER");
	}
	if (bad)
		failures++;
}

/* ---- LAHF and SAHF ------------------------------------------------------- */

static void lahf_sahf(void)
{
	uint32_t hash = FNV32_OFFSET;
	int bad = 0;

	for (int i = 0; i < 64; i++) {
		uint32_t fin = flag_combination(i);
		uint8_t ah;
		__asm__ volatile(POPF "lahf\n\tmovb %%ah, %[ah]"
				 : [ah] "=q"(ah) : [fin] "r"(fin) : "eax", "cc");
		hash = mix(hash, ah);
		bad += ah != ((fin & 0xD5) | 0x02);
	}
	for (uint32_t v = 0; v < 256; v++)
		for (int k = 0; k < 2; k++) {
			uint32_t fin = k ? FLAGS_SET : FLAGS_CLEAR, f;
			uint8_t ah = (uint8_t)v;
			__asm__ volatile(POPF "movb %[ah], %%ah\n\tsahf" PUSHF
					 : [f] "=&r"(f) : [ah] "q"(ah), [fin] "r"(fin)
					 : "eax", "cc");
			hash = mix(hash, f & ALL);
			bad += (f & ALL) != ((v & 0xD5) | (fin & OF));
		}
	printf("lahf/sahf cases=576 hash=%08x%s\n", hash, bad ? " WRONG" : "");
	if (bad)
		failures++;
}

/* ---- CMPXCHG8B ---------------------------------------------------------- */

struct qword_and_flags {
	uint64_t m;
	uint32_t flags;
};

static void cmpxchg8b_cases(void)
{
	static const uint64_t memory[] = {
		0, 0xFFFFFFFFFFFFFFFFull, 0x0123456789ABCDEFull, 0x00000000FFFFFFFFull,
	};
	static const uint64_t differences[] = { 0, 1, 1ull << 32, 1ull << 63 };
	int bad = 0;

	for (size_t i = 0; i < sizeof memory / sizeof memory[0]; i++)
		for (size_t k = 0; k < sizeof differences / sizeof differences[0]; k++)
			for (int lock = 0; lock < 2; lock++) {
				struct qword_and_flags s = { memory[i], 0 };
				uint64_t expect = memory[i] ^ differences[k];
				uint64_t replacement = ~memory[i] * 3;
				uint32_t lo = (uint32_t)expect, hi = (uint32_t)(expect >> 32);
				uint32_t fin = (i + k + lock) & 1 ? FLAGS_SET : FLAGS_CLEAR;
				if (lock)
					__asm__ volatile(POPF "lock cmpxchg8b (%[p])\n\t"
							 "pushfl\n\tpopl 8(%[p])"
							 : "+a"(lo), "+d"(hi), "+m"(s)
							 : "b"((uint32_t)replacement),
							   "c"((uint32_t)(replacement >> 32)),
							   [p] "S"(&s), [fin] "D"(fin)
							 : "cc", "memory");
				else
					__asm__ volatile(POPF "cmpxchg8b (%[p])\n\t"
							 "pushfl\n\tpopl 8(%[p])"
							 : "+a"(lo), "+d"(hi), "+m"(s)
							 : "b"((uint32_t)replacement),
							   "c"((uint32_t)(replacement >> 32)),
							   [p] "S"(&s), [fin] "D"(fin)
							 : "cc", "memory");
				uint64_t edx_eax = (uint64_t)hi << 32 | lo;
				int equal = differences[k] == 0;
				int ok = s.m == (equal ? replacement : memory[i]) &&
					 edx_eax == (equal ? expect : memory[i]) &&
					 (s.flags & ALL) == ((fin & ALL & ~ZF) | (equal ? ZF : 0));
				printf("cmpxchg8b%s m=%016llx edx:eax=%016llx -> m=%016llx edx:eax=%016llx fl=%03x%s\n",
				       lock ? " lock" : "", memory[i], expect, s.m, edx_eax,
				       s.flags & ALL, ok ? "" : " WRONG");
				bad += !ok;
			}
	if (bad)
		failures++;
}

/* ---- Bit tests on memory: the offset reaches outside the word ------------ */

static uint32_t bitmap[16];	/* the bit string; offsets count from bitmap[8] */
static uint32_t model_bitmap[16];

#define BT_MEM(fn, insn, T)							\
	static uint32_t fn(int32_t offset, uint32_t fin)			\
	{									\
		T off = (T)offset;						\
		uint32_t f;							\
		__asm__ volatile(POPF insn " %[off], (%[base])" PUSHF		\
				 : [f] "=&r"(f)					\
				 : [off] "r"(off), [base] "r"(&bitmap[8]),	\
				   [fin] "r"(fin)				\
				 : "cc", "memory");				\
		return f;							\
	}
BT_MEM(btl_mem, "btl", uint32_t)
BT_MEM(btsl_mem, "btsl", uint32_t)
BT_MEM(btrl_mem, "btrl", uint32_t)
BT_MEM(btcl_mem, "btcl", uint32_t)
BT_MEM(lock_btsl_mem, "lock btsl", uint32_t)
BT_MEM(lock_btcl_mem, "lock btcl", uint32_t)
BT_MEM(btw_mem, "btw", uint16_t)
BT_MEM(btrw_mem, "btrw", uint16_t)

enum bit_action { TEST, SET, RESET, COMPLEMENT };

static const struct {
	const char *name;
	uint32_t (*fn)(int32_t, uint32_t);
	enum bit_action action;
} bit_ops[] = {
	{ "bt32 mem", btl_mem, TEST },
	{ "bts32 mem", btsl_mem, SET },
	{ "btr32 mem", btrl_mem, RESET },
	{ "btc32 mem", btcl_mem, COMPLEMENT },
	{ "lock bts32", lock_btsl_mem, SET },
	{ "lock btc32", lock_btcl_mem, COMPLEMENT },
	{ "bt16 mem", btw_mem, TEST },
	{ "btr16 mem", btrw_mem, RESET },
};

static void bit_tests_on_memory(void)
{
	for (size_t k = 0; k < sizeof bit_ops / sizeof bit_ops[0]; k++) {
		uint32_t seed = 555 + k, hash = FNV32_OFFSET;
		int bad = 0;

		for (int i = 0; i < 16; i++)
			bitmap[i] = model_bitmap[i] = lcg32(&seed);
		for (int32_t off = -256; off < 256; off++) {
			uint32_t fin = off & 1 ? FLAGS_SET : FLAGS_CLEAR;
			uint32_t bit = 256 + off;	/* from bitmap[0] bit 0 */
			uint32_t *word = &model_bitmap[bit / 32], m = 1u << (bit % 32);
			int want_cf = (*word & m) != 0;
			uint32_t f = bit_ops[k].fn(off, fin);
			switch (bit_ops[k].action) {
			case TEST: break;
			case SET: *word |= m; break;
			case RESET: *word &= ~m; break;
			case COMPLEMENT: *word ^= m; break;
			}
			hash = mix(hash, f & CF);
			bad += (f & CF) != (uint32_t)want_cf;
		}
		for (int i = 0; i < 16; i++) {
			hash = mix(hash, bitmap[i]);
			bad += bitmap[i] != model_bitmap[i];
		}
		printf("%-12s cases=512   hash=%08x%s\n", bit_ops[k].name, hash,
		       bad ? " WRONG" : "");
		if (bad)
			failures++;
	}
}

int main(uint32_t magic, void *info)
{
	(void)info;
	idt_install_exception_handlers();
	printf("image flags\n");
	printf("multiboot magic %08x\n", magic);
	printf("lines: name a [b] | r [r2] flags (input flags clear) | r [r2] flags (set)\n");

	make_values();
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
		run_op(&ops[i]);
	conditions();
	lahf_sahf();
	cmpxchg8b_cases();
	bit_tests_on_memory();

	if (failures != 0) {
		printf("FAIL %d checks\n", failures);
		return 1;
	}
	printf("OK\n");
	return 0;
}
