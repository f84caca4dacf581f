/*
 * rr — SCHED_RR time slicing between two user tasks of the same priority
 * on one CPU: each runs a loop in user mode, and every time slice
 * (--rr-slice) the other gets the CPU. Each takes SCHED_RR and sleeps a
 * millisecond first, so that both are realtime before either spins; the
 * run ends with --duration.
 */
#include "common.h"

static volatile unsigned long count[2];

static int spinner(void *arg)
{
	long i = (long)arg;
	struct sched_param sp = { 10 };
	bind_to(0);
	struct timespec ms = { 0, 1000000 };
	if (sched_setscheduler(0, SCHED_RR, &sp) != 0)
		printf("sched_setscheduler(SCHED_RR) failed\n");
	nanosleep(&ms, 0);
	printf("rr%ld spins\n", i);
	for (;;)
		count[i]++;
	return 0;
}

int main(void)
{
	user_task_run(spinner, (void *)0, "rr0", TASK_RT_GROUP);
	user_task_run(spinner, (void *)1, "rr1", TASK_RT_GROUP);
	start_kernel();
}
