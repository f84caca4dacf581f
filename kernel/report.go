package kernel

// This file implements the kernel's reports: a task killed for a fault, a
// BUG that the run survives, a panic that ends it, the deadlock report of
// a machine where nothing can run again, and where each CPU is for the
// cycle-budget report (the emu.Kernel methods).

import (
	"fmt"
	"io"
	"strings"

	"preemptlab/cpu"
	"preemptlab/emu"
)

// Exit statuses of runs the kernel ends (besides 0 and kernel_exit's odd
// ones).
const (
	// StatusPanic: a fault the kernel cannot survive (in interrupt
	// context, in the idle task, before start_kernel).
	StatusPanic = emu.StatusFault
	// StatusStuck: every task is blocked for ever (deadlock), or there is
	// nothing to run.
	StatusStuck = 8
	// StatusStrict: a BUG report under --strict.
	StatusStrict = 10
)

// Stopped is told every stop of a processor (emu.Kernel): a bus error in
// a task kills the task, as a fault does.
func (k *Kernel) Stopped(c *cpu.CPU, why cpu.StopReason) bool {
	if why != cpu.StopBusError || k.ended {
		return false
	}
	p := k.cpuOf(c)
	k.acting = p.id
	reason := "an access to an address with nothing behind it"
	if c.Fault != nil {
		reason = c.Fault.Reason
	}
	k.fault(p, reason, c.EIP)
	return !k.ended
}

// fault handles a fault of the context running on CPU p at eip: a task
// in process context is killed with a report naming it, its pid, the
// instruction and its registers, and the machine goes on; in interrupt
// context, in the idle task or before start_kernel it is a panic.
func (k *Kernel) fault(p *percpu, what string, eip uint32) {
	c := p.c
	t := p.curr
	at := strings.TrimRight(fmt.Sprintf("at %04x:%s  %s\n%s", c.Seg[cpu.CS].Sel, k.syms.where(eip), c.Disassemble(eip), c.DumpRegisters()), "\n")
	switch {
	case !k.started || t == nil:
		k.fatal(p, StatusPanic, fmt.Sprintf("cpu%d: %s in the image's boot code, before start_kernel\n  %s", p.id, what, at))
		return
	case t.inInterrupt():
		in := ""
		if n := len(t.upcalls); n > 0 {
			in = " in " + t.upcalls[n-1].what
		}
		k.fatal(p, StatusPanic, fmt.Sprintf("Kernel panic - not syncing: Fatal exception in interrupt: cpu%d: %s%s (%v was interrupted)\n  %s", p.id, what, in, t, at))
		return
	case t.kind == kindIdle:
		k.fatal(p, StatusPanic, fmt.Sprintf("Kernel panic - not syncing: Attempted to kill the idle task: cpu%d: %s\n  %s", p.id, what, at))
		return
	}
	mode := "kernel mode"
	if c.CPL == 3 {
		mode = "user mode"
	}
	k.logf("cpu%d: %v killed in %s: %s\n  %s", p.id, t, mode, what, at)
	k.traceAt(p, EvBug, fmt.Sprintf("%v killed: %s", t, what), eip)
	for p.depth > 0 { // cannot be: a task in interrupt context panics above
		p.depth--
	}
	p.spin = nil
	k.doExit(p, t, -11) // SIGSEGV
}

// bug reports a kernel bug the run survives: Linux's "BUG:" lines.
func (k *Kernel) bug(p *percpu, msg string) {
	t := p.curr
	k.logf("BUG: %s: %v on cpu%d at %s", msg, t, p.id, k.syms.where(p.c.EIP))
	k.traceAt(p, EvBug, msg, p.c.EIP)
	if k.cfg.Strict {
		k.fatal(p, StatusStrict, "--strict: ending the run at the BUG above")
	}
}

// panic ends the run: "Kernel panic - not syncing".
func (k *Kernel) panic(p *percpu, msg string) {
	k.fatal(p, StatusPanic, fmt.Sprintf("Kernel panic - not syncing: cpu%d: %s", p.id, msg))
}

// fatal ends the run with status and a report.
func (k *Kernel) fatal(p *percpu, status int, msg string) {
	if k.ended {
		return
	}
	k.ended = true
	k.m.Exit(status, "kernel: "+msg)
}

// end ends the run normally (power off, kernel_exit).
func (k *Kernel) end(status int, msg string) {
	if k.ended {
		return
	}
	k.ended = true
	k.m.Exit(status, msg)
}

// Stuck says why no processor can run again (emu.Kernel): every task has
// exited (status 0), or the tasks left wait for ever — the deadlock
// report names each and what it waits on.
func (k *Kernel) Stuck() (int, string) {
	k.ended = true
	if !k.started {
		return StatusStuck, "kernel: the image halted before calling start_kernel"
	}
	var waiting []string
	for _, t := range k.tasks {
		if t.state == taskDead || t.kind == kindIdle || t.kind == kindIRQ || t.kind == kindSoftirq {
			continue
		}
		waiting = append(waiting, fmt.Sprintf("  %v, %s: %s", t, stateName(t.state), k.waitDescription(t)))
	}
	for _, p := range k.cpus {
		if p.spin != nil {
			owner, ocpu := p.spin.l.Owner()
			waiting = append(waiting, fmt.Sprintf("  cpu%d spins with interrupts off on %s, held by %v on cpu%d", p.id, p.spin.w.LockName, owner, ocpu))
		}
	}
	if len(waiting) == 0 {
		return 0, "kernel: every task has exited"
	}
	return StatusStuck, "kernel: deadlock: no task can ever run again:\n" + strings.Join(waiting, "\n")
}

func (k *Kernel) waitDescription(t *Task) string {
	switch {
	case t.waitingOn != "":
		return "waits on " + t.waitingOn
	case t.running && k.cpus[t.cpu].spin != nil && k.cpus[t.cpu].depth > 0:
		return fmt.Sprintf("running on cpu%d, interrupted by a handler that spins on %s", t.cpu, k.cpus[t.cpu].spin.w.LockName)
	case t.running && k.cpus[t.cpu].spin != nil:
		return fmt.Sprintf("running on cpu%d, spinning on %s", t.cpu, k.cpus[t.cpu].spin.w.LockName)
	case t.running:
		return fmt.Sprintf("running on cpu%d, which cannot run", t.cpu)
	case t.state == TaskRunning:
		return "runnable, but its CPU cannot run"
	}
	return "asleep"
}

func stateName(s int) string {
	switch s {
	case TaskRunning:
		return "TASK_RUNNING"
	case TaskInterruptible:
		return "TASK_INTERRUPTIBLE"
	case TaskUninterruptible:
		return "TASK_UNINTERRUPTIBLE"
	}
	return "TASK_DEAD"
}

// Where describes what CPU c runs (emu.Kernel), for the cycle-budget
// report.
func (k *Kernel) Where(c *cpu.CPU) string {
	p := k.cpuOf(c)
	t := p.curr
	switch {
	case t == nil:
		return "not started"
	case !k.started:
		return "the image's boot code (main, before start_kernel)"
	case t == p.idle:
		return "idle"
	}
	s := fmt.Sprintf("task %v", t)
	switch {
	case t.inIRQ():
		s += ", in an interrupt handler"
	case t.preemptCount&softirqMask != 0:
		s += ", in a softirq"
	case c.CPL == 3:
		s += ", in user mode"
	case t.inSyscall >= 0:
		s += fmt.Sprintf(", in system call %d", t.inSyscall)
	default:
		s += ", in kernel mode"
	}
	if n, ok := k.syms.lookup(c.EIP); ok {
		s += " at " + n
	}
	return s
}

// WriteStats writes the run's scheduler statistics at its end (cycle
// end): per CPU the context switches and the time idle, per task its
// policy and priority, the CPU time it used and its voluntary and
// involuntary context switches.
func (k *Kernel) WriteStats(w io.Writer, end uint64) {
	for _, p := range k.cpus {
		if p.idle == nil {
			continue
		}
		idle := p.idle.sumExec
		if p.curr == p.idle && end > p.idle.execStart {
			idle += end - p.idle.execStart
		}
		fmt.Fprintf(w, "cpu%d: %d context switches, idle %.3f ms\n", p.id, p.nrSwitches, float64(k.cyclesToNS(idle))/1e6)
	}
	fmt.Fprintf(w, "%7s  %-16s %-11s %4s %12s %8s %8s\n", "PID", "COMM", "POLICY", "PRIO", "CPU ms", "VOL", "INVOL")
	for _, t := range k.tasks {
		if t.kind == kindIdle {
			continue
		}
		run := t.sumExec
		if t.running && end > t.execStart {
			run += end - t.execStart
		}
		policy := [...]string{"SCHED_OTHER", "SCHED_FIFO", "SCHED_RR"}[t.policy]
		fmt.Fprintf(w, "%7d  %-16s %-11s %4d %12.3f %8d %8d\n", t.PID, t.Comm, policy, t.prio, float64(k.cyclesToNS(run))/1e6, t.nvcsw, t.nivcsw)
	}
}
