package kernel

// This file connects the sleeping lock primitives (package locks) to the
// kernel: what backs each lock type under the model, the services that
// take and release them (mutexes, semaphores, rw-semaphores, rt_mutex,
// and spinlock_t/rwlock_t where the model makes them sleep), and the
// kernel's side of locks.Host for sleeping waiters and priority
// inheritance.

import (
	"errors"
	"fmt"

	"preemptlab/locks"
)

// backLock gives a new lock object its backing, as the model says:
//
//   - raw_spinlock_t spins in every model (MontaVista's _spinlock_t);
//   - spinlock_t and rwlock_t spin under spinlock=spin; under pmutex they
//     are MontaVista's PMutex (priority-ordered, one level of PI); under
//     rwsem mmLinux's rw-semaphore, spin_lock and write_lock taking it
//     with down_write and read_lock with down_read (mmLinux's rwlock_t
//     conversion keeps readers shared), borrowing under pi=borrow; under
//     mutex the -U0 semaphore-based mutex (FIFO, no PI), an rt_mutex under
//     pi=chain — read_lock is exclusive there too, as PREEMPT_RT made
//     rwlock_t one owner;
//   - struct mutex is the semaphore-based mutex, an rt_mutex under
//     pi=chain; struct rt_mutex always has the full PI chain; so is the
//     kernel's local_lock_t, the per-CPU softirq lock of softirq=thread;
//   - struct rw_semaphore borrows under pi=borrow; struct semaphore is
//     counting, without PI.
func (k *Kernel) backLock(o *lockObj, count uint32) {
	switch o.kind {
	case LockKindRawSpinlock:
		o.spin = &locks.SpinLock{Name: o.name, Raw: true}
	case LockKindSpinlock, LockKindRwlock, LockKindSeqlock:
		switch k.model.Spinlock {
		case SpinlockSpin:
			o.spin = &locks.SpinLock{Name: o.name}
		case SpinlockPMutex:
			o.mutex = &locks.Mutex{Name: o.name, PI: k.mutexPI(locks.PISimple), Prio: true}
		case SpinlockRwsem:
			o.rwsem = &locks.RWSem{Name: o.name, Borrow: k.model.PI == PIBorrow}
		case SpinlockMutex:
			pi := k.mutexPI(locks.PINone)
			o.mutex = &locks.Mutex{Name: o.name, PI: pi, Prio: pi != locks.PINone}
		}
	case LockKindMutex:
		pi := k.mutexPI(locks.PINone)
		o.mutex = &locks.Mutex{Name: o.name, PI: pi, Prio: pi != locks.PINone}
	case LockKindRtMutex:
		o.mutex = &locks.Mutex{Name: o.name, PI: locks.PIChain, Prio: true}
	case lockKindLocalLock:
		// The softirq lock sleeps in every model that has one (bh.go).
		pi := k.mutexPI(locks.PINone)
		o.mutex = &locks.Mutex{Name: o.name, PI: pi, Prio: pi != locks.PINone}
	case LockKindRwsem:
		o.rwsem = &locks.RWSem{Name: o.name, Borrow: k.model.PI == PIBorrow}
	case LockKindSemaphore:
		o.sem = &locks.Semaphore{Name: o.name, Count: int(count)}
	}
}

// mutexPI is the inheritance of a mutex under the pi knob: none, simple
// and chain as named; borrow (an rw-semaphore's) gives a mutex the
// design's own, def.
func (k *Kernel) mutexPI(def locks.PI) locks.PI {
	switch k.model.PI {
	case PISimple:
		return locks.PISimple
	case PIChain:
		return locks.PIChain
	case PINone:
		return locks.PINone
	}
	return def
}

// convertedLock is spin_lock, read_lock or write_lock on a spinlock_t or
// rwlock_t the model made a sleeping lock: the preemption count is left
// alone and the _irq/_irqsave forms do not disable interrupts (the
// handlers that could take the lock run in threads), as PREEMPT_RT's
// rt_spin_lock; the _irqsave form returns the flags as they are.
func (k *Kernel) convertedLock(p *percpu, t *Task, a *callArgs, o *lockObj, what string) (int64, bool) {
	flags := int64(p.c.EFLAGS())
	if o.rwsem != nil {
		write := what != "read_lock"
		return k.sleepAcquire(p, t, a, o, what, flags, func() (bool, error) { return o.rwsem.Lock(k, t, p.id, write) })
	}
	return k.sleepAcquire(p, t, a, o, what, flags, func() (bool, error) { return o.mutex.Lock(k, t, p.id) })
}

// convertedUnlock is the unlock of a converted spinlock_t or rwlock_t.
func (k *Kernel) convertedUnlock(p *percpu, t *Task, a *callArgs, o *lockObj, what string) (int64, bool) {
	if o.rwsem != nil {
		write := what != "read_unlock"
		return k.sleepRelease(p, t, a, o, what, func() error {
			err := o.rwsem.Unlock(k, t, write)
			if err == nil && write {
				o.writes++
			}
			return err
		})
	}
	return k.sleepRelease(p, t, a, o, what, func() error {
		err := o.mutex.Unlock(k, t)
		if err == nil {
			o.writes++
		}
		return err
	})
}

// sleepTrylock is a trylock of a sleeping lock: 1 if taken.
func (k *Kernel) sleepTrylock(p *percpu, t *Task, a *callArgs, o *lockObj) int64 {
	k.charge(p, k.costs.MutexLock)
	var ok bool
	switch {
	case o.mutex != nil:
		ok = o.mutex.TryLock(t)
	case o.rwsem != nil:
		ok = o.rwsem.TryLock(t, true)
	case o.sem != nil:
		ok = o.sem.TryDown()
	}
	if ok {
		k.lockdepAcquire(p, t, o, a.at, false)
		k.traceLock(p, EvLockAcquired, o, a.at)
	}
	return int64(b2i(ok))
}

// sleepAcquire takes sleeping lock o with take: might_sleep's check
// (sleeping while atomic is a BUG and the call fails), the trace, and,
// if take queued the task, the sleep until the lock is handed to it. ret
// is the call's result once the lock is held.
func (k *Kernel) sleepAcquire(p *percpu, t *Task, a *callArgs, o *lockObj, what string, ret int64, take func() (bool, error)) (int64, bool) {
	o.ops++
	if !k.mayBlock(p, t, what+"("+o.name+")") {
		return -EINVAL, true
	}
	sleep := func(p *percpu, desc string, wait func(p *percpu)) {
		k.block(p, t, a, TaskUninterruptible, desc, wait)
	}
	errno, held := k.takeSleeping(p, t, o, what, a.at, take, sleep, func(p *percpu) { k.complete(p, t, a, ret) })
	switch {
	case errno != 0:
		return errno, true
	case held:
		return ret, true
	}
	return 0, false
}

// takeSleeping is the body of every acquisition of sleeping lock o by t
// at call site at, once might_sleep's check passed: the trace, lockdep,
// and take. It returns an errno if take failed (a BUG was reported), or
// whether t holds the lock now; if it must wait, sleep(p, desc, wait)
// puts it to sleep and wait runs at each wake-up, calling granted once
// the lock was handed to t. A guest call sleeps by k.block; a kernel
// thread (a softirq thread taking its CPU's softirq lock) by schedule.
func (k *Kernel) takeSleeping(p *percpu, t *Task, o *lockObj, what string, at uint32, take func() (bool, error),
	sleep func(p *percpu, desc string, wait func(p *percpu)), granted func(p *percpu)) (int64, bool) {
	k.charge(p, k.costs.MutexLock)
	k.traceLock(p, EvLockAcquire, o, at)
	k.lockdepAcquire(p, t, o, at, true)
	ok, err := take()
	if k.afterLockOp != nil {
		k.afterLockOp(p, what)
	}
	if err != nil {
		k.lockdepRelease(t, o)
		k.bug(p, what+": "+err.Error())
		if errors.Is(err, locks.ErrDeadlock) {
			return -EDEADLK, false
		}
		return -EINVAL, false
	}
	if ok {
		return 0, true
	}
	k.traceLock(p, EvLockContended, o, at)
	w := t.lk.Blocked
	desc := fmt.Sprintf("%s %s", lockKindNames[o.kind], o.name)
	if h := k.holders(o); h != "" {
		desc += " held by " + h
	}
	var wait func(p *percpu)
	wait = func(p *percpu) {
		if w.Granted {
			k.traceLock(p, EvLockAcquired, o, at)
			granted(p)
			return
		}
		// A wake-up from something else (wake_up_process): sleep on.
		sleep(p, desc, wait)
	}
	sleep(p, desc, wait)
	return 0, false
}

// holders names who holds o, for reports.
func (k *Kernel) holders(o *lockObj) string {
	switch {
	case o.mutex != nil && o.mutex.Owner() != nil:
		return o.mutex.Owner().String()
	case o.rwsem != nil && o.rwsem.Writer() != nil:
		return o.rwsem.Writer().String()
	case o.rwsem != nil && len(o.rwsem.Readers()) > 0:
		return fmt.Sprintf("%d readers, first %v", len(o.rwsem.Readers()), o.rwsem.Readers()[0])
	}
	return ""
}

// sleepRelease releases sleeping lock o with release (which wakes the
// next owner); misuse is a BUG and -EINVAL.
func (k *Kernel) sleepRelease(p *percpu, t *Task, a *callArgs, o *lockObj, what string, release func() error) (int64, bool) {
	return k.releaseSleeping(p, t, o, what, a.at, release), true
}

// releaseSleeping is sleepRelease for a release at call site at, by a
// guest call or by a kernel thread: 0, or -EINVAL after the BUG.
func (k *Kernel) releaseSleeping(p *percpu, t *Task, o *lockObj, what string, at uint32, release func() error) int64 {
	o.ops++
	// Traced first, as lockdep's lock_release comes before the hand-off
	// wakes the next owner; a misuse follows it with the BUG.
	k.traceLock(p, EvLockRelease, o, at)
	k.charge(p, k.costs.MutexUnlock)
	err := release()
	if k.afterLockOp != nil {
		k.afterLockOp(p, what)
	}
	if err != nil {
		k.bug(p, what+": "+err.Error())
		return -EINVAL
	}
	k.lockdepRelease(t, o)
	return 0
}

// sleepLockCall makes the handler of a sleeping-lock service on lock
// kinds kinds.
func sleepLockCall(what string, op func(k *Kernel, p *percpu, t *Task, a *callArgs, o *lockObj) (int64, bool), kinds ...int) callFn {
	return func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
		o, err := k.lockAt(p, a.a[0], what, kinds...)
		if err != 0 {
			return err, true
		}
		return op(k, p, t, a, o)
	}
}

// addSleepLockCalls puts the sleeping-lock services in callTable (called
// by the init that builds the dispatch tables, which must come after).
func addSleepLockCalls() {
	callTable[SvcGetCPULocked] = callGetCPULocked
	callTable[SvcPutCPULocked] = callPutCPULocked
	mutexLock := func(what string) func(k *Kernel, p *percpu, t *Task, a *callArgs, o *lockObj) (int64, bool) {
		return func(k *Kernel, p *percpu, t *Task, a *callArgs, o *lockObj) (int64, bool) {
			return k.sleepAcquire(p, t, a, o, what, 0, func() (bool, error) { return o.mutex.Lock(k, t, p.id) })
		}
	}
	mutexUnlock := func(what string) func(k *Kernel, p *percpu, t *Task, a *callArgs, o *lockObj) (int64, bool) {
		return func(k *Kernel, p *percpu, t *Task, a *callArgs, o *lockObj) (int64, bool) {
			return k.sleepRelease(p, t, a, o, what, func() error { return o.mutex.Unlock(k, t) })
		}
	}
	trylock := func(k *Kernel, p *percpu, t *Task, a *callArgs, o *lockObj) (int64, bool) {
		o.ops++
		return k.sleepTrylock(p, t, a, o), true
	}
	rw := func(what string, write bool) func(k *Kernel, p *percpu, t *Task, a *callArgs, o *lockObj) (int64, bool) {
		return func(k *Kernel, p *percpu, t *Task, a *callArgs, o *lockObj) (int64, bool) {
			return k.sleepAcquire(p, t, a, o, what, 0, func() (bool, error) { return o.rwsem.Lock(k, t, p.id, write) })
		}
	}
	rwUp := func(what string, write bool) func(k *Kernel, p *percpu, t *Task, a *callArgs, o *lockObj) (int64, bool) {
		return func(k *Kernel, p *percpu, t *Task, a *callArgs, o *lockObj) (int64, bool) {
			return k.sleepRelease(p, t, a, o, what, func() error { return o.rwsem.Unlock(k, t, write) })
		}
	}
	callTable[SvcMutexLock] = sleepLockCall("mutex_lock", mutexLock("mutex_lock"), LockKindMutex)
	callTable[SvcMutexTrylock] = sleepLockCall("mutex_trylock", trylock, LockKindMutex)
	callTable[SvcMutexUnlock] = sleepLockCall("mutex_unlock", mutexUnlock("mutex_unlock"), LockKindMutex)
	callTable[SvcRtMutexLock] = sleepLockCall("rt_mutex_lock", mutexLock("rt_mutex_lock"), LockKindRtMutex)
	callTable[SvcRtMutexTry] = sleepLockCall("rt_mutex_trylock", trylock, LockKindRtMutex)
	callTable[SvcRtMutexUnl] = sleepLockCall("rt_mutex_unlock", mutexUnlock("rt_mutex_unlock"), LockKindRtMutex)
	callTable[SvcDown] = sleepLockCall("down", func(k *Kernel, p *percpu, t *Task, a *callArgs, o *lockObj) (int64, bool) {
		return k.sleepAcquire(p, t, a, o, "down", 0, func() (bool, error) { return o.sem.Down(k, t, p.id), nil })
	}, LockKindSemaphore)
	callTable[SvcDownTrylock] = sleepLockCall("down_trylock", func(k *Kernel, p *percpu, t *Task, a *callArgs, o *lockObj) (int64, bool) {
		o.ops++
		return 1 - k.sleepTrylock(p, t, a, o), true // 0 if taken, as Linux's
	}, LockKindSemaphore)
	callTable[SvcUp] = sleepLockCall("up", func(k *Kernel, p *percpu, t *Task, a *callArgs, o *lockObj) (int64, bool) {
		return k.sleepRelease(p, t, a, o, "up", func() error { return o.sem.Up(k) })
	}, LockKindSemaphore)
	callTable[SvcDownRead] = sleepLockCall("down_read", rw("down_read", false), LockKindRwsem)
	callTable[SvcDownWrite] = sleepLockCall("down_write", rw("down_write", true), LockKindRwsem)
	callTable[SvcUpRead] = sleepLockCall("up_read", rwUp("up_read", false), LockKindRwsem)
	callTable[SvcUpWrite] = sleepLockCall("up_write", rwUp("up_write", true), LockKindRwsem)
	callTable[SvcDowngrade] = sleepLockCall("downgrade_write", func(k *Kernel, p *percpu, t *Task, a *callArgs, o *lockObj) (int64, bool) {
		ret, done := k.sleepRelease(p, t, a, o, "downgrade_write", func() error { return o.rwsem.Downgrade(k, t) })
		if ret == 0 {
			t.held = append(t.held, heldLock{o, a.at}) // still held, for reading
		}
		return ret, done
	}, LockKindRwsem)
}

// LockState returns the lock layer's state of the task (locks.Task).
func (t *Task) LockState() *locks.TaskState { return &t.lk }

// Block records that the calling task waits on w's lock (locks.Host):
// the kernel service that made the lock call then puts it to sleep
// (k.block) and goes on when Wake makes it runnable.
func (k *Kernel) Block(w *locks.Waiter) {}

// Wake wakes a blocked waiter, now the lock's (locks.Host).
func (k *Kernel) Wake(w *locks.Waiter) {
	if t, ok := w.Task.(*Task); ok {
		k.wakeUp(k.actingCPU(), t)
	}
}

// Boost sets a task's effective priority (locks.Host), as
// rt_mutex_setprio and prio_changed_rt: the task is requeued at its new
// priority; a queued task raised above its CPU's current task preempts
// it; a running one raised pushes the realtime tasks queued behind it to
// CPUs running lower work (switched_to_rt's push); a running one lowered
// pulls the realtime tasks now above it, then gives way to what is
// queued above it. The trace shows sched_pi_setprio.
func (k *Kernel) Boost(lt locks.Task, prio int) {
	t, ok := lt.(*Task)
	if !ok || t.prio == prio {
		return
	}
	p := k.actingCPU()
	old := t.prio
	if k.traces(EvSchedPISetprio) {
		k.emit(p, &Event{Kind: EvSchedPISetprio, Other: t, Num: int64(old), Num2: int64(prio)})
	}
	k.setPrio(t, prio)
	q := k.cpus[t.cpu]
	switch {
	case t.onRQ && !t.running && prio < old:
		k.checkPreempt(p, q, t)
	case t.running && prio < old:
		k.pushRT(q)
	case t.running && prio > old:
		k.pullRT(q)
		if q.rq.queuedPrio() < prio {
			k.resched(p, q)
		}
	}
}

// Prio and NormalPrio are a task's effective and normal priorities
// (locks.Host).
func (k *Kernel) Prio(t locks.Task) int { return t.(*Task).prio }

// NormalPrio is the task's priority without inheritance (locks.Host).
func (k *Kernel) NormalPrio(t locks.Task) int { return t.(*Task).normalPrio() }

// Burn charges what a lock-layer operation costs (locks.Host).
func (k *Kernel) Burn(c locks.Cost) {
	switch c {
	case locks.CostPIStep:
		k.charge(k.actingCPU(), k.costs.PIStep)
	case locks.CostBoost:
		k.charge(k.actingCPU(), k.costs.PIBoost)
	}
}

// Report writes a lock-layer warning to the kernel log (locks.Host).
func (k *Kernel) Report(msg string) {
	p := k.actingCPU()
	k.logf("WARNING: %s: %v on cpu%d", msg, p.curr, p.id)
	k.traceAt(p, EvBug, msg, p.c.EIP)
}

// spinOn takes spinning lock l for t on cpu (for reading if read: a
// spinning rwlock_t's read_lock), or makes the CPU spin.
func (k *Kernel) spinOn(l *locks.SpinLock, t *Task, cpu int, read bool) bool {
	k.spinning = l
	var ok bool
	if read {
		ok = l.ReadLock(k, t, cpu, k.model.Lockbreak)
	} else {
		ok = l.Lock(k, t, cpu, k.model.Lockbreak)
	}
	k.spinning = nil
	return ok
}

// adjustPrio sets t's priority after its normal priority changed: its
// normal one, or, for a task in the lock layer's PI state, what
// rt_mutex_adjust_pi makes it (the inherited priority, the chain
// requeued).
func (k *Kernel) adjustPrio(t *Task) {
	if t.lk.Blocked == nil && len(t.lk.Holds()) == 0 {
		k.setPrio(t, t.normalPrio())
		return
	}
	locks.Adjust(k, t)
	if k.afterLockOp != nil {
		k.afterLockOp(k.actingCPU(), "sched_setscheduler")
	}
}

// callGetCPULocked is PREEMPT_RT's get_cpu_locked(): under the rt
// design's typed locks (spinlock=mutex) the CPU's per-CPU sleeping lock
// is taken instead of disabling preemption — the task may be preempted
// and even migrate, while the CPU's data stays its own until
// put_cpu_locked(cpu); otherwise it is get_cpu(). It returns the CPU.
func callGetCPULocked(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
	if k.model.Spinlock != SpinlockMutex {
		return callGetCPU(k, p, t, a)
	}
	o := k.perCPULock(p.id)
	return k.sleepAcquire(p, t, a, o, "get_cpu_locked", int64(p.id), func() (bool, error) { return o.mutex.Lock(k, t, p.id) })
}

// callPutCPULocked is put_cpu_locked(cpu): the lock of that CPU is
// released (put_cpu() where get_cpu_locked is get_cpu()).
func callPutCPULocked(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
	if k.model.Spinlock != SpinlockMutex {
		return callPreemptEnable(k, p, t, a)
	}
	if a.a[0] >= uint32(len(k.cpus)) {
		k.bug(p, fmt.Sprintf("put_cpu_locked(%d): no such CPU", a.a[0]))
		return -EINVAL, true
	}
	o := k.perCPULock(int(a.a[0]))
	return k.sleepRelease(p, t, a, o, "put_cpu_locked", func() error { return o.mutex.Unlock(k, t) })
}

// perCPULock returns CPU n's per-CPU lock (per_cpu_lock/N) of
// get_cpu_locked, a spinlock_t the model backs.
func (k *Kernel) perCPULock(n int) *lockObj {
	return k.cpuLock(&k.cpuLocks, n, LockKindSpinlock, "per_cpu_lock/%d")
}

// cpuLock returns CPU n's lock of the per-CPU set *set — a kernel lock
// of kind kind named by format and n, not in the image's memory, backed
// as the model backs that kind — made at its first use.
func (k *Kernel) cpuLock(set *[]*lockObj, n, kind int, format string) *lockObj {
	if *set == nil {
		*set = make([]*lockObj, len(k.cpus))
	}
	if o := (*set)[n]; o != nil {
		return o
	}
	o := &lockObj{id: uint32(len(k.locks)), kind: kind, name: fmt.Sprintf(format, n)}
	k.backLock(o, 0)
	k.locks = append(k.locks, o)
	(*set)[n] = o
	return o
}
