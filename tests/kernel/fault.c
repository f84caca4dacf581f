/*
 * fault — a task that faults is killed and reported, and the machine goes
 * on: a bystander user task keeps sleeping and printing, then powers the
 * machine off. The command line picks the fault (one word):
 *
 *	ud gp de nothing        a user task: UD2, a load of a null segment
 *	                        selector into DS, a divide by zero, a load
 *	                        from an address with nothing behind it
 *	cli hlt io              a user task executing CLI, HLT, INB (#GP)
 *	int3 int81              a user task executing INT3, INT $0x81
 *	kud kgp kde knothing    the same faults in a kernel thread
 *	irq                     UD2 in a hard-IRQ handler (the traffic device
 *	                        on IRQ 11): a panic, the run ends
 *	boot                    UD2 in main, before start_kernel: the run ends
 */
#include "preemptlab.h"

#define TRAFFIC0 0x300	/* the first traffic device's ports */
#define NOTHING 0x20000000u	/* above the RAM of --mem 64, below the MMIO windows */

static volatile int divisor;	/* 0: the compiler cannot see it */

static void do_ud(void) { __asm__ volatile("ud2"); }
static void do_gp(void) { __asm__ volatile("movl $0x4, %%eax; movw %%ax, %%ds" : : : "eax"); }
static void do_de(void) { printf("%d\n", 100 / divisor); }
static void do_nothing(void) { printf("%u\n", *(volatile unsigned *)NOTHING); }
static void do_cli(void) { __asm__ volatile("cli"); }
static void do_hlt(void) { __asm__ volatile("hlt"); }
static void do_io(void) { printf("%u\n", inb(0x80)); }
static void do_int3(void) { __asm__ volatile("int3"); }
static void do_int81(void) { __asm__ volatile("int $0x81"); }

static const struct {
	const char *word;
	void (*fn)(void);
	int user;
} faults[] = {
	{ "ud", do_ud, 1 }, { "gp", do_gp, 1 }, { "de", do_de, 1 }, { "nothing", do_nothing, 1 },
	{ "cli", do_cli, 1 }, { "hlt", do_hlt, 1 }, { "io", do_io, 1 },
	{ "int3", do_int3, 1 }, { "int81", do_int81, 1 },
	{ "kud", do_ud, 0 }, { "kgp", do_gp, 0 }, { "kde", do_de, 0 }, { "knothing", do_nothing, 0 },
};

static int faulty(void *arg)
{
	void (*fn)(void) = (void (*)(void))arg;
	fn();
	printf("faulty: survived its fault\n");
	return 0;
}

static int bystander(void *arg)
{
	struct timespec ts = { 0, 1000000 };
	(void)arg;
	for (int i = 0; i < 3; i++) {
		nanosleep(&ts, 0);
		printf("bystander: tick %d\n", i);
	}
	reboot(RB_POWER_OFF);
	return 1;
}

static int irq_dev;

static irqreturn_t bad_irq(int irq, void *dev)
{
	(void)irq, (void)dev;
	outl(TRAFFIC0, 1);
	do_ud();
	return IRQ_HANDLED;
}

int main(void)
{
	if (cmdline_has("boot"))
		do_ud();
	if (cmdline_has("irq")) {
		if (request_irq(11, bad_irq, 0, "bad", &irq_dev) != 0)
			printk("request_irq failed\n");
	}
	for (unsigned i = 0; i < sizeof faults / sizeof faults[0]; i++) {
		if (!cmdline_has(faults[i].word))
			continue;
		if (faults[i].user)
			user_task_run(faulty, (void *)faults[i].fn, "faulty", 0);
		else
			kthread_run(faulty, (void *)faults[i].fn, "kfaulty");
	}
	user_task_run(bystander, 0, "bystander", TASK_RT_GROUP);
	start_kernel();
}
