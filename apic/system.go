package apic

// This file implements the System: the interfaces it consumes, its
// construction, and the routing of interrupt messages between the local
// APICs and from the IO-APIC.

import "fmt"

// Clock is global machine time and its event queue, provided by the machine.
type Clock interface {
	Now() uint64 // global time in CPU cycles
	// Schedule arranges for fn to be called when global time reaches at (at ≥ Now()); returns an id for Cancel. Same-cycle events run in scheduling order.
	Schedule(at uint64, fn func()) uint64
	Cancel(id uint64) // no-op for fired/unknown ids
}

// CPUControl is how the APICs act on the processors.
type CPUControl interface {
	// Kick tells the machine that CPU cpu may have a deliverable interrupt or NMI now (wake it from HLT; it will call Pending/Acknowledge at its next instruction boundary).
	Kick(cpu int)
	// INIT puts CPU cpu into wait-for-SIPI; StartUp starts it in real mode at vector*4096 if it is waiting for SIPI.
	INIT(cpu int)
	StartUp(cpu int, vector uint8)
}

// Physical addresses of the register windows (each WindowSize bytes).
const (
	LAPICBase  = 0xFEE00000 // the local APIC window, each processor seeing its own APIC
	IOAPICBase = 0xFEC00000 // the IO-APIC window
	WindowSize = 4096       // bytes in each window
)

// BusHz is the frequency of the APIC bus clock that drives the local APIC
// timers: 1 GHz, derived from global time (see the package comment).
const BusHz = 1_000_000_000

// MaxCPUs is the most local APICs a System may have: xAPIC IDs are 8 bits
// and 0xFF is the physical broadcast address.
const MaxCPUs = 255

// Delivery modes, as encoded in the ICR, the LVT entries and the IO-APIC
// redirection table (bits 8–10).
const (
	DeliveryFixed   = 0 // the vector, to every destination
	DeliveryLowest  = 1 // the vector, to the lowest-priority destination
	DeliverySMI     = 2 // system management interrupt (dropped here)
	DeliveryNMI     = 4 // non-maskable interrupt
	DeliveryINIT    = 5 // INIT: the processor waits for a start-up IPI
	DeliveryStartUp = 6 // start-up IPI (ICR only)
	DeliveryExtINT  = 7 // 8259-compatible interrupt (LINT0 only; dropped as a message)
)

// deliveryReserved is a reserved delivery mode encoding: dropped.
const deliveryReserved = 3

// Destination shorthands (ICR bits 18–19).
const (
	shorthandNone         = 0
	shorthandSelf         = 1
	shorthandAllIncluding = 2
	shorthandAllExcluding = 3
)

// System is the interrupt fabric of the machine: ncpu local APICs, one
// IO-APIC, and the routing of messages between them.
type System struct {
	clock Clock
	ctl   CPUControl
	cps   uint64 // CPU cycles per second of global time

	lapics []*LAPIC
	ioapic *IOAPIC
}

// NewSystem builds the local APICs of processors 0..ncpu-1 (APIC ID = CPU
// number, processor 0 the bootstrap processor) and the IO-APIC, all in
// their power-up state. cyclesPerSecond is the rate of global time (CPU
// cycles per second); 0 is taken as BusHz. NewSystem panics if ncpu is
// outside 1..MaxCPUs or clock or ctl is nil: those are the machine's
// mistakes, not the guest's.
func NewSystem(ncpu int, clock Clock, ctl CPUControl, cyclesPerSecond uint64) *System {
	if ncpu < 1 || ncpu > MaxCPUs {
		panic(fmt.Sprintf("apic.NewSystem: %d processors, want 1 to %d", ncpu, MaxCPUs))
	}
	if clock == nil || ctl == nil {
		panic("apic.NewSystem: nil Clock or CPUControl")
	}
	if cyclesPerSecond == 0 {
		cyclesPerSecond = BusHz
	}
	s := &System{clock: clock, ctl: ctl, cps: cyclesPerSecond}
	s.lapics = make([]*LAPIC, ncpu)
	for i := range s.lapics {
		s.lapics[i] = newLAPIC(s, i)
	}
	s.ioapic = newIOAPIC(s)
	return s
}

// NCPU returns the number of local APICs.
func (s *System) NCPU() int { return len(s.lapics) }

// LAPIC returns the local APIC of processor cpu, or nil if there is none.
func (s *System) LAPIC(cpu int) *LAPIC {
	if cpu < 0 || cpu >= len(s.lapics) {
		return nil
	}
	return s.lapics[cpu]
}

// IOAPIC returns the IO-APIC.
func (s *System) IOAPIC() *IOAPIC { return s.ioapic }

// ReadMSR reads a local APIC MSR of processor cpu; ok is false for an MSR
// the APIC does not implement or a processor that does not exist (the
// processor raises #GP). It lets a System serve as the machine's MSR
// handler.
func (s *System) ReadMSR(cpu int, msr uint32) (v uint64, ok bool) {
	l := s.LAPIC(cpu)
	if l == nil {
		return 0, false
	}
	return l.ReadMSR(msr)
}

// WriteMSR writes a local APIC MSR of processor cpu; false means #GP.
func (s *System) WriteMSR(cpu int, msr uint32, v uint64) bool {
	l := s.LAPIC(cpu)
	if l == nil {
		return false
	}
	return l.WriteMSR(msr, v)
}

// message is one interrupt message on the APIC bus.
type message struct {
	mode    uint8 // delivery mode
	vector  uint8
	level   bool  // level-triggered (fixed and lowest priority only)
	logical bool  // logical destination mode
	dest    uint8 // physical APIC ID or logical message destination address
}

// matches reports whether local APIC l is addressed by a message with
// destination dest in the given mode, on its own LDR and DFR. Physical
// 0xFF and logical 0xFF are broadcasts; a DFR model other than flat (1111b)
// is read as cluster.
func (l *LAPIC) matches(logical bool, dest uint8) bool {
	if !l.hardwareEnabled() {
		return false
	}
	if dest == 0xFF {
		return true
	}
	if !logical {
		return l.id == dest
	}
	if l.dfrModel == dfrFlat {
		return dest&l.ldr != 0
	}
	cluster := dest >> 4
	return (cluster == 0xF || cluster == l.ldr>>4) && dest&l.ldr&0x0F != 0
}

// targeted reports whether l is a destination of a message from src (nil
// for the IO-APIC) with the given shorthand and destination.
func targeted(l, src *LAPIC, shorthand uint8, m message) bool {
	if !l.hardwareEnabled() {
		return false
	}
	switch shorthand {
	case shorthandSelf:
		return l == src
	case shorthandAllIncluding:
		return true
	case shorthandAllExcluding:
		return l != src
	}
	return l.matches(m.logical, m.dest)
}

// send delivers m from src (nil for the IO-APIC) to its destinations, in
// increasing CPU number. It reports whether the destination set held any
// local APIC, and whether a fixed or lowest-priority interrupt was accepted
// into some IRR.
func (s *System) send(src *LAPIC, shorthand uint8, m message) (present, accepted bool) {
	if m.mode == DeliveryLowest {
		var best *LAPIC
		for _, l := range s.lapics {
			if !targeted(l, src, shorthand, m) {
				continue
			}
			present = true
			if !l.softwareEnabled() {
				continue
			}
			if best == nil || l.tpr < best.tpr {
				best = l
			}
		}
		if best != nil {
			accepted = best.acceptFixed(m.vector, m.level)
		}
		return present, accepted
	}
	for _, l := range s.lapics {
		if !targeted(l, src, shorthand, m) {
			continue
		}
		present = true
		switch m.mode {
		case DeliveryFixed:
			if l.acceptFixed(m.vector, m.level) {
				accepted = true
			}
		case DeliveryNMI:
			l.nmiPending = true
			s.ctl.Kick(l.cpu)
		case DeliveryINIT:
			l.initReset()
			s.ctl.INIT(l.cpu)
		case DeliveryStartUp:
			s.ctl.StartUp(l.cpu, m.vector)
		default:
			// SMI, ExtINT and the reserved encodings: nothing in this
			// machine answers them.
		}
	}
	return present, accepted
}

// eoiBroadcast tells the IO-APIC that a level-triggered interrupt with
// this vector has been serviced.
func (s *System) eoiBroadcast(vector uint8) {
	s.ioapic.eoi(vector)
}
