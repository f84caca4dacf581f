/*
 * bh.c — a task with bottom halves disabled while a device keeps raising
 * NET_RX on its CPU.
 *
 * The device (--traffic irq=11,...) acknowledges in its hard handler
 * (IRQF_NO_THREAD) and raises NET_RX_SOFTIRQ; net_rx_action prints how
 * long after the first raise it ran. A SCHED_OTHER kernel thread first
 * sleeps 3 ms — packets meanwhile are handled at once: the softirq's
 * delay without a bh section — then disables bottom halves (nested: two
 * local_bh_disable), works 2 ms, calls might_sleep() and msleep(1), works
 * 1 ms more, enables them again, sleeps 3 ms and powers off.
 *
 * Under preempt (softirq=irq-exit) local_bh_disable raises the softirq
 * count: NET_RX raised in the section waits for the outermost
 * local_bh_enable, which runs it, and might_sleep/msleep in the section
 * are a BUG (sleeping with bottom halves disabled; msleep does not sleep).
 * Under rt (softirq=thread) local_bh_disable takes the CPU's softirq
 * lock, softirq_ctrl.lock/0: the section stays preemptible and may sleep;
 * softirq-net-rx/0 wakes at the raise, blocks on the lock (boosting the
 * task under --pi chain) and runs when local_bh_enable releases it.
 *
 *	hog              a SCHED_FIFO 30 kernel thread wakes 5 ms in and
 *	                 spins 4 ms: under rt it preempts the task in its
 *	                 section, and NET_RX waits for the hog too, unless
 *	                 --pi chain boosts the task to the softirq thread's
 *	                 priority (FIFO 50)
 *
 * Misuse, each a report and never a host panic:
 *	test=unbalanced  a local_bh_enable with no disable before the
 *	                 section, and one too many in net_rx_action with
 *	                 NET_RX pending (its thread's count is its own
 *	                 under rt; under preempt __do_softirq's check)
 *	test=exit        the thread returns with bottom halves disabled:
 *	                 in_interrupt(), do_exit's "Aiee" panic
 */
#include "common.h"

#define TRAFFIC0 0x300

static int nic;
static u64 t0, raised;
static volatile unsigned packets;
static int unbalanced;

static long us(u64 ns) { return (long)((ns - t0) / 1000); }

static irqreturn_t nic_irq(int irq, void *dev)
{
	(void)irq, (void)dev;
	if (inl(TRAFFIC0) == 0)
		return IRQ_NONE;
	outl(TRAFFIC0, 1);
	if (!raised)
		raised = ktime_get_ns();
	raise_softirq(NET_RX_SOFTIRQ);
	return IRQ_HANDLED;
}

static void net_rx_action(struct softirq_action *a)
{
	(void)a;
	u64 now = ktime_get_ns();
	printk("%ld us: NET_RX ran %ld us after it was raised\n", us(now), (long)((now - raised) / 1000));
	raised = 0;
	if (unbalanced == 1) {
		unbalanced = 2;
		raised = ktime_get_ns();
		raise_softirq(NET_RX_SOFTIRQ); /* pending at the bad enable */
		local_bh_enable();
	}
	packets++;
	udelay(30);
}

static int bh_user(void *arg __attribute__((unused)))
{
	msleep(3);
	if (unbalanced)
		local_bh_enable();
	local_bh_disable();
	if (cmdline_has("test=exit")) {
		printk("%ld us: returning with bottom halves disabled\n", us(ktime_get_ns()));
		return 0;
	}
	local_bh_disable();
	printk("%ld us: bottom halves disabled on cpu%d\n", us(ktime_get_ns()), smp_processor_id());
	udelay(2000);
	might_sleep();
	msleep(1);
	printk("%ld us: after msleep(1) in the section\n", us(ktime_get_ns()));
	udelay(1000);
	local_bh_enable();
	printk("%ld us: inner local_bh_enable, still disabled\n", us(ktime_get_ns()));
	local_bh_enable();
	printk("%ld us: bottom halves enabled\n", us(ktime_get_ns()));
	msleep(3);
	printk("%ld us: %u NET_RX runs\n", us(ktime_get_ns()), packets);
	reboot(RB_POWER_OFF);
	return 0;
}

static int hog(void *arg __attribute__((unused)))
{
	struct sched_param sp = { 30 };
	sched_setscheduler(0, SCHED_FIFO, &sp);
	msleep(5);
	printk("%ld us: hog (FIFO 30) spins 4 ms\n", us(ktime_get_ns()));
	udelay(4000);
	printk("%ld us: hog done\n", us(ktime_get_ns()));
	return 0;
}

int main(void)
{
	t0 = ktime_get_ns();
	unbalanced = cmdline_has("test=unbalanced");
	open_softirq(NET_RX_SOFTIRQ, net_rx_action);
	request_irq(11, nic_irq, IRQF_NO_THREAD, "nic", &nic);
	kthread_run(bh_user, 0, "bh");
	if (cmdline_has("hog"))
		kthread_run(hog, 0, "hog");
	start_kernel();
	return 0;
}
