package cpu

// This file implements interrupt and exception delivery through the
// real-mode IVT and the protected-mode IDT.
//
// TODO(system): privilege-changing delivery (TSS stack switch), task gates,
// 16-bit gates; see ops_system.go.

// deliver transfers control to the handler of vector: for an exception,
// EIP is the address to return to (the faulting instruction, or the next
// one for a trap); software is true for INT n, INT3 and INTO, whose gate
// DPL is checked against CPL.
func (c *CPU) deliver(vector uint8, code uint32, hasCode, software bool) {
	c.materialize()
	if c.realMode {
		c.deliverReal(vector)
		return
	}
	c.deliverProtected(vector, code, hasCode, software)
}

// deliverReal delivers through the real-mode interrupt vector table.
func (c *CPU) deliverReal(vector uint8) {
	off := uint32(vector) * 4
	if off+3 > uint32(c.IDTR.Limit) {
		c.exception(excGP, 0)
	}
	v, ok := c.ReadPhys(c.IDTR.Base+off, 4)
	if !ok {
		c.busError("read", c.IDTR.Base+off, 4)
	}
	c.push(2, c.flags)
	c.push(2, uint32(c.Seg[CS].Sel))
	c.push(2, c.EIP)
	c.flags &^= FlagIF | FlagTF | FlagAC
	c.loadRealSeg(CS, uint16(v>>16))
	c.EIP = v & 0xFFFF
}

// loadRealSeg loads a segment register in real mode: base = selector × 16,
// the cached limit and attributes are kept.
func (c *CPU) loadRealSeg(seg uint8, sel uint16) {
	s := &c.Seg[seg]
	s.Sel = sel
	s.Base = uint32(sel) << 4
	s.update()
}

// deliverProtected delivers through an interrupt or trap gate of the IDT.
func (c *CPU) deliverProtected(vector uint8, code uint32, hasCode, software bool) {
	ext := uint32(1)
	if software {
		ext = 0
	}
	idx := uint32(vector) * 8
	if idx+7 > uint32(c.IDTR.Limit) {
		c.exception(excGP, idx|2|ext)
	}
	lo, ok1 := c.ReadPhys(c.IDTR.Base+idx, 4)
	hi, ok2 := c.ReadPhys(c.IDTR.Base+idx+4, 4)
	if !ok1 || !ok2 {
		c.exception(excGP, idx|2|ext)
	}
	typ := hi >> 8 & 0x1F
	if typ != 0x0E && typ != 0x0F {
		c.exception(excGP, idx|2|ext) // task gates and 16-bit gates: not emulated
	}
	if software && int(hi>>13&3) < c.CPL {
		c.exception(excGP, idx|2)
	}
	if hi&0x8000 == 0 {
		c.exception(excNP, idx|2|ext)
	}
	sel := uint16(lo >> 16)
	off := lo&0xFFFF | hi&0xFFFF0000
	cs := c.codeDescriptor(sel, ext)
	if cs.DPL() < c.CPL {
		c.exception(excGP, uint32(sel)&^3|ext) // privilege change: not yet emulated
	}
	flags := c.flags
	c.push32(flags)
	c.push32(uint32(c.Seg[CS].Sel))
	c.push32(c.EIP)
	if hasCode {
		c.push32(code)
	}
	cs.Sel = sel&^3 | uint16(c.CPL)
	c.Seg[CS] = cs
	c.Seg[CS].update()
	c.mode32 = cs.Big()
	c.EIP = off
	c.flags &^= FlagTF | FlagNT | FlagRF | FlagVM
	if typ == 0x0E {
		c.flags &^= FlagIF
	}
}

// descriptor reads the 8-byte descriptor selected by sel from the GDT or
// LDT; it raises #GP(sel) if the selector is beyond the table's limit.
func (c *CPU) descriptor(sel uint16, ext uint32) (lo, hi uint32) {
	base, limit := c.GDTR.Base, uint32(c.GDTR.Limit)
	if sel&4 != 0 {
		base, limit = c.LDTR.Base, c.LDTR.Limit
	}
	idx := uint32(sel &^ 7)
	if idx+7 > limit {
		c.exception(excGP, idx|ext)
	}
	lo, ok1 := c.ReadPhys(base+idx, 4)
	hi, ok2 := c.ReadPhys(base+idx+4, 4)
	if !ok1 || !ok2 {
		c.exception(excGP, idx|ext)
	}
	return lo, hi
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

// codeDescriptor loads and checks the code segment descriptor for sel.
func (c *CPU) codeDescriptor(sel uint16, ext uint32) Segment {
	if sel&^3 == 0 {
		c.exception(excGP, ext)
	}
	lo, hi := c.descriptor(sel, ext)
	s := segmentFromDescriptor(sel, lo, hi)
	if s.Access&0x18 != 0x18 { // not a code segment
		c.exception(excGP, uint32(sel)&^3|ext)
	}
	if s.Access&0x80 == 0 {
		c.exception(excNP, uint32(sel)&^3|ext)
	}
	return s
}
