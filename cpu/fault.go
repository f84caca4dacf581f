package cpu

// This file implements exceptions: raising them from handlers, the
// double-fault and triple-fault rules, and the report of a fault that
// stops the processor.

import (
	"fmt"
	"strings"

	"golang.org/x/arch/x86/x86asm"
)

// Exception vectors.
const (
	excDE  = 0  // divide error
	excDB  = 1  // debug
	excNMI = 2  // non-maskable interrupt
	excBP  = 3  // breakpoint (INT3)
	excOF  = 4  // overflow (INTO)
	excBR  = 5  // BOUND range exceeded
	excUD  = 6  // invalid opcode
	excNM  = 7  // device not available
	excDF  = 8  // double fault
	excTS  = 10 // invalid TSS
	excNP  = 11 // segment not present
	excSS  = 12 // stack-segment fault
	excGP  = 13 // general protection
	excPF  = 14 // page fault
	excMF  = 16 // x87 floating-point error
	excAC  = 17 // alignment check
)

var excNames = map[uint8]string{
	excDE: "#DE (divide error)", excDB: "#DB (debug)", excNMI: "NMI", excBP: "#BP (breakpoint)",
	excOF: "#OF (overflow)", excBR: "#BR (BOUND range exceeded)", excUD: "#UD (invalid opcode)",
	excNM: "#NM (device not available)", excDF: "#DF (double fault)", excTS: "#TS (invalid TSS)",
	excNP: "#NP (segment not present)", excSS: "#SS (stack-segment fault)",
	excGP: "#GP (general protection)", excPF: "#PF (page fault)", excMF: "#MF (x87 error)",
	excAC: "#AC (alignment check)",
}

// ExceptionName names an exception vector as the Intel manual does.
func ExceptionName(v uint8) string {
	if n, ok := excNames[v]; ok {
		return n
	}
	return fmt.Sprintf("vector %d", v)
}

// hasErrorCode reports whether exception v pushes an error code.
func hasErrorCode(v uint8) bool {
	switch v {
	case excDF, excTS, excNP, excSS, excGP, excPF, excAC:
		return true
	}
	return false
}

// guestException unwinds from a handler to Run, which delivers it.
type guestException struct {
	vector uint8
	code   uint32
}

// stopPanic unwinds from a handler to Run, which stops the processor.
type stopPanic struct{ reason StopReason }

// exception raises exception v with error code code (ignored for vectors
// that push none). It does not return.
func (c *CPU) exception(v uint8, code uint32) {
	panic(guestException{vector: v, code: code})
}

// undefined raises #UD.
func (c *CPU) undefined() { c.exception(excUD, 0) }

// busError stops the processor: an access reached an address with nothing
// behind it.
func (c *CPU) busError(what string, addr uint32, size int) {
	c.Fault = c.report(fmt.Sprintf("%s of %d byte(s) at physical address %#08x: nothing is there", what, size, addr), -1, 0)
	panic(stopPanic{StopBusError})
}

// FaultReport describes a fault that stopped the processor.
type FaultReport struct {
	CPU       int
	Reason    string // what happened, in a sentence
	Vector    int    // the exception vector, or -1
	ErrorCode uint32
	CS        uint16
	EIP       uint32 // address of the faulting instruction
	Inst      string // the instruction, disassembled (Intel syntax), or its bytes
	Registers string // the register dump
}

func (f *FaultReport) Error() string { return f.String() }

// String formats the report over several lines.
func (f *FaultReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "cpu%d: %s\n", f.CPU, f.Reason)
	fmt.Fprintf(&b, "  at %04x:%08x  %s\n", f.CS, f.EIP, f.Inst)
	b.WriteString(f.Registers)
	return b.String()
}

// report builds a FaultReport at the current instruction.
func (c *CPU) report(reason string, vector int, code uint32) *FaultReport {
	eip := c.EIP
	if in := c.current(); in != nil {
		eip = in.eip()
	}
	return &FaultReport{
		CPU: c.ID, Reason: reason, Vector: vector, ErrorCode: code,
		CS: c.Seg[CS].Sel, EIP: eip, Inst: c.Disassemble(eip), Registers: c.DumpRegisters(),
	}
}

// Disassemble returns the instruction at CS:eip in Intel syntax, or a note
// saying why it cannot.
func (c *CPU) Disassemble(eip uint32) string {
	lin := c.Seg[CS].Base + eip
	var buf [15]byte
	n := 0
	for ; n < len(buf) && uint64(lin)+uint64(n) < uint64(c.ramTop); n++ {
		buf[n] = c.ram[lin+uint32(n)]
	}
	if n == 0 {
		return fmt.Sprintf("(no memory at linear address %#08x)", lin)
	}
	mode := 16
	if c.mode32 {
		mode = 32
	}
	if isENDBR32(buf[:n]) {
		return "endbr32"
	}
	x, err := x86asm.Decode(buf[:n], mode)
	if err != nil || x.Op == 0 {
		return fmt.Sprintf("(undecodable bytes % x)", buf[:min(n, 8)])
	}
	return fmt.Sprintf("%-32s ; % x", x86asm.IntelSyntax(x, uint64(eip), nil), buf[:x.Len])
}

// DumpRegisters formats the registers as a fault report shows them.
func (c *CPU) DumpRegisters() string {
	f := c.EFLAGS()
	return fmt.Sprintf("  EAX=%08x EBX=%08x ECX=%08x EDX=%08x\n"+
		"  ESI=%08x EDI=%08x EBP=%08x ESP=%08x\n"+
		"  EIP=%08x EFLAGS=%08x CPL=%d %s\n"+
		"  CS=%04x DS=%04x ES=%04x SS=%04x FS=%04x GS=%04x\n"+
		"  CR0=%08x GDTR=%08x/%04x IDTR=%08x/%04x TR=%04x\n",
		c.R[EAX], c.R[EBX], c.R[ECX], c.R[EDX], c.R[ESI], c.R[EDI], c.R[EBP], c.R[ESP],
		c.EIP, f, c.CPL, c.Mode(),
		c.Seg[CS].Sel, c.Seg[DS].Sel, c.Seg[ES].Sel, c.Seg[SS].Sel, c.Seg[FS].Sel, c.Seg[GS].Sel,
		c.CR0, c.GDTR.Base, c.GDTR.Limit, c.IDTR.Base, c.IDTR.Limit, c.TR.Sel)
}

// exceptionClass sorts exceptions for the double-fault rule (SDM vol. 3,
// table 6-5): benign, contributory or page fault.
func exceptionClass(v uint8) int {
	switch v {
	case excDE, excTS, excNP, excSS, excGP:
		return 1 // contributory
	case excPF:
		return 2
	}
	return 0 // benign
}

// raise delivers exception e, which an instruction raised (fault: EIP is
// the instruction's own address; trap: EIP is already past it). A fault
// while delivering becomes #DF by the SDM's rules; a fault while
// delivering #DF is a triple fault, which shuts the processor down.
func (c *CPU) raise(e guestException) StopReason {
	first := e.vector
	for {
		nested, ok := c.tryDeliver(e.vector, e.code, hasErrorCode(e.vector), false)
		if ok {
			return stopNone
		}
		if e.vector == excDF {
			c.Fault = c.report(fmt.Sprintf("triple fault: %s could not be delivered (%s while delivering it, then #DF could not be delivered either: the IDT, GDT or stack is unusable)",
				ExceptionName(first), ExceptionName(nested.vector)), int(first), 0)
			return StopShutdown
		}
		a, b := exceptionClass(e.vector), exceptionClass(nested.vector)
		if a == 0 || b == 0 || (a == 1 && b == 2) {
			e = nested // handled serially
			continue
		}
		e = guestException{vector: excDF}
	}
}

// tryDeliver delivers a vector through the IDT (or the real-mode IVT) and
// reports the exception raised while doing so, if any.
func (c *CPU) tryDeliver(vector uint8, code uint32, hasCode, software bool) (nested guestException, ok bool) {
	saved := c.savedState()
	defer func() {
		if r := recover(); r != nil {
			e, isExc := r.(guestException)
			if !isExc {
				panic(r)
			}
			c.restoreState(saved)
			nested, ok = e, false
		}
	}()
	c.deliver(vector, code, hasCode, software)
	return guestException{}, true
}

// savedState is what delivery may change before it faults.
type savedState struct {
	esp uint32
	ss  Segment
	cs  Segment
	cpl int
	eip uint32
}

func (c *CPU) savedState() savedState {
	return savedState{esp: c.R[ESP], ss: c.Seg[SS], cs: c.Seg[CS], cpl: c.CPL, eip: c.EIP}
}

func (c *CPU) restoreState(s savedState) {
	c.R[ESP], c.Seg[SS], c.Seg[CS], c.CPL, c.EIP = s.esp, s.ss, s.cs, s.cpl, s.eip
	c.mode32 = c.Seg[CS].Big() && !c.realMode
}
