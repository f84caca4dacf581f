/*
 * fuzzcall — the guest half of the kernel's hypercall fuzzer
 * (FuzzHypercall in kernel/fuzz_test.go). The fuzzer writes lists of
 * calls (number and five arguments) into fuzz_input, in the loaded image,
 * before the machine starts; the boot code, a kernel thread on each CPU
 * and a user task each make their list's calls with int $0x80, in order,
 * recording each result and how many they made. The arguments are
 * already resolved to addresses: of scratch, of the lock objects main
 * initialises, of the functions and strings below.
 *
 * Run alone (no input written), it makes no call and ends when its tasks
 * have exited. main is one of the functions the fuzzer may pass, so it
 * may run again, in any context.
 */
#include "preemptlab.h"

#define FUZZ_MAGIC 0x5A5A5546u	/* "FUZZ" */
#define FUZZ_OPS 48
#define TRAFFIC0 0x300		/* the first traffic device's ports */

struct fuzz_op {
	u32 nr, a[5];
};

/* One caller's list: the calls, then what the guest writes back. The
 * first task to run a list claims it (main may run again, in another
 * mode or context, and find its lists claimed) and records its
 * privilege level. */
struct fuzz_list {
	u32 n;
	u32 claimed;
	u32 cpl;
	struct fuzz_op op[FUZZ_OPS];
	u32 ret[FUZZ_OPS];
	u32 done;
};

enum { LIST_BOOT, LIST_KERN0, LIST_KERN1, LIST_USER, NR_LISTS };

/* In .data (it has an initialiser), so that the loader copies it from
 * the file and the start-up code's .bss clearing leaves it alone. */
struct fuzz_input {
	u32 magic;
	u32 nlists;
	struct fuzz_list list[NR_LISTS];
} fuzz_input = { FUZZ_MAGIC, NR_LISTS, { { 0 } } };

/* What the fuzzer's arguments may point at. */
char fuzz_scratch[4096] __attribute__((aligned(64)));

struct fuzz_lock {
	__PL_LOCK_FIELDS;
	u32 pad[4];
};
struct fuzz_lock fuzz_locks[8];
spinlock_t fuzz_static_spin = __PL_LOCK_STATIC(fuzz_static_spin, LOCK_KIND_SPINLOCK);
struct completion fuzz_static_done = __PL_LOCK_STATIC(fuzz_static_done, LOCK_KIND_COMPLETION);

const char fuzz_name[] = "fuzz";
const char fuzz_long_name[] = "a-name-longer-than-task-comm-len";

int fuzz_fn(void *arg)
{
	(void)arg;
	return 0;
}

irqreturn_t fuzz_irq(int irq, void *dev)
{
	(void)irq, (void)dev;
	if (inl(TRAFFIC0) == 0)
		return IRQ_NONE;
	outl(TRAFFIC0, 1);
	return IRQ_HANDLED;
}

void fuzz_softirq(struct softirq_action *a)
{
	(void)a;
}

long fuzz_syscall(long a, long b, long c, long d, long e)
{
	(void)b, (void)c, (void)d, (void)e;
	return a;
}

void fuzz_rcu(struct rcu_head *h)
{
	(void)h;
}

/* Referenced, so that the linker's --gc-sections keeps them all. */
const void *const fuzz_refs[] = {
	fuzz_fn, fuzz_irq, fuzz_softirq, fuzz_syscall, fuzz_rcu, fuzz_name, fuzz_long_name,
	fuzz_scratch, fuzz_locks, &fuzz_static_spin, &fuzz_static_done,
};

static void run_list(struct fuzz_list *l)
{
	u32 n = l->n < FUZZ_OPS ? l->n : FUZZ_OPS, claimed = 1, cs;
	__asm__ volatile("xchgl %0, %1" : "+r"(claimed), "+m"(l->claimed));
	if (claimed)
		return;
	__asm__ volatile("movl %%cs, %0" : "=r"(cs));
	l->cpl = cs & 3;
	for (u32 i = 0; i < n; i++) {
		struct fuzz_op *op = &l->op[i];
		l->ret[i] = __pl_call5(op->nr, op->a[0], op->a[1], op->a[2], op->a[3], op->a[4]);
		l->done = i + 1;
	}
}

static int kern_list(void *arg)
{
	run_list(&fuzz_input.list[(long)arg]);
	return 0;
}

static int user_list(void *arg)
{
	run_list(&fuzz_input.list[(long)arg]);
	return 0;
}

int main(void)
{
	raw_spin_lock_init(&fuzz_locks[0]);
	spin_lock_init(&fuzz_locks[1]);
	spin_lock_init(&fuzz_locks[2]);
	rwlock_init(&fuzz_locks[3]);
	init_completion(&fuzz_locks[4]);
	init_completion(&fuzz_locks[5]);
	init_waitqueue_head(&fuzz_locks[6]);
	/* fuzz_locks[7] is never initialised. */
	__asm__ volatile("" : : "r"(fuzz_refs) : "memory");
	if (fuzz_input.magic != FUZZ_MAGIC)
		kernel_exit(1);
	run_list(&fuzz_input.list[LIST_BOOT]);
	kthread_run_on(kern_list, (void *)LIST_KERN0, "fuzz-k0", 0);
	if (kthread_run_on(kern_list, (void *)LIST_KERN1, "fuzz-k1", 1) < 0)
		kthread_run(kern_list, (void *)LIST_KERN1, "fuzz-k1");
	user_task_run(user_list, (void *)LIST_USER, "fuzz-user", 0);
	__pl_call0(__PL_start_kernel);
	/* start_kernel returned: main was called again, as a function the
	 * fuzzer passed (a thread's, a handler's, a system call's). End the
	 * task rather than run on into whatever follows. */
	for (;;)
		__pl_call1(__PL_do_exit, 0);
}
