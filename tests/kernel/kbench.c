/*
 * kbench — the kernel benchmark's workload: a realtime task woken by its
 * timer at 1 kHz on CPU 0 (as cyclictest's thread), a SCHED_OTHER task on
 * CPU 1 in back-to-back system calls of udelay(1000) and might_sleep()
 * five times, and a network-like device (--traffic irq=11,rate=5000) whose
 * handler acknowledges each interrupt, works 5 µs and raises NET_RX, whose
 * softirq works 20 µs. It runs until the run's --duration ends it.
 */
#include "common.h"

#define TRAFFIC0 0x300
#define SYS_work 0x400

static int nic;

static long work(long a, long b, long c, long d, long e)
{
	(void)a, (void)b, (void)c, (void)d, (void)e;
	for (int i = 0; i < 5; i++) {
		udelay(1000);
		might_sleep();
	}
	return 0;
}

static irqreturn_t nic_irq(int irq, void *dev)
{
	(void)irq, (void)dev;
	if (inl(TRAFFIC0) == 0)
		return IRQ_NONE;
	outl(TRAFFIC0, 1);
	udelay(5);
	raise_softirq(NET_RX_SOFTIRQ);
	return IRQ_HANDLED;
}

static void net_rx(struct softirq_action *a)
{
	(void)a;
	udelay(20);
}

static int rt(void *arg)
{
	struct timespec next;
	(void)arg;
	bind_to(0);
	go_fifo(99);
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (;;) {
		timespec_add_ns(&next, 1000000);
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, 0);
	}
	return 0;
}

static int other(void *arg)
{
	(void)arg;
	bind_to(1);
	for (;;)
		syscall(SYS_work);
	return 0;
}

int main(void)
{
	register_syscall(SYS_work, work);
	open_softirq(NET_RX_SOFTIRQ, net_rx);
	request_irq(11, nic_irq, 0, "nic", &nic);
	user_task_run(rt, 0, "rt", TASK_RT_GROUP);
	user_task_run(other, 0, "other", 0);
	start_kernel();
}
