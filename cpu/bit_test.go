package cpu

// This file tests BT, BTS, BTR, BTC (register and immediate offsets, and
// the bit string a register offset addresses beyond a memory operand),
// BSF, BSR and BSWAP.

import "testing"

func TestBit(t *testing.T) {
	str := uint32(memAddr + 0x100) // the bit string's base (ESI)
	none := map[uint32]uint32{}
	runOpTests(t, []opTest{
		{name: "bts offset 33 reaches the next dword", src: "bts %ecx, (%esi)", in: regVals{ESI: str, ECX: 33}, mem: none,
			wantM: map[uint32]uint32{0x100: 0, 0x104: 2}, wantF: 0, fmask: FlagCF},
		{name: "bts offset -1 reaches the dword before", src: "bts %ecx, (%esi)", in: regVals{ESI: str, ECX: 0xFFFFFFFF},
			wantM: map[uint32]uint32{0xFC: 0x80000000, 0x100: 0}, fmask: FlagCF},
		{name: "bts offset -33", src: "bts %ecx, (%esi)", in: regVals{ESI: str, ECX: 0xFFFFFFDF},
			wantM: map[uint32]uint32{0xF8: 0x80000000, 0xFC: 0}, fmask: FlagCF},
		{name: "btr offset 1000", src: "btr %ecx, (%esi)", in: regVals{ESI: str, ECX: 1000}, mem: map[uint32]uint32{0x17C: 0x101},
			wantM: map[uint32]uint32{0x17C: 1}, wantF: FlagCF, fmask: FlagCF},
		{name: "btc word offset -1", src: "btcw %cx, (%esi)", in: regVals{ESI: str, ECX: 0xFFFF},
			wantM: map[uint32]uint32{0xFC: 0x80000000, 0x100: 0}, wantF: 0, fmask: FlagCF},
		{name: "bt word offset 17 reads the next word", src: "btw %cx, (%esi)", in: regVals{ESI: str, ECX: 17},
			mem: map[uint32]uint32{0x100: 0x00020000}, wantF: FlagCF, fmask: FlagCF},
		{name: "bt word offset is signed 16-bit", src: "btw %cx, (%esi)", in: regVals{ESI: str, ECX: 0x0001FFF0},
			mem: map[uint32]uint32{0xFC: 0x00010000}, wantF: FlagCF, fmask: FlagCF},
		{name: "bt immediate offset stays in the operand", src: "btl $33, (%esi)", in: regVals{ESI: str},
			mem: map[uint32]uint32{0x100: 2, 0x104: 0}, wantM: map[uint32]uint32{0x100: 2}, wantF: FlagCF, fmask: FlagCF},
		{name: "bt register offset is taken mod 32", src: "bt %ecx, %eax", in: regVals{EAX: 2, ECX: 33},
			want: regVals{EAX: 2}, wantF: FlagCF, fmask: FlagCF},
		{name: "bt keeps ZF", src: "bt $0, %eax", in: regVals{EAX: 1}, flags: FlagZF,
			wantF: FlagZF | FlagCF, fmask: FlagZF | FlagCF},
		{name: "bts register", src: "bts $31, %edx", in: regVals{EDX: 1}, want: regVals{EDX: 0x80000001}, fmask: FlagCF},
		{name: "btr word register", src: "btr %bx, %ax", in: regVals{EAX: 0xFFFFFFFF, EBX: 0x13},
			want: regVals{EAX: 0xFFFFFFF7}, wantF: FlagCF, fmask: FlagCF},
		{name: "bt of a read-only operand reads it", src: "bt $1, (%esi)", mem: map[uint32]uint32{0: 2},
			setup: readOnlyDS, wantF: FlagCF, fmask: FlagCF},
		{name: "bts of a read-only operand faults", src: "lock bts %ecx, (%esi)", in: regVals{ECX: 40}, mem: map[uint32]uint32{4: 0},
			setup: readOnlyDS, exc: "#GP", wantM: map[uint32]uint32{4: 0}},
		{name: "bsf of 0 keeps the destination", src: "bsf %ebx, %eax", in: regVals{EAX: 0x1234, EBX: 0},
			want: regVals{EAX: 0x1234}, wantF: FlagZF, fmask: FlagZF},
		{name: "bsf", src: "bsf %ebx, %eax", in: regVals{EBX: 0x80}, want: regVals{EAX: 7}, fmask: FlagZF},
		{name: "bsr", src: "bsr %ebx, %eax", in: regVals{EBX: 0x80000001}, want: regVals{EAX: 31}, fmask: FlagZF},
		{name: "bsf word of memory with only upper bits", src: "bsfw (%esi), %ax", in: regVals{EAX: 0x55555555},
			mem: map[uint32]uint32{0: 0x10000}, want: regVals{EAX: 0x55555555}, wantF: FlagZF, fmask: FlagZF},
		{name: "bsr word", src: "bsrw %bx, %ax", in: regVals{EAX: 0xAAAAAAAA, EBX: 0x0100},
			want: regVals{EAX: 0xAAAA0008}, fmask: FlagZF},
		{name: "bswap", src: "bswap %eax", in: regVals{EAX: 0x11223344}, want: regVals{EAX: 0x44332211}},
		{name: "bswap 16-bit clears the word", src: ".byte 0x66, 0x0f, 0xcb", in: regVals{EBX: 0x11223344},
			want: regVals{EBX: 0x11220000}},
	})
}
