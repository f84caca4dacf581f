package locks

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// lockOrBlock takes m for t, failing the test on an error.
func lockOrBlock(t *testing.T, h *host, m *Mutex, tk *ptask) bool {
	t.Helper()
	ok, err := m.Lock(h, tk, 0)
	if err != nil {
		t.Fatalf("%s locking %s: %v", tk, m.Name, err)
	}
	return ok
}

// unlock releases m held by tk, failing the test on an error.
func unlock(t *testing.T, h *host, m *Mutex, tk *ptask) {
	t.Helper()
	if err := m.Unlock(h, tk); err != nil {
		t.Fatal(err)
	}
}

// TestMutexWakeOrder checks the two wait orders: by priority, FIFO among
// equals (rt_mutex, PMutex), and plain FIFO (the kernel semaphore).
func TestMutexWakeOrder(t *testing.T) {
	for _, c := range []struct {
		prio bool
		want string
	}{{true, "c d b e"}, {false, "b c d e"}} {
		h := &host{}
		m := &Mutex{Name: "m", Prio: c.prio}
		a := newTask("a", 120)
		ws := []*ptask{newTask("b", 120), newTask("c", 50), newTask("d", 50), newTask("e", 120)}
		lockOrBlock(t, h, m, a)
		for _, w := range ws {
			if lockOrBlock(t, h, m, w) {
				t.Fatalf("%s took a held mutex", w)
			}
		}
		owner := Task(a)
		for range ws {
			prev := owner
			unlock(t, h, m, prev.(*ptask))
			owner = m.Owner()
			if owner == prev || owner.LockState().Blocked != nil {
				t.Fatalf("after %s's unlock the owner is %v, still blocked %v", prev, owner, owner.LockState().Blocked)
			}
		}
		if got := join(h.woken); got != c.want {
			t.Errorf("prio order %v: woken %q, want %q", c.prio, got, c.want)
		}
		if len(h.boosts) != 0 {
			t.Errorf("PINone boosted: %v", h.boosts)
		}
		if m.Acquired != 5 || m.Contended != 4 {
			t.Errorf("census %d/%d, want 5/4", m.Acquired, m.Contended)
		}
	}
}

// TestMutexPIChainLength1 checks the PI arithmetic on a chain of one: the
// owner takes its top waiter's priority, the next most urgent waiter's
// when that one leaves, and its own on release; the new owner inherits
// from the waiters that remain.
func TestMutexPIChainLength1(t *testing.T) {
	for _, pi := range []PI{PISimple, PIChain} {
		h := &host{}
		m := &Mutex{Name: "m", PI: pi, Prio: true}
		low, mid, high := newTask("low", 120), newTask("mid", 49), newTask("high", 9)
		lockOrBlock(t, h, m, low)
		lockOrBlock(t, h, m, mid)
		if low.prio != 49 {
			t.Fatalf("pi %d: owner at %d after a prio 49 waiter, want 49", pi, low.prio)
		}
		lockOrBlock(t, h, m, high)
		if low.prio != 9 {
			t.Fatalf("pi %d: owner at %d after a prio 9 waiter, want 9", pi, low.prio)
		}
		unlock(t, h, m, low)
		if low.prio != 120 || m.Owner() != Task(high) || high.prio != 9 {
			t.Fatalf("pi %d: after release low %d, owner %v at %d", pi, low.prio, m.Owner(), high.prio)
		}
		unlock(t, h, m, high)
		if m.Owner() != Task(mid) || mid.prio != 49 {
			t.Fatalf("pi %d: owner %v at %d", pi, m.Owner(), mid.prio)
		}
		if got := join(h.boosts); got != "low=49 low=9 low=120" {
			t.Errorf("pi %d: boosts %q", pi, got)
		}
	}
}

// TestMutexPIChainLength2 is the three-task, two-lock chain: A holds L1;
// B holds L2 and waits for L1; C (most urgent) waits for L2. PMutex
// boosts one level (A takes B's own priority, B takes C's); rt_mutex
// boosts through (A takes C's); the releases unboost in order.
func TestMutexPIChainLength2(t *testing.T) {
	for _, c := range []struct {
		pi     PI
		boosts string
		aPrio  int
	}{
		{PISimple, "A=60 B=9 A=120 B=60", 60},
		{PIChain, "A=60 B=9 A=9 A=120 B=60", 9},
	} {
		h := &host{}
		l1 := &Mutex{Name: "L1", PI: c.pi, Prio: true}
		l2 := &Mutex{Name: "L2", PI: c.pi, Prio: true}
		a, b, cc := newTask("A", 120), newTask("B", 60), newTask("C", 9)
		lockOrBlock(t, h, l1, a)
		lockOrBlock(t, h, l2, b)
		lockOrBlock(t, h, l1, b)
		lockOrBlock(t, h, l2, cc)
		if a.prio != c.aPrio || b.prio != 9 {
			t.Fatalf("pi %d: A at %d (want %d), B at %d (want 9)", c.pi, a.prio, c.aPrio, b.prio)
		}
		unlock(t, h, l1, a) // A back to its own; B owns L1 too
		if a.prio != 120 || l1.Owner() != Task(b) || b.prio != 9 {
			t.Fatalf("pi %d: after L1's release A %d, B %d", c.pi, a.prio, b.prio)
		}
		unlock(t, h, l2, b)
		if b.prio != 60 || l2.Owner() != Task(cc) {
			t.Fatalf("pi %d: after L2's release B %d, owner %v", c.pi, b.prio, l2.Owner())
		}
		unlock(t, h, l1, b)
		if got := join(h.boosts); got != c.boosts {
			t.Errorf("pi %d: boosts %q, want %q", c.pi, got, c.boosts)
		}
		if b.prio != 60 {
			t.Errorf("pi %d: B ends at %d", c.pi, b.prio)
		}
	}
}

// chain builds n owners T0..Tn-1, Ti holding Li and waiting for Li-1,
// all at prio 120.
func chain(t *testing.T, h *host, n int) ([]*ptask, []*Mutex) {
	var ts []*ptask
	var ls []*Mutex
	for i := range n {
		ts = append(ts, newTask(fmt.Sprintf("T%d", i), 120))
		ls = append(ls, &Mutex{Name: fmt.Sprintf("L%d", i), PI: PIChain, Prio: true})
		lockOrBlock(t, h, ls[i], ts[i])
		if i > 0 && lockOrBlock(t, h, ls[i-1], ts[i]) {
			t.Fatalf("T%d took L%d", i, i-1)
		}
	}
	return ts, ls
}

// TestMutexPIChainBound checks the walk's bound: a waiter at the end of a
// chain of 1024 owners boosts all of them in 1024 steps; one more owner
// stops the walk at max_lock_depth with a report and -EDEADLK, the
// waiter not queued and every boost taken back.
func TestMutexPIChainBound(t *testing.T) {
	h := &host{}
	ts, ls := chain(t, h, MaxLockDepth)
	x := newTask("X", 1)
	h.steps = 0
	lockOrBlock(t, h, ls[MaxLockDepth-1], x)
	if h.steps != MaxLockDepth || ts[0].prio != 1 || len(h.reports) != 0 {
		t.Fatalf("chain of %d: %d steps, T0 at %d, reports %v", MaxLockDepth, h.steps, ts[0].prio, h.reports)
	}

	h = &host{}
	ts, ls = chain(t, h, MaxLockDepth+1)
	h.steps = 0
	_, err := ls[MaxLockDepth].Lock(h, x2(), 0)
	if !errors.Is(err, ErrDeadlock) || len(h.reports) != 1 || !strings.Contains(h.reports[0], "Maximum lock depth 1024") {
		t.Fatalf("chain of %d: err %v, reports %v", MaxLockDepth+1, err, h.reports)
	}
	if h.steps < MaxLockDepth {
		t.Errorf("the walk stopped after %d steps", h.steps)
	}
	for _, tk := range ts {
		if tk.prio != 120 {
			t.Fatalf("%s left at %d after the failed walk", tk, tk.prio)
		}
	}
	if len(ls[MaxLockDepth].waiters) != 0 {
		t.Error("the failed waiter is still queued")
	}
}

func x2() *ptask { return newTask("X", 1) }

// TestMutexDeadlock checks cycle detection: A holds L1 and waits for L2,
// B holds L2 and asks for L1: -EDEADLK naming the chain, B not queued, A
// back to its own priority. Recursion is a deadlock too.
func TestMutexDeadlock(t *testing.T) {
	h := &host{}
	l1 := &Mutex{Name: "L1", PI: PIChain, Prio: true}
	l2 := &Mutex{Name: "L2", PI: PIChain, Prio: true}
	a, b := newTask("A", 120), newTask("B", 50)
	lockOrBlock(t, h, l1, a)
	lockOrBlock(t, h, l2, b)
	lockOrBlock(t, h, l2, a)
	_, err := l1.Lock(h, b, 0)
	if !errors.Is(err, ErrDeadlock) || !strings.Contains(err.Error(), "B blocks on L1 held by A; A waits for L2") {
		t.Fatalf("cycle: %v", err)
	}
	if a.prio != 120 || b.LockState().Blocked != nil || len(l1.waiters) != 0 {
		t.Errorf("after -EDEADLK: A at %d, B blocked on %v, L1 waiters %d", a.prio, b.LockState().Blocked, len(l1.waiters))
	}
	if _, err := l2.Lock(h, b, 0); !errors.Is(err, ErrDeadlock) || !strings.Contains(err.Error(), "recursive") {
		t.Errorf("recursion: %v", err)
	}
}

// TestMutexUnlockErrors checks unlock of a free mutex and by a non-owner.
func TestMutexUnlockErrors(t *testing.T) {
	h := &host{}
	m := &Mutex{Name: "m"}
	a, b := newTask("a", 120), newTask("b", 120)
	if err := m.Unlock(h, a); err == nil || !strings.Contains(err.Error(), "not locked") {
		t.Errorf("free: %v", err)
	}
	if !m.TryLock(a) || m.TryLock(b) {
		t.Fatal("trylock")
	}
	if err := m.Unlock(h, b); err == nil || !strings.Contains(err.Error(), "but a holds it") {
		t.Errorf("non-owner: %v", err)
	}
}

// TestMutexAdjust checks rt_mutex_adjust_pi: a waiter made more urgent
// while blocked moves up the wait list and boosts the owner.
func TestMutexAdjust(t *testing.T) {
	h := &host{}
	m := &Mutex{Name: "m", PI: PIChain, Prio: true}
	a, b, c := newTask("a", 120), newTask("b", 100), newTask("c", 90)
	lockOrBlock(t, h, m, a)
	lockOrBlock(t, h, m, b)
	lockOrBlock(t, h, m, c)
	b.normal = 5
	Adjust(h, b)
	if a.prio != 5 || m.Waiters()[0] != Task(b) {
		t.Errorf("after b's change: owner at %d, first waiter %v", a.prio, m.Waiters()[0])
	}
}
