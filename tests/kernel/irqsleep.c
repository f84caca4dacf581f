/*
 * irqsleep — a hard-IRQ handler that tries to sleep, the first time it
 * runs (the traffic device on IRQ 11: --traffic irq=11,rate=...): the
 * kernel reports a BUG, the call fails, the handler and the machine go
 * on, and a bystander task powers off after 3 ms. The command line picks
 * the call: msleep, nanosleep, completion (wait_for_completion), schedule,
 * mightsleep (might_sleep, which only reports); softirq makes the handler
 * raise NET_RX_SOFTIRQ, whose action calls msleep; irqsoff makes the
 * bystander call msleep with interrupts disabled first; exit makes the
 * handler call do_exit, which is fatal in interrupt context.
 */
#include "preemptlab.h"

#define TRAFFIC0 0x300	/* the first traffic device's ports */

static int dev;
static int first = 1;
static DECLARE_COMPLETION(never);

static irqreturn_t sleepy_irq(int irq, void *d)
{
	(void)irq, (void)d;
	if (inl(TRAFFIC0) == 0)
		return IRQ_NONE;
	outl(TRAFFIC0, 1);	/* acknowledge one interrupt */
	if (first) {
		first = 0;
		if (cmdline_has("msleep"))
			msleep(1);
		if (cmdline_has("completion"))
			wait_for_completion(&never);
		if (cmdline_has("schedule"))
			schedule();
		if (cmdline_has("nanosleep")) {
			struct timespec ts = { 0, 1000000 };
			nanosleep(&ts, 0);
		}
		if (cmdline_has("mightsleep"))
			might_sleep();
		if (cmdline_has("softirq"))
			raise_softirq(NET_RX_SOFTIRQ);
		if (cmdline_has("exit"))
			do_exit(0);
		printk("sleepy_irq: went on\n");
	}
	return IRQ_HANDLED;
}

static void sleepy_softirq(struct softirq_action *a)
{
	(void)a;
	msleep(1);
	printk("sleepy_softirq: went on\n");
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

static int irqsoff(void *arg)
{
	(void)arg;
	local_irq_disable();
	msleep(1);
	local_irq_enable();
	printk("irqsoff: went on\n");
	return 0;
}

int main(void)
{
	if (request_irq(11, sleepy_irq, 0, "sleepy", &dev) != 0)
		printk("request_irq failed\n");
	open_softirq(NET_RX_SOFTIRQ, sleepy_softirq);
	if (cmdline_has("irqsoff"))
		kthread_run(irqsoff, 0, "irqsoff");
	user_task_run(bystander, 0, "bystander", TASK_RT_GROUP);
	start_kernel();
}
