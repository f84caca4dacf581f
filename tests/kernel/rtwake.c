/*
 * rtwake — a realtime task woken by its timer while a SCHED_OTHER task
 * runs on the same CPU, the way cyclictest measures it. The kernel command
 * line chooses what the other task does:
 *
 *	bg=user      a loop in user mode
 *	bg=syscall   back-to-back 2 ms system calls: udelay(100); might_sleep();
 *	             twenty times, no lock held (a long kernel path)
 *	bg=spinlock  the same 2 ms path of udelay(100) with a spinlock_t held
 *	             throughout (and so no might_sleep(): sleeping under a
 *	             spinlock is a bug)
 *	loops=N      wake-ups to measure (default 3)
 *
 * The realtime task (SCHED_FIFO 80, a user task of the realtime group,
 * bound to CPU 0 with the other) sleeps on absolute clock_nanosleep every
 * millisecond and prints how late each wake-up was, measured from user
 * mode with clock_gettime as cyclictest does; then it powers off.
 */
#include "common.h"

#define SYS_fs_walk 0x400

static DEFINE_SPINLOCK(dcache_lock);
static int hold_lock;

/* The long kernel path: a "file-system walk" of 2 ms. */
static long fs_walk(long a, long b, long c, long d, long e)
{
	(void)a, (void)b, (void)c, (void)d, (void)e;
	if (hold_lock)
		spin_lock(&dcache_lock);
	for (int i = 0; i < 20; i++) {
		udelay(100);
		if (!hold_lock)
			might_sleep();
	}
	if (hold_lock)
		spin_unlock(&dcache_lock);
	return 0;
}

static volatile unsigned long spins;

static int background(void *arg)
{
	int syscalls = (int)(long)arg;
	bind_to(0);
	for (;;) {
		if (syscalls)
			syscall(SYS_fs_walk);
		else
			spins++;
	}
	return 0;
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
	int syscalls = cmdline_has("bg=syscall") || cmdline_has("bg=spinlock");
	hold_lock = cmdline_has("bg=spinlock");
	register_syscall(SYS_fs_walk, fs_walk);
	user_task_run(measure, (void *)cmdline_int("loops", 3), "measure", TASK_RT_GROUP);
	user_task_run(background, (void *)(long)syscalls, "background", 0);
	start_kernel();
}
