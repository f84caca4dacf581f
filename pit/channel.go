package pit

// This file implements one counter: its control word, count register,
// byte flip-flops, latches and gate, on top of the segments of counter.go.

// Access modes (control word bits 5–4).
const (
	accessLatch = 0
	accessLSB   = 1
	accessMSB   = 2
	accessWord  = 3
)

// pendingLoad is a transfer of the count register into the counting
// element that will happen at a later tick.
type pendingLoad struct {
	active bool
	at     uint64 // the tick on which the count is loaded
	low    bool   // the new mode 3 segment begins with its low half
	// endOfPeriod marks the load at the end of a mode 2 period or mode 3
	// half-cycle, which does not happen if the gate stops counting first.
	endOfPeriod bool
}

// channel is one of the 8254's three counters. All its methods take t, the
// current tick, which never decreases from call to call.
type channel struct {
	// Set by the control word.
	programmed bool
	mode       uint8 // 0–5 (6 and 7 folded onto 2 and 3)
	modeBits   uint8 // M2–M0 as written, for the status byte
	access     uint8 // accessLSB, accessMSB or accessWord; 0 before programming
	bcd        bool

	// The count register.
	cr        uint16
	crValid   bool // a whole count has been written since the control word
	nullCount bool // cr has not yet reached the counting element
	writeMSB  bool // write flip-flop: the next count byte is the MSB
	lsb       uint8

	// The output latch and status latch.
	readMSB       bool  // read flip-flop: the next count byte read is the MSB
	latchLeft     uint8 // bytes of the latched count still to be read
	latched       uint16
	statusLatched bool
	status        uint8

	gate bool

	cur  segment
	pend pendingLoad
}

// gated reports whether gate low stops counting in the channel's mode.
func (c *channel) gated() bool {
	return c.mode != 1 && c.mode != 5
}

// loadSegment returns the segment that starts when the count register is
// loaded at tick at.
func (c *channel) loadSegment(at uint64, low bool) segment {
	return segment{
		running: true,
		start:   at,
		val:     c.cr,
		n:       steps(c.cr, c.bcd),
		low:     low,
		paused:  c.gated() && !c.gate,
	}
}

// sync carries out a pending load whose tick has come.
func (c *channel) sync(t uint64) {
	if c.pend.active && c.pend.at <= t {
		c.cur = c.loadSegment(c.pend.at, c.pend.low)
		c.pend = pendingLoad{}
		c.nullCount = false
	}
}

// out returns OUT at tick t.
func (c *channel) out(t uint64) bool {
	c.sync(t)
	return c.cur.level(c.mode, t)
}

// value returns the counting element at tick t.
func (c *channel) value(t uint64) uint16 {
	c.sync(t)
	return c.cur.count(c.mode, c.bcd, t)
}

// freeze stops the counting element at its value at t, with OUT at out.
func (c *channel) freeze(t uint64, out bool) {
	c.cur = segment{ce: c.value(t), out: out}
}

// nextChange returns the first tick after t at which OUT changes, across a
// pending load, if any is due.
func (c *channel) nextChange(t uint64) (uint64, bool) {
	c.sync(t)
	e, ok := c.cur.next(c.mode, t)
	if !c.pend.active || (ok && e < c.pend.at) {
		return e, ok
	}
	at := c.pend.at
	s := c.loadSegment(at, c.pend.low)
	if s.level(c.mode, at) != c.cur.level(c.mode, t) {
		return at, true
	}
	return s.next(c.mode, at)
}

// control applies a control word selecting this channel with access mode
// access (not the latch command), mode bits mode and BCD flag bcd.
func (c *channel) control(t uint64, access, mode uint8, bcd bool) {
	c.sync(t)
	c.modeBits = mode
	if mode >= 6 {
		mode -= 4
	}
	c.programmed = true
	c.freeze(t, mode != 0)
	c.mode = mode
	c.access = access
	c.bcd = bcd
	c.pend = pendingLoad{}
	c.crValid = false
	c.nullCount = true
	c.writeMSB = false
	c.readMSB = false
	c.latchLeft = 0
	c.statusLatched = false
}

// write takes one byte written to the counter's port. Before the first
// control word the chip's mode is undefined; the byte is ignored.
func (c *channel) write(t uint64, v uint8) {
	if !c.programmed {
		return
	}
	switch c.access {
	case accessLSB:
		c.setCount(t, uint16(v))
	case accessMSB:
		c.setCount(t, uint16(v)<<8)
	default:
		if !c.writeMSB {
			c.writeMSB = true
			c.lsb = v
			if c.mode == 0 {
				// Writing the first byte stops counting and drives OUT low.
				c.freeze(t, false)
				c.pend = pendingLoad{}
			}
			return
		}
		c.writeMSB = false
		c.setCount(t, uint16(c.lsb)|uint16(v)<<8)
	}
}

// setCount puts a whole new count in the count register.
func (c *channel) setCount(t uint64, v uint16) {
	c.sync(t)
	c.cr = v
	c.crValid = true
	c.nullCount = true
	switch c.mode {
	case 0:
		c.freeze(t, false)
		c.pend = pendingLoad{active: true, at: t + 1}
	case 4:
		c.pend = pendingLoad{active: true, at: t + 1}
	case 2, 3:
		switch {
		case c.pend.active:
			// A load is already due; it will take the new count.
		case !c.cur.running:
			c.pend = pendingLoad{active: true, at: t + 1}
		case c.cur.paused:
			// The gate's next rising edge loads it.
		default:
			c.pend = c.endOfPeriod(t)
		}
	default:
		// Modes 1 and 5 wait for a gate trigger.
	}
}

// endOfPeriod returns the load at the end of the current mode 2 period or
// mode 3 half-cycle of the running segment.
func (c *channel) endOfPeriod(t uint64) pendingLoad {
	s := &c.cur
	p := pendingLoad{active: true, endOfPeriod: true}
	if c.mode == 2 {
		p.at = t + (s.n - s.elapsedAt(t)%s.n)
		return p
	}
	at, ok := s.next(c.mode, t)
	if !ok {
		// Mode 3 with a count of 1 never changes OUT: end its period now.
		p.at = t + 1
		return p
	}
	p.at = at
	p.low = s.level(c.mode, t)
	return p
}

// setGate sets the level of the gate input at tick t.
func (c *channel) setGate(t uint64, g bool) {
	c.sync(t)
	if g == c.gate {
		return
	}
	c.gate = g
	s := &c.cur
	switch c.mode {
	case 0, 4:
		if s.running {
			if g {
				s.start = t
				s.paused = false
			} else {
				s.elapsed = s.elapsedAt(t)
				s.start = t
				s.paused = true
			}
		}
	case 2, 3:
		if !g {
			if s.running {
				s.elapsed = s.elapsedAt(t)
				s.start = t
				s.paused = true
			}
			if c.pend.endOfPeriod {
				c.pend = pendingLoad{}
			}
		} else if c.crValid {
			c.pend = pendingLoad{active: true, at: t + 1}
		}
	default: // 1, 5
		if g && c.crValid {
			c.pend = pendingLoad{active: true, at: t + 1}
		}
	}
}

// latchCount is the counter latch command; it is ignored while an earlier
// latched count has not been read.
func (c *channel) latchCount(t uint64) {
	if c.latchLeft > 0 {
		return
	}
	c.latched = c.value(t)
	if c.access == accessLSB || c.access == accessMSB {
		c.latchLeft = 1
	} else {
		c.latchLeft = 2
	}
}

// latchStatus latches the status byte unless one is already latched.
func (c *channel) latchStatus(t uint64) {
	if c.statusLatched {
		return
	}
	var st uint8
	if c.out(t) {
		st |= 0x80
	}
	if c.nullCount || !c.programmed {
		st |= 0x40
	}
	st |= c.access<<4 | c.modeBits<<1
	if c.bcd {
		st |= 1
	}
	c.status = st
	c.statusLatched = true
}

// read returns one byte read from the counter's port.
func (c *channel) read(t uint64) uint8 {
	if c.statusLatched {
		c.statusLatched = false
		return c.status
	}
	var v uint16
	if c.latchLeft > 0 {
		c.latchLeft--
		v = c.latched
	} else {
		v = c.value(t)
	}
	switch c.access {
	case accessLSB:
		return uint8(v)
	case accessMSB:
		return uint8(v >> 8)
	}
	c.readMSB = !c.readMSB
	if c.readMSB {
		return uint8(v)
	}
	return uint8(v >> 8)
}
