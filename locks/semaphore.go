package locks

// This file implements the counting semaphore (struct semaphore).

import "fmt"

// Semaphore is a counting semaphore: down takes a unit or waits, up
// gives one back or hands it to the first waiter (FIFO, as 2.6's
// semaphores wake). It has no owner and no inheritance.
type Semaphore struct {
	Name  string
	Count int

	waiters []*Waiter

	// Acquired and Contended count downs, and those that had to wait
	// (for the lock census).
	Acquired, Contended uint64
}

// Waiting returns how many tasks wait.
func (s *Semaphore) Waiting() int { return len(s.waiters) }

// TryDown takes a unit if there is one.
func (s *Semaphore) TryDown() bool {
	if s.Count <= 0 {
		return false
	}
	s.Count--
	s.Acquired++
	return true
}

// Down takes a unit for t or blocks it: it returns true if t has it now;
// otherwise h.Block was called and h.Wake will be when up hands t one.
func (s *Semaphore) Down(h Host, t Task, cpu int) bool {
	if s.TryDown() {
		return true
	}
	w := &Waiter{Task: t, CPU: cpu, LockName: s.Name, Prio: h.Prio(t)}
	s.waiters = append(s.waiters, w)
	t.LockState().Blocked = w
	s.Contended++
	h.Block(w)
	return false
}

// maxCount bounds a semaphore's count (an up past it is an error).
const maxCount = 1 << 30

// Up gives a unit back: to the first waiter, woken, if any.
func (s *Semaphore) Up(h Host) error {
	if len(s.waiters) == 0 {
		if s.Count >= maxCount {
			return fmt.Errorf("up of %s past its maximum count %d", s.Name, maxCount)
		}
		s.Count++
		return nil
	}
	w := s.waiters[0]
	s.waiters = s.waiters[1:]
	w.Task.LockState().Blocked = nil
	s.Acquired++
	w.Granted = true
	h.Wake(w)
	return nil
}
