package cpu

// This file implements lazily evaluated arithmetic flags.
//
// Most instructions that set flags are followed by one that reads only one
// or two of them (CMP then Jcc) or by one that overwrites them all, so the
// flag-setting instructions record their operands and result in lazyFlags
// and the flags are computed when something reads them.

import "math/bits"

// lazy operation kinds.
const (
	lazyNone  uint8 = iota // flags hold the arithmetic flags
	lazyAdd                // res = a + b
	lazyAdc                // res = a + b + cin
	lazySub                // res = a - b (also CMP, NEG with a = 0)
	lazySbb                // res = a - b - cin
	lazyLogic              // AND, OR, XOR, TEST: CF = OF = AF = 0
	lazyInc                // res = a + 1, CF kept in cin
	lazyDec                // res = a - 1, CF kept in cin
	lazyShift              // SF, ZF, PF from res; CF = cin; OF = b != 0; AF = 0 (shifts, SHLD/SHRD, MUL, IMUL)
)

// lazyFlags records the last flag-setting operation.
type lazyFlags struct {
	op   uint8
	size uint8 // operand size in bytes: 1, 2 or 4
	cin  uint32
	a    uint32
	b    uint32
	res  uint32 // truncated to size
}

// sizeMask and signBit return the mask and the sign bit of an operand size.
func sizeMask(size uint8) uint32 { return sizeMasks[size&7] }
func signBit(size uint8) uint32  { return signBits[size&7] }

var (
	sizeMasks = [8]uint32{1: 0xFF, 2: 0xFFFF, 4: 0xFFFFFFFF}
	signBits  = [8]uint32{1: 0x80, 2: 0x8000, 4: 0x80000000}
)

// parity returns PF for the low byte of v.
func parity(v uint32) uint32 {
	if bits.OnesCount8(uint8(v))&1 == 0 {
		return FlagPF
	}
	return 0
}

// setLazy records an operation's flags.
// cin is left alone: only the operations that use it set it.
func (c *CPU) setLazy(op, size uint8, a, b, res uint32) {
	l := &c.lazy
	l.op, l.size, l.a, l.b, l.res = op, size, a, b, res&sizeMask(size)
}

// setLazyShift records an operation whose CF (cf, 0 or 1) and OF (of,
// non-zero for set) are known; SF, ZF and PF follow res, which must be
// truncated to size (lazyShift). Like setLazy it stores field by field:
// a composite literal assigned to c.lazy is built on the stack and copied.
func (c *CPU) setLazyShift(size uint8, cf, of, res uint32) {
	l := &c.lazy
	l.op, l.size, l.cin, l.b, l.res = lazyShift, size, cf, of, res
}

// setLazy32 records a 32-bit operation.
func (c *CPU) setLazy32(op uint8, a, b, res uint32) {
	c.lazy.op, c.lazy.size, c.lazy.a, c.lazy.b, c.lazy.res = op, 4, a, b, res
}

// carry computes CF from the lazy state.
func (l *lazyFlags) carry() bool {
	m := sizeMask(l.size)
	a, b := l.a&m, l.b&m
	switch l.op {
	case lazyAdd:
		return l.res < a
	case lazyAdc:
		return l.res < a || (l.cin != 0 && l.res == a)
	case lazySub:
		return a < b
	case lazySbb:
		return a < b || (l.cin != 0 && a == b)
	case lazyInc, lazyDec, lazyShift:
		return l.cin != 0
	}
	return false // lazyLogic
}

// overflow computes OF from the lazy state.
func (l *lazyFlags) overflow() bool {
	s := signBit(l.size)
	switch l.op {
	case lazyAdd, lazyAdc:
		return (l.a^l.res)&(l.b^l.res)&s != 0
	case lazySub, lazySbb:
		return (l.a^l.b)&(l.a^l.res)&s != 0
	case lazyInc:
		return l.res == s
	case lazyDec:
		return l.res == s-1
	case lazyShift:
		return l.b != 0
	}
	return false
}

// compute returns the six arithmetic flags of the lazy state.
func (l *lazyFlags) compute() uint32 {
	var f uint32
	if l.carry() {
		f |= FlagCF
	}
	if l.overflow() {
		f |= FlagOF
	}
	if l.res == 0 {
		f |= FlagZF
	}
	if l.res&signBit(l.size) != 0 {
		f |= FlagSF
	}
	f |= parity(l.res)
	if l.op != lazyLogic && l.op != lazyShift {
		f |= (l.a ^ l.b ^ l.res) & FlagAF
	}
	return f
}

// materialize folds the lazy state into c.flags.
func (c *CPU) materialize() {
	if c.lazy.op != lazyNone {
		c.flags = c.flags&^flagsArith | c.lazy.compute()
		c.lazy.op = lazyNone
	}
}

// cf returns the carry flag as 0 or 1.
func (c *CPU) cf() uint32 {
	if c.lazy.op == lazyNone {
		return c.flags & FlagCF
	}
	if c.lazy.carry() {
		return 1
	}
	return 0
}

// setArith replaces the six arithmetic flags with f (the rest are kept).
func (c *CPU) setArith(f uint32) {
	c.lazy.op = lazyNone
	c.flags = c.flags&^flagsArith | f&flagsArith
}

// arithFlags returns the six arithmetic flags.
func (c *CPU) arithFlags() uint32 {
	if c.lazy.op == lazyNone {
		return c.flags & flagsArith
	}
	return c.lazy.compute()
}

// Condition codes, in the encoding order of Jcc/SETcc/CMOVcc.
const (
	condO = iota
	condNO
	condB
	condAE
	condE
	condNE
	condBE
	condA
	condS
	condNS
	condP
	condNP
	condL
	condGE
	condLE
	condG
)

// signExtend sign-extends a value of size bytes to int32.
func signExtend(v uint32, size uint8) int32 {
	sh := 32 - uint(size)*8
	return int32(v<<sh) >> sh
}

// cond evaluates condition code cc.
func (c *CPU) cond(cc uint8) bool {
	l := &c.lazy
	var r bool
	switch {
	case l.op == lazySub:
		// CMP and SUB: compare the operands directly.
		m := sizeMask(l.size)
		a, b := l.a&m, l.b&m
		switch cc >> 1 {
		case condB >> 1:
			r = a < b
		case condE >> 1:
			r = a == b
		case condBE >> 1:
			r = a <= b
		case condL >> 1:
			r = signExtend(a, l.size) < signExtend(b, l.size)
		case condLE >> 1:
			r = signExtend(a, l.size) <= signExtend(b, l.size)
		default:
			return c.condSlow(cc)
		}
	case l.op == lazyLogic:
		// TEST, AND…: CF = OF = 0.
		switch cc >> 1 {
		case condE >> 1:
			r = l.res == 0
		case condS >> 1:
			r = l.res&signBit(l.size) != 0
		case condLE >> 1:
			r = l.res == 0 || l.res&signBit(l.size) != 0
		default:
			return c.condSlow(cc)
		}
	case l.op != lazyNone && (cc>>1 == condE>>1 || cc>>1 == condS>>1):
		// ZF and SF come from the result whatever the operation.
		if cc>>1 == condE>>1 {
			r = l.res == 0
		} else {
			r = l.res&signBit(l.size) != 0
		}
	default:
		return c.condSlow(cc)
	}
	return r != (cc&1 != 0)
}

// condSlow evaluates a condition from the computed flags.
func (c *CPU) condSlow(cc uint8) bool {
	f := c.arithFlags()
	var r bool
	switch cc >> 1 {
	case condO >> 1:
		r = f&FlagOF != 0
	case condB >> 1:
		r = f&FlagCF != 0
	case condE >> 1:
		r = f&FlagZF != 0
	case condBE >> 1:
		r = f&(FlagCF|FlagZF) != 0
	case condS >> 1:
		r = f&FlagSF != 0
	case condP >> 1:
		r = f&FlagPF != 0
	case condL >> 1:
		r = (f&FlagSF != 0) != (f&FlagOF != 0)
	case condLE >> 1:
		r = f&FlagZF != 0 || (f&FlagSF != 0) != (f&FlagOF != 0)
	}
	return r != (cc&1 != 0)
}
