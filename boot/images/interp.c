//go:build ignore
/*
 * interp.c — a switch-dispatched bytecode interpreter (lib.c's vm_run)
 * running programs assembled at start-up: iterative and recursive
 * Fibonacci, a sieve of Eratosthenes, a sum of GCDs and a Collatz search.
 * Each result is checked against the same computation in C. Then programs
 * that must stop with an error: division by zero, a bad opcode, a
 * recursion too deep, a stack underflow, a step limit.
 */
#include "lib.h"

static int failures;
static uint8_t code[4096];	/* the prog_* functions use 512 */
static int32_t memory[10000];

static void report(const char *name, struct vm *vm, int32_t want_result,
		   enum vm_status want_status)
{
	int ok = vm->status == want_status && vm->result == want_result;

	printf("%-16s status=%s result=%d steps=%u outputs=%u output-hash=%08x%s\n",
	       name, vm_status_name(vm->status), vm->result, vm->steps,
	       vm->outputs, vm->output_hash, ok ? "" : " WRONG");
	if (!ok) {
		printf("  want status=%s result=%d\n", vm_status_name(want_status), want_result);
		failures++;
	}
}

static void run(const char *name, size_t len, int print_output, int32_t want_result,
		enum vm_status want_status)
{
	struct vm vm = {
		.code = code,
		.code_len = len,
		.mem = memory,
		.mem_len = sizeof memory / sizeof memory[0],
		.max_steps = 50000000,
		.print_output = print_output,
	};

	if (len == 0) {
		printf("%-16s assembly failed\n", name);
		failures++;
		return;
	}
	vm_run(&vm);
	report(name, &vm, want_result, want_status);
}

/* The same computations in C. */

static int32_t fib(int32_t n)
{
	uint32_t a = 0, b = 1;

	while (n-- > 0) {
		uint32_t t = a + b;
		a = b;
		b = t;
	}
	return (int32_t)a;
}

static int32_t prime_count(int32_t n)
{
	int32_t count = 0;

	for (int32_t i = 2; i < n; i++) {
		int prime = 1;
		for (int32_t d = 2; d * d <= i; d++)
			if (i % d == 0) {
				prime = 0;
				break;
			}
		count += prime;
	}
	return count;
}

static int32_t gcd_sum(int32_t n)
{
	int32_t sum = 0;

	for (int32_t i = 1; i <= n; i++)
		for (int32_t j = 1; j <= n; j++) {
			int32_t x = i, y = j;
			while (y != 0) {
				int32_t t = x % y;
				x = y;
				y = t;
			}
			sum += x;
		}
	return sum;
}

static int32_t collatz_longest(int32_t n)
{
	int32_t best = -1, best_k = 0;

	for (int32_t k = 1; k < n; k++) {
		uint32_t x = k;
		int32_t steps = 0;
		while (x != 1) {
			x = (x & 1) ? 3 * x + 1 : x >> 1;
			steps++;
		}
		if (steps > best) {
			best = steps;
			best_k = k;
		}
	}
	return best_k;
}

/* Programs that must fail, assembled by hand. */

static size_t prog_divide_by_zero(void)
{
	struct vm_asm a;
	asm_init(&a, code, sizeof code);
	asm_push(&a, 7);
	asm_push(&a, 0);
	asm_op(&a, OP_DIV);
	asm_op(&a, OP_HALT);
	return asm_finish(&a);
}

static size_t prog_bad_opcode(void)
{
	struct vm_asm a;
	asm_init(&a, code, sizeof code);
	asm_push(&a, 1);
	asm_op(&a, OP_COUNT);	/* one past the last opcode */
	return asm_finish(&a);
}

static size_t prog_runaway_recursion(void)
{
	struct vm_asm a;
	asm_init(&a, code, sizeof code);
	int f = asm_label(&a);
	asm_bind(&a, f);
	asm_push(&a, 1);
	asm_call(&a, f, 1);
	asm_op(&a, OP_RET);
	return asm_finish(&a);
}

static size_t prog_underflow(void)
{
	struct vm_asm a;
	asm_init(&a, code, sizeof code);
	asm_push(&a, 1);
	asm_op(&a, OP_ADD);
	return asm_finish(&a);
}

static size_t prog_forever(void)
{
	struct vm_asm a;
	asm_init(&a, code, sizeof code);
	int top = asm_label(&a);
	asm_bind(&a, top);
	asm_inc(&a, 0, 3);
	asm_jump(&a, OP_JMP, top);
	return asm_finish(&a);
}

static void arithmetic_ops(void)
{
	/* Every arithmetic and comparison opcode once, on values that
	 * matter for their edge cases; the OUTs go to the output hash. */
	static const int32_t values[][2] = {
		{ 7, 3 }, { -7, 3 }, { 7, -3 }, { -7, -3 }, { INT32_MIN, -1 },
		{ INT32_MIN, 1 }, { INT32_MAX, 1 }, { 0, 5 }, { -1, 31 }, { 1, 32 },
	};
	static const enum vm_op ops[] = {
		OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD, OP_AND, OP_OR, OP_XOR,
		OP_SHL, OP_SHR, OP_SAR, OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE,
		OP_LTU,
	};
	struct vm_asm a;

	asm_init(&a, code, sizeof code);
	for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
		for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
			asm_push(&a, values[i][0]);
			asm_push(&a, values[i][1]);
			asm_op(&a, ops[k]);
			asm_op(&a, OP_OUT);
		}
	}
	asm_push(&a, 5);
	asm_op(&a, OP_NEG);
	asm_push(&a, 9);
	asm_op(&a, OP_OVER);
	asm_op(&a, OP_SWAP);
	asm_op(&a, OP_POP);
	asm_op(&a, OP_DUP);
	asm_op(&a, OP_ADD);
	asm_op(&a, OP_HALT);
	run("arithmetic", asm_finish(&a), 0, -10, VM_OK);
}

int main(uint32_t magic, void *info)
{
	(void)info;
	idt_install_exception_handlers();
	printf("image interp\n");
	printf("multiboot magic %08x\n", magic);

	printf("fib-iter(46):\n");
	run("fib-iter", prog_fib_iter(code, 46), 1, fib(47), VM_OK);
	run("fib-rec(20)", prog_fib_rec(code, 20), 0, fib(20), VM_OK);
	printf("sieve(10000):\n");
	run("sieve(10000)", prog_sieve(code, 10000), 1, prime_count(10000), VM_OK);
	run("gcd-sum(60)", prog_gcd_sum(code, 60), 0, gcd_sum(60), VM_OK);
	printf("collatz(500):\n");
	run("collatz(500)", prog_collatz(code, 500), 1, collatz_longest(500), VM_OK);
		arithmetic_ops();

	run("divide-by-zero", prog_divide_by_zero(), 0, 0, VM_DIVIDE_BY_ZERO);
	run("bad-opcode", prog_bad_opcode(), 0, 0, VM_BAD_OPCODE);
	run("deep-recursion", prog_runaway_recursion(), 0, 0, VM_CALL_TOO_DEEP);
	run("underflow", prog_underflow(), 0, 0, VM_STACK_UNDERFLOW);
	{
		struct vm vm = {
			.code = code, .code_len = prog_forever(), .mem = memory,
			.mem_len = 1, .max_steps = 100000,
		};
		vm_run(&vm);
		report("step-limit", &vm, 0, VM_STEP_LIMIT);
	}

	if (failures != 0) {
		printf("FAIL %d programs\n", failures);
		return 1;
	}
	printf("OK\n");
	return 0;
}
