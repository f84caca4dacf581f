package cpu

// This file tests the near control transfers: LOOP, LOOPE, LOOPNE, JCXZ,
// JECXZ, and JMP, Jcc, CALL and RET with 16-bit and 32-bit operand sizes,
// in protected and real mode, and the CS limit check of a branch target.

import "testing"

// toRealMode switches the test CPU to real mode running the code at
// testCodeBase as 1000:0000, with the other segments at 0 (their registers
// are left as the case set them).
func toRealMode(c *CPU) {
	c.CR0 &^= CR0PE
	c.realMode, c.mode32, c.CPL = true, false, 0
	for i := range c.Seg {
		c.Seg[i] = Segment{Limit: 0xFFFF, Access: 0x93}
		c.Seg[i].update()
	}
	c.Seg[CS] = Segment{Sel: testCodeBase >> 4, Base: testCodeBase, Limit: 0xFFFF, Access: 0x9B}
	c.Seg[CS].update()
	c.EIP = 0
	c.IDTR = DescriptorTable{Base: 0, Limit: 0x3FF}
}

func TestLoopAndJcxz(t *testing.T) {
	const count = "xor %eax, %eax\n1:\tinc %eax\n\t"
	tests := []asmCase{
		{name: "LOOP with ECX=5", src: count + "loop 1b", init: regs{ECX: 5}, want: regs{EAX: 5, ECX: 0}},
		{name: "LOOP with ECX=1", src: count + "loop 1b", init: regs{ECX: 1}, want: regs{EAX: 1, ECX: 0}},
		{name: "ADDR16 LOOP counts in CX", src: count + "addr16 loop 1b", init: regs{ECX: 0x1234_0003},
			want: regs{EAX: 3, ECX: 0x1234_0000}},
		{name: "LOOP keeps the flags", src: "cmp %eax, %eax\n1:\tloop 1b", init: regs{ECX: 3},
			want: regs{ECX: 0}, flagMask: cmpFlags, wantFlags: FlagZF},
		{name: "LOOPE with ZF=1", src: count + "test %edx, %edx\n\tloope 1b", init: regs{ECX: 4, EDX: 0},
			want: regs{EAX: 4, ECX: 0}},
		{name: "LOOPE with ZF=0", src: count + "test %edx, %edx\n\tloope 1b", init: regs{ECX: 4, EDX: 1},
			want: regs{EAX: 1, ECX: 3}},
		{name: "LOOPNE until equal", src: count + "cmp %eax, %ebx\n\tloopne 1b", init: regs{ECX: 10, EBX: 3},
			want: regs{EAX: 3, ECX: 7}},
		{name: "LOOPNE runs out", src: count + "cmp %eax, %ebx\n\tloopne 1b", init: regs{ECX: 5, EBX: 100},
			want: regs{EAX: 5, ECX: 0}},
		{name: "JECXZ with ECX=0", src: "jecxz 1f\n\tmov $1, %eax\n1:", init: regs{ECX: 0}, want: regs{EAX: 0}},
		{name: "JECXZ with ECX=0x10000", src: "jecxz 1f\n\tmov $1, %eax\n1:", init: regs{ECX: 0x10000}, want: regs{EAX: 1}},
		{name: "JCXZ with ECX=0x10000", src: "jcxz 1f\n\tmov $1, %eax\n1:", init: regs{ECX: 0x10000}, want: regs{EAX: 0}},
		{name: "JCXZ with ECX=1", src: "jcxz 1f\n\tmov $1, %eax\n1:", init: regs{ECX: 1}, want: regs{EAX: 1}},

		// Real mode.
		{name: "LOOP in 16-bit code counts in CX", src: ".code16\n" + count + "loop 1b", setup: toRealMode,
			init: regs{ECX: 0x1234_0003}, want: regs{EAX: 3, ECX: 0x1234_0000}},
		{name: "ADDR32 LOOP in 16-bit code counts in ECX", src: ".code16\n1:\taddr32 loop 1b", setup: toRealMode,
			init: regs{ECX: 0x1_0001}, want: regs{ECX: 0}},
		{name: "JCXZ in 16-bit code", src: ".code16\n\tjcxz 1f\n\tmov $1, %ax\n1:", setup: toRealMode,
			init: regs{ECX: 0x10000}, want: regs{EAX: 0}},
		{name: "JECXZ in 16-bit code", src: ".code16\n\tjecxz 1f\n\tmov $1, %ax\n1:", setup: toRealMode,
			init: regs{ECX: 0x10000}, want: regs{EAX: 1}},
	}
	for _, tc := range tests {
		tc.run(t)
	}
}

func TestNearBranches(t *testing.T) {
	const top = testStackTop
	const code = testCodeBase
	tests := []asmCase{
		{name: "CALL and RET", src: "call 1f\n\tjmp 2f\n1:\tmov $7, %eax\n\tret\n2:",
			want: regs{EAX: 7, ESP: top}},
		{name: "RET $8", src: "push $1\n\tpush $2\n\tcall 1f\n\tjmp 2f\n1:\tret $8\n2:",
			want: regs{ESP: top}},
		{name: "CALL *%eax", src: "call 1f\n1:\tpop %eax\n\tadd $(2f-1b), %eax\n\tcall *%eax\n\tjmp 3f\n2:\tmov $9, %ebx\n\tret\n3:",
			want: regs{EBX: 9, ESP: top}},
		{name: "CALL *mem", src: "call *0x7000", mem: map[uint32]string{0x7000: "\x70\x00\x00\x00", 0x70: "\xf4"},
			want: regs{ESP: top - 4}, wantDword: map[uint32]uint32{top - 4: code + 6}, wantEIP: 0x71},
		{name: "JMP *%eax", src: "jmp *%eax", init: regs{EAX: 0x70}, mem: map[uint32]string{0x70: "\xf4"}, wantEIP: 0x71},
		{name: "Jcc backward", src: "mov $3, %ecx\n1:\tdec %ecx\n\tjnz 1b", want: regs{ECX: 0}},

		// Operand size 16 in 32-bit code: EIP is truncated to 16 bits.
		{name: "JMP rel16 (operand size 16)", src: ".byte 0x66, 0xe9\n\t.word 0x10\n\tmov $1, %eax",
			mem: map[uint32]string{0x14: "\xf4"}, want: regs{EAX: 0}, wantEIP: 0x15},
		{name: "JMP rel8 (operand size 16)", src: ".byte 0x66, 0xeb, 0x10\n\tmov $1, %eax",
			mem: map[uint32]string{0x13: "\xf4"}, want: regs{EAX: 0}, wantEIP: 0x14},
		{name: "JE rel8 (operand size 16)", src: "xor %eax, %eax\n\t.byte 0x66, 0x74, 0x10\n\tmov $1, %eax",
			mem: map[uint32]string{0x15: "\xf4"}, want: regs{EAX: 0}, wantEIP: 0x16},
		{name: "CALL rel16 (operand size 16)", src: ".byte 0x66, 0xe8\n\t.word 0x20",
			mem: map[uint32]string{0x24: "\xf4"}, want: regs{ESP: top - 2},
			wantDword: map[uint32]uint32{top - 4: 0x0004_0000}, wantEIP: 0x25},
		{name: "RET (operand size 16)", src: ".byte 0x66, 0xc3", init: regs{ESP: top - 2},
			mem: map[uint32]string{top - 2: "\x30\x00", 0x30: "\xf4"}, want: regs{ESP: top}, wantEIP: 0x31},
		{name: "RET $4 (operand size 16)", src: ".byte 0x66, 0xc2, 4, 0", init: regs{ESP: top - 2},
			mem: map[uint32]string{top - 2: "\x30\x00", 0x30: "\xf4"}, want: regs{ESP: top + 4}, wantEIP: 0x31},
		{name: "JMP *%ax", src: ".byte 0x66, 0xff, 0xe0", init: regs{EAX: 0x1234_0040},
			mem: map[uint32]string{0x40: "\xf4"}, wantEIP: 0x41},
		{name: "CALL *%ax", src: ".byte 0x66, 0xff, 0xd0", init: regs{EAX: 0x1234_0050},
			mem: map[uint32]string{0x50: "\xf4"}, want: regs{ESP: top - 2},
			wantDword: map[uint32]uint32{top - 4: 0x0003_0000}, wantEIP: 0x51},
		{name: "JMP *m16", src: ".byte 0x66, 0xff, 0x25\n\t.long 0x7000",
			mem: map[uint32]string{0x7000: "\x60\x00\xff\xff", 0x60: "\xf4"}, wantEIP: 0x61},

		// Real mode.
		{name: "CALL and RET in 16-bit code", src: ".code16\n\tcall 1f\n\tjmp 2f\n1:\tmov $7, %ax\n\tret\n2:",
			setup: toRealMode, init: regs{ESP: 0x7000}, want: regs{EAX: 7, ESP: 0x7000}},
		{name: "RET $4 in 16-bit code", src: ".code16\n\tpush $1\n\tpush $2\n\tcall 1f\n\tjmp 2f\n1:\tret $4\n2:",
			setup: toRealMode, init: regs{ESP: 0x7000}, want: regs{ESP: 0x7000}},
		{name: "CALLL and RETL in 16-bit code", src: ".code16\n\tcalll 1f\n\tjmp 2f\n1:\tretl\n2:",
			setup: toRealMode, init: regs{ESP: 0x7000}, want: regs{ESP: 0x7000},
			wantDword: map[uint32]uint32{0x6FFC: 6}},
		{name: "JMP *%ax in 16-bit code", src: ".code16\n\tcall 1f\n1:\tpop %ax\n\tadd $(2f-1b), %ax\n\tjmp *%ax\n\tmov $1, %bx\n2:",
			setup: toRealMode, init: regs{ESP: 0x7000}, want: regs{EBX: 0}},
		{name: "16-bit stack wraps in CALL", src: ".code16\n\tcall 1f\n1:",
			setup: toRealMode, init: regs{ESP: 0x5555_0000}, want: regs{ESP: 0x5555_FFFE},
			wantDword: map[uint32]uint32{0xFFFC: 0x0003_0000}},
	}
	for _, tc := range tests {
		tc.run(t)
	}
}

// TestBranchBeyondCSLimit checks that a near branch to a target beyond the
// CS limit raises #GP(0) at the branch, with the registers unchanged.
func TestBranchBeyondCSLimit(t *testing.T) {
	const top = testStackTop
	tests := []struct {
		name, src string
		at        uint32 // offset of the branch in the code
		init      regs
		mem       map[uint32]string
	}{
		{"JMP rel32", "jmp 1f", 0, nil, nil},
		{"JE rel8", "cmp %eax, %eax\n\tje 1f", 2, nil, nil},
		{"CALL rel32", "call 1f", 0, nil, nil},
		{"JMP *%eax", "jmp *%eax", 0, regs{EAX: testCodeBase + 0x50}, nil},
		{"CALL *%eax", "call *%eax", 0, regs{EAX: testCodeBase + 0x50}, nil},
		{"RET", "ret", 0, regs{ESP: top - 4}, map[uint32]string{top - 4: "\x50\x00\x01\x00"}},
		{"RET $8", "ret $8", 0, regs{ESP: top - 4}, map[uint32]string{top - 4: "\x50\x00\x01\x00"}},
		{"LOOP", "loop 1f", 0, regs{ECX: 2}, nil},
		{"JECXZ", "jecxz 1f", 0, regs{ECX: 0}, nil},
	}
	for _, tc := range tests {
		// The target, at 0x50, lies beyond the CS limit 0x1F.
		c, _ := newTestCPU(t, asm(t, tc.src+"\n\t.org 0x50\n1:\thlt"))
		withHaltIDT(c)
		c.Seg[CS] = Segment{Sel: 0x08, Base: 0, Limit: testCodeBase + 0x1F, Access: 0x409B}
		c.Seg[CS].update()
		for r, v := range tc.init {
			c.R[r] = v
		}
		for a, s := range tc.mem {
			copy(c.ram[a:], s)
		}
		esp, ecx := c.R[ESP], c.R[ECX]
		if r := runToHalt(t, c, 1000); r != StopHalt || c.EIP != haltStub+1 {
			t.Errorf("%s beyond the CS limit: stop = %v at EIP %#x, want halt in the #GP handler (%v)", tc.name, r, c.EIP, c.Fault)
			continue
		}
		if code, eip := stackDword(c, 0), stackDword(c, 4); code != 0 || eip != testCodeBase+tc.at {
			t.Errorf("%s beyond the CS limit: error code %#x at EIP %#x, want #GP(0) at %#x", tc.name, code, eip, testCodeBase+tc.at)
		}
		if c.R[ESP] != esp-16 || c.R[ECX] != ecx {
			t.Errorf("%s beyond the CS limit: ESP = %#x, ECX = %d; want %#x (the exception frame only), %d", tc.name, c.R[ESP], c.R[ECX], esp-16, ecx)
		}
	}
}
