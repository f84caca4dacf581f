package emu

// This file implements the run loop: deterministic interleaving of the
// processors in global time, device events, idle fast-forward, and the
// end of a run.

import (
	"fmt"

	"preemptlab/cpu"
)

// Run runs the machine until it ends, and says how.
func (m *Machine) Run() *Result {
	for m.result == nil {
		if a := m.abort.Load(); a != nil {
			m.result = a
			break
		}
		m.step()
	}
	r := m.result
	for _, c := range m.cpus {
		m.now = max(m.now, c.Cycles)
	}
	r.Cycles = m.now
	if m.uart.err != nil && r.Message == "" {
		r.Message = fmt.Sprintf("console write failed: %v", m.uart.err)
	}
	return r
}

// runnable reports whether a processor can execute instructions now. A
// halted or waiting processor runs again when an interrupt is signalled;
// one waiting for a start-up IPI, when it comes; a busy one (cpu.Busy)
// when its busy stretch ends (see readyAt) or an interrupt is signalled.
func runnable(c *cpu.CPU) bool {
	return (!c.Halted() && !c.Waiting() && c.BusyCycles() == 0 || c.InterruptSignalled()) && !c.WaitingForSIPI()
}

// readyAt returns the cycle at which processor c next executes
// instructions (its time, for a runnable one; the end of its busy stretch
// for a busy one), or false if only an event can make it run.
//
// A busy processor does nothing until its stretch ends — it executes
// nothing and, unless an interrupt is signalled, takes nothing — so it is
// not stepped through its stretch quantum by quantum: the run loop treats
// its end like an event. An interrupt that arrives during the stretch
// brings its time up to the interrupt's cycle (catchUp), where it takes
// it with the rest of the stretch still to go.
func readyAt(c *cpu.CPU) (uint64, bool) {
	if runnable(c) {
		return c.Cycles, true
	}
	if b := c.BusyCycles(); b > 0 && !c.WaitingForSIPI() {
		return c.Cycles + b, true
	}
	return 0, false
}

// step advances the machine: it fires due events, then runs the processor
// furthest behind up to the next event or the end of its quantum. Of
// processors at the same time the lowest-numbered runs first, except that
// one waiting to enter the kernel goes before those that are not: nothing
// they do at that time may come before its entry.
func (m *Machine) step() {
	var next *cpu.CPU
	var at uint64 // next's ready time
	for _, c := range m.cpus {
		r, ok := readyAt(c)
		if !ok {
			continue
		}
		if next == nil || r < at || r == at && m.syncing[c.ID] && !m.syncing[next.ID] {
			next, at = c, r
		}
	}
	if next == nil {
		m.idle()
		return
	}
	m.now = at
	if m.nextEvent() <= m.now {
		// Events may wake or stop processors: choose again.
		m.fireEvents()
		return
	}
	// next runs to the next event, or to where another processor starts
	// executing (the end of its busy stretch), or — while another
	// executes — to the end of its quantum.
	limit := m.nextEvent()
	for _, c := range m.cpus {
		if c == next {
			continue
		}
		if r, ok := readyAt(c); ok {
			if runnable(c) {
				limit = min(limit, at+m.cfg.Quantum)
			} else {
				limit = min(limit, r)
			}
		}
	}
	// A processor waiting to enter the kernel or take an interrupt at
	// its time waits for the others to reach it: they stop there, so
	// that whatever they do after it happens after its entry.
	m.syncing[next.ID] = false
	for i, s := range m.syncing {
		if s && m.cpus[i].Cycles > next.Cycles {
			limit = min(limit, m.cpus[i].Cycles)
		}
	}
	if m.cfg.MaxCycles != 0 {
		if at >= m.cfg.MaxCycles {
			m.budgetExhausted(next)
			return
		}
		limit = min(limit, m.cfg.MaxCycles)
	}
	if limit <= at {
		limit = at + 1 // an event at this very cycle already fired
	}
	m.running = next
	reason := next.Run(limit)
	if reason == cpu.StopSync {
		m.syncing[next.ID] = true
	}
	handled := m.kernel != nil && m.kernel.Stopped(next, reason)
	m.running = nil
	if handled {
		return
	}
	switch reason {
	case cpu.StopShutdown, cpu.StopBusError:
		m.fault(next)
	}
}

// idle handles a machine whose processors are all halted or waiting for a
// start-up IPI: time jumps to the next event, whose interrupt may wake
// one; with no event to wait for, the run is over.
func (m *Machine) idle() {
	at := m.nextEvent()
	if at == ^uint64(0) || m.noneCanWake() {
		m.allHalted()
		return
	}
	if m.cfg.MaxCycles != 0 && at > m.cfg.MaxCycles {
		m.now = m.cfg.MaxCycles
		m.syncHalted()
		m.budgetExhausted(nil)
		return
	}
	if at > m.now {
		m.now = at
	}
	m.syncHalted()
	m.fireEvents()
}

// noneCanWake reports whether every processor is halted or waiting with
// interrupts disabled, or waits for a start-up IPI: only an NMI, INIT or
// SIPI could wake one, and with every processor stopped nothing will send
// one.
func (m *Machine) noneCanWake() bool {
	for _, c := range m.cpus {
		if (c.Halted() || c.Waiting()) && c.IF() {
			return false
		}
	}
	return true
}

// syncHalted brings the time of halted processors up to global time.
func (m *Machine) syncHalted() {
	for _, c := range m.cpus {
		if !runnable(c) && c.Cycles < m.now {
			c.Cycles = m.now
		}
	}
}

// allHalted ends a run in which no processor can ever run again; a hosted
// kernel says why.
func (m *Machine) allHalted() {
	if m.kernel != nil {
		status, msg := m.kernel.Stuck()
		m.exit(ExitKernel, status, msg)
		return
	}
	var why string
	for _, c := range m.cpus {
		switch {
		case c.WaitingForSIPI():
		case c.IF():
			why = fmt.Sprintf("cpu%d halted at EIP %#08x with interrupts enabled, but no device will ever interrupt it", c.ID, c.EIP)
		}
	}
	if why == "" {
		m.exit(ExitHalted, StatusHalted, "all processors halted with interrupts disabled")
		return
	}
	m.exit(ExitHalted, StatusHalted, why)
}

// budgetExhausted ends a run that reached MaxCycles.
func (m *Machine) budgetExhausted(c *cpu.CPU) {
	msg := fmt.Sprintf("cycle budget of %d cycles (--max-cycles) exhausted", m.cfg.MaxCycles)
	for _, c := range m.cpus {
		state := "running"
		switch {
		case c.WaitingForSIPI():
			state = "waiting for SIPI"
		case c.Halted():
			state = "halted"
		case c.Waiting():
			state = "waiting"
		case c.BusyCycles() > 0:
			state = "busy"
		}
		if c.WaitingForSIPI() {
			msg += fmt.Sprintf("\n  cpu%d %s", c.ID, state)
			continue
		}
		msg += fmt.Sprintf("\n  cpu%d %s at %04x:%08x  %s", c.ID, state, c.Seg[cpu.CS].Sel, c.EIP, c.Disassemble(c.EIP))
		if m.kernel != nil {
			msg += "\n    " + m.kernel.Where(c)
		}
	}
	m.exit(ExitBudget, StatusBudget, msg)
}

// fault ends a run on a processor fault.
func (m *Machine) fault(c *cpu.CPU) {
	msg := "processor stopped"
	if c.Fault != nil {
		msg = c.Fault.String()
	}
	m.exit(ExitFault, StatusFault, msg)
	m.result.Fault = c.Fault
}
