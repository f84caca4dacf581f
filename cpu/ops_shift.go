package cpu

// This file implements the shifts and rotates: SHL (SAL), SHR, SAR, ROL,
// ROR, RCL, RCR by 1, by an immediate and by CL, and the double shifts
// SHLD and SHRD.
//
// The count is masked to 5 bits. A masked count of 0 changes neither the
// operand nor the flags (a memory operand is still checked for writing and
// read, so it can fault). RCL and RCR on 8- and 16-bit operands rotate
// through CF by the masked count mod 9 or mod 17.
//
// Flags, as the SDM defines them, and what this implementation gives where
// it leaves them undefined:
//   - SHL, SHR, SAR: CF = last bit shifted out, SF, ZF, PF from the result.
//     OF is defined for a count of 1 (SHL: MSB(result) XOR CF; SHR: MSB of
//     the operand; SAR: 0); for other counts it is undefined and computed
//     by the same formula. AF is undefined (0 here). CF is undefined for
//     SHL and SHR by a count ≥ the operand size (8- and 16-bit operands);
//     here it is the bit shifted out of a wide register, 0 beyond.
//   - ROL, ROR, RCL, RCR: only CF and OF change. OF is defined for a count
//     of 1 (ROL, RCL: MSB(result) XOR CF; ROR, RCR: XOR of the two most
//     significant result bits); for other counts it is undefined and
//     computed by the same formula.
//   - SHLD, SHRD: CF = last bit shifted out of the destination, SF, ZF, PF
//     from the result; OF is defined for a count of 1 (the sign changed)
//     and computed the same way for others; AF is undefined (0 here). A
//     16-bit double shift by more than 16 has an undefined result and
//     flags; here it shifts the 48-bit value dest:src:dest as P6-class
//     processors do.

import "golang.org/x/arch/x86/x86asm"

// Shift kinds, kept in in.aux, numbered as the ModRM reg field of the
// C0/C1/D0–D3 opcodes.
const (
	shRol uint8 = 0
	shRor uint8 = 1
	shRcl uint8 = 2
	shRcr uint8 = 3
	shShl uint8 = 4
	shShr uint8 = 5
	shSar uint8 = 7
)

var shiftKinds = map[x86asm.Op]uint8{
	x86asm.ROL: shRol, x86asm.ROR: shRor, x86asm.RCL: shRcl, x86asm.RCR: shRcr,
	x86asm.SHL: shShl, x86asm.SHR: shShr, x86asm.SAR: shSar,
}

func init() {
	register(translateShift, x86asm.ROL, x86asm.ROR, x86asm.RCL, x86asm.RCR,
		x86asm.SHL, x86asm.SHR, x86asm.SAR)
	register(translateShiftDouble, x86asm.SHLD, x86asm.SHRD)
}

// translateShift chooses a shift handler. The count is an immediate
// (in.imm, masked here) or CL.
func translateShift(x *x86asm.Inst, in *inst) bool {
	if in.dstKind != argReg && in.dstKind != argMem {
		return false
	}
	switch in.srcKind {
	case argImm:
		in.imm &= 0x1F
	case argReg:
		if in.src != ECX { // CL
			return false
		}
	default:
		return false
	}
	in.aux = shiftKinds[x.Op]
	in.fn = opShift
	if in.dstKind != argReg || in.size != 4 {
		return true
	}
	if in.srcKind == argImm {
		if in.imm == 0 {
			in.fn = opNop // a register shifted by 0: nothing changes
			return true
		}
		switch in.aux {
		case shShl:
			in.fn = opShlRI32
		case shShr:
			in.fn = opShrRI32
		case shSar:
			in.fn = opSarRI32
		}
		return true
	}
	switch in.aux {
	case shShl:
		in.fn = opShlRC32
	case shShr:
		in.fn = opShrRC32
	case shSar:
		in.fn = opSarRC32
	}
	return true
}

// opShift is the general shift or rotate: any size, register or memory,
// immediate or CL count.
func opShift(c *CPU, in *inst) {
	a, n := c.shiftOperand(in, in.imm, in.srcKind == argReg)
	if n == 0 {
		return
	}
	c.setDst(in, c.shift(in.aux, in.size, a, n))
}

// shiftOperand returns the destination's value and the shift count (the
// immediate imm, or CL when byCL, masked to 5 bits), having checked that
// a memory destination is writable so the instruction faults before it
// changes flags.
func (c *CPU) shiftOperand(in *inst, imm uint32, byCL bool) (a, n uint32) {
	n = imm
	if byCL {
		n = c.R[ECX] & 0x1F
	}
	if in.dstKind == argMem {
		c.checkWrite(in)
	}
	return c.dstVal(in), n
}

// shift shifts or rotates a (size bytes) by n (1–31) and sets the flags.
func (c *CPU) shift(kind, size uint8, a, n uint32) uint32 {
	w := uint32(size) * 8 // operand width in bits
	m := sizeMask(size)
	a &= m
	var r, cf, of uint32
	switch kind {
	case shShl:
		wide := uint64(a) << n
		r = uint32(wide) & m
		cf = uint32(wide>>w) & 1
		c.setLazyShift(size, cf, r>>(w-1)^cf, r)
		return r
	case shShr:
		r = a >> n
		cf = a >> (n - 1) & 1
		c.setLazyShift(size, cf, a>>(w-1), r)
		return r
	case shSar:
		s := signExtend(a, size)
		r = uint32(s>>n) & m
		cf = uint32(s>>(n-1)) & 1
		c.setLazyShift(size, cf, 0, r)
		return r
	case shRol:
		k := n & (w - 1)
		r = (a<<k | a>>(w-k)) & m
		cf = r & 1
		of = r>>(w-1) ^ cf
	case shRor:
		k := n & (w - 1)
		r = (a>>k | a<<(w-k)) & m
		cf = r >> (w - 1)
		of = cf ^ r>>(w-2)&1
	case shRcl, shRcr:
		k := n
		if size < 4 {
			k = n % (w + 1)
		}
		v := uint64(c.cf())<<w | uint64(a) // the w+1-bit value CF:operand
		vm := uint64(1)<<(w+1) - 1
		if kind == shRcl {
			v = (v<<k | v>>(w+1-k)) & vm
		} else {
			v = (v>>k | v<<(w+1-k)) & vm
		}
		r = uint32(v) & m
		cf = uint32(v>>w) & 1
		if kind == shRcl {
			of = r>>(w-1) ^ cf
		} else {
			of = (r>>(w-1) ^ r>>(w-2)) & 1
		}
	}
	c.setArith(c.arithFlags()&^(FlagCF|FlagOF) | cf | of<<11)
	return r
}

func opShlRI32(c *CPU, in *inst) {
	a, n := c.R[in.dst], in.imm&31
	r := a << n
	c.R[in.dst] = r
	cf := a >> (32 - n) & 1
	c.setLazyShift(4, cf, r>>31^cf, r)
}

func opShrRI32(c *CPU, in *inst) {
	a, n := c.R[in.dst], in.imm&31
	r := a >> n
	c.R[in.dst] = r
	c.setLazyShift(4, a>>(n-1)&1, a>>31, r)
}

func opSarRI32(c *CPU, in *inst) {
	a, n := int32(c.R[in.dst]), in.imm&31
	r := uint32(a >> n)
	c.R[in.dst] = r
	c.setLazyShift(4, uint32(a>>(n-1))&1, 0, r)
}

func opShlRC32(c *CPU, in *inst) {
	n := c.R[ECX] & 0x1F
	if n == 0 {
		return
	}
	a := c.R[in.dst]
	r := a << n
	c.R[in.dst] = r
	cf := a >> (32 - n) & 1
	c.setLazyShift(4, cf, r>>31^cf, r)
}

func opShrRC32(c *CPU, in *inst) {
	n := c.R[ECX] & 0x1F
	if n == 0 {
		return
	}
	a := c.R[in.dst]
	r := a >> n
	c.R[in.dst] = r
	c.setLazyShift(4, a>>(n-1)&1, a>>31, r)
}

func opSarRC32(c *CPU, in *inst) {
	n := c.R[ECX] & 0x1F
	if n == 0 {
		return
	}
	a := int32(c.R[in.dst])
	r := uint32(a >> n)
	c.R[in.dst] = r
	c.setLazyShift(4, uint32(a>>(n-1))&1, 0, r)
}

// translateShiftDouble translates SHLD and SHRD: destination register or
// memory, source register, count immediate (in.imm2, masked here) or CL.
// in.aux is 0 for SHLD, 1 for SHRD.
func translateShiftDouble(x *x86asm.Inst, in *inst) bool {
	if in.dstKind != argReg && in.dstKind != argMem || in.srcKind != argReg || in.size == 1 {
		return false
	}
	switch in.src2Kind {
	case argImm:
		in.imm2 &= 0x1F
	case argReg:
		if in.aux != ECX { // CL
			return false
		}
	default:
		return false
	}
	in.aux = 0
	if x.Op == x86asm.SHRD {
		in.aux = 1
	}
	in.fn = opShiftDouble
	return true
}

// opShiftDouble executes SHLD or SHRD.
func opShiftDouble(c *CPU, in *inst) {
	a, n := c.shiftOperand(in, in.imm2, in.src2Kind == argReg)
	if n == 0 {
		return
	}
	b := c.getReg(in.src, in.size)
	var r, cf uint32
	if in.size == 4 {
		if in.aux == 0 {
			r = a<<n | b>>(32-n)
			cf = a >> (32 - n) & 1
		} else {
			r = a>>n | b<<(32-n)
			cf = a >> (n - 1) & 1
		}
	} else {
		v := uint64(a)<<32 | uint64(b)<<16 | uint64(a)
		if in.aux == 0 {
			r = uint32(v>>(32-n)) & 0xFFFF
			cf = uint32(v>>(48-n)) & 1
		} else {
			r = uint32(v>>n) & 0xFFFF
			cf = uint32(v>>(n-1)) & 1
		}
	}
	w := uint32(in.size) * 8
	of := r>>(w-1) ^ cf
	if in.aux == 1 {
		of = (r>>(w-1) ^ r>>(w-2)) & 1
	}
	c.setLazyShift(in.size, cf, of, r)
	c.setDst(in, r)
}
