package locks

// This file implements the spinning lock: ticket order, ownership checks
// and the lock-break flag; and, for a spinning rwlock_t, readers that
// share it.

import "fmt"

// SpinLock is a spinning lock: raw_spinlock_t, and spinlock_t or rwlock_t
// when the model keeps them spinning. Waiters are served in the order
// they arrived, as ticket spinlocks serve them (Linux 2.6.25 on; earlier
// x86 spinlocks were unfair, and FIFO makes runs reproducible and
// latencies bounded).
type SpinLock struct {
	Name string
	// Raw is set for raw_spinlock_t (and MontaVista's _spinlock_t): a
	// lock that spins in every model.
	Raw bool

	owner    Task
	ownerCPU int
	// readers hold it for reading (a spinning rwlock_t's read_lock), in
	// the order they took it; a task may be there more than once (a
	// reader may nest, as Linux's rwlock_t readers may).
	readers []holder
	waiters []*Waiter
	// BreakLock is Linux's lock->break_lock: a CPU spinning on the lock
	// asks the holder to drop it at its next cond_resched_lock() (Molnar's
	// -Q7 lock-break). It is set by waiters only when the model has
	// lock-break on.
	BreakLock bool

	// Acquired and Contended count acquisitions, and those that had to
	// wait (for the lock census).
	Acquired, Contended uint64
}

// holder is a reader of the lock and its CPU.
type holder struct {
	t   Task
	cpu int
}

// Owner returns the task holding the lock, or nil, and on which CPU: the
// writer, or the first of the readers holding it.
func (l *SpinLock) Owner() (Task, int) {
	if l.owner == nil && len(l.readers) > 0 {
		return l.readers[0].t, l.readers[0].cpu
	}
	return l.owner, l.ownerCPU
}

// Reading reports whether t holds the lock for reading.
func (l *SpinLock) Reading(t Task) bool {
	for _, r := range l.readers {
		if r.t == t {
			return true
		}
	}
	return false
}

// Waiters returns how many CPUs spin on the lock.
func (l *SpinLock) Waiters() int { return len(l.waiters) }

// Lock takes the lock for task t on cpu, or makes it wait: it returns true
// if t holds the lock now; otherwise h.Spin was called and h.Grant will be
// when the lock is t's. lockbreak sets BreakLock for a waiter.
func (l *SpinLock) Lock(h Host, t Task, cpu int, lockbreak bool) bool {
	if l.owner == nil && len(l.readers) == 0 {
		l.owner, l.ownerCPU = t, cpu
		l.Acquired++
		return true
	}
	return l.wait(h, &Waiter{Task: t, CPU: cpu, LockName: l.Name, Write: true}, lockbreak)
}

// ReadLock takes the lock for reading (read_lock on a spinning rwlock_t):
// at once unless a writer holds it — a waiting writer does not hold
// readers back, as 2.6's rwlock_t favours readers (its writers may
// starve) — or makes the CPU spin as Lock does.
func (l *SpinLock) ReadLock(h Host, t Task, cpu int, lockbreak bool) bool {
	if l.owner == nil {
		l.readers = append(l.readers, holder{t, cpu})
		l.Acquired++
		return true
	}
	return l.wait(h, &Waiter{Task: t, CPU: cpu, LockName: l.Name}, lockbreak)
}

// wait queues w and makes its CPU spin.
func (l *SpinLock) wait(h Host, w *Waiter, lockbreak bool) bool {
	l.waiters = append(l.waiters, w)
	l.Contended++
	if lockbreak {
		l.BreakLock = true
	}
	h.Spin(w)
	return false
}

// TryLock takes the lock if it is free.
func (l *SpinLock) TryLock(t Task, cpu int) bool {
	if l.owner != nil || len(l.readers) > 0 {
		return false
	}
	l.owner, l.ownerCPU = t, cpu
	l.Acquired++
	return true
}

// Unlock releases the lock held by t, handing it to the first waiter. It
// returns an error, changing nothing, if t does not hold it.
func (l *SpinLock) Unlock(h Host, t Task) error {
	if l.owner == nil && len(l.readers) > 0 {
		return fmt.Errorf("write unlock of %s, which is held for reading", l.Name)
	}
	if l.owner == nil {
		return fmt.Errorf("unlock of %s, which is not locked", l.Name)
	}
	if l.owner != t {
		return fmt.Errorf("unlock of %s by %s, but %s holds it", l.Name, t, l.owner)
	}
	l.owner = nil
	l.handOff(h)
	return nil
}

// ReadUnlock releases a read hold of t's (its latest). The last reader
// out hands the lock to the writer waiting first.
func (l *SpinLock) ReadUnlock(h Host, t Task) error {
	for i := len(l.readers) - 1; i >= 0; i-- {
		if l.readers[i].t == t {
			l.readers = append(l.readers[:i], l.readers[i+1:]...)
			if len(l.readers) == 0 {
				l.handOff(h)
			}
			return nil
		}
	}
	if l.owner != nil {
		return fmt.Errorf("read unlock of %s by %s, but %s holds it for writing", l.Name, t, l.owner)
	}
	return fmt.Errorf("read unlock of %s by %s, which does not hold it for reading", l.Name, t)
}

// handOff gives the free lock to its waiters, in the order they came: the
// first, if a writer; if a reader, every waiting reader at once (nothing
// holds them back now), writers waiting on.
func (l *SpinLock) handOff(h Host) {
	if len(l.waiters) == 0 {
		l.BreakLock = false
		return
	}
	grant := func(w *Waiter) {
		l.Acquired++
		w.Granted = true
		h.Grant(w)
	}
	if w := l.waiters[0]; w.Write {
		l.waiters = l.waiters[1:]
		if len(l.waiters) == 0 {
			l.BreakLock = false
		}
		l.owner, l.ownerCPU = w.Task, w.CPU
		grant(w)
		return
	}
	var readers []*Waiter
	left := l.waiters[:0]
	for _, w := range l.waiters {
		if w.Write {
			left = append(left, w)
		} else {
			readers = append(readers, w)
		}
	}
	clear(l.waiters[len(left):])
	l.waiters = left
	if len(l.waiters) == 0 {
		l.BreakLock = false
	}
	for _, w := range readers {
		l.readers = append(l.readers, holder{w.Task, w.CPU})
		grant(w)
	}
}
