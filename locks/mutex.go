package locks

// This file implements the sleeping mutex of every design: the -U0
// semaphore-based mutex (no inheritance), MontaVista's PMutex (one level
// of inheritance) and rt_mutex (full PI chain with deadlock detection),
// one state machine whose PI mode and wait order say which.

import (
	"errors"
	"fmt"
	"strings"
)

// PI is a sleeping lock's priority inheritance.
type PI uint8

const (
	// PINone: the owner keeps its priority (the kernel semaphore, the
	// mmLinux rw-semaphore).
	PINone PI = iota
	// PISimple: MontaVista's PMutex: the owner is raised to its top
	// waiter's priority, and no further (an owner blocked on another
	// PMutex does not pass the boost on).
	PISimple
	// PIChain: rt_mutex: the boost propagates along the chain of owners
	// blocked on further locks, and a cycle is detected.
	PIChain
)

// MaxLockDepth bounds the PI chain walk, as Linux's max_lock_depth
// (kernel/locking/rtmutex.c, 1024).
const MaxLockDepth = 1024

// ErrDeadlock is returned by Lock when blocking would close a cycle of
// owners waiting on each other, or the chain is longer than MaxLockDepth
// (rt_mutex_lock's -EDEADLK).
var ErrDeadlock = errors.New("deadlock")

// Mutex is a sleeping lock with an owner. Waiters are ordered by
// priority, FIFO among equals, when Prio is set (rt_mutex's and
// PMutex's wait lists); otherwise FIFO (the kernel semaphore's list).
// An unlock hands the lock to the first waiter (no lock stealing: the
// hand-off makes runs reproducible and is what 2.6.16's rt_mutex did for
// a waiter at least as urgent as any other task).
type Mutex struct {
	Name string
	PI   PI
	Prio bool

	owner   Task
	waiters []*Waiter

	// Acquired and Contended count acquisitions, and those that had to
	// wait (for the lock census).
	Acquired, Contended uint64
}

func (m *Mutex) name() string { return m.Name }

// Owner returns the task holding the mutex, or nil.
func (m *Mutex) Owner() Task { return m.owner }

// Waiters returns the waiting tasks, first to be served first.
func (m *Mutex) Waiters() []Task {
	var ts []Task
	for _, w := range m.waiters {
		ts = append(ts, w.Task)
	}
	return ts
}

// donation is the top waiter's priority, when the mutex inherits.
func (m *Mutex) donation(t Task) int {
	if m.PI == PINone || len(m.waiters) == 0 {
		return maxPrio
	}
	return m.top().Prio
}

// top is the most urgent waiter (the first: the list is ordered).
func (m *Mutex) top() *Waiter {
	if len(m.waiters) == 0 {
		return nil
	}
	if !m.Prio {
		// A FIFO list lends the most urgent waiter's priority all the same.
		best := m.waiters[0]
		for _, w := range m.waiters[1:] {
			if w.Prio < best.Prio {
				best = w
			}
		}
		return best
	}
	return m.waiters[0]
}

// enqueue puts w in the wait list: after every waiter at least as urgent
// when ordered by priority, at the tail otherwise.
func (m *Mutex) enqueue(w *Waiter) {
	i := len(m.waiters)
	if m.Prio {
		for i = 0; i < len(m.waiters) && m.waiters[i].Prio <= w.Prio; i++ {
		}
	}
	m.waiters = append(m.waiters, nil)
	copy(m.waiters[i+1:], m.waiters[i:])
	m.waiters[i] = w
}

func (m *Mutex) dequeue(w *Waiter) {
	for i, x := range m.waiters {
		if x == w {
			m.waiters = append(m.waiters[:i], m.waiters[i+1:]...)
			return
		}
	}
}

// TryLock takes the mutex for t if it is free.
func (m *Mutex) TryLock(t Task) bool {
	if m.owner != nil {
		return false
	}
	m.take(t)
	return true
}

func (m *Mutex) take(t Task) {
	m.owner = t
	m.Acquired++
	hold(t, m)
}

// Lock takes the mutex for t, or blocks it: it returns true if t holds
// the mutex now; otherwise h.Block was called and h.Wake will be when the
// mutex is t's. Under PIChain a cycle (or a chain longer than
// MaxLockDepth) returns ErrDeadlock, t not queued, with the chain in the
// error's text.
func (m *Mutex) Lock(h Host, t Task, cpu int) (bool, error) {
	if m.owner == nil {
		m.take(t)
		return true, nil
	}
	if m.owner == t {
		return false, fmt.Errorf("recursive lock of %s by %s, which holds it: %w", m.Name, t, ErrDeadlock)
	}
	w := &Waiter{Task: t, CPU: cpu, LockName: m.Name, Prio: h.Prio(t), mutex: m}
	m.enqueue(w)
	t.LockState().Blocked = w
	m.Contended++
	if err := m.boostOwner(h, t); err != nil {
		m.dequeue(w)
		t.LockState().Blocked = nil
		m.Contended--
		// Take back what the walk lent (remove_waiter's chain walk).
		adjustPrioChain(h, m.owner, nil, nil)
		return false, err
	}
	h.Block(w)
	return false, nil
}

// boostOwner lends the new waiter t's priority to the owner, as the PI
// mode says: none, the owner alone, or along the chain.
func (m *Mutex) boostOwner(h Host, t Task) error {
	switch m.PI {
	case PISimple:
		reprio(h, m.owner)
	case PIChain:
		return adjustPrioChain(h, m.owner, m, t)
	}
	return nil
}

// adjustPrioChain is Linux's rt_mutex_adjust_prio_chain
// (kernel/locking/rtmutex.c): starting at task, recompute its effective
// priority from the locks it holds; if it is blocked on a further PI
// mutex, requeue its waiter there at the new priority and go on with
// that mutex's owner. With orig set (a task top blocking on orig), the
// walk detects deadlock as rt_mutex does with full chain walk: the whole
// chain is walked, and reaching orig again or an owner that is top is a
// cycle. Each step costs CostPIStep; the walk stops after MaxLockDepth
// steps with a report and ErrDeadlock, as Linux's does.
func adjustPrioChain(h Host, task Task, orig *Mutex, top Task) error {
	for depth := 1; task != nil; depth++ {
		if depth > MaxLockDepth && orig == nil && effective(h, task) == h.Prio(task) {
			return nil // nothing left to take back (the walk that lent stopped here)
		}
		if depth > MaxLockDepth {
			msg := fmt.Sprintf("Maximum lock depth %d reached task: %s", MaxLockDepth, top)
			if top == nil {
				msg = fmt.Sprintf("Maximum lock depth %d reached adjusting %s", MaxLockDepth, task)
			}
			h.Report(msg)
			return fmt.Errorf("%s: %w", msg, ErrDeadlock)
		}
		h.Burn(CostPIStep)
		changed := reprio(h, task)
		w := task.LockState().Blocked
		if w == nil || w.mutex == nil || w.mutex.PI != PIChain {
			return nil
		}
		if !changed && orig == nil {
			return nil
		}
		l := w.mutex
		if orig != nil && (l == orig || l.owner == top) {
			return fmt.Errorf("circular locking deadlock: %s blocks on %s held by %s; %s: %w",
				top, orig.Name, orig.owner, describeChain(orig.owner, l), ErrDeadlock)
		}
		before := l.top()
		if p := h.Prio(task); p != w.Prio {
			l.dequeue(w)
			w.Prio = p
			l.enqueue(w)
		}
		if orig == nil && before == l.top() && w != before {
			return nil // the owner's donation did not change
		}
		task = l.owner
	}
	return nil
}

// describeChain names the chain of owners from task, each waiting for
// the next lock, up to and including last.
func describeChain(task Task, last *Mutex) string {
	var parts []string
	for n := 0; task != nil && n < MaxLockDepth; n++ {
		w := task.LockState().Blocked
		if w == nil || w.mutex == nil {
			break
		}
		parts = append(parts, fmt.Sprintf("%s waits for %s", task, w.mutex.Name))
		if w.mutex == last {
			break
		}
		task = w.mutex.owner
	}
	return strings.Join(parts, ", ")
}

// Unlock releases the mutex held by t: the first waiter becomes the
// owner and is woken, t's priority drops to the highest it still
// inherits. It returns an error, changing nothing, if t does not hold it.
func (m *Mutex) Unlock(h Host, t Task) error {
	if m.owner == nil {
		return fmt.Errorf("unlock of %s, which is not locked", m.Name)
	}
	if m.owner != t {
		return fmt.Errorf("unlock of %s by %s, but %s holds it", m.Name, t, m.owner)
	}
	release(t, m)
	m.owner = nil
	var w *Waiter
	if len(m.waiters) > 0 {
		w = m.waiters[0]
		m.waiters = m.waiters[1:]
		w.Task.LockState().Blocked = nil
		m.take(w.Task)
		w.Granted = true
	}
	if m.PI != PINone {
		reprio(h, t)
		if w != nil {
			reprio(h, w.Task)
		}
	}
	if w != nil {
		h.Wake(w)
	}
	return nil
}

// Adjust is rt_mutex_adjust_pi: task t's normal priority changed; its
// effective priority follows, and so does the chain it is blocked in.
func Adjust(h Host, t Task) {
	adjustPrioChain(h, t, nil, nil)
}
