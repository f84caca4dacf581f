package cpu

// This file implements interrupt and exception delivery through the
// protected-mode IDT (the real-mode IVT is in realmode.go), the software
// interrupt instructions INT n, INT3, INTO and INT1 (ICEBP), and IRET.
//
// Delivery follows SDM vol. 3 §6.12: 16- and 32-bit interrupt and trap
// gates; a handler in a more privileged non-conforming code segment runs
// on the stack the TSS gives for its level (SS0:ESP0 …, from a 32-bit or a
// 16-bit TSS), with the old SS and ESP pushed before EFLAGS, CS, EIP and
// the error code; interrupt gates clear IF, both kinds clear TF, NT, RF
// and VM. Errors found on the way raise #GP, #NP, #TS or #SS with the
// selector or IDT index and the EXT bit in the error code, before anything
// has changed.
//
// Not emulated (documented, raise #GP): task gates in the IDT (#GP with
// the IDT index), IRET with NT = 1 (a task return, #GP(0)) and IRET to
// virtual-8086 mode (#GP(0)).

import "golang.org/x/arch/x86/x86asm"

// deliver transfers control to the handler of vector: for an exception,
// EIP is the address to return to (the faulting instruction, or the next
// one for a trap); software is true for INT n, INT3 and INTO, whose gate
// DPL is checked against CPL and whose errors have EXT = 0.
func (c *CPU) deliver(vector uint8, code uint32, hasCode, software bool) {
	c.materialize()
	if c.realMode {
		c.deliverReal(vector)
		return
	}
	c.deliverProtected(vector, code, hasCode, software)
}

// Gate types (the type field of an IDT descriptor, S = 0).
const (
	gateTask   = 0x5
	gateInt16  = 0x6
	gateTrap16 = 0x7
	gateInt32  = 0xE
	gateTrap32 = 0xF
)

// deliverProtected delivers through an interrupt or trap gate of the IDT.
func (c *CPU) deliverProtected(vector uint8, code uint32, hasCode, software bool) {
	ext := uint32(1)
	if software {
		ext = 0
	}
	idtErr := uint32(vector)*8 | 2 | ext
	if uint32(vector)*8+7 > uint32(c.IDTR.Limit) {
		c.exception(excGP, idtErr)
	}
	lo := c.physRead(c.IDTR.Base+uint32(vector)*8, 4)
	hi := c.physRead(c.IDTR.Base+uint32(vector)*8+4, 4)
	typ := hi >> 8 & 0x1F // with the S bit, which must be 0
	switch typ {
	case gateInt16, gateTrap16, gateInt32, gateTrap32:
	default:
		// Task gates (task switches are not emulated) and anything else.
		c.exception(excGP, idtErr)
	}
	if software && int(hi>>13&3) < c.CPL {
		c.exception(excGP, uint32(vector)*8|2)
	}
	if hi&0x8000 == 0 {
		c.exception(excNP, idtErr)
	}
	gate32 := typ&8 != 0
	size := uint8(2)
	off := lo & 0xFFFF
	if gate32 {
		size = 4
		off |= hi & 0xFFFF0000
	}

	sel := uint16(lo >> 16)
	if sel&^3 == 0 {
		c.exception(excGP, ext)
	}
	dlo, dhi := c.descriptor(sel, ext)
	cs := segmentFromDescriptor(sel, dlo, dhi)
	if !cs.isCode() || cs.DPL() > c.CPL {
		c.exception(excGP, selErr(sel, ext))
	}
	if cs.Access&accP == 0 {
		c.exception(excNP, selErr(sel, ext))
	}

	n := uint32(3) // words or dwords in the frame
	if hasCode {
		n++
	}
	inner := !cs.conforming() && cs.DPL() < c.CPL
	var ss Segment
	var esp uint32
	if inner {
		dpl := cs.DPL()
		ssSel, newESP := c.tssStack(dpl, ext)
		ss = c.stackSegment(ssSel, dpl, excTS, ext)
		esp = newESP
		if !stackRoom(&ss, esp, (n+2)*uint32(size)) {
			c.exception(excSS, selErr(ssSel, ext))
		}
	} else if !stackRoom(&c.Seg[SS], c.R[ESP], n*uint32(size)) {
		c.exception(excSS, ext)
	}
	if off > cs.Limit {
		c.exception(excGP, ext)
	}
	c.setAccessed(sel, dhi)
	cs.Access |= accAccessed

	// Nothing can fault from here on but a bus error.
	flags := c.flags
	oldCS, oldEIP := uint32(c.Seg[CS].Sel), c.EIP
	newCPL := c.CPL
	if inner {
		oldSS, oldESP := uint32(c.Seg[SS].Sel), c.R[ESP]
		c.Seg[SS] = ss
		c.R[ESP] = esp
		c.push(size, oldSS)
		c.push(size, oldESP)
		newCPL = cs.DPL()
	}
	c.push(size, flags)
	c.push(size, oldCS)
	c.push(size, oldEIP)
	if hasCode {
		c.push(size, code)
	}
	c.setCS(cs, newCPL, off)
	c.flags &^= FlagTF | FlagNT | FlagRF | FlagVM
	if typ&1 == 0 { // interrupt gate
		c.flags &^= FlagIF
	}
}

// stackRoom reports whether n bytes below stack pointer sp fit in stack
// segment s.
func stackRoom(s *Segment, sp, n uint32) bool {
	mask := uint32(0xFFFF)
	if s.Big() {
		mask = 0xFFFFFFFF
	}
	lo, hi := (sp-n)&mask, (sp-1)&mask
	if lo > hi {
		return false // wraps around
	}
	if s.Access&(accCode|accDC) == accDC { // expand-down
		return lo > s.Limit
	}
	return hi <= s.Limit
}

// tssStack returns the stack (SS and ESP) for privilege level dpl from the
// current TSS, 32-bit (SS0:ESP0 at 4+8×dpl) or 16-bit (SS0:SP0 at
// 2+4×dpl). A TSS too short for it raises #TS(TSS selector).
func (c *CPU) tssStack(dpl int, ext uint32) (ss uint16, esp uint32) {
	tr := &c.TR
	if tr.Access&accP == 0 {
		c.exception(excTS, selErr(tr.Sel, ext))
	}
	switch tr.Access & 0x1D { // type without the busy bit, and S
	case 0x09: // 32-bit TSS
		off := uint32(4 + 8*dpl)
		if off+5 > tr.Limit {
			c.exception(excTS, selErr(tr.Sel, ext))
		}
		return uint16(c.physRead(tr.Base+off+4, 2)), c.physRead(tr.Base+off, 4)
	case 0x01: // 16-bit TSS
		off := uint32(2 + 4*dpl)
		if off+3 > tr.Limit {
			c.exception(excTS, selErr(tr.Sel, ext))
		}
		return uint16(c.physRead(tr.Base+off+2, 2)), c.physRead(tr.Base+off, 2)
	}
	c.exception(excTS, selErr(tr.Sel, ext))
	return 0, 0
}

func init() {
	register(translateInt, x86asm.INT, x86asm.INTO, x86asm.ICEBP)
	register(translateIret, x86asm.IRET, x86asm.IRETD)
}

// translateInt translates INT n (INT3 is INT 3), INTO and INT1 (ICEBP);
// in.aux is the vector.
func translateInt(x *x86asm.Inst, in *inst) bool {
	in.flags |= fBranch
	switch x.Op {
	case x86asm.INT:
		if in.dstKind != argImm {
			return false
		}
		in.aux = uint8(in.imm)
		in.fn = opInt
	case x86asm.INTO:
		in.aux = excOF
		in.fn = opInto
	case x86asm.ICEBP:
		in.aux = excDB
		in.fn = opIcebp
	}
	return true
}

// opInt is INT n and INT3: a software interrupt, taken by the Kernel if
// there is one, else delivered with EIP = the next instruction and the gate's DPL
// checked against CPL.
func opInt(c *CPU, in *inst) { c.softwareInterrupt(in.aux, true) }

// opInto is INTO: INT 4 if OF is set.
func opInto(c *CPU, in *inst) {
	if c.arithFlags()&FlagOF != 0 {
		c.softwareInterrupt(excOF, true)
	}
}

// opIcebp is INT1 (ICEBP, F1): a #DB trap delivered as hardware delivers
// this "privileged software exception": taken by the Kernel, or delivered
// through the IDT without the gate DPL check and with EXT = 1.
func opIcebp(c *CPU, in *inst) { c.softwareInterrupt(excDB, false) }

// softwareInterrupt delivers an interrupt an instruction asked for; EIP is
// already the next instruction. A fault during delivery restores what
// delivery changed and is raised for the instruction itself.
func (c *CPU) softwareInterrupt(vector uint8, software bool) {
	if c.kernel != nil {
		// The kernel takes it at the boundary after this instruction.
		c.entry = Entry{Kind: EntrySoftware, Vector: vector, at: c.current().eip(), gate: software}
		c.entryPending = true
		c.brk = true
		return
	}
	saved := c.savedState()
	defer func() {
		if r := recover(); r != nil {
			c.restoreState(saved)
			panic(r)
		}
	}()
	c.deliver(vector, 0, false, software)
}

// translateIret translates IRET (in.size 2) and IRETD (in.size 4).
func translateIret(x *x86asm.Inst, in *inst) bool {
	in.size = uint8(x.DataSize / 8)
	in.flags |= fBranch
	in.fn = opIret
	return true
}

// opIret returns from an interrupt handler. It ends NMI blocking and asks
// for an instruction boundary, as IF may have turned on.
func opIret(c *CPU, in *inst) {
	if c.realMode {
		c.iretReal(in.size)
	} else {
		c.iretProtected(in.size)
	}
	c.nmiBlocked = false
	c.brk = true
}

// iretFrame reads the return frame IRET pops (EIP, CS, EFLAGS of size
// bytes each) without popping it, so a fault leaves the stack as it was.
func (c *CPU) iretFrame(size uint8) (eip uint32, sel uint16, fl uint32) {
	m, sp, n := c.stackMask(), c.R[ESP], uint32(size)
	eip = c.read(SS, sp&m, size)
	sel = uint16(c.read(SS, (sp+n)&m, size))
	fl = c.read(SS, (sp+2*n)&m, size)
	return eip, sel, fl
}

// iretProtected is IRET in protected mode, to the same or an outer
// privilege level.
func (c *CPU) iretProtected(size uint8) {
	c.materialize()
	if c.flags&FlagNT != 0 {
		c.exception(excGP, 0) // task return: task switches are not emulated
	}
	eip, sel, fl := c.iretFrame(size)
	m, sp, n := c.stackMask(), c.R[ESP], uint32(size)
	if size == 4 && fl&FlagVM != 0 && c.CPL == 0 {
		c.exception(excGP, 0) // return to virtual-8086 mode: not emulated
	}
	cs := c.codeReturnSegment(sel)
	rpl := int(sel & 3)
	if rpl == c.CPL {
		if eip > cs.Limit {
			c.exception(excGP, 0)
		}
		c.iretFlags(fl, size)
		c.setCS(cs, rpl, eip)
		c.R[ESP] = sp&^m | (sp+3*n)&m
		return
	}
	// Return to an outer privilege level.
	esp := c.read(SS, (sp+3*n)&m, size)
	ssSel := uint16(c.read(SS, (sp+4*n)&m, size))
	ss := c.stackSegment(ssSel, rpl, excGP, 0)
	if eip > cs.Limit {
		c.exception(excGP, 0)
	}
	c.iretFlags(fl, size)
	c.setCS(cs, rpl, eip)
	c.Seg[SS] = ss
	m = c.stackMask()
	c.R[ESP] = c.R[ESP]&^m | esp&m
	c.nullOuterSegments(rpl)
}

// iretFlags restores EFLAGS from the value IRET popped, by the rules of
// the privilege level IRET runs at: IOPL (and VIF, VIP) change only at
// CPL 0, IF only when CPL ≤ IOPL; VM never (see iretProtected). A 16-bit
// IRET changes only the low 16 bits.
func (c *CPU) iretFlags(v uint32, size uint8) {
	mask := uint32(flagsArith | FlagTF | FlagDF | FlagNT | FlagRF | FlagAC | FlagID)
	if c.CPL == 0 {
		mask |= FlagIOPL | 3<<19
	}
	if c.CPL <= c.iopl() {
		mask |= FlagIF
	}
	if size == 2 {
		mask &= 0xFFFF
	}
	c.lazy.op = lazyNone
	c.flags = c.flags&^mask | v&mask | flagsFixed
}
