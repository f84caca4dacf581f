// Package cpu is an IA-32 interpreter: registers, lazily evaluated flags,
// a decode cache of translated blocks, instruction execution, exceptions
// and the cycle cost of every instruction.
//
// The CPU knows nothing of devices or of the kernel. Everything outside
// RAM — memory-mapped devices, I/O ports, the interrupt controller, model
// specific registers — is reached through the Bus interface, which the
// machine (package emu) implements.
//
// # The kernel seam
//
// A processor is bare until a Kernel is set (SetKernel): then every
// exception, external interrupt, NMI and software interrupt goes to the
// kernel's Enter instead of the guest's IDT (kernel.go lists each way).
// The kernel saves and loads task state with SaveContext and LoadContext,
// charges the cycles of its own work with Charge, and puts the processor in
// states that pass time without executing instructions: Busy (a delay loop
// of known length), Wait (spinning until the kernel says Resume) and Halt.
// A bare image never sees any of it and runs as on hardware.
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
//	boundary  → enter the kernel for an INT or exception the last
//	            instruction raised (hosted), after the others caught up
//	          → deliver a pending interrupt (IF=1, no STI/MOV SS shadow),
//	            through the IDT or to the kernel
//	          → halted, waiting: return; busy: pass time up to the limit
//	          → look up or translate the block at CS:EIP
//	          → execute it whole, or one instruction if the limit is near
//	          → an exception unwinds to Run, which delivers it through the IDT
//	            (or the real-mode IVT); a fault during delivery becomes #DF,
//	            a fault delivering #DF a triple fault, which stops the CPU.
//	            With a kernel, it is an entry at the next boundary instead.
//
// Run returns for one of the reasons listed by StopReason.
package cpu
