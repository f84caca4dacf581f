package cpu

// This file is the cycle cost table: the one place that says what each
// instruction costs. Costs are in CPU cycles at the machine's clock and
// model an in-order P6-class core with no cache misses: simple register
// operations cost 1, a memory operand adds 1, and slow operations cost what
// the Intel optimization manual's latency tables give for a Pentium M,
// rounded. Port I/O models an ISA bus access (about 0.5 µs at 1 GHz), which
// is what makes a byte written to the UART slow on real PCs too.
//
// Costs that depend on data are charged by the handler when it runs:
// each iteration of a REP string instruction (costStringIter), and the
// delivery of an interrupt or exception (costInterrupt).

import "golang.org/x/arch/x86/x86asm"

const (
	costMemOperand  = 1   // added for a memory operand
	costStringIter  = 1   // each REP iteration
	costInterrupt   = 40  // delivering an interrupt or exception through a gate
	costPortIO      = 500 // IN, OUT, INS, OUTS (one transfer)
	costDefault     = 1   // everything not listed below
	costPrivileged  = 20  // LGDT, LIDT, MOV CRn, LTR, LLDT, CLTS, INVLPG
	costFarTransfer = 20  // far JMP/CALL/RET, IRET, INT n, segment loads in protected mode
)

// costs lists the instructions that do not cost costDefault.
var costs = map[x86asm.Op]uint32{
	x86asm.MUL: 3, x86asm.IMUL: 3,
	x86asm.DIV: 22, x86asm.IDIV: 22,
	x86asm.CALL: 2, x86asm.RET: 2,
	x86asm.ENTER: 4, x86asm.LEAVE: 2,
	x86asm.PUSHA: 8, x86asm.PUSHAD: 8, x86asm.POPA: 8, x86asm.POPAD: 8,
	x86asm.PUSHF: 2, x86asm.PUSHFD: 2, x86asm.POPF: 6, x86asm.POPFD: 6,
	x86asm.XCHG: 2, x86asm.XADD: 2, x86asm.CMPXCHG: 3, x86asm.CMPXCHG8B: 6,
	x86asm.BSF: 2, x86asm.BSR: 2, x86asm.SHLD: 2, x86asm.SHRD: 2,
	x86asm.LOOP: 2, x86asm.LOOPE: 2, x86asm.LOOPNE: 2,
	x86asm.CPUID: 100, x86asm.RDTSC: 20, x86asm.RDMSR: 50, x86asm.WRMSR: 100,
	x86asm.PAUSE: 10,
	x86asm.IN:    costPortIO, x86asm.OUT: costPortIO,
	x86asm.INSB: costPortIO, x86asm.INSW: costPortIO, x86asm.INSD: costPortIO,
	x86asm.OUTSB: costPortIO, x86asm.OUTSW: costPortIO, x86asm.OUTSD: costPortIO,
	x86asm.LGDT: costPrivileged, x86asm.LIDT: costPrivileged, x86asm.LTR: costPrivileged,
	x86asm.LLDT: costPrivileged, x86asm.CLTS: costPrivileged, x86asm.INVLPG: costPrivileged,
	x86asm.LJMP: costFarTransfer, x86asm.LCALL: costFarTransfer, x86asm.LRET: costFarTransfer,
	x86asm.IRET: costFarTransfer, x86asm.IRETD: costFarTransfer,
	x86asm.INT: costFarTransfer, x86asm.INTO: costFarTransfer,
	x86asm.AAM: 15, x86asm.AAD: 4,
	x86asm.LDS: costFarTransfer, x86asm.LES: costFarTransfer, x86asm.LFS: costFarTransfer,
	x86asm.LGS: costFarTransfer, x86asm.LSS: costFarTransfer,
	x86asm.LMSW: costPrivileged, x86asm.LAR: costPrivileged, x86asm.LSL: costPrivileged,
	x86asm.VERR: costPrivileged, x86asm.VERW: costPrivileged,
}

// costOf returns the static cost of a decoded instruction.
func costOf(x *x86asm.Inst) uint32 {
	c, ok := costs[x.Op]
	if !ok {
		c = costDefault
	}
	if x.Op == x86asm.MOV || x.Op == x86asm.POP {
		// MOV to or from a control register serializes; loading a
		// segment register reads and checks a descriptor.
		for i, a := range x.Args {
			if r, isReg := a.(x86asm.Reg); isReg && r >= x86asm.CR0 && r <= x86asm.CR7 {
				return costPrivileged
			} else if isReg && i == 0 && r >= x86asm.ES && r <= x86asm.GS {
				return costFarTransfer
			}
		}
	}
	for _, a := range x.Args {
		if _, isMem := a.(x86asm.Mem); isMem && x.Op != x86asm.LEA && x.Op != x86asm.NOP {
			c += costMemOperand
			break
		}
	}
	return c
}
