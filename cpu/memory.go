package cpu

// This file implements guest memory access: segmentation, the direct RAM
// fast path, the bus for everything else, and detection of writes into
// translated code.

import "encoding/binary"

// segFault raises the exception a segment check fails with: #SS(0) for the
// stack segment, #GP(0) otherwise.
func (c *CPU) segFault(seg uint8) {
	if seg == SS {
		c.exception(excSS, 0)
	}
	c.exception(excGP, 0)
}

// segCheck checks an access of size bytes at offset off through a segment
// that is not flat, and returns the linear address.
func (c *CPU) segCheck(seg uint8, off uint32, size uint32, write bool) uint32 {
	s := &c.Seg[seg]
	if !c.realMode {
		if s.Access&0x80 == 0 { // null or not present
			c.segFault(seg)
		}
		code := s.Access&0x08 != 0
		if write && (code || s.Access&0x02 == 0) {
			c.segFault(seg)
		}
		if !write && code && s.Access&0x02 == 0 {
			c.segFault(seg)
		}
	}
	last := off + size - 1
	if s.Access&0x1C == 0x14 { // expand-down data segment
		upper := uint32(0xFFFF)
		if s.Big() {
			upper = 0xFFFFFFFF
		}
		if off <= s.Limit || last > upper || last < off {
			c.segFault(seg)
		}
	} else if last > s.Limit || last < off {
		c.segFault(seg)
	}
	return s.Base + off
}

// linear returns the linear address of an access, checking the segment.
func (c *CPU) linear(seg uint8, off uint32, size uint32, write bool) uint32 {
	s := &c.Seg[seg]
	if s.flat {
		return off
	}
	return c.segCheck(seg, off, size, write)
}

// read reads size bytes (1, 2 or 4) at seg:off.
func (c *CPU) read(seg uint8, off uint32, size uint8) uint32 {
	switch size {
	case 1:
		return c.read8(seg, off)
	case 2:
		return c.read16(seg, off)
	}
	return c.read32(seg, off)
}

// write writes size bytes (1, 2 or 4) at seg:off.
func (c *CPU) write(seg uint8, off uint32, size uint8, v uint32) {
	switch size {
	case 1:
		c.write8(seg, off, v)
	case 2:
		c.write16(seg, off, v)
	default:
		c.write32(seg, off, v)
	}
}

func (c *CPU) read8(seg uint8, off uint32) uint32 {
	a := c.linear(seg, off, 1, false)
	if ram := c.ram; uint(a) < uint(len(ram)) {
		return uint32(ram[a])
	}
	return c.readPhysSlow(a, 1)
}

func (c *CPU) read16(seg uint8, off uint32) uint32 {
	a := c.linear(seg, off, 2, false)
	if ram, i := c.ram, int(a); i+2 <= len(ram) {
		return uint32(binary.LittleEndian.Uint16(ram[i : i+2]))
	}
	return c.readPhysSlow(a, 2)
}

func (c *CPU) read32(seg uint8, off uint32) uint32 {
	a := c.linear(seg, off, 4, false)
	if ram, i := c.ram, int(a); i+4 <= len(ram) {
		return binary.LittleEndian.Uint32(ram[i : i+4])
	}
	return c.readPhysSlow(a, 4)
}

func (c *CPU) write8(seg uint8, off uint32, v uint32) {
	a := c.linear(seg, off, 1, true)
	if ram := c.ram; uint(a) < uint(len(ram)) {
		if c.cache.line[a>>lineShift] != 0 {
			c.codeWritten(a, 1)
		}
		ram[a] = uint8(v)
		return
	}
	c.writePhysSlow(a, 1, v)
}

func (c *CPU) write16(seg uint8, off uint32, v uint32) {
	a := c.linear(seg, off, 2, true)
	if ram, i := c.ram, int(a); i+2 <= len(ram) {
		if line := c.cache.line; line[a>>lineShift]|line[(a+1)>>lineShift] != 0 {
			c.codeWritten(a, 2)
		}
		binary.LittleEndian.PutUint16(ram[i:i+2], uint16(v))
		return
	}
	c.writePhysSlow(a, 2, v)
}

func (c *CPU) write32(seg uint8, off uint32, v uint32) {
	a := c.linear(seg, off, 4, true)
	if ram, i := c.ram, int(a); i+4 <= len(ram) {
		if line := c.cache.line; line[a>>lineShift]|line[(a+3)>>lineShift] != 0 {
			c.codeWritten(a, 4)
		}
		binary.LittleEndian.PutUint32(ram[i:i+4], v)
		return
	}
	c.writePhysSlow(a, 4, v)
}

// readPhysSlow reads at a linear (= physical) address that is not wholly
// inside RAM: a device window, or nothing.
func (c *CPU) readPhysSlow(a uint32, size int) uint32 {
	if a < c.ramTop { // straddles the end of RAM
		c.busError("read", a, size)
	}
	v, ok := c.bus.ReadPhys(c.ID, a, size)
	if !ok {
		c.busError("read", a, size)
	}
	c.brk = true
	return v
}

// writePhysSlow writes at a linear address that is not wholly inside RAM.
func (c *CPU) writePhysSlow(a uint32, size int, v uint32) {
	if a < c.ramTop {
		c.busError("write", a, size)
	}
	if !c.bus.WritePhys(c.ID, a, size, v) {
		c.busError("write", a, size)
	}
	c.brk = true
}

// ReadPhys reads guest physical memory for the machine and the kernel
// (RAM or a device), without segmentation. ok is false if nothing is there.
func (c *CPU) ReadPhys(a uint32, size int) (uint32, bool) {
	if uint64(a)+uint64(size) <= uint64(c.ramTop) {
		var v uint32
		for i := size - 1; i >= 0; i-- {
			v = v<<8 | uint32(c.ram[a+uint32(i)])
		}
		return v, true
	}
	if a < c.ramTop {
		return 0, false
	}
	return c.bus.ReadPhys(c.ID, a, size)
}

// WriteRAM copies b into RAM at physical address a, invalidating any
// translated code there. It reports false if the range is not all RAM.
func (c *CPU) WriteRAM(a uint32, b []byte) bool {
	if uint64(a)+uint64(len(b)) > uint64(c.ramTop) {
		return false
	}
	if len(b) > 0 {
		c.ensureCache()
		c.codeWritten(a, len(b))
	}
	copy(c.ram[a:], b)
	return true
}

// stack access: push and pop honour the stack size (SS.B) and operand size.

// stackMask returns the mask of the stack pointer: 0xFFFF for a 16-bit stack.
func (c *CPU) stackMask() uint32 {
	if c.Seg[SS].Big() {
		return 0xFFFFFFFF
	}
	return 0xFFFF
}

// push32 pushes a dword.
func (c *CPU) push32(v uint32) {
	if c.Seg[SS].flat {
		sp := c.R[ESP] - 4
		c.write32(SS, sp, v)
		c.R[ESP] = sp
		return
	}
	c.push(4, v)
}

// pop32 pops a dword.
func (c *CPU) pop32() uint32 {
	if c.Seg[SS].flat {
		v := c.read32(SS, c.R[ESP])
		c.R[ESP] += 4
		return v
	}
	return c.pop(4)
}

// push pushes size (2 or 4) bytes.
func (c *CPU) push(size uint8, v uint32) {
	m := c.stackMask()
	sp := (c.R[ESP] - uint32(size)) & m
	c.write(SS, sp, size, v)
	c.R[ESP] = c.R[ESP]&^m | sp
}

// pop pops size (2 or 4) bytes.
func (c *CPU) pop(size uint8) uint32 {
	m := c.stackMask()
	sp := c.R[ESP] & m
	v := c.read(SS, sp, size)
	c.R[ESP] = c.R[ESP]&^m | (sp+uint32(size))&m
	return v
}
