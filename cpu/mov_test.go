package cpu

// This file tests data movement: MOV in every size and addressing form
// (moffs, 16-bit addressing, segment overrides), MOVZX, MOVSX, LEA, XLAT,
// PUSH and POP with their ESP corner cases, and code patched by plain
// stores (self-modifying code).

import "testing"

func TestMov(t *testing.T) {
	const top = testStackTop
	fs := func(c *CPU) {
		c.Seg[FS] = Segment{Sel: 0x28, Base: 0x60000, Limit: 0xFFFF, Access: 0x4093}
		c.Seg[FS].update()
	}
	data := map[uint32]string{0x7000: "\x81\x82\x83\x84\x85\x86\x87\x88"}
	tests := []asmCase{
		{name: "MOV BL, AH", src: "mov %ah, %bl", init: regs{EAX: 0x1234, EBX: 0xAAAAAAAA}, want: regs{EBX: 0xAAAAAA12}},
		{name: "MOV BH, AL", src: "mov %al, %bh", init: regs{EAX: 0x34, EBX: 0xAAAAAAAA}, want: regs{EBX: 0xAAAA34AA}},
		{name: "MOV CX, imm16", src: "mov $0x5678, %cx", init: regs{ECX: 0xFFFFFFFF}, want: regs{ECX: 0xFFFF5678}},
		{name: "MOV EDI, imm32", src: "mov $0x89abcdef, %edi", want: regs{EDI: 0x89abcdef}},
		{name: "MOV m8, imm8", src: "movb $0x7f, 0x7000", wantMem: map[uint32]string{0x7000: "\x7f\x00"}},
		{name: "MOV m16, r16", src: "mov %ax, 0x10(%ebx)", init: regs{EAX: 0x11223344, EBX: 0x7000},
			wantMem: map[uint32]string{0x7010: "\x44\x33\x00"}},
		{name: "MOV m32, imm32", src: "movl $0x01020304, (%ebx)", init: regs{EBX: 0x7000}, wantDword: map[uint32]uint32{0x7000: 0x01020304}},
		{name: "MOV EAX, [EBX+ESI*4+4]", src: "mov 4(%ebx,%esi,4), %eax", init: regs{EBX: 0x6FF0, ESI: 3}, mem: data,
			want: regs{EAX: 0x84838281}},
		{name: "MOV EAX, [EBP-4] (disp32 negative)", src: "mov -0x1000(%ebp), %eax", init: regs{EBP: 0x8000}, mem: data,
			want: regs{EAX: 0x84838281}},
		{name: "MOV r8, m8", src: "mov 0x7001, %dh", init: regs{EDX: 0}, mem: data, want: regs{EDX: 0x8200}},
		{name: "MOV EAX, moffs32", src: "mov 0x7000, %eax", mem: data, want: regs{EAX: 0x84838281}},
		{name: "MOV AL, moffs8", src: "mov 0x7002, %al", init: regs{EAX: 0xFFFFFFFF}, mem: data, want: regs{EAX: 0xFFFFFF83}},
		{name: "MOV AX, moffs16", src: "mov 0x7002, %ax", init: regs{EAX: 0xFFFFFFFF}, mem: data, want: regs{EAX: 0xFFFF8483}},
		{name: "MOV moffs8, AL", src: "mov %al, 0x7000", init: regs{EAX: 0x55}, wantMem: map[uint32]string{0x7000: "\x55\x00"}},
		{name: "MOV moffs16, AX", src: "mov %ax, 0x7000", init: regs{EAX: 0x5566}, wantMem: map[uint32]string{0x7000: "\x66\x55\x00"}},
		{name: "MOV moffs32, EAX", src: "mov %eax, 0x7000", init: regs{EAX: 0x11223344}, wantDword: map[uint32]uint32{0x7000: 0x11223344}},
		{name: "ADDR16 MOV EAX, moffs16", src: "addr16 mov 0x7000, %eax", mem: data, want: regs{EAX: 0x84838281}},
		{name: "MOV EAX, FS:moffs", src: "mov %fs:0x10, %eax", setup: fs, mem: map[uint32]string{0x60010: "\x01\x02\x03\x04"},
			want: regs{EAX: 0x04030201}},
		{name: "ADDR16 MOV EAX, [BX+SI+0x10]", src: "addr16 mov 0x10(%bx,%si), %eax", init: regs{EBX: 0xFFFF6FF0, ESI: 0},
			mem: data, want: regs{EAX: 0x84838281}},
		{name: "ADDR16 MOV EAX, [BX+SI+0x10] wraps at 64 KiB", src: "addr16 mov 0x10(%bx,%si), %eax", init: regs{EBX: 0xFFF0, ESI: 0x7000},
			mem: data, want: regs{EAX: 0x84838281}},
		{name: "ADDR16 MOV EAX, [BP] uses SS", src: "addr16 mov (%bp), %eax", setup: stack16, init: regs{EBP: 0x10},
			mem: map[uint32]string{0x70010: "\x0a\x0b\x0c\x0d"}, want: regs{EAX: 0x0d0c0b0a}},
		{name: "MOV EAX, [EBP+4] uses SS", src: "mov 4(%ebp), %eax", setup: stack16, init: regs{EBP: 0xC},
			mem: map[uint32]string{0x70010: "\x0a\x0b\x0c\x0d"}, want: regs{EAX: 0x0d0c0b0a}},

		// MOVZX, MOVSX.
		{name: "MOVZX EBX, AL", src: "movzbl %al, %ebx", init: regs{EAX: 0x80, EBX: 0xFFFFFFFF}, want: regs{EBX: 0x80}},
		{name: "MOVZX BX, AH", src: "movzbw %ah, %bx", init: regs{EAX: 0x8000, EBX: 0xFFFFFFFF}, want: regs{EBX: 0xFFFF0080}},
		{name: "MOVZX EBX, AX", src: "movzwl %ax, %ebx", init: regs{EAX: 0x12348000}, want: regs{EBX: 0x8000}},
		{name: "MOVSX EBX, AL", src: "movsbl %al, %ebx", init: regs{EAX: 0x80}, want: regs{EBX: 0xFFFFFF80}},
		{name: "MOVSX BX, AL", src: "movsbw %al, %bx", init: regs{EAX: 0x80, EBX: 0x12345678}, want: regs{EBX: 0x1234FF80}},
		{name: "MOVSX EBX, AX", src: "movswl %ax, %ebx", init: regs{EAX: 0x8001}, want: regs{EBX: 0xFFFF8001}},
		{name: "MOVZX EAX, m8", src: "movzbl 0x7000, %eax", init: regs{EAX: 0xFFFFFFFF}, mem: data, want: regs{EAX: 0x81}},
		{name: "MOVZX EAX, m16", src: "movzwl 0x7000, %eax", mem: data, want: regs{EAX: 0x8281}},
		{name: "MOVSX AX, m8", src: "movsbw 0x7000, %ax", init: regs{EAX: 0x12345678}, mem: data, want: regs{EAX: 0x1234FF81}},
		{name: "MOVSX EAX, m16", src: "movswl 0x7000, %eax", mem: data, want: regs{EAX: 0xFFFF8281}},
		{name: "MOVSX EAX, m8 (positive)", src: "movsbl 0x7000, %eax", mem: map[uint32]string{0x7000: "\x7f"}, want: regs{EAX: 0x7f}},

		// LEA.
		{name: "LEA EAX, [EBX+ESI*8+4]", src: "lea 4(%ebx,%esi,8), %eax", init: regs{EBX: 0x1000, ESI: 2}, want: regs{EAX: 0x1014}},
		{name: "LEA EAX, [EBP-4]", src: "lea -4(%ebp), %eax", init: regs{EBP: 0x1000}, want: regs{EAX: 0xFFC}},
		{name: "LEA EAX, [EBX-0x1000] wraps", src: "lea -0x1000(%ebx), %eax", init: regs{EBX: 0x10}, want: regs{EAX: 0xFFFFF010}},
		{name: "ADDR16 LEA EAX, [BX+SI+0x10]", src: "addr16 lea 0x10(%bx,%si), %eax", init: regs{EBX: 0x1234FFF0, ESI: 0x10, EAX: 0xFFFFFFFF},
			want: regs{EAX: 0x10}},
		{name: "LEA AX, [EBX+0x10]", src: "lea 0x10(%ebx), %ax", init: regs{EBX: 0x1234FFF8, EAX: 0xAAAAAAAA},
			want: regs{EAX: 0xAAAA0008}},
		{name: "LEA ignores a segment override", src: "lea %fs:4(%ebx), %eax", setup: fs, init: regs{EBX: 0x100}, want: regs{EAX: 0x104}},

		// XLAT.
		{name: "XLAT", src: "xlat", init: regs{EAX: 0x11223305, EBX: 0x7000}, mem: data, want: regs{EAX: 0x11223386}},
		{name: "XLAT AL=0xFF", src: "xlat", init: regs{EAX: 0xFF, EBX: 0x6F01}, mem: data, want: regs{EAX: 0x81}},
		{name: "XLAT FS:[EBX]", src: "xlat %fs:(%ebx)", setup: fs, init: regs{EAX: 1, EBX: 0x10},
			mem: map[uint32]string{0x60011: "\x99"}, want: regs{EAX: 0x99}},
		{name: "ADDR16 XLAT wraps at 64 KiB", src: "addr16 xlat", init: regs{EAX: 3, EBX: 0xFFFFFFFE},
			mem: map[uint32]string{0x0001: "\x77"}, want: regs{EAX: 0x77}},

		// PUSH.
		{name: "PUSH imm8 (sign-extended)", src: "push $-2", want: regs{ESP: top - 4}, wantDword: map[uint32]uint32{top - 4: 0xFFFFFFFE}},
		{name: "PUSH imm8 (operand size 16)", src: "pushw $-1", want: regs{ESP: top - 2}, wantDword: map[uint32]uint32{top - 4: 0xFFFF0000}},
		{name: "PUSH imm16", src: "pushw $0x1234", want: regs{ESP: top - 2}, wantDword: map[uint32]uint32{top - 4: 0x12340000}},
		{name: "PUSH imm32", src: "push $0x12345678", want: regs{ESP: top - 4}, wantDword: map[uint32]uint32{top - 4: 0x12345678}},
		{name: "PUSH ESP pushes the old value", src: "push %esp", want: regs{ESP: top - 4}, wantDword: map[uint32]uint32{top - 4: top}},
		{name: "PUSH SP pushes the old value", src: "push %sp", init: regs{ESP: 0x7FF10}, want: regs{ESP: 0x7FF0E},
			wantDword: map[uint32]uint32{0x7FF0C: 0xFF100000}},
		{name: "PUSH [ESP+4] addresses before the push", src: "pushl 4(%esp)", init: regs{ESP: top - 8},
			mem: map[uint32]string{top - 4: "\x01\x02\x03\x04"}, want: regs{ESP: top - 12},
			wantDword: map[uint32]uint32{top - 12: 0x04030201}},
		{name: "PUSH m16", src: "pushw 0x7000", mem: data, want: regs{ESP: top - 2}, wantDword: map[uint32]uint32{top - 4: 0x82810000}},
		{name: "PUSH AX", src: "push %ax", init: regs{EAX: 0x12345678}, want: regs{ESP: top - 2}, wantDword: map[uint32]uint32{top - 4: 0x56780000}},
		{name: "PUSH DS writes a word (operand size 32)", src: "push %ds", mem: map[uint32]string{top - 4: "\xff\xff\xff\xff"},
			want: regs{ESP: top - 4}, wantDword: map[uint32]uint32{top - 4: 0xFFFF0010}},
		{name: "PUSH DS (operand size 16)", src: "pushw %ds", want: regs{ESP: top - 2}, wantDword: map[uint32]uint32{top - 4: 0x00100000}},
		{name: "PUSH EAX on a 16-bit stack", src: "push %eax", setup: stack16, init: regs{EAX: 0xCAFEBABE, ESP: 0xABCD0000},
			want: regs{ESP: 0xABCDFFFC}, wantDword: map[uint32]uint32{0x7FFFC: 0xCAFEBABE}},

		// POP.
		{name: "POP ESP", src: "pop %esp", init: regs{ESP: top - 4}, mem: map[uint32]string{top - 4: "\x78\x56\x34\x12"},
			want: regs{ESP: 0x12345678}},
		{name: "POP SP", src: "pop %sp", init: regs{ESP: 0x7FF00}, mem: map[uint32]string{0x7FF00: "\x34\x12"},
			want: regs{ESP: 0x71234}},
		{name: "POP BX", src: "pop %bx", init: regs{ESP: 0x7FF00, EBX: 0xFFFFFFFF}, mem: map[uint32]string{0x7FF00: "\x34\x12"},
			want: regs{ESP: 0x7FF02, EBX: 0xFFFF1234}},
		{name: "POP [ESP+4] addresses after the pop", src: "popl 4(%esp)", init: regs{ESP: top - 8},
			mem: map[uint32]string{top - 8: "\xdd\xcc\xbb\xaa"}, want: regs{ESP: top - 4},
			wantDword: map[uint32]uint32{top: 0xAABBCCDD, top - 4: 0}},
		{name: "POP [ESP] (operand size 16)", src: "popw (%esp)", init: regs{ESP: top - 4},
			mem: map[uint32]string{top - 4: "\x42\x42"}, want: regs{ESP: top - 2}, wantDword: map[uint32]uint32{top - 4: 0x42424242}},
		{name: "POP m32", src: "popl 0x7000", init: regs{ESP: top - 4}, mem: map[uint32]string{top - 4: "\x01\x02\x03\x04"},
			want: regs{ESP: top}, wantDword: map[uint32]uint32{0x7000: 0x04030201}},
		{name: "POP EBX on a 16-bit stack", src: "pop %ebx", setup: stack16, init: regs{ESP: 0xABCDFFFC},
			mem: map[uint32]string{0x7FFFC: "\x01\x02\x03\x04"}, want: regs{EBX: 0x04030201, ESP: 0xABCD0000}},
		{name: "PUSH then POP through memory", src: "push %eax\n\tpopl 0x7000\n\tpushl 0x7000\n\tpop %ebx",
			init: regs{EAX: 0x31415926}, want: regs{EBX: 0x31415926, ESP: top}},
	}
	for _, tc := range tests {
		tc.run(t)
	}
}

// TestPopMemFaultKeepsESP checks that POP to memory that faults leaves ESP
// as it was, so the POP restarts.
func TestPopMemFaultKeepsESP(t *testing.T) {
	for _, src := range []string{"popl 0x20000", "popw 0x1fffe", "popl (%esp)"} {
		c, _ := newTestCPU(t, asm(t, src+"\n\thlt"))
		withHaltIDT(c)
		c.Seg[DS] = Segment{Sel: 0x28, Base: 0, Limit: 0xFFFF, Access: 0x4093}
		c.Seg[DS].update()
		if src == "popl (%esp)" {
			// The write goes through SS, here limited to 0x7FFFF: the
			// popped ESP points at the limit.
			c.Seg[SS] = Segment{Sel: 0x28, Base: 0, Limit: testStackTop - 1, Access: 0x4093}
			c.Seg[SS].update()
		}
		c.R[ESP] = testStackTop - 4
		runToHalt(t, c, 1000)
		if c.EIP != haltStub+1 || stackDword(c, 4) != testCodeBase {
			t.Errorf("%s beyond the segment limit: EIP = %#x, stacked EIP %#x; want #GP at %#x handled", src, c.EIP, stackDword(c, 4), testCodeBase)
		}
		if want := uint32(testStackTop - 4 - 16); c.R[ESP] != want {
			t.Errorf("%s beyond the segment limit: ESP after the exception frame = %#x, want %#x (ESP unchanged by the POP)", src, c.R[ESP], want)
		}
	}
}

// runStepped runs c to a halt one short cycle limit at a time, so the
// block loop executes one instruction at a time.
func runStepped(t *testing.T, c *CPU, maxCycles uint64) StopReason {
	t.Helper()
	end := c.Cycles + maxCycles
	for c.Cycles < end {
		if r := c.Run(c.Cycles + 1); r != StopLimit {
			return r
		}
	}
	t.Fatalf("did not halt within %d cycles (EIP=%#x)", maxCycles, c.EIP)
	return StopLimit
}

// TestSelfModifyingStores checks that code patched by ordinary stores runs
// as patched: the next instruction in the same block, one further in the
// same block (the instructions in between run once), a loop body, an
// instruction already translated in another block. Every case runs with
// whole blocks and one instruction at a time.
func TestSelfModifyingStores(t *testing.T) {
	tests := []asmCase{
		{name: "MOV patches the next instruction", src: "movb $2, 1f+1\n1:\tmov $1, %ebx",
			want: regs{EBX: 2}},
		{name: "MOV patches an instruction further in the block", src: "movl $0x000007bb, 1f\n\tmov $5, %ecx\n\tinc %edx\n1:\tmov $1, %ebx",
			init: regs{EDX: 0}, want: regs{EBX: 7, ECX: 5, EDX: 1}},
		{name: "MOV patches the instruction after a jump", src: "movb $2, 2f+1\n\tjmp 1f\n1:\tnop\n2:\tmov $1, %ebx",
			want: regs{EBX: 2}},
		{name: "MOV patches a loop body", src: "mov $3, %ecx\n\txor %ebx, %ebx\n1:\tadd $1, %ebx\n\tmovb $5, 1b+2\n\tloop 1b",
			want: regs{EBX: 11}},
		{name: "MOV patches a translated subroutine", src: "call 1f\n\tmov %ebx, %edx\n\tmovb $9, 1f+1\n\tcall 1f\n\tjmp 2f\n1:\tmov $1, %ebx\n\tret\n2:",
			want: regs{EBX: 9, EDX: 1}},
		{name: "PUSH patches the next instruction", src: "lea 1f+5, %esp\n\tpush $4\n1:\tmov $1, %ebx\n\tnop\n\tnop\n\tnop",
			want: regs{EBX: 4}},
		{name: "MOV patches code not yet translated", src: "jmp 1f\n1:\tmovl $0x03bb9090, 2f\n\tjmp 2f\n2:\tnop\n\tnop\n\tmov $1, %ebx",
			want: regs{EBX: 3}},
	}
	for _, tc := range tests {
		tc.run(t)
		// Again, one instruction at a time.
		c, _ := newTestCPU(t, asm(t, tc.src+"\n\thlt"))
		for r, v := range tc.init {
			c.R[r] = v
		}
		if r := runStepped(t, c, 10000); r != StopHalt {
			t.Errorf("%s, stepped: stop = %v, want halt (%v)", tc.name, r, c.Fault)
		}
		for r, v := range tc.want {
			if c.R[r] != v {
				t.Errorf("%s, stepped: %s = %#x, want %#x", tc.name, regNames[r], c.R[r], v)
			}
		}
	}
}
