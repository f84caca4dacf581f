package cpu

// This file implements instruction fusion: a compare followed by the
// conditional branch that ends its block runs as one entry when the block
// runs whole, saving a dispatch on the commonest pair in compiled code.
// Stepping uses the unfused instructions, so interrupts still land on
// every instruction boundary. Only blocks translated for a CS with a 4 GiB
// limit are fused (the block cache keys blocks by CS limit), so the fused
// branch never needs the CS limit check a Jcc makes.

import "golang.org/x/arch/x86/x86asm"

// fuse returns insts with a final CMP/TEST + Jcc pair fused, or insts
// itself when there is nothing to fuse.
func fuse(insts []inst) []inst {
	n := len(insts)
	if n < 2 {
		return insts
	}
	cmp, jcc := &insts[n-2], &insts[n-1]
	if _, isJcc := condOps[jcc.op]; !isJcc || jcc.flags&fRel == 0 {
		return insts
	}
	var fn handler
	switch {
	case cmp.op == x86asm.CMP && cmp.size == 4 && cmp.dstKind == argReg && cmp.srcKind == argReg:
		fn = opCmpRRJcc
	case cmp.op == x86asm.CMP && cmp.size == 4 && cmp.dstKind == argReg && cmp.srcKind == argImm:
		fn = opCmpRIJcc
	case cmp.op == x86asm.TEST && cmp.size == 4 && cmp.dstKind == argReg && cmp.srcKind == argReg:
		fn = opTestRRJcc
	default:
		return insts
	}
	fast := make([]inst, n-1)
	copy(fast, insts[:n-2])
	f := *cmp
	f.fn = fn
	f.aux = jcc.aux
	f.target = jcc.target
	f.next = jcc.next
	f.len = cmp.len + jcc.len
	f.cycles = cmp.cycles + jcc.cycles
	f.count = 2
	f.flags |= fBranch
	fast[n-2] = f
	return fast
}

// opCmpRRJcc is CMP r32, r32 then Jcc: the flags are recorded as CMP
// records them, then the branch is taken if its condition (in.aux) holds.
func opCmpRRJcc(c *CPU, in *inst) {
	a, b := c.R[in.dst], c.R[in.src]
	c.setLazy32(lazySub, a, b, a-b)
	if c.cond(in.aux) {
		c.EIP = in.target
	}
}

func opCmpRIJcc(c *CPU, in *inst) {
	a, b := c.R[in.dst], in.imm
	c.setLazy32(lazySub, a, b, a-b)
	if c.cond(in.aux) {
		c.EIP = in.target
	}
}

func opTestRRJcc(c *CPU, in *inst) {
	r := c.R[in.dst] & c.R[in.src]
	c.setLazy32(lazyLogic, r, r, r)
	if c.cond(in.aux) {
		c.EIP = in.target
	}
}
