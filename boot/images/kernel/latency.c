/*
 * latency — the built-in kernel demonstration: how late a realtime task's
 * timer wake-ups are while another task keeps CPU 0 busy, the experiment
 * cyclictest makes. Run it under each preemption model and compare:
 *
 *	preemptlab run latency --model none
 *	preemptlab run latency --model voluntary
 *	preemptlab run latency --model preempt
 *
 * The measuring task (SCHED_FIFO 80, a user task of the realtime group,
 * bound to CPU 0) sleeps on absolute clock_nanosleep every interval and
 * measures how late it woke from user mode with clock_gettime. The kernel
 * command line (--cmdline) sets the rest:
 *
 *	bg=syscall   (default) the other task makes back-to-back 5 ms system
 *	             calls: udelay(100); might_sleep(); fifty times
 *	bg=spinlock  the same path with a spinlock_t held throughout
 *	bg=user      the other task loops in user mode
 *	bg=none      no other task
 *	loops=N      wake-ups to measure (default 1000)
 *	interval=US  the period in microseconds (default 1000)
 *	verbose      print every wake-up, not only the summary
 */
#include "preemptlab.h"

#define SYS_walk 0x400

static DEFINE_SPINLOCK(dcache_lock);
static int hold_lock;

/* The long kernel path, a "file-system walk" of 5 ms: a might_sleep()
 * every 100 µs, or the whole walk under dcache_lock. */
static long walk(long a, long b, long c, long d, long e)
{
	(void)a, (void)b, (void)c, (void)d, (void)e;
	if (hold_lock)
		spin_lock(&dcache_lock);
	for (int i = 0; i < 50; i++) {
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
	unsigned long cpu0 = 1;
	int syscalls = (int)(long)arg;
	sched_setaffinity(0, sizeof cpu0, &cpu0);
	for (;;) {
		if (syscalls)
			syscall(SYS_walk);
		else
			spins++;
	}
	return 0;
}

static int measure(void *arg)
{
	struct sched_param sp = { 80 };
	unsigned long cpu0 = 1;
	long loops = cmdline_int("loops", 1000), interval = cmdline_int("interval", 1000) * 1000;
	int verbose = cmdline_has("verbose");
	long min = -1, max = 0;
	s64 sum = 0;
	struct timespec next, now;

	(void)arg;
	sched_setaffinity(0, sizeof cpu0, &cpu0);
	if (sched_setscheduler(0, SCHED_FIFO, &sp) != 0) {
		printf("latency: sched_setscheduler(SCHED_FIFO, 80) failed\n");
		exit(1);
	}
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (long i = 0; i < loops; i++) {
		long late;
		timespec_add_ns(&next, interval);
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, 0);
		clock_gettime(CLOCK_MONOTONIC, &now);
		late = (long)(timespec_to_ns(&now) - timespec_to_ns(&next));
		if (verbose)
			printf("wake-up %ld: %ld ns late\n", i, late);
		if (min < 0 || late < min)
			min = late;
		if (late > max)
			max = late;
		sum += late;
	}
	printf("%ld wake-ups every %ld us: min %ld ns, avg %ld ns, max %ld ns\n",
	       loops, interval / 1000, min, (long)(sum / loops), max);
	reboot(RB_POWER_OFF);
	return 0;
}

int main(void)
{
	int user = cmdline_has("bg=user"), none = cmdline_has("bg=none");
	hold_lock = cmdline_has("bg=spinlock");
	register_syscall(SYS_walk, walk);
	user_task_run(measure, 0, "measure", TASK_RT_GROUP);
	if (!none)
		user_task_run(background, (void *)(long)!user, "background", 0);
	start_kernel();
}
