package cpu

// This file defines the internal form instructions are translated into.

import "golang.org/x/arch/x86/x86asm"

// handler executes one translated instruction.
//
// A handler that does not transfer control leaves EIP alone: the block loop
// knows where the next instruction is. A handler that transfers control
// sets EIP. A handler raises an exception with c.exception, which unwinds
// to Run; it must do so before changing any architectural state, so the
// faulting instruction can be restarted.
type handler func(c *CPU, in *inst)

// Operand kinds.
const (
	argNone uint8 = iota
	argReg        // general register; 8-bit registers are AL..BH = 0..7
	argMem        // the memory operand described by seg, base, index, scale, disp
	argImm        // imm
)

// Instruction flags.
const (
	fAddr16 uint8 = 1 << iota // 16-bit addressing
	fRep                      // REP / REPE prefix (F3)
	fRepNE                    // REPNE prefix (F2)
	fLock                     // LOCK prefix
	fBranch                   // ends a block by transferring control
	fEnd                      // ends a block without transferring control
	fRel                      // target is relative to next until translate fixes it
	fExit                     // a conditional branch inside a block: taken, it leaves the block
)

// inst is a decoded instruction. Fields not used by an instruction's
// handler are zero.
type inst struct {
	fn handler
	// link is, for a conditional branch that exits its block when taken,
	// the block at its target once it has run there (see runBlocks).
	link *block

	disp   uint32 // memory operand displacement
	imm    uint32 // immediate operand (extended as the instruction defines)
	imm2   uint32 // second immediate: far pointer selector, ENTER nesting level
	target uint32 // branch target EIP
	next   uint32 // EIP of the following instruction

	cycles   uint32 // cost of this instruction, from the cost table
	cycStart uint32 // cost of the block's instructions before this one

	op x86asm.Op // the decoded operation, for reports and costs

	base  uint8 // memory base register, regZero if none
	index uint8 // memory index register, regZero if none
	scale uint8 // index shift count, 0–3
	seg   uint8 // memory operand's segment register

	dst, src         uint8 // register numbers of register operands
	dstKind, srcKind uint8 // argNone, argReg, argMem or argImm
	size             uint8 // operand size in bytes: 1, 2 or 4 (8 for CMPXCHG8B)
	src2Kind         uint8 // kind of a third operand (IMUL r, r/m, imm; SHLD/SHRD count)
	aux              uint8 // per-handler: ALU operation, condition code, shift kind…
	flags            uint8 // fAddr16, fRep…
	len              uint8 // encoded length in bytes
	idx              uint8 // how many guest instructions of its block precede it
	count            uint8 // guest instructions it executes: 1, or 2 when fused
	code             uint8 // its case in runBlock's inline dispatch, xCall for none (see dispatch.go)
}

// eip returns the address of the instruction itself (CS-relative).
func (in *inst) eip() uint32 { return in.next - uint32(in.len) }

// ea computes the effective address (offset in segment) of the memory operand.
func (c *CPU) ea(in *inst) uint32 {
	if in.flags&fAddr16 != 0 {
		return (in.disp + c.R[in.base] + c.R[in.index]) & 0xFFFF
	}
	return in.disp + c.R[in.base] + c.R[in.index]<<(in.scale&3)
}

// reg8 reads 8-bit register r (AL, CL, DL, BL, AH, CH, DH, BH).
func (c *CPU) reg8(r uint8) uint32 { return c.R[r&3] >> ((r & 4) << 1) & 0xFF }

// setReg8 writes 8-bit register r.
func (c *CPU) setReg8(r uint8, v uint32) {
	sh := (r & 4) << 1
	c.R[r&3] = c.R[r&3]&^(0xFF<<sh) | (v&0xFF)<<sh
}

// getReg reads a register operand of the given size.
func (c *CPU) getReg(r, size uint8) uint32 {
	switch size {
	case 1:
		return c.reg8(r)
	case 2:
		return c.R[r] & 0xFFFF
	}
	return c.R[r]
}

// setReg writes a register operand of the given size.
func (c *CPU) setReg(r, size uint8, v uint32) {
	switch size {
	case 1:
		c.setReg8(r, v)
	case 2:
		c.R[r] = c.R[r]&0xFFFF0000 | v&0xFFFF
	default:
		c.R[r] = v
	}
}

// readArg reads an operand of kind k (register number r) at the instruction's size.
func (c *CPU) readArg(in *inst, k, r uint8) uint32 {
	switch k {
	case argReg:
		return c.getReg(r, in.size)
	case argMem:
		return c.read(in.seg, c.ea(in), in.size)
	}
	return in.imm
}

// dstVal reads the destination operand.
func (c *CPU) dstVal(in *inst) uint32 { return c.readArg(in, in.dstKind, in.dst) }

// srcVal reads the source operand.
func (c *CPU) srcVal(in *inst) uint32 { return c.readArg(in, in.srcKind, in.src) }

// setDst writes the destination operand.
func (c *CPU) setDst(in *inst, v uint32) {
	if in.dstKind == argReg {
		c.setReg(in.dst, in.size, v)
		return
	}
	c.write(in.seg, c.ea(in), in.size, v)
}

// checkWrite raises the exception a write to the memory operand would, so
// that a read-modify-write instruction faults before it changes flags.
func (c *CPU) checkWrite(in *inst) {
	if !c.Seg[in.seg].flat {
		c.segCheck(in.seg, c.ea(in), uint32(in.size), true)
	}
}
