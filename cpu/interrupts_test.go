package cpu

// This file tests exception and interrupt delivery through the IDT, the
// software interrupt instructions, IRET and the far control transfers.

import (
	"strings"
	"testing"

	"golang.org/x/arch/x86/x86asm"
)

// TestExceptionDelivery raises each exception from CPL 0 code and checks
// the handler that ran and the frame it got.
func TestExceptionDelivery(t *testing.T) {
	tests := []struct {
		name string
		src  string // the first instruction faults
		regs map[int]uint32
		vec  uint8
		code uint32
	}{
		{"#DE from DIV by zero", "div %ecx; hlt", nil, excDE, 0},
		{"#DE from IDIV overflow", "idiv %ecx; hlt", map[int]uint32{EAX: 0, EDX: 0x80000000, ECX: 1}, excDE, 0},
		{"#UD from UD2", "ud2; hlt", nil, excUD, 0},
		{"#GP from a selector beyond the GDT", "mov %eax, %ds; hlt", map[int]uint32{EAX: 0x1238}, excGP, 0x1238},
		{"#GP from a far jump to a data segment", "ljmp $0x10, $0; hlt", nil, excGP, 0x10},
		{"#NP from loading a segment not present", "mov %eax, %es; hlt", map[int]uint32{EAX: selAbsent}, excNP, selAbsent},
		{"#SS from loading SS not present", "mov %eax, %ss; hlt", map[int]uint32{EAX: selAbsent}, excSS, selAbsent},
		{"#BP from INT3 (trap: EIP after it)", "int3; hlt", nil, excBP, 0},
		{"#OF from INTO with OF set", "add %eax, %eax; into; hlt", map[int]uint32{EAX: 0x40000000}, excOF, 0},
		{"#DB from ICEBP", ".byte 0xf1; hlt", nil, excDB, 0},
	}
	for _, tc := range tests {
		if tc.vec == excDE && translators[x86asm.DIV] == nil {
			t.Logf("%s: skipped: DIV is not implemented yet", tc.name)
			continue
		}
		c, _ := newSysCPU(t, asm(t, tc.src))
		for r, v := range tc.regs {
			c.R[r] = v
		}
		c.SetEFLAGS(FlagIF | FlagCF)
		if r := runToHalt(t, c, 1000); r != StopHalt {
			t.Fatalf("%s: stop = %v, want halt\n%v", tc.name, r, c.Fault)
		}
		v, ok := haltedVector(c)
		if !ok || v != tc.vec {
			t.Errorf("%s: halted at %#x (vector %d, %v), want in the handler of %s", tc.name, c.EIP, v, ok, ExceptionName(tc.vec))
			continue
		}
		n := 3
		if hasErrorCode(tc.vec) {
			n = 4
		}
		f := stackDwords(c, n)
		if hasErrorCode(tc.vec) {
			if f[0] != tc.code {
				t.Errorf("%s: error code %#x, want %#x", tc.name, f[0], tc.code)
			}
			f = f[1:]
		}
		wantEIP := uint32(testCodeBase)
		switch tc.vec {
		case excBP, excDB:
			wantEIP = testCodeBase + 1
		case excOF:
			wantEIP = testCodeBase + 3
		}
		if f[0] != wantEIP || f[1] != selCode0 || f[2]&(FlagIF|FlagCF) != FlagIF|FlagCF && tc.vec != excOF {
			t.Errorf("%s: frame EIP %#x CS %#x EFLAGS %#x, want %#x, 0x08, IF and CF set", tc.name, f[0], f[1], f[2], wantEIP)
		}
		if c.R[ESP] != testStackTop-4*uint32(n) || c.IF() {
			t.Errorf("%s: handler ESP %#x IF %v, want %#x (same stack) and IF clear (interrupt gate)", tc.name, c.R[ESP], c.IF(), testStackTop-4*uint32(n))
		}
	}
}

// TestExceptionFromUserMode checks delivery with a stack switch: #GP from
// HLT at CPL 3 lands on the TSS's SS0:ESP0 with SS, ESP, EFLAGS, CS, EIP
// and the error code pushed.
func TestExceptionFromUserMode(t *testing.T) {
	c, _ := newSysCPU(t, asm(t, "nop; hlt"))
	enterUser(c, testCodeBase)
	c.R[EBP] = 0x1234
	c.SetEFLAGS(FlagIF | FlagZF)
	if r := runToHalt(t, c, 1000); r != StopHalt {
		t.Fatalf("HLT at CPL 3: stop = %v\n%v", r, c.Fault)
	}
	if v, ok := haltedVector(c); !ok || v != excGP {
		t.Fatalf("HLT at CPL 3: halted at %#x, want in the #GP handler", c.EIP)
	}
	if c.CPL != 0 || c.Seg[SS].Sel != selData0 || c.R[ESP] != sysKStackTop-24 {
		t.Errorf("#GP from CPL 3: CPL %d SS %#x ESP %#x, want 0, 0x10, %#x", c.CPL, c.Seg[SS].Sel, c.R[ESP], sysKStackTop-24)
	}
	want := []uint32{0, testCodeBase + 1, selCode3, FlagIF | FlagZF | flagsFixed, sysUStackTop, selData3}
	got := stackDwords(c, 6)
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("#GP frame from CPL 3 = %#x, want [code EIP CS EFLAGS ESP SS] = %#x", got, want)
			break
		}
	}
}

func TestDoubleAndTripleFault(t *testing.T) {
	// #GP whose gate is not present: #NP while delivering it, then #DF.
	c, _ := newSysCPU(t, asm(t, "mov %eax, %ds; hlt"))
	c.R[EAX] = 0x1238
	setGate(c, excGP, selCode0, stubAddr(excGP), intGate32, 0, false)
	runToHalt(t, c, 1000)
	if v, ok := haltedVector(c); !ok || v != excDF {
		t.Fatalf("#GP with its gate not present: halted at %#x, want in the #DF handler", c.EIP)
	}
	if f := stackDwords(c, 2); f[0] != 0 || f[1] != testCodeBase {
		t.Errorf("#DF frame: error code %#x EIP %#x, want 0 and %#x", f[0], f[1], testCodeBase)
	}

	// A benign exception whose delivery faults is followed by the fault: #UD
	// then #NP for its absent gate.
	c, _ = newSysCPU(t, asm(t, "ud2"))
	setGate(c, excUD, selCode0, stubAddr(excUD), intGate32, 0, false)
	runToHalt(t, c, 1000)
	if v, ok := haltedVector(c); !ok || v != excNP || stackDwords(c, 1)[0] != excUD*8+2+1 {
		t.Errorf("#UD with its gate not present: halted at %#x (vector %d), code %#x; want #NP(0x33)", c.EIP, v, stackDwords(c, 1)[0])
	}

	// And #DF not present either: triple fault.
	for _, tc := range []struct {
		src   string
		first uint8
	}{{"mov %eax, %ds", excGP}, {"ud2", excUD}} {
		c, _ = newSysCPU(t, asm(t, tc.src))
		c.R[EAX] = 0x1238
		setGate(c, tc.first, selCode0, stubAddr(tc.first), intGate32, 0, false)
		setGate(c, excNP, selCode0, stubAddr(excNP), intGate32, 0, false)
		setGate(c, excDF, selCode0, stubAddr(excDF), intGate32, 0, false)
		if r := runToHalt(t, c, 1000); r != StopShutdown {
			t.Fatalf("%s with #NP and #DF gates not present: stop = %v, want shutdown", tc.src, r)
		}
		if c.Fault == nil || c.Fault.Vector != int(tc.first) || !strings.Contains(c.Fault.Reason, "triple fault") ||
			!strings.Contains(c.Fault.Reason, ExceptionName(tc.first)) || c.Fault.EIP != testCodeBase {
			t.Errorf("%s triple fault: report %+v, want one naming %s at %#x", tc.src, c.Fault, ExceptionName(tc.first), testCodeBase)
		}
	}

	// An IDT too short for any vector: #UD, #GP, #DF, shutdown.
	c, _ = newSysCPU(t, asm(t, "ud2"))
	c.IDTR.Limit = 0
	if r := runToHalt(t, c, 1000); r != StopShutdown || c.Fault.Vector != excUD {
		t.Errorf("UD2 with an empty IDT: stop = %v, report %v; want shutdown naming #UD", r, c.Fault)
	}
}

// TestUserSyscall runs a CPL 3 task that calls INT 0x80 through a DPL 3
// trap gate (stack switch to SS0:ESP0), gets its result back through IRET,
// and then executes a privileged instruction.
func TestUserSyscall(t *testing.T) {
	c, _ := newSysCPU(t, asm(t, `
		# CPL 0: enter user mode through IRET.
		mov $0x23, %ax
		mov %ax, %ds
		mov %ax, %es
		push $0x23
		push $0x60000
		push $0x202
		push $0x1b
		push $user
		iret
		.org 0x40
	user:
		mov $41, %eax
		int $0x80
		mov %eax, %ebx
		mov %cs, %ecx
		mov %ss, %edx
		hlt                     # #GP at CPL 3
		.org 0x100
	int80:
		mov %esp, 0x5000
		mov 0(%esp), %esi; mov %esi, 0x5004
		mov 4(%esp), %esi; mov %esi, 0x5008
		mov 8(%esp), %esi; mov %esi, 0x500c
		mov 12(%esp), %esi; mov %esi, 0x5010
		mov 16(%esp), %esi; mov %esi, 0x5014
		mov %cs, 0x5018
		pushf
		pop 0x501c
		inc %eax
		iret`))
	setGate(c, 0x80, selCode0, testCodeBase+0x100, trapGate32, 3, true)
	if r := runToHalt(t, c, 10000); r != StopHalt {
		t.Fatalf("stop = %v\n%v", r, c.Fault)
	}
	mem := func(a uint32) uint32 { return le32(c.ram[a:]) }
	if mem(0x5000) != sysKStackTop-20 {
		t.Errorf("INT 0x80 from CPL 3: handler ESP = %#x, want %#x (TSS ESP0 less 5 dwords)", mem(0x5000), sysKStackTop-20)
	}
	const userInt = testCodeBase + 0x45 // INT 0x80, after MOV $41, EAX at 0x40
	frame := []uint32{mem(0x5004), mem(0x5008), mem(0x500c), mem(0x5010), mem(0x5014)}
	want := []uint32{userInt + 2, selCode3, 0x202, sysUStackTop, selData3}
	for i := range want {
		if frame[i] != want[i] {
			t.Errorf("INT 0x80 frame [EIP CS EFLAGS ESP SS] = %#x, want %#x", frame, want)
			break
		}
	}
	if cs, fl := mem(0x5018)&0xFFFF, mem(0x501c); cs != selCode0 || fl&FlagIF == 0 {
		t.Errorf("in the INT 0x80 handler: CS = %#x, EFLAGS = %#x; want 0x08 and IF kept (trap gate)", cs, fl)
	}
	if c.R[EBX] != 42 || c.R[ECX]&0xFFFF != selCode3 || c.R[EDX]&0xFFFF != selData3 {
		t.Errorf("after IRET to CPL 3: EBX = %d CS = %#x SS = %#x, want 42, 0x1b, 0x23", c.R[EBX], c.R[ECX]&0xFFFF, c.R[EDX]&0xFFFF)
	}
	if v, ok := haltedVector(c); !ok || v != excGP || c.R[ESP] != sysKStackTop-24 || stackDwords(c, 2)[1] != userInt+2+6 {
		t.Errorf("HLT at CPL 3 after the system call: halted at %#x, ESP %#x, frame %#x; want the #GP handler on the kernel stack", c.EIP, c.R[ESP], stackDwords(c, 6))
	}
}

func TestSoftwareInterruptChecks(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		gate  func(c *CPU)
		user  bool
		vec   uint8  // the exception the INT raises (caught), noExc if delivered
		code  uint32 // its error code
		stubV uint8  // where it halts if delivered
	}{
		{"INT to a DPL 0 gate from CPL 3", "int $0x30", nil, true, excGP, 0x30*8 + 2, 0},
		{"INT3 to a DPL 0 gate from CPL 3", "int3", nil, true, excGP, 3*8 + 2, 0},
		{"INT1 ignores the gate DPL", ".byte 0xf1", nil, true, noExc, 0, excDB},
		{"INT to a DPL 3 gate from CPL 3", "int $0x30", func(c *CPU) { setGate(c, 0x30, selCode0, stubAddr(0x30), intGate32, 3, true) }, true, noExc, 0, 0x30},
		{"INT beyond the IDT limit", "int $0x30", func(c *CPU) { c.IDTR.Limit = 0x30*8 + 6 }, false, excGP, 0x30*8 + 2, 0},
		{"INT to a gate not present", "int $0x30", func(c *CPU) { setGate(c, 0x30, selCode0, stubAddr(0x30), intGate32, 0, false) }, false, excNP, 0x30*8 + 2, 0},
		{"INT to a task gate (not emulated)", "int $0x30", func(c *CPU) { setGate(c, 0x30, selTSS, 0, taskGate, 0, true) }, false, excGP, 0x30*8 + 2, 0},
		{"INT to a gate with a null selector", "int $0x30", func(c *CPU) { setGate(c, 0x30, 0, 0, intGate32, 0, true) }, false, excGP, 0, 0},
		{"INT to a gate naming a data segment", "int $0x30", func(c *CPU) { setGate(c, 0x30, selData0, 0, intGate32, 0, true) }, false, excGP, selData0, 0},
		{"INT to a gate naming an absent code segment", "int $0x30", func(c *CPU) { setGate(c, 0x30, selCode3Abs, 0, intGate32, 3, true) }, true, excNP, selCode3Abs &^ 3, 0},
		{"INT to a DPL 3 handler from CPL 0", "int $0x30", func(c *CPU) { setGate(c, 0x30, selCode3, 0, intGate32, 0, true) }, false, excGP, selCode3 &^ 3, 0},
		{"INT with a TSS whose SS0 is null", "int $0x30", func(c *CPU) {
			setGate(c, 0x30, selCode0, stubAddr(0x30), intGate32, 3, true)
			putLE32(c.ram[sysTSSBase+8:], 0)
		}, true, excTS, 0, 0},
		{"INT with a TSS whose SS0 is DPL 3", "int $0x30", func(c *CPU) {
			setGate(c, 0x30, selCode0, stubAddr(0x30), intGate32, 3, true)
			putLE32(c.ram[sysTSSBase+8:], selData3&^3)
		}, true, excTS, selData3 &^ 3, 0},
		{"INT with a TSS whose SS0 is not present", "int $0x30", func(c *CPU) {
			setGate(c, 0x30, selCode0, stubAddr(0x30), intGate32, 3, true)
			putLE32(c.ram[sysTSSBase+8:], selAbsent)
		}, true, excSS, selAbsent, 0},
		{"INT with a TSS too short", "int $0x30", func(c *CPU) {
			setGate(c, 0x30, selCode0, stubAddr(0x30), intGate32, 3, true)
			c.TR.Limit = 8
		}, true, excTS, selTSS, 0},
		{"INT with ESP0 at the bottom of a small stack", "int $0x30", func(c *CPU) {
			setGate(c, 0x30, selCode0, stubAddr(0x30), intGate32, 3, true)
			putLE32(c.ram[sysTSSBase+8:], selSmallData)
			putLE32(c.ram[sysTSSBase+4:], 16)
		}, true, excSS, selSmallData, 0},
		{"INT to a conforming handler from CPL 3 stays at CPL 3", "int $0x30", func(c *CPU) { setGate(c, 0x30, selConform, stubAddr(0x30), trapGate32, 3, true) }, true, excGP, 0, 0},
	}
	for _, tc := range tests {
		c, _ := newSysCPU(t, asm(t, tc.src+"\nhlt"))
		if tc.gate != nil {
			tc.gate(c)
		}
		k := catchExceptions(c)
		if tc.user {
			enterUser(c, testCodeBase)
		}
		runCaught(t, c)
		if tc.vec == noExc {
			if v, ok := haltedVector(c); k.hit || !ok || v != tc.stubV {
				t.Errorf("%s: %s, halted at %#x; want delivery to vector %#x", tc.name, excString(k.hit, k.vector, k.code), c.EIP, tc.stubV)
			}
			continue
		}
		if tc.name == "INT to a conforming handler from CPL 3 stays at CPL 3" {
			// The handler's HLT faults at CPL 3, on the user stack.
			if !k.hit || k.vector != excGP || k.eip != stubAddr(0x30) || c.CPL != 3 || c.R[ESP] != sysUStackTop-12 {
				t.Errorf("%s: %s at %#x, CPL %d, ESP %#x; want #GP at the stub at CPL 3 with ESP %#x", tc.name, excString(k.hit, k.vector, k.code), k.eip, c.CPL, c.R[ESP], sysUStackTop-12)
			}
			continue
		}
		if !k.hit || k.vector != tc.vec || k.code != tc.code || k.eip != testCodeBase {
			t.Errorf("%s: %s at %#x, want %s at %#x", tc.name, excString(k.hit, k.vector, k.code), k.eip, excString(true, tc.vec, tc.code), testCodeBase)
		}
		wantCPL, wantESP := 0, uint32(testStackTop)
		if tc.user {
			wantCPL, wantESP = 3, sysUStackTop
		}
		if c.CPL != wantCPL || c.R[ESP] != wantESP || c.Seg[CS].Sel&3 != uint16(wantCPL) {
			t.Errorf("%s: after the fault CPL %d ESP %#x CS %#x, want them unchanged (%d, %#x)", tc.name, c.CPL, c.R[ESP], c.Seg[CS].Sel, wantCPL, wantESP)
		}
	}
}

func TestGateKinds(t *testing.T) {
	tests := []struct {
		name  string
		typ   uint8
		user  bool
		frame []uint32 // expected stack at the handler (dwords, or packed words)
		ifSet bool
	}{
		{"32-bit interrupt gate", intGate32, false, []uint32{testCodeBase + 2, selCode0, FlagIF | flagsFixed}, false},
		{"32-bit trap gate", trapGate32, false, []uint32{testCodeBase + 2, selCode0, FlagIF | flagsFixed}, true},
		{"16-bit interrupt gate", intGate16, false, []uint32{selCode0<<16 | (testCodeBase+2)&0xFFFF, FlagIF | flagsFixed}, false},
		{"16-bit trap gate from CPL 3", trapGate16, true, []uint32{selCode3<<16 | (testCodeBase+2)&0xFFFF, (sysUStackTop&0xFFFF)<<16 | FlagIF | flagsFixed, selData3}, true},
	}
	for _, tc := range tests {
		c, _ := newSysCPU(t, asm(t, "int $0x30\nhlt"))
		off := stubAddr(0x30)
		if tc.typ&8 == 0 {
			// A 16-bit gate has a 16-bit offset: use a stub in the first 64 KiB.
			off = 0x9000
			c.ram[off] = 0xF4
		}
		setGate(c, 0x30, selCode0, off, tc.typ, 3, true)
		if tc.user {
			enterUser(c, testCodeBase)
		}
		c.SetEFLAGS(FlagIF)
		runToHalt(t, c, 1000)
		if c.Seg[CS].Base+c.EIP != off+1 {
			t.Errorf("INT 0x30 through a %s: halted at %#x, want %#x", tc.name, c.EIP, off+1)
			continue
		}
		got := stackDwords(c, len(tc.frame))
		for i := range tc.frame {
			if got[i] != tc.frame[i] {
				t.Errorf("INT 0x30 through a %s: stack %#x, want %#x", tc.name, got, tc.frame)
				break
			}
		}
		if c.IF() != tc.ifSet {
			t.Errorf("INT 0x30 through a %s: IF = %v, want %v", tc.name, c.IF(), tc.ifSet)
		}
	}
}

// TestKernelSoftwareInterrupt checks that a Kernel takes INT n after the
// instruction retired, and that Deliver gives a vector it leaves alone to
// the guest's IDT as a bare processor would.
func TestKernelSoftwareInterrupt(t *testing.T) {
	c, _ := newSysCPU(t, asm(t, `
		mov $7, %eax
		int $0x80
		int $0x81
		hlt`))
	var seen []uint8
	var eip uint32
	var at uint64
	c.SetKernel(kernelFunc(func(c *CPU, e Entry) {
		seen = append(seen, e.Vector)
		if e.Kind != EntrySoftware || e.Vector != 0x80 {
			c.Deliver(e)
			return
		}
		eip, at = c.EIP, c.Now()
		c.R[EAX] *= 6
	}))
	runToHalt(t, c, 1000)
	if c.R[EAX] != 42 || eip != testCodeBase+7 {
		t.Errorf("INT 0x80 taken by the kernel: EAX = %d, EIP seen by the kernel %#x; want 42, %#x", c.R[EAX], eip, testCodeBase+7)
	}
	if want := uint64(costDefault + costFarTransfer); at != want {
		t.Errorf("kernel entered at cycle %d, want %d (MOV and INT retired)", at, want)
	}
	if v, ok := haltedVector(c); len(seen) != 2 || !ok || v != 0x81 {
		t.Errorf("INT 0x81 delivered by the kernel: kernel saw %#x, halted at %#x; want [0x80 0x81] and the IDT's handler", seen, c.EIP)
	}
}

func TestIret(t *testing.T) {
	tests := []struct {
		name  string
		cpl   int
		iopl  uint32
		frame []uint32 // EIP CS EFLAGS [ESP SS]
		size  int      // 2 for IRETW
		vec   uint8
		code  uint32
		check func(c *CPU) string
	}{
		{"same level, flags restored", 0, 0, []uint32{0x9000, selCode0, FlagCF | FlagIF | FlagIOPL | FlagAC}, 4, noExc, 0,
			func(c *CPU) string {
				return expect("EIP", c.EIP, 0x9002) + expect("EFLAGS", c.EFLAGS(), FlagCF|FlagIF|FlagIOPL|FlagAC|flagsFixed)
			}},
		{"to CPL 3 with stack switch", 0, 0, []uint32{0x9000, selCode3, FlagIF, 0x12340, selData3}, 4, excGP, 0,
			func(c *CPU) string {
				return expect("CPL", uint32(c.CPL), 3) + expect("ESP", c.R[ESP], 0x12340) + expect("SS", uint32(c.Seg[SS].Sel), selData3) +
					expect("DS (DPL 0, made null)", uint32(c.Seg[DS].Sel), 0) + expect("DS access", uint32(c.Seg[DS].Access), 0)
			}},
		{"at CPL 3 keeps IF and IOPL", 3, 0, []uint32{0x9000, selCode3, FlagIOPL | FlagCF}, 4, excGP, 0,
			func(c *CPU) string { return expect("EFLAGS", c.EFLAGS(), FlagIF|FlagCF|flagsFixed) }},
		{"at CPL 3 with IOPL 3 may clear IF", 3, 3, []uint32{0x9000, selCode3, FlagIOPL | FlagCF}, 4, excGP, 0,
			func(c *CPU) string { return expect("EFLAGS", c.EFLAGS(), FlagIOPL|FlagCF|flagsFixed) }},
		{"16-bit IRET keeps the high half of EFLAGS", 0, 0, []uint32{0x9000 | selCode0<<16, FlagCF}, 2, noExc, 0,
			func(c *CPU) string {
				return expect("EIP", c.EIP, 0x9002) + expect("EFLAGS", c.EFLAGS(), FlagCF|FlagAC|flagsFixed)
			}},
		{"to CPL 0 from CPL 3", 3, 0, []uint32{0x9000, selCode0, 0}, 4, excGP, selCode0, nil},
		{"to a null CS", 0, 0, []uint32{0x9000, 0, 0}, 4, excGP, 0, nil},
		{"to a data segment", 0, 0, []uint32{0x9000, selData0, 0}, 4, excGP, selData0, nil},
		{"to an absent code segment", 0, 0, []uint32{0x9000, selCode3Abs | 3, 0, 0x1000, selData3}, 4, excNP, selCode3Abs &^ 3, nil},
		{"beyond the CS limit", 0, 0, []uint32{0x10000, selCode16 &^ 3, 0}, 4, excGP, 0, nil},
		{"to CPL 3 with a DPL 0 SS", 0, 0, []uint32{0x9000, selCode3, 0, 0x1000, selData0 | 3}, 4, excGP, selData0, nil},
		{"to virtual-8086 mode (not emulated)", 0, 0, []uint32{0x9000, selCode0, FlagVM}, 4, excGP, 0, nil},
	}
	for _, tc := range tests {
		c, _ := newSysCPU(t, asm(t, "iret"))
		if tc.size == 2 {
			copy(c.ram[testCodeBase:], []byte{0x66, 0xCF})
		}
		c.ram[0x9000] = 0x90 // nop, then the caught #GP of HLT at CPL 3 or a halt
		c.ram[0x9001] = 0xF4
		if tc.cpl == 3 {
			enterUser(c, testCodeBase)
		}
		c.SetEFLAGS(FlagIF | tc.iopl<<12 | FlagAC)
		esp := c.R[ESP] - uint32(len(tc.frame)*4)
		for i, v := range tc.frame {
			putLE32(c.ram[c.Seg[SS].Base+esp+uint32(4*i):], v)
		}
		c.R[ESP] = esp
		c.nmiBlocked = true
		k := catchExceptions(c)
		runCaught(t, c)
		if tc.vec != noExc && (tc.check == nil || k.eip != 0x9001) {
			if !k.hit || k.vector != tc.vec || k.code != tc.code || k.eip != testCodeBase {
				t.Errorf("IRET %s: %s at %#x, want %s at the IRET", tc.name, excString(k.hit, k.vector, k.code), k.eip, excString(true, tc.vec, tc.code))
			}
			if c.R[ESP] != esp || c.CPL != tc.cpl {
				t.Errorf("IRET %s: ESP %#x CPL %d after the fault, want %#x, %d", tc.name, c.R[ESP], c.CPL, esp, tc.cpl)
			}
			continue
		}
		if tc.vec == noExc && k.hit {
			t.Errorf("IRET %s: %s at %#x", tc.name, excString(k.hit, k.vector, k.code), k.eip)
			continue
		}
		if msg := tc.check(c); msg != "" {
			t.Errorf("IRET %s: %s", tc.name, msg)
		}
		if c.nmiBlocked {
			t.Errorf("IRET %s: NMIs still blocked", tc.name)
		}
	}
}

func TestIretTaskReturn(t *testing.T) {
	c, _ := newSysCPU(t, asm(t, "iret"))
	c.SetEFLAGS(FlagNT)
	k := catchExceptions(c)
	runCaught(t, c)
	if !k.hit || k.vector != excGP || k.code != 0 {
		t.Errorf("IRET with NT set (task return, not emulated): %s, want #GP(0)", excString(k.hit, k.vector, k.code))
	}
}

func TestNMIBlockedUntilIret(t *testing.T) {
	c, _ := newSysCPU(t, asm(t, `
		inc %ebx
		hlt
		.org 0x100
	nmi:
		mov %ecx, %edi
		mov %esp, 0x5000(,%edi,4)
		inc %ecx
		iret`))
	setGate(c, excNMI, selCode0, testCodeBase+0x100, intGate32, 0, true)
	c.NMI()
	c.Run(c.Cycles + 1) // delivers the NMI, then stops
	if !c.nmiBlocked {
		t.Fatalf("in the NMI handler: NMIs not blocked")
	}
	c.NMI() // must wait for the handler's IRET
	if r := runToHalt(t, c, 1000); r != StopHalt || c.R[ECX] != 2 || c.R[EBX] != 1 {
		t.Fatalf("two NMIs, the second during the first handler: stop %v, ECX = %d, EBX = %d; want halt, 2, 1", r, c.R[ECX], c.R[EBX])
	}
	if a, b := le32(c.ram[0x5000:]), le32(c.ram[0x5004:]); a != b {
		t.Errorf("second NMI during the first handler: handler ESPs %#x then %#x, want the same (taken after IRET, not nested)", a, b)
	}
}

func TestFarTransfers(t *testing.T) {
	c, _ := newSysCPU(t, asm(t, `
	_start:
		ljmp $0x48, $conf         # conforming code, CPL stays 0
	conf:
		mov %cs, %eax
		mov %eax, 0x5000
		ljmp $0x40, $(code16 - _start)
		.code16
	code16:
		mov $0x1234, %ax
		mov %ax, 0x5004
		ljmpl $0x08, $back
		.code32
	back:
		lcall $0x08, $farsub
		mov %eax, 0x5008
		movl $farsub2, 0x5010
		movw $0x08, 0x5014
		lcall *0x5010
		mov %esp, 0x500c
		movl $done, 0x5020
		movw $0x08, 0x5024
		ljmp *0x5020
	farsub:
		mov (%esp), %eax
		lret
	farsub2:
		lret $0
	done:
		hlt`))
	k := catchExceptions(c)
	runCaught(t, c)
	if k.hit {
		t.Fatalf("far transfers: %s at %#x", excString(k.hit, k.vector, k.code), k.eip)
	}
	mem := func(a uint32) uint32 { return le32(c.ram[a:]) }
	if mem(0x5000)&0xFFFF != selConform {
		t.Errorf("JMP far to conforming code: CS = %#x, want 0x48", mem(0x5000)&0xFFFF)
	}
	if mem(0x5004)&0xFFFF != 0x1234 {
		t.Errorf("JMP far to 16-bit code: the 16-bit MOV stored %#x, want 0x1234", mem(0x5004)&0xFFFF)
	}
	if mem(0x5008) < testCodeBase || mem(0x5008) > testCodeBase+0x100 || mem(0x500c) != testStackTop {
		t.Errorf("CALL far: return address %#x, ESP after LRET %#x; want an address in the code, %#x", mem(0x5008), mem(0x500c), testStackTop)
	}
	if c.Seg[CS].Sel != selCode0 || !c.mode32 {
		t.Errorf("after JMP far m16:32: CS = %#x mode32 %v, want 0x08, true", c.Seg[CS].Sel, c.mode32)
	}
}

func TestFarTransferChecks(t *testing.T) {
	tests := []struct {
		name string
		src  string
		user bool
		vec  uint8
		code uint32
	}{
		{"JMP far to a null selector", "ljmp $0, $0", false, excGP, 0},
		{"JMP far to data", "ljmp $0x10, $0", false, excGP, 0x10},
		{"JMP far to DPL 3 code from CPL 0", "ljmp $0x1b, $0", false, excGP, 0x18},
		{"JMP far to DPL 0 code from CPL 3", "ljmp $0x08, $0", true, excGP, 0x08},
		{"JMP far with RPL 3 to DPL 0 code", "ljmp $0x0b, $0", false, excGP, 0x08},
		{"JMP far to an absent code segment", "ljmp $0x63, $0", true, excNP, 0x60},
		{"JMP far beyond the limit", "ljmp $0x40, $0x10000", false, excGP, 0},
		{"JMP far to a TSS (not emulated)", "ljmp $0x28, $0", false, excGP, 0x28},
		{"CALL far to DPL 0 code from CPL 3", "lcall $0x08, $0", true, excGP, 0x08},
		{"RET far to CPL 0 from CPL 3", "push $0x08; push $0; lret", true, excGP, 0x08},
		{"RET far to an outer level with SS of the wrong DPL", "push $0x13; push $0; push $0x1b; push $0; lret", false, excGP, 0x10},
	}
	for _, tc := range tests {
		c, _ := newSysCPU(t, asm(t, tc.src+"\nhlt"))
		k := catchExceptions(c)
		if tc.user {
			enterUser(c, testCodeBase)
		}
		runCaught(t, c)
		if !k.hit || k.vector != tc.vec || k.code != tc.code {
			t.Errorf("%s: %s, want %s", tc.name, excString(k.hit, k.vector, k.code), excString(true, tc.vec, tc.code))
		}
	}
}

func TestRetFarToOuterLevel(t *testing.T) {
	c, _ := newSysCPU(t, asm(t, `
		push $0x23
		push $0x12340
		push $0x1b
		push $user
		lret
	user:
		hlt`))
	k := catchExceptions(c)
	runCaught(t, c)
	if !k.hit || k.vector != excGP || c.CPL != 3 || c.R[ESP] != 0x12340 || c.Seg[SS].Sel != selData3 || c.Seg[CS].Sel != selCode3 {
		t.Errorf("RET far to CPL 3: %s, CPL %d, CS:ESP %#x:%#x SS %#x; want #GP at HLT, 3, 0x1b:0x12340, 0x23", excString(k.hit, k.vector, k.code), c.CPL, c.Seg[CS].Sel, c.R[ESP], c.Seg[SS].Sel)
	}
	if c.Seg[DS].Access != 0 || c.Seg[ES].Access != 0 {
		t.Errorf("RET far to CPL 3 with DS = ES = 0x10 (DPL 0): DS access %#x, ES access %#x; want both made unusable", c.Seg[DS].Access, c.Seg[ES].Access)
	}
}
