package cpu

// This file implements data movement: MOV between general registers,
// memory and immediates (including the moffs forms A0–A3), MOVZX, MOVSX,
// LEA, XLAT, PUSH, POP, NOP and PAUSE. MOV to and from segment and control
// registers is in ops_system.go. None of these instructions changes the
// flags.

import "golang.org/x/arch/x86/x86asm"

func init() {
	register(translateMov, x86asm.MOV)
	register(translateMovx, x86asm.MOVZX, x86asm.MOVSX)
	register(translateLea, x86asm.LEA)
	register(translatePush, x86asm.PUSH)
	register(translatePop, x86asm.POP)
	register(translateXlat, x86asm.XLATB)
	register(func(x *x86asm.Inst, in *inst) bool { in.fn = opNop; return true }, x86asm.NOP, x86asm.PAUSE)
}

func translateMov(x *x86asm.Inst, in *inst) bool {
	if in.dstKind == argNone || in.srcKind == argNone {
		// A segment or control register: see ops_system.go.
		return translateMovSystem(x, in)
	}
	if in.size != 4 {
		in.fn = opMov
		if fn := movHandler(in); fn != nil {
			in.fn = fn
		}
		return in.dstKind != argImm
	}
	switch {
	case in.dstKind == argReg && in.srcKind == argReg:
		in.fn = opMovRR32
	case in.dstKind == argReg && in.srcKind == argImm:
		in.fn = opMovRI32
	case in.dstKind == argReg && in.srcKind == argMem && baseOnly(in):
		in.fn = opMovRM32B
	case in.dstKind == argReg && in.srcKind == argMem:
		in.fn = opMovRM32
	case in.dstKind == argMem && in.srcKind == argReg && baseOnly(in):
		in.fn = opMovMR32B
	case in.dstKind == argMem && in.srcKind == argReg:
		in.fn = opMovMR32
	case in.dstKind == argMem && in.srcKind == argImm && baseOnly(in):
		in.fn = opMovMI32B
	case in.dstKind == argMem && in.srcKind == argImm:
		in.fn = opMovMI32
	default:
		return false
	}
	return true
}

func opMov(c *CPU, in *inst) { c.setDst(in, c.srcVal(in)) }

func opMovRR32(c *CPU, in *inst) { c.R[in.dst] = c.R[in.src] }
func opMovRI32(c *CPU, in *inst) { c.R[in.dst] = in.imm }
func opMovRM32(c *CPU, in *inst) { c.R[in.dst] = c.read32(in.seg, c.ea(in)) }
func opMovMR32(c *CPU, in *inst) { c.write32(in.seg, c.ea(in), c.R[in.src]) }
func opMovMI32(c *CPU, in *inst) { c.write32(in.seg, c.ea(in), in.imm) }

// translateMovx handles MOVZX and MOVSX; in.aux holds the source size and
// in.imm2 is 1 for sign extension.
func translateMovx(x *x86asm.Inst, in *inst) bool {
	if in.dstKind != argReg {
		return false
	}
	switch a := x.Args[1].(type) {
	case x86asm.Reg:
		_, size, ok := regNumber(a)
		if !ok {
			return false
		}
		in.aux = size
	case x86asm.Mem:
		in.aux = uint8(x.MemBytes)
	}
	if in.aux != 1 && in.aux != 2 {
		return false
	}
	if x.Op == x86asm.MOVSX {
		in.imm2 = 1
	}
	zx := x.Op == x86asm.MOVZX
	switch {
	case in.size == 4 && in.aux == 1 && in.srcKind == argReg && zx:
		in.fn = opMovzxR8
	case in.size == 4 && in.aux == 1 && in.srcKind == argMem && zx && baseOnly(in):
		in.fn = opMovzxM8B
	case in.size == 4 && in.aux == 1 && in.srcKind == argMem && zx:
		in.fn = opMovzxM8
	case in.size == 4 && in.aux == 2 && in.srcKind == argMem && zx:
		in.fn = opMovzxM16
	case in.size == 4 && in.aux == 1 && in.srcKind == argMem:
		in.fn = opMovsxM8
	case in.size == 4 && in.aux == 2 && in.srcKind == argMem:
		in.fn = opMovsxM16
	case in.size == 4 && in.aux == 2 && in.srcKind == argReg && zx:
		in.fn = opMovzxR16
	case in.size == 4 && in.aux == 2 && in.srcKind == argReg:
		in.fn = opMovsxR16
	case in.size == 4 && in.aux == 1 && in.srcKind == argReg:
		in.fn = opMovsxR8
	default:
		in.fn = opMovx
	}
	return true
}

func opMovzxR8(c *CPU, in *inst) { c.R[in.dst] = c.reg8(in.src) }
func opMovzxM8(c *CPU, in *inst) { c.R[in.dst] = c.read8(in.seg, c.ea(in)) }

func opMovx(c *CPU, in *inst) {
	var v uint32
	if in.srcKind == argReg {
		v = c.getReg(in.src, in.aux)
	} else {
		v = c.read(in.seg, c.ea(in), in.aux)
	}
	if in.imm2 != 0 {
		v = uint32(signExtend(v, in.aux))
	}
	c.setReg(in.dst, in.size, v)
}

func translateLea(x *x86asm.Inst, in *inst) bool {
	if in.dstKind != argReg || in.srcKind != argMem {
		return false
	}
	switch {
	case in.size == 4 && baseOnly(in):
		in.fn = opLea32B
	case in.size == 4:
		in.fn = opLea32
	default:
		in.fn = opLea
	}
	return true
}

func opLea(c *CPU, in *inst) { c.setReg(in.dst, in.size, c.ea(in)) }

func translatePush(x *x86asm.Inst, in *inst) bool {
	if r, ok := x.Args[0].(x86asm.Reg); ok {
		if s, isSeg := segNumber(r); isSeg {
			in.aux = s
			in.fn = opPushSeg
			return true
		}
	}
	switch {
	case in.dstKind == argReg && in.size == 4:
		in.fn = opPushR32
	case in.dstKind == argImm && in.size == 4:
		in.fn = opPushI32
	case in.dstKind != argNone:
		in.fn = opPush
	default:
		return false
	}
	return true
}

func opPushR32(c *CPU, in *inst) { c.push32(c.R[in.dst]) }
func opPushI32(c *CPU, in *inst) { c.push32(in.imm) }

func opPush(c *CPU, in *inst) { c.push(in.size, c.dstVal(in)) }

// opPushSeg pushes a segment selector. With a 32-bit operand size the
// stack pointer moves by 4 but, as on P6 and later Intel processors, only
// the low word is written; the upper word of the slot keeps its old value.
func opPushSeg(c *CPU, in *inst) {
	m := c.stackMask()
	sp := (c.R[ESP] - uint32(in.size)) & m
	if !c.Seg[SS].flat {
		c.segCheck(SS, sp, uint32(in.size), true)
	}
	c.write16(SS, sp, uint32(c.Seg[in.aux].Sel))
	c.R[ESP] = c.R[ESP]&^m | sp
}

func translatePop(x *x86asm.Inst, in *inst) bool {
	if r, ok := x.Args[0].(x86asm.Reg); ok {
		if s, isSeg := segNumber(r); isSeg {
			return translatePopSeg(x, in, s)
		}
	}
	switch {
	case in.dstKind == argReg && in.size == 4:
		in.fn = opPopR32
	case in.dstKind == argReg || in.dstKind == argMem:
		in.fn = opPop
	default:
		return false
	}
	return true
}

func opPopR32(c *CPU, in *inst) { c.R[in.dst] = c.pop32() }

// opPop pops into a register or memory. The address of a memory operand
// that uses ESP is computed after ESP is incremented, as the SDM says.
func opPop(c *CPU, in *inst) {
	if in.dstKind == argReg {
		v := c.pop(in.size)
		c.setReg(in.dst, in.size, v)
		return
	}
	m := c.stackMask()
	sp := c.R[ESP]
	v := c.read(SS, sp&m, in.size)
	popped := sp&^m | (sp+uint32(in.size))&m
	c.R[ESP] = popped
	a := c.ea(in)
	c.R[ESP] = sp // a fault in the write leaves ESP as it was
	c.write(in.seg, a, in.size, v)
	c.R[ESP] = popped
}

// translateXlat keeps the table's segment (DS or the override) in in.seg.
func translateXlat(x *x86asm.Inst, in *inst) bool {
	if in.dstKind != argMem {
		return false
	}
	in.fn = opXlat
	return true
}

// opXlat loads AL from the table at seg:(E)BX indexed by AL.
func opXlat(c *CPU, in *inst) {
	off := c.R[EBX] + c.reg8(0)
	if in.flags&fAddr16 != 0 {
		off &= 0xFFFF
	}
	c.setReg8(0, c.read8(in.seg, off))
}
