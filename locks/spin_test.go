package locks

import (
	"strings"
	"testing"
)

// task returns the test task called name, made once per test.
var tasks = map[string]*ptask{}

func task(name string) *ptask {
	if t, ok := tasks[name]; ok {
		return t
	}
	t := newTask(name, 120)
	tasks[name] = t
	return t
}

// TestSpinLockFIFO checks ticket order: waiters get the lock in the order
// they came, each grant naming the new owner, and the lock-break flag is
// set while a waiter spins (with lock-break on) and cleared when none is
// left.
func TestSpinLockFIFO(t *testing.T) {
	h := &host{}
	l := &SpinLock{Name: "l"}
	if !l.Lock(h, task("a"), 0, true) {
		t.Fatal("a free lock was not taken")
	}
	if l.BreakLock {
		t.Error("break_lock set with nobody waiting")
	}
	for i, w := range []string{"b", "c", "d"} {
		if l.Lock(h, task(w), i+1, true) {
			t.Fatalf("%s took a held lock", w)
		}
	}
	if !l.BreakLock || l.Waiters() != 3 || strings.Join(h.spun, "") != "bcd" {
		t.Fatalf("after three contended locks: break_lock %v, %d waiters, spun %v", l.BreakLock, l.Waiters(), h.spun)
	}
	for _, owner := range []string{"a", "b", "c", "d"} {
		if o, _ := l.Owner(); o != Task(task(owner)) {
			t.Fatalf("owner %v, want %s", o, owner)
		}
		if err := l.Unlock(h, task(owner)); err != nil {
			t.Fatal(err)
		}
	}
	if strings.Join(h.granted, "") != "bcd" || l.BreakLock {
		t.Errorf("granted %v (want b, c, d in order), break_lock %v after the last", h.granted, l.BreakLock)
	}
	if o, _ := l.Owner(); o != nil {
		t.Errorf("owner %v after every unlock", o)
	}
	if l.Acquired != 4 || l.Contended != 3 {
		t.Errorf("census: %d acquired, %d contended; want 4, 3", l.Acquired, l.Contended)
	}
}

// TestSpinLockBreakOff checks that without lock-break a waiter does not
// ask the holder to drop the lock.
func TestSpinLockBreakOff(t *testing.T) {
	h := &host{}
	l := &SpinLock{Name: "l"}
	l.Lock(h, task("a"), 0, false)
	l.Lock(h, task("b"), 1, false)
	if l.BreakLock {
		t.Error("break_lock set with lock-break off")
	}
}

// TestSpinLockErrors checks the unlock errors and trylock.
func TestSpinLockErrors(t *testing.T) {
	h := &host{}
	l := &SpinLock{Name: "dcache_lock"}
	if err := l.Unlock(h, task("a")); err == nil || !strings.Contains(err.Error(), "not locked") {
		t.Errorf("unlock of a free lock: %v", err)
	}
	if !l.TryLock(task("a"), 0) || l.TryLock(task("b"), 1) {
		t.Error("trylock: want the first to take it and the second to fail")
	}
	if err := l.Unlock(h, task("b")); err == nil || !strings.Contains(err.Error(), "but a holds it") {
		t.Errorf("unlock by a non-owner: %v", err)
	}
	if o, _ := l.Owner(); o != Task(task("a")) {
		t.Errorf("a failed unlock changed the owner to %v", o)
	}
}
