/*
 * preempting — the race TASK_PREEMPTING (PREEMPT_ACTIVE) exists for: a
 * kernel thread sets TASK_INTERRUPTIBLE, as wait_event does before it
 * tests its condition, and is preempted by a realtime task before it calls
 * schedule(). Preempted, it must stay runnable whatever its state, or it
 * would sleep with nobody to wake it. Here it never sleeps: it goes back
 * to TASK_RUNNING after the window and says so.
 */
#include "common.h"

static int sleeper(void *arg)
{
	(void)arg;
	set_current_state(TASK_INTERRUPTIBLE);
	udelay(2000);		/* the window before schedule() */
	set_current_state(TASK_RUNNING);
	printk("sleeper: still runnable after the window\n");
	return 0;
}

static int rt(void *arg)
{
	(void)arg;
	go_fifo(80);
	msleep(0);		/* wakes at the next tick, inside the window */
	printk("rt: ran\n");
	msleep(2);
	kernel_power_off();
}

int main(void)
{
	kthread_run_on(rt, 0, "rt", 0);
	kthread_run_on(sleeper, 0, "sleeper", 0);
	start_kernel();
}
