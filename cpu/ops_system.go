package cpu

// This file implements the system instructions a kernel and its boot code
// use: HLT, CLI, STI; MOV to and from segment, control and debug
// registers; LGDT, LIDT, SGDT, SIDT, LLDT, SLDT, LTR, STR, LMSW, SMSW,
// CLTS; INVLPG, WBINVD, INVD; ARPL, LAR, LSL, VERR, VERW; CPUID, RDTSC,
// RDMSR, WRMSR; UD2.
//
// Privileged instructions (HLT, LGDT, LIDT, LLDT, LTR, LMSW, CLTS, MOV
// CRn/DRn, INVLPG, WBINVD, INVD, RDMSR, WRMSR) raise #GP(0) at CPL > 0;
// LLDT, SLDT, LTR, STR, ARPL, LAR, LSL, VERR and VERW raise #UD in real
// mode. Not emulated, documented here:
//   - paging: setting CR0.PG stops the processor (StopShutdown) with a
//     FaultReport saying so; CR3 is stored only;
//   - debug registers are stored and read back, but no breakpoint fires;
//   - INVLPG, WBINVD and INVD do nothing (there is no TLB or cache);
//   - SYSENTER, SYSEXIT, SYSCALL, SYSRET, RDPMC, x87/MMX/SSE raise #UD
//     (they have no translator), and CPUID does not report them.

import (
	"fmt"

	"golang.org/x/arch/x86/x86asm"
)

// CR0 and CR4 bits beyond those cpu.go names.
const (
	cr0MP = 1 << 1
	cr0EM = 1 << 2
	cr0TS = 1 << 3
	cr0WP = 1 << 16
	cr0AM = 1 << 18
	cr0NW = 1 << 29
	cr0CD = 1 << 30
	// cr0Valid are the CR0 bits a P6 has; setting any other raises #GP(0).
	cr0Valid = CR0PE | cr0MP | cr0EM | cr0TS | CR0ET | CR0NE | cr0WP | cr0AM | cr0NW | cr0CD | CR0PG

	cr4TSD = 1 << 2 // RDTSC is privileged
	cr4DE  = 1 << 3 // debugging extensions: DR4/DR5 raise #UD
	cr4PCE = 1 << 8 // RDPMC allowed at any CPL (RDPMC itself is not emulated)
	// cr4Valid are the CR4 bits accepted: those that need no feature
	// CPUID does not report. VME, PVI, PSE, PAE, MCE, PGE, OSFXSR… raise
	// #GP(0), as on a processor without them.
	cr4Valid = cr4TSD | cr4DE | cr4PCE
)

func init() {
	register(func(x *x86asm.Inst, in *inst) bool { in.fn = opHlt; in.flags |= fEnd; return true }, x86asm.HLT)
	register(func(x *x86asm.Inst, in *inst) bool { in.fn = opCli; return true }, x86asm.CLI)
	register(func(x *x86asm.Inst, in *inst) bool { in.fn = opSti; in.flags |= fEnd; return true }, x86asm.STI)
	register(translateDescTable, x86asm.LGDT, x86asm.LIDT, x86asm.SGDT, x86asm.SIDT)
	register(translateSelectorOp, x86asm.LLDT, x86asm.LTR, x86asm.SLDT, x86asm.STR,
		x86asm.VERR, x86asm.VERW)
	register(translateMsw, x86asm.LMSW, x86asm.SMSW)
	register(translateNoOperand, x86asm.CLTS, x86asm.WBINVD, x86asm.INVD, x86asm.CPUID,
		x86asm.RDTSC, x86asm.RDMSR, x86asm.WRMSR, x86asm.UD2)
	register(translateInvlpg, x86asm.INVLPG)
	register(translateArpl, x86asm.ARPL)
	register(translateLarLsl, x86asm.LAR, x86asm.LSL)
}

// checkCPL0 raises #GP(0) unless the processor runs at CPL 0 (real mode
// counts as CPL 0).
func (c *CPU) checkCPL0() {
	if c.CPL != 0 && !c.realMode {
		c.exception(excGP, 0)
	}
}

// checkProtected raises #UD in real mode.
func (c *CPU) checkProtected() {
	if c.realMode {
		c.undefined()
	}
}

func opHlt(c *CPU, in *inst) {
	c.checkCPL0()
	c.halted = true
	c.brk = true
}

// iopl returns EFLAGS.IOPL.
func (c *CPU) iopl() int { return int(c.flags&FlagIOPL) >> 12 }

func opCli(c *CPU, in *inst) {
	if !c.realMode && c.CPL > c.iopl() {
		c.exception(excGP, 0)
	}
	if c.flags&FlagIF != 0 {
		c.ifChanged(&c.ifOff)
	}
	c.flags &^= FlagIF
}

// opSti sets IF; when IF was clear, interrupts stay blocked until the
// next instruction has run (the STI shadow).
func opSti(c *CPU, in *inst) {
	if !c.realMode && c.CPL > c.iopl() {
		c.exception(excGP, 0)
	}
	if c.flags&FlagIF == 0 {
		c.flags |= FlagIF
		c.shadow = true
		c.brk = true
		c.ifChanged(&c.ifOn)
	}
}

// Register kinds of MOV to and from system registers, in in.imm2.
const (
	sysSeg = iota
	sysCR
	sysDR
)

// translateMovSystem translates MOV to and from segment, control and debug
// registers; the general register or memory operand is dst or src, the
// system register is in.aux.
func translateMovSystem(x *x86asm.Inst, in *inst) bool {
	if _, ok := segOfReg(x.Args[0]); ok {
		return translateMovSeg(x, in)
	}
	if _, ok := segOfReg(x.Args[1]); ok {
		return translateMovSeg(x, in)
	}
	to := true
	r, ok := x.Args[0].(x86asm.Reg)
	if !ok || in.srcKind != argReg {
		to = false
		r, ok = x.Args[1].(x86asm.Reg)
		if !ok || in.dstKind != argReg {
			return false
		}
	}
	switch {
	case r >= x86asm.CR0 && r <= x86asm.CR7:
		in.aux = uint8(r - x86asm.CR0)
		if in.aux == 1 || in.aux > 4 {
			return false
		}
		in.imm2 = sysCR
	case r >= x86asm.DR0 && r <= x86asm.DR7:
		in.aux = uint8(r - x86asm.DR0)
		in.imm2 = sysDR
	default:
		return false // test registers and the like
	}
	in.size = 4
	in.flags |= fEnd
	if to {
		in.fn = opMovToSys
	} else {
		in.fn = opMovFromSys
	}
	return true
}

// opMovToSys is MOV CRn, r32 and MOV DRn, r32.
func opMovToSys(c *CPU, in *inst) {
	c.checkCPL0()
	v := c.R[in.src]
	if in.imm2 == sysDR {
		c.DR[c.debugReg(in.aux)] = v
		return
	}
	switch in.aux {
	case 0:
		c.setCR0(v)
	case 2:
		c.CR2 = v
	case 3:
		c.CR3 = v // stored only: paging is not emulated
	case 4:
		if v&^cr4Valid != 0 {
			c.exception(excGP, 0)
		}
		c.CR4 = v
	}
	c.brk = true
}

// opMovFromSys is MOV r32, CRn and MOV r32, DRn.
func opMovFromSys(c *CPU, in *inst) {
	c.checkCPL0()
	var v uint32
	if in.imm2 == sysDR {
		n := c.debugReg(in.aux)
		v = c.DR[n]
		switch n {
		case 6:
			v |= 0xFFFF0FF0 // reserved bits read as 1
		case 7:
			v |= 0x400
		}
	} else {
		switch in.aux {
		case 0:
			v = c.CR0
		case 2:
			v = c.CR2
		case 3:
			v = c.CR3
		case 4:
			v = c.CR4
		}
	}
	c.R[in.dst] = v
}

// debugReg maps a debug register number to the one accessed: DR4 and DR5
// alias DR6 and DR7 unless CR4.DE is set, which makes them #UD.
func (c *CPU) debugReg(n uint8) uint8 {
	if n == 4 || n == 5 {
		if c.CR4&cr4DE != 0 {
			c.undefined()
		}
		n += 2
	}
	return n
}

// setCR0 writes CR0: PE switches between real and protected mode (code
// keeps running in the current CS until a far jump reloads it); PG stops
// the processor, as paging is not emulated.
func (c *CPU) setCR0(v uint32) {
	if v&^cr0Valid != 0 || v&CR0PG != 0 && v&CR0PE == 0 || v&cr0NW != 0 && v&cr0CD == 0 {
		c.exception(excGP, 0)
	}
	v |= CR0ET
	if v&CR0PG != 0 {
		c.Fault = c.report(fmt.Sprintf("paging is not emulated: the guest set CR0.PG (new CR0 = %#08x)", v), -1, 0)
		panic(stopPanic{StopShutdown})
	}
	c.CR0 = v
	c.realMode = v&CR0PE == 0
	c.mode32 = !c.realMode && c.Seg[CS].Big()
	c.brk = true
}

// translateDescTable translates LGDT, LIDT, SGDT and SIDT m: a 16-bit
// limit and a 32-bit base (24 bits loaded with a 16-bit operand size).
func translateDescTable(x *x86asm.Inst, in *inst) bool {
	if in.dstKind != argMem {
		return false
	}
	in.size = uint8(x.DataSize / 8)
	switch x.Op {
	case x86asm.LGDT, x86asm.LIDT:
		in.fn = opLoadDescTable
		in.flags |= fEnd
	default:
		in.fn = opStoreDescTable
	}
	if x.Op == x86asm.LIDT || x.Op == x86asm.SIDT {
		in.aux = 1
	}
	return true
}

// descTable returns GDTR (in.aux 0) or IDTR (in.aux 1).
func (c *CPU) descTable(in *inst) *DescriptorTable {
	if in.aux == 1 {
		return &c.IDTR
	}
	return &c.GDTR
}

func opLoadDescTable(c *CPU, in *inst) {
	c.checkCPL0()
	limit := c.read16(in.seg, c.ea(in))
	base := c.read32(in.seg, c.eaPlus(in, 2))
	if in.size == 2 {
		base &= 0xFFFFFF
	}
	*c.descTable(in) = DescriptorTable{Base: base, Limit: uint16(limit)}
}

// opStoreDescTable stores the limit and the whole 32-bit base, whatever
// the operand size (as the SDM describes for IA-32 processors).
func opStoreDescTable(c *CPU, in *inst) {
	t := c.descTable(in)
	c.write16(in.seg, c.ea(in), uint32(t.Limit))
	c.write32(in.seg, c.eaPlus(in, 2), t.Base)
}

// translateSelectorOp translates the instructions with one selector
// operand: LLDT, LTR, SLDT, STR, VERR, VERW.
func translateSelectorOp(x *x86asm.Inst, in *inst) bool {
	if in.dstKind != argReg && in.dstKind != argMem {
		return false
	}
	switch x.Op {
	case x86asm.LLDT:
		in.fn = opLldt
		in.flags |= fEnd
	case x86asm.LTR:
		in.fn = opLtr
		in.flags |= fEnd
	case x86asm.SLDT:
		in.fn = opSldt
	case x86asm.STR:
		in.fn = opStr
	case x86asm.VERR:
		in.fn = opVerr
	case x86asm.VERW:
		in.fn = opVerw
	}
	if in.dstKind == argMem {
		in.size = 2
	}
	return true
}

// selectorOperand reads the 16-bit selector operand (dst).
func (c *CPU) selectorOperand(in *inst) uint16 {
	if in.dstKind == argReg {
		return uint16(c.R[in.dst])
	}
	return uint16(c.read16(in.seg, c.ea(in)))
}

// opLldt is LLDT: a null selector makes the LDT unusable.
func opLldt(c *CPU, in *inst) {
	c.checkProtected()
	c.checkCPL0()
	sel := c.selectorOperand(in)
	if sel&^3 == 0 {
		c.LDTR = Segment{Sel: sel}
		return
	}
	if sel&4 != 0 {
		c.exception(excGP, selErr(sel, 0))
	}
	lo, hi := c.descriptor(sel, 0)
	s := segmentFromDescriptor(sel, lo, hi)
	if s.Access&0x1F != 0x02 { // LDT descriptor
		c.exception(excGP, selErr(sel, 0))
	}
	if s.Access&accP == 0 {
		c.exception(excNP, selErr(sel, 0))
	}
	c.LDTR = s
}

// opLtr is LTR: it loads an available TSS and marks it busy in memory.
func opLtr(c *CPU, in *inst) {
	c.checkProtected()
	c.checkCPL0()
	sel := c.selectorOperand(in)
	if sel&^3 == 0 {
		c.exception(excGP, 0)
	}
	if sel&4 != 0 {
		c.exception(excGP, selErr(sel, 0))
	}
	lo, hi := c.descriptor(sel, 0)
	s := segmentFromDescriptor(sel, lo, hi)
	if t := s.Access & 0x1F; t != 0x01 && t != 0x09 { // available 16- or 32-bit TSS
		c.exception(excGP, selErr(sel, 0))
	}
	if s.Access&accP == 0 {
		c.exception(excNP, selErr(sel, 0))
	}
	a, _ := c.descriptorAddr(sel)
	c.physWrite8(a+5, uint8(hi>>8)|0x02)
	s.Access |= 0x02
	c.TR = s
}

// storeSelector writes a selector to a 16-bit memory operand or, zero
// extended, to a register of the operand size.
func (c *CPU) storeSelector(in *inst, sel uint16) { c.setDst(in, uint32(sel)) }

func opSldt(c *CPU, in *inst) {
	c.checkProtected()
	c.storeSelector(in, c.LDTR.Sel)
}

func opStr(c *CPU, in *inst) {
	c.checkProtected()
	c.storeSelector(in, c.TR.Sel)
}

// translateMsw translates LMSW r/m16 and SMSW r/m.
func translateMsw(x *x86asm.Inst, in *inst) bool {
	if in.dstKind != argReg && in.dstKind != argMem {
		return false
	}
	if in.dstKind == argMem {
		in.size = 2
	}
	if x.Op == x86asm.LMSW {
		in.fn = opLmsw
		in.flags |= fEnd
	} else {
		in.fn = opSmsw
	}
	return true
}

// opLmsw loads CR0 bits 0–3 (PE, MP, EM, TS); it can set PE but not clear it.
func opLmsw(c *CPU, in *inst) {
	c.checkCPL0()
	v := c.selectorOperand(in)
	c.setCR0(c.CR0&^0xE | uint32(v)&0xF)
}

// opSmsw stores CR0: its low 16 bits to memory or a 16-bit register, all
// of it to a 32-bit register (the high half is undefined in the SDM; P6
// processors store CR0).
func opSmsw(c *CPU, in *inst) { c.setDst(in, c.CR0) }

// translateNoOperand translates the system instructions without operands.
func translateNoOperand(x *x86asm.Inst, in *inst) bool {
	switch x.Op {
	case x86asm.CLTS:
		in.fn = opClts
	case x86asm.WBINVD, x86asm.INVD:
		in.fn = opPrivNop
	case x86asm.CPUID:
		in.fn = opCpuid
	case x86asm.RDTSC:
		in.fn = opRdtsc
	case x86asm.RDMSR:
		in.fn = opRdmsr
		in.flags |= fEnd
	case x86asm.WRMSR:
		in.fn = opWrmsr
		in.flags |= fEnd
	case x86asm.UD2:
		in.fn = opUndefined
		in.flags |= fEnd
	}
	return true
}

func opClts(c *CPU, in *inst) {
	c.checkCPL0()
	c.CR0 &^= cr0TS
}

// opPrivNop is a privileged instruction that has nothing to do here:
// INVLPG (no TLB), WBINVD and INVD (no cache).
func opPrivNop(c *CPU, in *inst) { c.checkCPL0() }

func translateInvlpg(x *x86asm.Inst, in *inst) bool {
	if in.dstKind != argMem {
		return false
	}
	in.fn = opPrivNop
	return true
}

// CPUID answers: a GenuineIntel family 6 processor (the signature EDX
// holds after reset) with the features emulated and nothing else.
const (
	cpuidSignature = 0x663
	featTSC        = 1 << 4
	featMSR        = 1 << 5
	featCX8        = 1 << 8
	featAPIC       = 1 << 9
	featCMOV       = 1 << 15
	cpuidFeatures  = featTSC | featMSR | featCX8 | featAPIC | featCMOV
)

// opCpuid is CPUID. Leaf 0 gives the highest leaf (1) and the vendor;
// leaf 1 the signature, EBX = initial APIC ID (bits 24–31) and one logical
// processor (bits 16–23), no ECX features, and in EDX only TSC, MSR, CX8,
// APIC and CMOV (no FPU, no SEP, no PSE/PAE/PGE: no paging). A leaf above
// the highest answers as the highest, as Intel processors do (extended
// leaves 0x80000000… included, which a P6 did not have).
func opCpuid(c *CPU, in *inst) {
	if c.R[EAX] == 0 {
		c.R[EAX] = 1
		c.R[EBX] = 0x756E6547 // "Genu"
		c.R[EDX] = 0x49656E69 // "ineI"
		c.R[ECX] = 0x6C65746E // "ntel"
		return
	}
	c.R[EAX] = cpuidSignature
	c.R[EBX] = uint32(c.ID)<<24 | 1<<16
	c.R[ECX] = 0
	c.R[EDX] = cpuidFeatures
}

// opRdtsc reads the time-stamp counter, which is the processor's time
// (global time: every CPU's TSC reads the same clock) at this instruction.
// With CR4.TSD it is privileged.
func opRdtsc(c *CPU, in *inst) {
	if c.CR4&cr4TSD != 0 && c.CPL != 0 && !c.realMode {
		c.exception(excGP, 0)
	}
	t := c.Now()
	c.R[EAX], c.R[EDX] = uint32(t), uint32(t>>32)
}

// msrTSC is IA32_TIME_STAMP_COUNTER, which RDMSR reads like RDTSC.
const msrTSC = 0x10

// opRdmsr reads MSR ECX into EDX:EAX through the bus (the TSC itself
// here); a register the machine does not have raises #GP(0).
func opRdmsr(c *CPU, in *inst) {
	c.checkCPL0()
	var v uint64
	if c.R[ECX] == msrTSC {
		v = c.Now()
	} else {
		var ok bool
		if v, ok = c.bus.ReadMSR(c.ID, c.R[ECX]); !ok {
			c.exception(excGP, 0)
		}
	}
	c.R[EAX], c.R[EDX] = uint32(v), uint32(v>>32)
	c.brk = true
}

// opWrmsr writes EDX:EAX to MSR ECX through the bus; a register the
// machine does not have or refuses raises #GP(0).
func opWrmsr(c *CPU, in *inst) {
	c.checkCPL0()
	if !c.bus.WriteMSR(c.ID, c.R[ECX], uint64(c.R[EDX])<<32|uint64(c.R[EAX])) {
		c.exception(excGP, 0)
	}
	c.brk = true
}

// translateArpl translates ARPL r/m16, r16.
func translateArpl(x *x86asm.Inst, in *inst) bool {
	if in.srcKind != argReg || in.dstKind != argReg && in.dstKind != argMem {
		return false
	}
	in.size = 2
	in.fn = opArpl
	return true
}

// setZF sets or clears ZF, leaving the other flags as they are.
func (c *CPU) setZF(z bool) {
	c.materialize()
	if z {
		c.flags |= FlagZF
	} else {
		c.flags &^= FlagZF
	}
}

// opArpl raises the RPL of the destination selector to the source's,
// setting ZF if it did (other flags unchanged).
func opArpl(c *CPU, in *inst) {
	c.checkProtected()
	d := c.dstVal(in)
	s := c.R[in.src]
	if d&3 < s&3 {
		c.setDst(in, d&^3|s&3)
		c.setZF(true)
		return
	}
	c.setZF(false)
}

// translateLarLsl translates LAR and LSL r, r/m16.
func translateLarLsl(x *x86asm.Inst, in *inst) bool {
	if in.dstKind != argReg || in.srcKind != argReg && in.srcKind != argMem {
		return false
	}
	if x.Op == x86asm.LAR {
		in.fn = opLar
	} else {
		in.fn = opLsl
	}
	return true
}

// srcSelector reads the 16-bit selector source operand.
func (c *CPU) srcSelector(in *inst) uint16 {
	if in.srcKind == argReg {
		return uint16(c.R[in.src])
	}
	return uint16(c.read16(in.seg, c.ea(in)))
}

// visibleDescriptor reads the descriptor of sel for LAR, LSL, VERR and
// VERW: ok is false (the instruction clears ZF) for a null selector, one
// beyond its table, a descriptor type the instruction does not accept
// (system types listed in sysTypes as a bit mask), or one the current
// privilege may not see (DPL < CPL or DPL < RPL, except conforming code).
func (c *CPU) visibleDescriptor(sel uint16, sysTypes uint32) (s Segment, hi uint32, ok bool) {
	if sel&^3 == 0 {
		return s, 0, false
	}
	lo, hi, ok := c.fetchDescriptor(sel)
	if !ok {
		return s, 0, false
	}
	s = segmentFromDescriptor(sel, lo, hi)
	if s.Access&accS == 0 {
		if sysTypes>>(s.Access&0xF)&1 == 0 {
			return s, 0, false
		}
	} else if s.isCode() && s.conforming() {
		return s, hi, true
	}
	if s.DPL() < c.CPL || s.DPL() < int(sel&3) {
		return s, 0, false
	}
	return s, hi, true
}

// System descriptor types LAR and LSL accept: 16-bit TSS (1, 3), LDT (2),
// 32-bit TSS (9, 11), and for LAR the gates (4, 5, 12).
const (
	lslTypes = 1<<1 | 1<<2 | 1<<3 | 1<<9 | 1<<11
	larTypes = lslTypes | 1<<4 | 1<<5 | 1<<12
)

// opLar loads the access rights (the descriptor's second dword masked
// with 0x00F0FF00; bits 16–19, undefined in the SDM, read 0) and sets ZF,
// or clears ZF and leaves the destination alone.
func opLar(c *CPU, in *inst) {
	c.checkProtected()
	_, hi, ok := c.visibleDescriptor(c.srcSelector(in), larTypes)
	if ok {
		c.setReg(in.dst, in.size, hi&0x00F0FF00)
	}
	c.setZF(ok)
}

// opLsl loads the segment limit in bytes (granularity applied) and sets
// ZF, or clears ZF and leaves the destination alone.
func opLsl(c *CPU, in *inst) {
	c.checkProtected()
	s, _, ok := c.visibleDescriptor(c.srcSelector(in), lslTypes)
	if ok {
		c.setReg(in.dst, in.size, s.Limit)
	}
	c.setZF(ok)
}

// opVerr sets ZF if the segment is readable at the current privilege.
func opVerr(c *CPU, in *inst) {
	c.checkProtected()
	s, _, ok := c.visibleDescriptor(c.selectorOperand(in), 0)
	c.setZF(ok && s.Access&accS != 0 && (!s.isCode() || s.Access&accRW != 0))
}

// opVerw sets ZF if the segment is writable at the current privilege.
func opVerw(c *CPU, in *inst) {
	c.checkProtected()
	s, _, ok := c.visibleDescriptor(c.selectorOperand(in), 0)
	c.setZF(ok && s.Access&(accS|accCode|accRW) == accS|accRW)
}
