/*
 * common.h — what the scenario images share: binding, the realtime policy
 * and the measuring loop of a cyclictest-like realtime task.
 */
#ifndef COMMON_H
#define COMMON_H

#include "preemptlab.h"

static inline long ts_diff(const struct timespec *a, const struct timespec *b)
{
	return (long)(timespec_to_ns(a) - timespec_to_ns(b));
}

/* Binds the caller to one CPU. */
static inline void bind_to(int cpu)
{
	unsigned long mask = 1ul << cpu;
	sched_setaffinity(0, sizeof mask, &mask);
}

/* Makes the caller SCHED_FIFO at prio, or exits saying why not. */
static inline void go_fifo(int prio)
{
	struct sched_param sp = { prio };
	if (sched_setscheduler(0, SCHED_FIFO, &sp) != 0) {
		printf("%d: sched_setscheduler(SCHED_FIFO, %d) failed\n", getpid(), prio);
		exit(1);
	}
}

/* The cyclictest loop: wake up every period_ns on absolute
 * clock_nanosleep, loops times, printing how late each wake-up was. */
static inline void measure_loop(const char *who, long loops, long period_ns)
{
	struct timespec next, now;
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (long i = 0; i < loops; i++) {
		timespec_add_ns(&next, period_ns);
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, 0);
		clock_gettime(CLOCK_MONOTONIC, &now);
		printf("%s wake-up %ld: %ld ns late\n", who, i, ts_diff(&now, &next));
	}
}

#endif
