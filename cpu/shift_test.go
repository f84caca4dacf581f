package cpu

// This file tests the shifts and rotates in the cases the differential
// test does not reach: a count of 0 (flags and memory untouched), counts
// masked to 5 bits, RCL/RCR of bytes and words by counts that wrap mod 9
// and mod 17, the flags a shift leaves read by the next instruction, and
// SHLD/SHRD by immediates and on memory.

import "testing"

func TestShift(t *testing.T) {
	runOpTests(t, []opTest{
		{name: "shl by 0 keeps flags", src: "shl $0, %eax", in: regVals{EAX: 0x80000000}, flags: FlagCF | FlagOF | FlagZF,
			want: regVals{EAX: 0x80000000}, wantF: FlagCF | FlagOF | FlagZF, fmask: allArit},
		{name: "shl by cl=32 (masked to 0) keeps flags", src: "shl %cl, %eax", in: regVals{EAX: 1, ECX: 32}, flags: FlagSF | FlagPF,
			want: regVals{EAX: 1}, wantF: FlagSF | FlagPF, fmask: allArit},
		{name: "sar byte in memory by 0 keeps it and the flags", src: "sarb $0, 2(%esi)", flags: FlagCF,
			mem: map[uint32]uint32{0: 0x80808080}, wantM: map[uint32]uint32{0: 0x80808080}, wantF: FlagCF, fmask: allArit},
		{name: "shl by cl=33 shifts by 1", src: "shl %cl, %eax", in: regVals{EAX: 0xC0000000, ECX: 33},
			want: regVals{EAX: 0x80000000}, wantF: FlagCF | FlagSF | FlagPF, fmask: fCZSO | FlagPF},
		{name: "shr by 1 sets OF from the old sign", src: "shr %eax", in: regVals{EAX: 0x80000001},
			want: regVals{EAX: 0x40000000}, wantF: FlagCF | FlagOF | FlagPF, fmask: fCZSO | FlagPF},
		{name: "sar by 31", src: "sar $31, %edx", in: regVals{EDX: 0x80000000},
			want: regVals{EDX: 0xFFFFFFFF}, wantF: FlagSF | FlagPF, fmask: FlagCF | FlagZF | FlagSF | FlagPF},
		{name: "sar byte by 9 fills with the sign", src: "sar %cl, %bh", in: regVals{EBX: 0x8000, ECX: 9},
			want: regVals{EBX: 0xFF00}, wantF: FlagCF | FlagSF | FlagPF, fmask: FlagCF | FlagZF | FlagSF | FlagPF},
		{name: "shl then jc reads the lazy carry", src: "shl $1, %eax; jc 1f; mov $0, %ebx; 1:",
			in: regVals{EAX: 0x80000000, EBX: 7}, want: regVals{EBX: 7, EAX: 0}},
		{name: "shr then adc reads the lazy carry", src: "shr $2, %eax; adc $0, %ebx",
			in: regVals{EAX: 0b110, EBX: 10}, want: regVals{EAX: 1, EBX: 11}},
		{name: "rol keeps SF ZF PF", src: "rol $4, %eax", in: regVals{EAX: 0x12345678}, flags: FlagZF | FlagSF | FlagPF | FlagAF,
			want: regVals{EAX: 0x23456781}, wantF: FlagZF | FlagSF | FlagPF | FlagAF | FlagCF, fmask: allArit &^ FlagOF},
		{name: "ror by 1 sets OF from the top bits", src: "ror %eax", in: regVals{EAX: 1},
			want: regVals{EAX: 0x80000000}, wantF: FlagCF | FlagOF, fmask: FlagCF | FlagOF},
		{name: "rol byte by 8 sets CF from bit 0", src: "rolb $8, (%esi)", mem: map[uint32]uint32{0: 0x01},
			wantM: map[uint32]uint32{0: 0x01}, wantF: FlagCF, fmask: FlagCF},
		{name: "rcl byte by 9 changes nothing", src: "stc; rcl %cl, %al", in: regVals{EAX: 0x55, ECX: 9},
			want: regVals{EAX: 0x55}, wantF: FlagCF, fmask: FlagCF},
		{name: "rcl byte by 10 rotates by 1", src: "stc; rcl %cl, %al", in: regVals{EAX: 0x80, ECX: 10},
			want: regVals{EAX: 0x01}, wantF: FlagCF, fmask: FlagCF},
		{name: "rcr word by 17 changes nothing", src: "clc; rcr %cl, %ax", in: regVals{EAX: 0x1234, ECX: 17},
			want: regVals{EAX: 0x1234}, wantF: 0, fmask: FlagCF},
		{name: "rcr word by 18 rotates by 1", src: "stc; rcrw $18, (%esi)", mem: map[uint32]uint32{0: 0xAAAA0001},
			wantM: map[uint32]uint32{0: 0xAAAA8000}, wantF: FlagCF, fmask: FlagCF},
		{name: "rcl dword by 31", src: "clc; rcl $31, %ebx", in: regVals{EBX: 2},
			want: regVals{EBX: 0x00000000}, wantF: FlagCF, fmask: FlagCF},
		{name: "shld by immediate", src: "shld $8, %ebx, %eax", in: regVals{EAX: 0x11223344, EBX: 0xAABBCCDD},
			want: regVals{EAX: 0x223344AA, EBX: 0xAABBCCDD}, wantF: FlagCF | FlagPF, fmask: FlagCF | FlagZF | FlagSF | FlagPF},
		{name: "shrd memory by cl", src: "shrd %cl, %ebx, 4(%esi)", in: regVals{EBX: 0xAABBCCDD, ECX: 4},
			mem: map[uint32]uint32{4: 0x11223348}, wantM: map[uint32]uint32{4: 0xD1122334}, wantF: FlagCF | FlagSF, fmask: fCZSO &^ FlagOF},
		{name: "shld word by 16 moves the source in", src: "shld $16, %bx, %ax", in: regVals{EAX: 0x5555ABCD, EBX: 0x1234},
			want: regVals{EAX: 0x55551234}, wantF: FlagCF, fmask: FlagCF | FlagZF | FlagSF},
		{name: "shrd by 0 keeps flags", src: "shrd $0, %ebx, %eax", in: regVals{EAX: 1, EBX: 2}, flags: FlagZF | FlagCF,
			want: regVals{EAX: 1}, wantF: FlagZF | FlagCF, fmask: allArit},
		{name: "shift of a read-only operand faults before the flags change", src: "shll $1, (%esi)", flags: FlagZF,
			mem: map[uint32]uint32{0: 0x80000000}, setup: readOnlyDS, exc: "#GP", wantM: map[uint32]uint32{0: 0x80000000},
			wantF: FlagZF, fmask: allArit},
	})
}
