/*
 * lazy — PREEMPT_LAZY against full preemption: while a SCHED_OTHER task
 * is in a 5 ms system call, a SCHED_OTHER task and a realtime task wake
 * from their timers. Under full preemption both preempt it at once; under
 * lazy the SCHED_OTHER wake-up only sets the lazy flag, honoured at the
 * next tick, while the realtime one preempts at once.
 */
#include "common.h"

#define SYS_long_path 0x400

static long long_path(long a, long b, long c, long d, long e)
{
	(void)a, (void)b, (void)c, (void)d, (void)e;
	udelay(5000);
	return 0;
}

static int busy(void *arg)
{
	(void)arg;
	bind_to(0);
	syscall(SYS_long_path);
	return 0;
}

static void sleep_and_measure(const char *who, long ns)
{
	struct timespec start, next, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	next = start;
	timespec_add_ns(&next, ns);
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, 0);
	clock_gettime(CLOCK_MONOTONIC, &now);
	printf("%s: %ld ns late\n", who, ts_diff(&now, &next));
}

static int other(void *arg)
{
	(void)arg;
	bind_to(0);
	sleep_and_measure("other", 2300000);
	return 0;
}

static int rt(void *arg)
{
	(void)arg;
	bind_to(0);
	go_fifo(80);
	sleep_and_measure("rt", 1500000);
	struct timespec t = { 0, 5000000 };
	nanosleep(&t, 0);
	reboot(RB_POWER_OFF);
	return 0;
}

int main(void)
{
	register_syscall(SYS_long_path, long_path);
	user_task_run(rt, 0, "rt", TASK_RT_GROUP);
	user_task_run(other, 0, "other", 0);
	user_task_run(busy, 0, "busy", 0);
	start_kernel();
}
