/*
 * longsleep — sleeps far longer than the run: nanosleep for 2^64 ns
 * (about 213 days) and for the longest struct timespec (2^31 s), and
 * clock_nanosleep to a far absolute time. None of them may end before
 * the bystander powers the machine off after 3 ms; a sleep to an
 * absolute time already past returns at once.
 */
#include "preemptlab.h"

static int sleeper(void *arg)
{
	struct timespec ts = *(struct timespec *)arg;
	int abs = ts.tv_nsec < 0;
	if (abs)
		ts.tv_nsec = 0;
	long r = abs ? clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, 0) : nanosleep(&ts, 0);
	printf("sleeper %d: woke after %lds (%ld)\n", getpid(), ts.tv_sec, r);
	return 0;
}

static int bystander(void *arg)
{
	struct timespec ts = { 0, 1000000 }, past = { 0, 1 };
	(void)arg;
	printf("bystander: clock_nanosleep to the past: %d\n", clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &past, 0));
	for (int i = 0; i < 3; i++) {
		nanosleep(&ts, 0);
		printf("bystander: tick %d\n", i);
	}
	reboot(RB_POWER_OFF);
	return 1;
}

/* 18446744.073709552 s is 2^64 ns (and a bit): the length of a cycle
 * counter's wrap at 1000 MHz. tv_nsec -1 marks an absolute time. */
static struct timespec wrap = { 18446744, 73709552 };
static struct timespec longest = { 0x7FFFFFFF, 999999999 };
static struct timespec far = { 18446745, -1 };

int main(void)
{
	user_task_run(sleeper, &wrap, "wrap", 0);
	user_task_run(sleeper, &longest, "longest", 0);
	user_task_run(sleeper, &far, "far", 0);
	user_task_run(bystander, 0, "bystander", TASK_RT_GROUP);
	start_kernel();
}
