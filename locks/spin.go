package locks

// This file implements the spinning lock: ticket order, ownership checks
// and the lock-break flag.

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
	waiters  []*Waiter
	// BreakLock is Linux's lock->break_lock: a CPU spinning on the lock
	// asks the holder to drop it at its next cond_resched_lock() (Molnar's
	// -Q7 lock-break). It is set by waiters only when the model has
	// lock-break on.
	BreakLock bool

	// Acquired and Contended count acquisitions, and those that had to
	// wait (for the lock census).
	Acquired, Contended uint64
}

// Owner returns the task holding the lock, or nil, and on which CPU.
func (l *SpinLock) Owner() (Task, int) { return l.owner, l.ownerCPU }

// Waiters returns how many CPUs spin on the lock.
func (l *SpinLock) Waiters() int { return len(l.waiters) }

// Lock takes the lock for task t on cpu, or makes it wait: it returns true
// if t holds the lock now; otherwise h.Spin was called and h.Grant will be
// when the lock is t's. lockbreak sets BreakLock for a waiter.
func (l *SpinLock) Lock(h Host, t Task, cpu int, lockbreak bool) bool {
	if l.owner == nil {
		l.owner, l.ownerCPU = t, cpu
		l.Acquired++
		return true
	}
	w := &Waiter{Task: t, CPU: cpu, LockName: l.Name}
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
	if l.owner != nil {
		return false
	}
	l.owner, l.ownerCPU = t, cpu
	l.Acquired++
	return true
}

// Unlock releases the lock held by t, handing it to the first waiter. It
// returns an error, changing nothing, if t does not hold it.
func (l *SpinLock) Unlock(h Host, t Task) error {
	if l.owner == nil {
		return fmt.Errorf("unlock of %s, which is not locked", l.Name)
	}
	if l.owner != t {
		return fmt.Errorf("unlock of %s by %s, but %s holds it", l.Name, t, l.owner)
	}
	l.owner = nil
	if len(l.waiters) == 0 {
		l.BreakLock = false
		return nil
	}
	w := l.waiters[0]
	l.waiters = l.waiters[1:]
	if len(l.waiters) == 0 {
		l.BreakLock = false
	}
	l.owner, l.ownerCPU = w.Task, w.CPU
	l.Acquired++
	w.Granted = true
	h.Grant(w)
	return nil
}
