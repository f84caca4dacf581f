package emu

// This file attaches the local APICs and the IO-APIC to the machine: their
// MMIO windows, their MSRs, the interrupt acknowledge cycle, and how they
// act on the processors.

import (
	"preemptlab/apic"
	"preemptlab/cpu"
)

// attachAPIC builds the interrupt fabric and maps its windows. Every
// processor sees its own local APIC at LAPICBase (relocation through
// IA32_APIC_BASE is not emulated: the window stays put).
func (m *Machine) attachAPIC() {
	m.apic = apic.NewSystem(len(m.cpus), m, apicControl{m}, m.cfg.MHz*1_000_000)
	m.MapMMIO(apic.LAPICBase, apic.WindowSize, "local APIC", lapicWindow{m.apic})
	m.MapMMIO(apic.IOAPICBase, apic.WindowSize, "IO-APIC", ioapicWindow{m.apic.IOAPIC()})
	m.acknowledge = apicAck{m}.Acknowledge
	// The bootstrap processor's APIC as the firmware leaves it: enabled,
	// LINT0 in ExtINT mode (virtual wire to the 8259s), LINT1 NMI.
	l := m.apic.LAPIC(0)
	l.Write(apic.RegSVR, 0x1FF)
	l.Write(apic.RegLVTLINT0, 0x8700)
	l.Write(apic.RegLVTLINT1, 0x8400)
	m.ioapicSetIRQ = m.apic.IOAPIC().SetIRQ
}

// dwordAccess performs a sub-dword or unaligned access to a register
// window of 32-bit registers: reads take the bytes from the aligned dword,
// writes of less than a dword are widened with the register's other bytes
// read back first.
func dwordRead(read func(off uint32) uint32, off uint32, size int) uint32 {
	if size == 4 && off&3 == 0 {
		return read(off)
	}
	v := read(off &^ 3)
	v >>= 8 * (off & 3)
	if size < 4 {
		v &= uint32(1)<<(8*size) - 1
	}
	return v
}

func dwordWrite(read func(off uint32) uint32, write func(off, v uint32), off uint32, size int, v uint32) {
	if size == 4 && off&3 == 0 {
		write(off, v)
		return
	}
	sh := 8 * (off & 3)
	mask := (uint32(1)<<(8*size) - 1) << sh
	if size == 4 {
		mask = 0xFFFFFFFF << sh
	}
	old := read(off &^ 3)
	write(off&^3, old&^mask|(v<<sh)&mask)
}

// lapicWindow is the local APIC window: each processor reaches its own.
type lapicWindow struct{ s *apic.System }

func (w lapicWindow) Read(cpu int, off uint32, size int) uint32 {
	return dwordRead(w.s.LAPIC(cpu).Read, off, size)
}

func (w lapicWindow) Write(cpu int, off uint32, size int, v uint32) {
	l := w.s.LAPIC(cpu)
	dwordWrite(l.Read, l.Write, off, size, v)
}

// ioapicWindow is the IO-APIC window.
type ioapicWindow struct{ io *apic.IOAPIC }

func (w ioapicWindow) Read(cpu int, off uint32, size int) uint32 {
	return dwordRead(w.io.Read, off, size)
}

func (w ioapicWindow) Write(cpu int, off uint32, size int, v uint32) {
	dwordWrite(w.io.Read, w.io.Write, off, size, v)
}

// apicAck is the interrupt acknowledge cycle: the local APIC's fixed
// interrupts, else, on the bootstrap processor, the 8259s' through LINT0.
type apicAck struct{ m *Machine }

func (a apicAck) Acknowledge(cpu int) (uint8, bool) {
	l := a.m.apic.LAPIC(cpu)
	if l.PendingInterrupt() {
		return l.Acknowledge(), true
	}
	if cpu == 0 && a.m.pic.intr() && a.m.extINT() {
		return a.m.pic.acknowledge(), true
	}
	return 0, false
}

// extINT reports whether the bootstrap processor takes the 8259s'
// interrupts: its APIC is hardware-disabled, or LINT0 is unmasked in
// ExtINT delivery mode.
func (m *Machine) extINT() bool {
	l := m.apic.LAPIC(0)
	if !l.HardwareEnabled() {
		return true
	}
	lvt := l.Read(apic.RegLVTLINT0)
	return lvt&0x10000 == 0 && lvt>>8&7 == apic.DeliveryExtINT
}

// picChanged tells the bootstrap processor when the 8259s may have an
// interrupt for it.
func (m *Machine) picChanged() {
	if m.pic != nil && m.pic.intr() && m.extINT() {
		apicControl{m}.Kick(0)
	}
}

// apicControl is how the APICs act on the processors. An action on
// another processor than the one running happens at the running one's
// time: it is queued as an event at that cycle, which fires once every
// processor has reached it, so no processor sees an IPI before it was sent.
type apicControl struct{ m *Machine }

// atNow runs fn now if it concerns the running processor or no processor
// runs, else at the running processor's time.
func (a apicControl) atNow(cpu int, fn func()) {
	if a.immediate(cpu) {
		fn()
		return
	}
	a.m.Schedule(a.m.running.Now(), fn)
}

// immediate reports whether an action on processor cpu takes effect at
// once: no processor runs, or it is the running one.
func (a apicControl) immediate(cpu int) bool {
	return a.m.running == nil || a.m.running.ID == cpu
}

func (a apicControl) Kick(cpu int) {
	if a.immediate(cpu) { // the common case, with no closure to make
		a.kick(cpu)
		return
	}
	a.m.Schedule(a.m.running.Now(), func() { a.kick(cpu) })
}

// kick tells processor cpu its local APIC may have an interrupt for it.
func (a apicControl) kick(cpu int) {
	m := a.m
	c := m.cpus[cpu]
	m.catchUp(c)
	if l := m.apic.LAPIC(cpu); l.PendingNMI() {
		l.AckNMI()
		c.NMI()
	}
	c.Interrupt()
}

func (a apicControl) INIT(cpu int) {
	a.atNow(cpu, func() {
		c := a.m.cpus[cpu]
		a.m.catchUp(c)
		c.INIT()
	})
}

func (a apicControl) StartUp(cpu int, vector uint8) {
	a.atNow(cpu, func() {
		c := a.m.cpus[cpu]
		a.m.catchUp(c)
		c.StartUp(vector)
	})
}

// catchUp brings a processor that was not running (halted, waiting for
// SIPI) up to the current time before it is woken.
func (m *Machine) catchUp(c *cpu.CPU) {
	if now := m.Now(); !runnable(c) && c.Cycles < now {
		c.Cycles = now
	}
}
