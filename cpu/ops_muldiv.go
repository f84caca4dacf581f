package cpu

// This file implements multiplication and division: MUL, IMUL in its
// one-, two- and three-operand forms, DIV and IDIV.
//
// Flags: MUL and IMUL set CF = OF = 1 when the product does not fit in its
// destination (MUL: the high half is not zero; IMUL: the product is not
// the sign extension of its low half). SF, ZF, AF and PF are undefined;
// here SF, ZF and PF follow the low half of the product (as on P6-class
// processors) and AF is 0. After DIV and IDIV all six arithmetic flags are
// undefined; here they keep their values.
//
// DIV and IDIV raise #DE for a zero divisor and for a quotient that does
// not fit in its destination, before any register changes.

import "golang.org/x/arch/x86/x86asm"

func init() {
	register(translateMul, x86asm.MUL)
	register(translateImul, x86asm.IMUL)
	register(translateDiv, x86asm.DIV, x86asm.IDIV)
}

// setMulFlags records the flags of a multiplication whose low half is lo.
func (c *CPU) setMulFlags(size uint8, lo uint32, overflow bool) {
	var cf uint32
	if overflow {
		cf = 1
	}
	c.setLazyShift(size, cf, cf, lo&sizeMask(size))
}

// translateMul translates MUL r/m (unsigned, into AX, DX:AX or EDX:EAX).
func translateMul(x *x86asm.Inst, in *inst) bool {
	if in.dstKind != argReg && in.dstKind != argMem || in.srcKind != argNone {
		return false
	}
	in.fn = opMul
	return true
}

// opMul multiplies the accumulator by the operand, unsigned.
func opMul(c *CPU, in *inst) {
	b := c.dstVal(in)
	switch in.size {
	case 1:
		p := c.R[EAX] & 0xFF * b
		c.R[EAX] = c.R[EAX]&^0xFFFF | p
		c.setMulFlags(1, p, p>>8 != 0)
	case 2:
		p := c.R[EAX] & 0xFFFF * b
		c.R[EAX] = c.R[EAX]&^0xFFFF | p&0xFFFF
		c.R[EDX] = c.R[EDX]&^0xFFFF | p>>16
		c.setMulFlags(2, p, p>>16 != 0)
	default:
		p := uint64(c.R[EAX]) * uint64(b)
		c.R[EAX], c.R[EDX] = uint32(p), uint32(p>>32)
		c.setMulFlags(4, uint32(p), p>>32 != 0)
	}
}

// translateImul translates the three forms of IMUL: IMUL r/m (into the
// accumulator pair), IMUL r, r/m, and IMUL r, r/m, imm (imm in in.imm2).
func translateImul(x *x86asm.Inst, in *inst) bool {
	switch {
	case in.srcKind == argNone:
		if in.dstKind != argReg && in.dstKind != argMem {
			return false
		}
		in.fn = opImul1
	case in.dstKind != argReg || in.srcKind != argReg && in.srcKind != argMem || in.size == 1:
		return false
	case in.src2Kind == argNone:
		in.fn = opImul2
		if in.size == 4 && in.srcKind == argReg {
			in.fn = opImulRR32
		} else if in.size == 4 {
			in.fn = opImulRM32
		}
	case in.src2Kind == argImm:
		in.imm2 = uint32(signExtend(in.imm2, in.size))
		in.fn = opImul3
		if in.size == 4 && in.srcKind == argReg {
			in.fn = opImulRRI32
		}
	default:
		return false
	}
	return true
}

// opImul1 multiplies the accumulator by the operand, signed.
func opImul1(c *CPU, in *inst) {
	b := signExtend(c.dstVal(in), in.size)
	switch in.size {
	case 1:
		p := int32(int8(c.R[EAX])) * b
		c.R[EAX] = c.R[EAX]&^0xFFFF | uint32(p)&0xFFFF
		c.setMulFlags(1, uint32(p), p != int32(int8(p)))
	case 2:
		p := int32(int16(c.R[EAX])) * b
		c.R[EAX] = c.R[EAX]&^0xFFFF | uint32(p)&0xFFFF
		c.R[EDX] = c.R[EDX]&^0xFFFF | uint32(p)>>16
		c.setMulFlags(2, uint32(p), p != int32(int16(p)))
	default:
		p := int64(int32(c.R[EAX])) * int64(b)
		c.R[EAX], c.R[EDX] = uint32(p), uint32(p>>32)
		c.setMulFlags(4, uint32(p), p != int64(int32(p)))
	}
}

// imulTrunc multiplies two signed operands of size bytes and returns the
// truncated product and whether it overflowed.
func imulTrunc(size uint8, a, b uint32) (uint32, bool) {
	p := int64(signExtend(a, size)) * int64(signExtend(b, size))
	if size == 2 {
		return uint32(p) & 0xFFFF, p != int64(int16(p))
	}
	return uint32(p), p != int64(int32(p))
}

// opImul2 is IMUL r, r/m at any size.
func opImul2(c *CPU, in *inst) {
	r, o := imulTrunc(in.size, c.srcVal(in), c.getReg(in.dst, in.size))
	c.setReg(in.dst, in.size, r)
	c.setMulFlags(in.size, r, o)
}

// opImul3 is IMUL r, r/m, imm at any size.
func opImul3(c *CPU, in *inst) {
	r, o := imulTrunc(in.size, c.srcVal(in), in.imm2)
	c.setReg(in.dst, in.size, r)
	c.setMulFlags(in.size, r, o)
}

func opImulRR32(c *CPU, in *inst) {
	p := int64(int32(c.R[in.dst])) * int64(int32(c.R[in.src]))
	r := uint32(p)
	c.R[in.dst] = r
	c.setMulFlags(4, r, p != int64(int32(r)))
}

func opImulRM32(c *CPU, in *inst) {
	p := int64(int32(c.R[in.dst])) * int64(int32(c.read32(in.seg, c.ea(in))))
	r := uint32(p)
	c.R[in.dst] = r
	c.setMulFlags(4, r, p != int64(int32(r)))
}

func opImulRRI32(c *CPU, in *inst) {
	p := int64(int32(c.R[in.src])) * int64(int32(in.imm2))
	r := uint32(p)
	c.R[in.dst] = r
	c.setMulFlags(4, r, p != int64(int32(r)))
}

// translateDiv translates DIV and IDIV r/m (in.aux = 1 for IDIV).
func translateDiv(x *x86asm.Inst, in *inst) bool {
	if in.dstKind != argReg && in.dstKind != argMem || in.srcKind != argNone {
		return false
	}
	in.aux = 0
	in.fn = opDiv
	if x.Op == x86asm.IDIV {
		in.aux = 1
		in.fn = opIdiv
	}
	return true
}

// opDiv divides AX, DX:AX or EDX:EAX by the operand, unsigned: quotient
// in AL, AX or EAX, remainder in AH, DX or EDX.
func opDiv(c *CPU, in *inst) {
	d := c.dstVal(in)
	if d == 0 {
		c.exception(excDE, 0)
	}
	switch in.size {
	case 1:
		n := c.R[EAX] & 0xFFFF
		q := n / d
		if q > 0xFF {
			c.exception(excDE, 0)
		}
		c.R[EAX] = c.R[EAX]&^0xFFFF | (n%d)<<8 | q
	case 2:
		n := c.R[EDX]<<16 | c.R[EAX]&0xFFFF
		q := n / d
		if q > 0xFFFF {
			c.exception(excDE, 0)
		}
		c.R[EAX] = c.R[EAX]&^0xFFFF | q
		c.R[EDX] = c.R[EDX]&^0xFFFF | n%d
	default:
		n := uint64(c.R[EDX])<<32 | uint64(c.R[EAX])
		q := n / uint64(d)
		if q > 0xFFFFFFFF {
			c.exception(excDE, 0)
		}
		c.R[EAX], c.R[EDX] = uint32(q), uint32(n%uint64(d))
	}
}

// opIdiv divides AX, DX:AX or EDX:EAX by the operand, signed: the
// quotient rounds toward zero and the remainder has the dividend's sign.
func opIdiv(c *CPU, in *inst) {
	d := int64(signExtend(c.dstVal(in), in.size))
	if d == 0 {
		c.exception(excDE, 0)
	}
	var n int64
	switch in.size {
	case 1:
		n = int64(int16(c.R[EAX]))
	case 2:
		n = int64(int32(c.R[EDX]<<16 | c.R[EAX]&0xFFFF))
	default:
		n = int64(uint64(c.R[EDX])<<32 | uint64(c.R[EAX]))
	}
	q, r := n/d, n%d // MinInt64 / -1 yields MinInt64, caught below
	bits := uint(in.size) * 8
	if q < -(1<<(bits-1)) || q > 1<<(bits-1)-1 {
		c.exception(excDE, 0)
	}
	switch in.size {
	case 1:
		c.R[EAX] = c.R[EAX]&^0xFFFF | uint32(r)&0xFF<<8 | uint32(q)&0xFF
	case 2:
		c.R[EAX] = c.R[EAX]&^0xFFFF | uint32(q)&0xFFFF
		c.R[EDX] = c.R[EDX]&^0xFFFF | uint32(r)&0xFFFF
	default:
		c.R[EAX], c.R[EDX] = uint32(q), uint32(r)
	}
}
