package locks

import (
	"errors"
	"fmt"
	"math/rand"
	"testing"
)

// propHost is the host of the property runs: it tracks which tasks are
// blocked and counts the hand-offs.
type propHost struct {
	host
	blocked map[*ptask]*Waiter
	woken   int
	bad     []string
}

func (h *propHost) Block(w *Waiter) { h.blocked[w.Task.(*ptask)] = w }
func (h *propHost) Wake(w *Waiter) {
	t := w.Task.(*ptask)
	if h.blocked[t] != w || !w.Granted {
		h.bad = append(h.bad, fmt.Sprintf("wake of %s, blocked %v, granted %v", t, h.blocked[t] != nil, w.Granted))
	}
	delete(h.blocked, t)
	h.woken++
}

// propWorld is one random workload: tasks, mutexes of one PI mode, an
// rw-semaphore and a semaphore.
type propWorld struct {
	h     *propHost
	tasks []*ptask
	ms    []*Mutex
	rw    *RWSem
	sem   *Semaphore
	pi    PI
	// acquired counts the acquisitions the run saw (at once or handed
	// over), for the census.
	acquired, contended uint64
	semHeld             map[*ptask]int
}

// check verifies the invariants after every step: mutual exclusion; no
// task waits on a free lock; a blocked task is queued exactly where its
// state says; wait lists in priority order where ordered; under PIChain
// every task's priority is the most urgent of its own and its waiters'.
func (w *propWorld) check(step int) error {
	queued := map[*ptask]int{}
	for _, m := range w.ms {
		if len(m.waiters) > 0 && m.owner == nil {
			return fmt.Errorf("step %d: %s has waiters and no owner", step, m.Name)
		}
		for i, x := range m.waiters {
			queued[x.Task.(*ptask)]++
			if x.Task.LockState().Blocked != x {
				return fmt.Errorf("step %d: %s queued on %s but blocked on %v", step, x.Task, m.Name, x.Task.LockState().Blocked)
			}
			if m.Prio && i > 0 && m.waiters[i-1].Prio > x.Prio {
				return fmt.Errorf("step %d: %s's wait list out of priority order", step, m.Name)
			}
			if m.PI == PIChain && x.Prio != x.Task.(*ptask).prio {
				return fmt.Errorf("step %d: %s waits on %s at %d but runs at %d", step, x.Task, m.Name, x.Prio, x.Task.(*ptask).prio)
			}
		}
	}
	if len(w.rw.waiters) > 0 && w.rw.writer == nil && len(w.rw.readers) == 0 {
		return fmt.Errorf("step %d: the rwsem has waiters and no holder", step)
	}
	if w.rw.writer != nil && len(w.rw.readers) > 0 {
		return fmt.Errorf("step %d: the rwsem has a writer and readers", step)
	}
	for _, x := range w.rw.waiters {
		queued[x.Task.(*ptask)]++
	}
	if len(w.sem.waiters) > 0 && w.sem.Count > 0 {
		return fmt.Errorf("step %d: the semaphore has waiters and %d units", step, w.sem.Count)
	}
	for _, x := range w.sem.waiters {
		queued[x.Task.(*ptask)]++
	}
	for _, t := range w.tasks {
		if b := t.st.Blocked != nil; b != (queued[t] == 1) || queued[t] > 1 || b != (w.h.blocked[t] != nil) {
			return fmt.Errorf("step %d: %s blocked %v, queued %d times, host blocked %v", step, t, b, queued[t], w.h.blocked[t] != nil)
		}
		if w.pi == PIChain {
			want := t.normal
			for _, d := range t.st.held {
				if m, ok := d.(*Mutex); ok {
					for _, x := range m.waiters {
						want = min(want, x.Task.(*ptask).prio)
					}
				}
			}
			if t.prio != want {
				return fmt.Errorf("step %d: %s at %d, but its own and its waiters' priorities give %d", step, t, t.prio, want)
			}
		}
	}
	if len(w.h.bad) > 0 {
		return fmt.Errorf("step %d: %v", step, w.h.bad)
	}
	return nil
}

// holds reports whether t holds mutex i.
func holds(t *ptask, m *Mutex) bool { return m.owner == Task(t) }

// step makes one random operation of a random runnable task.
func (w *propWorld) step(r *rand.Rand) error {
	var run []*ptask
	for _, t := range w.tasks {
		if t.st.Blocked == nil {
			run = append(run, t)
		}
	}
	if len(run) == 0 {
		return nil
	}
	t := run[r.Intn(len(run))]
	switch op := r.Intn(10); {
	case op < 4: // lock a mutex: in index order unless the chain detects cycles
		i := r.Intn(len(w.ms))
		m := w.ms[i]
		if holds(t, m) {
			return nil
		}
		if w.pi != PIChain {
			for j := i; j < len(w.ms); j++ {
				if holds(t, w.ms[j]) {
					return nil
				}
			}
		}
		ok, err := m.Lock(w.h, t, 0)
		switch {
		case errors.Is(err, ErrDeadlock):
			if t.st.Blocked != nil {
				return fmt.Errorf("%s still blocked after -EDEADLK", t)
			}
		case err != nil:
			return err
		case ok:
			w.acquired++
		default:
			w.contended++
		}
	case op < 7: // unlock a held mutex
		for _, m := range w.ms {
			if holds(t, m) {
				before := w.h.woken
				if err := m.Unlock(w.h, t); err != nil {
					return err
				}
				w.acquired += uint64(w.h.woken - before)
				return nil
			}
		}
	case op == 7: // the rw-semaphore
		if w.rw.Holds(t) {
			return w.rw.Unlock(w.h, t, w.rw.writer == Task(t))
		}
		if len(t.st.held) > 0 {
			return nil // taken only with nothing else held: no cycles
		}
		w.rw.Lock(w.h, t, 0, r.Intn(2) == 0)
	case op == 8: // the semaphore
		if w.semHeld[t] > 0 {
			w.semHeld[t]--
			return w.sem.Up(w.h)
		}
		if len(t.st.held) > 0 {
			return nil
		}
		w.semHeld[t]++
		w.sem.Down(w.h, t, 0)
	default: // a priority change (sched_setscheduler)
		t.normal = []int{5, 40, 49, 90, 120, 139}[r.Intn(6)]
		Adjust(w.h, t)
		if w.pi != PIChain && t.prio != t.normal && len(t.st.held) == 0 {
			w.h.Boost(t, t.normal)
		}
	}
	return nil
}

// drain releases everything the runnable tasks hold until nobody waits:
// no wake-up may be lost.
func (w *propWorld) drain() error {
	for range 10000 {
		progress := false
		for _, t := range w.tasks {
			if t.st.Blocked != nil {
				continue
			}
			for _, m := range w.ms {
				if holds(t, m) {
					before := w.h.woken
					m.Unlock(w.h, t)
					w.acquired += uint64(w.h.woken - before)
					progress = true
				}
			}
			if w.rw.Holds(t) {
				w.rw.Unlock(w.h, t, w.rw.writer == Task(t))
				progress = true
			}
			for w.semHeld[t] > 0 {
				w.semHeld[t]--
				w.sem.Up(w.h)
				progress = true
			}
		}
		if !progress {
			break
		}
	}
	for _, t := range w.tasks {
		if t.st.Blocked != nil {
			return fmt.Errorf("%s still waits on %s with every lock released (a lost wake-up)", t, t.st.Blocked.LockName)
		}
		if t.prio != t.normal {
			return fmt.Errorf("%s at %d holding nothing, normal %d", t, t.prio, t.normal)
		}
	}
	return nil
}

// TestLockProperties runs seeded random lock workloads under each PI
// mode: 6 tasks, 4 mutexes, an rw-semaphore and a semaphore, 3000 steps,
// the invariants checked after each; then every lock is released and no
// task may be left waiting; the census must add up.
func TestLockProperties(t *testing.T) {
	for _, pi := range []PI{PINone, PISimple, PIChain} {
		for seed := int64(1); seed <= 20; seed++ {
			r := rand.New(rand.NewSource(seed))
			w := &propWorld{h: &propHost{blocked: map[*ptask]*Waiter{}}, pi: pi, semHeld: map[*ptask]int{},
				rw: &RWSem{Name: "rw", Borrow: pi == PISimple}, sem: &Semaphore{Name: "sem", Count: 2}}
			for i := range 6 {
				w.tasks = append(w.tasks, newTask(fmt.Sprintf("t%d", i), []int{5, 40, 49, 90, 120, 139}[r.Intn(6)]))
			}
			for i := range 4 {
				w.ms = append(w.ms, &Mutex{Name: fmt.Sprintf("m%d", i), PI: pi, Prio: pi != PINone})
			}
			for s := range 3000 {
				if err := w.step(r); err != nil {
					t.Fatalf("pi %d seed %d step %d: %v", pi, seed, s, err)
				}
				if err := w.check(s); err != nil {
					t.Fatalf("pi %d seed %d: %v", pi, seed, err)
				}
			}
			if err := w.drain(); err != nil {
				t.Fatalf("pi %d seed %d: %v", pi, seed, err)
			}
			var acq, cont uint64
			for _, m := range w.ms {
				acq += m.Acquired
				cont += m.Contended
			}
			if acq != w.acquired || cont != w.contended {
				t.Errorf("pi %d seed %d: census %d acquired %d contended, the run saw %d and %d", pi, seed, acq, cont, w.acquired, w.contended)
			}
		}
	}
}
