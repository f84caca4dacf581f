/*
 * preemptlab.h — the kernel SDK: the C API of the preemptlab kernel.
 *
 * An image written against it is a multiboot ELF whose main(magic, info)
 * registers its parts — kernel threads, user tasks, interrupt handlers,
 * softirq actions, system calls — and then calls start_kernel(), which
 * hands the machine to the kernel (written in Go, running beside the
 * emulated CPUs) and does not return. Names, arguments and meaning are
 * Linux's (2.6 era, with the later rt_mutex and IRQF_NO_THREAD); constants
 * have Linux's values. kstart.S, kernel.ld and kernel.mk build it; see
 * README.md for a complete example.
 *
 * Every call is a hypercall: int $0x80 with the number in EAX (the numbers
 * are in preemptlab_abi.h, generated from the kernel's Go source). Calls
 * below 0x1000 are system calls any task may make; the others are kernel
 * services for kernel code (CPL 0): from a user task they fail with
 * -EPERM. A call that must wait (a contended lock, a sleep) simply takes
 * longer: the task spins or sleeps inside it.
 *
 * This API is a contract: images built against it keep building and
 * running on every later version.
 */
#ifndef PREEMPTLAB_H
#define PREEMPTLAB_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "preemptlab_abi.h"

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef int64_t s64;
typedef int pid_t;
typedef long ssize_t;
typedef int clockid_t;
typedef int irqreturn_t;

/* ---- Hypercalls ---------------------------------------------------------- */

static inline long __pl_call0(long nr)
{
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(nr) : "memory");
	return r;
}

static inline long __pl_call1(long nr, long a)
{
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a) : "memory");
	return r;
}

static inline long __pl_call2(long nr, long a, long b)
{
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b) : "memory");
	return r;
}

static inline long __pl_call3(long nr, long a, long b, long c)
{
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
	return r;
}

static inline long __pl_call4(long nr, long a, long b, long c, long d)
{
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c), "S"(d) : "memory");
	return r;
}

static inline long __pl_call5(long nr, long a, long b, long c, long d, long e)
{
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e) : "memory");
	return r;
}

/* A call with a 64-bit result, in EDX:EAX. */
static inline u64 __pl_call0_64(long nr)
{
	u64 r;
	__asm__ volatile("int $0x80" : "=A"(r) : "a"(nr) : "memory");
	return r;
}

/* ---- Port I/O (kernel code; a user task gets #GP, as with IOPL 0) --------- */

static inline void outb(u16 port, u8 v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outw(u16 port, u16 v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(u16 port, u32 v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }

static inline u8 inb(u16 port)
{
	u8 v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u16 inw(u16 port)
{
	u16 v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u32 inl(u16 port)
{
	u32 v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* ---- Boot ----------------------------------------------------------------- */

/* EAX at entry, passed to main as magic, when a multiboot v1 loader ran. */
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002u

/* Hands the machine to the kernel: from now on it owns every CPU and
 * runs the tasks main created. Does not return. */
static inline __attribute__((noreturn)) void start_kernel(void)
{
	__pl_call0(__PL_start_kernel);
	__builtin_unreachable();
}

/* The kernel command line (the multiboot one, --cmdline): copied into buf
 * (at most n bytes with the NUL); returns its whole length. */
static inline int get_cmdline(char *buf, unsigned n)
{
	return __pl_call2(__PL_get_cmdline, (long)buf, n);
}

/* Whether the command line holds word (a whole word), and the value of
 * key=value on it (def if absent). In preemptlab.c. */
int cmdline_has(const char *word);
long cmdline_int(const char *key, long def);

/* ---- Tasks ---------------------------------------------------------------- */

/* A kernel thread (CPL 0) running fn(data), SCHED_OTHER nice 0, every CPU
 * allowed. Returns its pid. It ends when fn returns or calls do_exit. */
static inline int kthread_run(int (*fn)(void *), void *data, const char *name)
{
	return __pl_call3(__PL_kthread_run, (long)fn, (long)data, (long)name);
}

/* The same, bound to one CPU (kthread_create_on_cpu + kthread_bind). */
static inline int kthread_run_on(int (*fn)(void *), void *data, const char *name, int cpu)
{
	return __pl_call4(__PL_kthread_run_on, (long)fn, (long)data, (long)name, cpu);
}

/* A user task (CPL 3) running fn(data) on its own stack; flags
 * TASK_RT_GROUP makes it a member of the realtime group, which may set a
 * realtime policy. It ends when fn returns or calls exit. */
static inline int user_task_run(int (*fn)(void *), void *data, const char *name, unsigned flags)
{
	return __pl_call4(__PL_user_task_run, (long)fn, (long)data, (long)name, flags);
}

static inline __attribute__((noreturn)) void do_exit(long code)
{
	__pl_call1(__PL_do_exit, code);
	__builtin_unreachable();
}

/* ---- Scheduling ----------------------------------------------------------- */

struct sched_param {
	int sched_priority;
};

static inline int sched_setscheduler(pid_t pid, int policy, const struct sched_param *param)
{
	return __pl_call3(SYS_sched_setscheduler, pid, policy, (long)param);
}

static inline int sched_getscheduler(pid_t pid)
{
	return __pl_call1(SYS_sched_getscheduler, pid);
}

static inline int sched_setparam(pid_t pid, const struct sched_param *param)
{
	return __pl_call2(SYS_sched_setparam, pid, (long)param);
}

static inline int sched_getparam(pid_t pid, struct sched_param *param)
{
	return __pl_call2(SYS_sched_getparam, pid, (long)param);
}

static inline int sched_setaffinity(pid_t pid, unsigned len, const unsigned long *mask)
{
	return __pl_call3(SYS_sched_setaffinity, pid, len, (long)mask);
}

static inline int sched_getaffinity(pid_t pid, unsigned len, unsigned long *mask)
{
	return __pl_call3(SYS_sched_getaffinity, pid, len, (long)mask);
}

static inline int sched_yield(void) { return __pl_call0(SYS_sched_yield); }
static inline pid_t getpid(void) { return __pl_call0(SYS_getpid); }
static inline pid_t gettid(void) { return __pl_call0(SYS_gettid); }

/* set_user_nice(pid, nice): a task's nice value (pid 0: the caller). */
static inline void set_user_nice(pid_t pid, long nice) { __pl_call2(__PL_set_user_nice, pid, nice); }

static inline void schedule(void) { __pl_call0(__PL_schedule); }
static inline void set_current_state(long state) { __pl_call1(__PL_set_current_state, state); }
#define __set_current_state(state) set_current_state(state)
static inline int wake_up_process(pid_t pid) { return __pl_call1(__PL_wake_up_process, pid); }

/* task_info(pid, TASK_INFO_*): the kernel's view of a task. */
static inline long task_info(pid_t pid, int what) { return __pl_call2(__PL_task_info, pid, what); }

/* ---- Locks ---------------------------------------------------------------- */

/*
 * Every lock object starts with the same four words, which the kernel
 * owns: the init call (or a static DEFINE_) fills them in. What a lock
 * is — spinning or sleeping, with which priority inheritance — is decided
 * by its type and the model; the API stays the same.
 */
#define __PL_LOCK_FIELDS unsigned __magic, __id; const char *__name; unsigned __kind

typedef struct { __PL_LOCK_FIELDS; } raw_spinlock_t;
typedef struct { __PL_LOCK_FIELDS; } spinlock_t;
typedef struct { __PL_LOCK_FIELDS; } rwlock_t;
struct mutex { __PL_LOCK_FIELDS; };
struct semaphore { __PL_LOCK_FIELDS; };
struct rw_semaphore { __PL_LOCK_FIELDS; };
struct rt_mutex { __PL_LOCK_FIELDS; };
struct completion { __PL_LOCK_FIELDS; };
typedef struct { __PL_LOCK_FIELDS; } wait_queue_head_t;
typedef struct { __PL_LOCK_FIELDS; } seqlock_t;

static inline long __pl_lock_init(void *lock, int kind, const char *name)
{
	return __pl_call3(__PL_lock_init, (long)lock, kind, (long)name);
}

/* Static initialisers: the name in traces is the variable's. */
#define __PL_LOCK_STATIC(name, kind) { LOCK_MAGIC_STATIC, 0, #name, kind }
#define DEFINE_RAW_SPINLOCK(x) raw_spinlock_t x = __PL_LOCK_STATIC(x, LOCK_KIND_RAW_SPINLOCK)
#define DEFINE_SPINLOCK(x) spinlock_t x = __PL_LOCK_STATIC(x, LOCK_KIND_SPINLOCK)
#define DEFINE_RWLOCK(x) rwlock_t x = __PL_LOCK_STATIC(x, LOCK_KIND_RWLOCK)
#define DEFINE_MUTEX(x) struct mutex x = __PL_LOCK_STATIC(x, LOCK_KIND_MUTEX)
#define DECLARE_COMPLETION(x) struct completion x = __PL_LOCK_STATIC(x, LOCK_KIND_COMPLETION)
#define DECLARE_WAIT_QUEUE_HEAD(x) wait_queue_head_t x = __PL_LOCK_STATIC(x, LOCK_KIND_WAITQUEUE)
#define DEFINE_SEQLOCK(x) seqlock_t x = __PL_LOCK_STATIC(x, LOCK_KIND_SEQLOCK)

/* The init macros pass the lock's C expression as its name, as lockdep
 * names lock classes. */
#define raw_spin_lock_init(l) __pl_lock_init((raw_spinlock_t *)(l), LOCK_KIND_RAW_SPINLOCK, #l)
#define spin_lock_init(l) __pl_lock_init((spinlock_t *)(l), LOCK_KIND_SPINLOCK, #l)
#define rwlock_init(l) __pl_lock_init((rwlock_t *)(l), LOCK_KIND_RWLOCK, #l)
#define mutex_init(m) __pl_lock_init((struct mutex *)(m), LOCK_KIND_MUTEX, #m)
#define init_rwsem(s) __pl_lock_init((struct rw_semaphore *)(s), LOCK_KIND_RWSEM, #s)
#define rt_mutex_init(m) __pl_lock_init((struct rt_mutex *)(m), LOCK_KIND_RT_MUTEX, #m)
#define init_completion(c) __pl_lock_init((struct completion *)(c), LOCK_KIND_COMPLETION, #c)
#define init_waitqueue_head(q) __pl_lock_init((wait_queue_head_t *)(q), LOCK_KIND_WAITQUEUE, #q)
#define seqlock_init(s) __pl_lock_init((seqlock_t *)(s), LOCK_KIND_SEQLOCK, #s)
/* sema_init(s, n): a counting semaphore with n units; its kind word
 * carries the count until the kernel has seen it. */
#define sema_init(s, n) __pl_call4(__PL_lock_init, (long)(struct semaphore *)(s), LOCK_KIND_SEMAPHORE, (long)#s, (n))

/* The spinning-lock operations, one set per lock type. */
#define __PL_SPIN_OPS(prefix, type, lock_nr, unlock_nr)					\
static inline void prefix##_lock(type *l) { __pl_call2(lock_nr, (long)l, LOCK_PLAIN); }	\
static inline void prefix##_unlock(type *l) { __pl_call3(unlock_nr, (long)l, LOCK_PLAIN, 0); } \
static inline void prefix##_lock_irq(type *l) { __pl_call2(lock_nr, (long)l, LOCK_IRQ); } \
static inline void prefix##_unlock_irq(type *l) { __pl_call3(unlock_nr, (long)l, LOCK_IRQ, 0); } \
static inline unsigned long __##prefix##_lock_irqsave(type *l)				\
	{ return __pl_call2(lock_nr, (long)l, LOCK_IRQSAVE); }					\
static inline void prefix##_unlock_irqrestore(type *l, unsigned long flags)		\
	{ __pl_call3(unlock_nr, (long)l, LOCK_IRQSAVE, flags); }					\
static inline void prefix##_lock_bh(type *l) { __pl_call2(lock_nr, (long)l, LOCK_BH); }	\
static inline void prefix##_unlock_bh(type *l) { __pl_call3(unlock_nr, (long)l, LOCK_BH, 0); }

__PL_SPIN_OPS(raw_spin, raw_spinlock_t, __PL_spin_lock, __PL_spin_unlock)
__PL_SPIN_OPS(spin, spinlock_t, __PL_spin_lock, __PL_spin_unlock)
__PL_SPIN_OPS(read, rwlock_t, __PL_read_lock, __PL_read_unlock)
__PL_SPIN_OPS(write, rwlock_t, __PL_write_lock, __PL_write_unlock)

#define raw_spin_lock_irqsave(l, flags) ((flags) = __raw_spin_lock_irqsave(l))
#define spin_lock_irqsave(l, flags) ((flags) = __spin_lock_irqsave(l))
#define read_lock_irqsave(l, flags) ((flags) = __read_lock_irqsave(l))
#define write_lock_irqsave(l, flags) ((flags) = __write_lock_irqsave(l))

static inline int raw_spin_trylock(raw_spinlock_t *l) { return __pl_call2(__PL_spin_trylock, (long)l, LOCK_PLAIN); }
static inline int spin_trylock(spinlock_t *l) { return __pl_call2(__PL_spin_trylock, (long)l, LOCK_PLAIN); }

/* Sleeping locks. */
static inline void mutex_lock(struct mutex *m) { __pl_call1(__PL_mutex_lock, (long)m); }
static inline int mutex_trylock(struct mutex *m) { return __pl_call1(__PL_mutex_trylock, (long)m); }
static inline void mutex_unlock(struct mutex *m) { __pl_call1(__PL_mutex_unlock, (long)m); }
static inline void down(struct semaphore *s) { __pl_call1(__PL_down, (long)s); }
static inline int down_trylock(struct semaphore *s) { return __pl_call1(__PL_down_trylock, (long)s); }
static inline void up(struct semaphore *s) { __pl_call1(__PL_up, (long)s); }
static inline void down_read(struct rw_semaphore *s) { __pl_call1(__PL_down_read, (long)s); }
static inline void up_read(struct rw_semaphore *s) { __pl_call1(__PL_up_read, (long)s); }
static inline void down_write(struct rw_semaphore *s) { __pl_call1(__PL_down_write, (long)s); }
static inline void up_write(struct rw_semaphore *s) { __pl_call1(__PL_up_write, (long)s); }
static inline void downgrade_write(struct rw_semaphore *s) { __pl_call1(__PL_downgrade_write, (long)s); }
static inline int rt_mutex_lock(struct rt_mutex *m) { return __pl_call1(__PL_rt_mutex_lock, (long)m); }
static inline int rt_mutex_trylock(struct rt_mutex *m) { return __pl_call1(__PL_rt_mutex_trylock, (long)m); }
static inline void rt_mutex_unlock(struct rt_mutex *m) { __pl_call1(__PL_rt_mutex_unlock, (long)m); }

/* ---- Preemption points ---------------------------------------------------- */

static inline void might_sleep(void) { __pl_call0(__PL_might_sleep); }
static inline int cond_resched(void) { return __pl_call0(__PL_cond_resched); }
/* cond_resched_lock(lock): drop the held lock and take it again if a CPU
 * spins on it (lock-break) or a reschedule is pending; 1 if it dropped it. */
#define cond_resched_lock(l) ((int)__pl_call1(__PL_cond_resched_lock, (long)(l)))
static inline int need_resched(void) { return __pl_call0(__PL_need_resched); }
#define spin_needbreak(l) ((int)__pl_call1(__PL_spin_needbreak, (long)(l)))
#define need_lockbreak(l) spin_needbreak(l)
#define lock_need_resched(l) spin_needbreak(l)

/* ---- Atomic context ------------------------------------------------------- */

static inline void preempt_disable(void) { __pl_call0(__PL_preempt_disable); }
static inline void preempt_enable(void) { __pl_call0(__PL_preempt_enable); }
static inline void preempt_enable_no_resched(void) { __pl_call0(__PL_preempt_enable_no_resched); }
static inline void local_irq_disable(void) { __pl_call0(__PL_local_irq_disable); }
static inline void local_irq_enable(void) { __pl_call0(__PL_local_irq_enable); }
#define local_irq_save(flags) ((flags) = (unsigned long)__pl_call0(__PL_local_irq_save))
#define local_irq_restore(flags) __pl_call1(__PL_local_irq_restore, (long)(flags))
static inline void local_bh_disable(void) { __pl_call0(__PL_local_bh_disable); }
static inline void local_bh_enable(void) { __pl_call0(__PL_local_bh_enable); }
static inline int smp_processor_id(void) { return __pl_call0(__PL_smp_processor_id); }
static inline int get_cpu(void) { return __pl_call0(__PL_get_cpu); }
static inline void put_cpu(void) { __pl_call0(__PL_put_cpu); }
/* PREEMPT_REALTIME's per-CPU access: a per-CPU sleeping lock under rt,
 * get_cpu/put_cpu otherwise. */
static inline int get_cpu_locked(void) { return __pl_call0(__PL_get_cpu_locked); }
static inline void put_cpu_locked(int cpu) { __pl_call1(__PL_put_cpu_locked, cpu); }

/* ---- Waiting -------------------------------------------------------------- */

static inline void wait_for_completion(struct completion *c) { __pl_call1(__PL_wait_for_completion, (long)c); }
static inline void complete(struct completion *c) { __pl_call1(__PL_complete, (long)c); }
static inline void complete_all(struct completion *c) { __pl_call1(__PL_complete_all, (long)c); }

static inline void prepare_to_wait(wait_queue_head_t *q, long state) { __pl_call2(__PL_prepare_to_wait, (long)q, state); }
static inline void finish_wait(wait_queue_head_t *q) { __pl_call1(__PL_finish_wait, (long)q); }
static inline void wake_up(wait_queue_head_t *q) { __pl_call1(__PL_wake_up, (long)q); }
static inline void wake_up_all(wait_queue_head_t *q) { __pl_call1(__PL_wake_up_all, (long)q); }

/* wait_event(wq, cond): sleep until cond holds. As in Linux, the task
 * sets its state before testing cond and calling schedule(), so a wake-up
 * between the test and schedule() is not lost — and a preemption there
 * must not put the task to sleep (PREEMPT_ACTIVE, TASK_PREEMPTING). */
#define wait_event(wq, cond)							\
	do {									\
		for (;;) {							\
			prepare_to_wait(&(wq), TASK_UNINTERRUPTIBLE);		\
			if (cond)						\
				break;						\
			schedule();						\
		}								\
		finish_wait(&(wq));						\
	} while (0)

/* ---- RCU and seqlocks ----------------------------------------------------- */

struct rcu_head {
	struct rcu_head *next;
	void (*func)(struct rcu_head *);
};

static inline void rcu_read_lock(void) { __pl_call0(__PL_rcu_read_lock); }
static inline void rcu_read_unlock(void) { __pl_call0(__PL_rcu_read_unlock); }
static inline void synchronize_rcu(void) { __pl_call0(__PL_synchronize_rcu); }
static inline void call_rcu(struct rcu_head *head, void (*func)(struct rcu_head *))
{
	__pl_call2(__PL_call_rcu, (long)head, (long)func);
}

static inline void write_seqlock(seqlock_t *s) { __pl_call1(__PL_write_seqlock, (long)s); }
static inline void write_sequnlock(seqlock_t *s) { __pl_call1(__PL_write_sequnlock, (long)s); }
static inline unsigned read_seqbegin(const seqlock_t *s) { return __pl_call1(__PL_read_seqbegin, (long)s); }
static inline int read_seqretry(const seqlock_t *s, unsigned seq) { return __pl_call2(__PL_read_seqretry, (long)s, seq); }

/* ---- Interrupts ----------------------------------------------------------- */

/* IRQF_DISABLED (2.6's SA_INTERRUPT): the handler runs with interrupts off.
 * Without it a hard handler runs with interrupts on, as in 2.6. */
#define IRQF_DISABLED 0x00000020

/* request_irq(irq, handler, flags, name, dev): irq is the ISA/IO-APIC line
 * (1 and 3-23). Under threaded IRQs the handler runs in irq/N-name,
 * SCHED_FIFO 50, unless flags has IRQF_NO_THREAD. */
static inline int request_irq(unsigned irq, irqreturn_t (*handler)(int, void *), unsigned long flags,
			      const char *name, void *dev)
{
	return __pl_call5(__PL_request_irq, irq, (long)handler, flags, (long)name, (long)dev);
}

static inline void free_irq(unsigned irq, void *dev) { __pl_call2(__PL_free_irq, irq, (long)dev); }

/* The pid of irq/N-name, to change its priority with sched_setscheduler. */
static inline pid_t irq_thread_pid(unsigned irq) { return __pl_call1(__PL_irq_thread_pid, irq); }

struct softirq_action {
	void (*action)(struct softirq_action *);
};

static inline void open_softirq(int nr, void (*action)(struct softirq_action *))
{
	__pl_call2(__PL_open_softirq, nr, (long)action);
}

static inline void raise_softirq(int nr) { __pl_call1(__PL_raise_softirq, nr); }

/* ---- Time ----------------------------------------------------------------- */

struct timespec {
	long tv_sec;
	long tv_nsec;
};

#define NSEC_PER_SEC 1000000000L

/* Linux's timespec helpers (include/linux/time.h). */
static inline s64 timespec_to_ns(const struct timespec *ts)
{
	return (s64)ts->tv_sec * NSEC_PER_SEC + ts->tv_nsec;
}

static inline void timespec_add_ns(struct timespec *ts, u64 ns)
{
	u64 n = (u64)ts->tv_nsec + ns;
	while (n >= (u64)NSEC_PER_SEC) {
		n -= NSEC_PER_SEC;
		ts->tv_sec++;
	}
	ts->tv_nsec = (long)n;
}

/* Busy waits, passed without executing (fast-forwarded), interruptible
 * when interrupts are on. */
static inline void ndelay(unsigned long ns) { __pl_call1(__PL_ndelay, ns); }
static inline void udelay(unsigned long us) { __pl_call1(__PL_udelay, us); }
static inline void mdelay(unsigned long ms) { __pl_call1(__PL_mdelay, ms); }
static inline void msleep(unsigned ms) { __pl_call1(__PL_msleep, ms); }
static inline u64 ktime_get_ns(void) { return __pl_call0_64(__PL_ktime_get_ns); }

static inline int clock_gettime(clockid_t clock, struct timespec *ts)
{
	return __pl_call2(SYS_clock_gettime, clock, (long)ts);
}

static inline int clock_nanosleep(clockid_t clock, int flags, const struct timespec *req, struct timespec *rem)
{
	return __pl_call4(SYS_clock_nanosleep, clock, flags, (long)req, (long)rem);
}

static inline int nanosleep(const struct timespec *req, struct timespec *rem)
{
	return __pl_call2(SYS_nanosleep, (long)req, (long)rem);
}

/* ---- System calls --------------------------------------------------------- */

/* register_syscall(nr, fn): nr is 0x400-0xFFF; fn runs at CPL 0 on the
 * caller's kernel stack with the call's five arguments. */
static inline int register_syscall(int nr, long (*fn)(long, long, long, long, long))
{
	return __pl_call2(__PL_register_syscall, nr, (long)fn);
}

long syscall(long nr, ...);

static inline ssize_t write(int fd, const void *buf, size_t n)
{
	return __pl_call3(SYS_write, fd, (long)buf, n);
}

static inline __attribute__((noreturn)) void exit(int code)
{
	__pl_call1(SYS_exit, code);
	__builtin_unreachable();
}

/* ---- Ending a run --------------------------------------------------------- */

/* Ends the run with status 0 after the statistics are written. */
static inline __attribute__((noreturn)) void kernel_power_off(void)
{
	__pl_call0(__PL_kernel_power_off);
	__builtin_unreachable();
}

/* Ends the run with QEMU's debug-exit status (v << 1) | 1. */
static inline __attribute__((noreturn)) void kernel_exit(int v)
{
	__pl_call1(__PL_kernel_exit, v);
	__builtin_unreachable();
}

/* reboot(RB_POWER_OFF) from a user task of the realtime group (or a
 * kernel thread) ends the run with status 0. */
static inline int reboot(int cmd)
{
	return __pl_call4(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, cmd, 0);
}

/* ---- Console and strings (preemptlab.c) ----------------------------------- */

/* printk(fmt, ...) (kernel) writes one call's text whole; printf (any
 * task) formats and writes to fd 1. Both understand %d %i %u %x %X %c %s
 * %p %%, the flags '-' and '0', a width (digits or '*'), and the length
 * modifiers l (32-bit) and ll (64-bit). */
int printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int snprintf(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t n, const char *fmt, va_list args);

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

#endif /* PREEMPTLAB_H */
