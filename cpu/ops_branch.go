package cpu

// This file implements near control transfers: JMP, Jcc, CALL, RET, LOOP,
// LOOPE, LOOPNE, JCXZ and JECXZ.
//
// The operand size decides the width of EIP: with a 16-bit operand size a
// relative target is truncated to 16 bits (translate does it), an indirect
// target is a word, and CALL and RET push and pop a word. LOOP and JCXZ
// count in CX or ECX by the address size. A target beyond the CS limit
// raises #GP(0) at the branch, before anything changes. None of these
// instructions changes the flags.

import "golang.org/x/arch/x86/x86asm"

var condOps = map[x86asm.Op]uint8{
	x86asm.JO: condO, x86asm.JNO: condNO, x86asm.JB: condB, x86asm.JAE: condAE,
	x86asm.JE: condE, x86asm.JNE: condNE, x86asm.JBE: condBE, x86asm.JA: condA,
	x86asm.JS: condS, x86asm.JNS: condNS, x86asm.JP: condP, x86asm.JNP: condNP,
	x86asm.JL: condL, x86asm.JGE: condGE, x86asm.JLE: condLE, x86asm.JG: condG,
}

func init() {
	for op := range condOps {
		register(translateJcc, op)
	}
	register(translateJmp, x86asm.JMP)
	register(translateCall, x86asm.CALL)
	register(translateRet, x86asm.RET)
	register(translateLoop, x86asm.LOOP, x86asm.LOOPE, x86asm.LOOPNE)
	register(translateJcxz, x86asm.JCXZ, x86asm.JECXZ)
}

func translateJcc(x *x86asm.Inst, in *inst) bool {
	if in.flags&fRel == 0 {
		return false
	}
	in.aux = condOps[x.Op]
	in.fn = opJcc
	return true
}

func opJcc(c *CPU, in *inst) {
	if c.cond(in.aux) {
		c.checkCodeLimit(in.target)
		c.EIP = in.target
	}
}

func translateJmp(x *x86asm.Inst, in *inst) bool {
	in.flags |= fBranch
	switch {
	case in.flags&fRel != 0:
		in.fn = opJmp
	case in.dstKind == argReg || in.dstKind == argMem:
		in.fn = opJmpIndirect
	default:
		return false
	}
	return true
}

func opJmp(c *CPU, in *inst) {
	c.checkCodeLimit(in.target)
	c.EIP = in.target
}

// opJmpIndirect jumps to a register or memory operand; a 16-bit operand
// clears the upper half of EIP.
func opJmpIndirect(c *CPU, in *inst) {
	t := c.dstVal(in)
	c.checkCodeLimit(t)
	c.EIP = t
}

// checkCodeLimit raises #GP(0) if a near branch target lies beyond the CS
// limit, before the branch changes anything. (A flat code segment's limit
// is 4 GiB, so the check never fires there.)
func (c *CPU) checkCodeLimit(t uint32) {
	if t > c.Seg[CS].Limit {
		c.exception(excGP, 0)
	}
}

func translateCall(x *x86asm.Inst, in *inst) bool {
	in.flags |= fBranch
	switch {
	case in.flags&fRel != 0 && in.size == 4:
		in.fn = opCall32
	case in.flags&fRel != 0:
		in.fn = opCall
	case in.dstKind == argReg || in.dstKind == argMem:
		in.fn = opCallIndirect
	default:
		return false
	}
	return true
}

func opCall32(c *CPU, in *inst) {
	c.checkCodeLimit(in.target)
	c.push32(in.next)
	c.EIP = in.target
}

func opCall(c *CPU, in *inst) {
	c.checkCodeLimit(in.target)
	c.push(in.size, in.next)
	c.EIP = in.target
}

func opCallIndirect(c *CPU, in *inst) {
	t := c.dstVal(in)
	c.checkCodeLimit(t)
	c.push(in.size, in.next)
	c.EIP = t
}

func translateRet(x *x86asm.Inst, in *inst) bool {
	in.flags |= fBranch
	if in.dstKind == argImm {
		in.imm &= 0xFFFF
	}
	if in.size == 4 && in.dstKind == argNone {
		in.fn = opRet32
	} else {
		in.fn = opRet
	}
	return true
}

func opRet32(c *CPU, in *inst) {
	if c.Seg[SS].flat {
		t := c.read32(SS, c.R[ESP])
		c.checkCodeLimit(t)
		c.R[ESP] += 4
		c.EIP = t
		return
	}
	opRet(c, in)
}

// opRet pops the return address, then releases imm bytes of arguments.
func opRet(c *CPU, in *inst) {
	m := c.stackMask()
	t := c.read(SS, c.R[ESP]&m, in.size)
	c.checkCodeLimit(t)
	sp := (c.R[ESP] + uint32(in.size) + in.imm) & m
	c.R[ESP] = c.R[ESP]&^m | sp
	c.EIP = t
}

// LOOP variants, kept in in.aux.
const (
	loopPlain = iota
	loopE
	loopNE
)

func translateLoop(x *x86asm.Inst, in *inst) bool {
	if in.flags&fRel == 0 {
		return false
	}
	switch x.Op {
	case x86asm.LOOPE:
		in.aux = loopE
	case x86asm.LOOPNE:
		in.aux = loopNE
	}
	in.fn = opLoop
	return true
}

// opLoop decrements the count register (CX or ECX by the address size) and
// branches if it is not zero (and, for LOOPE and LOOPNE, ZF is 1 or 0).
func opLoop(c *CPU, in *inst) {
	m := strMask(in)
	n := (c.R[ECX] - 1) & m
	taken := n != 0
	switch in.aux {
	case loopE:
		taken = taken && c.cond(condE)
	case loopNE:
		taken = taken && c.cond(condNE)
	}
	if taken {
		c.checkCodeLimit(in.target)
		c.EIP = in.target
	}
	c.R[ECX] = c.R[ECX]&^m | n
}

func translateJcxz(x *x86asm.Inst, in *inst) bool {
	if in.flags&fRel == 0 {
		return false
	}
	in.fn = opJcxz
	return true
}

// opJcxz branches if CX (JCXZ, 16-bit addressing) or ECX (JECXZ) is zero.
func opJcxz(c *CPU, in *inst) {
	if c.R[ECX]&strMask(in) == 0 {
		c.checkCodeLimit(in.target)
		c.EIP = in.target
	}
}
