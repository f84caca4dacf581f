//go:build ignore
/*
 * strings.c — the string instructions: MOVS, STOS, LODS, SCAS and CMPS at
 * byte, word and dword size, alone and with REP/REPE/REPNE, forwards (CLD)
 * and backwards (STD), on overlapping and disjoint buffers, with counts from
 * zero up. Each case runs the real instruction on an arena and a C model of
 * its architectural definition on a copy; the memory, ESI, EDI, ECX, EAX and
 * the flags must agree. Then LODSB/LOOP/JECXZ, a 64 KiB REP MOVSD, and the
 * SDK's memcpy/memmove/memset/memcmp/strlen against plain C loops.
 *
 * The transcript has one summary line per instruction and direction (cases
 * run and a hash of every result) and detail lines for a few cases, so a
 * difference shows where it is. Offsets are printed relative to the arena,
 * so the output does not depend on where the image is loaded.
 */
#include "lib.h"

#define CF 0x001
#define PF 0x004
#define AF 0x010
#define ZF 0x040
#define SF 0x080
#define DF 0x400
#define OF 0x800
#define ARITH (CF | PF | AF | ZF | SF | OF)

#define ARENA 4096
static uint8_t arena[ARENA] __attribute__((aligned(16)));	/* the real run */
static uint8_t model[ARENA] __attribute__((aligned(16)));	/* the model's run */
static uint8_t pristine[ARENA] __attribute__((aligned(16)));

static int failures;

/* Register state around one string instruction. ESI and EDI are arena
 * offsets outside run_real. */
struct regs {
	uint32_t esi, edi, ecx, eax, flags;
};

/* Defines fn(regs, fin): load EFLAGS from fin (which sets DF too), run
 * insn, save EFLAGS, clear DF. */
#define STRING_OP(fn, insn)							\
	static void fn(struct regs *r, uint32_t fin)				\
	{									\
		uint32_t esi = r->esi, edi = r->edi, ecx = r->ecx, eax = r->eax, f; \
		__asm__ volatile("pushl %[fin]\n\tpopfl\n\t" insn "\n\t"	\
				 "pushfl\n\tpopl %[f]\n\tcld"			\
				 : "+S"(esi), "+D"(edi), "+c"(ecx), "+a"(eax),	\
				   [f] "=&r"(f)					\
				 : [fin] "r"(fin)				\
				 : "memory", "cc");				\
		r->esi = esi;							\
		r->edi = edi;							\
		r->ecx = ecx;							\
		r->eax = eax;							\
		r->flags = f;							\
	}

enum kind { MOVS, STOS, LODS, SCAS, CMPS };
enum repeat { ONCE, REP, REPE, REPNE };

struct op {
	const char *name;
	void (*run)(struct regs *, uint32_t);
	enum kind kind;
	int size;
	enum repeat repeat;
};

STRING_OP(op_movsb, "movsb")
STRING_OP(op_movsw, "movsw")
STRING_OP(op_movsl, "movsl")
STRING_OP(op_rep_movsb, "rep movsb")
STRING_OP(op_rep_movsw, "rep movsw")
STRING_OP(op_rep_movsl, "rep movsl")
STRING_OP(op_stosb, "stosb")
STRING_OP(op_stosw, "stosw")
STRING_OP(op_stosl, "stosl")
STRING_OP(op_rep_stosb, "rep stosb")
STRING_OP(op_rep_stosw, "rep stosw")
STRING_OP(op_rep_stosl, "rep stosl")
STRING_OP(op_lodsb, "lodsb")
STRING_OP(op_lodsw, "lodsw")
STRING_OP(op_lodsl, "lodsl")
STRING_OP(op_rep_lodsb, "rep lodsb")
STRING_OP(op_rep_lodsw, "rep lodsw")
STRING_OP(op_rep_lodsl, "rep lodsl")
STRING_OP(op_scasb, "scasb")
STRING_OP(op_scasw, "scasw")
STRING_OP(op_scasl, "scasl")
STRING_OP(op_repe_scasb, "repe scasb")
STRING_OP(op_repe_scasw, "repe scasw")
STRING_OP(op_repe_scasl, "repe scasl")
STRING_OP(op_repne_scasb, "repne scasb")
STRING_OP(op_repne_scasw, "repne scasw")
STRING_OP(op_repne_scasl, "repne scasl")
STRING_OP(op_cmpsb, "cmpsb")
STRING_OP(op_cmpsw, "cmpsw")
STRING_OP(op_cmpsl, "cmpsl")
STRING_OP(op_repe_cmpsb, "repe cmpsb")
STRING_OP(op_repe_cmpsw, "repe cmpsw")
STRING_OP(op_repe_cmpsl, "repe cmpsl")
STRING_OP(op_repne_cmpsb, "repne cmpsb")
STRING_OP(op_repne_cmpsw, "repne cmpsw")
STRING_OP(op_repne_cmpsl, "repne cmpsl")

static const struct op ops[] = {
	{ "movsb", op_movsb, MOVS, 1, ONCE },
	{ "movsw", op_movsw, MOVS, 2, ONCE },
	{ "movsd", op_movsl, MOVS, 4, ONCE },
	{ "rep movsb", op_rep_movsb, MOVS, 1, REP },
	{ "rep movsw", op_rep_movsw, MOVS, 2, REP },
	{ "rep movsd", op_rep_movsl, MOVS, 4, REP },
	{ "stosb", op_stosb, STOS, 1, ONCE },
	{ "stosw", op_stosw, STOS, 2, ONCE },
	{ "stosd", op_stosl, STOS, 4, ONCE },
	{ "rep stosb", op_rep_stosb, STOS, 1, REP },
	{ "rep stosw", op_rep_stosw, STOS, 2, REP },
	{ "rep stosd", op_rep_stosl, STOS, 4, REP },
	{ "lodsb", op_lodsb, LODS, 1, ONCE },
	{ "lodsw", op_lodsw, LODS, 2, ONCE },
	{ "lodsd", op_lodsl, LODS, 4, ONCE },
	{ "rep lodsb", op_rep_lodsb, LODS, 1, REP },
	{ "rep lodsw", op_rep_lodsw, LODS, 2, REP },
	{ "rep lodsd", op_rep_lodsl, LODS, 4, REP },
	{ "scasb", op_scasb, SCAS, 1, ONCE },
	{ "scasw", op_scasw, SCAS, 2, ONCE },
	{ "scasd", op_scasl, SCAS, 4, ONCE },
	{ "repe scasb", op_repe_scasb, SCAS, 1, REPE },
	{ "repe scasw", op_repe_scasw, SCAS, 2, REPE },
	{ "repe scasd", op_repe_scasl, SCAS, 4, REPE },
	{ "repne scasb", op_repne_scasb, SCAS, 1, REPNE },
	{ "repne scasw", op_repne_scasw, SCAS, 2, REPNE },
	{ "repne scasd", op_repne_scasl, SCAS, 4, REPNE },
	{ "cmpsb", op_cmpsb, CMPS, 1, ONCE },
	{ "cmpsw", op_cmpsw, CMPS, 2, ONCE },
	{ "cmpsd", op_cmpsl, CMPS, 4, ONCE },
	{ "repe cmpsb", op_repe_cmpsb, CMPS, 1, REPE },
	{ "repe cmpsw", op_repe_cmpsw, CMPS, 2, REPE },
	{ "repe cmpsd", op_repe_cmpsl, CMPS, 4, REPE },
	{ "repne cmpsb", op_repne_cmpsb, CMPS, 1, REPNE },
	{ "repne cmpsw", op_repne_cmpsw, CMPS, 2, REPNE },
	{ "repne cmpsd", op_repne_cmpsl, CMPS, 4, REPNE },
};
#define NOPS (sizeof ops / sizeof ops[0])

/* ---- The model ---------------------------------------------------------- */

static uint32_t load(const uint8_t *m, uint32_t at, int size)
{
	uint32_t v = 0;

	for (int i = size - 1; i >= 0; i--)
		v = v << 8 | m[(at + i) % ARENA];
	return v;
}

static void store(uint8_t *m, uint32_t at, int size, uint32_t v)
{
	for (int i = 0; i < size; i++, v >>= 8)
		m[(at + i) % ARENA] = (uint8_t)v;
}

static uint32_t size_mask(int size)
{
	return size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
}

/* The flags of CMP a, b (a - b) at the given size. */
static uint32_t compare_flags(uint32_t a, uint32_t b, int size)
{
	uint32_t mask = size_mask(size), sign = 1u << (8 * size - 1);
	uint32_t r = (a - b) & mask, f = 0, parity = r & 0xFF;

	a &= mask;
	b &= mask;
	if (a < b)
		f |= CF;
	parity ^= parity >> 4;
	parity ^= parity >> 2;
	parity ^= parity >> 1;
	if ((parity & 1) == 0)
		f |= PF;
	if ((a ^ b ^ r) & 0x10)
		f |= AF;
	if (r == 0)
		f |= ZF;
	if (r & sign)
		f |= SF;
	if ((a ^ b) & (a ^ r) & sign)
		f |= OF;
	return f;
}

/* Runs op on model[] as the manual defines it. */
static void run_model(const struct op *op, struct regs *r, uint32_t fin)
{
	int32_t delta = (fin & DF) ? -op->size : op->size;
	uint32_t mask = size_mask(op->size);

	r->flags = fin;
	for (;;) {
		if (op->repeat != ONCE && r->ecx == 0)
			break;
		switch (op->kind) {
		case MOVS:
			store(model, r->edi, op->size, load(model, r->esi, op->size));
			r->esi += delta;
			r->edi += delta;
			break;
		case STOS:
			store(model, r->edi, op->size, r->eax);
			r->edi += delta;
			break;
		case LODS:
			r->eax = (r->eax & ~mask) | load(model, r->esi, op->size);
			r->esi += delta;
			break;
		case SCAS:
			r->flags = (r->flags & ~ARITH) |
				   compare_flags(r->eax, load(model, r->edi, op->size), op->size);
			r->edi += delta;
			break;
		case CMPS:
			r->flags = (r->flags & ~ARITH) |
				   compare_flags(load(model, r->esi, op->size),
						 load(model, r->edi, op->size), op->size);
			r->esi += delta;
			r->edi += delta;
			break;
		}
		if (op->repeat == ONCE)
			break;
		r->ecx--;
		if (op->repeat == REPE && !(r->flags & ZF))
			break;
		if (op->repeat == REPNE && (r->flags & ZF))
			break;
	}
}

/* ---- Running a case ----------------------------------------------------- */

static void copy_words(uint8_t *dst, const uint8_t *src)
{
	uint32_t *d = (uint32_t *)dst;
	const uint32_t *s = (const uint32_t *)src;

	for (int i = 0; i < ARENA / 4; i++)
		d[i] = s[i];
}

static uint32_t arena_hash(const uint8_t *m)
{
	const uint32_t *w = (const uint32_t *)m;
	uint32_t h = FNV32_OFFSET;

	for (int i = 0; i < ARENA / 4; i++)
		h = (h ^ w[i]) * 0x01000193u;
	return h;
}

struct summary {
	uint32_t cases;
	uint32_t hash;
};

/*
 * Runs op once for real and once in the model from the same start: ESI at
 * arena offset src, EDI at dst (offsets of the first element processed),
 * ECX = count, EAX = eax, EFLAGS = arith | DF if backward, on the arenas
 * as the caller prepared them. Folds the result into s; prints it if show
 * or if the two runs disagree.
 */
static void run_case(const struct op *op, int backward, uint32_t src, uint32_t dst,
		     uint32_t count, uint32_t eax, uint32_t arith, int show,
		     struct summary *s)
{
	uint32_t fin = 0x002 | arith | (backward ? DF : 0);
	uint32_t base = (uint32_t)arena;
	struct regs real = { base + src, base + dst, count, eax, 0 };
	struct regs want = { src, dst, count, eax, 0 };

	op->run(&real, fin);
	run_model(op, &want, fin);
	real.esi -= base;
	real.edi -= base;

	uint32_t h = arena_hash(arena);
	int ok = real.esi == want.esi && real.edi == want.edi &&
		 real.ecx == want.ecx && real.eax == want.eax &&
		 (real.flags & (ARITH | DF)) == (want.flags & (ARITH | DF)) &&
		 h == arena_hash(model);

	s->cases++;
	s->hash = fnv1a32_word(s->hash, real.esi);
	s->hash = fnv1a32_word(s->hash, real.edi);
	s->hash = fnv1a32_word(s->hash, real.ecx);
	s->hash = fnv1a32_word(s->hash, real.eax);
	s->hash = fnv1a32_word(s->hash, real.flags & (ARITH | DF));
	s->hash = fnv1a32_word(s->hash, h);
	if (show || !ok)
		printf("  %-11s %s n=%-3u src=%-4u dst=%-4u -> esi=%-4d edi=%-4d ecx=%08x eax=%08x fl=%03x mem=%08x%s\n",
		       op->name, backward ? "std" : "cld", count, src, dst,
		       (int32_t)real.esi, (int32_t)real.edi, real.ecx, real.eax,
		       real.flags & (ARITH | DF), h, ok ? "" : " MISMATCH");
	if (!ok) {
		printf("  %-11s model:                        esi=%-4d edi=%-4d ecx=%08x eax=%08x fl=%03x mem=%08x\n",
		       "", (int32_t)want.esi, (int32_t)want.edi, want.ecx, want.eax,
		       want.flags & (ARITH | DF), arena_hash(model));
		failures++;
	}
}

/* Both arenas back to the generated contents. */
static void reset(void)
{
	copy_words(arena, pristine);
	copy_words(model, pristine);
}

/* Offset of the first element processed for a region starting at
 * offset lo: the lowest element forwards, the highest backwards. */
static uint32_t first(uint32_t lo, uint32_t count, int size, int backward)
{
	return backward && count > 0 ? lo + (count - 1) * size : lo;
}

static void poke(uint32_t at, int size, uint32_t v)
{
	store(arena, at, size, v);
	store(model, at, size, v);
}

/* ---- The cases of each kind --------------------------------------------- */

static const uint32_t counts[] = { 0, 1, 2, 7, 301 };
#define NCOUNTS (sizeof counts / sizeof counts[0])

/* ECX for case c: the count for a REP form; for a single instruction, a
 * value it must leave alone. */
static uint32_t ecx_for(const struct op *op, size_t c)
{
	return op->repeat == ONCE ? 3 : counts[c];
}

/* MOVS: disjoint regions and every small overlap, in both directions. */
static void movs_cases(const struct op *op, int backward, struct summary *s)
{
	static const int32_t distances[] = { 1600, 1, 2, 3, 5, -1, -3, -6, 0 };

	for (size_t d = 0; d < sizeof distances / sizeof distances[0]; d++)
		for (size_t c = 0; c < NCOUNTS; c++) {
			uint32_t n = op->repeat == ONCE ? 1 : counts[c];
			uint32_t lo = 512, dst_lo = lo + distances[d];
			if (op->repeat == ONCE && c > 0)
				break;
			reset();
			run_case(op, backward, first(lo, n, op->size, backward),
				 first(dst_lo, n, op->size, backward), ecx_for(op, c),
				 0x11223344, c & 1 ? ARITH : 0,
				 (op->repeat == ONCE || counts[c] == 7) && d < 3, s);
		}
}

static void stos_cases(const struct op *op, int backward, struct summary *s)
{
	for (size_t c = 0; c < NCOUNTS; c++) {
		uint32_t n = op->repeat == ONCE ? 1 : counts[c];
		if (op->repeat == ONCE && c > 0)
			break;
		reset();
		run_case(op, backward, 0, first(1000 + c, n, op->size, backward),
			 ecx_for(op, c), 0xA5C3E1F7, c & 1 ? ARITH : 0, c == 3 || op->repeat == ONCE, s);
	}
}

static void lods_cases(const struct op *op, int backward, struct summary *s)
{
	for (size_t c = 0; c < NCOUNTS; c++) {
		uint32_t n = op->repeat == ONCE ? 1 : counts[c];
		if (op->repeat == ONCE && c > 0)
			break;
		reset();
		run_case(op, backward, first(200 + c, n, op->size, backward), 0,
			 ecx_for(op, c), 0xDEADBEEF, c & 1 ? ARITH : 0, 1, s);
	}
}

/*
 * SCAS and CMPS: regions of n elements in which element plant (counted in
 * the direction of the scan; -1 for none) is the one that stops the scan:
 * for REPE the first that differs from EAX (SCAS) or from the source
 * (CMPS), for REPNE the first equal one.
 */
struct search {
	uint32_t count;
	int32_t plant;
};

static const struct search searches[] = {
	{ 0, -1 }, { 1, 0 }, { 1, -1 }, { 16, 9 }, { 200, 150 }, { 200, -1 }, { 5, 4 },
};

static void search_cases(const struct op *op, int backward, struct summary *s)
{
	uint32_t eax = 0x5A3C961F;
	int size = op->size;

	for (size_t k = 0; k < sizeof searches / sizeof searches[0]; k++) {
		uint32_t n = searches[k].count;
		int32_t plant = searches[k].plant;
		uint32_t src_lo = 300, dst_lo = 2000 + 3 * k;
		int want_equal = op->repeat != REPNE;	/* what the filler is */

		if (op->repeat == ONCE && n != 1)
			continue;
		reset();
		for (uint32_t i = 0; i < n; i++) {
			/* element i in scan order */
			uint32_t e = backward ? n - 1 - i : i;
			uint32_t d = dst_lo + e * size, sv = load(arena, src_lo + e * size, size);
			uint32_t same = op->kind == SCAS ? eax : sv;
			int equal = ((int32_t)i == plant) != want_equal;
			poke(d, size, equal ? same : same ^ (0x81u << (8 * (i % size))));
		}
		run_case(op, backward, first(src_lo, n, size, backward),
			 first(dst_lo, n, size, backward), n, eax,
			 k & 1 ? ARITH : 0, n <= 16, s);
	}
	/* strlen the classic way: REPNE SCASB for AL = 0, ECX = -1. */
	if (op->kind == SCAS && op->repeat == REPNE) {
		reset();
		poke(3000 + (backward ? -57 : 57) * size, size, 0);
		run_case(op, backward, 0, 3000, 0xFFFFFFFF, 0, 0, 1, s);
	}
}

static void instruction_tests(void)
{
	lcg_fill(pristine, ARENA, 31337);
	/* no zero elements by chance: the strlen case plants its own */
	for (int i = 0; i < ARENA; i++)
		if (pristine[i] == 0)
			pristine[i] = 0x77;

	for (size_t i = 0; i < NOPS; i++)
		for (int backward = 0; backward < 2; backward++) {
			const struct op *op = &ops[i];
			struct summary s = { 0, FNV32_OFFSET };
			switch (op->kind) {
			case MOVS: movs_cases(op, backward, &s); break;
			case STOS: stos_cases(op, backward, &s); break;
			case LODS: lods_cases(op, backward, &s); break;
			case SCAS:
			case CMPS: search_cases(op, backward, &s); break;
			}
			printf("%-11s %s cases=%-3u hash=%08x\n", op->name,
			       backward ? "std" : "cld", s.cases, s.hash);
		}
}

/* ---- LODSB with LOOP and JECXZ ------------------------------------------ */

/* Sums n bytes from p (the first byte processed) with LODSB and LOOP. */
static uint32_t lods_loop_sum(const uint8_t *p, uint32_t n, int backward, uint32_t *esi_out)
{
	uint32_t esi = (uint32_t)p, ecx = n, sum, tmp, eax = 0;

	__asm__ volatile("testl %[back], %[back]\n\t"
			 "jz 1f\n\t"
			 "std\n"
			 "1:\txorl %[sum], %[sum]\n\t"
			 "jecxz 3f\n"
			 "2:\tlodsb\n\t"
			 "movzbl %%al, %[tmp]\n\t"
			 "addl %[tmp], %[sum]\n\t"
			 "roll $3, %[sum]\n\t"
			 "loop 2b\n"
			 "3:\tcld"
			 : "+S"(esi), "+c"(ecx), "+a"(eax), [sum] "=&r"(sum), [tmp] "=&r"(tmp)
			 : [back] "r"(backward)
			 : "cc", "memory");
	*esi_out = esi - (uint32_t)arena;
	return sum;
}

static void loop_tests(void)
{
	static const uint32_t ns[] = { 0, 1, 3, 100, 1000 };

	reset();
	for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
		for (int backward = 0; backward < 2; backward++) {
			uint32_t n = ns[i], esi, want = 0;
			uint32_t at = first(1500, n, 1, backward);
			uint32_t sum = lods_loop_sum(arena + at, n, backward, &esi);
			for (uint32_t k = 0; k < n; k++) {
				want += arena[backward ? at - k : at + k];
				want = want << 3 | want >> 29;
			}
			printf("lodsb-loop  %s n=%-4u sum=%08x esi=%d%s\n", backward ? "std" : "cld",
			       n, sum, (int32_t)esi, sum == want ? "" : " MISMATCH");
			if (sum != want)
				failures++;
		}
}

/* ---- A large copy ------------------------------------------------------- */

static uint32_t big_src[16384], big_dst[16384];

static void big_copy(void)
{
	uint32_t *s = big_src, *d = big_dst, n = 16384;

	lcg_fill(big_src, sizeof big_src, 4242);
	__asm__ volatile("rep movsl" : "+S"(s), "+D"(d), "+c"(n) : : "memory");
	int same = 1;
	for (int i = 0; i < 16384; i++)
		if (big_src[i] != big_dst[i])
			same = 0;
	printf("rep movsd 64KiB crc32=%08x %s\n", crc32(big_dst, sizeof big_dst),
	       same ? "same" : "DIFFERENT");
	if (!same)
		failures++;
}

/* ---- The SDK's functions ------------------------------------------------ */

static void sdk_functions(void)
{
	static const uint32_t lens[] = { 0, 1, 3, 4, 5, 31, 64, 257 };
	static const int32_t shifts[] = { -9, -4, -1, 1, 3, 4, 200 };
	uint32_t h = FNV32_OFFSET;
	int bad = 0;

	for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		uint32_t n = lens[i];
		for (size_t k = 0; k < sizeof shifts / sizeof shifts[0]; k++) {
			uint32_t src = 1024, dst = src + shifts[k];

			/* memmove, against a byte loop through a bounce buffer */
			reset();
			uint8_t bounce[257];
			for (uint32_t j = 0; j < n; j++)
				bounce[j] = model[src + j];
			for (uint32_t j = 0; j < n; j++)
				model[dst + j] = bounce[j];
			memmove(arena + dst, arena + src, n);
			bad += arena_hash(arena) != arena_hash(model);
			h = fnv1a32_word(h, arena_hash(arena));

			/* memcpy on disjoint buffers */
			if (shifts[k] == 200) {
				memcpy(arena + dst, arena + 3000, n);
				for (uint32_t j = 0; j < n; j++)
					model[dst + j] = model[3000 + j];
				bad += arena_hash(arena) != arena_hash(model);
			}
		}
		/* memset and memcmp */
		reset();
		memset(arena + 77, 0xC4, n);
		for (uint32_t j = 0; j < n; j++)
			model[77 + j] = 0xC4;
		bad += arena_hash(arena) != arena_hash(model);
		bad += memcmp(arena + 77, model + 77, n) != 0;
		if (n > 0) {
			model[77 + n - 1] = 0xC5;
			bad += memcmp(arena + 77, model + 77, n) >= 0;
			bad += memcmp(model + 77, arena + 77, n) <= 0;
		}
		/* strlen */
		arena[2000 + n] = 0;
		for (uint32_t j = 0; j < n; j++)
			arena[2000 + j] = 'a' + j % 26;
		bad += strlen((const char *)arena + 2000) != n;
		h = fnv1a32_word(h, arena_hash(arena));
	}
	printf("sdk memmove/memcpy/memset/memcmp/strlen hash=%08x %s\n", h,
	       bad ? "WRONG" : "ok");
	if (bad)
		failures++;
}

int main(uint32_t magic, void *info)
{
	(void)info;
	idt_install_exception_handlers();
	printf("image strings\n");
	printf("multiboot magic %08x\n", magic);

	instruction_tests();
	loop_tests();
	big_copy();
	sdk_functions();

	if (failures != 0) {
		printf("FAIL %d cases\n", failures);
		return 1;
	}
	printf("OK\n");
	return 0;
}
