package cpu

// This file tests the ALU instructions (ADD … TEST, INC, DEC, NEG, NOT,
// XADD, CMPXCHG) in the forms and sequences the differential test does
// not reach: idioms, carry chains, flags read lazily by the next
// instruction, LOCK prefixes. It also holds opTest, the table-driven
// harness the other instruction-group tests of this helper use.

import (
	"encoding/binary"
	"fmt"
	"sort"
	"strings"
	"testing"
)

// regVals gives general registers by number (EAX…EDI).
type regVals map[int]uint32

var opRegNames = [...]string{"EAX", "ECX", "EDX", "EBX", "ESP", "EBP", "ESI", "EDI"}

// opTest is one table-driven instruction test: src (AT&T syntax, HLT
// appended) runs from the registers in, the arithmetic flags flags and the
// dwords mem (offsets from memAddr; ESI = memAddr unless in sets it); then
// the registers in want, the flags in fmask (wantF) and the dwords in
// wantM are checked — or, if exc names an exception, that it was raised.
type opTest struct {
	name  string
	src   string
	in    regVals
	flags uint32
	mem   map[uint32]uint32
	setup func(c *CPU) // optional, after the registers are set

	want  regVals
	wantF uint32
	fmask uint32
	wantM map[uint32]uint32
	exc   string // "#DE", "#BR", "#GP", "#UD" or ""
}

var excByName = map[string]int{"#DE": excDE, "#BR": excBR, "#GP": excGP, "#UD": excUD, "#SS": excSS}

// runOpTests runs a table of opTests.
func runOpTests(t *testing.T, tests []opTest) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { runOpTest(t, &tc) })
	}
}

func runOpTest(t *testing.T, tc *opTest) {
	t.Helper()
	d := newDiffCPU(t, asm(t, tc.src))
	c := d.c
	c.R[ESI] = memAddr
	for r, v := range tc.in {
		c.R[r] = v
	}
	for off, v := range tc.mem {
		binary.LittleEndian.PutUint32(c.ram[memAddr+off:], v)
	}
	c.SetEFLAGS(tc.flags&flagsArith | flagsFixed)
	if tc.setup != nil {
		tc.setup(c)
	}
	c.EIP = testCodeBase
	r := c.Run(c.Cycles + 100000)
	desc := fmt.Sprintf("%s with %s", strings.Join(strings.Fields(tc.src), " "), describeRegs(tc.in))
	if tc.exc != "" {
		if d.exc != excByName[tc.exc] {
			t.Fatalf("%s: exception %d, want %s", desc, d.exc, tc.exc)
		}
	} else if d.exc >= 0 || r != StopHalt {
		t.Fatalf("%s: stopped with %v, exception %d; want HLT", desc, r, d.exc)
	}
	for reg, v := range tc.want {
		if c.R[reg] != v {
			t.Errorf("%s: %s = %#x, want %#x", desc, opRegNames[reg], c.R[reg], v)
		}
	}
	if f := c.EFLAGS(); f&tc.fmask != tc.wantF&tc.fmask {
		t.Errorf("%s: flags = %#03x, want %#03x (mask %#03x)", desc, f&flagsArith, tc.wantF, tc.fmask)
	}
	for off, v := range tc.wantM {
		if got := binary.LittleEndian.Uint32(c.ram[memAddr+off:]); got != v {
			t.Errorf("%s: dword at ESI+%#x = %#x, want %#x", desc, off, got, v)
		}
	}
}

// describeRegs formats registers for a message, in register order.
func describeRegs(rv regVals) string {
	if len(rv) == 0 {
		return "no registers set"
	}
	var keys []int
	for r := range rv {
		keys = append(keys, r)
	}
	sort.Ints(keys)
	var parts []string
	for _, r := range keys {
		parts = append(parts, fmt.Sprintf("%s=%#x", opRegNames[r], rv[r]))
	}
	return strings.Join(parts, " ")
}

// Flag masks used by the tables.
const (
	fCZSO   = FlagCF | FlagZF | FlagSF | FlagOF
	allArit = flagsArith
)

func TestALU(t *testing.T) {
	runOpTests(t, []opTest{
		{name: "xor-zero idiom", src: "xor %eax, %eax", in: regVals{EAX: 0x1234}, flags: allArit,
			want: regVals{EAX: 0}, wantF: FlagZF | FlagPF, fmask: allArit &^ FlagAF},
		{name: "sub-zero idiom", src: "sub %ecx, %ecx", in: regVals{ECX: 7}, flags: FlagCF,
			want: regVals{ECX: 0}, wantF: FlagZF | FlagPF, fmask: allArit},
		{name: "64-bit add carry chain", src: "add %ecx, %eax; adc %ebx, %edx",
			in:   regVals{EAX: 0xFFFFFFFF, EDX: 0x7FFFFFFF, ECX: 1, EBX: 0},
			want: regVals{EAX: 0, EDX: 0x80000000}, wantF: FlagSF | FlagOF | FlagAF | FlagPF, fmask: allArit},
		{name: "64-bit subtract borrow chain", src: "sub %ecx, %eax; sbb %ebx, %edx",
			in:   regVals{EAX: 0, EDX: 0, ECX: 1, EBX: 0},
			want: regVals{EAX: 0xFFFFFFFF, EDX: 0xFFFFFFFF}, wantF: FlagCF | FlagSF | FlagAF | FlagPF, fmask: allArit},
		{name: "adc with carry in and all-ones", src: "stc; adc $0xFFFFFFFF, %eax", in: regVals{EAX: 0},
			want: regVals{EAX: 0}, wantF: FlagCF | FlagZF | FlagAF | FlagPF, fmask: allArit},
		{name: "sbb with borrow in equal operands", src: "stc; sbb %eax, %eax", in: regVals{EAX: 5},
			want: regVals{EAX: 0xFFFFFFFF}, wantF: FlagCF | FlagSF | FlagAF | FlagPF, fmask: allArit},
		{name: "inc keeps the carry of a lazy add", src: "add $1, %eax; inc %ebx",
			in: regVals{EAX: 0xFFFFFFFF, EBX: 0x7FFFFFFF}, want: regVals{EAX: 0, EBX: 0x80000000},
			wantF: FlagCF | FlagOF | FlagSF | FlagAF | FlagPF, fmask: allArit},
		{name: "dec keeps CF clear", src: "clc; dec %bl", in: regVals{EBX: 0x100},
			want: regVals{EBX: 0x1FF}, wantF: FlagSF | FlagAF | FlagPF, fmask: allArit},
		{name: "inc 16-bit wraps", src: "stc; inc %ax", in: regVals{EAX: 0x1234FFFF},
			want: regVals{EAX: 0x12340000}, wantF: FlagCF | FlagZF | FlagAF | FlagPF, fmask: allArit},
		{name: "neg 0", src: "stc; neg %eax", in: regVals{EAX: 0},
			want: regVals{EAX: 0}, wantF: FlagZF | FlagPF, fmask: allArit},
		{name: "neg most negative byte", src: "neg %ah", in: regVals{EAX: 0x8000},
			want: regVals{EAX: 0x8000}, wantF: FlagCF | FlagOF | FlagSF, fmask: allArit},
		{name: "not changes no flags", src: "stc; notw (%esi)", mem: map[uint32]uint32{0: 0x12345678},
			wantM: map[uint32]uint32{0: 0x1234A987}, wantF: FlagCF, fmask: allArit},
		{name: "test high byte registers", src: "test %bh, %ch", in: regVals{EBX: 0x8000, ECX: 0x8100},
			want: regVals{EBX: 0x8000, ECX: 0x8100}, wantF: FlagSF, fmask: allArit &^ FlagAF},
		{name: "add sign-extended imm8 to a word", src: "addw $-1, %ax", in: regVals{EAX: 0xAAAA0001},
			want: regVals{EAX: 0xAAAA0000}, wantF: FlagCF | FlagZF | FlagAF | FlagPF, fmask: allArit},
		{name: "lock add to memory", src: "lock addl $1, 4(%esi)", mem: map[uint32]uint32{4: 41},
			wantM: map[uint32]uint32{4: 42}},
		{name: "or byte to memory", src: "orb %dl, 1(%esi)", in: regVals{EDX: 0x80}, mem: map[uint32]uint32{0: 0x11223344},
			wantM: map[uint32]uint32{0: 0x1122B344}, wantF: FlagSF, fmask: allArit &^ FlagAF},
		{name: "cmp memory with register then jb", src: "cmp %eax, (%esi); jb 1f; mov $1, %ebx; 1:",
			in: regVals{EAX: 5, EBX: 0}, mem: map[uint32]uint32{0: 4}, want: regVals{EBX: 0}},
		{name: "xadd register", src: "xadd %eax, %ebx", in: regVals{EAX: 3, EBX: 4},
			want: regVals{EAX: 4, EBX: 7}, wantF: 0, fmask: allArit},
		{name: "xadd same register", src: "xadd %ecx, %ecx", in: regVals{ECX: 3},
			want: regVals{ECX: 6}},
		{name: "lock xadd memory word", src: "lock xaddw %ax, (%esi)", in: regVals{EAX: 0xFFFF0001},
			mem: map[uint32]uint32{0: 0x1234FFFF}, want: regVals{EAX: 0xFFFFFFFF},
			wantM: map[uint32]uint32{0: 0x12340000}, wantF: FlagCF | FlagZF | FlagAF | FlagPF, fmask: allArit},
		{name: "cmpxchg memory equal", src: "lock cmpxchg %ecx, (%esi)", in: regVals{EAX: 7, ECX: 9},
			mem: map[uint32]uint32{0: 7}, want: regVals{EAX: 7}, wantM: map[uint32]uint32{0: 9},
			wantF: FlagZF | FlagPF, fmask: allArit},
		{name: "cmpxchg memory different", src: "lock cmpxchg %ecx, (%esi)", in: regVals{EAX: 6, ECX: 9},
			mem: map[uint32]uint32{0: 7}, want: regVals{EAX: 7}, wantM: map[uint32]uint32{0: 7},
			wantF: FlagCF | FlagSF | FlagAF | FlagPF, fmask: allArit},
		{name: "cmpxchg byte equal", src: "cmpxchg %bl, %dh", in: regVals{EAX: 0x1234, EBX: 0x55, EDX: 0x3400},
			want: regVals{EAX: 0x1234, EDX: 0x5500}, wantF: FlagZF | FlagPF, fmask: allArit},
		{name: "add to a read-only dword faults before the flags change", src: "addl $1, (%esi)", flags: FlagZF,
			mem: map[uint32]uint32{0: 0xFFFFFFFF}, setup: readOnlyDS, exc: "#GP",
			wantM: map[uint32]uint32{0: 0xFFFFFFFF}, wantF: FlagZF, fmask: allArit},
		{name: "xor register into a read-only dword faults", src: "xor %eax, 8(%esi)", in: regVals{EAX: 1},
			mem: map[uint32]uint32{8: 2}, setup: readOnlyDS, exc: "#GP", wantM: map[uint32]uint32{8: 2}},
		{name: "add register into a dword", src: "add %eax, 8(%esi)", in: regVals{EAX: 1},
			mem: map[uint32]uint32{8: 0x7FFFFFFF}, wantM: map[uint32]uint32{8: 0x80000000},
			wantF: FlagOF | FlagSF | FlagAF | FlagPF, fmask: allArit},
		{name: "cmpxchg to a read-only segment faults even when different",
			src: "cmpxchg %ecx, (%esi)", in: regVals{EAX: 1, ECX: 9}, mem: map[uint32]uint32{0: 7},
			setup: readOnlyDS, exc: "#GP", want: regVals{EAX: 1}, wantM: map[uint32]uint32{0: 7}},
	})
}

// readOnlyDS makes DS a read-only flat data segment.
func readOnlyDS(c *CPU) {
	c.Seg[DS].Access = 0xC091 // present, DPL 0, data, read-only, accessed
	c.Seg[DS].update()
}

// BenchmarkArith runs a loop of the arithmetic compiled code is made of
// (IMUL, shifts, ADC, SETcc, CMOVcc, LEA-free ALU) and reports emulated MIPS.
func BenchmarkArith(b *testing.B) {
	code := asm(b, `
	outer:
		mov $1000, %ecx
		mov $0x9E3779B9, %eax
	1:	imul $0x85EBCA6B, %eax, %edx
		shr $13, %edx
		xor %edx, %eax
		shl $3, %edx
		sar %cl, %edx
		add %edx, %ebx
		adc $0, %esi
		cmp %ebx, %eax
		setb %dl
		cmovl %ebx, %edi
		imul %ecx, %edi
		sub $1, %ecx
		jnz 1b
		jmp outer`)
	c, _ := newTestCPU(b, code)
	b.ResetTimer()
	start := c.Instructions
	for b.Loop() {
		c.Run(c.Cycles + 1_000_000)
	}
	b.ReportMetric(float64(c.Instructions-start)/b.Elapsed().Seconds()/1e6, "MIPS")
}
