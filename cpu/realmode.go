package cpu

// This file implements what differs in real mode (CR0.PE = 0): segment
// loads without descriptors, far jumps, interrupt delivery through the
// interrupt vector table and IRET.
//
// Real mode here is what boot code and SIPI trampolines need: 16-bit code
// (the 0x66 and 0x67 prefixes select 32-bit operands and addresses), base =
// selector × 16, the IVT at IDTR.base, LGDT and a switch to protected mode
// by setting CR0.PE and jumping far. Code always runs with 16-bit defaults
// in real mode, even if CS still holds a 32-bit descriptor from protected
// mode (on hardware such code would run 32-bit until CS is reloaded).
// Virtual-8086 mode is not emulated.

// loadRealSeg loads a segment register in real mode: base = selector × 16,
// the cached limit and attributes are kept. Loading CS asks for an
// instruction boundary, as setCS does.
func (c *CPU) loadRealSeg(seg uint8, sel uint16) {
	s := &c.Seg[seg]
	s.Sel = sel
	s.Base = uint32(sel) << 4
	s.update()
	if seg == CS {
		c.brk = true
	}
}

// jmpFarReal jumps to sel:off in real mode; the offset must lie within
// the CS limit (#GP(0)).
func (c *CPU) jmpFarReal(sel uint16, off uint32) {
	if off > c.Seg[CS].Limit {
		c.exception(excGP, 0)
	}
	c.loadRealSeg(CS, sel)
	c.EIP = off
}

// deliverReal delivers vector through the real-mode interrupt vector
// table: it pushes FLAGS, CS and IP, clears IF, TF and AC, and jumps to the
// vector's CS:IP. An IVT entry beyond IDTR.limit raises #GP(0).
func (c *CPU) deliverReal(vector uint8) {
	off := uint32(vector) * 4
	if off+3 > uint32(c.IDTR.Limit) {
		c.exception(excGP, 0)
	}
	v := c.physRead(c.IDTR.Base+off, 4)
	c.push(2, c.flags)
	c.push(2, uint32(c.Seg[CS].Sel))
	c.push(2, c.EIP)
	c.flags &^= FlagIF | FlagTF | FlagAC
	c.loadRealSeg(CS, uint16(v>>16))
	c.EIP = v & 0xFFFF
}

// iretReal is IRET in real mode: it pops IP, CS and FLAGS (size bytes
// each). A 32-bit IRETD keeps VM, VIF and VIP; every other flag is
// restored, IOPL and IF included.
func (c *CPU) iretReal(size uint8) {
	eip, sel, fl := c.iretFrame(size)
	m, sp, n := c.stackMask(), c.R[ESP], uint32(size)
	if eip > c.Seg[CS].Limit {
		c.exception(excGP, 0)
	}
	c.materialize()
	if size == 4 {
		c.flags = fl&0x257FD5 | c.flags&0x1A0000 | flagsFixed
	} else {
		c.flags = c.flags&0xFFFF0000 | fl&0x7FD5 | flagsFixed
	}
	c.loadRealSeg(CS, sel)
	c.EIP = eip
	c.R[ESP] = sp&^m | (sp+3*n)&m
}
