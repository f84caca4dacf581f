/*
 * rcu.c — RCU read sections and seqlocks on one CPU.
 *
 * test=rcu (default): a SCHED_OTHER reader runs a 3 ms RCU read section;
 * a FIFO 90 updater wakes 2 ms in (msleep(1): two jiffies) and calls synchronize_rcu(). Under
 * classic RCU (preempt) the section is not preemptible: the updater runs
 * only when it ends, and its grace period is short. Under preemptible
 * RCU (rt) the updater preempts the reader at once, and its grace period
 * waits for the preempted reader to leave its section.
 *
 * test=seqlock: a SCHED_OTHER writer holds a seqlock_t's write side for
 * 4 ms; a FIFO 90 reader wakes 2 ms in and reads, retrying while the
 * sequence is odd or moved. Under preempt the writer is not preemptible;
 * under rt the reader preempts it, and read_seqbegin waits for the
 * writer by its lock (the writer is boosted under --pi chain).
 *
 * test=percpu: a SCHED_OTHER task works on per-CPU data for 3 ms between
 * get_cpu_locked() and put_cpu_locked(); a FIFO 90 task wakes 2 ms in.
 * Under preempt that is get_cpu(): the FIFO task waits for put_cpu();
 * under rt the section holds the CPU's sleeping lock and is preemptible.
 *
 * test=callrcu: as test=rcu, but the FIFO 90 task calls call_rcu() and
 * goes on; the callback runs in the RCU softirq (softirq-rcu/0 under rt)
 * once the reader has left its section.
 */
#include "common.h"

static u64 t0;
static long us(void) { return (long)((ktime_get_ns() - t0) / 1000); }

static DEFINE_SEQLOCK(sl);
static volatile int data_a, data_b;

static int reader(void *arg __attribute__((unused)))
{
	rcu_read_lock();
	printk("%ld us: reader in its read section\n", us());
	udelay(3000);
	rcu_read_unlock();
	printk("%ld us: reader left its read section\n", us());
	return 0;
}

static int updater(void *arg __attribute__((unused)))
{
	struct sched_param sp = { 90 };
	sched_setscheduler(0, SCHED_FIFO, &sp);
	msleep(1);
	long start = us();
	printk("%ld us: updater calls synchronize_rcu\n", start);
	synchronize_rcu();
	printk("%ld us: grace period over after %ld us\n", us(), us() - start);
	return 0;
}

static int writer(void *arg __attribute__((unused)))
{
	write_seqlock(&sl);
	printk("%ld us: writer in\n", us());
	data_a++;
	udelay(4000);
	data_b++;
	write_sequnlock(&sl);
	printk("%ld us: writer out\n", us());
	return 0;
}

static int seqreader(void *arg __attribute__((unused)))
{
	struct sched_param sp = { 90 };
	sched_setscheduler(0, SCHED_FIFO, &sp);
	msleep(1);
	long start = us();
	int tries = 0, a, b;
	unsigned seq;
	do {
		tries++;
		seq = read_seqbegin(&sl);
		a = data_a;
		b = data_b;
	} while (read_seqretry(&sl, seq) && tries < 1000000);
	printk("%ld us: reader read a=%d b=%d after %ld us, %d tries\n", us(), a, b, us() - start, tries);
	return 0;
}

static int percpu_user(void *arg __attribute__((unused)))
{
	int cpu = get_cpu_locked();
	printk("%ld us: per-CPU section on cpu%d\n", us(), cpu);
	udelay(3000);
	put_cpu_locked(cpu);
	printk("%ld us: per-CPU section over\n", us());
	return 0;
}

static int rt_task(void *arg __attribute__((unused)))
{
	struct sched_param sp = { 90 };
	sched_setscheduler(0, SCHED_FIFO, &sp);
	msleep(1);
	printk("%ld us: the FIFO 90 task runs\n", us());
	return 0;
}

static struct rcu_head head;

static void callback(struct rcu_head *h)
{
	printk("%ld us: RCU callback ran (head %s)\n", us(), h == &head ? "ok" : "wrong");
}

static int caller(void *arg __attribute__((unused)))
{
	struct sched_param sp = { 90 };
	sched_setscheduler(0, SCHED_FIFO, &sp);
	msleep(1);
	call_rcu(&head, callback);
	printk("%ld us: call_rcu returned\n", us());
	return 0;
}

int main(void)
{
	t0 = ktime_get_ns();
	if (cmdline_has("test=callrcu")) {
		kthread_run(caller, 0, "caller");
		kthread_run(reader, 0, "reader");
	} else if (cmdline_has("test=percpu")) {
		kthread_run(rt_task, 0, "rt_task");
		kthread_run(percpu_user, 0, "percpu");
	} else if (cmdline_has("test=seqlock")) {
		kthread_run(seqreader, 0, "seqreader");
		kthread_run(writer, 0, "writer");
	} else {
		kthread_run(updater, 0, "updater");
		kthread_run(reader, 0, "reader");
	}
	start_kernel();
	return 0;
}
