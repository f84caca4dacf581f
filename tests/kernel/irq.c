/*
 * irq — a device interrupt with a 200 µs handler against a realtime task
 * above the IRQ thread's priority. The traffic device on IRQ 11
 * (--traffic irq=11,...) raises the interrupts; the handler acknowledges
 * one and works for 200 µs. Under irq=hard the handler runs in hard-IRQ
 * context and a wake-up of the measuring task that comes meanwhile waits
 * for it; under irq=threaded it runs in irq/11-eth0 (SCHED_FIFO 50),
 * which the measuring task (SCHED_FIFO 80) preempts.
 *
 *	loops=N   wake-ups to measure (default 4)
 */
#include "common.h"

#define TRAFFIC0 0x300	/* the first traffic device's ports */

static int eth_dev;

static irqreturn_t eth_irq(int irq, void *dev)
{
	(void)irq, (void)dev;
	if (inl(TRAFFIC0) == 0)
		return IRQ_NONE;
	outl(TRAFFIC0, 1);	/* acknowledge one interrupt */
	udelay(200);
	return IRQ_HANDLED;
}

static int measure(void *arg)
{
	bind_to(0);
	go_fifo(80);
	measure_loop("measure", (long)arg, 1000000);
	reboot(RB_POWER_OFF);
	return 0;
}

int main(void)
{
	if (request_irq(11, eth_irq, 0, "eth0", &eth_dev) != 0)
		printk("request_irq failed\n");
	user_task_run(measure, (void *)cmdline_int("loops", 4), "measure", TASK_RT_GROUP);
	start_kernel();
}
