/*
 * cyclictest — the built-in measurement workload: cyclictest's
 * measurement threads over the background load the 2004 preemption
 * threads argued about. The default image of preemptlab run and compare.
 *
 * Measurement (as rt-tests' cyclictest -a -t -p99 -i1000 does it): one
 * thread per CPU, a user task of the realtime group at SCHED_FIFO 99,
 * affine to its CPU, sleeping on absolute clock_nanosleep(CLOCK_MONOTONIC)
 * at its interval and measuring, from user mode with clock_gettime, how
 * late it woke. Thread n's interval is interval + n*distance, as
 * cyclictest staggers them. A wake-up that found the next period already
 * gone skips to the first period ahead, as cyclictest does.
 *
 * Kernel command line (--cmdline):
 *
 *	interval=US   the base interval (default 1000)
 *	distance=US   the stagger between threads (default 500)
 *	loops=N       wake-ups per thread, then power off (default 0: until
 *	              the run is ended from outside, --duration)
 *	threads=N     at most N threads (default: one per CPU)
 *	verbose       print every wake-up: "T:n C:i L:ns" (ns late)
 *
 * Background load, each part on unless its no- word is given
 * (no-load switches all of them off):
 *
 *	no-fs        "find": an OTHER task on CPU 0 in back-to-back 5 ms system
 *	             calls, a file-system walk: udelay(100); might_sleep(), fifty
 *	             times, ten of the steps (1 ms) under dcache_lock; 2 ms
 *	             msleep between walks
 *	no-lockbreak "kjournald" on CPU 1 holds journal_lock (spinlock_t) across
 *	             a 1 ms path with cond_resched_lock() every 100 us, every
 *	             4 ms; "kswapd" on CPU 0 takes it for 5 us every 1 ms, so
 *	             CPU 0 contends for it (SMP lock-break)
 *	no-nic       eth0 on irq 11, the traffic device at port eth0_port=
 *	             (default 0x300, the first --traffic device; preemptlab adds
 *	             it for this image): a 2 us hard handler, its work, 15 us a
 *	             packet, in NET_RX_SOFTIRQ
 *	no-disk      ide0 on irq 14, the traffic device at ide0_port= (default
 *	             0x310, the second): a 100 us hard handler (IRQF_DISABLED)
 *	no-raw       "migration/N" on each CPU: runqueue_lock (raw_spinlock_t)
 *	             held 5 us, every 500 us
 *	no-irqoff    "kblockd/N" on each CPU: interrupts off for 10 us every 2 ms
 *	no-pi        the priority-inversion trio on CPU 1: "audio" (FIFO 90, every
 *	             5 ms) needs snd_lock (spinlock_t), held 200 us every 10 ms by
 *	             "mixer" (OTHER), while "hog" (FIFO 50) runs 2 ms every 10 ms
 *	no-work      "work/N", an OTHER task on each CPU, counts the units of
 *	             work it completes in work_units[N] (read from the image's
 *	             memory by symbol at the end of the run)
 *	no-rcu       "rcu-reader": an rcu_read_lock() section of 20 us every
 *	             1 ms; "rcu-writer": synchronize_rcu() every 10 ms
 */
#include "preemptlab.h"

#define MAX_THREADS 8

#define SYS_walk 0x400
#define SYS_snd_write 0x401
#define SYS_snd_mix 0x402

static DEFINE_SPINLOCK(dcache_lock);
static DEFINE_SPINLOCK(journal_lock);
static DEFINE_SPINLOCK(snd_lock);
static DEFINE_RAW_SPINLOCK(runqueue_lock);

/* The throughput of the OTHER work, per CPU. */
volatile unsigned long work_units[MAX_THREADS];

static int on(const char *part)
{
	char no[32];
	snprintf(no, sizeof no, "no-%s", part);
	return !cmdline_has(no) && !cmdline_has("no-load");
}

static void pin(int cpu)
{
	unsigned long mask = 1ul << cpu;
	sched_setaffinity(0, sizeof mask, &mask);
}

static void fifo(int prio)
{
	struct sched_param sp = { prio };
	sched_setscheduler(0, SCHED_FIFO, &sp);
}

/* ---- Measurement ------------------------------------------------------- */

struct thread {
	long interval; /* ns */
	long loops;
	int n;
	int verbose;
};

static struct thread threads[MAX_THREADS];
static volatile int running_threads;


static int timerthread(void *arg)
{
	struct thread *th = arg;
	struct timespec next, now;
	long i;

	pin(th->n);
	fifo(99);
	clock_gettime(CLOCK_MONOTONIC, &now);
	next = now;
	timespec_add_ns(&next, th->interval);
	for (i = 0; th->loops == 0 || i < th->loops; i++) {
		s64 late;
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, 0);
		clock_gettime(CLOCK_MONOTONIC, &now);
		late = timespec_to_ns(&now) - timespec_to_ns(&next);
		if (th->verbose)
			printf("T:%d C:%ld L:%lld\n", th->n, i, (long long)late);
		timespec_add_ns(&next, th->interval);
		while (timespec_to_ns(&now) > timespec_to_ns(&next))
			timespec_add_ns(&next, th->interval);
	}
	if (__sync_sub_and_fetch(&running_threads, 1) == 0)
		reboot(RB_POWER_OFF);
	return 0;
}

/* ---- Background load --------------------------------------------------- */

/* The file-system walk: 5 ms in the kernel, a might_sleep() between
 * steps, steps 20-29 under dcache_lock. */
static long walk(long a, long b, long c, long d, long e)
{
	(void)a, (void)b, (void)c, (void)d, (void)e;
	for (int i = 0; i < 50; i++) {
		if (i == 20)
			spin_lock(&dcache_lock);
		udelay(100);
		if (i == 29)
			spin_unlock(&dcache_lock);
		if (i < 20 || i > 29)
			might_sleep();
	}
	return 0;
}

static int find(void *arg)
{
	(void)arg;
	pin(0);
	for (;;) {
		syscall(SYS_walk);
		struct timespec ts = { 0, 2000000 };
		nanosleep(&ts, 0);
	}
	return 0;
}

static int kjournald(void *arg)
{
	(void)arg;
	for (;;) {
		spin_lock(&journal_lock);
		for (int i = 0; i < 10; i++) {
			udelay(100);
			cond_resched_lock(&journal_lock);
		}
		spin_unlock(&journal_lock);
		msleep(3);
	}
	return 0;
}

static int kswapd(void *arg)
{
	(void)arg;
	for (;;) {
		spin_lock(&journal_lock);
		udelay(5);
		spin_unlock(&journal_lock);
		msleep(1);
	}
	return 0;
}

/* The traffic devices' ports (preemptlab's --traffic devices, in the
 * order added: eth0's first). */
static unsigned eth0_port, ide0_port;
static volatile unsigned rx_packets;

static irqreturn_t eth0_interrupt(int irq, void *dev)
{
	(void)irq, (void)dev;
	unsigned n = inl(eth0_port);
	for (unsigned i = 0; i < n; i++)
		outl(eth0_port, 0); /* acknowledge: the line drops when none is left */
	rx_packets += n;
	udelay(2);
	raise_softirq(NET_RX_SOFTIRQ);
	return IRQ_HANDLED;
}

/* NET_RX_SOFTIRQ: 15 us of protocol work per packet received. */
static void net_rx_action(struct softirq_action *a)
{
	(void)a;
	while (rx_packets) {
		rx_packets--;
		udelay(15);
	}
}

static irqreturn_t ide_interrupt(int irq, void *dev)
{
	(void)irq, (void)dev;
	outl(ide0_port, 0);
	udelay(100);
	return IRQ_HANDLED;
}

static int migration(void *arg)
{
	(void)arg;
	for (;;) {
		raw_spin_lock(&runqueue_lock);
		udelay(5);
		raw_spin_unlock(&runqueue_lock);
		struct timespec ts = { 0, 500000 };
		nanosleep(&ts, 0);
	}
	return 0;
}

static int kblockd(void *arg)
{
	(void)arg;
	for (;;) {
		local_irq_disable();
		udelay(10);
		local_irq_enable();
		msleep(2);
	}
	return 0;
}

static long snd_write(long a, long b, long c, long d, long e)
{
	(void)a, (void)b, (void)c, (void)d, (void)e;
	spin_lock(&snd_lock);
	udelay(20);
	spin_unlock(&snd_lock);
	return 0;
}

static long snd_mix(long a, long b, long c, long d, long e)
{
	(void)a, (void)b, (void)c, (void)d, (void)e;
	spin_lock(&snd_lock);
	udelay(200);
	spin_unlock(&snd_lock);
	return 0;
}

static void sleep_ns(long ns)
{
	struct timespec ts = { ns / 1000000000, ns % 1000000000 };
	nanosleep(&ts, 0);
}

static int audio(void *arg)
{
	(void)arg;
	pin(1);
	fifo(90);
	for (;;) {
		syscall(SYS_snd_write);
		sleep_ns(5000000);
	}
	return 0;
}

static int mixer(void *arg)
{
	(void)arg;
	pin(1);
	for (;;) {
		syscall(SYS_snd_mix);
		sleep_ns(10000000);
	}
	return 0;
}

static unsigned hog_buf[2][4096];

static int hog(void *arg)
{
	(void)arg;
	pin(1);
	fifo(50);
	for (;;) {
		struct timespec start, now;
		clock_gettime(CLOCK_MONOTONIC, &start);
		do {
			/* 16 KiB copied (about 4 us) between looks at the clock. */
			void *d = hog_buf[0], *s = hog_buf[1];
			unsigned c = 4096;
			__asm__ volatile("rep movsl" : "+D"(d), "+S"(s), "+c"(c) : : "memory");
			clock_gettime(CLOCK_MONOTONIC, &now);
		} while (timespec_to_ns(&now) - timespec_to_ns(&start) < 2000000);
		sleep_ns(8000000);
	}
	return 0;
}

/* One unit of OTHER work: copy a 4 KiB block (rep movsl, as memcpy
 * does it) and fold a word of it into a checksum. */
static unsigned work_src[MAX_THREADS][1024], work_dst[MAX_THREADS][1024];

static int work(void *arg)
{
	int n = (int)(long)arg;
	unsigned sum = 0;
	pin(n);
	for (;;) {
		void *d = work_dst[n], *s = work_src[n];
		unsigned c = 1024;
		__asm__ volatile("rep movsl" : "+D"(d), "+S"(s), "+c"(c) : : "memory");
		sum += work_dst[n][work_units[n] & 1023];
		work_src[n][sum & 1023] = sum;
		work_units[n]++;
	}
	return (int)sum;
}

static int rcu_reader(void *arg)
{
	(void)arg;
	for (;;) {
		rcu_read_lock();
		udelay(20);
		rcu_read_unlock();
		msleep(1);
	}
	return 0;
}

static int rcu_writer(void *arg)
{
	(void)arg;
	for (;;) {
		synchronize_rcu();
		msleep(10);
	}
	return 0;
}

int main(void)
{
	long interval = cmdline_int("interval", 1000), distance = cmdline_int("distance", 500);
	long loops = cmdline_int("loops", 0);
	int nthreads = (int)cmdline_int("threads", MAX_THREADS);
	char name[16];

	if (nthreads > MAX_THREADS)
		nthreads = MAX_THREADS;
	for (int n = 0; n < nthreads; n++) {
		struct thread *th = &threads[n];
		th->n = n;
		th->interval = (interval + n * distance) * 1000;
		th->loops = loops;
		th->verbose = cmdline_has("verbose");
		snprintf(name, sizeof name, "cyclictest/%d", n);
		int pid = user_task_run(timerthread, th, name, TASK_RT_GROUP);
		running_threads++;
		/* One thread per CPU: a mask of a CPU the machine lacks is refused. */
		unsigned long mask = 1ul << (n + 1);
		if (n + 1 < nthreads && sched_setaffinity(pid, sizeof mask, &mask) != 0)
			break;
	}
	if (on("fs")) {
		register_syscall(SYS_walk, walk);
		user_task_run(find, 0, "find", 0);
	}
	if (on("lockbreak")) {
		kthread_run_on(kjournald, 0, "kjournald", 1);
		kthread_run_on(kswapd, 0, "kswapd", 0);
	}
	eth0_port = (unsigned)cmdline_int("eth0_port", 0x300);
	ide0_port = (unsigned)cmdline_int("ide0_port", 0x310);
	if (on("nic")) {
		open_softirq(NET_RX_SOFTIRQ, net_rx_action);
		request_irq(11, eth0_interrupt, 0, "eth0", 0);
	}
	if (on("disk"))
		request_irq(14, ide_interrupt, IRQF_DISABLED, "ide0", 0);
	for (int n = 0; n < 2; n++) {
		if (on("raw")) {
			snprintf(name, sizeof name, "migration/%d", n);
			kthread_run_on(migration, 0, name, n);
		}
		if (on("irqoff")) {
			snprintf(name, sizeof name, "kblockd/%d", n);
			kthread_run_on(kblockd, 0, name, n);
		}
		if (on("work")) {
			snprintf(name, sizeof name, "work/%d", n);
			user_task_run(work, (void *)(long)n, name, 0);
		}
	}
	if (on("pi")) {
		register_syscall(SYS_snd_write, snd_write);
		register_syscall(SYS_snd_mix, snd_mix);
		user_task_run(audio, 0, "audio", TASK_RT_GROUP);
		user_task_run(mixer, 0, "mixer", 0);
		user_task_run(hog, 0, "hog", TASK_RT_GROUP);
	}
	if (on("rcu")) {
		kthread_run(rcu_reader, 0, "rcu-reader");
		kthread_run(rcu_writer, 0, "rcu-writer");
	}
	start_kernel();
}
