/*
 * softirq — a device whose hard handler only acknowledges the interrupt
 * and raises NET_RX_SOFTIRQ, with the real work (150 µs) in the softirq,
 * against a realtime task. With softirq=irq-exit the softirq runs on
 * interrupt exit, not preemptible, and a wake-up meanwhile waits for it;
 * with softirq=thread it runs in softirq-net-rx/0 (SCHED_FIFO 50), which
 * the measuring task (SCHED_FIFO 80) preempts.
 *
 *	loops=N   wake-ups to measure (default 4)
 */
#include "common.h"

#define TRAFFIC0 0x300

static int nic;
static volatile unsigned packets;

static irqreturn_t nic_irq(int irq, void *dev)
{
	(void)irq, (void)dev;
	if (inl(TRAFFIC0) == 0)
		return IRQ_NONE;
	outl(TRAFFIC0, 1);
	raise_softirq(NET_RX_SOFTIRQ);
	return IRQ_HANDLED;
}

static void net_rx_action(struct softirq_action *a)
{
	(void)a;
	packets++;
	udelay(150);
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
	open_softirq(NET_RX_SOFTIRQ, net_rx_action);
	request_irq(11, nic_irq, IRQF_NO_THREAD, "nic", &nic);
	user_task_run(measure, (void *)cmdline_int("loops", 4), "measure", TASK_RT_GROUP);
	start_kernel();
}
