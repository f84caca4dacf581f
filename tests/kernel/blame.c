/*
 * blame — constructed latency cases with known answers, for the tests of
 * the kernel's blame: a SCHED_FIFO 80 task on CPU 0 wakes every 1 ms on
 * absolute clock_nanosleep while one thing on CPU 0 delays it. The
 * command line chooses it:
 *
 *	case=irqoff    a kernel thread disables interrupts for 300 us in
 *	               irqs_off_section(), every 1.67 ms
 *	case=cli       the same with the processor's own instructions: CLI, 300 us
 *	               of spinning on the TSC, STI in cli_section() (the kernel
 *	               sees no call)
 *	case=spinlock  a kernel thread holds the spinlock_t demo_lock for
 *	               500 us in hold_demo_lock(), every 1.87 ms (under preempt
 *	               the preemption count holds the wake-up off)
 *	case=hardirq   slowdev on irq 11 (the traffic device): a 200 us hard
 *	               handler, slowdev_interrupt()
 *	case=softirq   fastnic on irq 11: a short hard handler raising
 *	               NET_RX_SOFTIRQ, whose action rx_action() takes 150 us
 *	case=pi        priority inversion: the task reads a device — a registered
 *	               system call, devread(), that sleeps until the period's
 *	               start and then takes demo_lock — while an OTHER kernel
 *	               thread holds demo_lock for 400 us in hold_demo_lock_pi()
 *	               and a FIFO 50 kernel thread burns 600 us every 2.9 ms,
 *	               all on CPU 0.
 *	               Where spinlock_t sleeps without PI (rt) the task also waits
 *	               for the hog; with PI (rt --pi chain) the holder is boosted
 *	               and the wait is the rest of the critical section
 *	loops=N        wake-ups (default 200)
 */
#include "common.h"

#define TRAFFIC0 0x300
#define SYS_devread 0x400

static DEFINE_SPINLOCK(demo_lock);

/* A relative sleep whose length drifts the section's phase against the
 * 1 ms wake-ups, so that some wake-up meets the section's start. */
static void nap(long ns)
{
	struct timespec ts = { 0, ns };
	nanosleep(&ts, 0);
}

static __attribute__((noinline)) void irqs_off_section(void)
{
	local_irq_disable();
	udelay(300);
	local_irq_enable();
}

static int irqoff_thread(void *arg)
{
	(void)arg;
	for (;;) {
		irqs_off_section();
		nap(1370000);
	}
	return 0;
}

static inline unsigned long long rdtsc(void)
{
	unsigned lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (unsigned long long)hi << 32 | lo;
}

static __attribute__((noinline)) void cli_section(void)
{
	__asm__ volatile("cli" ::: "memory");
	unsigned long long t = rdtsc();
	while (rdtsc() - t < 300000) /* 300 us at the default 1000 MHz */
		;
	__asm__ volatile("sti" ::: "memory");
}

static int cli_thread(void *arg)
{
	(void)arg;
	for (;;) {
		cli_section();
		nap(1370000);
	}
	return 0;
}

static __attribute__((noinline)) void hold_demo_lock(void)
{
	spin_lock(&demo_lock);
	udelay(500);
	spin_unlock(&demo_lock);
}

static int spinlock_thread(void *arg)
{
	(void)arg;
	for (;;) {
		hold_demo_lock();
		nap(1370000);
	}
	return 0;
}

static __attribute__((noinline)) void hold_demo_lock_pi(void)
{
	spin_lock(&demo_lock);
	udelay(400);
	spin_unlock(&demo_lock);
}

static int pi_holder(void *arg)
{
	(void)arg;
	for (;;) {
		hold_demo_lock_pi();
		nap(730000);
	}
	return 0;
}

static int hog(void *arg)
{
	(void)arg;
	go_fifo(50);
	for (;;) {
		nap(2300000);
		udelay(600);
	}
	return 0;
}

/* devread(next): a device read that waits for the period's data, then
 * takes the device's lock to copy it out. */
static long devread(long next, long b, long c, long d, long e)
{
	(void)b, (void)c, (void)d, (void)e;
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, (const struct timespec *)next, 0);
	spin_lock(&demo_lock);
	udelay(5);
	spin_unlock(&demo_lock);
	return 0;
}

static int dev;
static irqreturn_t slowdev_interrupt(int irq, void *d)
{
	(void)irq, (void)d;
	if (inl(TRAFFIC0) == 0)
		return IRQ_NONE;
	outl(TRAFFIC0, 1);
	udelay(200);
	return IRQ_HANDLED;
}

static irqreturn_t fastnic_interrupt(int irq, void *d)
{
	(void)irq, (void)d;
	if (inl(TRAFFIC0) == 0)
		return IRQ_NONE;
	outl(TRAFFIC0, 1);
	raise_softirq(NET_RX_SOFTIRQ);
	return IRQ_HANDLED;
}

static void rx_action(struct softirq_action *a)
{
	(void)a;
	udelay(150);
}

static int measure(void *arg)
{
	bind_to(0);
	go_fifo(80);
	struct timespec next, now;
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (long i = 0; i < (long)arg; i++) {
		timespec_add_ns(&next, 1000000);
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, 0);
		clock_gettime(CLOCK_MONOTONIC, &now);
	}
	reboot(RB_POWER_OFF);
	return 0;
}

/* measure for case=pi: the same loop, reading the device instead of
 * sleeping. */
static int measure_dev(void *arg)
{
	bind_to(0);
	go_fifo(80);
	struct timespec next, now;
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (long i = 0; i < (long)arg; i++) {
		timespec_add_ns(&next, 1000000);
		syscall(SYS_devread, (long)&next);
		clock_gettime(CLOCK_MONOTONIC, &now);
	}
	reboot(RB_POWER_OFF);
	return 0;
}

int main(void)
{
	user_task_run(cmdline_has("case=pi") ? measure_dev : measure, (void *)cmdline_int("loops", 200), "measure", TASK_RT_GROUP);
	if (cmdline_has("case=irqoff"))
		kthread_run_on(irqoff_thread, 0, "irqoff", 0);
	if (cmdline_has("case=cli"))
		kthread_run_on(cli_thread, 0, "cli", 0);
	if (cmdline_has("case=spinlock"))
		kthread_run_on(spinlock_thread, 0, "holder", 0);
	if (cmdline_has("case=pi")) {
		register_syscall(SYS_devread, devread);
		kthread_run_on(pi_holder, 0, "holder", 0);
		kthread_run_on(hog, 0, "hog", 0);
	}
	if (cmdline_has("case=hardirq"))
		request_irq(11, slowdev_interrupt, IRQF_NO_THREAD, "slowdev", &dev);
	if (cmdline_has("case=softirq")) {
		open_softirq(NET_RX_SOFTIRQ, rx_action);
		request_irq(11, fastnic_interrupt, IRQF_NO_THREAD, "fastnic", &dev);
	}
	start_kernel();
}
