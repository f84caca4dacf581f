package cpu

// This file tests the string instructions: every form alone and repeated,
// both directions, overlapping copies, 16-bit addressing, segment
// overrides, faults and interrupts in the middle of a repeated instruction,
// and self-modifying code written by string instructions.

import (
	"bytes"
	"fmt"
	"math/rand"
	"testing"
)

// Test data areas.
const (
	testSrc = 0x40000
	testDst = 0x50000
)

// haltStub is where the gates of withHaltIDT lead: HLT, then a jump back
// to it.
const haltStub = 0x3000

// withHaltIDT fills the IDT with 256 interrupt gates (DPL 3, selector 0x08)
// that lead to a HLT at haltStub.
func withHaltIDT(c *CPU) {
	copy(c.ram[haltStub:], []byte{0xF4, 0xEB, 0xFD}) // hlt; jmp .-1
	for v := 0; v < 256; v++ {
		lo := uint64(0x08)<<16 | haltStub&0xFFFF
		hi := uint64(haltStub&0xFFFF0000 | 0xEE00)
		putLE64(c.ram[testIDTBase+8*v:], hi<<32|lo)
	}
	c.IDTR = DescriptorTable{Base: testIDTBase, Limit: 256*8 - 1}
}

// stackDword reads the dword at ESP+off.
func stackDword(c *CPU, off uint32) uint32 {
	v, _ := c.ReadPhys(c.R[ESP]+off, 4)
	return v
}

// regNames names the general registers for messages.
var regNames = [...]string{"EAX", "ECX", "EDX", "EBX", "ESP", "EBP", "ESI", "EDI"}

// regs sets or expects general registers.
type regs map[int]uint32

// setDF sets or clears EFLAGS.DF.
func setDF(c *CPU, on bool) {
	f := c.EFLAGS() &^ FlagDF
	if on {
		f |= FlagDF
	}
	c.SetEFLAGS(f)
}

// asmCase is a table-driven instruction test: code assembled at
// testCodeBase and followed by HLT, run from the given registers and
// memory, and the registers, memory and flags expected at the HLT.
type asmCase struct {
	name      string
	src       string // the instruction(s) under test; HLT follows
	df        bool
	init      regs
	mem       map[uint32]string // initial RAM contents
	setup     func(c *CPU)
	want      regs
	wantMem   map[uint32]string
	wantDword map[uint32]uint32 // dwords expected in RAM
	wantEIP   uint32            // EIP after the HLT that stopped the code, if not 0
	flagMask  uint32            // flags to check
	wantFlags uint32
}

func (tc *asmCase) run(t *testing.T) {
	t.Helper()
	c, _ := newTestCPU(t, asm(t, tc.src+"\n\thlt"))
	for a, s := range tc.mem {
		copy(c.ram[a:], s)
	}
	for r, v := range tc.init {
		c.R[r] = v
	}
	setDF(c, tc.df)
	if tc.setup != nil {
		tc.setup(c)
	}
	desc := tc.name
	if tc.df {
		desc += " with DF=1"
	}
	if r := runToHalt(t, c, 1000000); r != StopHalt {
		t.Errorf("%s: stop = %v, want halt; fault: %v", desc, r, c.Fault)
		return
	}
	for r, v := range tc.want {
		if c.R[r] != v {
			t.Errorf("%s: %s = %#x, want %#x", desc, regNames[r], c.R[r], v)
		}
	}
	for a, s := range tc.wantMem {
		if got := string(c.ram[a : a+uint32(len(s))]); got != s {
			t.Errorf("%s: memory at %#x = %q, want %q", desc, a, got, s)
		}
	}
	if tc.wantEIP != 0 && c.EIP != tc.wantEIP {
		t.Errorf("%s: halted with EIP = %#x, want %#x", desc, c.EIP, tc.wantEIP)
	}
	for a, v := range tc.wantDword {
		if got, _ := c.ReadPhys(a, 4); got != v {
			t.Errorf("%s: dword at %#x = %#x, want %#x", desc, a, got, v)
		}
	}
	if f := c.EFLAGS() & tc.flagMask; f != tc.wantFlags {
		t.Errorf("%s: flags & %#x = %#x, want %#x", desc, tc.flagMask, f, tc.wantFlags)
	}
}

const cmpFlags = FlagZF | FlagCF | FlagSF | FlagOF

func TestStringInstructions(t *testing.T) {
	fsSeg := func(c *CPU) {
		c.Seg[FS] = Segment{Sel: 0x28, Base: 0x60000, Limit: 0xFFFF, Access: 0x4093}
		c.Seg[FS].update()
	}
	tests := []asmCase{
		// MOVS.
		{name: "MOVSB", src: "movsb", init: regs{ESI: testSrc, EDI: testDst},
			mem: map[uint32]string{testSrc: "ab"}, want: regs{ESI: testSrc + 1, EDI: testDst + 1},
			wantMem: map[uint32]string{testDst: "a\x00"}},
		{name: "MOVSW", src: "movsw", df: true, init: regs{ESI: testSrc + 2, EDI: testDst + 2},
			mem: map[uint32]string{testSrc: "abcd"}, want: regs{ESI: testSrc, EDI: testDst},
			wantMem: map[uint32]string{testDst: "\x00\x00cd"}},
		{name: "MOVSD", src: "movsl", init: regs{ESI: testSrc, EDI: testDst},
			mem: map[uint32]string{testSrc: "abcde"}, want: regs{ESI: testSrc + 4, EDI: testDst + 4},
			wantMem: map[uint32]string{testDst: "abcd\x00"}},
		{name: "REP MOVSB", src: "rep movsb", init: regs{ESI: testSrc, EDI: testDst, ECX: 5},
			mem: map[uint32]string{testSrc: "hello!"}, want: regs{ESI: testSrc + 5, EDI: testDst + 5, ECX: 0},
			wantMem: map[uint32]string{testDst: "hello\x00"}},
		{name: "REP MOVSB", src: "rep movsb", df: true, init: regs{ESI: testSrc + 4, EDI: testDst + 4, ECX: 5},
			mem: map[uint32]string{testSrc: "hello!"}, want: regs{ESI: testSrc - 1, EDI: testDst - 1, ECX: 0},
			wantMem: map[uint32]string{testDst - 1: "\x00hello\x00"}},
		{name: "REP MOVSW", src: "rep movsw", df: true, init: regs{ESI: testSrc + 2, EDI: testDst + 2, ECX: 2},
			mem: map[uint32]string{testSrc: "abcdef"}, want: regs{ESI: testSrc - 2, EDI: testDst - 2, ECX: 0},
			wantMem: map[uint32]string{testDst: "abcd\x00"}},
		{name: "REP MOVSD", src: "rep movsl", init: regs{ESI: testSrc, EDI: testDst, ECX: 2},
			mem: map[uint32]string{testSrc: "abcdefghij"}, want: regs{ESI: testSrc + 8, EDI: testDst + 8, ECX: 0},
			wantMem: map[uint32]string{testDst: "abcdefgh\x00"}},
		{name: "REP MOVSB with ECX=0", src: "rep movsb", init: regs{ESI: testSrc, EDI: testDst, ECX: 0},
			mem: map[uint32]string{testSrc: "x"}, want: regs{ESI: testSrc, EDI: testDst, ECX: 0},
			wantMem: map[uint32]string{testDst: "\x00"}},
		{name: "REP MOVSB overlapping forward (memset idiom)", src: "rep movsb",
			init: regs{ESI: testSrc, EDI: testSrc + 1, ECX: 7}, mem: map[uint32]string{testSrc: "x1234567"},
			want: regs{ECX: 0, ESI: testSrc + 7, EDI: testSrc + 8}, wantMem: map[uint32]string{testSrc: "xxxxxxxx"}},
		{name: "REP MOVSD overlapping forward by one byte", src: "rep movsl",
			init: regs{ESI: testSrc, EDI: testSrc + 1, ECX: 2}, mem: map[uint32]string{testSrc: "ABCDEFGHIJ"},
			wantMem: map[uint32]string{testSrc: "AABCDDFGHJ"}},
		{name: "REP MOVSW overlapping forward by two bytes", src: "rep movsw",
			init: regs{ESI: testSrc, EDI: testSrc + 2, ECX: 3}, mem: map[uint32]string{testSrc: "ABCDEFGH"},
			wantMem: map[uint32]string{testSrc: "ABABABAB"}},
		{name: "REP MOVSB overlapping backward", src: "rep movsb", df: true,
			init: regs{ESI: testSrc + 7, EDI: testSrc + 6, ECX: 7}, mem: map[uint32]string{testSrc: "01234567"},
			want: regs{ESI: testSrc, EDI: testSrc - 1}, wantMem: map[uint32]string{testSrc: "77777777"}},
		{name: "REP MOVSB destination below source (memmove-safe)", src: "rep movsb",
			init: regs{ESI: testSrc + 1, EDI: testSrc, ECX: 7}, mem: map[uint32]string{testSrc: "01234567"},
			wantMem: map[uint32]string{testSrc: "12345677"}},
		{name: "REP MOVSB destination above source", src: "rep movsb", df: true,
			init: regs{ESI: testSrc + 6, EDI: testSrc + 7, ECX: 7}, mem: map[uint32]string{testSrc: "01234567"},
			wantMem: map[uint32]string{testSrc: "00123456"}},
		{name: "ADDR16 REP MOVSB wraps SI, keeps the upper halves", src: "addr16 rep movsb",
			init: regs{ESI: 0xABCDFFFE, EDI: 0x12347FFF, ECX: 0x55550003},
			mem:  map[uint32]string{0xFFFE: "ab", 0: "c"},
			want: regs{ESI: 0xABCD0001, EDI: 0x12348002, ECX: 0x55550000}, wantMem: map[uint32]string{0x7FFF: "abc"}},
		{name: "ADDR16 REP MOVSW backward wraps DI", src: "addr16 rep movsw", df: true,
			init: regs{ESI: 0x4002, EDI: 0x0000, ECX: 2}, mem: map[uint32]string{0x4000: "abcd"},
			want: regs{ESI: 0x3FFE, EDI: 0xFFFC, ECX: 0}, wantMem: map[uint32]string{0: "cd", 0xFFFE: "ab"}},
		{name: "REP MOVSB with FS override", src: "rep movsb %fs:(%esi), %es:(%edi)", setup: fsSeg,
			init: regs{ESI: 0x10, EDI: testDst, ECX: 3}, mem: map[uint32]string{0x60010: "fs!", 0x10: "ds?"},
			want: regs{ESI: 0x13, ECX: 0}, wantMem: map[uint32]string{testDst: "fs!"}},
		{name: "MOVSD with FS override", src: "movsl %fs:(%esi), %es:(%edi)", setup: fsSeg,
			init: regs{ESI: 0x10, EDI: testDst}, mem: map[uint32]string{0x60010: "abcd"},
			wantMem: map[uint32]string{testDst: "abcd"}},

		// CMPS.
		{name: "CMPSB equal", src: "cmpsb", init: regs{ESI: testSrc, EDI: testDst},
			mem: map[uint32]string{testSrc: "a", testDst: "a"}, want: regs{ESI: testSrc + 1, EDI: testDst + 1},
			flagMask: cmpFlags, wantFlags: FlagZF},
		{name: "CMPSD below", src: "cmpsl", df: true, init: regs{ESI: testSrc, EDI: testDst},
			mem:  map[uint32]string{testSrc: "\x01\x00\x00\x00", testDst: "\x02\x00\x00\x00"},
			want: regs{ESI: testSrc - 4, EDI: testDst - 4}, flagMask: cmpFlags, wantFlags: FlagCF | FlagSF},
		{name: "REPE CMPSB stops at the first difference", src: "repe cmpsb",
			init: regs{ESI: testSrc, EDI: testDst, ECX: 10}, mem: map[uint32]string{testSrc: "abcXe", testDst: "abcYe"},
			want: regs{ESI: testSrc + 4, EDI: testDst + 4, ECX: 6}, flagMask: cmpFlags, wantFlags: FlagCF | FlagSF},
		{name: "REPE CMPSD all equal", src: "repe cmpsl",
			init: regs{ESI: testSrc, EDI: testDst, ECX: 2}, mem: map[uint32]string{testSrc: "abcdefgh", testDst: "abcdefgh"},
			want: regs{ESI: testSrc + 8, EDI: testDst + 8, ECX: 0}, flagMask: cmpFlags, wantFlags: FlagZF},
		{name: "REPNE CMPSW stops at the first equal word", src: "repne cmpsw",
			init: regs{ESI: testSrc, EDI: testDst, ECX: 10}, mem: map[uint32]string{testSrc: "aabbcc", testDst: "xxyycc"},
			want: regs{ESI: testSrc + 6, EDI: testDst + 6, ECX: 7}, flagMask: cmpFlags, wantFlags: FlagZF},
		{name: "REPE CMPSB with ECX=0 keeps the flags", src: "cmp %eax, %eax\n\trepe cmpsb",
			init: regs{ESI: testSrc, EDI: testDst, ECX: 0}, mem: map[uint32]string{testSrc: "a", testDst: "b"},
			want: regs{ESI: testSrc, EDI: testDst}, flagMask: cmpFlags, wantFlags: FlagZF},
		{name: "ADDR16 REPE CMPSB", src: "addr16 repe cmpsb",
			init: regs{ESI: 0xFFFF, EDI: 0x5000, ECX: 0x10003}, mem: map[uint32]string{0xFFFF: "a", 0: "bc", 0x5000: "abx"},
			want: regs{ESI: 0x0002, EDI: 0x5003, ECX: 0x10000}, flagMask: cmpFlags, wantFlags: FlagSF | FlagCF},

		// SCAS.
		{name: "SCASW", src: "scasw", init: regs{EAX: 0x6261, EDI: testDst},
			mem: map[uint32]string{testDst: "ab"}, want: regs{EDI: testDst + 2}, flagMask: cmpFlags, wantFlags: FlagZF},
		{name: "REPNE SCASB (strlen)", src: "repne scasb", init: regs{EAX: 0x1200, EDI: testDst, ECX: 0xFFFFFFFF},
			mem: map[uint32]string{testDst: "hello\x00"}, want: regs{EDI: testDst + 6, ECX: 0xFFFFFFFF - 6},
			flagMask: cmpFlags, wantFlags: FlagZF},
		{name: "REPNE SCASB not found", src: "repne scasb", init: regs{EAX: 'z', EDI: testDst, ECX: 3},
			mem: map[uint32]string{testDst: "abcz"}, want: regs{EDI: testDst + 3, ECX: 0},
			flagMask: FlagZF | FlagCF, wantFlags: 0},
		{name: "REPNE SCASB matching at once", src: "repne scasb", df: true, init: regs{EAX: 'a', EDI: testDst + 3, ECX: 10},
			mem: map[uint32]string{testDst: "abca"}, want: regs{EDI: testDst + 2, ECX: 9},
			flagMask: cmpFlags, wantFlags: FlagZF},
		{name: "REPNE SCASB backward", src: "repne scasb", df: true, init: regs{EAX: 'a', EDI: testDst + 2, ECX: 10},
			mem: map[uint32]string{testDst: "abca"}, want: regs{EDI: testDst - 1, ECX: 7},
			flagMask: cmpFlags, wantFlags: FlagZF},
		{name: "REPE SCASD", src: "repe scasl", init: regs{EAX: 0x64636261, EDI: testDst, ECX: 5},
			mem: map[uint32]string{testDst: "abcdabcdabce"}, want: regs{EDI: testDst + 12, ECX: 2},
			flagMask: FlagZF, wantFlags: 0},
		{name: "ADDR16 REPNE SCASB wraps DI", src: "addr16 repne scasb", init: regs{EAX: 'q', EDI: 0x7777FFFE, ECX: 100},
			mem: map[uint32]string{0xFFFE: "xy", 0: "q"}, want: regs{EDI: 0x77770001, ECX: 97},
			flagMask: FlagZF, wantFlags: FlagZF},

		// LODS.
		{name: "LODSB", src: "lodsb", init: regs{EAX: 0x11223344, ESI: testSrc},
			mem: map[uint32]string{testSrc: "\x99"}, want: regs{EAX: 0x11223399, ESI: testSrc + 1}},
		{name: "LODSW", src: "lodsw", df: true, init: regs{EAX: 0x11223344, ESI: testSrc},
			mem: map[uint32]string{testSrc: "\x99\x88"}, want: regs{EAX: 0x11228899, ESI: testSrc - 2}},
		{name: "LODSD", src: "lodsl", init: regs{ESI: testSrc},
			mem: map[uint32]string{testSrc: "\x01\x02\x03\x04"}, want: regs{EAX: 0x04030201, ESI: testSrc + 4}},
		{name: "REP LODSB leaves the last byte", src: "rep lodsb", init: regs{ESI: testSrc, ECX: 3},
			mem: map[uint32]string{testSrc: "xyz"}, want: regs{EAX: 'z', ESI: testSrc + 3, ECX: 0}},
		{name: "LODSB with CS override", src: "lodsb %cs:(%esi)", init: regs{ESI: testSrc},
			mem: map[uint32]string{testSrc: "k"}, want: regs{EAX: 'k'}},

		// STOS.
		{name: "STOSB", src: "stosb", init: regs{EAX: 0x41, EDI: testDst},
			want: regs{EDI: testDst + 1}, wantMem: map[uint32]string{testDst: "A\x00"}},
		{name: "STOSW", src: "stosw", df: true, init: regs{EAX: 0x4241, EDI: testDst},
			want: regs{EDI: testDst - 2}, wantMem: map[uint32]string{testDst: "AB\x00"}},
		{name: "STOSD", src: "stosl", init: regs{EAX: 0x44434241, EDI: testDst},
			want: regs{EDI: testDst + 4}, wantMem: map[uint32]string{testDst: "ABCD\x00"}},
		{name: "REP STOSB", src: "rep stosb", init: regs{EAX: 'z', EDI: testDst, ECX: 9},
			want: regs{EDI: testDst + 9, ECX: 0}, wantMem: map[uint32]string{testDst: "zzzzzzzzz\x00"}},
		{name: "REP STOSB", src: "rep stosb", df: true, init: regs{EAX: 'z', EDI: testDst + 8, ECX: 9},
			want: regs{EDI: testDst - 1, ECX: 0}, wantMem: map[uint32]string{testDst - 1: "\x00zzzzzzzzz\x00"}},
		{name: "REP STOSW", src: "rep stosw", init: regs{EAX: 0x4241, EDI: testDst, ECX: 3},
			want: regs{EDI: testDst + 6}, wantMem: map[uint32]string{testDst: "ABABAB\x00"}},
		{name: "REP STOSD", src: "rep stosl", df: true, init: regs{EAX: 0x44434241, EDI: testDst + 4, ECX: 3},
			want: regs{EDI: testDst - 8}, wantMem: map[uint32]string{testDst - 4: "ABCDABCDABCD\x00"}},
		{name: "REP STOSD with ECX=0", src: "rep stosl", init: regs{EAX: 0x44434241, EDI: testDst, ECX: 0},
			want: regs{EDI: testDst}, wantMem: map[uint32]string{testDst: "\x00"}},
		{name: "ADDR16 REP STOSW wraps DI", src: "addr16 rep stosw", init: regs{EAX: 0x5958, EDI: 0xFFFE, ECX: 2},
			want: regs{EDI: 0x0002, ECX: 0}, wantMem: map[uint32]string{0xFFFE: "XY", 0: "XY"}},
		{name: "REP STOSB into a non-flat ES", src: "rep stosb", setup: func(c *CPU) {
			c.Seg[ES] = Segment{Sel: 0x28, Base: 0x60000, Limit: 0xFFFF, Access: 0x4093}
			c.Seg[ES].update()
		}, init: regs{EAX: 'e', EDI: 0x20, ECX: 2}, want: regs{EDI: 0x22}, wantMem: map[uint32]string{0x60020: "ee", 0x20: "\x00"}},
	}
	for _, tc := range tests {
		tc.run(t)
	}
}

// refMovs is the reference model of REP MOVS on a byte slice: element by
// element, as the SDM describes it.
func refMovs(mem []byte, src, dst, n uint32, size uint32, down bool) {
	for i := uint32(0); i < n; i++ {
		var v [4]byte
		copy(v[:size], mem[src:src+size])
		copy(mem[dst:dst+size], v[:size])
		if down {
			src, dst = src-size, dst-size
		} else {
			src, dst = src+size, dst+size
		}
	}
}

// TestRepMovsMatchesModel runs REP MOVS with random overlapping operands
// through the bulk path (32-bit addressing) and the per-iteration path
// (16-bit addressing) and compares both with the reference model.
func TestRepMovsMatchesModel(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, size := range []uint32{1, 2, 4} {
		op := map[uint32]string{1: "movsb", 2: "movsw", 4: "movsl"}[size]
		for _, prefix := range []string{"rep ", "addr16 rep "} {
			code := asm(t, prefix+op+"\n\thlt")
			for i := 0; i < 200; i++ {
				const base = 0x8000
				n := uint32(rng.Intn(40))
				src := base + uint32(rng.Intn(64))
				dst := src + uint32(rng.Intn(16)) - 8
				if rng.Intn(4) == 0 {
					dst = base + uint32(rng.Intn(256))
				}
				down := rng.Intn(2) == 1
				c, _ := newTestCPU(t, code)
				for a := uint32(0); a < 1024; a++ {
					c.ram[base-256+a] = byte(rng.Intn(256))
				}
				want := bytes.Clone(c.ram[:0x10000])
				refMovs(want, src, dst, n, size, down)
				c.R[ESI], c.R[EDI], c.R[ECX] = src, dst, n
				setDF(c, down)
				if r := runToHalt(t, c, 10000); r != StopHalt {
					t.Fatalf("%s%s: stop = %v: %v", prefix, op, r, c.Fault)
				}
				if !bytes.Equal(c.ram[:0x10000], want) {
					t.Fatalf("%s%s with ESI=%#x EDI=%#x ECX=%d DF=%v: memory differs from the reference model", prefix, op, src, dst, n, down)
				}
				adv := n * size
				if down {
					adv = -adv
				}
				if c.R[ESI] != src+adv || c.R[EDI] != dst+adv || c.R[ECX] != 0 {
					t.Fatalf("%s%s with ESI=%#x EDI=%#x ECX=%d DF=%v: ESI, EDI, ECX = %#x, %#x, %d, want %#x, %#x, 0",
						prefix, op, src, dst, n, down, c.R[ESI], c.R[EDI], c.R[ECX], src+adv, dst+adv)
				}
			}
		}
	}
}

func TestInsOuts(t *testing.T) {
	t.Run("REP OUTSB", func(t *testing.T) {
		c, bus := newTestCPU(t, asm(t, "rep outsb\n\thlt"))
		copy(c.ram[testSrc:], "hi!")
		c.R[ESI], c.R[ECX], c.R[EDX] = testSrc, 3, 0x3F8
		if r := runToHalt(t, c, 10000); r != StopHalt {
			t.Fatalf("stop = %v: %v", r, c.Fault)
		}
		want := []portWrite{{0x3F8, 1, 'h'}, {0x3F8, 1, 'i'}, {0x3F8, 1, '!'}}
		if fmt.Sprint(bus.out) != fmt.Sprint(want) {
			t.Errorf("REP OUTSB: port writes = %v, want %v", bus.out, want)
		}
		if c.R[ESI] != testSrc+3 || c.R[ECX] != 0 {
			t.Errorf("REP OUTSB: ESI, ECX = %#x, %d, want %#x, 0", c.R[ESI], c.R[ECX], testSrc+3)
		}
		if c.Cycles < 3*costPortIO {
			t.Errorf("REP OUTSB of 3 bytes took %d cycles, want at least %d", c.Cycles, 3*costPortIO)
		}
	})
	t.Run("OUTSD backward", func(t *testing.T) {
		c, bus := newTestCPU(t, asm(t, "outsl\n\thlt"))
		copy(c.ram[testSrc:], "\x01\x02\x03\x04")
		c.R[ESI], c.R[EDX] = testSrc, 0x80
		setDF(c, true)
		runToHalt(t, c, 10000)
		if len(bus.out) != 1 || bus.out[0] != (portWrite{0x80, 4, 0x04030201}) || c.R[ESI] != testSrc-4 {
			t.Errorf("OUTSD: port writes = %v, ESI = %#x; want [{0x80 4 0x4030201}], %#x", bus.out, c.R[ESI], testSrc-4)
		}
	})
	t.Run("REP INSW", func(t *testing.T) {
		c, bus := newTestCPU(t, asm(t, "rep insw (%dx), %es:(%edi)\n\thlt"))
		bus.in[0x1F0] = 0xBEEF
		c.R[EDI], c.R[ECX], c.R[EDX] = testDst, 2, 0x1F0
		runToHalt(t, c, 10000)
		if got := c.ram[testDst : testDst+5]; !bytes.Equal(got, []byte{0xEF, 0xBE, 0xEF, 0xBE, 0}) {
			t.Errorf("REP INSW: memory = % x, want ef be ef be 00", got)
		}
		if c.R[EDI] != testDst+4 || c.R[ECX] != 0 {
			t.Errorf("REP INSW: EDI, ECX = %#x, %d, want %#x, 0", c.R[EDI], c.R[ECX], testDst+4)
		}
	})
	t.Run("INSB", func(t *testing.T) {
		c, bus := newTestCPU(t, asm(t, "insb (%dx), %es:(%edi)\n\thlt"))
		bus.in[0x60] = 0x5A
		c.R[EDI], c.R[EDX] = testDst, 0x60
		runToHalt(t, c, 10000)
		if c.ram[testDst] != 0x5A || c.R[EDI] != testDst+1 {
			t.Errorf("INSB: [EDI] = %#x, EDI = %#x, want 0x5a, %#x", c.ram[testDst], c.R[EDI], testDst+1)
		}
	})
	for _, allowed := range []bool{false, true} {
		t.Run(fmt.Sprintf("REP OUTSB at CPL 3, port allowed by the TSS bitmap: %v", allowed), func(t *testing.T) {
			c, bus := newTestCPU(t, asm(t, "rep outsb\n\tjmp ."))
			toUserMode(c)
			// A TSS at 0x4000 whose I/O bitmap (at 0x68) covers ports 0–0x3FF.
			const tss = 0x4000
			c.TR = Segment{Sel: 0x30, Base: tss, Limit: 0x68 + 0x80, Access: 0x8B}
			c.ram[tss+0x66] = 0x68
			if !allowed {
				c.ram[tss+0x68+0x3F8/8] = 1 << (0x3F8 % 8)
			}
			c.R[ESI], c.R[ECX], c.R[EDX] = testSrc, 3, 0x3F8
			r := c.Run(10000)
			if allowed {
				if len(bus.out) != 3 || c.R[ECX] != 0 {
					t.Errorf("REP OUTSB at CPL 3 to an allowed port: %d port writes, ECX = %d; want 3, 0 (%v)", len(bus.out), c.R[ECX], c.Fault)
				}
				return
			}
			if len(bus.out) != 0 || c.R[ECX] != 3 || c.R[ESI] != testSrc {
				t.Errorf("REP OUTSB at CPL 3, IOPL 0: port writes %v, ECX = %d, ESI = %#x; want none, 3, %#x", bus.out, c.R[ECX], c.R[ESI], testSrc)
			}
			// No IDT: the #GP becomes a triple fault, which reports it.
			if r != StopShutdown || c.Fault == nil || c.Fault.Vector != excGP || c.Fault.EIP != testCodeBase {
				t.Errorf("REP OUTSB at CPL 3: stop = %v, fault %v; want shutdown reporting #GP at %#x", r, c.Fault, testCodeBase)
			}
		})
	}
	t.Run("REP INSB with ECX=0 does not touch the port", func(t *testing.T) {
		c, _ := newTestCPU(t, asm(t, "rep insb (%dx), %es:(%edi)\n\thlt"))
		c.bus = &fakeBus{missing: true}
		c.R[EDI], c.R[EDX] = testDst, 0x60
		if r := runToHalt(t, c, 10000); r != StopHalt {
			t.Errorf("REP INSB with ECX=0: stop = %v, want halt (%v)", r, c.Fault)
		}
	})
}

// toUserMode switches the test CPU to CPL 3 with the DPL 3 flat segments.
func toUserMode(c *CPU) {
	c.Seg[CS] = Segment{Sel: 0x1B, Base: 0, Limit: 0xFFFFFFFF, Access: 0xC0FB}
	for _, s := range []int{DS, ES, SS, FS, GS} {
		c.Seg[s] = Segment{Sel: 0x23, Base: 0, Limit: 0xFFFFFFFF, Access: 0xC0F3}
		c.Seg[s].update()
	}
	c.Seg[CS].update()
	c.CPL = 3
}

// TestRepFaultMidway checks that a fault in the middle of a repeated
// instruction leaves the registers as the completed iterations left them
// and the instruction's address on the exception frame.
func TestRepFaultMidway(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		setup   func(c *CPU)
		init    regs
		want    regs
		vector  uint8
		wantMem map[uint32]string
	}{
		{name: "REP STOSB past the ES limit", src: "rep stosb",
			setup: func(c *CPU) {
				c.Seg[ES] = Segment{Sel: 0x28, Base: 0x60000, Limit: 0x0FFF, Access: 0x4093}
				c.Seg[ES].update()
			},
			init: regs{EAX: 'q', EDI: 0xFFC, ECX: 10}, want: regs{EDI: 0x1000, ECX: 6}, vector: excGP,
			wantMem: map[uint32]string{0x60FFC: "qqqq", 0x61000: "\x00"}},
		{name: "REP MOVSD reading past the DS limit", src: "rep movsl",
			setup: func(c *CPU) {
				c.Seg[DS] = Segment{Sel: 0x28, Base: 0x60000, Limit: 0x0FFF, Access: 0x4093}
				c.Seg[DS].update()
			},
			init: regs{ESI: 0xFF8, EDI: testDst, ECX: 4}, want: regs{ESI: 0x1000, EDI: testDst + 8, ECX: 2}, vector: excGP},
		{name: "ADDR16 REP MOVSB through a 16-bit limit", src: "addr16 rep movsb",
			setup: func(c *CPU) {
				c.Seg[ES] = Segment{Sel: 0x28, Base: 0x60000, Limit: 0x0001, Access: 0x0093}
				c.Seg[ES].update()
			},
			init: regs{ESI: testSrc, EDI: 0xFFFF0000, ECX: 0xFFFF0005}, want: regs{ESI: testSrc + 2, EDI: 0xFFFF0002, ECX: 0xFFFF0003}, vector: excGP},
		{name: "REPE CMPSB reading past the ES limit", src: "repe cmpsb",
			setup: func(c *CPU) {
				c.Seg[ES] = Segment{Sel: 0x28, Base: 0, Limit: testDst + 1, Access: 0x4093}
				c.Seg[ES].update()
			},
			init: regs{ESI: testSrc, EDI: testDst, ECX: 5}, want: regs{ESI: testSrc + 2, EDI: testDst + 2, ECX: 3}, vector: excGP},
		{name: "REP LODSD from a non-present segment", src: "rep lodsl %fs:(%esi)",
			setup: func(c *CPU) {
				c.Seg[FS] = Segment{Sel: 0x28, Base: 0, Limit: 0xFFFF, Access: 0x4013}
				c.Seg[FS].update()
			},
			init: regs{ESI: testSrc, ECX: 5}, want: regs{ESI: testSrc, ECX: 5}, vector: excGP},
	}
	for _, tc := range tests {
		c, _ := newTestCPU(t, asm(t, tc.src+"\n\thlt"))
		withHaltIDT(c)
		for r, v := range tc.init {
			c.R[r] = v
		}
		tc.setup(c)
		if r := runToHalt(t, c, 10000); r != StopHalt {
			t.Fatalf("%s: stop = %v, want halt in the exception handler (%v)", tc.name, r, c.Fault)
		}
		for r, v := range tc.want {
			if c.R[r] != v {
				t.Errorf("%s: %s = %#x, want %#x", tc.name, regNames[r], c.R[r], v)
			}
		}
		if eip := stackDword(c, 4); eip != testCodeBase || c.EIP != haltStub+1 {
			t.Errorf("%s: stacked EIP = %#x, EIP = %#x; want the fault at %#x delivered to the stub", tc.name, eip, c.EIP, testCodeBase)
		}
		for a, s := range tc.wantMem {
			if got := string(c.ram[a : a+uint32(len(s))]); got != s {
				t.Errorf("%s: memory at %#x = %q, want %q", tc.name, a, got, s)
			}
		}
	}
}

// TestRepBusErrorMidway checks that a repeated instruction that runs off the
// end of RAM stops the CPU with registers describing the bytes copied.
func TestRepBusErrorMidway(t *testing.T) {
	c, _ := newTestCPU(t, asm(t, "rep stosb\n\thlt"))
	c.R[EDI], c.R[ECX], c.R[EAX] = testRAM-3, 10, 'w'
	if r := runToHalt(t, c, 10000); r != StopBusError {
		t.Fatalf("REP STOSB off the end of RAM: stop = %v, want bus error", r)
	}
	if c.R[EDI] != testRAM || c.R[ECX] != 7 || c.EIP != testCodeBase || c.Fault == nil {
		t.Errorf("REP STOSB off the end of RAM: EDI, ECX, EIP = %#x, %d, %#x, fault %v; want %#x, 7, %#x and a report",
			c.R[EDI], c.R[ECX], c.EIP, c.Fault, testRAM, testCodeBase)
	}
	if string(c.ram[testRAM-3:]) != "www" {
		t.Errorf("REP STOSB off the end of RAM: last bytes = %q, want \"www\"", c.ram[testRAM-3:])
	}
}

// TestRepInterruptible checks that a long repeated instruction stops at the
// cycle limit with EIP at itself and resumes where it left off, for the
// bulk and the per-iteration paths.
func TestRepInterruptible(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		n         uint32
	}{
		{"REP MOVSB", "rep movsb", 5000},
		{"REP MOVSD", "rep movsl", 3000},
		{"ADDR16 REP MOVSB", "addr16 rep movsb", 5000},
		{"REP STOSB", "rep stosb", 5000},
		{"ADDR16 REP STOSW", "addr16 rep stosw", 3000},
		{"REPNE SCASB", "repne scasb", 5000},
		{"REPE CMPSB", "repe cmpsb", 5000},
		{"REP LODSB", "rep lodsb", 5000},
	} {
		code := asm(t, "mov %ebx, %ebx\n\tmov %ebx, %ebx\n\t"+tc.src+"\n\thlt")
		c, _ := newTestCPU(t, code)
		for i := uint32(0); i < 4*tc.n; i++ {
			c.ram[0x8000+i] = byte(i%251) + 1
		}
		c.R[ESI], c.R[EDI], c.R[ECX], c.R[EAX] = 0x8000, 0x8000, tc.n, 0
		const slice = 700
		stops := 0
		for {
			start := c.Cycles
			r := c.Run(start + slice)
			if r == StopHalt {
				break
			}
			if r != StopLimit {
				t.Fatalf("%s: stop = %v, want limit or halt (%v)", tc.name, r, c.Fault)
			}
			if c.Cycles != start+slice {
				t.Errorf("%s: stopped at cycle %d, want exactly the limit %d", tc.name, c.Cycles, start+slice)
			}
			if c.EIP != testCodeBase+4 {
				t.Fatalf("%s: stopped with EIP = %#x, want the REP instruction at %#x", tc.name, c.EIP, testCodeBase+4)
			}
			if stops++; stops > 100 {
				t.Fatalf("%s: no progress: ECX = %d", tc.name, c.R[ECX])
			}
		}
		if stops < 4 {
			t.Errorf("%s with ECX=%d: stopped %d times at a %d-cycle limit, want at least 4", tc.name, tc.n, stops, slice)
		}
		if c.R[ECX]&0xFFFF != 0 {
			t.Errorf("%s: ECX = %d at the end, want 0", tc.name, c.R[ECX])
		}
	}
}

// TestRepInterruptedByDevice checks that an interrupt raised by a device
// during REP OUTSB is taken between two iterations.
func TestRepInterruptedByDevice(t *testing.T) {
	c, fb := newTestCPU(t, asm(t, "rep outsb\n\thlt"))
	withHaltIDT(c)
	bus := &interruptingBus{fakeBus: fb, c: c, after: 2, vector: 0x30}
	c.bus = bus
	copy(c.ram[testSrc:], "abcdef")
	c.R[ESI], c.R[ECX], c.R[EDX] = testSrc, 6, 0x3F8
	c.SetEFLAGS(c.EFLAGS() | FlagIF)
	runToHalt(t, c, 100000)
	if len(fb.out) != 2 || c.R[ECX] != 4 || c.R[ESI] != testSrc+2 {
		t.Errorf("REP OUTSB interrupted after 2 bytes: %d bytes written, ECX = %d, ESI = %#x; want 2, 4, %#x",
			len(fb.out), c.R[ECX], c.R[ESI], testSrc+2)
	}
	if c.EIP != haltStub+1 || stackDword(c, 0) != testCodeBase {
		t.Errorf("REP OUTSB interrupted: EIP = %#x, stacked EIP = %#x; want the handler and %#x", c.EIP, stackDword(c, 0), testCodeBase)
	}
}

// interruptingBus raises an interrupt at its CPU after a number of port
// writes.
type interruptingBus struct {
	*fakeBus
	c      *CPU
	after  int
	vector uint8
}

func (b *interruptingBus) Out(cpu int, port uint16, size int, v uint32) bool {
	ok := b.fakeBus.Out(cpu, port, size, v)
	if len(b.out) == b.after {
		b.vectors = append(b.vectors, b.vector)
		b.c.Interrupt()
	}
	return ok
}

// TestStringSelfModifyingCode checks that code written by string
// instructions runs as written: code already translated in another block,
// and code earlier in the block of the writing instruction.
func TestStringSelfModifyingCode(t *testing.T) {
	t.Run("REP STOSB over a translated subroutine", func(t *testing.T) {
		c, _ := newTestCPU(t, asm(t, `
			call patchme
			mov %ebx, %edx
			lea patchme, %edi
			mov $0x90, %al
			mov $5, %ecx
			rep stosb
			xor %ebx, %ebx
			call patchme
			hlt
		patchme:
			mov $1, %ebx
			ret`))
		runToHalt(t, c, 10000)
		if c.R[EDX] != 1 || c.R[EBX] != 0 {
			t.Errorf("REP STOSB of NOPs over MOV $1, EBX: EBX = %d before, %d after; want 1, 0", c.R[EDX], c.R[EBX])
		}
	})
	t.Run("REP MOVSB of new code over a translated subroutine", func(t *testing.T) {
		c, _ := newTestCPU(t, asm(t, `
			call patchme
			mov %ebx, %edx
			lea newcode, %esi
			lea patchme, %edi
			mov $5, %ecx
			rep movsb
			call patchme
			hlt
		newcode:
			mov $2, %ebx
		patchme:
			mov $1, %ebx
			ret`))
		runToHalt(t, c, 10000)
		if c.R[EDX] != 1 || c.R[EBX] != 2 {
			t.Errorf("REP MOVSB of MOV $2, EBX over MOV $1, EBX: EBX = %d before, %d after; want 1, 2", c.R[EDX], c.R[EBX])
		}
	})
	for _, addr16 := range []bool{false, true} {
		// The block at again ends with the REP STOSB, which overwrites the
		// ADD at its start with NOPs: later passes must run the NOPs.
		load, prefix := uint32(testCodeBase), ""
		if addr16 {
			load, prefix = 0x8000, "addr16 " // below 64 KiB
		}
		t.Run(prefix+"REP STOSB over its own block", func(t *testing.T) {
			c, _ := newTestCPU(t, nil)
			copy(c.ram[load:], asm(t, fmt.Sprintf(`
				xor %%ebx, %%ebx
				xor %%edx, %%edx
			again:
				add $1, %%ebx
				mov $0x90, %%al
				mov $3, %%ecx
				lea again-%#x, %%edi
				%srep stosb
				inc %%edx
				cmp $3, %%edx
				jne again
				hlt`, testCodeBase-load, prefix)))
			c.EIP = load
			runToHalt(t, c, 10000)
			if c.R[EBX] != 1 || c.R[EDX] != 3 {
				t.Errorf("%sREP STOSB of NOPs over ADD $1, EBX in its own block, 3 passes: EBX = %d, EDX = %d; want 1, 3", prefix, c.R[EBX], c.R[EDX])
			}
		})
	}
	t.Run("REP STOSB over its own bytes completes", func(t *testing.T) {
		// The REP STOSB overwrites itself and the HLT after it with NOPs;
		// the instruction completes and execution runs into the RET.
		c, _ := newTestCPU(t, asm(t, `
			call 1f
			mov $7, %edx
			hlt
		1:	lea 2f, %edi
			mov $0x90, %al
			mov $3, %ecx
		2:	rep stosb
			hlt
			ret`))
		runToHalt(t, c, 10000)
		if c.R[EDX] != 7 || c.R[ECX] != 0 {
			t.Errorf("REP STOSB over itself: EDX = %d, ECX = %d; want 7 (ran into the RET), 0", c.R[EDX], c.R[ECX])
		}
	})
}

// benchmarkRep runs a loop of a repeated string instruction over 4 KiB
// buffers and reports the guest bytes moved per host second.
func benchmarkRep(b *testing.B, src string, bytesPerIter int) {
	code := asm(b, `
	1:	mov $0x40000, %esi
		mov $0x50000, %edi
		mov $`+fmt.Sprint(4096/bytesPerIter)+`, %ecx
		`+src+`
		jmp 1b`)
	c, _ := newTestCPU(b, code)
	start := c.Cycles
	for b.Loop() {
		c.Run(c.Cycles + 1_000_000)
	}
	iters := (c.Cycles - start) / costStringIter // upper bound: the loop's own cycles are few
	b.ReportMetric(float64(iters)*float64(bytesPerIter)/b.Elapsed().Seconds()/1e6, "guestMB/s")
}

func BenchmarkRepMovsb(b *testing.B)       { benchmarkRep(b, "rep movsb", 1) }
func BenchmarkRepMovsd(b *testing.B)       { benchmarkRep(b, "rep movsl", 4) }
func BenchmarkRepStosb(b *testing.B)       { benchmarkRep(b, "rep stosb", 1) }
func BenchmarkRepStosd(b *testing.B)       { benchmarkRep(b, "rep stosl", 4) }
func BenchmarkRepMovsbAddr16(b *testing.B) { benchmarkRep(b, "addr16 rep movsb", 1) }
