package apic_test

// This file implements the fake Clock and CPUControl the tests drive the
// APICs with, and small helpers.

import (
	"fmt"
	"slices"
	"testing"

	"preemptlab/apic"
)

// fakeClock is a Clock whose time moves only when a test advances it.
type fakeClock struct {
	t      *testing.T
	now    uint64
	seq    uint64
	nextID uint64
	events []*fakeEvent // pending, unordered
}

type fakeEvent struct {
	at, seq, id uint64
	fn          func()
}

func (c *fakeClock) Now() uint64 { return c.now }

func (c *fakeClock) Schedule(at uint64, fn func()) uint64 {
	c.t.Helper()
	if at < c.now {
		c.t.Errorf("Schedule(%d) in the past (now %d)", at, c.now)
	}
	c.seq++
	c.nextID++
	c.events = append(c.events, &fakeEvent{at: at, seq: c.seq, id: c.nextID, fn: fn})
	return c.nextID
}

func (c *fakeClock) Cancel(id uint64) {
	c.events = slices.DeleteFunc(c.events, func(e *fakeEvent) bool { return e.id == id })
}

// next returns the earliest pending event, or nil.
func (c *fakeClock) next() *fakeEvent {
	var best *fakeEvent
	for _, e := range c.events {
		if best == nil || e.at < best.at || e.at == best.at && e.seq < best.seq {
			best = e
		}
	}
	return best
}

// advance runs, in order, every event due at or before to, each at its
// own time, then sets the time to to.
func (c *fakeClock) advance(to uint64) {
	for {
		e := c.next()
		if e == nil || e.at > to {
			break
		}
		c.Cancel(e.id)
		c.now = e.at
		e.fn()
	}
	c.now = to
}

// pending returns the times of the pending events, sorted.
func (c *fakeClock) pending() []uint64 {
	var at []uint64
	for _, e := range c.events {
		at = append(at, e.at)
	}
	slices.Sort(at)
	return at
}

// fakeCPUs is a CPUControl that records what the APICs asked of it.
type fakeCPUs struct {
	log []string
}

func (f *fakeCPUs) Kick(cpu int) { f.log = append(f.log, fmt.Sprintf("kick %d", cpu)) }
func (f *fakeCPUs) INIT(cpu int) { f.log = append(f.log, fmt.Sprintf("init %d", cpu)) }
func (f *fakeCPUs) StartUp(cpu int, vector uint8) {
	f.log = append(f.log, fmt.Sprintf("sipi %d %#x", cpu, vector))
}

// take returns the log and empties it.
func (f *fakeCPUs) take() []string {
	l := f.log
	f.log = nil
	return l
}

// rig is a System with its fakes.
type rig struct {
	sys   *apic.System
	clock *fakeClock
	cpus  *fakeCPUs
}

// newRig builds a System of ncpu processors at 1 GHz (a bus tick a cycle).
func newRig(t *testing.T, ncpu int) *rig {
	return newRigHz(t, ncpu, 1_000_000_000)
}

func newRigHz(t *testing.T, ncpu int, hz uint64) *rig {
	c := &fakeClock{t: t}
	f := &fakeCPUs{}
	return &rig{sys: apic.NewSystem(ncpu, c, f, hz), clock: c, cpus: f}
}

// enableAll software-enables every local APIC (spurious vector 0xFF).
func (r *rig) enableAll() {
	for i := 0; i < r.sys.NCPU(); i++ {
		r.sys.LAPIC(i).Write(apic.RegSVR, 0x1FF)
	}
	r.cpus.take()
}

// irrVectors returns the vectors set in a 256-bit register of l.
func vectors(l *apic.LAPIC, base uint32) []int {
	var v []int
	for i := 0; i < 8; i++ {
		w := l.Read(base + uint32(i)*0x10)
		for b := 0; b < 32; b++ {
			if w&(1<<b) != 0 {
				v = append(v, i*32+b)
			}
		}
	}
	return v
}

// latchESR writes the ESR and returns what it then reads.
func latchESR(l *apic.LAPIC) uint32 {
	l.Write(apic.RegESR, 0)
	return l.Read(apic.RegESR)
}

// selfIPI sends a fixed edge interrupt to l itself.
func selfIPI(l *apic.LAPIC, vector uint8) {
	l.Write(apic.RegICRLow, 1<<18|uint32(vector))
}

// service acknowledges and ends one interrupt, returning its vector.
func service(l *apic.LAPIC) uint8 {
	v := l.Acknowledge()
	l.Write(apic.RegEOI, 0)
	return v
}
