/*
 * lockbreak.c — SMP contention on a raw spinlock, and Molnar's -Q7
 * lock-break.
 *
 * A kernel thread on CPU 0 holds a raw spinlock for 1 ms, calling
 * cond_resched_lock() every 100 µs; a thread on CPU 1 asks for the lock
 * 250 µs in. With lockbreak on, the spinning CPU sets break_lock and the
 * holder drops the lock at its next cond_resched_lock(): the waiter
 * waits under 100 µs. With lockbreak off, cond_resched_lock() only yields
 * for a reschedule of CPU 0 (none is pending), and the waiter spins until
 * the end of the section.
 */
#include "common.h"

static raw_spinlock_t lock;
static u64 t0;

static long us(void) { return (long)((ktime_get_ns() - t0) / 1000); }

static int holder(void *arg __attribute__((unused)))
{
	raw_spin_lock(&lock);
	int dropped = 0;
	for (int i = 0; i < 10; i++) {
		udelay(100);
		dropped += cond_resched_lock(&lock);
	}
	raw_spin_unlock(&lock);
	printk("%ld us: holder done, dropped the lock %d times\n", us(), dropped);
	return 0;
}

static int waiter(void *arg __attribute__((unused)))
{
	udelay(250);
	long start = us();
	raw_spin_lock(&lock);
	long waited = us() - start;
	udelay(10);
	raw_spin_unlock(&lock);
	printk("%ld us: waiter on cpu%d waited %ld us\n", us(), smp_processor_id(), waited);
	return 0;
}

int main(void)
{
	raw_spin_lock_init(&lock);
	t0 = ktime_get_ns();
	kthread_run_on(holder, 0, "holder", 0);
	kthread_run_on(waiter, 0, "waiter", 1);
	start_kernel();
	return 0;
}
