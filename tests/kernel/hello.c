/*
 * hello — the smallest kernel image: a kernel thread and a user task say
 * hello, the user task sleeps a millisecond and powers the machine off.
 */
#include "preemptlab.h"

static int worker(void *arg)
{
	printk("kernel thread %d on cpu%d: %s\n", getpid(), smp_processor_id(), (const char *)arg);
	return 0;
}

static int user(void *arg __attribute__((unused)))
{
	struct timespec ts = { 0, 1000000 };
	printf("user task %d: hello\n", getpid());
	nanosleep(&ts, 0);
	printf("user task %d: powering off\n", getpid());
	reboot(RB_POWER_OFF);
	return 1;
}

int main(void)
{
	kthread_run(worker, "hello", "worker");
	user_task_run(user, 0, "user", TASK_RT_GROUP);
	start_kernel();
}
