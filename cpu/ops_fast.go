package cpu

// This file holds specialised forms of the commonest data movement in
// compiled C, chosen at translation: a memory operand addressed by a base
// register and a displacement only (no index, 32-bit addressing) needs
// neither the index nor the address size at run time, and 8- and 16-bit
// moves between a register and memory need no switch on operand kinds and
// size. Each does exactly what the general handler does for that form.

// baseOnly reports whether in's memory operand is base + displacement
// with 32-bit addressing.
func baseOnly(in *inst) bool { return in.index == regZero && in.flags&fAddr16 == 0 }

// eaB is ea for a base + displacement operand.
func (c *CPU) eaB(in *inst) uint32 { return in.disp + c.R[in.base] }

func opMovRM32B(c *CPU, in *inst) { c.R[in.dst] = c.read32(in.seg, c.eaB(in)) }
func opMovMR32B(c *CPU, in *inst) { c.write32(in.seg, c.eaB(in), c.R[in.src]) }
func opMovMI32B(c *CPU, in *inst) { c.write32(in.seg, c.eaB(in), in.imm) }
func opMovzxM8B(c *CPU, in *inst) { c.R[in.dst] = c.read8(in.seg, c.eaB(in)) }
func opMovzxM16(c *CPU, in *inst) { c.R[in.dst] = c.read16(in.seg, c.ea(in)) }
func opMovsxM8(c *CPU, in *inst) {
	c.R[in.dst] = uint32(int32(int8(c.read8(in.seg, c.ea(in)))))
}
func opMovsxM16(c *CPU, in *inst) {
	c.R[in.dst] = uint32(int32(int16(c.read16(in.seg, c.ea(in)))))
}
func opMovsxR16(c *CPU, in *inst) { c.R[in.dst] = uint32(int32(int16(c.R[in.src]))) }
func opMovzxR16(c *CPU, in *inst) { c.R[in.dst] = c.R[in.src] & 0xFFFF }
func opMovsxR8(c *CPU, in *inst)  { c.R[in.dst] = uint32(int32(int8(c.reg8(in.src)))) }

func opLea32(c *CPU, in *inst)  { c.R[in.dst] = c.ea(in) }
func opLea32B(c *CPU, in *inst) { c.R[in.dst] = c.eaB(in) }

// 8- and 16-bit MOV between a register and memory, or an immediate.
func opMovRM8(c *CPU, in *inst)  { c.setReg8(in.dst, c.read8(in.seg, c.ea(in))) }
func opMovMR8(c *CPU, in *inst)  { c.write8(in.seg, c.ea(in), c.reg8(in.src)) }
func opMovMI8(c *CPU, in *inst)  { c.write8(in.seg, c.ea(in), in.imm) }
func opMovRR8(c *CPU, in *inst)  { c.setReg8(in.dst, c.reg8(in.src)) }
func opMovRI8(c *CPU, in *inst)  { c.setReg8(in.dst, in.imm) }
func opMovRM16(c *CPU, in *inst) { c.R[in.dst] = c.R[in.dst]&0xFFFF0000 | c.read16(in.seg, c.ea(in)) }
func opMovMR16(c *CPU, in *inst) { c.write16(in.seg, c.ea(in), c.R[in.src]) }
func opMovMI16(c *CPU, in *inst) { c.write16(in.seg, c.ea(in), in.imm) }
func opMovRR16(c *CPU, in *inst) { c.R[in.dst] = c.R[in.dst]&0xFFFF0000 | c.R[in.src]&0xFFFF }
func opMovRI16(c *CPU, in *inst) { c.R[in.dst] = c.R[in.dst]&0xFFFF0000 | in.imm&0xFFFF }

// movHandler returns the specialised handler of an 8- or 16-bit MOV, nil
// if there is none for its form.
func movHandler(in *inst) handler {
	type form struct{ size, dst, src uint8 }
	switch (form{in.size, in.dstKind, in.srcKind}) {
	case form{1, argReg, argMem}:
		return opMovRM8
	case form{1, argMem, argReg}:
		return opMovMR8
	case form{1, argMem, argImm}:
		return opMovMI8
	case form{1, argReg, argReg}:
		return opMovRR8
	case form{1, argReg, argImm}:
		return opMovRI8
	case form{2, argReg, argMem}:
		return opMovRM16
	case form{2, argMem, argReg}:
		return opMovMR16
	case form{2, argMem, argImm}:
		return opMovMI16
	case form{2, argReg, argReg}:
		return opMovRR16
	case form{2, argReg, argImm}:
		return opMovRI16
	}
	return nil
}

// 8- and 16-bit ALU operations with a register destination: the operation
// is in.aux, as for opALU; CMP and TEST only set the flags.

func opALURR8(c *CPU, in *inst) {
	r := c.alu(in.aux, 1, c.reg8(in.dst), c.reg8(in.src))
	if in.aux != aluCmp && in.aux != aluTest {
		c.setReg8(in.dst, r)
	}
}

func opALURI8(c *CPU, in *inst) {
	r := c.alu(in.aux, 1, c.reg8(in.dst), in.imm)
	if in.aux != aluCmp && in.aux != aluTest {
		c.setReg8(in.dst, r)
	}
}

func opALURM8(c *CPU, in *inst) {
	r := c.alu(in.aux, 1, c.reg8(in.dst), c.read8(in.seg, c.ea(in)))
	if in.aux != aluCmp && in.aux != aluTest {
		c.setReg8(in.dst, r)
	}
}

func opALURR16(c *CPU, in *inst) {
	r := c.alu(in.aux, 2, c.R[in.dst]&0xFFFF, c.R[in.src]&0xFFFF)
	if in.aux != aluCmp && in.aux != aluTest {
		c.R[in.dst] = c.R[in.dst]&0xFFFF0000 | r&0xFFFF
	}
}

func opALURI16(c *CPU, in *inst) {
	r := c.alu(in.aux, 2, c.R[in.dst]&0xFFFF, in.imm)
	if in.aux != aluCmp && in.aux != aluTest {
		c.R[in.dst] = c.R[in.dst]&0xFFFF0000 | r&0xFFFF
	}
}

func opALURM16(c *CPU, in *inst) {
	r := c.alu(in.aux, 2, c.R[in.dst]&0xFFFF, c.read16(in.seg, c.ea(in)))
	if in.aux != aluCmp && in.aux != aluTest {
		c.R[in.dst] = c.R[in.dst]&0xFFFF0000 | r&0xFFFF
	}
}

// CMP and TEST of a byte or word in memory with an immediate.
func opCmpMI8(c *CPU, in *inst) { c.alu(in.aux, 1, c.read8(in.seg, c.ea(in)), in.imm) }
func opCmpMI16(c *CPU, in *inst) {
	c.alu(in.aux, 2, c.read16(in.seg, c.ea(in)), in.imm)
}

// aluSmallHandler returns the specialised handler of an 8- or 16-bit ALU
// operation, nil if there is none for its form.
func aluSmallHandler(in *inst) handler {
	type form struct{ size, dst, src uint8 }
	flagsOnly := in.aux == aluCmp || in.aux == aluTest
	switch (form{in.size, in.dstKind, in.srcKind}) {
	case form{1, argReg, argReg}:
		return opALURR8
	case form{1, argReg, argImm}:
		return opALURI8
	case form{1, argReg, argMem}:
		return opALURM8
	case form{2, argReg, argReg}:
		return opALURR16
	case form{2, argReg, argImm}:
		return opALURI16
	case form{2, argReg, argMem}:
		return opALURM16
	case form{1, argMem, argImm}:
		if flagsOnly {
			return opCmpMI8
		}
	case form{2, argMem, argImm}:
		if flagsOnly {
			return opCmpMI16
		}
	}
	return nil
}
