package cpu

// This file implements the two-operand ALU instructions (ADD, OR, ADC,
// SBB, AND, SUB, XOR, CMP, TEST) and the one-operand INC, DEC, NEG, NOT.
//
// Flags: all six are defined, but for AF after AND, OR, XOR and TEST,
// which is undefined (0 here). INC and DEC keep CF; NOT changes no flag.

import "golang.org/x/arch/x86/x86asm"

// ALU operations, kept in in.aux.
const (
	aluAdd uint8 = iota
	aluOr
	aluAdc
	aluSbb
	aluAnd
	aluSub
	aluXor
	aluCmp
	aluTest
)

var aluOps = map[x86asm.Op]uint8{
	x86asm.ADD: aluAdd, x86asm.OR: aluOr, x86asm.ADC: aluAdc, x86asm.SBB: aluSbb,
	x86asm.AND: aluAnd, x86asm.SUB: aluSub, x86asm.XOR: aluXor, x86asm.CMP: aluCmp,
	x86asm.TEST: aluTest,
}

func init() {
	register(translateALU, x86asm.ADD, x86asm.OR, x86asm.ADC, x86asm.SBB, x86asm.AND,
		x86asm.SUB, x86asm.XOR, x86asm.CMP, x86asm.TEST)
	register(translateUnary, x86asm.INC, x86asm.DEC, x86asm.NEG, x86asm.NOT)
}

// alu performs ALU operation op on operands of size bytes and records the flags.
func (c *CPU) alu(op, size uint8, a, b uint32) uint32 {
	var r uint32
	switch op {
	case aluAdd:
		r = a + b
		c.setLazy(lazyAdd, size, a, b, r)
	case aluOr:
		r = a | b
		c.setLazy(lazyLogic, size, a, b, r)
	case aluAdc:
		cin := c.cf()
		r = a + b + cin
		c.setLazy(lazyAdc, size, a, b, r)
		c.lazy.cin = cin
	case aluSbb:
		cin := c.cf()
		r = a - b - cin
		c.setLazy(lazySbb, size, a, b, r)
		c.lazy.cin = cin
	case aluAnd, aluTest:
		r = a & b
		c.setLazy(lazyLogic, size, a, b, r)
	case aluSub, aluCmp:
		r = a - b
		c.setLazy(lazySub, size, a, b, r)
	case aluXor:
		r = a ^ b
		c.setLazy(lazyLogic, size, a, b, r)
	}
	return r
}

func translateALU(x *x86asm.Inst, in *inst) bool {
	in.aux = aluOps[x.Op]
	if in.dstKind == argNone || in.srcKind == argNone || in.dstKind == argImm {
		return false
	}
	write := in.aux != aluCmp && in.aux != aluTest
	if in.size != 4 {
		in.fn = opALU
		if fn := aluSmallHandler(in); fn != nil {
			in.fn = fn
		}
		return true
	}
	switch {
	case in.dstKind == argReg && in.srcKind == argReg:
		switch {
		case in.aux == aluXor && in.dst == in.src:
			in.fn = opZeroR32
		case in.aux == aluAdd:
			in.fn = opAddRR32
		case in.aux == aluSub:
			in.fn = opSubRR32
		case in.aux == aluCmp:
			in.fn = opCmpRR32
		case in.aux == aluTest:
			in.fn = opTestRR32
		case write:
			in.fn = opALURR32
		default:
			in.fn = opALU
		}
	case in.dstKind == argReg && in.srcKind == argImm:
		switch in.aux {
		case aluAdd:
			in.fn = opAddRI32
		case aluSub:
			in.fn = opSubRI32
		case aluCmp:
			in.fn = opCmpRI32
		case aluAnd:
			in.fn = opAndRI32
		case aluTest:
			in.fn = opTestRI32
		default:
			in.fn = opALURI32
		}
	case in.dstKind == argReg && in.srcKind == argMem:
		if write {
			in.fn = opALURM32
		} else {
			in.fn = opCmpRM32
		}
	case in.dstKind == argMem && in.srcKind == argImm && in.aux == aluCmp:
		in.fn = opCmpMI32
	case in.dstKind == argMem && in.srcKind == argImm && write:
		in.fn = opALUMI32
	case in.dstKind == argMem && in.srcKind == argReg && write:
		in.fn = opALUMR32
	default:
		in.fn = opALU
	}
	return true
}

// opALU is the general form: any size, any operands.
func opALU(c *CPU, in *inst) {
	if in.dstKind == argMem && in.aux != aluCmp && in.aux != aluTest {
		c.checkWrite(in)
	}
	a := c.dstVal(in)
	r := c.alu(in.aux, in.size, a, c.srcVal(in))
	if in.aux != aluCmp && in.aux != aluTest {
		c.setDst(in, r)
	}
}

func opZeroR32(c *CPU, in *inst) {
	c.R[in.dst] = 0
	c.setLazy32(lazyLogic, 0, 0, 0)
}

func opAddRR32(c *CPU, in *inst) {
	a, b := c.R[in.dst], c.R[in.src]
	r := a + b
	c.R[in.dst] = r
	c.setLazy32(lazyAdd, a, b, r)
}

func opSubRR32(c *CPU, in *inst) {
	a, b := c.R[in.dst], c.R[in.src]
	r := a - b
	c.R[in.dst] = r
	c.setLazy32(lazySub, a, b, r)
}

func opCmpRR32(c *CPU, in *inst) {
	a, b := c.R[in.dst], c.R[in.src]
	c.setLazy32(lazySub, a, b, a-b)
}

func opTestRR32(c *CPU, in *inst) {
	r := c.R[in.dst] & c.R[in.src]
	c.setLazy32(lazyLogic, r, r, r)
}

func opALURR32(c *CPU, in *inst) {
	c.R[in.dst] = c.alu(in.aux, 4, c.R[in.dst], c.R[in.src])
}

func opAddRI32(c *CPU, in *inst) {
	a, b := c.R[in.dst], in.imm
	r := a + b
	c.R[in.dst] = r
	c.setLazy32(lazyAdd, a, b, r)
}

func opSubRI32(c *CPU, in *inst) {
	a, b := c.R[in.dst], in.imm
	r := a - b
	c.R[in.dst] = r
	c.setLazy32(lazySub, a, b, r)
}

func opCmpRI32(c *CPU, in *inst) {
	a, b := c.R[in.dst], in.imm
	c.setLazy32(lazySub, a, b, a-b)
}

func opAndRI32(c *CPU, in *inst) {
	r := c.R[in.dst] & in.imm
	c.R[in.dst] = r
	c.setLazy32(lazyLogic, r, r, r)
}

// opALURI32 is OR, ADC, SBB, XOR r32, imm (ADD, SUB, AND have their own).
func opALURI32(c *CPU, in *inst) {
	c.R[in.dst] = c.alu(in.aux, 4, c.R[in.dst], in.imm)
}

func opTestRI32(c *CPU, in *inst) {
	r := c.R[in.dst] & in.imm
	c.setLazy32(lazyLogic, r, r, r)
}

// opALUMI32 is a read-modify-write ALU operation on a memory dword with an
// immediate (addl $1, counter).
func opALUMI32(c *CPU, in *inst) {
	off := c.ea(in)
	if !c.Seg[in.seg].flat {
		c.segCheck(in.seg, off, 4, true)
	}
	c.write32(in.seg, off, c.alu(in.aux, 4, c.read32(in.seg, off), in.imm))
}

// opALUMR32 is a read-modify-write ALU operation on a memory dword with a
// register.
func opALUMR32(c *CPU, in *inst) {
	off := c.ea(in)
	if !c.Seg[in.seg].flat {
		c.segCheck(in.seg, off, 4, true)
	}
	c.write32(in.seg, off, c.alu(in.aux, 4, c.read32(in.seg, off), c.R[in.src]))
}

func opALURM32(c *CPU, in *inst) {
	c.R[in.dst] = c.alu(in.aux, 4, c.R[in.dst], c.read32(in.seg, c.ea(in)))
}

func opCmpRM32(c *CPU, in *inst) {
	c.alu(in.aux, 4, c.R[in.dst], c.read32(in.seg, c.ea(in)))
}

func opCmpMI32(c *CPU, in *inst) {
	a, b := c.read32(in.seg, c.ea(in)), in.imm
	c.setLazy32(lazySub, a, b, a-b)
}

// Unary operations, kept in in.aux.
const (
	unInc uint8 = iota
	unDec
	unNeg
	unNot
)

func translateUnary(x *x86asm.Inst, in *inst) bool {
	if in.dstKind != argReg && in.dstKind != argMem {
		return false
	}
	switch x.Op {
	case x86asm.INC:
		in.aux = unInc
	case x86asm.DEC:
		in.aux = unDec
	case x86asm.NEG:
		in.aux = unNeg
	case x86asm.NOT:
		in.aux = unNot
	}
	if in.dstKind == argReg && in.size == 4 && in.aux == unInc {
		in.fn = opIncR32
	} else if in.dstKind == argReg && in.size == 4 && in.aux == unDec {
		in.fn = opDecR32
	} else {
		in.fn = opUnary
	}
	return true
}

func opIncR32(c *CPU, in *inst) {
	cin := c.cf()
	a := c.R[in.dst]
	c.R[in.dst] = a + 1
	l := &c.lazy
	l.op, l.size, l.cin, l.a, l.b, l.res = lazyInc, 4, cin, a, 1, a+1
}

func opDecR32(c *CPU, in *inst) {
	cin := c.cf()
	a := c.R[in.dst]
	c.R[in.dst] = a - 1
	l := &c.lazy
	l.op, l.size, l.cin, l.a, l.b, l.res = lazyDec, 4, cin, a, 1, a-1
}

// opUnary is the general INC, DEC, NEG, NOT.
func opUnary(c *CPU, in *inst) {
	if in.dstKind == argMem {
		c.checkWrite(in)
	}
	a := c.dstVal(in)
	var r uint32
	switch in.aux {
	case unInc, unDec:
		cin := c.cf()
		op := lazyInc
		r = a + 1
		if in.aux == unDec {
			op, r = lazyDec, a-1
		}
		c.setLazy(op, in.size, a, 1, r)
		c.lazy.cin = cin
	case unNeg:
		r = -a
		c.setLazy(lazySub, in.size, 0, a, r)
	case unNot:
		r = ^a // flags unaffected
	}
	c.setDst(in, r)
}
