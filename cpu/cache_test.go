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

// TestInvalidLock checks that LOCK on an instruction that cannot take it
// raises #UD, and that it is accepted on a memory read-modify-write.
func TestInvalidLock(t *testing.T) {
	for _, tc := range []struct {
		name string
		code []byte
		ud   bool
	}{
		{"lock add eax, ebx", []byte{0xF0, 0x01, 0xD8, 0xF4}, true},
		{"lock mov [eax], ebx", []byte{0xF0, 0x89, 0x18, 0xF4}, true},
		{"lock add [eax], ebx", []byte{0xF0, 0x01, 0x18, 0xF4}, false},
	} {
		c, _ := newTestCPU(t, tc.code)
		c.R[EAX] = 0x30000
		var got []uint8
		onException(c, func(c *CPU, e Entry) {
			got = append(got, e.Vector)
			c.Halt()
		})
		runToHalt(t, c, 100)
		if ud := len(got) == 1 && got[0] == excUD; ud != tc.ud {
			t.Errorf("%s: exceptions %v, want #UD %v", tc.name, got, tc.ud)
		}
	}
}

// TestResumeInsideBlock runs a block one cycle at a time: every Run stops
// inside it, and the next goes on there without translating new blocks.
func TestResumeInsideBlock(t *testing.T) {
	c, _ := newTestCPU(t, asm(t, `
		mov $1, %eax
		add $2, %eax
		add $3, %eax
		add $4, %eax
		add $5, %eax
		hlt`))
	for i := 0; i < 100 && !c.Halted(); i++ {
		c.Run(c.Cycles + 1)
	}
	if !c.Halted() || c.R[EAX] != 15 || c.Instructions != 6 {
		t.Fatalf("halted %v, EAX = %d, %d instructions; want halted, 15, 6", c.Halted(), c.R[EAX], c.Instructions)
	}
	p := c.cache.pages[testCodeBase>>pageShift]
	if len(p.blocks) != 1 {
		t.Errorf("%d blocks cached for one straight-line block stepped a cycle at a time, want 1", len(p.blocks))
	}
}
