package cpu

// This file implements the stack frame instructions ENTER and LEAVE and
// the all-register PUSHA/PUSHAD and POPA/POPAD.
//
// The operand size (in.size) chooses word or dword elements; the stack size
// (SS.B) chooses SP or ESP and a 16-bit stack wraps at 64 KiB. Each handler
// reads and writes memory first and changes registers last, so a fault
// leaves the registers as they were and the instruction restarts. None of
// them changes the flags.

import "golang.org/x/arch/x86/x86asm"

func init() {
	register(translateEnter, x86asm.ENTER)
	register(func(x *x86asm.Inst, in *inst) bool { in.fn = opLeave; return true }, x86asm.LEAVE)
	register(func(x *x86asm.Inst, in *inst) bool { in.fn = opPusha; return true }, x86asm.PUSHA, x86asm.PUSHAD)
	register(func(x *x86asm.Inst, in *inst) bool { in.fn = opPopa; return true }, x86asm.POPA, x86asm.POPAD)
}

// translateEnter keeps the frame size in in.imm and the nesting level
// (mod 32) in in.imm2.
func translateEnter(x *x86asm.Inst, in *inst) bool {
	alloc, ok1 := x.Args[0].(x86asm.Imm)
	level, ok2 := x.Args[1].(x86asm.Imm)
	if !ok1 || !ok2 {
		return false
	}
	in.imm = uint32(alloc) & 0xFFFF
	in.imm2 = uint32(level) & 31
	in.fn = opEnter
	return true
}

// opEnter makes a stack frame: push (E)BP, copy level-1 frame pointers of
// the enclosing frames, push the new frame pointer, then (E)BP = the frame
// and (E)SP is lowered by the frame size.
func opEnter(c *CPU, in *inst) {
	m := c.stackMask()
	size := uint32(in.size)
	sp := c.R[ESP] & m
	sp = (sp - size) & m
	c.write(SS, sp, in.size, c.R[EBP])
	frame := c.R[ESP]&^m | sp // (E)SP after the push
	if level := in.imm2; level > 0 {
		bp := c.R[EBP]
		for i := uint32(1); i < level; i++ {
			bp = bp&^m | (bp-size)&m
			v := c.read(SS, bp&m, in.size)
			sp = (sp - size) & m
			c.write(SS, sp, in.size, v)
		}
		sp = (sp - size) & m
		c.write(SS, sp, in.size, frame)
	}
	sp = (sp - in.imm) & m
	if in.imm != 0 && !c.Seg[SS].flat {
		// The new stack pointer must lie within the stack segment.
		c.segCheck(SS, sp, 1, true)
	}
	c.setReg(EBP, in.size, frame)
	c.R[ESP] = c.R[ESP]&^m | sp
}

// opLeave releases a frame: (E)SP = (E)BP, then pop (E)BP.
func opLeave(c *CPU, in *inst) {
	m := c.stackMask()
	sp := c.R[EBP] & m
	v := c.read(SS, sp, in.size)
	c.R[ESP] = c.R[ESP]&^m | (sp+uint32(in.size))&m
	c.setReg(EBP, in.size, v)
}

// opPusha pushes EAX, ECX, EDX, EBX, the original ESP, EBP, ESI, EDI (or
// their 16-bit halves).
func opPusha(c *CPU, in *inst) {
	m := c.stackMask()
	size := uint32(in.size)
	sp := c.R[ESP] & m
	for r := EAX; r <= EDI; r++ {
		sp = (sp - size) & m
		c.write(SS, sp, in.size, c.R[r])
	}
	c.R[ESP] = c.R[ESP]&^m | sp
}

// opPopa pops EDI, ESI, EBP, (a discarded ESP), EBX, EDX, ECX, EAX.
func opPopa(c *CPU, in *inst) {
	m := c.stackMask()
	size := uint32(in.size)
	sp := c.R[ESP] & m
	var v [8]uint32
	for r := EDI; r >= EAX; r-- {
		if r != ESP {
			v[r] = c.read(SS, sp, in.size)
		}
		sp = (sp + size) & m
	}
	for r := EAX; r <= EDI; r++ {
		if r != ESP {
			c.setReg(uint8(r), in.size, v[r])
		}
	}
	c.R[ESP] = c.R[ESP]&^m | sp
}
