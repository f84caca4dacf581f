/*
 * spurious — wake_up_process on a task that sleeps or waits for something
 * else (a spurious wake-up) must not end its sleep or its wait: msleep
 * and nanosleep sleep on to their time, as Linux's loops do, and a
 * completion's waiter waits on, queued once. The waker wakes task a in
 * each of its waits, then completes the completion once for a and once
 * for b, which waits on it last. One CPU (--cpus 1).
 */
#include "preemptlab.h"

static struct completion done;
static int pid_a;

static int ms_since(u64 t0)
{
	return (int)((ktime_get_ns() - t0) / 1000000);
}

static int task_a(void *arg)
{
	struct timespec ts = { 0, 10000000 };
	u64 t0 = ktime_get_ns();
	(void)arg;
	msleep(10);
	printk("a: msleep(10) took %d ms\n", ms_since(t0));
	t0 = ktime_get_ns();
	nanosleep(&ts, 0);
	printk("a: nanosleep(10 ms) took %d ms\n", ms_since(t0));
	wait_for_completion(&done);
	printk("a: completed at %d ms\n", ms_since(0));
	return 0;
}

static int task_b(void *arg)
{
	(void)arg;
	msleep(30);
	wait_for_completion(&done);
	printk("b: completed at %d ms\n", ms_since(0));
	return 0;
}

static int waker(void *arg)
{
	(void)arg;
	msleep(2);
	printk("waker: wakes a in msleep: %d\n", wake_up_process(pid_a));
	msleep(11);
	printk("waker: wakes a in nanosleep: %d\n", wake_up_process(pid_a));
	msleep(12);
	printk("waker: wakes a in wait_for_completion: %d\n", wake_up_process(pid_a));
	msleep(2);
	complete(&done);
	msleep(10);
	complete(&done);
	return 0;
}

int main(void)
{
	init_completion(&done);
	pid_a = kthread_run(task_a, 0, "a");
	kthread_run(task_b, 0, "b");
	kthread_run(waker, 0, "waker");
	start_kernel();
}
