package cpu

// This file tests the system instructions (ops_system.go, ops_flags.go,
// ops_io.go, segments.go) and holds the helpers the system tests share: a
// GDT with more descriptors than newTestCPU's, a TSS, an IDT of halting
// stubs, user-mode entry and exception capture.

import (
	"strings"
	"testing"
)

// System test layout, inside newTestCPU's 1 MiB.
const (
	sysTSSBase   = 0x3000  // the 32-bit TSS (selector selTSS)
	sysLDTBase   = 0x3800  // the LDT (selector selLDT)
	sysKStackTop = 0x70000 // SS0:ESP0 in the TSS
	sysUStackTop = 0x60000 // user stack
	sysStubBase  = 0x20000 // an HLT for each vector, 16 bytes apart
	sysScratch   = 0x5000  // where test code stores what it saw
	sysIOBitmap  = 0x68    // offset of the I/O permission bitmap in the TSS
	sysIOPorts   = 0x2000  // ports the bitmap covers
)

// Selectors of the system test GDT (newTestCPU's 0x08–0x23, then these).
const (
	selCode0     = 0x08
	selData0     = 0x10
	selCode3     = 0x1B
	selData3     = 0x23
	selTSS       = 0x28 // 32-bit TSS, DPL 0
	selSmallData = 0x30 // data, DPL 0, base 0x4000, limit 0xFFF
	selAbsent    = 0x38 // data, DPL 0, not present
	selCode16    = 0x40 // 16-bit code, DPL 0, base testCodeBase, limit 0xFFFF
	selConform   = 0x48 // conforming code, DPL 0, flat
	selExecOnly  = 0x50 // execute-only code, DPL 0, flat
	selLDTDesc   = 0x58 // the LDT
	selCode3Abs  = 0x60 // code, DPL 3, not present
	selData16    = 0x68 // 16-bit data (B = 0), DPL 0, base 0, limit 0xFFFF
	selLDTData   = 0x0C // LDT entry 1: flat data, DPL 0 (TI = 1)
)

// segDesc builds a code or data descriptor: access is the access byte,
// flags the high nibble (G = 8, D/B = 4).
func segDesc(base, limit uint32, access, flags uint8) uint64 {
	lo := uint64(limit&0xFFFF) | uint64(base&0xFFFF)<<16
	hi := uint64(base>>16&0xFF) | uint64(access)<<8 | uint64(limit>>16&0xF)<<16 |
		uint64(flags)<<20 | uint64(base>>24)<<24
	return lo | hi<<32
}

// setDesc writes descriptor d at selector sel of the GDT, growing GDTR.
func setDesc(c *CPU, sel uint16, d uint64) {
	putLE64(c.ram[testGDTBase+uint32(sel&^7):], d)
	if l := uint16(sel&^7) + 7; l > c.GDTR.Limit {
		c.GDTR.Limit = l
	}
}

// Gate types for setGate.
const (
	intGate32  = 0xE
	trapGate32 = 0xF
	intGate16  = 0x6
	trapGate16 = 0x7
	taskGate   = 0x5
)

// setGate writes an IDT gate; present false leaves the P bit clear.
func setGate(c *CPU, vec uint8, sel uint16, off uint32, typ uint8, dpl int, present bool) {
	lo := off&0xFFFF | uint32(sel)<<16
	hi := off&0xFFFF0000 | uint32(dpl)<<13 | uint32(typ)<<8
	if present {
		hi |= 0x8000
	}
	a := testIDTBase + 8*uint32(vec)
	putLE64(c.ram[a:], uint64(lo)|uint64(hi)<<32)
}

// stubAddr is the address of the HLT that vector v's gate points to.
func stubAddr(v uint8) uint32 { return sysStubBase + 16*uint32(v) }

// newSysCPU returns newTestCPU's machine with the system test GDT, a TSS
// (SS0:ESP0 = 0x10:sysKStackTop, an I/O bitmap allowing ports 0x80 and
// 0x84–0x87 only) loaded in TR, the LDT in LDTR, and an IDT whose every vector has a
// 32-bit DPL 0 interrupt gate to its HLT stub.
func newSysCPU(t testing.TB, code []byte) (*CPU, *fakeBus) {
	t.Helper()
	c, bus := newTestCPU(t, code)
	setDesc(c, selTSS, segDesc(sysTSSBase, sysIOBitmap+sysIOPorts/8, 0x89, 0))
	setDesc(c, selSmallData, segDesc(0x4000, 0xFFF, 0x93, 0x4))
	setDesc(c, selAbsent, segDesc(0, 0xFFFFF, 0x13, 0xC))
	setDesc(c, selCode16, segDesc(testCodeBase, 0xFFFF, 0x9B, 0))
	setDesc(c, selConform, segDesc(0, 0xFFFFF, 0x9F, 0xC))
	setDesc(c, selExecOnly, segDesc(0, 0xFFFFF, 0x99, 0xC))
	setDesc(c, selLDTDesc, segDesc(sysLDTBase, 0x17, 0x82, 0))
	setDesc(c, selCode3Abs, segDesc(0, 0xFFFFF, 0x7B, 0xC))
	setDesc(c, selData16, segDesc(0, 0xFFFF, 0x93, 0))
	putLE64(c.ram[sysLDTBase+8:], segDesc(0, 0xFFFFF, 0x93, 0xC))

	tss := c.ram[sysTSSBase:]
	putLE32(tss[4:], sysKStackTop)
	putLE32(tss[8:], selData0)
	tss[0x66], tss[0x67] = sysIOBitmap, 0
	for i := 0; i <= sysIOPorts/8; i++ {
		tss[sysIOBitmap+i] = 0xFF
	}
	tss[sysIOBitmap+0x80/8] = 0xFE   // port 0x80 allowed, 0x81–0x87 not…
	tss[sysIOBitmap+0x80/8] &^= 0xF0 // …but 0x84–0x87 allowed
	c.TR = loadTestSeg(c, selTSS)
	c.LDTR = loadTestSeg(c, selLDTDesc)
	c.TR.Access |= 2 // busy

	for v := 0; v < 256; v++ {
		c.ram[stubAddr(uint8(v))] = 0xF4 // hlt
		setGate(c, uint8(v), selCode0, stubAddr(uint8(v)), intGate32, 0, true)
	}
	c.IDTR.Limit = 0x7FF
	return c, bus
}

func putLE32(b []byte, v uint32) {
	b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}

func le32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

// loadTestSeg decodes the GDT descriptor of sel, as a load would.
func loadTestSeg(c *CPU, sel uint16) Segment {
	a := testGDTBase + uint32(sel&^7)
	return segmentFromDescriptor(sel, le32(c.ram[a:]), le32(c.ram[a+4:]))
}

// enterUser puts the processor at CPL 3 (CS 0x1B, data and stack 0x23)
// at eip with ESP = sysUStackTop.
func enterUser(c *CPU, eip uint32) {
	c.Seg[CS] = loadTestSeg(c, selCode3)
	for _, r := range []int{ES, SS, DS, FS, GS} {
		c.Seg[r] = loadTestSeg(c, selData3)
	}
	c.CPL = 3
	c.mode32 = true
	c.EIP = eip
	c.R[ESP] = sysUStackTop
}

// haltedVector reports which stub the processor halted in, if any.
func haltedVector(c *CPU) (uint8, bool) {
	a := c.Seg[CS].Base + c.EIP - 1
	if !c.halted || a < sysStubBase || a >= sysStubBase+16*256 || (a-sysStubBase)%16 != 0 {
		return 0, false
	}
	return uint8((a - sysStubBase) / 16), true
}

// stackDwords reads n dwords at SS:ESP (a flat stack).
func stackDwords(c *CPU, n int) []uint32 {
	out := make([]uint32, n)
	for i := range out {
		out[i] = le32(c.ram[c.Seg[SS].Base+c.R[ESP]+uint32(4*i):])
	}
	return out
}

// caught is the first exception an instruction raised, captured by
// catchExceptions.
type caught struct {
	hit    bool
	vector uint8
	code   uint32
	eip    uint32 // the faulting instruction
}

// catchExceptions makes the first exception an instruction raises stop
// the processor (StopRequested) instead of being delivered, and records it.
func catchExceptions(c *CPU) *caught {
	k := &caught{}
	onException(c, func(c *CPU, e Entry) {
		if !k.hit {
			*k = caught{true, e.Vector, e.Code, c.EIP}
		}
		c.Stop()
	})
	return k
}

// runCaught runs until HLT or a caught exception.
func runCaught(t *testing.T, c *CPU) StopReason {
	t.Helper()
	r := runToHalt(t, c, 100000)
	if r != StopHalt && r != StopRequested {
		t.Fatalf("stop = %v, want halt or a caught exception\n%v", r, c.Fault)
	}
	return r
}

// excString formats an exception for test messages.
func excString(hit bool, v uint8, code uint32) string {
	if !hit {
		return "no exception"
	}
	if hasErrorCode(v) {
		return ExceptionName(v)[:3] + "(" + hex32(code) + ")"
	}
	return ExceptionName(v)[:3]
}

func hex32(v uint32) string {
	const digits = "0123456789abcdef"
	s := []byte("0x")
	started := false
	for sh := 28; sh >= 0; sh -= 4 {
		d := v >> uint(sh) & 15
		if d != 0 || started || sh == 0 {
			started = true
			s = append(s, digits[d])
		}
	}
	return string(s)
}

// noExc is the "no exception expected" value of the table tests.
const noExc = 0xFF

func TestSegmentLoads(t *testing.T) {
	tests := []struct {
		name string
		src  string // ends in hlt; EAX holds sel
		sel  uint32
		user bool
		vec  uint8
		code uint32
		seg  int    // register checked after success
		base uint32 // its expected base
	}{
		{"MOV DS, flat data", "mov %eax, %ds; hlt", selData0, false, noExc, 0, DS, 0},
		{"MOV ES, small data", "mov %eax, %es; hlt", selSmallData, false, noExc, 0, ES, 0x4000},
		{"MOV FS, null", "mov %eax, %fs; hlt", 0, false, noExc, 0, FS, 0},
		{"MOV GS, null with RPL 3", "mov %eax, %gs; hlt", 3, false, noExc, 0, GS, 0},
		{"MOV DS, readable code", "mov %eax, %ds; hlt", selCode0, false, noExc, 0, DS, 0},
		{"MOV DS, LDT data", "mov %eax, %ds; hlt", selLDTData, false, noExc, 0, DS, 0},
		{"MOV DS, beyond GDT limit", "mov %eax, %ds; hlt", 0x1230, false, excGP, 0x1230, 0, 0},
		{"MOV DS, beyond GDT limit RPL 3", "mov %eax, %ds; hlt", 0x1233, false, excGP, 0x1230, 0, 0},
		{"MOV DS, LDT selector beyond LDT", "mov %eax, %ds; hlt", 0x1C, false, excGP, 0x1C, 0, 0},
		{"MOV DS, not present", "mov %eax, %ds; hlt", selAbsent, false, excNP, selAbsent, 0, 0},
		{"MOV DS, TSS", "mov %eax, %ds; hlt", selTSS, false, excGP, selTSS, 0, 0},
		{"MOV DS, execute-only code", "mov %eax, %ds; hlt", selExecOnly, false, excGP, selExecOnly, 0, 0},
		{"MOV DS, DPL 0 data at CPL 3", "mov %eax, %ds; hlt", selData0, true, excGP, selData0, 0, 0},
		{"MOV DS, DPL 0 data with RPL 3 at CPL 0", "mov %eax, %ds; hlt", selData0 | 3, false, excGP, selData0, 0, 0},
		{"MOV DS, conforming code at CPL 3", "mov %eax, %ds; hlt", selConform, true, excGP, 0, 0, 0}, // reached hlt
		{"MOV SS, flat data", "mov %eax, %ss; hlt", selData0, false, noExc, 0, SS, 0},
		{"MOV SS, null", "mov %eax, %ss; hlt", 0, false, excGP, 0, 0, 0},
		{"MOV SS, RPL 3 at CPL 0", "mov %eax, %ss; hlt", selData3, false, excGP, selData3 &^ 3, 0, 0},
		{"MOV SS, DPL 3 RPL 0 at CPL 0", "mov %eax, %ss; hlt", selData3 &^ 3, false, excGP, selData3 &^ 3, 0, 0},
		{"MOV SS, code", "mov %eax, %ss; hlt", selCode0, false, excGP, selCode0, 0, 0},
		{"MOV SS, not present", "mov %eax, %ss; hlt", selAbsent, false, excSS, selAbsent, 0, 0},
		{"POP DS", "push %eax; pop %ds; hlt", selSmallData, false, noExc, 0, DS, 0x4000},
		{"POP SS, not present", "push %eax; pop %ss; hlt", selAbsent, false, excSS, selAbsent, 0, 0},
		{"MOV CS", ".byte 0x8e, 0xc8; hlt", selCode0, false, excUD, 0, 0, 0},
		{"read through null DS", "mov %eax, %ds; mov (0), %ebx; hlt", 0, false, excGP, 0, 0, 0},
		{"write past small limit", "mov %eax, %ds; movl $1, 0xffe; hlt", selSmallData, false, excGP, 0, 0, 0},
		{"write to readable code", "mov %eax, %ds; movl $1, 0x100; hlt", selCode0, false, excGP, 0, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newSysCPU(t, asm(t, tc.src))
			c.R[EAX] = tc.sel
			k := catchExceptions(c)
			if tc.user {
				enterUser(c, testCodeBase)
			}
			runCaught(t, c)
			want := tc.vec
			if tc.user && tc.vec == excGP && tc.code == 0 {
				// The load succeeds; HLT at CPL 3 faults.
				if !k.hit || k.eip == testCodeBase {
					t.Fatalf("%s with EAX=%#x: %s at %#x, want the load to succeed", tc.src, tc.sel, excString(k.hit, k.vector, k.code), k.eip)
				}
				return
			}
			if want == noExc {
				if k.hit {
					t.Fatalf("%s with EAX=%#x: %s, want none", tc.src, tc.sel, excString(k.hit, k.vector, k.code))
				}
				s := c.Seg[tc.seg]
				if s.Sel != uint16(tc.sel) || s.Base != tc.base {
					t.Errorf("%s with EAX=%#x: segment %d = %04x base %#x, want %04x base %#x", tc.src, tc.sel, tc.seg, s.Sel, s.Base, tc.sel, tc.base)
				}
				if tc.sel&^3 == 0 && s.Access != 0 {
					t.Errorf("%s with a null selector: access %#x, want 0 (unusable)", tc.src, s.Access)
				}
				if tc.sel&^3 != 0 && tc.sel&4 == 0 && c.ram[testGDTBase+tc.sel&^7+5]&1 == 0 {
					t.Errorf("%s with EAX=%#x: descriptor's accessed bit not set in memory", tc.src, tc.sel)
				}
				return
			}
			if !k.hit || k.vector != want || hasErrorCode(want) && k.code != tc.code {
				t.Fatalf("%s with EAX=%#x: %s, want %s", tc.src, tc.sel, excString(k.hit, k.vector, k.code), excString(true, want, tc.code))
			}
			if c.R[ESP] != testStackTop && !strings.HasPrefix(tc.src, "push") && !tc.user {
				t.Errorf("%s: ESP = %#x after the fault, want it unchanged", tc.src, c.R[ESP])
			}
		})
	}
}

func TestLoadFarPointer(t *testing.T) {
	c, _ := newSysCPU(t, asm(t, `
		movl $0x12345678, 0x5000
		movw $0x30, 0x5004
		les 0x5000, %ebx
		movl $0x9abc, 0x5010
		movw $0x10, 0x5012
		lssw 0x5010, %cx
		movw $0x1c, 0x5024
		lfs 0x5020, %edx
		hlt`))
	c.R[EDX] = 0x55
	k := catchExceptions(c)
	runCaught(t, c)
	if !k.hit || k.vector != excGP || k.code != 0x1C {
		t.Errorf("LFS with LDT selector 0x1c beyond the LDT: %s, want #GP(0x1c)", excString(k.hit, k.vector, k.code))
	}
	if c.R[EDX] != 0x55 {
		t.Errorf("LFS that faulted: EDX = %#x, want it unchanged (0x55)", c.R[EDX])
	}
	if c.R[EBX] != 0x12345678 || c.Seg[ES].Sel != 0x30 || c.Seg[ES].Base != 0x4000 {
		t.Errorf("LES: EBX = %#x ES = %#x base %#x, want 0x12345678, 0x30, 0x4000", c.R[EBX], c.Seg[ES].Sel, c.Seg[ES].Base)
	}
	if c.R[ECX] != 0x9abc || c.Seg[SS].Sel != 0x10 {
		t.Errorf("LSS with a 16-bit operand: ECX = %#x SS = %#x, want 0x9abc, 0x10", c.R[ECX], c.Seg[SS].Sel)
	}
}

func TestPrivilegedAtCPL3(t *testing.T) {
	tests := []struct {
		src string
		vec uint8
	}{
		{"hlt", excGP},
		{"cli", excGP}, // IOPL 0
		{"sti", excGP},
		{"lgdt (0x5000)", excGP},
		{"lidt (0x5000)", excGP},
		{"lldt %ax", excGP},
		{"ltr %ax", excGP},
		{"lmsw %ax", excGP},
		{"clts", excGP},
		{"mov %eax, %cr0", excGP},
		{"mov %cr0, %eax", excGP},
		{"mov %eax, %cr3", excGP},
		{"mov %eax, %dr7", excGP},
		{"mov %dr6, %eax", excGP},
		{"invlpg (0x5000)", excGP},
		{"wbinvd", excGP},
		{"invd", excGP},
		{"rdmsr", excGP},
		{"wrmsr", excGP},
		{"in $0x81, %al", excGP},  // not in the TSS bitmap
		{"out %al, $0x81", excGP}, // not in the TSS bitmap
		{"ud2", excUD},
		{"sysenter", excUD},
		{"sysexit", excUD},
	}
	for _, tc := range tests {
		c, _ := newSysCPU(t, asm(t, tc.src+"\nhlt"))
		k := catchExceptions(c)
		enterUser(c, testCodeBase)
		runCaught(t, c)
		if !k.hit || k.vector != tc.vec || k.code != 0 || k.eip != testCodeBase {
			t.Errorf("%s at CPL 3: %s at %#x, want %s at %#x", tc.src, excString(k.hit, k.vector, k.code), k.eip, excString(true, tc.vec, 0), testCodeBase)
		}
		if c.CPL != 3 || c.R[ESP] != sysUStackTop {
			t.Errorf("%s at CPL 3: CPL %d ESP %#x after the fault, want 3 and %#x", tc.src, c.CPL, c.R[ESP], sysUStackTop)
		}
	}
}

// TestUnprivilegedAtCPL3 checks the system instructions that CPL 3 may
// use: they reach the final HLT (which faults).
func TestUnprivilegedAtCPL3(t *testing.T) {
	for _, src := range []string{
		"sgdt (0x5000)", "sidt (0x5000)", "sldt %eax", "str %eax", "smsw %eax",
		"cpuid", "rdtsc", "pushf; popf", "lar %ax, %bx", "verr %ax", "arpl %ax, %bx",
		"in $0x80, %al", "out %al, $0x80", "outw %ax, $0x84", "outl %eax, $0x84",
	} {
		c, _ := newSysCPU(t, asm(t, src+"\nhlt"))
		k := catchExceptions(c)
		enterUser(c, testCodeBase)
		runCaught(t, c)
		if !k.hit || k.vector != excGP || k.eip == testCodeBase {
			t.Errorf("%s at CPL 3: %s at %#x, want it to run (then #GP at HLT)", src, excString(k.hit, k.vector, k.code), k.eip)
		}
	}
}

func TestIOPermission(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		iopl  uint32
		trLim uint32 // TSS limit, 0 to keep
		ok    bool
	}{
		{"IN AL, 0x80 allowed by the bitmap", "in $0x80, %al", 0, 0, true},
		{"IN AL, 0x81 denied by the bitmap", "in $0x81, %al", 0, 0, false},
		{"IN AX, 0x80 reaches denied 0x81", "in $0x80, %ax", 0, 0, false},
		{"IN AX, 0x86 allowed 0x86–0x87", "in $0x86, %ax", 0, 0, true},
		{"IN AX, DX=0x87 straddles into the next bitmap byte (0x88 denied)", "mov $0x87, %dx; in (%dx), %ax", 0, 0, false},
		{"IN EAX, 0x84 allowed 0x84–0x87", "in $0x84, %eax", 0, 0, true},
		{"IN EAX, 0x85 reaches denied 0x88", "in $0x85, %eax", 0, 0, false},
		{"OUT DX=0x3F8 beyond the bitmap", "mov $0x3f8, %dx; out %al, (%dx)", 0, sysIOBitmap + 0x10, false},
		{"OUT DX=0x3F8 with IOPL 3", "mov $0x3f8, %dx; out %al, (%dx)", 3, 0, true},
		{"IN from port 0x2000+ (bitmap end)", "mov $0x2001, %dx; in (%dx), %al", 0, 0, false},
		{"IN with a TSS too short for the bitmap base", "in $0x80, %al", 0, 0x60, false},
	}
	for _, tc := range tests {
		c, bus := newSysCPU(t, asm(t, tc.src+"\nhlt"))
		if tc.trLim != 0 {
			c.TR.Limit = tc.trLim
		}
		k := catchExceptions(c)
		enterUser(c, testCodeBase)
		c.SetEFLAGS(tc.iopl << 12)
		runCaught(t, c)
		allowed := k.hit && k.eip != testCodeBase && k.eip != testCodeBase+4
		if allowed != tc.ok {
			t.Errorf("%s at CPL 3, IOPL %d: %s at %#x (%d port writes), want allowed = %v", tc.name, tc.iopl, excString(k.hit, k.vector, k.code), k.eip, len(bus.out), tc.ok)
		}
		if !tc.ok && (k.vector != excGP || k.code != 0) {
			t.Errorf("%s: %s, want #GP(0)", tc.name, excString(k.hit, k.vector, k.code))
		}
	}
}

func TestControlRegisters(t *testing.T) {
	tests := []struct {
		name string
		src  string
		eax  uint32
		vec  uint8
		want func(c *CPU) string // "" if the state is right
	}{
		{"MOV CR0 sets TS and reads back with ET", "mov %eax, %cr0; mov %cr0, %ebx; hlt", CR0PE | cr0TS, noExc,
			func(c *CPU) string { return expect("EBX", c.R[EBX], CR0PE|cr0TS|CR0ET) }},
		{"CLTS clears TS", "mov %eax, %cr0; clts; mov %cr0, %ebx; hlt", CR0PE | cr0TS, noExc,
			func(c *CPU) string { return expect("EBX", c.R[EBX], CR0PE|CR0ET) }},
		{"LMSW sets MP, cannot clear PE", "lmsw %ax; mov %cr0, %ebx; hlt", cr0MP, noExc,
			func(c *CPU) string { return expect("EBX", c.R[EBX], CR0PE|cr0MP|CR0ET) }},
		{"SMSW to memory stores 16 bits", "movl $-1, 0x5000; smsw (0x5000); mov 0x5000, %ebx; hlt", 0, noExc,
			func(c *CPU) string { return expect("EBX", c.R[EBX], 0xFFFF0000|CR0PE|CR0ET) }},
		{"MOV CR0 reserved bit", "mov %eax, %cr0; hlt", CR0PE | 1<<8, excGP, nil},
		{"MOV CR0 NW without CD", "mov %eax, %cr0; hlt", CR0PE | cr0NW, excGP, nil},
		{"MOV CR0 PG without PE", "mov %eax, %cr0; hlt", CR0PG, excGP, nil},
		{"MOV CR2, CR3 store", "mov %eax, %cr2; mov %eax, %cr3; mov %cr2, %ebx; mov %cr3, %ecx; hlt", 0x1234000, noExc,
			func(c *CPU) string { return expect("EBX", c.R[EBX], 0x1234000) + expect("ECX", c.R[ECX], 0x1234000) }},
		{"MOV CR4 TSD", "mov %eax, %cr4; mov %cr4, %ebx; hlt", cr4TSD, noExc,
			func(c *CPU) string { return expect("EBX", c.R[EBX], cr4TSD) }},
		{"MOV CR4 PSE (not reported by CPUID)", "mov %eax, %cr4; hlt", 1 << 4, excGP, nil},
		{"MOV CR4 PAE", "mov %eax, %cr4; hlt", 1 << 5, excGP, nil},
		{"MOV CR1", ".byte 0x0f, 0x22, 0xc8; hlt", 0, excUD, nil},
		{"MOV DR0 stores", "mov %eax, %dr0; mov %dr0, %ebx; hlt", 0xdeadbeef, noExc,
			func(c *CPU) string { return expect("EBX", c.R[EBX], 0xdeadbeef) }},
		{"DR6 reserved bits read 1", "mov %eax, %dr6; mov %dr6, %ebx; hlt", 0, noExc,
			func(c *CPU) string { return expect("EBX", c.R[EBX], 0xFFFF0FF0) }},
		{"DR7 bit 10 reads 1; DR5 aliases DR7", ".byte 0x0f, 0x23, 0xe8; mov %dr7, %ebx; hlt", 0x3, noExc,
			func(c *CPU) string { return expect("EBX", c.R[EBX], 0x403) }},
		{"DR4 with CR4.DE is #UD", "mov %eax, %cr4; .byte 0x0f, 0x21, 0xe3; hlt", cr4DE, excUD, nil},
		{"INVLPG, WBINVD, INVD do nothing", "invlpg (0x5000); wbinvd; invd; hlt", 0, noExc,
			func(c *CPU) string { return "" }},
	}
	for _, tc := range tests {
		c, _ := newSysCPU(t, asm(t, tc.src))
		c.R[EAX] = tc.eax
		k := catchExceptions(c)
		runCaught(t, c)
		if tc.vec != noExc {
			if !k.hit || k.vector != tc.vec || k.code != 0 {
				t.Errorf("%s (EAX=%#x): %s, want %s", tc.name, tc.eax, excString(k.hit, k.vector, k.code), excString(true, tc.vec, 0))
			}
			continue
		}
		if k.hit {
			t.Errorf("%s (EAX=%#x): %s, want none", tc.name, tc.eax, excString(k.hit, k.vector, k.code))
			continue
		}
		if msg := tc.want(c); msg != "" {
			t.Errorf("%s (EAX=%#x): %s", tc.name, tc.eax, msg)
		}
	}
}

// expect returns "" if got == want, or a message saying otherwise.
func expect(what string, got, want uint32) string {
	if got == want {
		return ""
	}
	return what + " = " + hex32(got) + ", want " + hex32(want) + "; "
}

func TestPagingStops(t *testing.T) {
	c, _ := newSysCPU(t, asm(t, `
		mov $0x80000011, %eax
		mov %eax, %cr0
		hlt`))
	r := runToHalt(t, c, 1000)
	if r != StopShutdown {
		t.Fatalf("MOV CR0 with PG set: stop = %v, want shutdown", r)
	}
	if c.Fault == nil || !strings.Contains(c.Fault.Reason, "paging is not emulated") {
		t.Fatalf("MOV CR0 with PG set: fault report %v, want one saying paging is not emulated", c.Fault)
	}
	if c.Fault.EIP != testCodeBase+5 || c.CR0&CR0PG != 0 {
		t.Errorf("MOV CR0 with PG set: report at %#x, CR0 = %#x; want %#x and PG clear", c.Fault.EIP, c.CR0, testCodeBase+5)
	}
}

func TestDescriptorTableRegisters(t *testing.T) {
	c, _ := newSysCPU(t, asm(t, `
		movw $0x27, 0x5000
		movl $0xAB123456, 0x5002
		lidt 0x5000
		sidt 0x5010
		data16 lidt 0x5000
		sidt 0x5020
		sgdt 0x5030
		hlt`))
	c.IDTR = DescriptorTable{}
	runCaught(t, c)
	if c.IDTR.Base != 0x123456 || c.IDTR.Limit != 0x27 {
		t.Errorf("LIDT with a 16-bit operand: IDTR = %#x/%#x, want base 0x123456 (24 bits), limit 0x27", c.IDTR.Base, c.IDTR.Limit)
	}
	if b, l := le32(c.ram[0x5012:]), le32(c.ram[0x5010:])&0xFFFF; b != 0xAB123456 || l != 0x27 {
		t.Errorf("SIDT after a 32-bit LIDT: stored %#x/%#x, want 0xab123456/0x27", b, l)
	}
	if b := le32(c.ram[0x5022:]); b != 0x123456 {
		t.Errorf("SIDT after a 16-bit LIDT: stored base %#x, want 0x123456", b)
	}
	if b, l := le32(c.ram[0x5032:]), le32(c.ram[0x5030:])&0xFFFF; b != testGDTBase || l != uint32(c.GDTR.Limit) {
		t.Errorf("SGDT: stored %#x/%#x, want %#x/%#x", b, l, testGDTBase, c.GDTR.Limit)
	}
}

func TestLTRAndLLDT(t *testing.T) {
	c, _ := newSysCPU(t, asm(t, `
		mov $0x28, %eax
		ltr %ax
		str %ebx
		mov $0x58, %eax
		lldt %ax
		sldt %ecx
		mov $0x0c, %eax
		mov %eax, %ds
		xor %eax, %eax
		lldt %ax
		sldt %edx
		mov $0x28, %eax
		ltr %ax
		hlt`))
	c.TR = Segment{}
	c.LDTR = Segment{}
	k := catchExceptions(c)
	runCaught(t, c)
	if c.TR.Sel != selTSS || c.TR.Base != sysTSSBase || c.R[EBX] != selTSS {
		t.Errorf("LTR 0x28; STR: TR = %#x base %#x, EBX = %#x; want 0x28, %#x, 0x28", c.TR.Sel, c.TR.Base, c.R[EBX], sysTSSBase)
	}
	if typ := c.ram[testGDTBase+selTSS+5] & 0x0F; typ != 0xB {
		t.Errorf("LTR: TSS descriptor type in memory = %#x, want 0xb (busy)", typ)
	}
	if c.R[ECX] != selLDTDesc || c.Seg[DS].Sel != selLDTData {
		t.Errorf("LLDT 0x58; SLDT; MOV DS, 0x0c: ECX = %#x, DS = %#x; want 0x58, 0x0c", c.R[ECX], c.Seg[DS].Sel)
	}
	if c.R[EDX] != 0 || c.LDTR.Access&accP != 0 {
		t.Errorf("LLDT with a null selector: SLDT = %#x, LDTR access %#x; want 0 and unusable", c.R[EDX], c.LDTR.Access)
	}
	if !k.hit || k.vector != excGP || k.code != selTSS {
		t.Errorf("LTR of a busy TSS: %s, want #GP(0x28)", excString(k.hit, k.vector, k.code))
	}
}

func TestLarLslVerrVerw(t *testing.T) {
	tests := []struct {
		op   string
		sel  uint32
		user bool
		zf   bool
		ebx  uint32 // result when zf
	}{
		{"lar", selCode0, false, true, 0x00C09A00},
		{"lar", selData3, true, true, 0x00C0F200},
		{"lar", selData0, true, false, 0},
		{"lar", selTSS, false, true, 0x00008900},
		{"lar", 0, false, false, 0},
		{"lar", 0x1230, false, false, 0},
		{"lar", selConform, true, true, 0x00C09F00},
		{"lsl", selSmallData, false, true, 0xFFF},
		{"lsl", selCode0, false, true, 0xFFFFFFFF},
		{"lsl", selTSS, false, true, sysIOBitmap + sysIOPorts/8},
		{"lsl", selData0 | 3, false, false, 0},
		{"verr", selCode0, false, true, 0},
		{"verr", selExecOnly, false, false, 0},
		{"verr", selData0, true, false, 0},
		{"verr", selTSS, false, false, 0},
		{"verw", selData0, false, true, 0},
		{"verw", selCode0, false, false, 0},
		{"verw", selAbsent, false, true, 0}, // VERW does not check P
	}
	for _, tc := range tests {
		src := tc.op + " %ax, %ebx; hlt"
		if tc.op == "verr" || tc.op == "verw" {
			src = tc.op + " %ax; hlt"
		}
		c, _ := newSysCPU(t, asm(t, src))
		c.R[EAX] = tc.sel
		c.R[EBX] = 0x55
		k := catchExceptions(c)
		if tc.user {
			enterUser(c, testCodeBase)
		}
		c.SetEFLAGS(0)
		if !tc.zf {
			c.SetEFLAGS(FlagZF)
		}
		runCaught(t, c)
		if k.hit && (!tc.user || k.eip == testCodeBase) {
			t.Errorf("%s with selector %#x: %s, want none", tc.op, tc.sel, excString(k.hit, k.vector, k.code))
			continue
		}
		zf := c.EFLAGS()&FlagZF != 0
		want := uint32(0x55)
		if tc.zf && (tc.op == "lar" || tc.op == "lsl") {
			want = tc.ebx
		}
		if zf != tc.zf || c.R[EBX] != want {
			t.Errorf("%s with selector %#x at CPL %d: ZF = %v, EBX = %#x; want %v, %#x", tc.op, tc.sel, c.CPL, zf, c.R[EBX], tc.zf, want)
		}
	}
}

func TestArpl(t *testing.T) {
	for _, tc := range []struct{ dst, src, want uint32 }{
		{0x10, 0x23, 0x13}, {0x13, 0x20, 0x13}, {0x12, 0x11, 0x12},
	} {
		c, _ := newSysCPU(t, asm(t, "arpl %bx, %ax; hlt"))
		c.R[EAX], c.R[EBX] = tc.dst|0xFFFF0000, tc.src
		c.SetEFLAGS(FlagCF)
		runCaught(t, c)
		zf := c.EFLAGS()&FlagZF != 0
		if c.R[EAX] != tc.want|0xFFFF0000 || zf != (tc.want != tc.dst) || c.EFLAGS()&FlagCF == 0 {
			t.Errorf("ARPL AX, BX with AX=%#x BX=%#x: EAX = %#x ZF = %v CF = %v; want %#x, %v, CF kept", tc.dst, tc.src, c.R[EAX], zf, c.EFLAGS()&FlagCF != 0, tc.want|0xFFFF0000, tc.want != tc.dst)
		}
	}
}

func TestCPUID(t *testing.T) {
	c, _ := newSysCPU(t, asm(t, `
		xor %eax, %eax
		cpuid
		mov %eax, 0x5000
		mov %ebx, 0x5004
		mov %edx, 0x5008
		mov %ecx, 0x500c
		mov $1, %eax
		cpuid
		mov %eax, %esi
		mov $0x80000000, %eax
		cpuid
		hlt`))
	c.ID = 1
	runCaught(t, c)
	if max := le32(c.ram[0x5000:]); max != 1 {
		t.Errorf("CPUID leaf 0: EAX = %#x, want 1", max)
	}
	if v := string(c.ram[0x5004:0x5010]); v != "GenuineIntel" {
		t.Errorf("CPUID leaf 0: vendor %q, want GenuineIntel", v)
	}
	if fam := c.R[ESI] >> 8 & 0xF; fam != 6 {
		t.Errorf("CPUID leaf 1: family %d (EAX %#x), want 6", fam, c.R[ESI])
	}
	if c.R[EBX] != 1<<24|1<<16 {
		t.Errorf("CPUID leaf 1 on CPU 1: EBX = %#x, want APIC ID 1 in bits 24–31, one logical processor", c.R[EBX])
	}
	const fpu, tsc, msr, cx8, apic, sep, cmov, pse, pae, pge = 1, 1 << 4, 1 << 5, 1 << 8, 1 << 9, 1 << 11, 1 << 15, 1 << 3, 1 << 6, 1 << 13
	if f := c.R[EDX]; f&(tsc|msr|cx8|apic|cmov) != tsc|msr|cx8|apic|cmov || f&(fpu|sep|pse|pae|pge) != 0 {
		t.Errorf("CPUID leaf 1 (asked as 0x80000000): EDX = %#x, want TSC MSR CX8 APIC CMOV and no FPU SEP PSE PAE PGE", f)
	}
	if c.R[EAX]&0x80000000 != 0 {
		t.Errorf("CPUID 0x80000000: EAX = %#x, want no extended leaves", c.R[EAX])
	}
}

func TestRDTSC(t *testing.T) {
	c, _ := newSysCPU(t, asm(t, `
		nop
		nop
		rdtsc
		mov %eax, %esi
		mov %edx, %edi
		mov $0x10, %ecx
		rdmsr
		hlt`))
	start := uint64(0x123456789A)
	c.Cycles = start
	runCaught(t, c)
	if got := uint64(c.R[EDI])<<32 | uint64(c.R[ESI]); got != start+2 {
		t.Errorf("RDTSC after two NOPs from cycle %#x: EDX:EAX = %#x, want %#x", start, got, start+2)
	}
	if got := uint64(c.R[EDX])<<32 | uint64(c.R[EAX]); got <= start+2 || got >= c.Cycles {
		t.Errorf("RDMSR 0x10: %#x, want between %#x and %#x", got, start+2, c.Cycles)
	}

	// CR4.TSD makes RDTSC privileged.
	c, _ = newSysCPU(t, asm(t, "rdtsc; hlt"))
	c.CR4 = cr4TSD
	k := catchExceptions(c)
	enterUser(c, testCodeBase)
	runCaught(t, c)
	if !k.hit || k.vector != excGP || k.eip != testCodeBase {
		t.Errorf("RDTSC at CPL 3 with CR4.TSD: %s at %#x, want #GP(0) at %#x", excString(k.hit, k.vector, k.code), k.eip, testCodeBase)
	}
}

func TestMSR(t *testing.T) {
	c, bus := newSysCPU(t, asm(t, `
		mov $0x1b, %ecx
		rdmsr
		mov %eax, %esi
		mov %edx, %edi
		mov $0x11111111, %eax
		mov $0x22, %edx
		wrmsr
		mov $0x99, %ecx
		rdmsr
		hlt`))
	bus.msr[0x1b] = 0x00000007_FEE00900
	k := catchExceptions(c)
	runCaught(t, c)
	if c.R[ESI] != 0xFEE00900 || c.R[EDI] != 7 {
		t.Errorf("RDMSR 0x1b: EDX:EAX = %#x:%#x, want 0x7:0xfee00900", c.R[EDI], c.R[ESI])
	}
	if bus.msr[0x1b] != 0x22_11111111 {
		t.Errorf("WRMSR 0x1b with EDX:EAX = 0x22:0x11111111: MSR = %#x", bus.msr[0x1b])
	}
	if !k.hit || k.vector != excGP || k.eip != testCodeBase+0x1c {
		t.Errorf("RDMSR of an unknown MSR: %s at %#x, want #GP(0) at %#x", excString(k.hit, k.vector, k.code), k.eip, testCodeBase+0x1c)
	}
}

func TestPushfPopf(t *testing.T) {
	const arith = FlagCF | FlagZF | FlagOF | FlagDF
	tests := []struct {
		name   string
		src    string // pops the value in EAX
		user   bool
		iopl   uint32
		before uint32
		value  uint32
		want   uint32
	}{
		{"POPFD at CPL 0 sets IF, IOPL, AC", "push %eax; popf", false, 0, 0, arith | FlagIF | FlagIOPL | FlagAC | FlagID, arith | FlagIF | FlagIOPL | FlagAC | FlagID},
		{"POPFD never sets VM or RF", "push %eax; popf", false, 0, 0, FlagVM | FlagRF | FlagCF, FlagCF},
		{"POPFD at CPL 3 keeps IOPL and IF (IOPL 0)", "push %eax; popf", true, 0, FlagIF, FlagIOPL | FlagCF, FlagIF | FlagCF},
		{"POPFD at CPL 3 may change IF with IOPL 3", "push %eax; popf", true, 3, FlagIF, FlagCF, 3<<12 | FlagCF},
		{"POPF (16-bit) keeps the high half", "push %ax; popfw", false, 0, FlagAC, FlagIF | FlagCF, FlagAC | FlagIF | FlagCF},
		{"POPF at CPL 3, IOPL 0, keeps IF clear", "push %ax; popfw", true, 0, 0, FlagIF | FlagZF, FlagZF},
		{"PUSHFD clears VM and RF in the copy", "pushf; pop %eax; push %eax; popf", false, 0, FlagRF | FlagCF, 0, FlagCF},
	}
	for _, tc := range tests {
		c, _ := newSysCPU(t, asm(t, tc.src+"\nhlt"))
		k := catchExceptions(c)
		if tc.user {
			enterUser(c, testCodeBase)
		}
		c.SetEFLAGS(tc.before | tc.iopl<<12)
		c.R[EAX] = tc.value
		runCaught(t, c)
		if k.hit && !tc.user {
			t.Errorf("%s: %s", tc.name, excString(k.hit, k.vector, k.code))
			continue
		}
		if got := c.EFLAGS() &^ flagsFixed; got != tc.want {
			t.Errorf("%s with EFLAGS=%#x, popped %#x: EFLAGS = %#x, want %#x", tc.name, tc.before|tc.iopl<<12, tc.value, got, tc.want)
		}
	}
}

// TestPopfTakesInterrupt checks that POPF setting IF lets a pending
// interrupt in right after it (no shadow, unlike STI).
func TestPopfTakesInterrupt(t *testing.T) {
	c, bus := newSysCPU(t, asm(t, `
		push $0x202
		popf
		inc %ebx
		hlt`))
	bus.vectors = []uint8{0x40}
	c.Interrupt()
	runToHalt(t, c, 1000)
	if v, ok := haltedVector(c); !ok || v != 0x40 || c.R[EBX] != 0 {
		t.Errorf("POPF setting IF with interrupt 0x40 pending: halted in vector %d (%v), EBX = %d; want vector 0x40 before INC", v, ok, c.R[EBX])
	}
}

func TestMovSSShadow(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want uint32
	}{
		{"sti; mov %eax, %ss; inc %ebx; inc %ebx; hlt", 1},
		{"sti; push %eax; pop %ss; inc %ebx; inc %ebx; hlt", 0}, // PUSH uses STI's shadow
		{"sti; mov %eax, %ds; inc %ebx; inc %ebx; hlt", 0},
	} {
		c, bus := newSysCPU(t, asm(t, tc.src))
		c.R[EAX] = selData0
		bus.vectors = []uint8{0x40}
		c.Interrupt()
		runToHalt(t, c, 1000)
		if v, ok := haltedVector(c); !ok || v != 0x40 || c.R[EBX] != tc.want {
			t.Errorf("%s with interrupt 0x40 pending: halted in vector %d (%v), EBX = %d; want vector 0x40 with EBX = %d", tc.src, v, ok, c.R[EBX], tc.want)
		}
	}
}

// TestIFByInstruction checks that the processor tells when and where its
// own instructions cleared and set IF: CLI at its address and cycle, STI
// after it, POPF clearing and setting it too; a host's SetEFLAGS is not
// counted.
func TestIFByInstruction(t *testing.T) {
	c, _ := newTestCPU(t, asm(t, `
	sti
	nop
	cli
	nop
	nop
	sti
	nop
	pushf
	cli
	popf
	hlt`))
	c.SetEFLAGS(c.EFLAGS() &^ FlagIF)
	if off, _, on := c.IFByInstruction(); off != 0 || on != 0 {
		t.Fatalf("before any instruction: off at %d, on at %d", off, on)
	}
	runToHalt(t, c, 1000)
	off, eip, on := c.IFByInstruction()
	// The last clear is the CLI before POPF (testCodeBase+8: sti, nop, cli,
	// nop, nop, sti, nop, pushf are 8 bytes); the last set is POPF's.
	if eip != testCodeBase+8 {
		t.Errorf("last clear at EIP %#x, want %#x (the second CLI)", eip, testCodeBase+8)
	}
	if off == 0 || on <= off {
		t.Errorf("cleared at cycle %d, set at cycle %d: want a set after the clear", off, on)
	}
	c2, _ := newTestCPU(t, asm(t, "hlt"))
	c2.SetEFLAGS(c2.EFLAGS() | FlagIF)
	c2.SetEFLAGS(c2.EFLAGS() &^ FlagIF)
	if off, _, on := c2.IFByInstruction(); off != 0 || on != 0 {
		t.Errorf("a host's SetEFLAGS counted: off at %d, on at %d", off, on)
	}
}
