package kernel

// This file implements bottom-half disabling under softirq=thread as
// PREEMPT_RT has it: local_bh_disable() takes a per-CPU sleeping lock
// instead of raising the softirq count, and each softirq thread takes the
// same lock around the handlers it runs, so that a task in a bh-disabled
// section excludes its CPU's softirq processing while it stays
// preemptible and may sleep. (In irq-exit mode local_bh_disable raises
// the softirq count, calls.go.)
//
// Followed: kernel/softirq.c of Linux with CONFIG_PREEMPT_RT (Gleixner's
// "softirq: Add RT variant", mainline since 5.12): struct softirq_ctrl
// {local_lock_t lock; int cnt;} per CPU; __local_bh_disable_ip() takes
// softirq_ctrl.lock at a task's first entry, when preemptible(), and
// only counts otherwise; the task's current->softirq_disable_cnt counts
// the nesting and is what softirq_count()/in_softirq() read;
// __local_bh_enable() releases the lock when the count drops to zero;
// ksoftirqd_run_begin()/ksoftirqd_run_end() take and release it around
// the handlers the thread runs. local_lock() on RT is migrate_disable()
// then spin_lock() of a per-CPU spinlock_t (an rt_mutex): the holder may
// be preempted and sleep, but not migrate. The lock per task and the
// migrate_disable on the nesting's edges are older: Gleixner's
// softirq-local-lock.patch (3.0-rt) and Mc Guire's "make migrate
// disable/enable conditioned on softirq_nestcnt transition" (3.14-rt).
//
// Two things differ from mainline RT, both because this kernel's
// softirq=thread is PREEMPT_REALTIME's one thread per vector
// (softirq-net-rx/N): pending softirqs are always run by their threads,
// which raise_softirq wakes at once (mainline's local_bh_enable runs them
// in the enabling task); and a thread that wants to run while a task has
// bottom halves disabled blocks on the lock (boosting the holder where
// the lock inherits), and gets it when local_bh_enable releases it.

import (
	"fmt"

	"preemptlab/locks"
)

// lockKindLocalLock is the kind of the kernel's own local_lock_t, the
// per-CPU softirq lock; no image can declare one (lockInit refuses it).
const lockKindLocalLock = 0x100

// bhLock returns CPU n's softirq lock, softirq_ctrl.lock/N: a sleeping
// lock of the model's design — the semaphore-based mutex, an rt_mutex
// with the PI chain under pi=chain (backLock) — whatever spinlock_t is.
func (k *Kernel) bhLock(n int) *lockObj {
	return k.cpuLock(&k.bhLocks, n, lockKindLocalLock, "softirq_ctrl.lock/%d")
}

// bhPreemptible is __local_bh_disable_ip's preemptible(), as this kernel
// counts it: after start_kernel, the count zero, interrupts on and no
// spinning lock held (under none and voluntary a spinlock does not raise
// the count) — when the softirq lock may be slept on.
func (k *Kernel) bhPreemptible(p *percpu, t *Task) bool {
	return k.started && !t.atomic() && p.c.IF() && t.heldSpinning() == nil
}

// callLocalBHDisable is local_bh_disable(): the softirq count is raised
// (irq-exit mode) or, under softirq=thread, the task's bh count, its
// outermost disable taking its CPU's softirq lock with migration
// disabled. A task that must wait for the lock (a softirq thread holds
// it) sleeps in the call.
func callLocalBHDisable(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
	if k.model.Softirq != SoftirqThread {
		t.preemptCount += softirqOffset
		return 0, true
	}
	if t.inIRQ() {
		k.bug(p, "local_bh_disable in hard-IRQ context (WARN_ON_ONCE(in_hardirq()))")
	}
	if t.bhCount > 0 {
		t.bhCount++ // nested: the outermost disable holds the lock
		return 0, true
	}
	if !k.bhPreemptible(p, t) {
		// Not preemptible: RT only counts, and warns if another task
		// holds this CPU's lock (DEBUG_LOCKS_WARN_ON(softirq_ctrl.cnt)).
		if n := p.id; n < len(k.bhLocks) && k.bhLocks[n] != nil {
			if owner := k.bhLocks[n].mutex.Owner(); owner != nil && owner != locks.Task(t) {
				k.bug(p, fmt.Sprintf("local_bh_disable %s while %v has bottom halves disabled on cpu%d", k.atomicContext(p, t), owner, n))
			}
		}
		t.bhCount = 1
		return 0, true
	}
	// sleepAcquire's path, but the count is the task's only once it
	// holds the lock (might_sleep's check is bhPreemptible's).
	o := k.bhLock(p.id)
	o.ops++
	t.migrateDisabled++ // local_lock(): migrate_disable(), then the lock
	sleep := func(p *percpu, desc string, wait func(p *percpu)) {
		k.block(p, t, a, TaskUninterruptible, desc, wait)
	}
	errno, held := k.takeSleeping(p, t, o, "local_bh_disable", a.at, func() (bool, error) { return o.mutex.Lock(k, t, p.id) }, sleep,
		func(p *percpu) {
			t.bhCount, t.bhLock = 1, o
			k.complete(p, t, a, 0)
		})
	switch {
	case errno != 0:
		t.migrateDisabled--
		return errno, true
	case held:
		t.bhCount, t.bhLock = 1, o
		return 0, true
	}
	return 0, false
}

// bhEnableThread is local_bh_enable() under softirq=thread: the task's bh
// count drops; at the outermost enable the softirq lock is released
// (handed to a softirq thread waiting for it, which may preempt the task
// now), migration enabled again, and this CPU's threads with softirqs
// pending and asleep are woken (RT's wakeup_softirqd); then the
// preemption check, which also moves the task if its affinity lost this
// CPU meanwhile (migrate_enable).
func (k *Kernel) bhEnableThread(p *percpu, t *Task, a *callArgs) (int64, bool) {
	// A softirq thread's own count of one is the lock it runs its
	// handlers under: a handler's enable cannot release it.
	if t.bhCount == 0 || t.kind == kindSoftirq && t.bhLock != nil && t.bhCount == 1 {
		k.bug(p, "local_bh_enable without local_bh_disable")
		return -EINVAL, true
	}
	if t.bhCount--; t.bhCount > 0 {
		return 0, true
	}
	mustMove := false
	if o := t.bhLock; o != nil {
		t.bhLock = nil
		ret := k.releaseSleeping(p, t, o, "local_bh_enable", a.at, func() error { return o.mutex.Unlock(k, t) })
		t.migrateDisabled--
		if ret != 0 {
			return ret, true
		}
		mustMove = t.migrateDisabled == 0 && !t.allowed(p.id)
	}
	k.wakeSoftirqThreads(p)
	if mustMove && !k.bhPreemptible(p, t) {
		// Not here (preemption or interrupts off since the disable): it
		// moves when it next schedules.
		k.resched(p, p)
		mustMove = false
	}
	if mustMove || (k.fullPreempt() && t.preemptCount == 0 && t.needResched && p.c.IF()) {
		k.saveCaller(p, t, a)
		k.preemptSchedule(p, func(p *percpu) { k.complete(p, t, a, 0) })
		return 0, false
	}
	return 0, true
}

// wakeSoftirqThreads wakes CPU p's softirq threads whose vector is
// pending and that sleep waiting for it.
func (k *Kernel) wakeSoftirqThreads(p *percpu) {
	for nr, st := range p.softirqThreads {
		if st != nil && p.softirqPending&(1<<uint(nr)) != 0 && st.state == TaskInterruptible && st.lk.Blocked == nil {
			k.wakeUp(p, st)
		}
	}
}

// softirqThreadLock is ksoftirqd_run_begin() for softirq thread t on CPU
// p: it takes the CPU's softirq lock (its bh count one, so in_softirq()
// holds while its handlers run), sleeping while a task in local_bh_disable
// holds it; then runs once it holds it. The lock's call site in the trace
// and lockdep is the vector's action.
func (k *Kernel) softirqThreadLock(p *percpu, t *Task, then func(p *percpu)) {
	o := k.bhLock(p.id)
	o.ops++
	sleep := func(p *percpu, desc string, wait func(p *percpu)) {
		t.state = TaskUninterruptible
		t.waitingOn = desc
		k.schedule(p, wait)
	}
	errno, held := k.takeSleeping(p, t, o, "ksoftirqd_run_begin", k.softirqs[t.softirq].action,
		func() (bool, error) { return o.mutex.Lock(k, t, p.id) }, sleep,
		func(p *percpu) {
			t.bhCount, t.bhLock = 1, o
			then(p)
		})
	switch {
	case errno != 0:
		// Reported (a cycle through the lock): the thread leaves the
		// vector pending and sleeps until the next raise.
		t.state = TaskInterruptible
		t.waitingOn = "softirq " + softirqNames[t.softirq]
		k.schedule(p, k.fnSoftirqThread)
	case held:
		t.bhCount, t.bhLock = 1, o
		then(p)
	}
}

// softirqThreadUnlock is ksoftirqd_run_end(): softirq thread t releases
// its CPU's softirq lock after a handler, handing it to a task waiting in
// local_bh_disable. It reports whether t should give the CPU up now
// (cond_resched: the hand-off woke a task above it).
func (k *Kernel) softirqThreadUnlock(p *percpu, t *Task) bool {
	o := t.bhLock
	if o == nil {
		return t.needResched
	}
	if t.bhCount != 1 {
		// The handler returned with bottom halves still disabled: its
		// local_bh_disable had no enable.
		k.bug(p, fmt.Sprintf("softirq %s returned with bottom halves disabled (local_bh_disable depth %d)", softirqNames[t.softirq], t.bhCount-1))
	}
	t.bhCount, t.bhLock = 0, nil
	k.releaseSleeping(p, t, o, "ksoftirqd_run_end", k.softirqs[t.softirq].action, func() error { return o.mutex.Unlock(k, t) })
	return t.needResched
}
