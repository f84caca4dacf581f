package locks

// This file implements the rw-semaphore (struct rw_semaphore, and
// mmLinux's conversion of every spinlock to one taken with down_write)
// with mmLinux's priority borrowing.

import "fmt"

// RWSem is a reader-writer semaphore. Fairness is Linux 2.6's
// (lib/rwsem-spinlock.c): waiters queue in arrival order, and a reader
// arriving while anyone waits queues too, so readers never overtake a
// waiting writer (writers are not starved: "writer-preferring" in that
// sense). A release hands the semaphore on from the head of the queue:
// one writer, or every reader up to the first waiting writer
// (__rwsem_do_wake).
//
// With Borrow set (mmLinux's planned late inheritance, pi=borrow), a
// writer blocked on the semaphore lends its priority to the holders
// ahead of it at the block point; a holder that releases gives up what
// it borrowed, and the holders that remain keep the writer's priority
// (the demotion applies it to the remaining readers). There is no chain.
type RWSem struct {
	Name   string
	Borrow bool

	writer  Task   // the writer holding it, or nil
	readers []Task // the readers holding it, in the order they took it
	waiters []*Waiter

	// Acquired and Contended count acquisitions, and those that had to
	// wait (for the lock census).
	Acquired, Contended uint64
}

func (s *RWSem) name() string { return s.Name }

// Writer returns the writer holding the semaphore, or nil; Readers the
// readers holding it.
func (s *RWSem) Writer() Task { return s.writer }

// Readers returns the readers holding the semaphore.
func (s *RWSem) Readers() []Task { return append([]Task(nil), s.readers...) }

// Waiting returns how many tasks wait.
func (s *RWSem) Waiting() int { return len(s.waiters) }

// donation is the most urgent waiting writer's priority, when borrowing.
func (s *RWSem) donation(t Task) int {
	p := maxPrio
	if s.Borrow {
		for _, w := range s.waiters {
			if w.Write {
				p = min(p, w.Prio)
			}
		}
	}
	return p
}

// Holds reports whether t holds the semaphore (as reader or writer).
func (s *RWSem) Holds(t Task) bool {
	if s.writer == t {
		return true
	}
	for _, r := range s.readers {
		if r == t {
			return true
		}
	}
	return false
}

func (s *RWSem) grant(t Task, write bool) {
	if write {
		s.writer = t
	} else {
		s.readers = append(s.readers, t)
	}
	s.Acquired++
	hold(t, s)
}

// TryLock takes the semaphore for t if it can without waiting: for
// writing if nobody holds it, for reading if no writer holds it and
// nobody waits.
func (s *RWSem) TryLock(t Task, write bool) bool {
	if s.writer != nil || len(s.waiters) > 0 || (write && len(s.readers) > 0) {
		return false
	}
	s.grant(t, write)
	return true
}

// Lock takes the semaphore for t, for writing (down_write) or reading
// (down_read), or blocks it; it returns true if t holds it now,
// otherwise h.Block was called and h.Wake will be when it is t's. Taking
// it again while holding it is an error (it would deadlock).
func (s *RWSem) Lock(h Host, t Task, cpu int, write bool) (bool, error) {
	if s.Holds(t) {
		return false, fmt.Errorf("recursive lock of %s by %s, which holds it: %w", s.Name, t, ErrDeadlock)
	}
	if s.TryLock(t, write) {
		return true, nil
	}
	w := &Waiter{Task: t, CPU: cpu, LockName: s.Name, Prio: h.Prio(t), Write: write, rw: s}
	s.waiters = append(s.waiters, w)
	t.LockState().Blocked = w
	s.Contended++
	if write && s.Borrow {
		s.lend(h)
	}
	h.Block(w)
	return false, nil
}

// lend recomputes the priority of every holder.
func (s *RWSem) lend(h Host) {
	if s.writer != nil {
		reprio(h, s.writer)
	}
	for _, r := range s.readers {
		reprio(h, r)
	}
}

// Unlock releases t's hold (up_read or up_write, as it holds it) and
// hands the semaphore on when it is free. It returns an error, changing
// nothing, if t does not hold it in that way.
func (s *RWSem) Unlock(h Host, t Task, write bool) error {
	switch {
	case write && s.writer != t && s.writer != nil:
		return fmt.Errorf("up_write of %s by %s, but %s holds it", s.Name, t, s.writer)
	case write && s.writer == nil:
		return fmt.Errorf("up_write of %s, which no writer holds", s.Name)
	case !write && !s.Holds(t):
		return fmt.Errorf("up_read of %s by %s, which does not hold it", s.Name, t)
	case !write && s.writer == t:
		return fmt.Errorf("up_read of %s by %s, which holds it for writing", s.Name, t)
	}
	if write {
		s.writer = nil
	} else {
		for i, r := range s.readers {
			if r == t {
				s.readers = append(s.readers[:i], s.readers[i+1:]...)
				break
			}
		}
	}
	release(t, s)
	if s.Borrow {
		reprio(h, t)
	}
	s.wake(h)
	return nil
}

// Downgrade turns t's write hold into a read hold and lets the readers
// at the head of the queue in (downgrade_write).
func (s *RWSem) Downgrade(h Host, t Task) error {
	if s.writer != t {
		return fmt.Errorf("downgrade_write of %s by %s, which does not hold it for writing", s.Name, t)
	}
	s.writer = nil
	s.readers = append(s.readers, t)
	s.wake(h)
	return nil
}

// wake hands the semaphore to the head of the queue: a writer if it is
// free, or the readers up to the first writer if no writer holds it.
func (s *RWSem) wake(h Host) {
	var woken []*Waiter
	for len(s.waiters) > 0 && s.writer == nil {
		w := s.waiters[0]
		if w.Write && len(s.readers) > 0 {
			break
		}
		s.waiters = s.waiters[1:]
		w.Task.LockState().Blocked = nil
		s.grant(w.Task, w.Write)
		w.Granted = true
		woken = append(woken, w)
		if w.Write {
			break
		}
	}
	if s.Borrow {
		s.lend(h)
	}
	for _, w := range woken {
		h.Wake(w)
	}
}
