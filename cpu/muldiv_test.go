package cpu

// This file tests MUL, IMUL, DIV and IDIV in the forms and edge cases the
// differential test does not reach: immediates of three-operand IMUL,
// divide errors and the state they leave, the most negative quotient.

import "testing"

func TestMulDiv(t *testing.T) {
	runOpTests(t, []opTest{
		{name: "mul 32 into edx:eax", src: "mul %ebx", in: regVals{EAX: 0x80000000, EBX: 4},
			want: regVals{EAX: 0, EDX: 2}, wantF: FlagCF | FlagOF, fmask: FlagCF | FlagOF},
		{name: "mul 16 into dx:ax", src: "mulw (%esi)", in: regVals{EAX: 0xAAAA0100, EDX: 0x55555555}, mem: map[uint32]uint32{0: 0x100},
			want: regVals{EAX: 0xAAAA0000, EDX: 0x55550001}, wantF: FlagCF | FlagOF, fmask: FlagCF | FlagOF},
		{name: "mul 8 fits", src: "mul %bl", in: regVals{EAX: 0x12340010, EBX: 0x0F, EDX: 9},
			want: regVals{EAX: 0x123400F0, EDX: 9}, wantF: 0, fmask: FlagCF | FlagOF},
		{name: "imul one operand negative", src: "imul %ecx", in: regVals{EAX: 0xFFFFFFFF, ECX: 2},
			want: regVals{EAX: 0xFFFFFFFE, EDX: 0xFFFFFFFF}, wantF: 0, fmask: FlagCF | FlagOF},
		{name: "imul three operands negative imm8", src: "imul $-3, %ebx, %ecx", in: regVals{EBX: 5},
			want: regVals{ECX: 0xFFFFFFF1, EBX: 5}, wantF: 0, fmask: FlagCF | FlagOF},
		{name: "imul three operands overflow", src: "imul $0x10000, (%esi), %edx", mem: map[uint32]uint32{0: 0x10000},
			want: regVals{EDX: 0}, wantF: FlagCF | FlagOF, fmask: FlagCF | FlagOF},
		{name: "imul word three operands", src: "imul $-1, %bx, %ax", in: regVals{EAX: 0x11110000, EBX: 0x8000},
			want: regVals{EAX: 0x11118000}, wantF: FlagCF | FlagOF, fmask: FlagCF | FlagOF},
		{name: "imul then jo reads the lazy overflow", src: "imul %ebx, %eax; jo 1f; mov $0, %ecx; 1:",
			in: regVals{EAX: 0x10000, EBX: 0x10000, ECX: 5}, want: regVals{ECX: 5}},
		{name: "div 32", src: "div %ecx", in: regVals{EDX: 1, EAX: 5, ECX: 2},
			want: regVals{EAX: 0x80000002, EDX: 1}},
		{name: "div 8 into al, ah", src: "divb (%esi)", in: regVals{EAX: 0xAAAA0107}, mem: map[uint32]uint32{0: 0x10},
			want: regVals{EAX: 0xAAAA0710}},
		{name: "div by zero raises #DE and changes nothing", src: "div %ecx", in: regVals{EDX: 1, EAX: 2, ECX: 0}, flags: FlagZF,
			exc: "#DE", want: regVals{EDX: 1, EAX: 2}, wantF: FlagZF, fmask: allArit},
		{name: "div quotient overflow raises #DE", src: "divw %cx", in: regVals{EDX: 0x10, EAX: 0, ECX: 0x10},
			exc: "#DE", want: regVals{EDX: 0x10, EAX: 0}},
		{name: "idiv most negative by -1 raises #DE", src: "idiv %ecx", in: regVals{EDX: 0xFFFFFFFF, EAX: 0x80000000, ECX: 0xFFFFFFFF},
			exc: "#DE", want: regVals{EDX: 0xFFFFFFFF, EAX: 0x80000000}},
		{name: "idiv byte to the most negative quotient", src: "idiv %bl", in: regVals{EAX: 0xFF00, EBX: 2},
			want: regVals{EAX: 0x0080}},
		{name: "idiv byte just past it raises #DE", src: "idiv %bl", in: regVals{EAX: 0xFF00, EBX: 0xFF},
			exc: "#DE", want: regVals{EAX: 0xFF00}},
		{name: "idiv remainder takes the dividend's sign", src: "idiv %ecx", in: regVals{EDX: 0xFFFFFFFF, EAX: 0xFFFFFFF9, ECX: 2},
			want: regVals{EAX: 0xFFFFFFFD, EDX: 0xFFFFFFFF}},
	})
}
