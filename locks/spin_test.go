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

// TestRWSpinLockReaders checks a spinning rwlock_t: readers share it, a
// nested read is allowed, a writer waits for every reader to leave,
// readers arriving while a writer waits still get in (2.6's rwlock_t
// favours readers), readers queued behind a writer holding it all get in
// when it leaves, and a waiting writer then waits for them.
func TestRWSpinLockReaders(t *testing.T) {
	h := &host{}
	l := &SpinLock{Name: "rw"}
	r1, r2, r3, w1, w2 := newTask("r1", 120), newTask("r2", 120), newTask("r3", 120), newTask("w1", 120), newTask("w2", 120)
	if !l.ReadLock(h, r1, 0, false) || !l.ReadLock(h, r2, 1, false) || !l.ReadLock(h, r1, 0, false) {
		t.Fatal("readers (one nested) did not share a free lock")
	}
	if l.TryLock(w1, 2) || l.Lock(h, w1, 2, false) {
		t.Fatal("a writer took a lock readers hold")
	}
	if !l.ReadLock(h, r3, 3, false) {
		t.Fatal("a reader was held back by a waiting writer")
	}
	for _, r := range []*ptask{r1, r2, r3} {
		if err := l.ReadUnlock(h, r); err != nil {
			t.Fatal(err)
		}
	}
	if len(h.granted) != 0 {
		t.Fatalf("granted %v while r1 still reads (it nested)", h.granted)
	}
	if err := l.ReadUnlock(h, r1); err != nil {
		t.Fatal(err)
	}
	if o, _ := l.Owner(); o != Task(w1) || strings.Join(h.granted, ",") != "w1" {
		t.Fatalf("after the last reader: owner %v, granted %v; want w1", o, h.granted)
	}
	// Readers and a writer queue behind the writer holding it.
	l.ReadLock(h, r1, 0, false)
	l.Lock(h, w2, 3, false)
	l.ReadLock(h, r2, 1, false)
	if err := l.ReadUnlock(h, r1); err == nil {
		t.Error("a read unlock by a task not reading succeeded")
	}
	if err := l.Unlock(h, w1); err != nil {
		t.Fatal(err)
	}
	if !l.Reading(r1) || !l.Reading(r2) || l.Waiters() != 1 {
		t.Fatalf("after the writer: r1 reading %v, r2 reading %v, %d waiting; want both readers in, w2 waiting", l.Reading(r1), l.Reading(r2), l.Waiters())
	}
	if err := l.Unlock(h, r1); err == nil {
		t.Error("a write unlock of a lock held for reading succeeded")
	}
	l.ReadUnlock(h, r1)
	l.ReadUnlock(h, r2)
	if o, _ := l.Owner(); o != Task(w2) {
		t.Errorf("owner %v after the readers, want w2", o)
	}
	if l.Acquired != 8 || l.Contended != 4 {
		t.Errorf("census: %d acquired, %d contended; want 8, 4", l.Acquired, l.Contended)
	}
}
