package cpu

// This file implements the bit instructions: BT, BTS, BTR, BTC with a
// register or immediate bit offset, BSF, BSR and BSWAP.
//
// BT and friends copy the selected bit into CF; ZF keeps its value; OF,
// SF, AF and PF are undefined and keep their values here. An immediate
// offset, or a register offset into a register operand, is taken modulo
// the operand size. A register offset into a memory operand addresses a
// bit string that extends beyond the operand: the signed offset selects
// the (offset >> 5)th dword (>> 4, word, for 16-bit operands) from the
// operand's address.
//
// BSF and BSR set ZF when the source is 0 and then leave the destination
// unchanged, as AMD documents and Intel processors do. CF, OF, SF, AF and
// PF are undefined; here CF = OF = AF = 0 and SF, PF follow the source.
//
// BSWAP of a 16-bit register is undefined; here it clears the low word,
// as Intel and AMD processors do. BSWAP changes no flags.

import (
	"math/bits"

	"golang.org/x/arch/x86/x86asm"
)

// Bit test kinds, kept in in.aux.
const (
	btTest uint8 = iota
	btSet
	btReset
	btComplement
)

func init() {
	register(translateBt, x86asm.BT, x86asm.BTS, x86asm.BTR, x86asm.BTC)
	register(translateBsf, x86asm.BSF, x86asm.BSR)
	register(translateBswap, x86asm.BSWAP)
}

func translateBt(x *x86asm.Inst, in *inst) bool {
	if in.dstKind != argReg && in.dstKind != argMem || in.srcKind != argReg && in.srcKind != argImm || in.size == 1 {
		return false
	}
	switch x.Op {
	case x86asm.BT:
		in.aux = btTest
	case x86asm.BTS:
		in.aux = btSet
	case x86asm.BTR:
		in.aux = btReset
	case x86asm.BTC:
		in.aux = btComplement
	}
	if in.srcKind == argImm {
		in.imm &= uint32(in.size)*8 - 1
	}
	in.fn = opBt
	if in.dstKind == argReg && in.size == 4 && in.aux == btTest {
		in.fn = opBtR32
	}
	return true
}

// opBtR32 is BT r32, r32 or BT r32, imm.
func opBtR32(c *CPU, in *inst) {
	n := in.imm
	if in.srcKind == argReg {
		n = c.R[in.src] & 31
	}
	c.materialize()
	c.flags = c.flags&^FlagCF | c.R[in.dst]>>n&1
}

// opBt is the general BT, BTS, BTR, BTC.
func opBt(c *CPU, in *inst) {
	w := uint32(in.size) * 8
	var n uint32
	if in.srcKind == argImm {
		n = in.imm
	} else {
		n = c.getReg(in.src, in.size)
	}
	var a, off uint32
	if in.dstKind == argReg {
		n &= w - 1
		a = c.getReg(in.dst, in.size)
	} else {
		off = c.ea(in)
		if in.srcKind == argReg {
			// The signed bit offset reaches beyond the operand:
			// (offset >> 5) dwords or (offset >> 4) words.
			sh := uint(4)
			if in.size == 4 {
				sh = 5
			}
			off += uint32(signExtend(n, in.size)>>sh) * uint32(in.size)
			if in.flags&fAddr16 != 0 {
				off &= 0xFFFF
			}
			n &= w - 1
		}
		if in.aux != btTest && !c.Seg[in.seg].flat {
			c.segCheck(in.seg, off, uint32(in.size), true)
		}
		a = c.read(in.seg, off, in.size)
	}
	bit := a >> n & 1
	var r uint32
	switch in.aux {
	case btSet:
		r = a | 1<<n
	case btReset:
		r = a &^ (1 << n)
	case btComplement:
		r = a ^ 1<<n
	}
	if in.aux != btTest {
		if in.dstKind == argReg {
			c.setReg(in.dst, in.size, r)
		} else {
			c.write(in.seg, off, in.size, r)
		}
	}
	c.materialize()
	c.flags = c.flags&^FlagCF | bit
}

func translateBsf(x *x86asm.Inst, in *inst) bool {
	if in.dstKind != argReg || in.srcKind != argReg && in.srcKind != argMem || in.size == 1 {
		return false
	}
	in.fn = opBsf
	if x.Op == x86asm.BSR {
		in.fn = opBsr
	}
	return true
}

// opBsf stores the index of the lowest set bit of the source.
func opBsf(c *CPU, in *inst) {
	v := c.srcVal(in)
	c.setLazy(lazyLogic, in.size, v, v, v)
	if v != 0 {
		c.setReg(in.dst, in.size, uint32(bits.TrailingZeros32(v)))
	}
}

// opBsr stores the index of the highest set bit of the source.
func opBsr(c *CPU, in *inst) {
	v := c.srcVal(in)
	c.setLazy(lazyLogic, in.size, v, v, v)
	if v != 0 {
		c.setReg(in.dst, in.size, uint32(31-bits.LeadingZeros32(v)))
	}
}

func translateBswap(x *x86asm.Inst, in *inst) bool {
	if in.dstKind != argReg {
		return false
	}
	in.fn = opBswap
	if in.size == 2 {
		in.fn = opBswap16
	}
	return true
}

func opBswap(c *CPU, in *inst) { c.R[in.dst] = bits.ReverseBytes32(c.R[in.dst]) }

// opBswap16 is BSWAP with a 16-bit operand size, which clears the low word.
func opBswap16(c *CPU, in *inst) { c.R[in.dst] &^= 0xFFFF }
