package pit

// This file implements the PIT as a device: its ports, port 0x61, and the
// scheduling of channel 0's OUT edges onto IRQ 0.

// Clock is global machine time and its event queue, provided by the machine.
type Clock interface {
	// Now returns global time in CPU cycles.
	Now() uint64
	// Schedule arranges for fn to be called when global time reaches at (at ≥ Now()); it returns an id for Cancel. Events at the same cycle run in the order they were scheduled.
	Schedule(at uint64, fn func()) uint64
	// Cancel removes a scheduled event; cancelling a fired or unknown id does nothing.
	Cancel(id uint64)
}

// The PIT's I/O ports.
const (
	PortChannel0 = 0x40 // channel 0 count (IRQ 0)
	PortChannel1 = 0x41 // channel 1 count (DRAM refresh on old PCs)
	PortChannel2 = 0x42 // channel 2 count (speaker)
	PortControl  = 0x43 // control word (write only)
	PortSystemB  = 0x61 // system control port B: channel 2 gate and OUT
)

// refreshTicks is the half-period, in PIT ticks, of port 0x61 bit 4.
const refreshTicks = 18

// PIT is an 8254 programmable interval timer wired as on a PC. Its methods
// must be called from the machine's one thread, as must the Clock's events.
type PIT struct {
	clock Clock
	cps   uint64 // CPU cycles per second, at least 1
	irq0  func(level bool)

	ch      [3]channel
	speaker bool // port 0x61 bit 1, stored and read back

	irqLevel bool   // the level last reported on IRQ 0
	evArmed  bool   // an event for channel 0's next OUT edge is scheduled
	evID     uint64 // its id
	evAt     uint64 // its cycle
	fire     func() // p.onEvent, made once
}

// New returns a PIT in its reset state: no channel programmed, every OUT
// and IRQ 0 low, channel 2's gate low. cyclesPerSecond is the rate of
// clock's time base; irq0, which may be nil, is called with IRQ 0's new
// level each time it changes.
func New(clock Clock, cyclesPerSecond uint64, irq0 func(level bool)) *PIT {
	if cyclesPerSecond == 0 {
		cyclesPerSecond = InputHz
	}
	p := &PIT{clock: clock, cps: cyclesPerSecond, irq0: irq0}
	p.fire = p.onEvent
	for i := range p.ch {
		p.ch[i].gate = i != 2 // channels 0 and 1 are gated high on a PC
		p.ch[i].nullCount = true
	}
	return p
}

// Ports returns the I/O ports the PIT decodes.
func (p *PIT) Ports() []uint16 {
	return []uint16{PortChannel0, PortChannel1, PortChannel2, PortControl, PortSystemB}
}

// In reads a byte from port. Ports the PIT does not decode read 0xFF.
func (p *PIT) In(port uint16) uint8 {
	t := p.now()
	switch port {
	case PortChannel0, PortChannel1, PortChannel2:
		return p.ch[port-PortChannel0].read(t)
	case PortSystemB:
		c := &p.ch[2]
		var v uint8
		if c.gate {
			v |= 0x01
		}
		if p.speaker {
			v |= 0x02
		}
		if t/refreshTicks&1 != 0 {
			v |= 0x10
		}
		if c.out(t) {
			v |= 0x20
		}
		return v
	}
	return 0xFF // includes the write-only control port
}

// Out writes v to port. Writes to ports the PIT does not decode are ignored.
func (p *PIT) Out(port uint16, v uint8) {
	t := p.now()
	switch port {
	case PortChannel0, PortChannel1, PortChannel2:
		i := port - PortChannel0
		p.ch[i].write(t, v)
		if i == 0 {
			p.update()
		}
	case PortControl:
		p.control(t, v)
	case PortSystemB:
		p.speaker = v&0x02 != 0
		p.ch[2].setGate(t, v&0x01 != 0)
	}
}

// control decodes a write to the control port.
func (p *PIT) control(t uint64, v uint8) {
	sel := v >> 6
	if sel == 3 {
		// Read-back: bit 5 clear latches the count, bit 4 clear the
		// status, of each channel whose bit (1–3) is set.
		for i := range p.ch {
			if v&(2<<i) == 0 {
				continue
			}
			if v&0x20 == 0 {
				p.ch[i].latchCount(t)
			}
			if v&0x10 == 0 {
				p.ch[i].latchStatus(t)
			}
		}
		return
	}
	c := &p.ch[sel]
	access := v >> 4 & 3
	if access == accessLatch {
		c.latchCount(t)
		return
	}
	c.control(t, access, v>>1&7, v&1 != 0)
	if sel == 0 {
		p.update()
	}
}

// Output returns the level of channel ch's OUT pin now (false for a channel
// that does not exist). It changes nothing the guest can see.
func (p *PIT) Output(ch int) bool {
	if ch < 0 || ch >= len(p.ch) {
		return false
	}
	return p.ch[ch].out(p.now())
}

// Count returns channel ch's counting element now, as a live read would
// see it (in BCD when the channel counts in BCD), without latching or
// moving a flip-flop (0 for a channel that does not exist).
func (p *PIT) Count(ch int) uint16 {
	if ch < 0 || ch >= len(p.ch) {
		return 0
	}
	return p.ch[ch].value(p.now())
}

// update reports channel 0's OUT on IRQ 0 if it changed and schedules an
// event for its next edge, replacing the one scheduled before if needed.
func (p *PIT) update() {
	now := p.clock.Now()
	t := p.tickAt(now)
	c := &p.ch[0]
	if lvl := c.out(t); lvl != p.irqLevel {
		p.irqLevel = lvl
		if p.irq0 != nil {
			p.irq0(lvl)
		}
		// irq0 may have reprogrammed the PIT, which rescheduled.
		now = p.clock.Now()
		t = p.tickAt(now)
	}
	next, ok := c.nextChange(t)
	var at uint64
	if ok {
		at = max(p.cycleOf(next), now)
	}
	if p.evArmed {
		if ok && at == p.evAt {
			return
		}
		p.clock.Cancel(p.evID)
		p.evArmed = false
	}
	if ok {
		p.evID = p.clock.Schedule(at, p.fire)
		p.evAt = at
		p.evArmed = true
	}
}

// onEvent runs at an edge of channel 0's OUT.
func (p *PIT) onEvent() {
	p.evArmed = false
	p.update()
}
