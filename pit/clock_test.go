package pit_test

// This file implements the fake Clock and the test rig the tests share.

import (
	"testing"

	"preemptlab/pit"
)

// fakeClock is a deterministic Clock: a list of events run in (cycle,
// order of scheduling) order as time is advanced by hand.
type fakeClock struct {
	t      *testing.T
	now    uint64
	nextID uint64
	events []fakeEvent

	scheduled, cancelled, fired int
}

type fakeEvent struct {
	at, id uint64 // ids increase, so they also give the scheduling order
	fn     func()
}

func (c *fakeClock) Now() uint64 { return c.now }

func (c *fakeClock) Schedule(at uint64, fn func()) uint64 {
	if at < c.now {
		c.t.Errorf("Schedule(%d) at cycle %d: in the past", at, c.now)
	}
	c.nextID++
	c.events = append(c.events, fakeEvent{at: at, id: c.nextID, fn: fn})
	c.scheduled++
	return c.nextID
}

func (c *fakeClock) Cancel(id uint64) {
	for i, e := range c.events {
		if e.id == id {
			c.events = append(c.events[:i], c.events[i+1:]...)
			c.cancelled++
			return
		}
	}
}

// advanceTo runs every event due at or before cycle t, in order, and
// leaves the clock at t.
func (c *fakeClock) advanceTo(t uint64) {
	for {
		best := -1
		for i, e := range c.events {
			if e.at <= t && (best < 0 || e.at < c.events[best].at ||
				e.at == c.events[best].at && e.id < c.events[best].id) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		e := c.events[best]
		c.events = append(c.events[:best], c.events[best+1:]...)
		c.now = e.at
		c.fired++
		e.fn()
	}
	if t > c.now {
		c.now = t
	}
}

// irqEdge is one call of the IRQ 0 callback.
type irqEdge struct {
	cycle uint64
	level bool
}

// rig is a PIT on a fake clock, recording IRQ 0.
type rig struct {
	t     *testing.T
	clk   *fakeClock
	pit   *pit.PIT
	irqs  []irqEdge
	level bool
}

func newRig(t *testing.T, cps uint64) *rig {
	t.Helper()
	r := &rig{t: t, clk: &fakeClock{t: t}}
	r.pit = pit.New(r.clk, cps, func(level bool) {
		if level == r.level {
			t.Errorf("irq0(%v) at cycle %d: level did not change", level, r.clk.now)
		}
		r.level = level
		r.irqs = append(r.irqs, irqEdge{r.clk.now, level})
	})
	return r
}

// at advances the clock to cycle c.
func (r *rig) at(c uint64) *rig {
	r.clk.advanceTo(c)
	return r
}

// out writes bytes to port.
func (r *rig) out(port uint16, bytes ...uint8) {
	for _, b := range bytes {
		r.pit.Out(port, b)
	}
}

// read16 reads a count, LSB then MSB.
func (r *rig) read16(port uint16) uint16 {
	lo := r.pit.In(port)
	hi := r.pit.In(port)
	return uint16(lo) | uint16(hi)<<8
}

// rises returns the cycles at which IRQ 0 went high.
func (r *rig) rises() []uint64 {
	var c []uint64
	for _, e := range r.irqs {
		if e.level {
			c = append(c, e.cycle)
		}
	}
	return c
}

// bit renders a level as '0' or '1'.
func bit(b bool) byte {
	if b {
		return '1'
	}
	return '0'
}
