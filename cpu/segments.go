package cpu

// This file implements segmentation as instructions see it: reading
// descriptors from the GDT and LDT, the protected-mode checks of a segment
// register load (MOV Sreg, POP Sreg, LDS, LES, LFS, LGS, LSS), and the far
// control transfers that load CS (far JMP, far CALL, far RET).
//
// A protected-mode load checks the descriptor as SDM vol. 3 §5.4–5.8 and
// the instruction pages say, raising #GP(selector), #NP(selector) or
// #SS(selector) before it changes anything. A successful load sets the
// descriptor's accessed bit in memory, as the processor does. A null
// selector may be loaded into DS, ES, FS and GS: the register becomes
// unusable (Access = 0) and any access through it raises #GP(0).
//
// Far JMP and far CALL reach code segments directly (conforming and
// non-conforming, at the current privilege level). Call gates, task gates
// and TSS descriptors as far JMP/CALL targets are not emulated: they raise
// #GP(selector). Far RET returns to the same or an outer privilege level,
// with the stack switch.
//
// Real-mode loads (realmode.go) only set the selector and base = sel × 16;
// the cached limit and attributes are kept, which is what makes "unreal
// mode" work on hardware.

import "golang.org/x/arch/x86/x86asm"

// Access byte bits of a code or data segment descriptor (Segment.Access).
const (
	accAccessed = 0x01 // accessed
	accRW       = 0x02 // readable code, writable data
	accDC       = 0x04 // conforming code, expand-down data
	accCode     = 0x08 // code segment
	accS        = 0x10 // code or data (clear for a system descriptor)
	accP        = 0x80 // present
)

// selErr returns the error code that names a selector: its index and
// table indicator, with the EXT bit.
func selErr(sel uint16, ext uint32) uint32 { return uint32(sel)&0xFFFC | ext }

// physRead reads size bytes of guest physical memory for the processor
// itself (descriptor tables, the TSS); nothing there stops the processor
// with a bus error.
func (c *CPU) physRead(a uint32, size int) uint32 {
	v, ok := c.ReadPhys(a, size)
	if !ok {
		c.busError("read", a, size)
	}
	return v
}

// physWrite8 writes one byte of guest physical memory for the processor
// itself (the accessed and busy bits of descriptors), invalidating any
// translated code there.
func (c *CPU) physWrite8(a uint32, v uint8) {
	if a < c.ramTop {
		if c.cache.line[a>>lineShift] != 0 {
			c.codeWritten(a, 1)
		}
		c.ram[a] = v
		return
	}
	if !c.bus.WritePhys(c.ID, a, 1, uint32(v)) {
		c.busError("write", a, 1)
	}
	c.brk = true
}

// descriptorAddr returns the physical address of the descriptor sel
// selects, or ok == false if it lies beyond the limit of its table (the
// GDT, or the LDT when the selector's TI bit is set) or the LDT is
// unusable.
func (c *CPU) descriptorAddr(sel uint16) (a uint32, ok bool) {
	base, limit := c.GDTR.Base, uint32(c.GDTR.Limit)
	if sel&4 != 0 {
		if c.LDTR.Access&accP == 0 {
			return 0, false
		}
		base, limit = c.LDTR.Base, c.LDTR.Limit
	}
	idx := uint32(sel &^ 7)
	if idx+7 > limit {
		return 0, false
	}
	return base + idx, true
}

// fetchDescriptor reads the descriptor sel selects; ok is false if it lies
// beyond its table's limit.
func (c *CPU) fetchDescriptor(sel uint16) (lo, hi uint32, ok bool) {
	a, ok := c.descriptorAddr(sel)
	if !ok {
		return 0, 0, false
	}
	return c.physRead(a, 4), c.physRead(a+4, 4), true
}

// descriptor reads the descriptor sel selects, raising #GP(sel) if it lies
// beyond its table's limit.
func (c *CPU) descriptor(sel uint16, ext uint32) (lo, hi uint32) {
	lo, hi, ok := c.fetchDescriptor(sel)
	if !ok {
		c.exception(excGP, selErr(sel, ext))
	}
	return lo, hi
}

// setAccessed sets the accessed bit of sel's descriptor in memory (hi is
// its second dword), as the processor does when it loads the descriptor
// into a segment register.
func (c *CPU) setAccessed(sel uint16, hi uint32) {
	if hi&(accAccessed<<8) != 0 {
		return
	}
	if a, ok := c.descriptorAddr(sel); ok {
		c.physWrite8(a+5, uint8(hi>>8)|accAccessed)
	}
}

// segmentFromDescriptor decodes a segment descriptor.
func segmentFromDescriptor(sel uint16, lo, hi uint32) Segment {
	limit := lo&0xFFFF | hi&0xF0000
	if hi&0x800000 != 0 {
		limit = limit<<12 | 0xFFF
	}
	s := Segment{
		Sel:    sel,
		Base:   lo>>16 | (hi&0xFF)<<16 | hi&0xFF000000,
		Limit:  limit,
		Access: uint16(hi>>8) & 0xF0FF,
	}
	s.update()
	return s
}

// isCode reports whether the descriptor is a code segment.
func (s *Segment) isCode() bool { return s.Access&(accS|accCode) == accS|accCode }

// conforming reports whether a code segment is conforming.
func (s *Segment) conforming() bool { return s.Access&accDC != 0 }

// dataSegment checks sel for a load into DS, ES, FS or GS in protected
// mode and returns the segment to load. A null selector gives an unusable
// segment.
func (c *CPU) dataSegment(sel uint16) Segment {
	if sel&^3 == 0 {
		return Segment{Sel: sel}
	}
	lo, hi := c.descriptor(sel, 0)
	s := segmentFromDescriptor(sel, lo, hi)
	a := s.Access
	if a&accS == 0 || a&(accCode|accRW) == accCode { // system, or execute-only code
		c.exception(excGP, selErr(sel, 0))
	}
	if !s.isCode() || !s.conforming() {
		if int(sel&3) > s.DPL() || c.CPL > s.DPL() {
			c.exception(excGP, selErr(sel, 0))
		}
	}
	if a&accP == 0 {
		c.exception(excNP, selErr(sel, 0))
	}
	c.setAccessed(sel, hi)
	s.Access |= accAccessed
	return s
}

// stackSegment checks sel for a load into SS at privilege level cpl and
// returns the segment to load. The checks raise vector vec (#GP for
// instructions, #TS for the stack switch of interrupt delivery) with ext
// as the EXT bit; a descriptor that is not present raises #SS(sel).
func (c *CPU) stackSegment(sel uint16, cpl int, vec uint8, ext uint32) Segment {
	if sel&^3 == 0 {
		c.exception(vec, ext)
	}
	lo, hi, ok := c.fetchDescriptor(sel)
	if !ok {
		c.exception(vec, selErr(sel, ext))
	}
	s := segmentFromDescriptor(sel, lo, hi)
	if int(sel&3) != cpl || s.Access&(accS|accCode|accRW) != accS|accRW || s.DPL() != cpl {
		c.exception(vec, selErr(sel, ext))
	}
	if s.Access&accP == 0 {
		c.exception(excSS, selErr(sel, ext))
	}
	c.setAccessed(sel, hi)
	s.Access |= accAccessed
	return s
}

// loadSeg loads segment register seg (not CS) with sel in the current
// mode, with all the checks. The caller sets the interrupt shadow for SS.
// It asks for an instruction boundary: the block loop looks at the data
// segments only when it enters a block (see dataRAM).
func (c *CPU) loadSeg(seg uint8, sel uint16) {
	c.brk = true
	if c.realMode {
		c.loadRealSeg(seg, sel)
		return
	}
	if seg == SS {
		c.Seg[SS] = c.stackSegment(sel, c.CPL, excGP, 0)
		return
	}
	c.Seg[seg] = c.dataSegment(sel)
}

// setCS loads CS with a checked code segment at privilege level cpl and
// jumps to eip. It asks for an instruction boundary, so the next block is
// looked up afresh for the new CS base and code size (never through a
// block link keyed by EIP alone).
func (c *CPU) setCS(s Segment, cpl int, eip uint32) {
	s.Sel = s.Sel&^3 | uint16(cpl)
	s.update()
	c.Seg[CS] = s
	c.CPL = cpl
	c.mode32 = !c.realMode && s.Big()
	c.EIP = eip
	c.brk = true
}

// nullOuterSegments makes DS, ES, FS and GS unusable when the return to
// outer privilege level cpl leaves them pointing at a data or
// non-conforming code segment more privileged than cpl (far RET, IRET).
func (c *CPU) nullOuterSegments(cpl int) {
	for _, r := range [...]uint8{ES, DS, FS, GS} {
		s := &c.Seg[r]
		if s.Access&accP == 0 || s.Access&accS == 0 {
			continue
		}
		if (!s.isCode() || !s.conforming()) && s.DPL() < cpl {
			*s = Segment{}
		}
	}
}

// codeReturnSegment checks the CS selector a far RET or IRET returns to
// and returns its segment (the caller checks the offset). The selector's
// RPL, which is the privilege level returned to, must not be below CPL.
func (c *CPU) codeReturnSegment(sel uint16) Segment {
	if sel&^3 == 0 {
		c.exception(excGP, 0)
	}
	lo, hi := c.descriptor(sel, 0)
	s := segmentFromDescriptor(sel, lo, hi)
	rpl := int(sel & 3)
	if !s.isCode() || rpl < c.CPL {
		c.exception(excGP, selErr(sel, 0))
	}
	if s.conforming() && s.DPL() > rpl || !s.conforming() && s.DPL() != rpl {
		c.exception(excGP, selErr(sel, 0))
	}
	if s.Access&accP == 0 {
		c.exception(excNP, selErr(sel, 0))
	}
	c.setAccessed(sel, hi)
	s.Access |= accAccessed
	return s
}

// farTarget checks the target of a far JMP or CALL in protected mode and
// returns the code segment to load (at the current privilege level).
func (c *CPU) farTarget(sel uint16, off uint32) Segment {
	if sel&^3 == 0 {
		c.exception(excGP, 0)
	}
	lo, hi := c.descriptor(sel, 0)
	s := segmentFromDescriptor(sel, lo, hi)
	if !s.isCode() {
		// Data segments, and the call gates, task gates and TSSs that a
		// far JMP or CALL may name on hardware: not emulated.
		c.exception(excGP, selErr(sel, 0))
	}
	if s.conforming() {
		if s.DPL() > c.CPL {
			c.exception(excGP, selErr(sel, 0))
		}
	} else if int(sel&3) > c.CPL || s.DPL() != c.CPL {
		c.exception(excGP, selErr(sel, 0))
	}
	if s.Access&accP == 0 {
		c.exception(excNP, selErr(sel, 0))
	}
	if off > s.Limit {
		c.exception(excGP, 0)
	}
	c.setAccessed(sel, hi)
	s.Access |= accAccessed
	return s
}

func init() {
	register(translateLoadFar, x86asm.LDS, x86asm.LES, x86asm.LFS, x86asm.LGS, x86asm.LSS)
	register(translateFarJmp, x86asm.LJMP, x86asm.LCALL)
	register(translateFarRet, x86asm.LRET)
}

// segOfReg returns the segment register number of argument a, if it is one.
func segOfReg(a x86asm.Arg) (uint8, bool) {
	if r, ok := a.(x86asm.Reg); ok {
		return segNumber(r)
	}
	return 0, false
}

// translateMovSeg translates MOV Sreg, r/m16 and MOV r/m, Sreg; in.aux is
// the segment register. MOV to CS does not exist (#UD).
func translateMovSeg(x *x86asm.Inst, in *inst) bool {
	if s, ok := segOfReg(x.Args[0]); ok {
		if s == CS || in.srcKind != argReg && in.srcKind != argMem {
			return false
		}
		in.aux = s
		in.fn = opMovToSeg
		if s == SS {
			in.flags |= fEnd
		}
		return true
	}
	s, ok := segOfReg(x.Args[1])
	if !ok || in.dstKind != argReg && in.dstKind != argMem {
		return false
	}
	in.aux = s
	if in.dstKind == argMem {
		in.size = 2 // a store is always 16 bits
	}
	in.fn = opMovFromSeg
	return true
}

// opMovToSeg is MOV Sreg, r/m16. Loading SS blocks interrupts until the
// next instruction has run (the MOV SS shadow).
func opMovToSeg(c *CPU, in *inst) {
	var sel uint16
	if in.srcKind == argReg {
		sel = uint16(c.R[in.src])
	} else {
		sel = uint16(c.read16(in.seg, c.ea(in)))
	}
	c.loadSeg(in.aux, sel)
	if in.aux == SS {
		c.shadow = true
		c.brk = true
	}
}

// opMovFromSeg is MOV r/m, Sreg: a 32-bit register receives the selector
// zero-extended, as P6 and later processors do.
func opMovFromSeg(c *CPU, in *inst) {
	c.setDst(in, uint32(c.Seg[in.aux].Sel))
}

// translatePopSeg translates POP DS/ES/FS/GS/SS (seg); POP SS sets the
// interrupt shadow like MOV SS.
func translatePopSeg(x *x86asm.Inst, in *inst, seg uint8) bool {
	if seg == CS {
		return false
	}
	in.aux = seg
	in.size = uint8(x.DataSize / 8)
	in.fn = opPopSeg
	if seg == SS {
		in.flags |= fEnd
	}
	return true
}

// opPopSeg pops a selector (a word, or the low word of a dword) into a
// segment register. The stack pointer moves by the operand size, with the
// old stack's address size, only once the load has succeeded.
func opPopSeg(c *CPU, in *inst) {
	m := c.stackMask()
	sp := c.R[ESP]
	sel := uint16(c.read(SS, sp&m, in.size))
	c.loadSeg(in.aux, sel)
	c.R[ESP] = sp&^m | (sp+uint32(in.size))&m
	if in.aux == SS {
		c.shadow = true
		c.brk = true
	}
}

// loadFarSegs maps LDS… to the segment register they load.
var loadFarSegs = map[x86asm.Op]uint8{
	x86asm.LDS: DS, x86asm.LES: ES, x86asm.LFS: FS, x86asm.LGS: GS, x86asm.LSS: SS,
}

// translateLoadFar translates LDS, LES, LFS, LGS and LSS r, m16:16/m16:32:
// in.aux is the segment register, in.size the offset size.
func translateLoadFar(x *x86asm.Inst, in *inst) bool {
	if in.dstKind != argReg || in.srcKind != argMem {
		return false
	}
	in.aux = loadFarSegs[x.Op]
	in.size = uint8(x.DataSize / 8)
	in.fn = opLoadFar
	return true
}

// eaPlus returns the effective address of the memory operand plus k,
// wrapping at 64 KiB with 16-bit addressing.
func (c *CPU) eaPlus(in *inst, k uint32) uint32 {
	a := c.ea(in) + k
	if in.flags&fAddr16 != 0 {
		a &= 0xFFFF
	}
	return a
}

// readFarPointer reads the offset (in.size bytes) and the selector after
// it from the memory operand.
func (c *CPU) readFarPointer(in *inst) (off uint32, sel uint16) {
	off = c.read(in.seg, c.ea(in), in.size)
	sel = uint16(c.read16(in.seg, c.eaPlus(in, uint32(in.size))))
	return off, sel
}

// opLoadFar loads a segment register and a general register from a far
// pointer in memory; the general register changes only after the segment
// load has passed its checks.
func opLoadFar(c *CPU, in *inst) {
	off, sel := c.readFarPointer(in)
	c.loadSeg(in.aux, sel)
	c.setReg(in.dst, in.size, off)
}

// translateFarJmp translates JMP/CALL ptr16:16/ptr16:32 (in.imm2 = the
// selector, in.target = the offset) and JMP/CALL m16:16/m16:32 (the
// memory operand). in.size is the operand size.
func translateFarJmp(x *x86asm.Inst, in *inst) bool {
	in.size = uint8(x.DataSize / 8)
	in.flags |= fBranch
	call := x.Op == x86asm.LCALL
	switch a := x.Args[0].(type) {
	case x86asm.Imm:
		off, ok := x.Args[1].(x86asm.Imm)
		if !ok {
			return false
		}
		in.imm2 = uint32(a) & 0xFFFF
		in.target = uint32(off)
		if in.size == 2 {
			in.target &= 0xFFFF
		}
		in.dstKind, in.srcKind = argNone, argNone
		if call {
			in.fn = opCallFarImm
		} else {
			in.fn = opJmpFarImm
		}
	case x86asm.Mem:
		if in.dstKind != argMem {
			return false
		}
		if call {
			in.fn = opCallFarMem
		} else {
			in.fn = opJmpFarMem
		}
	default:
		return false
	}
	return true
}

func opJmpFarImm(c *CPU, in *inst) { c.jmpFar(uint16(in.imm2), in.target) }

func opJmpFarMem(c *CPU, in *inst) {
	off, sel := c.readFarPointer(in)
	c.jmpFar(sel, off)
}

func opCallFarImm(c *CPU, in *inst) { c.callFar(in, uint16(in.imm2), in.target) }

func opCallFarMem(c *CPU, in *inst) {
	off, sel := c.readFarPointer(in)
	c.callFar(in, sel, off)
}

// jmpFar jumps to sel:off.
func (c *CPU) jmpFar(sel uint16, off uint32) {
	if c.realMode {
		c.jmpFarReal(sel, off)
		return
	}
	s := c.farTarget(sel, off)
	c.setCS(s, c.CPL, off)
}

// callFar calls sel:off: it pushes CS and the return address (in.next)
// with the operand size and loads CS. The pushes are written before the
// stack pointer moves, so a stack fault leaves ESP unchanged.
func (c *CPU) callFar(in *inst, sel uint16, off uint32) {
	if c.realMode {
		if off > c.Seg[CS].Limit {
			c.exception(excGP, 0)
		}
		c.pushPair(in.size, uint32(c.Seg[CS].Sel), in.next)
		c.loadRealSeg(CS, sel)
		c.EIP = off
		return
	}
	s := c.farTarget(sel, off)
	c.pushPair(in.size, uint32(c.Seg[CS].Sel), in.next)
	c.setCS(s, c.CPL, off)
}

// pushPair pushes a then b (size bytes each) and moves the stack pointer
// only when both writes succeeded.
func (c *CPU) pushPair(size uint8, a, b uint32) {
	m := c.stackMask()
	sp := c.R[ESP]
	c.write(SS, (sp-uint32(size))&m, size, a)
	c.write(SS, (sp-2*uint32(size))&m, size, b)
	c.R[ESP] = sp&^m | (sp-2*uint32(size))&m
}

// translateFarRet translates RET far [imm16]: in.imm is the number of
// bytes of arguments to release, in.size the operand size.
func translateFarRet(x *x86asm.Inst, in *inst) bool {
	in.size = uint8(x.DataSize / 8)
	if in.dstKind == argImm {
		in.imm &= 0xFFFF
	} else {
		in.imm = 0
	}
	in.flags |= fBranch
	in.fn = opRetFar
	return true
}

// opRetFar is RET far: it pops EIP and CS, releases in.imm bytes, and on a
// return to an outer privilege level pops ESP and SS from the caller's
// stack (releasing in.imm bytes there too) and makes DS, ES, FS and GS
// unusable if they are more privileged than the caller.
func opRetFar(c *CPU, in *inst) {
	size := uint32(in.size)
	m := c.stackMask()
	sp := c.R[ESP]
	eip := c.read(SS, sp&m, in.size)
	sel := uint16(c.read(SS, (sp+size)&m, in.size))
	if c.realMode {
		if eip > c.Seg[CS].Limit {
			c.exception(excGP, 0)
		}
		c.loadRealSeg(CS, sel)
		c.EIP = eip
		c.R[ESP] = sp&^m | (sp+2*size+in.imm)&m
		return
	}
	cs := c.codeReturnSegment(sel)
	rpl := int(sel & 3)
	if rpl == c.CPL {
		if eip > cs.Limit {
			c.exception(excGP, 0)
		}
		c.setCS(cs, rpl, eip)
		c.R[ESP] = sp&^m | (sp+2*size+in.imm)&m
		return
	}
	// Return to an outer privilege level.
	sp2 := sp + 2*size + in.imm
	esp := c.read(SS, sp2&m, in.size)
	ssSel := uint16(c.read(SS, (sp2+size)&m, in.size))
	ss := c.stackSegment(ssSel, rpl, excGP, 0)
	if eip > cs.Limit {
		c.exception(excGP, 0)
	}
	c.setCS(cs, rpl, eip)
	c.Seg[SS] = ss
	m = c.stackMask()
	c.R[ESP] = c.R[ESP]&^m | (esp+in.imm)&m
	c.nullOuterSegments(rpl)
}
