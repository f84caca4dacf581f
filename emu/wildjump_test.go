package emu

import (
	"io"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestWildJumpBoundedMemory runs the guest of issue 9: a jump into the
// zeroes of a 64 MiB machine, which then executes ADD [EAX], AL (two zero
// bytes) all the way to the end of RAM. It must reach its clean fault
// report for the fetch beyond RAM, having executed every instruction, with
// the host's heap (beside the 64 MiB of guest RAM) bounded the whole way:
// the decode cache empties itself at its bound instead of growing with the
// code run through (before it did, this guest took some 70 bytes of host
// memory per guest byte, 4.6 GB for 64 MiB).
func TestWildJumpBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 33 M guest instructions")
	}
	const mem = 64 << 20
	const entry, target = 0x100000, 0x101000
	m, err := New(Config{MemMB: mem >> 20, CPUs: 1, Console: io.Discard, Log: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	copy(m.RAM()[entry:], []byte{0xE9, 0xFB, 0x0F, 0x00, 0x00}) // jmp target
	c := m.CPUs()[0]
	c.SetProtectedFlat(entry)
	c.R[4] = 0x90000 // ESP; EAX = 0, so the ADDs add 0 to the byte at 0

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	// The peak is sampled while the machine runs: what matters is the
	// most the cache ever held, not what it holds at the end.
	var peak uint64
	var mu sync.Mutex
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var s runtime.MemStats
		for {
			select {
			case <-done:
				return
			case <-time.After(50 * time.Millisecond):
			}
			runtime.ReadMemStats(&s)
			mu.Lock()
			peak = max(peak, s.HeapInuse)
			mu.Unlock()
		}
	}()
	start := time.Now()
	r := m.Run()
	elapsed := time.Since(start)
	close(done)
	wg.Wait()

	if r.Kind != ExitFault || !strings.Contains(r.Message, "runs outside RAM") {
		t.Fatalf("exit = %v: %s\nwant the fault report of the fetch beyond RAM", r.Kind, r.Message)
	}
	if want := uint64(mem-target)/2 + 1; c.Instructions != want {
		t.Errorf("%d instructions, want %d (the jump, then an ADD every 2 bytes)", c.Instructions, want)
	}
	const bound = 200 << 20 // the cache's own bound is some 50 MB
	if grown := int64(peak) - int64(before.HeapInuse); grown > bound {
		t.Errorf("the heap grew by %d MB while the guest ran through %d MiB of zeroes, want at most %d MB",
			grown>>20, (mem-target)>>20, bound>>20)
	}
	t.Logf("%d instructions in %v (%.1f MIPS), heap at most %d MB above its start",
		c.Instructions, elapsed.Round(time.Millisecond), float64(c.Instructions)/elapsed.Seconds()/1e6,
		(int64(peak)-int64(before.HeapInuse))>>20)
}
