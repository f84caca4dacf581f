package cpu

import "testing"

// TestCodeWrittenByAnotherCPU checks that processors sharing RAM share
// translated code: a write by one into code another has run is seen by
// the other the next time it runs it.
func TestCodeWrittenByAnotherCPU(t *testing.T) {
	const target = testCodeBase + 0x100
	c0, _ := newTestCPU(t, asm(t, `
		movb $2, 0x10101   # patch the immediate of "mov $1, %eax" at target
		hlt`))
	c1 := New(1, c0.RAM(), c0.bus)
	c1.ShareCodeCache(c0)
	c1.GDTR = c0.GDTR
	copy(c0.RAM()[target:], []byte{0xB8, 1, 0, 0, 0, 0xF4}) // mov $1, %eax; hlt
	run1 := func() uint32 {
		c1.SetProtectedFlat(target)
		c1.R[ESP] = testStackTop - 0x1000
		if r := runToHalt(t, c1, 100); r != StopHalt {
			t.Fatalf("cpu1 stopped with %v", r)
		}
		return c1.R[EAX]
	}
	if v := run1(); v != 1 {
		t.Fatalf("before the patch cpu1 computed %d, want 1", v)
	}
	if r := runToHalt(t, c0, 100); r != StopHalt {
		t.Fatalf("cpu0 stopped with %v", r)
	}
	if v := run1(); v != 2 {
		t.Errorf("after cpu0 patched the code cpu1 computed %d, want 2 (stale translation)", v)
	}
}
