package cpu

// This file prepares a block for running whole (block.fast): a compare
// followed by a conditional branch runs as one entry, saving a dispatch on
// the commonest pair in compiled code; a conditional branch inside a
// superblock becomes an exit, which leaves the block when taken; a direct
// jump inside a superblock is left out, since the next entry is its
// target. Stepping uses the unchanged instructions, so interrupts still
// land on every instruction boundary. Only blocks translated for a CS with
// a 4 GiB limit are prepared (the block cache keys blocks by CS limit), so
// no branch needs the CS limit check a Jcc makes.

import "golang.org/x/arch/x86/x86asm"

// fuse returns the fast form of insts, or insts itself when it would be
// the same.
func fuse(insts []inst) []inst {
	if !fusible(insts) {
		return insts
	}
	fast := make([]inst, 0, len(insts))
	changed := false
	for i := 0; i < len(insts); i++ {
		in := &insts[i]
		last := i == len(insts)-1
		if !last {
			if fn := fusedHandler(in, &insts[i+1]); fn != nil {
				jcc := &insts[i+1]
				f := *in
				f.fn = fn
				f.aux = jcc.aux
				f.target = jcc.target
				f.next = jcc.next
				f.len = in.len + jcc.len
				f.cycles = in.cycles + jcc.cycles
				f.count = 2
				f.flags |= jcc.flags & (fBranch | fExit)
				f.imm2 = uint32(in.aux) // the ALU operation, for fusedForm's handlers
				fast = append(fast, f)
				changed = true
				i++
				continue
			}
			if in.op == x86asm.JMP && in.flags&fRel != 0 {
				changed = true // the next entry is its target
				continue
			}
		}
		f := *in
		if in.flags&fExit != 0 {
			f.fn = opJccExit
			changed = true
		}
		fast = append(fast, f)
	}
	if !changed {
		return insts
	}
	return fast
}

// fusible reports whether fuse would change anything in insts.
func fusible(insts []inst) bool {
	for i := range insts {
		in := &insts[i]
		if in.flags&fExit != 0 {
			return true
		}
		if i+1 < len(insts) && (in.op == x86asm.JMP && in.flags&fRel != 0 || fusedHandler(in, &insts[i+1]) != nil) {
			return true
		}
	}
	return false
}

// fusedHandler returns the handler of cmp and jcc run as one entry, or nil
// if they do not fuse.
func fusedHandler(cmp, jcc *inst) handler {
	if !isJcc(jcc) {
		return nil
	}
	exit := jcc.flags&fExit != 0
	switch {
	case cmp.op == x86asm.CMP && cmp.size == 4 && cmp.dstKind == argReg && cmp.srcKind == argReg:
		return pick(exit, opCmpRRJccExit, opCmpRRJcc)
	case cmp.op == x86asm.CMP && cmp.size == 4 && cmp.dstKind == argReg && cmp.srcKind == argImm:
		return pick(exit, opCmpRIJccExit, opCmpRIJcc)
	case cmp.op == x86asm.TEST && cmp.size == 4 && cmp.dstKind == argReg && cmp.srcKind == argReg:
		return pick(exit, opTestRRJccExit, opTestRRJcc)
	}
	if fn := fusedForm(cmp, exit); fn != nil {
		return fn
	}
	return arithForm(cmp, exit)
}

func pick(exit bool, ifExit, otherwise handler) handler {
	if exit {
		return ifExit
	}
	return otherwise
}

// leave makes the block loop leave the block after this entry, at target.
func (c *CPU) leave(target uint32) {
	c.EIP = target
	c.exit = true
	c.brk = true
}

// opJccExit is a conditional branch inside a block: taken, it leaves it.
func opJccExit(c *CPU, in *inst) {
	if c.cond(in.aux) {
		c.leave(in.target)
	}
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

func opCmpRRJccExit(c *CPU, in *inst) {
	a, b := c.R[in.dst], c.R[in.src]
	c.setLazy32(lazySub, a, b, a-b)
	if c.cond(in.aux) {
		c.leave(in.target)
	}
}

func opCmpRIJccExit(c *CPU, in *inst) {
	a, b := c.R[in.dst], in.imm
	c.setLazy32(lazySub, a, b, a-b)
	if c.cond(in.aux) {
		c.leave(in.target)
	}
}

func opTestRRJccExit(c *CPU, in *inst) {
	r := c.R[in.dst] & c.R[in.src]
	c.setLazy32(lazyLogic, r, r, r)
	if c.cond(in.aux) {
		c.leave(in.target)
	}
}

// Fused compare and branch of the other common forms: CMP or TEST (the
// ALU operation is kept in imm2, which neither uses) of a register or
// memory operand with a register, memory or immediate operand, 8- or
// 32-bit, then Jcc. The flags are recorded by the same alu call the
// compare alone makes.

func opFusedRM32(c *CPU, in *inst) bool {
	c.alu(uint8(in.imm2), 4, c.R[in.dst], c.read32(in.seg, c.ea(in)))
	return c.cond(in.aux)
}

func opFusedMI32(c *CPU, in *inst) bool {
	c.alu(uint8(in.imm2), 4, c.read32(in.seg, c.ea(in)), in.imm)
	return c.cond(in.aux)
}

func opFusedMR32(c *CPU, in *inst) bool {
	c.alu(uint8(in.imm2), 4, c.read32(in.seg, c.ea(in)), c.R[in.src])
	return c.cond(in.aux)
}

func opFusedRI32(c *CPU, in *inst) bool {
	c.alu(uint8(in.imm2), 4, c.R[in.dst], in.imm)
	return c.cond(in.aux)
}

func opFusedRR8(c *CPU, in *inst) bool {
	c.alu(uint8(in.imm2), 1, c.reg8(in.dst), c.reg8(in.src))
	return c.cond(in.aux)
}

func opFusedRI8(c *CPU, in *inst) bool {
	c.alu(uint8(in.imm2), 1, c.reg8(in.dst), in.imm)
	return c.cond(in.aux)
}

func opFusedRM8(c *CPU, in *inst) bool {
	c.alu(uint8(in.imm2), 1, c.reg8(in.dst), c.read8(in.seg, c.ea(in)))
	return c.cond(in.aux)
}

func opFusedMI8(c *CPU, in *inst) bool {
	c.alu(uint8(in.imm2), 1, c.read8(in.seg, c.ea(in)), in.imm)
	return c.cond(in.aux)
}

func opFusedMR8(c *CPU, in *inst) bool {
	c.alu(uint8(in.imm2), 1, c.read8(in.seg, c.ea(in)), c.reg8(in.src))
	return c.cond(in.aux)
}

// The branching forms: at the end of a block (EIP = next already) and as
// an exit inside one.

func opJccRM32(c *CPU, in *inst) {
	if opFusedRM32(c, in) {
		c.EIP = in.target
	}
}
func opJccMI32(c *CPU, in *inst) {
	if opFusedMI32(c, in) {
		c.EIP = in.target
	}
}
func opJccMR32(c *CPU, in *inst) {
	if opFusedMR32(c, in) {
		c.EIP = in.target
	}
}
func opJccRI32(c *CPU, in *inst) {
	if opFusedRI32(c, in) {
		c.EIP = in.target
	}
}
func opJccRR8(c *CPU, in *inst) {
	if opFusedRR8(c, in) {
		c.EIP = in.target
	}
}
func opJccRI8(c *CPU, in *inst) {
	if opFusedRI8(c, in) {
		c.EIP = in.target
	}
}
func opJccRM8(c *CPU, in *inst) {
	if opFusedRM8(c, in) {
		c.EIP = in.target
	}
}
func opJccMI8(c *CPU, in *inst) {
	if opFusedMI8(c, in) {
		c.EIP = in.target
	}
}
func opJccMR8(c *CPU, in *inst) {
	if opFusedMR8(c, in) {
		c.EIP = in.target
	}
}

func opExitRM32(c *CPU, in *inst) {
	if opFusedRM32(c, in) {
		c.leave(in.target)
	}
}
func opExitMI32(c *CPU, in *inst) {
	if opFusedMI32(c, in) {
		c.leave(in.target)
	}
}
func opExitMR32(c *CPU, in *inst) {
	if opFusedMR32(c, in) {
		c.leave(in.target)
	}
}
func opExitRI32(c *CPU, in *inst) {
	if opFusedRI32(c, in) {
		c.leave(in.target)
	}
}
func opExitRR8(c *CPU, in *inst) {
	if opFusedRR8(c, in) {
		c.leave(in.target)
	}
}
func opExitRI8(c *CPU, in *inst) {
	if opFusedRI8(c, in) {
		c.leave(in.target)
	}
}
func opExitRM8(c *CPU, in *inst) {
	if opFusedRM8(c, in) {
		c.leave(in.target)
	}
}
func opExitMI8(c *CPU, in *inst) {
	if opFusedMI8(c, in) {
		c.leave(in.target)
	}
}
func opExitMR8(c *CPU, in *inst) {
	if opFusedMR8(c, in) {
		c.leave(in.target)
	}
}

// fusedForm returns the fused handler of CMP or TEST cmp and a Jcc (exit
// or not) for the forms above, nil for others.
func fusedForm(cmp *inst, exit bool) handler {
	if cmp.op != x86asm.CMP && cmp.op != x86asm.TEST || cmp.flags&fLock != 0 {
		return nil
	}
	type form struct{ size, dst, src uint8 }
	switch (form{cmp.size, cmp.dstKind, cmp.srcKind}) {
	case form{4, argReg, argMem}:
		return pick(exit, opExitRM32, opJccRM32)
	case form{4, argMem, argImm}:
		return pick(exit, opExitMI32, opJccMI32)
	case form{4, argMem, argReg}:
		return pick(exit, opExitMR32, opJccMR32)
	case form{4, argReg, argImm}:
		return pick(exit, opExitRI32, opJccRI32)
	case form{1, argReg, argReg}:
		return pick(exit, opExitRR8, opJccRR8)
	case form{1, argReg, argImm}:
		return pick(exit, opExitRI8, opJccRI8)
	case form{1, argReg, argMem}:
		return pick(exit, opExitRM8, opJccRM8)
	case form{1, argMem, argImm}:
		return pick(exit, opExitMI8, opJccMI8)
	case form{1, argMem, argReg}:
		return pick(exit, opExitMR8, opJccMR8)
	}
	return nil
}

// Fused arithmetic and branch: ADD, SUB or AND of 32-bit registers or a
// register and an immediate, INC or DEC of a 32-bit register, then Jcc
// (as in "dec %ecx; jne"). Each runs the arithmetic's own handler, which
// does not use in.aux, where the fused entry keeps the condition.
func opJccAddRR32(c *CPU, in *inst) {
	opAddRR32(c, in)
	if c.cond(in.aux) {
		c.EIP = in.target
	}
}

func opExitAddRR32(c *CPU, in *inst) {
	opAddRR32(c, in)
	if c.cond(in.aux) {
		c.leave(in.target)
	}
}
func opJccSubRR32(c *CPU, in *inst) {
	opSubRR32(c, in)
	if c.cond(in.aux) {
		c.EIP = in.target
	}
}

func opExitSubRR32(c *CPU, in *inst) {
	opSubRR32(c, in)
	if c.cond(in.aux) {
		c.leave(in.target)
	}
}
func opJccAddRI32(c *CPU, in *inst) {
	opAddRI32(c, in)
	if c.cond(in.aux) {
		c.EIP = in.target
	}
}

func opExitAddRI32(c *CPU, in *inst) {
	opAddRI32(c, in)
	if c.cond(in.aux) {
		c.leave(in.target)
	}
}
func opJccSubRI32(c *CPU, in *inst) {
	opSubRI32(c, in)
	if c.cond(in.aux) {
		c.EIP = in.target
	}
}

func opExitSubRI32(c *CPU, in *inst) {
	opSubRI32(c, in)
	if c.cond(in.aux) {
		c.leave(in.target)
	}
}
func opJccAndRI32(c *CPU, in *inst) {
	opAndRI32(c, in)
	if c.cond(in.aux) {
		c.EIP = in.target
	}
}

func opExitAndRI32(c *CPU, in *inst) {
	opAndRI32(c, in)
	if c.cond(in.aux) {
		c.leave(in.target)
	}
}
func opJccIncR32(c *CPU, in *inst) {
	opIncR32(c, in)
	if c.cond(in.aux) {
		c.EIP = in.target
	}
}

func opExitIncR32(c *CPU, in *inst) {
	opIncR32(c, in)
	if c.cond(in.aux) {
		c.leave(in.target)
	}
}
func opJccDecR32(c *CPU, in *inst) {
	opDecR32(c, in)
	if c.cond(in.aux) {
		c.EIP = in.target
	}
}

func opExitDecR32(c *CPU, in *inst) {
	opDecR32(c, in)
	if c.cond(in.aux) {
		c.leave(in.target)
	}
}

// arithForm returns the fused handler of arithmetic in and a Jcc (exit or
// not), nil if in is not one of the forms above.
func arithForm(in *inst, exit bool) handler {
	if in.size != 4 || in.dstKind != argReg || in.flags&fLock != 0 {
		return nil
	}
	switch {
	case in.op == x86asm.ADD && in.srcKind == argReg:
		return pick(exit, opExitAddRR32, opJccAddRR32)
	case in.op == x86asm.SUB && in.srcKind == argReg:
		return pick(exit, opExitSubRR32, opJccSubRR32)
	case in.op == x86asm.ADD && in.srcKind == argImm:
		return pick(exit, opExitAddRI32, opJccAddRI32)
	case in.op == x86asm.SUB && in.srcKind == argImm:
		return pick(exit, opExitSubRI32, opJccSubRI32)
	case in.op == x86asm.AND && in.srcKind == argImm:
		return pick(exit, opExitAndRI32, opJccAndRI32)
	case in.op == x86asm.INC && in.srcKind == argNone:
		return pick(exit, opExitIncR32, opJccIncR32)
	case in.op == x86asm.DEC && in.srcKind == argNone:
		return pick(exit, opExitDecR32, opJccDecR32)
	}
	return nil
}
