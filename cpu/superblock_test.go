package cpu

import (
	"strings"
	"testing"
)

// TestWildJumpIntoZeroes runs a guest that jumps into 32 MiB of zeroes
// (ADD [EAX], AL, two bytes each, to the end of RAM): it must reach its
// clean fault report with the decode cache inside its bounds the whole way.
func TestWildJumpIntoZeroes(t *testing.T) {
	const ram = 32 << 20
	c := New(0, make([]byte, ram), &fakeBus{in: map[uint16]uint32{}, mmio: map[uint32]uint32{}, msr: map[uint32]uint64{}})
	c.SetProtectedFlat(0x1000)
	copy(c.ram[0x1000:], []byte{0xE9, 0xFB, 0xFF, 0x0F, 0x00}) // jmp 0x101000
	c.R[EAX] = 0x800                                           // the ADDs write below the code
	maxInsts := 0
	var r StopReason
	for r = StopLimit; r == StopLimit; {
		r = c.Run(c.Cycles + 1_000_000)
		maxInsts = max(maxInsts, c.cache.insts)
		if c.cache.npages > maxCachePages || c.cache.insts > maxCacheInsts {
			t.Fatalf("decode cache holds %d pages and %d entries, bounds %d and %d", c.cache.npages, c.cache.insts, maxCachePages, maxCacheInsts)
		}
	}
	if r != StopBusError || c.Fault == nil || !strings.Contains(c.Fault.Reason, "runs outside RAM") {
		t.Fatalf("stopped with %v, fault %v; want a bus error for the fetch beyond RAM", r, c.Fault)
	}
	if want := uint64(ram-0x101000)/2 + 1; c.Instructions != want {
		t.Errorf("%d instructions, want %d (one jump, then an ADD every 2 bytes)", c.Instructions, want)
	}
	if c.cache.flushes == 0 {
		t.Errorf("the cache was never emptied: %d entries at most", maxInsts)
	}
}

// TestSuperblockExits checks that a loop whose body continues across a
// direct jump and a call, and leaves by taken conditional branches, counts
// exactly the instructions and cycles it ran, whether its blocks run whole
// or one instruction at a time (a Run limit of one cycle).
func TestSuperblockExits(t *testing.T) {
	code := asm(t, `
		mov $100, %ecx
		xor %eax, %eax
	1:	add $3, %eax
		jmp 2f
		hlt
	2:	call 3f
		cmp $50, %ecx
		je 4f
		dec %ecx
		jne 1b
		hlt
	3:	inc %eax
		ret
	4:	add $1000, %eax
		dec %ecx
		jmp 1b`)
	whole, _ := newTestCPU(t, code)
	if r := runToHalt(t, whole, 1_000_000); r != StopHalt {
		t.Fatalf("stopped with %v", r)
	}
	stepped, _ := newTestCPU(t, code)
	for i := 0; i < 100_000 && !stepped.Halted(); i++ {
		stepped.Run(stepped.Cycles + 1)
	}
	if whole.R[EAX] != 100*4+1000 {
		t.Errorf("EAX = %d, want %d", whole.R[EAX], 100*4+1000)
	}
	if stepped.R[EAX] != whole.R[EAX] || stepped.Instructions != whole.Instructions || stepped.Cycles != whole.Cycles {
		t.Errorf("one cycle at a time: EAX %d, %d instructions, %d cycles; run whole: %d, %d, %d",
			stepped.R[EAX], stepped.Instructions, stepped.Cycles, whole.R[EAX], whole.Instructions, whole.Cycles)
	}
	if want := uint64(2 + 99*9 + 10 + 1); whole.Instructions != want {
		t.Errorf("%d instructions, want %d", whole.Instructions, want)
	}
}

// TestRunWithoutLimit runs with the largest limit (no limit: how the
// in-process kernel runs with MaxCycles 0) until HLT.
func TestRunWithoutLimit(t *testing.T) {
	c, _ := newTestCPU(t, asm(t, `
		mov $1000, %ecx
	1:	add %ecx, %eax
		dec %ecx
		jne 1b
		hlt`))
	if r := c.Run(^uint64(0)); r != StopHalt {
		t.Fatalf("stopped with %v", r)
	}
	if c.R[EAX] != 500500 || c.Instructions != 1+3*1000+1 {
		t.Errorf("EAX = %d after %d instructions, want 500500 after %d", c.R[EAX], c.Instructions, 1+3*1000+1)
	}
}

// TestCodeWrittenInSuperblock patches, from inside a superblock, an
// instruction further along the same superblock (past a direct jump): the
// patched instruction must run, not its stale translation.
func TestCodeWrittenInSuperblock(t *testing.T) {
	c, _ := newTestCPU(t, asm(t, `
		movl $2, 1f+1
		jmp 1f
		hlt
	1:	mov $1, %eax
		hlt`))
	if r := runToHalt(t, c, 1000); r != StopHalt {
		t.Fatalf("stopped with %v", r)
	}
	if c.R[EAX] != 2 {
		t.Errorf("EAX = %d, want 2 (the patched immediate)", c.R[EAX])
	}
}
