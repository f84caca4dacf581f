package kernel

// This file implements upcalls: the kernel calling a function of the
// image (an interrupt handler, a softirq action, a registered system
// call, a task's body) on a task's stack, and going on when it returns.

import (
	"encoding/binary"
	"fmt"

	"preemptlab/cpu"
)

// upcall is a guest function the kernel called and waits for.
type upcall struct {
	// ret goes on with the kernel path when the function returns.
	ret func(p *percpu, v uint32)
	// esp is the stack pointer the trampoline must see: the function's
	// frame popped, as a C function that returns normally leaves it.
	esp  uint32
	what string
}

// callGuest calls the image's function fn with args (cdecl) at CPL 0, on
// the current task's stack just below sp, with interrupts on or off. When
// the function returns — to the kernel's return trampoline — ret runs with
// its return value (EAX). The registers are what a C caller may leave:
// only ESP, EIP and EFLAGS matter to the callee.
func (k *Kernel) callGuest(p *percpu, fn uint32, args []uint32, sp uint32, irqs bool, what string, ret func(p *percpu, v uint32)) {
	t := p.curr
	frame := 4 * uint32(len(args)+1)
	// The i386 ABI of gcc: the stack is 16-byte aligned at the call, so
	// the arguments start on a 16-byte boundary.
	argBase := (sp - frame + 4) &^ 15
	esp := argBase - 4
	if esp < t.kstack+256 && t.kstack != 0 {
		k.panic(p, fmt.Sprintf("kernel stack overflow in %v calling %s: ESP %#x, stack [%#x, %#x)", t, what, esp, t.kstack, t.kstackTop))
		return
	}
	var frameBuf [4 * 8]byte
	buf := frameBuf[:frame]
	binary.LittleEndian.PutUint32(buf, k.textBase+offUpcallRet)
	for i, a := range args {
		binary.LittleEndian.PutUint32(buf[4+4*i:], a)
	}
	if !k.writeGuest(esp, buf) {
		k.panic(p, fmt.Sprintf("calling %s: stack at %#x is outside RAM", what, esp))
		return
	}
	k.charge(p, k.costs.HandlerCall)
	t.upcalls = append(t.upcalls, upcall{ret: ret, esp: argBase, what: what})
	x := kernelContext(fn, esp, irqs)
	p.c.LoadContext(&x)
}

// upcallReturn is the return trampoline's call: the innermost function
// the kernel called on this task has returned, with its value in EBX.
func (k *Kernel) upcallReturn(p *percpu, t *Task) {
	c := p.c
	n := len(t.upcalls)
	if n == 0 || c.EIP != k.textBase+offUpcallRet+trampolineLen {
		// Made by the image, not by the trampoline of a function the
		// kernel called: an internal call, -EINVAL (see abi.go).
		c.R[cpu.EAX] = negErrno(EINVAL)
		return
	}
	u := t.upcalls[n-1]
	t.upcalls = t.upcalls[:n-1]
	if c.R[cpu.ESP] != u.esp {
		k.panic(p, fmt.Sprintf("%s returned with ESP %#x, not %#x: its stack frame is corrupt", u.what, c.R[cpu.ESP], u.esp))
		return
	}
	u.ret(p, c.R[cpu.EBX])
}

// negErrno is -errno as a register holds it.
func negErrno(errno int) uint32 { return uint32(-int32(errno)) }
