package cpu

// This file implements the system instructions.
//
// TODO(system): to be completed.

import "golang.org/x/arch/x86/x86asm"

func translateMovSystem(x *x86asm.Inst, in *inst) bool { return false }

func translatePopSeg(x *x86asm.Inst, in *inst, seg uint8) bool { return false }

func init() {
	register(func(x *x86asm.Inst, in *inst) bool { in.fn = opHlt; in.flags |= fEnd; return true }, x86asm.HLT)
	register(func(x *x86asm.Inst, in *inst) bool { in.fn = opCli; return true }, x86asm.CLI)
	register(func(x *x86asm.Inst, in *inst) bool { in.fn = opSti; in.flags |= fEnd; return true }, x86asm.STI)
}

// checkCPL0 raises #GP(0) unless the processor runs at CPL 0.
func (c *CPU) checkCPL0() {
	if c.CPL != 0 && !c.realMode {
		c.exception(excGP, 0)
	}
}

func opHlt(c *CPU, in *inst) {
	c.checkCPL0()
	c.halted = true
	c.brk = true
}

// iopl returns EFLAGS.IOPL.
func (c *CPU) iopl() int { return int(c.flags&FlagIOPL) >> 12 }

func opCli(c *CPU, in *inst) {
	if !c.realMode && c.CPL > c.iopl() {
		c.exception(excGP, 0)
	}
	c.flags &^= FlagIF
}

func opSti(c *CPU, in *inst) {
	if !c.realMode && c.CPL > c.iopl() {
		c.exception(excGP, 0)
	}
	if c.flags&FlagIF == 0 {
		c.flags |= FlagIF
		c.shadow = true
		c.brk = true
	}
}
