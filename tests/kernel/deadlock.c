/*
 * deadlock — tasks that wait for ever: the kernel sees that no task can
 * run again and reports each one and what it waits on. The command line
 * picks who waits (several words may be given):
 *
 *	completion   task_a and task_b each wait for a completion only the
 *	             other completes after its own wait
 *	waitevent    waiter sleeps in wait_event on a queue nobody wakes
 *	abba         abba1 on cpu0 and abba2 on cpu1 take lock_a and lock_b
 *	             in opposite orders, interrupts off: both CPUs spin
 *	exit         the only task exits: nothing is left, a normal end
 *	names        waiter/0 and waiter/1, named in one buffer in turn,
 *	             both sleep in wait_event
 */
#include "preemptlab.h"

static struct completion a_done, b_done;
static DECLARE_WAIT_QUEUE_HEAD(never_wq);
static DEFINE_SPINLOCK(lock_a);
static DEFINE_SPINLOCK(lock_b);
static volatile int never;

static int task_a(void *arg)
{
	(void)arg;
	printk("task_a: waiting for b_done\n");
	wait_for_completion(&b_done);
	complete(&a_done);
	return 0;
}

static int task_b(void *arg)
{
	(void)arg;
	printk("task_b: waiting for a_done\n");
	wait_for_completion(&a_done);
	complete(&b_done);
	return 0;
}

static int waiter(void *arg)
{
	(void)arg;
	printk("waiter: waiting for never\n");
	wait_event(never_wq, never);
	return 0;
}

static int abba1(void *arg)
{
	(void)arg;
	spin_lock_irq(&lock_a);
	mdelay(1);
	spin_lock(&lock_b);
	return 0;
}

static int abba2(void *arg)
{
	(void)arg;
	spin_lock_irq(&lock_b);
	mdelay(1);
	spin_lock(&lock_a);
	return 0;
}

static int leaver(void *arg)
{
	(void)arg;
	printk("leaver: bye\n");
	return 0;
}

int main(void)
{
	init_completion(&a_done);
	init_completion(&b_done);
	if (cmdline_has("completion")) {
		kthread_run(task_a, 0, "task_a");
		kthread_run(task_b, 0, "task_b");
	}
	if (cmdline_has("waitevent"))
		kthread_run(waiter, 0, "waiter");
	if (cmdline_has("abba")) {
		kthread_run_on(abba1, 0, "abba1", 0);
		kthread_run_on(abba2, 0, "abba2", 1);
	}
	if (cmdline_has("exit"))
		kthread_run(leaver, 0, "leaver");
	if (cmdline_has("names")) {
		char name[16];
		for (int i = 0; i < 2; i++) {
			snprintf(name, sizeof name, "waiter/%d", i);
			kthread_run(waiter, 0, name);
		}
	}
	start_kernel();
}
