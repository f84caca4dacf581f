package locks

import (
	"fmt"
	"testing"
)

// benchHost is a host that does nothing but count the emulated cycles the
// lock layer charges (with the kernel's default figures for a PI step and
// a boost, kernel/costs.go: 200 and 250).
type benchHost struct{ cycles uint64 }

func (h *benchHost) Spin(w *Waiter)  {}
func (h *benchHost) Grant(w *Waiter) {}
func (h *benchHost) Block(w *Waiter) {}
func (h *benchHost) Wake(w *Waiter)  {}
func (h *benchHost) Boost(t Task, p int) {
	t.(*ptask).prio = p
}
func (h *benchHost) Prio(t Task) int       { return t.(*ptask).prio }
func (h *benchHost) NormalPrio(t Task) int { return t.(*ptask).normal }
func (h *benchHost) Burn(c Cost) {
	if c == CostPIStep {
		h.cycles += 200
	} else {
		h.cycles += 250
	}
}
func (h *benchHost) Report(string) {}

// BenchmarkUncontended measures each primitive's fast path: lock and
// unlock with nobody waiting (host ns per pair; no PI cycles are charged).
func BenchmarkUncontended(b *testing.B) {
	h := &benchHost{}
	t := newTask("t", 120)
	b.Run("spinlock", func(b *testing.B) {
		l := &SpinLock{Name: "l"}
		for range b.N {
			l.Lock(h, t, 0, true)
			l.Unlock(h, t)
		}
	})
	for _, pi := range []PI{PINone, PISimple, PIChain} {
		b.Run(fmt.Sprintf("mutex-pi%d", pi), func(b *testing.B) {
			m := &Mutex{Name: "m", PI: pi, Prio: pi != PINone}
			for range b.N {
				m.Lock(h, t, 0)
				m.Unlock(h, t)
			}
		})
	}
	b.Run("rwsem-read", func(b *testing.B) {
		s := &RWSem{Name: "s"}
		for range b.N {
			s.Lock(h, t, 0, false)
			s.Unlock(h, t, false)
		}
	})
	b.Run("semaphore", func(b *testing.B) {
		s := &Semaphore{Name: "s", Count: 1}
		for range b.N {
			s.Down(h, t, 0)
			s.Up(h)
		}
	})
}

// BenchmarkPIChain measures a contended rt_mutex at the end of a chain of
// n owners, each blocked on the next: the new waiter's block walks and
// boosts the whole chain, its withdrawal (an unlock-free requeue, as a
// signal would make) unboosts it. It reports host ns and emulated cycles
// charged per block.
func BenchmarkPIChain(b *testing.B) {
	for _, n := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("depth=%d", n), func(b *testing.B) {
			h := &benchHost{}
			var ts []*ptask
			var ls []*Mutex
			for i := range n {
				ts = append(ts, newTask(fmt.Sprintf("T%d", i), 120))
				ls = append(ls, &Mutex{Name: fmt.Sprintf("L%d", i), PI: PIChain, Prio: true})
				ls[i].Lock(h, ts[i], 0)
				if i > 0 {
					ls[i-1].Lock(h, ts[i], 0)
				}
			}
			top := ls[n-1]
			h.cycles = 0
			b.ResetTimer()
			for range b.N {
				x := newTask("X", 1)
				top.Lock(h, x, 0)
				top.dequeue(x.st.Blocked)
				x.st.Blocked = nil
				Adjust(h, top.owner)
			}
			b.ReportMetric(float64(h.cycles)/float64(b.N), "emu-cycles/op")
		})
	}
}
