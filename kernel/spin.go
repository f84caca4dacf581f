package kernel

// This file connects the lock primitives (package locks) to the kernel:
// the lock objects images declare, the kernel services that take and
// release them, and the kernel's side of locks.Host — a spinning CPU is a
// waiting processor, a grant resumes it.

import (
	"fmt"

	"preemptlab/cpu"
	"preemptlab/locks"
)

// lockObj is a lock object of the image: a C struct whose first words the
// kernel owns ({magic, id, name, kind}), and the kernel's state of it.
type lockObj struct {
	id   uint32
	addr uint32
	kind int
	name string
	spin *locks.SpinLock // raw_spinlock_t, and spinlock_t, rwlock_t kept spinning
	// The sleeping backings: a mutex (struct mutex, struct rt_mutex, a
	// converted spinlock_t or rwlock_t), an rw-semaphore, a semaphore.
	mutex *locks.Mutex
	rwsem *locks.RWSem
	sem   *locks.Semaphore
	// ops counts the lock operations executed on it (the census).
	ops uint64
	// writes counts the write sections of a seqlock_t ended (its
	// sequence is twice that, plus one while a writer holds it).
	writes uint32

	// A completion's count of done, and its waiters; a wait queue's
	// waiters.
	done    uint32
	waiters []*Task
}

var lockKindNames = map[int]string{
	LockKindRawSpinlock: "raw_spinlock_t", LockKindSpinlock: "spinlock_t", LockKindRwlock: "rwlock_t",
	LockKindMutex: "struct mutex", LockKindSemaphore: "struct semaphore", LockKindRwsem: "struct rw_semaphore",
	LockKindRtMutex: "struct rt_mutex", LockKindCompletion: "struct completion",
	LockKindWaitqueue: "wait_queue_head_t", LockKindSeqlock: "seqlock_t",
	lockKindLocalLock: "local_lock_t",
}

// spinWaiter is the kernel's state of a CPU spinning on a lock.
type spinWaiter struct {
	w *locks.Waiter
	l *locks.SpinLock
	p *percpu
}

// lockInit is lock_init(lock, kind, name): the kernel makes its object
// and writes its magic and id into the struct.
func (k *Kernel) lockInit(addr, kind, nameAddr, count uint32) (*lockObj, int64) {
	if _, ok := lockKindNames[int(kind)]; !ok || kind == lockKindLocalLock {
		return nil, -EINVAL
	}
	if !k.inRAM(addr, 16) {
		return nil, -EFAULT
	}
	name := k.name(nameAddr)
	if name == "" {
		name = fmt.Sprintf("lock@%#x", addr)
	}
	o := &lockObj{id: uint32(len(k.locks)), addr: addr, kind: int(kind), name: name}
	if int(kind) == LockKindSemaphore && count > 1<<30 {
		return nil, -EINVAL
	}
	k.backLock(o, count)
	k.locks = append(k.locks, o)
	k.writeU32(addr, LockMagicLive)
	k.writeU32(addr+4, o.id)
	k.writeU32(addr+8, nameAddr)
	k.writeU32(addr+12, kind)
	return o, 0
}

// lockAt returns the lock object at addr, which must be one of kinds: a
// struct the kernel initialised, or one with a static initialiser, which
// is initialised now. An address that holds neither is reported.
func (k *Kernel) lockAt(p *percpu, addr uint32, what string, kinds ...int) (*lockObj, int64) {
	magic, ok := k.readU32(addr)
	if !ok {
		k.bug(p, fmt.Sprintf("%s: lock pointer %#x is outside RAM", what, addr))
		return nil, -EFAULT
	}
	var o *lockObj
	switch magic {
	case LockMagicLive:
		id, _ := k.readU32(addr + 4)
		if id == 0 || id >= uint32(len(k.locks)) || k.locks[id].addr != addr {
			k.bug(p, fmt.Sprintf("%s: the lock at %#x is corrupt (its id %d is not the kernel's)", what, addr, id))
			return nil, -EINVAL
		}
		o = k.locks[id]
	case LockMagicStatic:
		name, _ := k.readU32(addr + 8)
		kind, _ := k.readU32(addr + 12)
		var err int64
		if o, err = k.lockInit(addr, kind, name, 1); err != 0 {
			k.bug(p, fmt.Sprintf("%s: the statically initialised lock at %#x has a bad kind %d", what, addr, kind))
			return nil, err
		}
	default:
		k.bug(p, fmt.Sprintf("%s: the lock at %#x was never initialised", what, addr))
		return nil, -EINVAL
	}
	for _, kd := range kinds {
		if o.kind == kd {
			return o, 0
		}
	}
	k.bug(p, fmt.Sprintf("%s on %s, which is a %s", what, o.name, lockKindNames[o.kind]))
	return nil, -EINVAL
}

// irqMode applies the interrupt half of a lock operation's mode to the
// caller's flags: _irq and _irqsave disable interrupts (returning the old
// flags for _irqsave), _bh disables bottom halves.
func (k *Kernel) lockIRQMode(p *percpu, t *Task, mode uint32) uint32 {
	flags := p.c.EFLAGS()
	switch mode {
	case LockIRQ, LockIRQSave:
		k.setIF(p, false)
	case LockBH:
		t.preemptCount += softirqOffset
	}
	return flags
}

// setIF sets or clears the caller's interrupt flag, tracing the change.
func (k *Kernel) setIF(p *percpu, on bool) {
	f := p.c.EFLAGS()
	if (f&cpu.FlagIF != 0) == on {
		return
	}
	if on {
		p.c.SetEFLAGS(f | cpu.FlagIF)
		k.traceAt(p, EvIRQEnable, "", p.c.EIP)
	} else {
		k.traceAt(p, EvIRQDisable, "", p.c.EIP)
		p.c.SetEFLAGS(f &^ cpu.FlagIF)
	}
	k.charge(p, k.costs.IRQFlags)
}

// spinLock is spin_lock and its forms, read_lock and write_lock on a
// spinning lock: preemption off (where counted), then the lock, spinning
// if it is held.
func (k *Kernel) spinLock(p *percpu, t *Task, a *callArgs, what string) (int64, bool) {
	o, err := k.lockAt(p, a.a[0], what, lockKindsOf(what)...)
	if err != 0 {
		return err, true
	}
	if o.spin == nil {
		return k.convertedLock(p, t, a, o, what)
	}
	o.ops++
	k.lockdepAcquire(p, t, o, a.at, true)
	flags := k.lockIRQMode(p, t, a.a[1])
	k.preemptDisable(p, t, "spin_lock")
	k.charge(p, k.costs.SpinLock)
	k.traceLock(p, EvLockAcquire, o, a.at)
	// A reader may nest on a spinning rwlock_t; anything else taken
	// again by its holder waits for itself.
	read := what == "read_lock" && o.kind == LockKindRwlock
	if owner, _ := o.spin.Owner(); owner == locks.Task(t) && !(read && o.spin.Reading(t)) || !read && o.spin.Reading(t) {
		k.bug(p, fmt.Sprintf("recursive %s of %s: a spinlock taken twice deadlocks its CPU", what, o.name))
	}
	p.c.R[cpu.EAX] = flags // the result, whether it waits or not
	if !k.spinOn(o.spin, t, p.id, read) {
		k.traceLock(p, EvLockContended, o, a.at)
	}
	return int64(flags), true
}

// spinTrylock is spin_trylock.
func (k *Kernel) spinTrylock(p *percpu, t *Task, a *callArgs) (int64, bool) {
	o, err := k.lockAt(p, a.a[0], "spin_trylock", LockKindRawSpinlock, LockKindSpinlock, LockKindRwlock)
	if err != 0 {
		return err, true
	}
	o.ops++
	if o.spin == nil {
		return k.sleepTrylock(p, t, a, o), true
	}
	k.charge(p, k.costs.SpinLock)
	if !o.spin.TryLock(t, p.id) {
		return 0, true
	}
	k.preemptDisable(p, t, "spin_lock")
	k.lockdepAcquire(p, t, o, a.at, false)
	k.traceLock(p, EvLockAcquired, o, a.at)
	return 1, true
}

// spinUnlock is spin_unlock and its forms: the lock is released (handed to
// a spinning waiter), interrupts or bottom halves restored, then the
// preemption count lowered, which may preempt.
func (k *Kernel) spinUnlock(p *percpu, t *Task, a *callArgs, what string) (int64, bool) {
	o, err := k.lockAt(p, a.a[0], what, lockKindsOf(what)...)
	if err != 0 {
		return err, true
	}
	if o.spin == nil {
		return k.convertedUnlock(p, t, a, o, what)
	}
	o.ops++
	unlock := o.spin.Unlock
	if what == "read_unlock" && o.kind == LockKindRwlock {
		unlock = o.spin.ReadUnlock
	}
	if e := unlock(k, t); e != nil {
		k.bug(p, what+": "+e.Error())
		return -EINVAL, true
	}
	o.writes++
	k.lockdepRelease(t, o)
	k.charge(p, k.costs.SpinUnlock)
	k.traceLock(p, EvLockRelease, o, a.at)
	if ret := k.unlockIRQMode(p, t, a.a[1], a.a[2]); ret != 0 {
		return ret, true
	}
	done := k.preemptEnable(p, t, a, func(p *percpu) { k.complete(p, t, a, 0) })
	return 0, done
}

// unlockIRQMode restores what lockIRQMode changed.
func (k *Kernel) unlockIRQMode(p *percpu, t *Task, mode, flags uint32) int64 {
	switch mode {
	case LockIRQ:
		k.setIF(p, true)
	case LockIRQSave:
		k.setIF(p, flags&cpu.FlagIF != 0)
	case LockBH:
		if t.preemptCount&softirqMask == 0 {
			k.bug(p, "spin_unlock_bh without bottom halves disabled")
			return -EINVAL
		}
		t.preemptCount -= softirqOffset
	}
	return 0
}

// condReschedLock is cond_resched_lock(lock): with lock-break on and a
// CPU spinning on the lock, drop it and take it again (the spinner gets it
// first: Molnar's -Q7 lock-break); if a reschedule is pending, drop it,
// schedule, take it again. It returns 1 if it dropped the lock.
func (k *Kernel) condReschedLock(p *percpu, t *Task, a *callArgs) (int64, bool) {
	o, err := k.lockAt(p, a.a[0], "cond_resched_lock", LockKindRawSpinlock, LockKindSpinlock, LockKindRwlock)
	if err != 0 {
		return err, true
	}
	if o.spin == nil {
		// A sleeping spinlock_t leaves its holder preemptible: a pending
		// reschedule has happened already, and its waiters sleep rather
		// than spin, so there is nothing to break (PREEMPT_RT's
		// cond_resched_lock on a converted lock).
		return 0, true
	}
	if owner, _ := o.spin.Owner(); owner != locks.Task(t) {
		k.bug(p, "cond_resched_lock on "+o.name+", which the caller does not hold")
		return -EINVAL, true
	}
	breakLock := k.model.Lockbreak && o.spin.BreakLock
	if !breakLock && !t.needResched {
		return 0, true
	}
	// Drop the lock: preempt_enable_no_resched, then the break or the
	// reschedule, then take it again.
	if breakLock {
		k.traceLock(p, EvLockBreak, o, a.at)
	}
	o.spin.Unlock(k, t)
	o.ops += 2
	k.charge(p, k.costs.SpinUnlock)
	k.traceLock(p, EvLockRelease, o, a.at)
	if k.fullPreempt() {
		t.preemptCount--
	}
	relock := func(p *percpu) {
		if a.blocked {
			p.c.LoadContext(a.ctx)
		}
		p.c.R[cpu.EAX] = 1
		k.preemptDisable(p, t, "spin_lock")
		k.charge(p, k.costs.SpinLock)
		k.traceLock(p, EvLockAcquire, o, a.at)
		if !k.spinOn(o.spin, t, p.id, false) {
			k.traceLock(p, EvLockContended, o, a.at)
		}
	}
	if t.needResched && t.preemptCount == 0 {
		k.saveCaller(p, t, a)
		k.preemptSchedule(p, relock)
		return 0, false
	}
	relock(p)
	return 1, true
}

// Spin makes the CPU the waiter is on spin (locks.Host).
func (k *Kernel) Spin(w *locks.Waiter) {
	p := k.cpus[w.CPU]
	sw := &spinWaiter{w: w, l: k.spinning, p: p}
	w.Data = sw
	p.spin = sw
	p.c.Wait()
}

// Grant hands a lock to a spinning waiter (locks.Host): its CPU goes on,
// after the hand-off, from the time of the release.
func (k *Kernel) Grant(w *locks.Waiter) {
	sw := w.Data.(*spinWaiter)
	q := sw.p
	releaser := k.actingCPU()
	at := k.now(releaser) + k.costs.SpinHandoff
	if q.spin == sw && q.c.Waiting() {
		q.spin = nil
		if k.traces(EvLockAcquired) {
			k.emitAt(q, at, &Event{Kind: EvLockAcquired, Name: w.LockName, Caller: "spin"})
		}
		k.m.Resume(q.c, at)
	}
	// Otherwise the spinning context is saved in an interrupt frame: it
	// goes on, holding the lock, when the interrupt returns to it
	// (irqReturn).
}

// actingCPU is the CPU whose entry the kernel is handling now.
func (k *Kernel) actingCPU() *percpu {
	return k.cpus[k.acting]
}
