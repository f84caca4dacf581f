package cpu

// This file implements the exchanges (XCHG, XADD, CMPXCHG, CMPXCHG8B),
// the conditional instructions SETcc and CMOVcc, the flag instructions
// LAHF, SAHF, CLC, STC, CMC, CLD and STD, the sign extensions CBW, CWDE,
// CWD and CDQ, and BOUND.
//
// Flags: XADD sets them as ADD, CMPXCHG as CMP of the accumulator with the
// destination, CMPXCHG8B sets ZF only. XCHG, SETcc, CMOVcc, CBW…CDQ and
// BOUND change none. There are no undefined flags here.
//
// XCHG with a memory operand, XADD, CMPXCHG and CMPXCHG8B are atomic by
// construction: the processors of a machine run on one host thread, and an
// instruction is never interrupted halfway. A CMOVcc with a memory source
// reads it, and so can fault, whether or not the condition holds; a
// CMPXCHG to memory checks the operand for writing even when the
// comparison fails (the processor writes the old value back then).

import "golang.org/x/arch/x86/x86asm"

var setccConds = map[x86asm.Op]uint8{
	x86asm.SETO: condO, x86asm.SETNO: condNO, x86asm.SETB: condB, x86asm.SETAE: condAE,
	x86asm.SETE: condE, x86asm.SETNE: condNE, x86asm.SETBE: condBE, x86asm.SETA: condA,
	x86asm.SETS: condS, x86asm.SETNS: condNS, x86asm.SETP: condP, x86asm.SETNP: condNP,
	x86asm.SETL: condL, x86asm.SETGE: condGE, x86asm.SETLE: condLE, x86asm.SETG: condG,
}

var cmovConds = map[x86asm.Op]uint8{
	x86asm.CMOVO: condO, x86asm.CMOVNO: condNO, x86asm.CMOVB: condB, x86asm.CMOVAE: condAE,
	x86asm.CMOVE: condE, x86asm.CMOVNE: condNE, x86asm.CMOVBE: condBE, x86asm.CMOVA: condA,
	x86asm.CMOVS: condS, x86asm.CMOVNS: condNS, x86asm.CMOVP: condP, x86asm.CMOVNP: condNP,
	x86asm.CMOVL: condL, x86asm.CMOVGE: condGE, x86asm.CMOVLE: condLE, x86asm.CMOVG: condG,
}

func init() {
	register(translateXchg, x86asm.XCHG)
	register(translateXadd, x86asm.XADD)
	register(translateCmpxchg, x86asm.CMPXCHG)
	register(translateCmpxchg8b, x86asm.CMPXCHG8B)
	for op := range setccConds {
		register(translateSetcc, op)
	}
	for op := range cmovConds {
		register(translateCmov, op)
	}
	fixed := func(fn handler) translateFunc {
		return func(x *x86asm.Inst, in *inst) bool { in.fn = fn; return true }
	}
	register(fixed(opLahf), x86asm.LAHF)
	register(fixed(opSahf), x86asm.SAHF)
	register(fixed(opClc), x86asm.CLC)
	register(fixed(opStc), x86asm.STC)
	register(fixed(opCmc), x86asm.CMC)
	register(fixed(opCld), x86asm.CLD)
	register(fixed(opStd), x86asm.STD)
	register(fixed(opCbw), x86asm.CBW)
	register(fixed(opCwde), x86asm.CWDE)
	register(fixed(opCwd), x86asm.CWD)
	register(fixed(opCdq), x86asm.CDQ)
	register(translateBound, x86asm.BOUND)
}

// translateXchg translates XCHG. With a memory operand, the translation
// makes it the destination and puts the register in in.src, whichever
// order the decoder gave them in.
func translateXchg(x *x86asm.Inst, in *inst) bool {
	switch {
	case in.dstKind == argReg && in.srcKind == argReg:
		switch {
		case in.dst == in.src:
			in.fn = opNop // XCHG EAX, EAX and friends
		case in.size == 4:
			in.fn = opXchgRR32
		default:
			in.fn = opXchgRR
		}
	case in.dstKind == argMem && in.srcKind == argReg:
		in.fn = opXchgM
	case in.dstKind == argReg && in.srcKind == argMem:
		in.src, in.dstKind, in.srcKind = in.dst, argMem, argReg
		in.fn = opXchgM
	default:
		return false
	}
	return true
}

func opXchgRR32(c *CPU, in *inst) {
	c.R[in.dst], c.R[in.src] = c.R[in.src], c.R[in.dst]
}

// opXchgRR exchanges two 8- or 16-bit registers.
func opXchgRR(c *CPU, in *inst) {
	a, b := c.getReg(in.dst, in.size), c.getReg(in.src, in.size)
	c.setReg(in.dst, in.size, b)
	c.setReg(in.src, in.size, a)
}

// opXchgM exchanges the memory operand with register in.src.
func opXchgM(c *CPU, in *inst) {
	c.checkWrite(in)
	off := c.ea(in)
	v := c.read(in.seg, off, in.size)
	c.write(in.seg, off, in.size, c.getReg(in.src, in.size))
	c.setReg(in.src, in.size, v)
}

func translateXadd(x *x86asm.Inst, in *inst) bool {
	if in.dstKind != argReg && in.dstKind != argMem || in.srcKind != argReg {
		return false
	}
	in.fn = opXadd
	return true
}

// opXadd stores the sum in the destination and the old destination in the
// source register (the destination wins when both are one register).
func opXadd(c *CPU, in *inst) {
	if in.dstKind == argMem {
		c.checkWrite(in)
	}
	a, b := c.dstVal(in), c.getReg(in.src, in.size)
	r := a + b
	c.setLazy(lazyAdd, in.size, a, b, r)
	if in.dstKind == argMem {
		c.setDst(in, r)
		c.setReg(in.src, in.size, a)
		return
	}
	c.setReg(in.src, in.size, a)
	c.setReg(in.dst, in.size, r)
}

func translateCmpxchg(x *x86asm.Inst, in *inst) bool {
	if in.dstKind != argReg && in.dstKind != argMem || in.srcKind != argReg {
		return false
	}
	in.fn = opCmpxchg
	return true
}

// opCmpxchg compares the accumulator with the destination: equal, the
// source goes to the destination; different, the destination goes to the
// accumulator.
func opCmpxchg(c *CPU, in *inst) {
	if in.dstKind == argMem {
		c.checkWrite(in)
	}
	d := c.dstVal(in)
	acc := c.getReg(EAX, in.size)
	c.setLazy(lazySub, in.size, acc, d, acc-d)
	if acc == d {
		c.setDst(in, c.getReg(in.src, in.size))
	} else {
		c.setReg(EAX, in.size, d)
	}
}

func translateCmpxchg8b(x *x86asm.Inst, in *inst) bool {
	if in.dstKind != argMem {
		return false
	}
	in.size = 8
	in.fn = opCmpxchg8b
	return true
}

// opCmpxchg8b compares EDX:EAX with the quadword operand: equal, ZF = 1
// and ECX:EBX is stored; different, ZF = 0 and the operand is loaded into
// EDX:EAX.
func opCmpxchg8b(c *CPU, in *inst) {
	c.checkWrite(in)
	off := c.ea(in)
	hiOff := off + 4
	if in.flags&fAddr16 != 0 {
		hiOff &= 0xFFFF
	}
	lo, hi := c.read32(in.seg, off), c.read32(in.seg, hiOff)
	c.materialize()
	if lo == c.R[EAX] && hi == c.R[EDX] {
		c.write32(in.seg, off, c.R[EBX])
		c.write32(in.seg, hiOff, c.R[ECX])
		c.flags |= FlagZF
		return
	}
	c.R[EAX], c.R[EDX] = lo, hi
	c.flags &^= FlagZF
}

func translateSetcc(x *x86asm.Inst, in *inst) bool {
	if in.dstKind != argReg && in.dstKind != argMem {
		return false
	}
	in.size = 1
	in.aux = setccConds[x.Op]
	in.fn = opSetcc
	if in.dstKind == argReg {
		in.fn = opSetccR
	}
	return true
}

func opSetccR(c *CPU, in *inst) {
	var v uint32
	if c.cond(in.aux) {
		v = 1
	}
	c.setReg8(in.dst, v)
}

func opSetcc(c *CPU, in *inst) {
	var v uint32
	if c.cond(in.aux) {
		v = 1
	}
	c.setDst(in, v)
}

func translateCmov(x *x86asm.Inst, in *inst) bool {
	if in.dstKind != argReg || in.srcKind != argReg && in.srcKind != argMem || in.size == 1 {
		return false
	}
	in.aux = cmovConds[x.Op]
	switch {
	case in.size == 4 && in.srcKind == argReg:
		in.fn = opCmovRR32
	case in.size == 4:
		in.fn = opCmovRM32
	default:
		in.fn = opCmov
	}
	return true
}

func opCmovRR32(c *CPU, in *inst) {
	if c.cond(in.aux) {
		c.R[in.dst] = c.R[in.src]
	}
}

func opCmovRM32(c *CPU, in *inst) {
	v := c.read32(in.seg, c.ea(in))
	if c.cond(in.aux) {
		c.R[in.dst] = v
	}
}

// opCmov is CMOVcc at any size; the source is read whatever the condition.
func opCmov(c *CPU, in *inst) {
	v := c.srcVal(in)
	if c.cond(in.aux) {
		c.setReg(in.dst, in.size, v)
	}
}

// ahFlags are the flags LAHF and SAHF move: SF, ZF, AF, PF, CF.
const ahFlags = FlagSF | FlagZF | FlagAF | FlagPF | FlagCF

// opLahf loads AH with SF:ZF:0:AF:0:PF:1:CF.
func opLahf(c *CPU, in *inst) {
	c.setReg8(4, c.arithFlags()&ahFlags|flagsFixed)
}

// opSahf stores AH into SF, ZF, AF, PF and CF.
func opSahf(c *CPU, in *inst) {
	c.setArith(c.arithFlags()&^ahFlags | c.reg8(4)&ahFlags)
}

func opClc(c *CPU, in *inst) { c.setArith(c.arithFlags() &^ FlagCF) }
func opStc(c *CPU, in *inst) { c.setArith(c.arithFlags() | FlagCF) }
func opCmc(c *CPU, in *inst) { c.setArith(c.arithFlags() ^ FlagCF) }
func opCld(c *CPU, in *inst) { c.flags &^= FlagDF }
func opStd(c *CPU, in *inst) { c.flags |= FlagDF }

// opCbw sign-extends AL into AX.
func opCbw(c *CPU, in *inst) {
	c.R[EAX] = c.R[EAX]&^0xFFFF | uint32(int8(c.R[EAX]))&0xFFFF
}

// opCwde sign-extends AX into EAX.
func opCwde(c *CPU, in *inst) { c.R[EAX] = uint32(int16(c.R[EAX])) }

// opCwd sign-extends AX into DX:AX.
func opCwd(c *CPU, in *inst) {
	c.R[EDX] = c.R[EDX]&^0xFFFF | uint32(int32(int16(c.R[EAX]))>>15)&0xFFFF
}

// opCdq sign-extends EAX into EDX:EAX.
func opCdq(c *CPU, in *inst) { c.R[EDX] = uint32(int32(c.R[EAX]) >> 31) }

// translateBound translates BOUND r, m (a pair of signed bounds).
func translateBound(x *x86asm.Inst, in *inst) bool {
	if in.dstKind != argReg || in.srcKind != argMem || in.size == 1 {
		return false
	}
	in.fn = opBound
	return true
}

// opBound raises #BR unless lower ≤ index ≤ upper, signed, with the bounds
// read from the memory operand (lower first, then upper).
func opBound(c *CPU, in *inst) {
	off := c.ea(in)
	hiOff := off + uint32(in.size)
	if in.flags&fAddr16 != 0 {
		hiOff &= 0xFFFF
	}
	lo := signExtend(c.read(in.seg, off, in.size), in.size)
	hi := signExtend(c.read(in.seg, hiOff, in.size), in.size)
	idx := signExtend(c.getReg(in.dst, in.size), in.size)
	if idx < lo || idx > hi {
		c.exception(excBR, 0)
	}
}
