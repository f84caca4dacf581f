package cpu

// This file tests XCHG, CMPXCHG8B, SETcc, CMOVcc, LAHF, SAHF, the flag
// instructions, the sign extensions and BOUND.

import "testing"

// limitDS makes DS end just below memAddr, so an access at memAddr
// raises #GP.
func limitDS(c *CPU) {
	c.Seg[DS].Limit = memAddr - 1
	c.Seg[DS].update()
}

func TestMisc(t *testing.T) {
	runOpTests(t, []opTest{
		{name: "xchg short form", src: "xchg %ebx, %eax", in: regVals{EAX: 1, EBX: 2}, want: regVals{EAX: 2, EBX: 1}},
		{name: "xchg eax, eax (87 c0)", src: ".byte 0x87, 0xc0", in: regVals{EAX: 5}, want: regVals{EAX: 5}},
		{name: "xchg ax, ax (66 90)", src: "xchg %ax, %ax", in: regVals{EAX: 0x12345678}, want: regVals{EAX: 0x12345678}},
		{name: "xchg high and low bytes", src: "xchg %al, %ah", in: regVals{EAX: 0x11223344}, want: regVals{EAX: 0x11224433}},
		{name: "xchg words", src: "xchg %cx, %dx", in: regVals{ECX: 0xAAAA1111, EDX: 0xBBBB2222},
			want: regVals{ECX: 0xAAAA2222, EDX: 0xBBBB1111}},
		{name: "xchg register with memory", src: "xchg %ebx, (%esi)", in: regVals{EBX: 7}, mem: map[uint32]uint32{0: 9},
			want: regVals{EBX: 9}, wantM: map[uint32]uint32{0: 7}},
		{name: "xchg memory byte with register", src: "xchgb 1(%esi), %cl", in: regVals{ECX: 0x77}, mem: map[uint32]uint32{0: 0x11223344},
			want: regVals{ECX: 0x33}, wantM: map[uint32]uint32{0: 0x11227744}},
		{name: "xchg with read-only memory faults", src: "xchg %ebx, (%esi)", in: regVals{EBX: 7}, mem: map[uint32]uint32{0: 9},
			setup: readOnlyDS, exc: "#GP", want: regVals{EBX: 7}, wantM: map[uint32]uint32{0: 9}},
		{name: "cmpxchg8b equal", src: "lock cmpxchg8b (%esi)", flags: FlagCF | FlagSF,
			in: regVals{EAX: 1, EDX: 2, EBX: 3, ECX: 4}, mem: map[uint32]uint32{0: 1, 4: 2},
			want: regVals{EAX: 1, EDX: 2}, wantM: map[uint32]uint32{0: 3, 4: 4}, wantF: FlagZF | FlagCF | FlagSF, fmask: allArit},
		{name: "cmpxchg8b different", src: "cmpxchg8b 8(%esi)", flags: FlagZF | FlagOF,
			in: regVals{EAX: 1, EDX: 2, EBX: 3, ECX: 4}, mem: map[uint32]uint32{8: 1, 12: 5},
			want: regVals{EAX: 1, EDX: 5}, wantM: map[uint32]uint32{8: 1, 12: 5}, wantF: FlagOF, fmask: allArit},
		{name: "cmpxchg8b register form is invalid", src: ".byte 0x0f, 0xc7, 0xc8", exc: "#UD"},
		{name: "setcc after cmp", src: "cmp %ebx, %eax; setl %cl; setb %ch; setg (%esi); seta 1(%esi); sete 2(%esi); setne 3(%esi)",
			in: regVals{EAX: 0xFFFFFFFF, EBX: 1, ECX: 0xAAAAAAAA}, mem: map[uint32]uint32{0: 0xFFFFFFFF},
			want: regVals{ECX: 0xAAAA0001}, wantM: map[uint32]uint32{0: 0x01000100}},
		{name: "setcc from given flags", src: "seto %al; setp %ah; sets %bl; setbe %bh",
			flags: FlagOF | FlagZF, in: regVals{EAX: 0xFFFFFFFF, EBX: 0xFFFFFFFF}, want: regVals{EAX: 0xFFFF0001, EBX: 0xFFFF0100}},
		{name: "cmov taken", src: "test %eax, %eax; cmove %ebx, %ecx", in: regVals{EAX: 0, EBX: 5, ECX: 6}, want: regVals{ECX: 5}},
		{name: "cmov not taken", src: "test %eax, %eax; cmovne %ebx, %ecx", in: regVals{EAX: 0, EBX: 5, ECX: 6}, want: regVals{ECX: 6}},
		{name: "cmov word from memory", src: "stc; cmovbw 2(%esi), %dx", in: regVals{EDX: 0x11112222},
			mem: map[uint32]uint32{0: 0xABCD0000}, want: regVals{EDX: 0x1111ABCD}},
		{name: "cmov from memory faults when not taken", src: "cmp %eax, %eax; cmovne (%esi), %ecx", in: regVals{ECX: 6},
			setup: limitDS, exc: "#GP", want: regVals{ECX: 6}},
		{name: "cmov word from memory faults when not taken", src: "cmp %eax, %eax; cmovnew (%esi), %cx", in: regVals{ECX: 6},
			setup: limitDS, exc: "#GP", want: regVals{ECX: 6}},
		{name: "lahf", src: "lahf", flags: FlagSF | FlagCF | FlagOF, in: regVals{EAX: 0x11223344},
			want: regVals{EAX: 0x11228344}},
		{name: "sahf keeps OF", src: "sahf", flags: FlagOF, in: regVals{EAX: 0xD500},
			wantF: FlagOF | FlagSF | FlagZF | FlagAF | FlagPF | FlagCF, fmask: allArit},
		{name: "sahf after a lazy sub", src: "cmp %ebx, %ecx; sahf", in: regVals{EAX: 0x0100, EBX: 1, ECX: 0x80000000},
			wantF: FlagOF | FlagCF, fmask: allArit},
		{name: "clc", src: "stc; clc", wantF: 0, fmask: FlagCF},
		{name: "stc after a lazy add keeps the others", src: "add %eax, %eax; stc", in: regVals{EAX: 0x40000000},
			wantF: FlagCF | FlagOF | FlagSF | FlagPF, fmask: allArit},
		{name: "cmc", src: "cmc", flags: FlagCF | FlagZF, wantF: FlagZF, fmask: allArit},
		{name: "cmc twice", src: "cmc; cmc", flags: FlagPF, wantF: FlagPF, fmask: allArit},
		{name: "cbw", src: "cbw", in: regVals{EAX: 0x12345680}, want: regVals{EAX: 0x1234FF80}},
		{name: "cwde", src: "cwde", in: regVals{EAX: 0x12348000}, want: regVals{EAX: 0xFFFF8000}},
		{name: "cwde positive", src: "cwde", in: regVals{EAX: 0x12347FFF}, want: regVals{EAX: 0x00007FFF}},
		{name: "cwd", src: "cwd", in: regVals{EAX: 0x8000, EDX: 0x12345678}, want: regVals{EDX: 0x1234FFFF}},
		{name: "cdq positive", src: "cdq", in: regVals{EAX: 0x7FFFFFFF, EDX: 5}, want: regVals{EDX: 0}},
		{name: "cdq negative", src: "cdq", in: regVals{EAX: 0x80000000}, want: regVals{EDX: 0xFFFFFFFF}},
		{name: "bound in range", src: "bound %eax, (%esi)", in: regVals{EAX: 0xFFFFFFFF},
			mem: map[uint32]uint32{0: 0xFFFFFFF0, 4: 10}},
		{name: "bound at the upper bound", src: "bound %eax, (%esi)", in: regVals{EAX: 10}, mem: map[uint32]uint32{0: 0, 4: 10}},
		{name: "bound below raises #BR", src: "bound %eax, (%esi)", in: regVals{EAX: 0xFFFFFFEF},
			mem: map[uint32]uint32{0: 0xFFFFFFF0, 4: 10}, exc: "#BR"},
		{name: "bound above raises #BR", src: "bound %eax, (%esi)", in: regVals{EAX: 11},
			mem: map[uint32]uint32{0: 0, 4: 10}, exc: "#BR"},
		{name: "bound word", src: "bound %ax, (%esi)", in: regVals{EAX: 0x1234FFFE}, mem: map[uint32]uint32{0: 0x0005FFFE}},
		{name: "bound word above raises #BR", src: "bound %ax, (%esi)", in: regVals{EAX: 6}, mem: map[uint32]uint32{0: 0x0005FFFE}, exc: "#BR"},
	})
}

func TestDirectionFlag(t *testing.T) {
	d := newDiffCPU(t, asm(t, "std; pushf; cld; pushf; pop %eax; pop %ebx"))
	c := d.c
	c.EIP = testCodeBase
	if r := c.Run(c.Cycles + 1000); r != StopHalt {
		t.Fatalf("std; cld: stopped with %v, exception %d", r, d.exc)
	}
	if c.R[EBX]&FlagDF == 0 || c.R[EAX]&FlagDF != 0 {
		t.Errorf("std; pushf; cld; pushf: EFLAGS pushed %#x then %#x, want DF set then clear", c.R[EBX], c.R[EAX])
	}
}
