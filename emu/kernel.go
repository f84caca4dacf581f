package emu

// This file is the machine's side of the seam with a kernel that runs on
// the host: installing it, handing it every stop of a processor, and what
// it may reach of the machine (the interrupt controllers, port I/O, the
// end of the run).

import (
	"preemptlab/apic"
	"preemptlab/cpu"
)

// Kernel is a kernel hosted by the machine. It takes every processor's
// traps and interrupts (cpu.Kernel) and hears about every stop of a
// processor, so that a fault in a task ends the task rather than the run.
type Kernel interface {
	cpu.Kernel
	// Stopped is told why processor c's Run returned, before the machine
	// acts on it. It returns true if it dealt with the stop, so that the
	// machine goes on; false leaves the stop to the machine, which acts
	// as for a bare image (StopShutdown and StopBusError end the run with
	// a fault report; the other reasons need nothing).
	Stopped(c *cpu.CPU, why cpu.StopReason) bool
	// Stuck is called when no processor can ever run again: every one is
	// halted or waiting with interrupts disabled, or with nothing left
	// that could interrupt it. The run ends; the kernel says with which
	// exit status and why (which task waits on what).
	Stuck() (status int, msg string)
	// Where describes what processor c is doing (the task it runs), for
	// the report of a run whose cycle budget ran out.
	Where(c *cpu.CPU) string
}

// Host installs k as the machine's kernel on every processor: from the
// next instruction boundary on, traps and interrupts go to k instead of
// the guest's IDT.
func (m *Machine) Host(k Kernel) {
	m.kernel = k
	for _, c := range m.cpus {
		c.SetKernel(k)
	}
}

// LAPIC returns the local APIC of processor cpu. A kernel programs it as
// the processor it acts for would through its MMIO window; the write takes
// effect at that processor's current time.
func (m *Machine) LAPIC(cpu int) *apic.LAPIC { return m.apic.LAPIC(cpu) }

// IOAPIC returns the IO-APIC.
func (m *Machine) IOAPIC() *apic.IOAPIC { return m.apic.IOAPIC() }

// Out writes size bytes to an I/O port as the processor running now would
// with OUT (a kernel masking the 8259s, for example).
func (m *Machine) Out(port uint16, size int, v uint32) {
	busAdapter{m}.Out(m.runningID(), port, size, v)
}

// In reads size bytes from an I/O port as the processor running now would.
func (m *Machine) In(port uint16, size int) uint32 {
	v, _ := busAdapter{m}.In(m.runningID(), port, size)
	return v
}

// runningID is the processor inside Run, or 0 outside.
func (m *Machine) runningID() int {
	if m.running != nil {
		return m.running.ID
	}
	return 0
}

// Resume ends processor c's wait (cpu.Wait) at cycle at, for the kernel
// acting on the processor running now — a lock it released reaching a
// processor that spun on it. The running processor then runs no more than
// a quantum past c, as any two runnable processors do: its run's limit was
// set while c waited, perhaps as the only one runnable, and what c does
// next (an IPI) would otherwise reach it late.
func (m *Machine) Resume(c *cpu.CPU, at uint64) {
	c.Resume(at)
	if r := m.running; r != nil && r != c && at+m.cfg.Quantum < r.Limit() {
		r.SetLimit(max(at+m.cfg.Quantum, r.Now()))
	}
}

// Exit ends the run with the given exit status and message (which may be
// empty): a hosted kernel powering the machine off, or giving up with a
// report. The processor running now stops after the current boundary.
func (m *Machine) Exit(status int, msg string) { m.exit(ExitKernel, status, msg) }

// Quantum returns the most cycles one processor runs while another is
// runnable (see DefaultQuantum).
func (m *Machine) Quantum() uint64 { return m.cfg.Quantum }

// SetQuantum changes the quantum. A kernel whose cross-processor actions
// (IPIs) take effect d cycles after they are made keeps the quantum at or
// below d, so that no processor has run past the cycle where such an
// action reaches it.
func (m *Machine) SetQuantum(q uint64) {
	if q > 0 {
		m.cfg.Quantum = q
	}
}

// Warnf writes a warning line to the machine's log (stderr).
func (m *Machine) Warnf(format string, args ...any) { m.logf("warning: "+format, args...) }
