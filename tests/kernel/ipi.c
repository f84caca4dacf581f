/*
 * ipi — a wake-up across CPUs: a kernel thread on CPU 0 wakes a realtime
 * kernel thread bound to CPU 1 every millisecond with wake_up_process(),
 * which sends CPU 1 a reschedule IPI. CPU 1 is idle for the first wake-up
 * and runs a SCHED_OTHER user loop for the later ones. The woken thread
 * prints how long after the wake_up_process() call it ran.
 *
 *	loops=N   wake-ups (default 3)
 */
#include "common.h"

static volatile u64 woken_at;
static volatile int rt_pid;

static int rt(void *arg)
{
	(void)arg;
	go_fifo(80);
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		schedule();
		printk("rt on cpu%d: ran %llu ns after the wake-up\n", smp_processor_id(),
		       ktime_get_ns() - woken_at);
	}
	return 0;
}

static volatile unsigned long spins;

static int hog(void *arg)
{
	(void)arg;
	bind_to(1);
	for (;;)
		spins++;
	return 0;
}

static int waker(void *arg)
{
	long loops = (long)arg;
	msleep(1);
	for (long i = 0; i < loops; i++) {
		if (i == 1)
			user_task_run(hog, 0, "hog", 0);
		msleep(1);
		woken_at = ktime_get_ns();
		wake_up_process(rt_pid);
	}
	msleep(1);
	kernel_power_off();
}

int main(void)
{
	rt_pid = kthread_run_on(rt, 0, "rt", 1);
	kthread_run_on(waker, (void *)cmdline_int("loops", 3), "waker", 0);
	start_kernel();
}
