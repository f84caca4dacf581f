/*
 * random — a seeded random workload for the kernel's property tests
 * (kernel/props_test.go). From the seed on the kernel command line it
 * builds a mix of kernel threads and user tasks with random policies
 * (SCHED_OTHER with a random nice, SCHED_FIFO, SCHED_RR), priorities and
 * affinities (every CPU, one CPU, a random subset), each running a random
 * sequence of actions from its own generator:
 *
 *	kernel threads  udelay then cond_resched(), msleep, sections with
 *	                preemption, interrupts or bottom halves off, spinlock_t
 *	                sections (plain, _irqsave, _bh), a long path under a
 *	                lock with cond_resched_lock(), might_sleep(), wait
 *	                queues and completions (a producer goes on working
 *	                after its wake-up), set_current_state + schedule()
 *	                woken by wake_up_process(), sched_yield(), raising a
 *	                softirq, spawning short-lived workers that exit
 *	user tasks      busy loops in user mode, clock_nanosleep (relative and
 *	                absolute), nanosleep, sched_yield, cheap system calls,
 *	                a registered long system call (udelay and might_sleep,
 *	                or under a spinlock_t with cond_resched_lock), wait
 *	                queues and completions through registered calls, and
 *	                for realtime tasks a priority change and back
 *
 * Two device handlers take the traffic devices' interrupts: IRQ 11 (the
 * first device, ports 0x300: threaded when the model threads IRQs) and
 * IRQ 10 (the second device, ports 0x310: IRQF_NO_THREAD). Both give
 * tokens to the wait queues; IRQ 11 raises NET_RX_SOFTIRQ, whose action
 * works, completes a completion and wakes a dozing kernel thread.
 *
 * Realtime tasks sleep after every action, so that they cannot monopolise
 * a CPU. Kernel threads call cond_resched() after every action, and their
 * own long paths have one (or cond_resched_lock) after every chunk: no
 * kernel thread runs more than about 300 us of kernel work between two
 * preemption points that every model honours.
 *
 * Each task sets its own policy, nice and affinity when it starts, then
 * sleeps briefly, and prints what it set:
 *
 *	task PID NAME: policy=P rtprio=R nice=N cpus=MASK
 *
 * User tasks are members of the realtime group (they may set a realtime
 * policy and a negative nice). The run goes on until --duration ends it:
 *
 *	preemptlab run tests/kernel/random.elf --cmdline "seed=3 tasks=12" \
 *		--traffic irq=11,rate=2000,jitter=50% \
 *		--traffic irq=10,rate=700,jitter=50% --duration 200ms
 *
 * Command line:
 *
 *	seed=N    the workload (default 1)
 *	tasks=K   tasks made at boot, 1-24 (default 8)
 */
#include "common.h"

#define TRAFFIC0 0x300		/* first traffic device: IRQ 11 */
#define TRAFFIC1 0x310		/* second traffic device: IRQ 10 */

#define SYS_long_path 0x400	/* long_path(chunks, chunk_us, hold) */
#define SYS_give 0x401		/* give(queue, work_us) */
#define SYS_take 0x402		/* take(queue) */
#define SYS_complete 0x403	/* complete(i) */
#define SYS_wait 0x404		/* wait_for_completion(i) */
#define SYS_worker_done 0x405	/* a user worker ends */

#define MAX_BOOT 24
#define MAX_WORKERS 4
#define MAX_SLOTS (MAX_BOOT + 64)
#define NQ 3			/* wait queues with tokens */
#define NC 2			/* completions */
#define MAX_TOKENS 8

/* xorshift32: every task has its own stream. */
struct rng {
	u32 s;
};

static u32 rnd(struct rng *r)
{
	u32 x = r->s;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return r->s = x;
}

/* A value in [lo, hi]. */
static u32 range(struct rng *r, u32 lo, u32 hi)
{
	return lo + rnd(r) % (hi - lo + 1);
}

static void rng_seed(struct rng *r, u32 seed, u32 stream)
{
	r->s = seed * 2654435761u ^ (stream + 1) * 40503u ^ 0x9e3779b9u;
	if (r->s == 0)
		r->s = 1;
	for (int i = 0; i < 8; i++)
		rnd(r);
}

/* What one task is. */
struct plan {
	int used;
	int user;
	int policy;
	int rtprio;
	int nice;
	unsigned long mask;	/* 0: every CPU */
	int bound;		/* kthread_run_on this CPU, or -1 */
	int spawner;		/* spawns workers */
	int actions;		/* > 0: exits after that many (workers) */
	u32 seed;
	int pid;
	char name[16];
};

static struct plan plans[MAX_SLOTS];
static int nslots;
static unsigned long all_cpus;
static int ncpus;

static DEFINE_SPINLOCK(shared_lock);
static DEFINE_SPINLOCK(path_lock);
static DEFINE_RAW_SPINLOCK(tok_lock); /* taken by the IRQF_NO_THREAD handler: raw under rt */
static DEFINE_SPINLOCK(bh_lock);
static DEFINE_SPINLOCK(worker_lock);
static wait_queue_head_t tok_wq[NQ];
static volatile int tokens[NQ];
static struct completion comp[NC];
static volatile int dozers[MAX_SLOTS];	/* pids of kernel threads that doze */
static volatile int ndozers;
static volatile int workers;
static struct rng irq_rng, softirq_rng;
static int dev11, dev10;
static volatile unsigned long spins;

static void give_token(int q)
{
	unsigned long f;
	raw_spin_lock_irqsave(&tok_lock, f);
	if (tokens[q] < MAX_TOKENS)
		tokens[q]++;
	raw_spin_unlock_irqrestore(&tok_lock, f);
	wake_up(&tok_wq[q]);
}

static void take_token(int q)
{
	for (;;) {
		wait_event(tok_wq[q], tokens[q] > 0);
		unsigned long f;
		raw_spin_lock_irqsave(&tok_lock, f);
		if (tokens[q] > 0) {
			tokens[q]--;
			raw_spin_unlock_irqrestore(&tok_lock, f);
			return;
		}
		raw_spin_unlock_irqrestore(&tok_lock, f);
	}
}

/* The long kernel path: chunks of udelay, with a preemption point after
 * each: might_sleep() (PATH_MIGHT_SLEEP), cond_resched() (PATH_RESCHED),
 * or, holding path_lock throughout, cond_resched_lock() (PATH_LOCKED). */
enum { PATH_MIGHT_SLEEP, PATH_LOCKED, PATH_RESCHED };

static void long_path(int chunks, int chunk_us, int mode)
{
	if (mode == PATH_LOCKED)
		spin_lock(&path_lock);
	for (int i = 0; i < chunks; i++) {
		udelay(chunk_us);
		if (mode == PATH_LOCKED)
			cond_resched_lock(&path_lock);
		else if (mode == PATH_RESCHED)
			cond_resched();
		else
			might_sleep();
	}
	if (mode == PATH_LOCKED)
		spin_unlock(&path_lock);
}

/* The registered long system call: PATH_MIGHT_SLEEP or PATH_LOCKED. */
static long sys_long_path(long chunks, long chunk_us, long locked, long d, long e)
{
	(void)d, (void)e;
	long_path(chunks, chunk_us, locked ? PATH_LOCKED : PATH_MIGHT_SLEEP);
	return 0;
}

static long sys_give(long q, long work_us, long c, long d, long e)
{
	(void)c, (void)d, (void)e;
	give_token(q % NQ);
	udelay(work_us);
	return 0;
}

static long sys_take(long q, long b, long c, long d, long e)
{
	(void)b, (void)c, (void)d, (void)e;
	take_token(q % NQ);
	return 0;
}

static long sys_complete(long i, long b, long c, long d, long e)
{
	(void)b, (void)c, (void)d, (void)e;
	complete(&comp[i % NC]);
	return 0;
}

static long sys_wait(long i, long b, long c, long d, long e)
{
	(void)b, (void)c, (void)d, (void)e;
	wait_for_completion(&comp[i % NC]);
	return 0;
}

/* ---- Interrupts and the softirq ------------------------------------------ */

static irqreturn_t irq11(int irq, void *dev)
{
	(void)irq, (void)dev;
	if (inl(TRAFFIC0) == 0)
		return IRQ_NONE;
	outl(TRAFFIC0, 1);
	udelay(range(&irq_rng, 2, 40));
	if (rnd(&irq_rng) % 2)
		give_token(rnd(&irq_rng) % NQ);
	if (rnd(&irq_rng) % 3)
		raise_softirq(NET_RX_SOFTIRQ);
	return IRQ_HANDLED;
}

static irqreturn_t irq10(int irq, void *dev)
{
	(void)irq, (void)dev;
	if (inl(TRAFFIC1) == 0)
		return IRQ_NONE;
	outl(TRAFFIC1, 1);
	udelay(range(&irq_rng, 1, 15));
	give_token(rnd(&irq_rng) % NQ);
	return IRQ_HANDLED;
}

static void net_rx(struct softirq_action *a)
{
	(void)a;
	udelay(range(&softirq_rng, 5, 80));
	if (rnd(&softirq_rng) % 2)
		complete(&comp[rnd(&softirq_rng) % NC]);
	int n = ndozers;
	if (n > 0 && rnd(&softirq_rng) % 2)
		wake_up_process(dozers[rnd(&softirq_rng) % n]);
}

/* ---- Tasks ------------------------------------------------------------- */

static int is_rt(const struct plan *p) { return p->policy != SCHED_OTHER; }

/* The task's set-up: affinity, policy, nice, then a short sleep (which
 * the trace shows: everything set before it is in force after it). */
static void set_up(struct plan *p, struct rng *r)
{
	if (p->mask != 0 && p->bound < 0)
		sched_setaffinity(0, sizeof p->mask, &p->mask);
	if (is_rt(p)) {
		struct sched_param sp = { p->rtprio };
		sched_setscheduler(0, p->policy, &sp);
	} else if (p->nice != 0) {
		if (p->user)
			syscall(SYS_nice, p->nice);
		else
			set_user_nice(0, p->nice);
	}
	unsigned long m = 0;
	sched_getaffinity(0, sizeof m, &m);
	if (p->user) {
		printf("task %d %s: policy=%d rtprio=%d nice=%d cpus=%lx\n", getpid(), p->name,
		       sched_getscheduler(0), p->rtprio, p->nice, m);
		struct timespec t = { 0, range(r, 10, 500) * 1000 };
		nanosleep(&t, 0);
	} else {
		printk("task %d %s: policy=%d rtprio=%d nice=%d cpus=%lx\n", getpid(), p->name,
		       sched_getscheduler(0), p->rtprio, p->nice, m);
		msleep(range(r, 0, 1));
	}
}

static void make_plan(struct plan *p, struct rng *r, int user, int worker);
static int start_task(struct plan *p);

/* One action of a kernel thread. */
static void kthread_action(struct plan *p, struct rng *r)
{
	unsigned long f;
	switch (rnd(r) % 16) {
	case 0:
	case 1:
		udelay(range(r, 10, 300));
		cond_resched();
		break;
	case 2:
		msleep(range(r, 0, 3));
		break;
	case 3:
		preempt_disable();
		udelay(range(r, 5, 60));
		preempt_enable();
		break;
	case 4:
		local_irq_save(f);
		udelay(range(r, 2, 30));
		local_irq_restore(f);
		break;
	case 5:
		spin_lock(&shared_lock);
		udelay(range(r, 5, 50));
		spin_unlock(&shared_lock);
		break;
	case 6:
		spin_lock_irqsave(&shared_lock, f);
		udelay(range(r, 2, 20));
		spin_unlock_irqrestore(&shared_lock, f);
		break;
	case 7:
		spin_lock_bh(&bh_lock);
		udelay(range(r, 5, 30));
		spin_unlock_bh(&bh_lock);
		break;
	case 8:
		/* A producer: it goes on working after the wake-up. */
		give_token(rnd(r) % NQ);
		udelay(range(r, 0, 50));
		break;
	case 9:
		take_token(rnd(r) % NQ);
		break;
	case 10:
		if (rnd(r) % 2) {
			complete(&comp[rnd(r) % NC]);
			udelay(range(r, 0, 50));
		} else
			wait_for_completion(&comp[rnd(r) % NC]);
		break;
	case 11:
		/* Doze until some other context wakes us; the window before
		 * schedule() is where a preemption must not lose the task. */
		set_current_state(TASK_INTERRUPTIBLE);
		udelay(range(r, 0, 20));
		schedule();
		break;
	case 12:
		if (ndozers > 0)
			wake_up_process(dozers[rnd(r) % ndozers]);
		udelay(range(r, 0, 50));
		break;
	case 13:
		long_path(range(r, 1, 8), range(r, 20, 100), rnd(r) % 2 ? PATH_LOCKED : PATH_RESCHED);
		break;
	case 14:
		if (rnd(r) % 2)
			sched_yield();
		else
			raise_softirq(NET_RX_SOFTIRQ);
		break;
	case 15:
		udelay(range(r, 10, 100));
		might_sleep();
		if (p->spawner && rnd(r) % 2) {
			int slot = -1;
			spin_lock(&worker_lock);
			if (workers < MAX_WORKERS && nslots < MAX_SLOTS) {
				workers++;
				slot = nslots++;
			}
			spin_unlock(&worker_lock);
			if (slot >= 0) {
				make_plan(&plans[slot], r, rnd(r) % 2, 1);
				snprintf(plans[slot].name, sizeof plans[slot].name, "worker%d", slot);
				if (start_task(&plans[slot]) < 0) {
					spin_lock(&worker_lock);
					workers--;
					spin_unlock(&worker_lock);
				}
			}
		}
		break;
	}
}

/* One action of a user task. */
static void user_action(struct plan *p, struct rng *r)
{
	struct timespec t, now;
	switch (rnd(r) % 14) {
	case 0:
	case 1:
	case 2:
		for (u32 i = range(r, 1000, 30000); i > 0; i--)
			spins++;
		break;
	case 3:
		t.tv_sec = 0;
		t.tv_nsec = range(r, 20, 2000) * 1000;
		clock_nanosleep(CLOCK_MONOTONIC, 0, &t, 0);
		break;
	case 4:
		clock_gettime(CLOCK_MONOTONIC, &t);
		timespec_add_ns(&t, range(r, 20, 2000) * 1000);
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, 0);
		break;
	case 5:
		t.tv_sec = 0;
		t.tv_nsec = range(r, 20, 1000) * 1000;
		nanosleep(&t, 0);
		break;
	case 6:
	case 7:
		syscall(SYS_long_path, range(r, 1, 10), range(r, 20, 150), rnd(r) % 2);
		break;
	case 8:
		syscall(SYS_give, rnd(r) % NQ, range(r, 0, 50));
		break;
	case 9:
		syscall(SYS_take, rnd(r) % NQ);
		break;
	case 10:
		syscall(rnd(r) % 2 ? SYS_complete : SYS_wait, rnd(r) % NC);
		break;
	case 11:
		sched_yield();
		break;
	case 12:
		getpid();
		clock_gettime(CLOCK_MONOTONIC, &now);
		break;
	case 13:
		if (is_rt(p)) {
			/* A priority change and back: lowered, the task must
			 * give way at once to anything now above it. */
			struct sched_param sp = { (int)range(r, 1, 99) };
			sched_setscheduler(0, p->policy, &sp);
			for (u32 i = range(r, 100, 2000); i > 0; i--)
				spins++;
			sp.sched_priority = p->rtprio;
			sched_setscheduler(0, p->policy, &sp);
		}
		break;
	}
}

/* A realtime task sleeps after every action, so that it cannot keep its
 * CPU from everything below it. */
static void rt_rest(struct plan *p, struct rng *r)
{
	if (p->user) {
		struct timespec t = { 0, range(r, 200, 3000) * 1000 };
		clock_nanosleep(CLOCK_MONOTONIC, 0, &t, 0);
	} else {
		msleep(range(r, 0, 3));
	}
}

static void end_worker(void)
{
	spin_lock(&worker_lock);
	workers--;
	spin_unlock(&worker_lock);
}

static int kthread_body(void *arg)
{
	struct plan *p = arg;
	struct rng r;
	rng_seed(&r, p->seed, 0);
	set_up(p, &r);
	for (int n = 0; p->actions == 0 || n < p->actions; n++) {
		kthread_action(p, &r);
		cond_resched();
		if (is_rt(p))
			rt_rest(p, &r);
	}
	end_worker();
	return 0;
}

static int user_body(void *arg)
{
	struct plan *p = arg;
	struct rng r;
	rng_seed(&r, p->seed, 0);
	set_up(p, &r);
	for (int n = 0; p->actions == 0 || n < p->actions; n++) {
		user_action(p, &r);
		if (is_rt(p))
			rt_rest(p, &r);
	}
	syscall(SYS_worker_done);	/* end_worker, which CPL 3 cannot call */
	return 0;
}

/* make_plan draws a task's kind, policy, priority, nice and affinity. */
static void make_plan(struct plan *p, struct rng *r, int user, int worker)
{
	memset(p, 0, sizeof *p);
	p->used = 1;
	p->user = user;
	switch (rnd(r) % 10) {
	case 0: case 1:
		p->policy = SCHED_FIFO;
		break;
	case 2: case 3:
		p->policy = SCHED_RR;
		break;
	default:
		p->policy = SCHED_OTHER;
	}
	if (p->policy != SCHED_OTHER)
		p->rtprio = range(r, 1, 99);
	else
		p->nice = (int)range(r, 0, 39) - 20;
	p->bound = -1;
	switch (rnd(r) % 10) {
	case 0: case 1: case 2:
		p->mask = 1ul << (rnd(r) % ncpus);
		if (!user && rnd(r) % 2)
			p->bound = __builtin_ctzl(p->mask);
		break;
	case 3: case 4:
		p->mask = rnd(r) & all_cpus;
		if (p->mask == 0 || p->mask == all_cpus)
			p->mask = 1ul << (rnd(r) % ncpus);
		break;
	}
	p->seed = rnd(r);
	p->actions = worker ? (int)range(r, 5, 40) : 0;
}

static int start_task(struct plan *p)
{
	int pid;
	if (p->user)
		pid = user_task_run(user_body, p, p->name, TASK_RT_GROUP);
	else if (p->bound >= 0)
		pid = kthread_run_on(kthread_body, p, p->name, p->bound);
	else
		pid = kthread_run(kthread_body, p, p->name);
	p->pid = pid;
	if (pid > 0 && !p->user && !p->actions) {
		dozers[ndozers] = pid;
		ndozers++;
	}
	return pid;
}

/* A worker exits; a user worker's registered call for it. */
static long sys_worker_done(long a, long b, long c, long d, long e)
{
	(void)a, (void)b, (void)c, (void)d, (void)e;
	end_worker();
	return 0;
}

int main(void)
{
	u32 seed = cmdline_int("seed", 1);
	int n = cmdline_int("tasks", 8);
	if (n < 1)
		n = 1;
	if (n > MAX_BOOT)
		n = MAX_BOOT;
	struct rng r;
	rng_seed(&r, seed, 1000);
	rng_seed(&irq_rng, seed, 1001);
	rng_seed(&softirq_rng, seed, 1002);

	register_syscall(SYS_long_path, sys_long_path);
	register_syscall(SYS_give, sys_give);
	register_syscall(SYS_take, sys_take);
	register_syscall(SYS_complete, sys_complete);
	register_syscall(SYS_wait, sys_wait);
	register_syscall(SYS_worker_done, sys_worker_done);
	for (int i = 0; i < NQ; i++)
		init_waitqueue_head(&tok_wq[i]);
	for (int i = 0; i < NC; i++)
		init_completion(&comp[i]);
	open_softirq(NET_RX_SOFTIRQ, net_rx);
	request_irq(11, irq11, 0, "rnd11", &dev11);
	request_irq(10, irq10, IRQF_NO_THREAD, "rnd10", &dev10);

	/* The first task is an unbound kernel thread: the CPUs it may use
	 * are every CPU, which tells how many there are. */
	for (int i = 0; i < n; i++) {
		struct plan *p = &plans[nslots++];
		if (i == 0) {
			all_cpus = 1;
			ncpus = 1;
		}
		make_plan(p, &r, i > 0 && rnd(&r) % 2, 0);
		if (i == 0) {
			p->mask = 0;
			p->bound = -1;
		}
		p->spawner = !p->user && rnd(&r) % 3 == 0;
		snprintf(p->name, sizeof p->name, "%s%d", p->user ? "user" : "kt", i);
		start_task(p);
		if (i == 0) {
			sched_getaffinity(p->pid, sizeof all_cpus, &all_cpus);
			ncpus = 32 - __builtin_clz(all_cpus);
		}
	}
	start_kernel();
}
