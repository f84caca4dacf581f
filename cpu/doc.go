// Package cpu is an IA-32 interpreter: registers, lazily evaluated flags,
// a decode cache of translated blocks, instruction execution, exceptions
// and the cycle cost of every instruction.
//
// The CPU knows nothing of devices or of the kernel. Everything outside
// RAM — memory-mapped devices, I/O ports, the interrupt controller, model
// specific registers — is reached through the Bus interface, which the
// machine (package emu) implements.
//
// # Execution
//
// Guest code is decoded once, with golang.org/x/arch/x86/x86asm, into an
// internal form (operands resolved, handler chosen) and kept in blocks of
// straight-line code keyed by linear address. A block ends at the first
// instruction that changes control flow or machine state. Its cycle cost is
// summed in advance, so Run executes a whole block when the next event is
// further away than the block's cost and steps instruction by instruction
// when it is nearer: an interrupt is taken at exactly the first instruction
// boundary at or after its cycle. A write into the bytes of a cached block
// invalidates it.
//
// The states of one step of Run:
//
//	boundary  → deliver a pending interrupt (IF=1, no STI/MOV SS shadow)
//	          → look up or translate the block at CS:EIP
//	          → execute it whole, or one instruction if the limit is near
//	          → an exception unwinds to Run, which delivers it through the IDT
//	            (or the real-mode IVT); a fault during delivery becomes #DF,
//	            a fault delivering #DF a triple fault, which stops the CPU.
//
// Run returns for one of the reasons listed by StopReason.
package cpu
