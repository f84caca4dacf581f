/*
 * nested — calls that nest on one task: a kernel thread and a user task
 * each make a registered system call whose code sleeps (msleep), takes a
 * spinlock and calls other kernel services before it returns a value.
 * Each caller must come back to where it called, with the value.
 */
#include "common.h"

#define SYS_compute 0x400

static DEFINE_SPINLOCK(lock);

static long compute(long a, long b, long c, long d, long e)
{
	(void)c, (void)d, (void)e;
	msleep(1);
	spin_lock(&lock);
	udelay(10);
	spin_unlock(&lock);
	might_sleep();
	return a * b;
}

static int kernel_caller(void *arg)
{
	(void)arg;
	long r = syscall(SYS_compute, 6, 7);
	printk("kernel thread: compute(6, 7) = %ld\n", r);
	return 0;
}

static int user_caller(void *arg)
{
	(void)arg;
	long r = syscall(SYS_compute, 5, 9);
	printf("user task: compute(5, 9) = %ld\n", r);
	msleep(0);		/* a kernel service: -EPERM from user mode */
	struct timespec t = { 0, 3000000 };
	nanosleep(&t, 0);
	reboot(RB_POWER_OFF);
	return 0;
}

int main(void)
{
	register_syscall(SYS_compute, compute);
	kthread_run(kernel_caller, 0, "kcaller");
	user_task_run(user_caller, 0, "ucaller", TASK_RT_GROUP);
	start_kernel();
}
