/*
 * badcall — system calls and kernel services with bad arguments, made
 * from the boot code, a kernel thread and a user task: numbers that name
 * no call, kernel services from user mode, pointers outside RAM, into
 * the MMIO windows or at address 0, absurd sizes and values. Each call's
 * result is printed as an errno name; the kernel's BUG reports go to
 * stderr. The kernel thread powers the machine off at the end.
 *
 * Run with --mem 64 (the default): RAM_END is where RAM ends.
 */
#include "preemptlab.h"

#define RAM_END 0x04000000u
#define IOAPIC 0xFEC00000u
#define LAPIC 0xFEE00000u
#define P(a) ((long)(a))

static const char *errname(long r)
{
	static char buf[16];
	switch (r) {
	case -EPERM: return "-EPERM";
	case -ESRCH: return "-ESRCH";
	case -9: return "-EBADF";
	case -ENOMEM: return "-ENOMEM";
	case -EFAULT: return "-EFAULT";
	case -EBUSY: return "-EBUSY";
	case -EINVAL: return "-EINVAL";
	case -ENOSYS: return "-ENOSYS";
	}
	snprintf(buf, sizeof buf, "%ld", r);
	return buf;
}

/* T(call) prints the call's source text and its result. */
#define T(call) out("%s = %s\n", #call, errname(call))

static int in_user;

static void out(const char *fmt, const char *what, const char *res)
{
	if (in_user)
		printf(fmt, what, res);
	else
		printk(fmt, what, res);
}

static int nop(void *arg) { (void)arg; return 0; }
static irqreturn_t nop_irq(int irq, void *dev) { (void)irq, (void)dev; return IRQ_HANDLED; }
static void nop_softirq(struct softirq_action *a) { (void)a; }
static long nop_syscall(long a, long b, long c, long d, long e) { (void)a, (void)b, (void)c, (void)d, (void)e; return 0; }

static char buf[64];
static struct timespec ts;
static struct sched_param sp = { 10 };
static unsigned long mask = 1;
static spinlock_t lock;
static spinlock_t never_initialised;
static struct completion done;
static wait_queue_head_t wq;
static int dev;
static char long_name[300];

/* The calls any task may make: the same results from kernel and user
 * mode, but for the realtime capability a kernel thread has. */
static void common_calls(void)
{
	/* Numbers that name no call. */
	T(syscall(0));
	T(syscall(3));
	T(syscall(0x3FF));
	T(syscall(0x400));
	T(syscall(0xFFF));

	/* write */
	T(write(1, (void *)LAPIC, 4));
	T(write(1, (void *)IOAPIC, 4));
	T(write(1, (void *)(RAM_END - 2), 4));
	T(write(1, (void *)0, 4));
	T(write(1, (void *)0, 0));
	T(write(1, buf, 0x80000000u));
	T(write(1, buf, 0xFFFFFFFFu));
	T(write(5, buf, 1));

	/* clock_gettime, clock_getres */
	T(clock_gettime(CLOCK_MONOTONIC, (void *)LAPIC));
	T(clock_gettime(CLOCK_MONOTONIC, (void *)(RAM_END - 4)));
	T(clock_gettime(CLOCK_MONOTONIC, (void *)0));
	/* A struct timespec that does not fit is not written in part. */
	volatile u32 *last = (u32 *)(RAM_END - 4);
	*last = 0x5A5A5A5A;
	clock_gettime(CLOCK_MONOTONIC, (void *)(RAM_END - 4));
	out("%s: the last word of RAM %s\n", "clock_gettime(CLOCK_MONOTONIC, (void *)(RAM_END - 4))",
	    *last == 0x5A5A5A5A ? "untouched" : "written");
	T(clock_gettime(7, &ts));
	T(clock_gettime(-1, &ts));
	T(syscall(SYS_clock_getres, CLOCK_MONOTONIC, IOAPIC));

	/* clock_nanosleep, nanosleep */
	T(clock_nanosleep(CLOCK_MONOTONIC, 0, (void *)LAPIC, 0));
	T(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, (void *)(RAM_END - 4), 0));
	T(clock_nanosleep(CLOCK_MONOTONIC, 0, (void *)0, 0));
	T(nanosleep((void *)IOAPIC, 0));
	ts.tv_sec = 0, ts.tv_nsec = 1000000000;
	T(clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, 0));
	ts.tv_sec = -1, ts.tv_nsec = 0;
	T(clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, 0));
	ts.tv_sec = 0, ts.tv_nsec = 1000;
	T(clock_nanosleep(5, 0, &ts, 0));

	/* scheduling */
	T(sched_setscheduler(0, SCHED_OTHER, (void *)LAPIC));
	T(sched_setscheduler(0, SCHED_OTHER, (void *)0));
	T(sched_setscheduler(0, 7, &sp));
	T(sched_setscheduler(-1, SCHED_OTHER, &sp));
	T(sched_setscheduler(12345, SCHED_OTHER, &sp));
	T(sched_setparam(0, (void *)IOAPIC));
	T(sched_setparam(0, (void *)0));
	T(sched_setparam(-1, &sp));
	T(sched_getparam(0, (void *)LAPIC));
	T(sched_getparam(0, (void *)0));
	T(sched_getscheduler(-1));
	T(sched_getscheduler(12345));
	T(syscall(SYS_sched_rr_get_interval, -1, P(&ts)));
	T(sched_setaffinity(0, sizeof mask, (void *)LAPIC));
	T(sched_setaffinity(0, 2, &mask));
	T(sched_getaffinity(0, sizeof mask, (void *)IOAPIC));
	T(syscall(SYS_sched_rr_get_interval, 0, LAPIC));
	T(syscall(SYS_sched_get_priority_max, 9));
	T(syscall(SYS_reboot, 1, 2, RB_POWER_OFF, 0));
}

/* Kernel services with bad arguments, from a kernel thread. */
static void kernel_calls(void)
{
	T(syscall(0x1FFF));
	T(syscall(0x7FFFFFFF));
	T(syscall(-1));
	T(syscall(__PL_upcall_return, 0));
	T(syscall(__PL_ap_started));
	T(syscall(__PL_user_task_exit, 0));
	T(syscall(__PL_start_kernel));

	/* lock calls */
	T(syscall(__PL_lock_init, LAPIC, LOCK_KIND_SPINLOCK, 0));
	T(syscall(__PL_lock_init, P(&lock), 99, 0));
	T(syscall(__PL_spin_lock, LAPIC, LOCK_PLAIN));
	T(syscall(__PL_spin_lock, P(&never_initialised), LOCK_PLAIN));
	T(syscall(__PL_spin_unlock, P(&lock), LOCK_PLAIN, 0));
	T(syscall(__PL_wait_for_completion, P(&lock)));
	T(syscall(__PL_complete, IOAPIC));
	T(syscall(__PL_prepare_to_wait, P(&wq), 5));
	T(syscall(__PL_wake_up, RAM_END - 8));

	/* request_irq, free_irq */
	T(request_irq(11, (void *)LAPIC, 0, "dev", &dev));
	T(request_irq(11, nop_irq, 0, (void *)IOAPIC, &dev));
	T(request_irq(0, nop_irq, 0, "dev", &dev));
	T(request_irq(2, nop_irq, 0, "dev", &dev));
	T(request_irq(24, nop_irq, 0, "dev", &dev));
	T(request_irq(0xFFFFFFFFu, nop_irq, 0, "dev", &dev));
	T(syscall(__PL_free_irq, 11, P(&dev)));
	T(syscall(__PL_free_irq, 99, P(&dev)));

	/* task creation */
	T(kthread_run((void *)LAPIC, 0, "bad"));
	T(kthread_run((void *)0, 0, "bad"));
	T(kthread_run(nop, 0, (void *)IOAPIC));
	T(kthread_run(nop, 0, (void *)(RAM_END - 1)));
	T(kthread_run(nop, 0, long_name));
	T(kthread_run_on(nop, 0, "bad", 2));
	T(kthread_run_on(nop, 0, "bad", -1));
	T(user_task_run((void *)IOAPIC, 0, "bad", 0));

	/* softirqs, system calls, the rest */
	T(syscall(__PL_open_softirq, NR_SOFTIRQS, P(nop_softirq)));
	T(syscall(__PL_open_softirq, NET_RX_SOFTIRQ, LAPIC));
	T(syscall(__PL_raise_softirq, 99));
	T(register_syscall(0x3FF, nop_syscall));
	T(register_syscall(0x1000, nop_syscall));
	T(register_syscall(0x400, (void *)LAPIC));
	T(get_cmdline((void *)LAPIC, 10));
	T(task_info(0, 99));
	T(task_info(12345, TASK_INFO_PRIO));
	T(syscall(__PL_set_current_state, 7));
	T(syscall(__PL_wake_up_process, -5));
	T(syscall(__PL_console_write, LAPIC, 4));
	T(syscall(__PL_console_write, P(buf), 0x80000000u));
	/* pid 2 is ksoftirqd/0 (made by start_kernel after this thread; nice
	 * 19, priority 139). */
	T(task_info(2, TASK_INFO_PRIO));
	T(sched_setaffinity(2, sizeof mask, &mask));
}

/* Kernel services from a user task: every one is -EPERM. */
static void user_calls(void)
{
	T(syscall(0x1FFF));
	T(syscall(-1));
	T(syscall(__PL_start_kernel));
	T(syscall(__PL_kthread_run, P(nop), 0, 0));
	T(syscall(__PL_kernel_power_off));
	T(syscall(__PL_kernel_exit, 3));
	T(syscall(__PL_upcall_return, 0));
	T(syscall(__PL_ap_started));
	T(syscall(__PL_spin_lock, P(&lock), LOCK_PLAIN));
	T(syscall(__PL_local_irq_disable));
	T(syscall(__PL_request_irq, 11, P(nop_irq), 0, 0, P(&dev)));
	T(syscall(__PL_msleep, 1));
	T(syscall(SYS_nice, -5));
	struct sched_param fifo = { 10 };
	T(sched_setscheduler(0, SCHED_FIFO, &fifo));
}

static volatile int user_done;

static int user_task(void *arg)
{
	(void)arg;
	in_user = 1;
	printf("== user task %d\n", getpid());
	common_calls();
	user_calls();
	printf("== user task done\n");
	user_done = 1;
	return 0;
}

static int kernel_thread(void *arg)
{
	(void)arg;
	printk("== kernel thread %d\n", getpid());
	common_calls();
	kernel_calls();
	printk("== kernel thread done\n");
	user_task_run(user_task, 0, "user", 0);
	for (int i = 0; i < 100 && !user_done; i++)
		msleep(1);
	if (!user_done)
		printk("the user task did not finish\n");
	kernel_power_off();
}

int main(void)
{
	memset(long_name, 'x', sizeof long_name);
	spin_lock_init(&lock);
	init_completion(&done);
	init_waitqueue_head(&wq);
	printk("== boot code\n");
	T(syscall(__PL_msleep, 1));
	T(syscall(__PL_schedule));
	T(syscall(__PL_wait_for_completion, P(&done)));
	ts.tv_nsec = 1000000;
	T(nanosleep(&ts, 0));
	kthread_run(kernel_thread, 0, "kthread");
	start_kernel();
}
