package locks

import (
	"strings"
	"testing"
)

// TestRWSemFairness checks 2.6's order: readers share; a writer waits for
// them; a reader arriving behind a waiting writer queues too; the
// release lets the writer in, then the readers queued behind it together.
func TestRWSemFairness(t *testing.T) {
	h := &host{}
	s := &RWSem{Name: "mmap_sem"}
	r1, r2, w, r3, r4 := newTask("r1", 120), newTask("r2", 120), newTask("w", 120), newTask("r3", 120), newTask("r4", 120)
	for _, r := range []*ptask{r1, r2} {
		if ok, _ := s.Lock(h, r, 0, false); !ok {
			t.Fatalf("%s could not share", r)
		}
	}
	if ok, _ := s.Lock(h, w, 0, true); ok {
		t.Fatal("a writer took a semaphore readers hold")
	}
	for _, r := range []*ptask{r3, r4} {
		if ok, _ := s.Lock(h, r, 0, false); ok {
			t.Fatalf("%s overtook the waiting writer", r)
		}
	}
	s.Unlock(h, r1, false)
	if len(h.woken) != 0 {
		t.Fatalf("woken with a reader still in: %v", h.woken)
	}
	s.Unlock(h, r2, false)
	if s.Writer() != Task(w) || join(h.woken) != "w" {
		t.Fatalf("writer %v, woken %v", s.Writer(), h.woken)
	}
	if err := s.Unlock(h, w, true); err != nil {
		t.Fatal(err)
	}
	if join(h.woken) != "w r3 r4" || len(s.Readers()) != 2 {
		t.Errorf("woken %v, readers %v", h.woken, s.Readers())
	}
}

// TestRWSemBorrow checks mmLinux's priority borrowing: a writer blocked
// behind two readers lends them its priority; the first reader to leave
// gives it up, the remaining one keeps it until it leaves; without
// borrowing nothing changes.
func TestRWSemBorrow(t *testing.T) {
	for _, borrow := range []bool{false, true} {
		h := &host{}
		s := &RWSem{Name: "l", Borrow: borrow}
		r1, r2, w := newTask("r1", 120), newTask("r2", 110), newTask("w", 9)
		s.Lock(h, r1, 0, false)
		s.Lock(h, r2, 0, false)
		s.Lock(h, w, 0, true)
		s.Unlock(h, r1, false)
		s.Unlock(h, r2, false)
		want := ""
		if borrow {
			want = "r1=9 r2=9 r1=120 r2=110"
		}
		if got := join(h.boosts); got != want {
			t.Errorf("borrow %v: boosts %q, want %q", borrow, got, want)
		}
	}
}

// TestRWSemErrors checks the misuse reports and recursion.
func TestRWSemErrors(t *testing.T) {
	h := &host{}
	s := &RWSem{Name: "l"}
	a, b := newTask("a", 120), newTask("b", 120)
	if err := s.Unlock(h, a, true); err == nil || !strings.Contains(err.Error(), "no writer") {
		t.Errorf("up_write of a free semaphore: %v", err)
	}
	s.Lock(h, a, 0, true)
	if err := s.Unlock(h, b, true); err == nil || !strings.Contains(err.Error(), "but a holds it") {
		t.Errorf("up_write by a non-owner: %v", err)
	}
	if _, err := s.Lock(h, a, 0, false); err == nil || !strings.Contains(err.Error(), "recursive") {
		t.Errorf("recursion: %v", err)
	}
	if err := s.Downgrade(h, a); err != nil || len(s.Readers()) != 1 || s.Writer() != nil {
		t.Errorf("downgrade: %v", err)
	}
}

// TestSemaphore checks counting and FIFO hand-off.
func TestSemaphore(t *testing.T) {
	h := &host{}
	s := &Semaphore{Name: "sem", Count: 2}
	a, b, c, d := newTask("a", 120), newTask("b", 9), newTask("c", 120), newTask("d", 1)
	if !s.Down(h, a, 0) || !s.Down(h, b, 0) || s.Down(h, c, 0) || s.Down(h, d, 0) {
		t.Fatal("two units: want two downs to pass and two to wait")
	}
	s.Up(h)
	s.Up(h)
	s.Up(h)
	if join(h.woken) != "c d" || s.Count != 1 || len(h.boosts) != 0 {
		t.Errorf("woken %v (want c then d, FIFO, no PI), count %d", h.woken, s.Count)
	}
}
