package kernel

// This file implements the entry paths: every way into the kernel (system
// calls and kernel services, interrupts, exceptions), and the ways out —
// interrupt exit with its preemption rules, return to user mode.
//
// The kernel runs in continuation-passing style. Go code runs instantly
// at the time of the CPU it acts for, charging the cycles of the cost
// model as it goes. Where a kernel path must wait — for a guest function
// it called (an interrupt handler, a softirq action), or because its task
// blocks — it stores the rest of the path as a function and returns to
// the machine: the upcall's return, or the task's next switch-in, runs it.

import (
	"fmt"

	"preemptlab/cpu"
)

// Enter is every processor's entry into the kernel (cpu.Kernel).
func (k *Kernel) Enter(c *cpu.CPU, e cpu.Entry) {
	p := k.cpuOf(c)
	k.acting = p.id
	switch e.Kind {
	case cpu.EntryInterrupt:
		k.interrupt(p, e.Vector)
	case cpu.EntryNMI:
		k.logf("cpu%d: NMI received and ignored", p.id)
	case cpu.EntrySoftware:
		if e.Vector == 0x80 {
			k.int80(p)
			return
		}
		k.softwareInterrupt(p, e.Vector)
	case cpu.EntryException:
		k.fault(p, cpu.ExceptionName(e.Vector)+errorCode(e), c.EIP)
	case cpu.EntryContinue:
		if r := p.resume; r != nil {
			p.resume = nil
			r(p)
		}
	}
}

// softwareInterrupt is an INT n other than the system call's, INT3,
// INTO or INT1: the task is killed, with a report at the instruction
// (EIP is after it; INT3, INTO and INT1 are one byte long). As on Linux
// i386 the breakpoint and overflow gates are open to tasks (and INT1
// passes no gate check): with no debugger to take the trap, the task
// dies of it. Any other INT n meets a DPL 0 gate, which is #GP.
func (k *Kernel) softwareInterrupt(p *percpu, vector uint8) {
	c := p.c
	at, insn := c.EIP-2, fmt.Sprintf("INT %#x", vector)
	if op, ok := map[uint8]byte{1: 0xF1, 3: 0xCC, 4: 0xCE}[vector]; ok {
		if b, ok := k.readBytes(c.EIP-1, 1); ok && b[0] == op {
			at, insn = c.EIP-1, map[uint8]string{1: "INT1", 3: "INT3", 4: "INTO"}[vector]
		}
	}
	switch {
	case vector == 3 || insn == "INT1":
		k.fault(p, fmt.Sprintf("%s from %s, with no debugger to take it", cpu.ExceptionName(vector), insn), at)
	case vector == 4:
		k.fault(p, fmt.Sprintf("%s from %s", cpu.ExceptionName(vector), insn), at)
	default:
		k.fault(p, insn+": no such gate (only INT 0x80 is a system call)", at)
	}
}

func errorCode(e cpu.Entry) string {
	if e.HasCode && e.Code != 0 {
		return fmt.Sprintf(" (error code %#x)", e.Code)
	}
	return ""
}

// callArgs is one system call or kernel service in progress.
type callArgs struct {
	nr   uint32
	a    [6]uint32 // EBX, ECX, EDX, ESI, EDI; EBP, the sixth of Linux i386, for traces
	user bool      // made from user mode: it ends through the system call exit
	// blocked is set once a kernel-mode caller's context had to be
	// saved (its task may switch away, or the kernel called a guest
	// function on its stack): it is then in ctx. The calls of one task
	// nest — a registered system call's code makes calls of its own — so
	// each keeps its caller's context itself.
	blocked bool
	ctx     *cpu.Context
	ret64   bool   // the result is 64-bit (EDX:EAX)
	at      uint32 // the return address of the INT, the caller as traces name it
}

// int80 is INT 0x80: a system call or a kernel service.
func (k *Kernel) int80(p *percpu) {
	c := p.c
	t := p.curr
	if c.CPL == 0 {
		// The kernel's own trampolines, the most frequent calls, need
		// no call record.
		switch c.R[cpu.EAX] {
		case SvcUpcallReturn:
			k.upcallReturn(p, t)
			return
		case SvcAPStarted:
			k.apStarted(p)
			return
		}
	}
	a := &callArgs{nr: c.R[cpu.EAX], a: [6]uint32{c.R[cpu.EBX], c.R[cpu.ECX], c.R[cpu.EDX], c.R[cpu.ESI], c.R[cpu.EDI], c.R[cpu.EBP]}, at: c.EIP}
	if c.CPL == 3 {
		a.user = true
		k.syscallEntry(p, t, a)
		return
	}
	k.charge(p, k.costs.ServiceCall)
	asked := t.needResched
	k.dispatch(p, t, a)
	// A service that asked for the caller's reschedule (a wake-up of a
	// task above it, a priority change) did so under a lock whose
	// release is a preemption point: preempt_enable at the end of
	// try_to_wake_up or __sched_setscheduler.
	if !asked && t.needResched && !a.blocked && p.curr == t && !k.ended &&
		k.fullPreempt() && t.preemptCount == 0 && p.c.IF() {
		k.saveCaller(p, t, a) // with the call's result, already in EAX
		k.preemptSchedule(p, func(p *percpu) { p.c.LoadContext(a.ctx) })
	}
}

// syscallEntry enters a system call from user mode: the user context is
// saved (pt_regs) and the call runs on the task's kernel stack.
func (k *Kernel) syscallEntry(p *percpu, t *Task, a *callArgs) {
	p.c.SaveContext(&t.userCtx)
	t.inSyscall = int(a.nr)
	k.charge(p, k.costs.SyscallEntry)
	k.traceSysEnter(p, a)
	if a.nr >= ServiceFirst {
		k.syscallExit(p, t, -EPERM)
		return
	}
	k.dispatch(p, t, a)
}

// dispatch runs a call's handler, or the image's registered function.
func (k *Kernel) dispatch(p *percpu, t *Task, a *callArgs) {
	if a.nr >= SysImageFirst && a.nr <= SysImageLast {
		fn := k.syscalls[a.nr]
		if fn == 0 {
			k.complete(p, t, a, -ENOSYS)
			return
		}
		// The image's function runs at CPL 0 on the caller's kernel
		// stack, interrupts on, preemptible as any kernel code.
		sp := t.kstackTop
		if !a.user {
			k.saveCaller(p, t, a)
			sp = a.ctx.R[cpu.ESP]
		}
		k.callGuest(p, fn, a.a[:5], sp, true, "a registered system call", func(p *percpu, v uint32) {
			k.complete(p, p.curr, a, int64(int32(v)))
		})
		return
	}
	var h callFn
	switch {
	case a.nr < SysImageFirst:
		h = syscallFns[a.nr]
	case a.nr >= ServiceFirst && a.nr < ServiceFirst+uint32(len(serviceFns)):
		h = serviceFns[a.nr-ServiceFirst]
	}
	if h == nil {
		k.complete(p, t, a, -ENOSYS)
		return
	}
	if ret, done := h(k, p, t, a); done {
		k.complete(p, t, a, ret)
	}
}

// complete ends a call with its result: back to user mode through the
// system call exit, or back to the kernel code that made it.
func (k *Kernel) complete(p *percpu, t *Task, a *callArgs, ret int64) {
	if a.user {
		k.syscallExit(p, t, ret)
		return
	}
	if !a.blocked {
		p.c.R[cpu.EAX] = uint32(ret)
		if a.ret64 {
			p.c.R[cpu.EDX] = uint32(uint64(ret) >> 32)
		}
		return
	}
	x := a.ctx
	x.R[cpu.EAX] = uint32(ret)
	if a.ret64 {
		x.R[cpu.EDX] = uint32(uint64(ret) >> 32)
	}
	if t.kind != kindUser {
		// A kernel thread back in its code. A user task is back in a
		// system call's code (an image's registered call): its sample
		// ends on its return to user mode, as cyclictest would see it.
		k.latReturn(p, t)
	}
	p.c.LoadContext(x)
}

// block puts the calling task to sleep in state (TASK_INTERRUPTIBLE or
// TASK_UNINTERRUPTIBLE) waiting for what, and schedules; when it is woken
// and runs again, then runs (on the CPU it runs on then).
func (k *Kernel) block(p *percpu, t *Task, a *callArgs, state int, what string, then func(p *percpu)) {
	k.saveCaller(p, t, a)
	t.state = state
	t.waitingOn = what
	k.schedule(p, then)
}

// saveCaller saves a kernel-mode caller's context before its task may
// switch away (a user caller's is in userCtx already).
func (k *Kernel) saveCaller(p *percpu, t *Task, a *callArgs) {
	if !a.user && !a.blocked {
		a.ctx = new(cpu.Context)
		p.c.SaveContext(a.ctx)
		a.blocked = true
	}
}

// syscallExit leaves a system call: the result goes to EAX of the user
// context, and the task returns to user mode.
func (k *Kernel) syscallExit(p *percpu, t *Task, ret int64) {
	t.userCtx.R[cpu.EAX] = uint32(ret)
	k.traceSysExit(p, t.inSyscall, ret)
	t.inSyscall = -1
	k.charge(p, k.costs.SyscallExit)
	k.returnToUser(p, t)
}

// returnToUser is the way back to user mode, in every model a
// preemption point: the task does not return with a reschedule or a
// softirq pending (the MontaVista entry.S rule); then its user context is
// loaded.
func (k *Kernel) returnToUser(p *percpu, t *Task) {
	if t.needResched || t.lazyResched {
		k.schedule(p, func(p *percpu) { k.returnToUser(p, t) })
		return
	}
	if p.softirqPending != 0 && k.model.Softirq == SoftirqIRQExit {
		k.doSoftirq(p, t.kstackTop, func(p *percpu) { k.returnToUser(p, t) })
		return
	}
	if t.preemptCount != 0 {
		k.bug(p, fmt.Sprintf("returning to user mode with preemption count %#x", t.preemptCount))
		t.preemptCount = 0
	}
	k.latReturn(p, t)
	p.c.LoadContext(&t.userCtx)
}

// irqFrame is an interrupted context: what interrupt entry saved and
// interrupt exit restores.
type irqFrame struct {
	saved  cpu.Context
	spin   *spinWaiter // the interrupted context's lock spin, if any
	sp     uint32      // where the handlers' stack frames go
	vector uint8

	// A device interrupt's handlers in progress: the line, the next
	// action, whether any is threaded, and the continuation of each
	// handler's return (made once per frame).
	line       *irqLine
	action     int
	threaded   bool
	handlerRet func(p *percpu, v uint32)
}

// interrupt is the entry of an external interrupt on CPU p.
func (k *Kernel) interrupt(p *percpu, vector uint8) {
	t := p.curr
	if p.depth == maxIRQNesting {
		k.panic(p, fmt.Sprintf("interrupts nested %d deep (vector %#x)", maxIRQNesting, vector))
		return
	}
	f := &p.frames[p.depth]
	p.depth++
	p.c.SaveContext(&f.saved)
	f.spin, p.spin = p.spin, nil
	f.vector = vector
	if f.saved.CPL() == 3 {
		f.sp = t.kstackTop
	} else {
		f.sp = f.saved.R[cpu.ESP] - 64 // the hardware frame and SAVE_ALL
	}
	k.latIRQEntry(p)
	k.charge(p, k.costs.IRQEntry)
	t.preemptCount += hardirqOffset
	switch {
	case vector == vecLocalTimer:
		k.traceNum(p, EvVectorEntry, int64(vector), 0, "local_timer")
		k.hrtimerInterrupt(p)
		k.traceNum(p, EvVectorExit, int64(vector), 0, "local_timer")
		k.eoi(p)
		k.irqExit(p)
	case vector == vecReschedule:
		p.reschedIPI = false
		k.traceNum(p, EvVectorEntry, int64(vector), 0, "reschedule")
		k.traceNum(p, EvVectorExit, int64(vector), 0, "reschedule")
		k.eoi(p)
		k.irqExit(p)
	case vector >= vecIRQ0 && vector < vecIRQ0+ioapicPins:
		k.deviceInterrupt(p, f, k.irqs[vector-vecIRQ0])
	case vector == vecSpurious:
		k.irqExit(p) // a spurious interrupt has no EOI
	default:
		k.logf("cpu%d: unexpected interrupt vector %#x", p.id, vector)
		k.eoi(p)
		k.irqExit(p)
	}
}

// eoi writes the local APIC's end-of-interrupt register.
func (k *Kernel) eoi(p *percpu) {
	k.charge(p, k.costs.APICAck)
	k.m.LAPIC(p.id).Write(lapicEOI, 0)
}

// irqExit is irq_exit(): leave hard-IRQ context and, if nothing else
// holds off softirqs, run the pending ones (softirq=irq-exit).
func (k *Kernel) irqExit(p *percpu) {
	t := p.curr
	t.preemptCount -= hardirqOffset
	k.charge(p, k.costs.IRQExit)
	if !t.inInterrupt() && p.softirqPending != 0 && k.model.Softirq == SoftirqIRQExit {
		k.doSoftirq(p, p.frames[p.depth-1].sp, k.fnIRQReturn)
		return
	}
	k.irqReturn(p)
}

// irqReturn returns from an interrupt to what it interrupted: user mode
// through the return-to-user path; kernel code directly, or, under full
// preemption with the count zero and a reschedule pending, through
// preempt_schedule_irq; the idle loop through schedule when there is work.
func (k *Kernel) irqReturn(p *percpu) {
	p.depth--
	f := &p.frames[p.depth]
	t := p.curr
	if k.blame != nil {
		k.blame.irqReturn(p, f)
	}
	if f.saved.CPL() == 3 {
		t.userCtx = f.saved
		k.returnToUser(p, t)
		return
	}
	saved := f.saved
	p.spin = f.spin
	if p.spin != nil && p.spin.w.Granted {
		// The lock was handed over during the interrupt: the spin is
		// over when the interrupt returns to it.
		saved.Waiting = false
		k.traceAt(p, EvLockAcquired, p.spin.w.LockName, saved.EIP)
		p.spin = nil
	}
	switch {
	case p.depth > 0:
	case t.kind == kindIdle && t == p.idle && (t.needResched || p.rq.nrQueued() > 0):
		k.schedule(p, k.fnIdleLoop)
		return
	case k.preemptible(t, &saved) && t.needResched:
		t.ctx = saved
		k.preemptSchedule(p, resumeContext(t))
		return
	}
	p.c.LoadContext(&saved)
}

// preemptible reports whether the task may be preempted in kernel code in
// context x: full (or lazy) preemption, a zero count, interrupts on.
func (k *Kernel) preemptible(t *Task, x *cpu.Context) bool {
	return k.fullPreempt() && t.preemptCount == 0 && x.EFLAGS&cpu.FlagIF != 0
}

// fullPreempt reports whether kernel code is preemptible (CONFIG_PREEMPT
// or PREEMPT_LAZY), which is also when the preemption count counts
// preempt_disable and spinlocks.
func (k *Kernel) fullPreempt() bool {
	return k.model.Preempt == PreemptFull || k.model.Preempt == PreemptLazy
}

// preemptDisable raises the preemption count where the model counts it,
// for the call named what (preempt_disable, get_cpu, rcu_read_lock,
// spin_lock); the preempt_disable tracepoint fires when the count leaves
// zero, as Linux's preemptirq tracepoints do, with the call in its State
// for the blame.
func (k *Kernel) preemptDisable(p *percpu, t *Task, what string) {
	if k.fullPreempt() {
		t.preemptCount++
		k.charge(p, k.costs.PreemptCount)
		if t.preemptCount&preemptMask == 1 && k.traces(EvPreemptDisable) {
			addr := p.c.EIP
			k.emit(p, &Event{Kind: EvPreemptDisable, Name: k.symbol(addr), Addr: addr, Caller: k.symbol(addr), State: what})
		}
	}
}

// preemptEnable lowers the count and, when it reaches zero with a
// reschedule pending and interrupts on, preempts ("polling for
// preemption"); then goes on. It returns false if it scheduled, in which
// case then runs when the task is back.
func (k *Kernel) preemptEnable(p *percpu, t *Task, a *callArgs, then func(p *percpu)) bool {
	if !k.fullPreempt() {
		return true
	}
	if t.preemptCount&preemptMask == 0 {
		k.bug(p, "preempt_enable with the preemption count already zero")
		return true
	}
	if t.preemptCount&preemptMask == 1 {
		k.traceAt(p, EvPreemptEnable, "", p.c.EIP)
	}
	t.preemptCount--
	k.charge(p, k.costs.PreemptCount)
	if t.preemptCount == 0 && t.needResched && p.c.IF() {
		k.saveCaller(p, t, a)
		k.preemptSchedule(p, then)
		return false
	}
	return true
}
