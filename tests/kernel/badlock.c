/*
 * badlock — misuse of the sleeping locks and the lock checks: unlock of an
 * unlocked mutex, unlock by a non-owner, recursion, a lock never
 * initialised, a lock pointer outside RAM, a lock of the wrong type, up
 * past a semaphore's use, sleeping while holding a spinning lock. Each
 * result is printed; the kernel's BUG reports go to stderr, naming the
 * task, the lock and the call site.
 */
#include "preemptlab.h"

static struct mutex m;
static struct mutex never_initialised;
static struct rt_mutex rtm;
static struct rw_semaphore rws;
static struct semaphore sem;
static raw_spinlock_t raw;
static struct completion owner_has_it, done;

static int owner(void *arg __attribute__((unused)))
{
	mutex_lock(&m);
	complete(&owner_has_it);
	wait_for_completion(&done);
	mutex_unlock(&m);
	return 0;
}

static int checker(void *arg __attribute__((unused)))
{
	wait_for_completion(&owner_has_it);
	printk("mutex_trylock(held) = %d\n", mutex_trylock(&m));
	printk("mutex_unlock by a non-owner = %ld\n", __pl_call1(__PL_mutex_unlock, (long)&m));
	complete(&done);
	msleep(1);
	printk("mutex_unlock(unlocked) = %ld\n", __pl_call1(__PL_mutex_unlock, (long)&m));
	printk("rt_mutex_lock = %d\n", rt_mutex_lock(&rtm));
	printk("rt_mutex_lock again (recursion) = %d\n", rt_mutex_lock(&rtm));
	rt_mutex_unlock(&rtm);
	printk("mutex_lock(never initialised) = %ld\n", __pl_call1(__PL_mutex_lock, (long)&never_initialised));
	printk("mutex_lock(outside RAM) = %ld\n", __pl_call1(__PL_mutex_lock, 0x7ffffff0L));
	printk("down_read(a mutex) = %ld\n", __pl_call1(__PL_down_read, (long)&m));
	printk("up_read(not held) = %ld\n", __pl_call1(__PL_up_read, (long)&rws));
	printk("down_trylock(0 units) = %d\n", down_trylock(&sem));
	up(&sem);
	printk("down_trylock(1 unit) = %d\n", down_trylock(&sem));
	raw_spin_lock(&raw);
	printk("mutex_lock holding a raw spinlock = %ld\n", __pl_call1(__PL_mutex_lock, (long)&m));
	raw_spin_unlock(&raw);
	kernel_power_off();
	return 0;
}

int main(void)
{
	mutex_init(&m);
	rt_mutex_init(&rtm);
	init_rwsem(&rws);
	sema_init(&sem, 0);
	raw_spin_lock_init(&raw);
	init_completion(&owner_has_it);
	init_completion(&done);
	kthread_run(owner, 0, "owner");
	kthread_run(checker, 0, "checker");
	start_kernel();
	return 0;
}
