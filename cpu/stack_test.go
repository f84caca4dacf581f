package cpu

// This file tests ENTER, LEAVE, PUSHA/PUSHAD and POPA/POPAD on 32-bit and
// 16-bit stacks, with 32-bit and 16-bit operand sizes.

import "testing"

// stack16 gives the test CPU a 16-bit stack segment (B = 0) at 0x70000.
func stack16(c *CPU) {
	c.Seg[SS] = Segment{Sel: 0x28, Base: 0x70000, Limit: 0xFFFF, Access: 0x0093}
	c.Seg[SS].update()
}

func TestStackFrameInstructions(t *testing.T) {
	const top = testStackTop
	tests := []asmCase{
		{name: "ENTER $16, $0", src: "enter $16, $0", init: regs{EBP: 0x12345678},
			want:      regs{EBP: top - 4, ESP: top - 4 - 16},
			wantDword: map[uint32]uint32{top - 4: 0x12345678}},
		{name: "ENTER $8, $1", src: "enter $8, $1", init: regs{EBP: 0x12345678},
			want:      regs{EBP: top - 4, ESP: top - 8 - 8},
			wantDword: map[uint32]uint32{top - 4: 0x12345678, top - 8: top - 4}},
		{name: "ENTER $0, $3", src: "enter $0, $3", init: regs{EBP: 0x70000},
			mem:       map[uint32]string{0x6FFF8: "BBBBAAAA"},
			want:      regs{EBP: top - 4, ESP: top - 16},
			wantDword: map[uint32]uint32{top - 4: 0x70000, top - 8: 0x41414141, top - 12: 0x42424242, top - 16: top - 4}},
		{name: "ENTER $4, $33 (level mod 32 = 1)", src: ".byte 0xc8, 4, 0, 33", init: regs{EBP: 0x1111},
			want:      regs{EBP: top - 4, ESP: top - 12},
			wantDword: map[uint32]uint32{top - 4: 0x1111, top - 8: top - 4}},
		{name: "ENTERW $4, $2", src: "enterw $4, $2", init: regs{EBP: 0x70010},
			mem:       map[uint32]string{0x7000E: "\xCC\xCC"},
			want:      regs{EBP: 0x7FFFE, ESP: top - 6 - 4},
			wantDword: map[uint32]uint32{top - 4: 0x0010_CCCC, top - 8: 0xFFFE_0000}},
		{name: "ENTER $2, $2 on a 16-bit stack", src: "enter $2, $2", setup: stack16,
			init: regs{EBP: 0x1234_0100, ESP: 0xABCD_0010}, mem: map[uint32]string{0x700FC: "DDDD"},
			want:      regs{EBP: 0xABCD_000C, ESP: 0xABCD_0002},
			wantDword: map[uint32]uint32{0x7000C: 0x1234_0100, 0x70008: 0x44444444, 0x70004: 0xABCD_000C}},
		{name: "LEAVE", src: "leave", init: regs{EBP: 0x7FF00},
			mem:  map[uint32]string{0x7FF00: "\xEF\xBE\xAD\xDE"},
			want: regs{EBP: 0xDEADBEEF, ESP: 0x7FF04}},
		{name: "LEAVEW", src: "leavew", init: regs{EBP: 0x7FF00},
			mem:  map[uint32]string{0x7FF00: "\xEF\xBE\xAD\xDE"},
			want: regs{EBP: 0x7BEEF, ESP: 0x7FF02}},
		{name: "LEAVE on a 16-bit stack", src: "leave", setup: stack16, init: regs{EBP: 0x5555_FFFC, ESP: 0xAAAA_0000},
			mem:  map[uint32]string{0x7FFFC: "\x04\x03\x02\x01"},
			want: regs{EBP: 0x01020304, ESP: 0xAAAA_0000}},
		{name: "ENTER then LEAVE", src: "enter $64, $0\n\tleave", init: regs{EBP: 0x4242},
			want: regs{EBP: 0x4242, ESP: top}},
		{name: "PUSHAD", src: "pushal",
			init: regs{EAX: 1, ECX: 2, EDX: 3, EBX: 4, EBP: 6, ESI: 7, EDI: 8},
			want: regs{ESP: top - 32},
			wantDword: map[uint32]uint32{top - 4: 1, top - 8: 2, top - 12: 3, top - 16: 4, top - 20: top,
				top - 24: 6, top - 28: 7, top - 32: 8}},
		{name: "PUSHAW", src: "pushaw",
			init: regs{EAX: 0x10001, ECX: 0x20002, EDX: 3, EBX: 4, EBP: 6, ESI: 7, EDI: 8},
			want: regs{ESP: top - 16},
			wantDword: map[uint32]uint32{top - 4: 0x0001_0002, top - 8: 0x0003_0004, top - 12: 0x0000_0006,
				top - 16: 0x0007_0008}},
		{name: "POPAD ignores the stored ESP", src: "popal",
			init: regs{ESP: top - 32},
			mem:  map[uint32]string{top - 32: "\x08\x00\x00\x00\x07\x00\x00\x00\x06\x00\x00\x00\xFF\xFF\xFF\xFF\x04\x00\x00\x00\x03\x00\x00\x00\x02\x00\x00\x00\x01\x00\x00\x00"},
			want: regs{EAX: 1, ECX: 2, EDX: 3, EBX: 4, ESP: top, EBP: 6, ESI: 7, EDI: 8}},
		{name: "POPAW keeps the upper halves", src: "popaw",
			init: regs{ESP: top - 16, EAX: 0xAAAA0000, EDI: 0xBBBB0000},
			mem:  map[uint32]string{top - 16: "\x08\x00\x07\x00\x06\x00\xFF\xFF\x04\x00\x03\x00\x02\x00\x01\x00"},
			want: regs{EAX: 0xAAAA0001, ECX: 2, EDX: 3, EBX: 4, ESP: top, EBP: 6, ESI: 7, EDI: 0xBBBB0008}},
		{name: "PUSHAD then POPAD", src: "pushal\n\txor %eax, %eax\n\txor %ebp, %ebp\n\tmov $5, %edi\n\tpopal",
			init: regs{EAX: 0x11, EBP: 0x66, EDI: 0x88},
			want: regs{EAX: 0x11, EBP: 0x66, EDI: 0x88, ESP: top}},
		{name: "PUSHAD on a 16-bit stack wraps SP", src: "pushal", setup: stack16,
			init:      regs{EAX: 0xA, EDI: 0xD, ESP: 0xABCD_0000},
			want:      regs{ESP: 0xABCD_FFE0},
			wantDword: map[uint32]uint32{0x7FFFC: 0xA, 0x7FFEC: 0xABCD_0000, 0x7FFE0: 0xD}},
		{name: "POPAD on a 16-bit stack wraps SP", src: "popal", setup: stack16,
			init: regs{ESP: 0xABCD_FFF0},
			mem:  map[uint32]string{0x7FFF0: "\x08\x00\x00\x00\x07\x00\x00\x00\x06\x00\x00\x00\xFF\xFF\xFF\xFF", 0x70000: "\x04\x00\x00\x00\x03\x00\x00\x00\x02\x00\x00\x00\x01\x00\x00\x00"},
			want: regs{EAX: 1, ECX: 2, EDX: 3, EBX: 4, EBP: 6, ESI: 7, EDI: 8, ESP: 0xABCD_0010}},
	}
	for _, tc := range tests {
		tc.run(t)
	}
}

// TestStackFrameFaults checks that ENTER, LEAVE, PUSHA and POPA fault
// before they change a register.
func TestStackFrameFaults(t *testing.T) {
	tests := []struct {
		name string
		src  string
		init regs
	}{
		{"ENTER $0, $4 below the stack limit", "enter $0, $4", regs{ESP: 0x8, EBP: 0x100}},
		{"ENTER $16, $0 with the frame below the stack limit", "enter $16, $0", regs{ESP: 0x8, EBP: 0x100}},
		{"LEAVE with EBP beyond the stack limit", "leave", regs{ESP: 0x100, EBP: 0x1FFFE}},
		{"PUSHAD below the stack limit", "pushal", regs{ESP: 0x10, EBP: 0x100}},
		{"POPAD beyond the stack limit", "popal", regs{ESP: 0xFFF0, EBP: 0x100}},
	}
	for _, tc := range tests {
		c, _ := newTestCPU(t, asm(t, tc.src+"\n\thlt"))
		// A 32-bit stack segment of 64 KiB at 0x70000: no IDT, so the #SS
		// stops the CPU with a report and no frame is pushed.
		c.Seg[SS] = Segment{Sel: 0x28, Base: 0x70000, Limit: 0xFFFF, Access: 0x4093}
		c.Seg[SS].update()
		for r, v := range tc.init {
			c.R[r] = v
		}
		before := c.R
		r := runToHalt(t, c, 1000)
		if r != StopShutdown || c.Fault == nil || c.Fault.Vector != excSS {
			t.Errorf("%s: stop = %v, fault %v; want shutdown after #SS", tc.name, r, c.Fault)
		}
		if c.R != before {
			t.Errorf("%s: registers changed by a faulting instruction: %x, want %x", tc.name, c.R, before)
		}
	}
}
