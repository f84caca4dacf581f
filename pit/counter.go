package pit

// This file implements the counting element: what a loaded count reads and
// what OUT shows after d input ticks, in each mode, computed directly rather
// than tick by tick.

// segment is the counting element's behaviour from one load (or freeze) on.
type segment struct {
	// running is false while the element holds still: it reads ce and
	// OUT shows out (before a count is loaded, after a control word, and
	// in mode 0 while a new count is being written).
	running bool
	ce      uint16
	out     bool

	// When running: the count val (n ticks) was loaded elapsed ticks
	// before tick start; while paused (gate low in modes 0, 2, 3 and 4)
	// the elapsed ticks stay at elapsed.
	start   uint64
	elapsed uint64
	paused  bool
	val     uint16
	n       uint64
	// low is set when a mode 3 segment begins with the low half-cycle
	// (a new count taken at the end of a high half).
	low bool
}

// steps returns how many ticks a count takes to count down to zero:
// 0 means 65536 in binary and 10000 in BCD.
func steps(val uint16, bcd bool) uint64 {
	if !bcd {
		if val == 0 {
			return 0x10000
		}
		return uint64(val)
	}
	n := uint64(val&0xF) + 10*uint64(val>>4&0xF) + 100*uint64(val>>8&0xF) + 1000*uint64(val>>12)
	if n == 0 {
		return 10000
	}
	return n
}

// sub returns val decremented k times by the counting element.
func sub(val uint16, k uint64, bcd bool) uint16 {
	if !bcd {
		return uint16(uint64(val) - k)
	}
	return bcdSub(val, k)
}

// bcdSub decrements a four-digit BCD register k times. Each digit counts
// down to 0 and then wraps to 9, borrowing one from the digit above; a
// digit above 9 (bad BCD) counts down from its own value; the register as
// a whole wraps from 0000 to 9999.
func bcdSub(val uint16, k uint64) uint16 {
	var out uint16
	borrow := k
	for i := uint(0); i < 16; i += 4 {
		d := uint64(val >> i & 0xF)
		switch {
		case borrow == 0:
		case borrow <= d:
			d -= borrow
			borrow = 0
		default:
			r := borrow - d - 1 // decrements after the digit first wraps to 9
			d = 9 - r%10
			borrow = 1 + r/10
		}
		out |= uint16(d) << i
	}
	return out
}

// elapsedAt returns the ticks counted by running segment s at tick t.
func (s *segment) elapsedAt(t uint64) uint64 {
	if s.paused || t < s.start {
		return s.elapsed
	}
	return s.elapsed + (t - s.start)
}

// phase3 returns where in its period a mode 3 segment is after d ticks
// (0 ≤ m < n, the high half first) and the length h of the high half.
func (s *segment) phase3(d uint64) (m, h uint64) {
	h = (s.n + 1) / 2
	m = d % s.n
	if s.low {
		m = (m + h) % s.n
	}
	return m, h
}

// level returns OUT for segment s in mode at tick t.
func (s *segment) level(mode uint8, t uint64) bool {
	if !s.running {
		return s.out
	}
	if s.paused && (mode == 2 || mode == 3) {
		return true
	}
	d := s.elapsedAt(t)
	switch mode {
	case 0, 1:
		return d >= s.n
	case 2:
		return d%s.n != s.n-1
	case 3:
		m, h := s.phase3(d)
		return m < h
	default: // 4, 5
		return d != s.n
	}
}

// count returns what the counting element of segment s holds at tick t.
func (s *segment) count(mode uint8, bcd bool, t uint64) uint16 {
	if !s.running {
		return s.ce
	}
	d := s.elapsedAt(t)
	switch mode {
	case 2:
		return sub(s.val, d%s.n, bcd)
	case 3:
		m, h := s.phase3(d)
		if m >= h {
			m -= h
		}
		return sub(s.val&^1, 2*m, bcd)
	default: // 0, 1, 4, 5
		return sub(s.val, d, bcd)
	}
}

// next returns the first tick after t at which segment s's OUT differs
// from its level at t, if it ever does while the segment lasts.
func (s *segment) next(mode uint8, t uint64) (uint64, bool) {
	if !s.running || s.paused {
		return 0, false
	}
	d := s.elapsedAt(t)
	switch mode {
	case 0, 1:
		if d < s.n {
			return t + (s.n - d), true
		}
	case 2:
		if s.n == 1 {
			return 0, false
		}
		if m := d % s.n; m < s.n-1 {
			return t + (s.n - 1 - m), true
		}
		return t + 1, true
	case 3:
		if s.n == 1 {
			return 0, false
		}
		m, h := s.phase3(d)
		if m < h {
			return t + (h - m), true
		}
		return t + (s.n - m), true
	default: // 4, 5
		if d < s.n {
			return t + (s.n - d), true
		}
		if d == s.n {
			return t + 1, true
		}
	}
	return 0, false
}
