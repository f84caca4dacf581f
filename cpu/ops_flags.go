package cpu

// This file implements PUSHF/PUSHFD and POPF/POPFD. (CLC, STC, CMC and
// the other single-flag instructions are in ops_misc.go; CLI and STI in
// ops_system.go.)
//
// POPF follows the SDM outside virtual-8086 mode: IOPL changes only at
// CPL 0 (real mode counts as CPL 0), IF only when CPL ≤ IOPL, and a flag
// the rules protect keeps its value silently; VM, VIF and VIP never
// change; POPFD clears RF. TF is stored but single-step traps are not
// emulated, nor are alignment checks (AC is stored only).

import "golang.org/x/arch/x86/x86asm"

func init() {
	register(translatePushf, x86asm.PUSHF, x86asm.PUSHFD)
	register(translatePopf, x86asm.POPF, x86asm.POPFD)
}

// translatePushf translates PUSHF (in.size 2) and PUSHFD (in.size 4).
func translatePushf(x *x86asm.Inst, in *inst) bool {
	in.size = uint8(x.DataSize / 8)
	in.fn = opPushf
	return true
}

// opPushf pushes EFLAGS with VM and RF read as 0.
func opPushf(c *CPU, in *inst) {
	c.materialize()
	v := c.flags &^ (FlagVM | FlagRF)
	if in.size == 4 {
		c.push32(v)
		return
	}
	c.push(2, v)
}

// translatePopf translates POPF (in.size 2) and POPFD (in.size 4).
func translatePopf(x *x86asm.Inst, in *inst) bool {
	in.size = uint8(x.DataSize / 8)
	in.fn = opPopf
	return true
}

// opPopf pops EFLAGS by the privilege rules. When IF turns on, the block
// stops so that a pending interrupt is taken after this instruction.
func opPopf(c *CPU, in *inst) {
	var v uint32
	if in.size == 4 {
		v = c.pop32()
	} else {
		v = c.pop(2)
	}
	mask := uint32(flagsArith | FlagTF | FlagDF | FlagNT | FlagAC | FlagID)
	cpl0 := c.realMode || c.CPL == 0
	if cpl0 {
		mask |= FlagIOPL
	}
	if cpl0 || c.CPL <= c.iopl() {
		mask |= FlagIF
	}
	if in.size == 2 {
		mask &= 0xFFFF
	}
	old := c.flags
	c.lazy.op = lazyNone
	c.flags = old&^mask | v&mask | flagsFixed
	if in.size == 4 {
		c.flags &^= FlagRF
	}
	switch {
	case c.flags&^old&FlagIF != 0:
		c.brk = true
		c.ifChanged(&c.ifOn)
	case old&^c.flags&FlagIF != 0:
		c.ifChanged(&c.ifOff)
	}
}
