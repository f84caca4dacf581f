package cpu

// This file implements port I/O: IN and OUT, and the I/O permission check
// (IOPL, then the TSS I/O permission bitmap) that INS and OUTS share.

import "golang.org/x/arch/x86/x86asm"

func init() {
	register(translateIn, x86asm.IN)
	register(translateOut, x86asm.OUT)
}

// ioAllowed reports whether the current privilege may access size bytes at
// port: always in real mode or when CPL ≤ IOPL, otherwise when the TSS I/O
// permission bitmap clears every bit of the range.
func (c *CPU) ioAllowed(port uint16, size int) bool {
	if c.realMode || c.CPL <= int(c.flags&FlagIOPL>>12) {
		return true
	}
	// A 32-bit TSS (type 9 or 11) with room for the bitmap base at 0x66.
	if c.TR.Access&0x0D != 0x09 || c.TR.Limit < 0x67 {
		return false
	}
	base, ok := c.ReadPhys(c.TR.Base+0x66, 2)
	if !ok {
		return false
	}
	byteOff := base + uint32(port)/8
	if byteOff+1 > c.TR.Limit {
		return false
	}
	bm, ok := c.ReadPhys(c.TR.Base+byteOff, 2)
	if !ok {
		return false
	}
	mask := uint32(1)<<size - 1
	return bm>>(port%8)&mask == 0
}

// checkIO raises #GP(0) if the port access is not allowed.
func (c *CPU) checkIO(port uint16, size int) {
	if !c.ioAllowed(port, size) {
		c.exception(excGP, 0)
	}
}

// portIn reads a port through the bus; the block ends after it, as a device
// access may change what happens next.
func (c *CPU) portIn(port uint16, size int) uint32 {
	c.checkIO(port, size)
	v, ok := c.bus.In(c.ID, port, size)
	if !ok {
		c.Fault = c.report(portErr("in", port, size), -1, 0)
		panic(stopPanic{StopBusError})
	}
	c.brk = true
	return v
}

// portOut writes a port through the bus.
func (c *CPU) portOut(port uint16, size int, v uint32) {
	c.checkIO(port, size)
	if !c.bus.Out(c.ID, port, size, v) {
		c.Fault = c.report(portErr("out", port, size), -1, 0)
		panic(stopPanic{StopBusError})
	}
	c.brk = true
}

func portErr(what string, port uint16, size int) string {
	return what + " of " + string(rune('0'+size)) + " byte(s) at port " + hex16(port) + ": no device answers there"
}

func hex16(v uint16) string {
	const digits = "0123456789abcdef"
	return "0x" + string([]byte{digits[v>>12], digits[v>>8&15], digits[v>>4&15], digits[v&15]})
}

// IN and OUT keep the port in in.imm (immediate form) or read DX
// (in.aux = 1); the data register is AL, AX or EAX (in.size).
func translateIn(x *x86asm.Inst, in *inst) bool {
	if in.dstKind != argReg || in.dst != EAX {
		return false
	}
	if r, ok := x.Args[1].(x86asm.Reg); ok && r == x86asm.DX {
		in.aux = 1
	} else if in.srcKind != argImm {
		return false
	}
	in.imm &= 0xFF
	in.fn = opIn
	in.flags |= fEnd
	return true
}

func translateOut(x *x86asm.Inst, in *inst) bool {
	if in.srcKind != argReg || in.src != EAX {
		return false
	}
	if r, ok := x.Args[0].(x86asm.Reg); ok && r == x86asm.DX {
		in.aux = 1
	} else if in.dstKind != argImm {
		return false
	}
	in.imm &= 0xFF
	in.size = uint8(regSize(x.Args[1]))
	in.fn = opOut
	in.flags |= fEnd
	return true
}

// regSize returns the size in bytes of a general register argument.
func regSize(a x86asm.Arg) int {
	if r, ok := a.(x86asm.Reg); ok {
		if _, size, ok := regNumber(r); ok {
			return int(size)
		}
	}
	return 0
}

func (c *CPU) ioPort(in *inst) uint16 {
	if in.aux == 1 {
		return uint16(c.R[EDX])
	}
	return uint16(in.imm)
}

func opIn(c *CPU, in *inst) {
	v := c.portIn(c.ioPort(in), int(in.size))
	c.setReg(EAX, in.size, v)
}

func opOut(c *CPU, in *inst) {
	c.portOut(c.ioPort(in), int(in.size), c.getReg(EAX, in.size))
}
