/*
 * pinv.c — priority inversion and the PI chain, on one CPU.
 *
 * test=inversion: a SCHED_OTHER holder of a spinlock_t runs a 4 ms
 * critical section; a FIFO 50 hog wakes after 2 ms (msleep(1): two
 * jiffies) and burns 6 ms; a FIFO 90 waiter wakes after 4 ms and takes
 * the lock. Without priority
 * inheritance (mmlinux, rt) the waiter also waits for the hog; with it
 * (mvista-rt, rt --pi chain) the holder is boosted and the waiter waits
 * only for the rest of the critical section.
 *
 * test=chain: three tasks, two locks: A (OTHER) holds L1; B (FIFO 20)
 * holds L2 and blocks on L1; C (FIFO 90) blocks on L2, while a FIFO 50
 * hog runs. One level of PI (pmutex) raises B only, so A waits for the
 * hog; pi=chain raises A through B; the releases unboost in order.
 *
 * test=deadlock: A holds L1 and waits for L2, B holds L2 and asks for L1:
 * under pi=chain rt_mutex_lock returns -EDEADLK.
 *
 * test=borrow: two SCHED_OTHER readers hold an rwlock_t (4 ms and 5 ms);
 * a FIFO 50 hog wakes after 2 ms; a FIFO 90 writer wants the lock after
 * 4 ms. Under mmlinux --pi borrow the writer lends its priority to both
 * readers; when the first leaves, the other keeps it.
 */
#include "common.h"

static spinlock_t lock, l2;
static rwlock_t rw;
static struct rt_mutex m1, m2;

static u64 t0;

static long us(void) { return (long)((ktime_get_ns() - t0) / 1000); }

static void fifo(int prio)
{
	struct sched_param sp = { prio };
	sched_setscheduler(0, SCHED_FIFO, &sp);
}

static int holder(void *arg __attribute__((unused)))
{
	spin_lock(&lock);
	printk("%ld us: holder has the lock\n", us());
	udelay(4000);
	spin_unlock(&lock);
	printk("%ld us: holder released the lock\n", us());
	return 0;
}

static int hog(void *arg)
{
	fifo(50);
	msleep((long)arg);
	printk("%ld us: hog runs\n", us());
	udelay(6000);
	printk("%ld us: hog done\n", us());
	return 0;
}

static int waiter(void *arg __attribute__((unused)))
{
	fifo(90);
	msleep(3);
	long start = us();
	spin_lock(&lock);
	printk("%ld us: waiter has the lock after %ld us\n", us(), us() - start);
	spin_unlock(&lock);
	return 0;
}

/* test=chain */
static int chain_a(void *arg __attribute__((unused)))
{
	spin_lock(&lock);
	printk("%ld us: A has L1\n", us());
	udelay(4000);
	spin_unlock(&lock);
	printk("%ld us: A released L1\n", us());
	return 0;
}

static int chain_b(void *arg __attribute__((unused)))
{
	fifo(20);
	msleep(1);
	spin_lock(&l2);
	printk("%ld us: B has L2, takes L1\n", us());
	spin_lock(&lock);
	printk("%ld us: B has L1\n", us());
	udelay(500);
	spin_unlock(&lock);
	spin_unlock(&l2);
	printk("%ld us: B released L1 and L2\n", us());
	return 0;
}

static int chain_c(void *arg __attribute__((unused)))
{
	fifo(90);
	msleep(3);
	long start = us();
	spin_lock(&l2);
	printk("%ld us: C has L2 after %ld us\n", us(), us() - start);
	spin_unlock(&l2);
	return 0;
}

/* test=deadlock */
static int dl_a(void *arg __attribute__((unused)))
{
	rt_mutex_lock(&m1);
	msleep(2);
	int r = rt_mutex_lock(&m2);
	printk("%ld us: A: rt_mutex_lock(m2) = %d\n", us(), r);
	if (r == 0)
		rt_mutex_unlock(&m2);
	rt_mutex_unlock(&m1);
	return 0;
}

static int dl_b(void *arg __attribute__((unused)))
{
	rt_mutex_lock(&m2);
	msleep(4);
	int r = rt_mutex_lock(&m1);
	printk("%ld us: B: rt_mutex_lock(m1) = %d\n", us(), r);
	if (r == 0)
		rt_mutex_unlock(&m1);
	rt_mutex_unlock(&m2);
	return 0;
}

/* test=borrow */
static int reader(void *arg)
{
	read_lock(&rw);
	printk("%ld us: reader %ld has the lock\n", us(), (long)arg);
	sched_yield(); /* the other reader takes it too */
	udelay(3000 + 1000 * (long)arg);
	read_unlock(&rw);
	printk("%ld us: reader %ld released it\n", us(), (long)arg);
	return 0;
}

static int writer(void *arg __attribute__((unused)))
{
	fifo(90);
	msleep(3);
	long start = us();
	write_lock(&rw);
	printk("%ld us: writer has the lock after %ld us\n", us(), us() - start);
	write_unlock(&rw);
	return 0;
}

int main(void)
{
	spin_lock_init(&lock);
	spin_lock_init(&l2);
	rt_mutex_init(&m1);
	rt_mutex_init(&m2);
	rwlock_init(&rw);
	t0 = ktime_get_ns();
	if (cmdline_has("test=chain")) {
		kthread_run(hog, (void *)2, "hog");
		kthread_run(chain_c, 0, "C");
		kthread_run(chain_b, 0, "B");
		kthread_run(chain_a, 0, "A");
	} else if (cmdline_has("test=borrow")) {
		kthread_run(hog, (void *)1, "hog");
		kthread_run(writer, 0, "writer");
		kthread_run(reader, (void *)1, "reader1");
		kthread_run(reader, (void *)2, "reader2");
	} else if (cmdline_has("test=deadlock")) {
		kthread_run(dl_a, 0, "A");
		kthread_run(dl_b, 0, "B");
	} else {
		kthread_run(hog, (void *)1, "hog");
		kthread_run(waiter, 0, "waiter");
		kthread_run(holder, 0, "holder");
	}
	start_kernel();
	return 0;
}
