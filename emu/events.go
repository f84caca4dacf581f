package emu

// This file implements the device event queue, keyed by cycle.

import "container/heap"

// event is a callback scheduled at a cycle.
type event struct {
	at    uint64
	seq   uint64 // scheduling order: ties run first-scheduled first
	id    uint64 // generation<<32 | slot in Machine.slab
	fn    func()
	index int // position in the heap, -1 once removed
}

// eventQueue is a min-heap of events by (at, seq).
type eventQueue []*event

func (q eventQueue) Len() int { return len(q) }
func (q eventQueue) Less(i, j int) bool {
	if q[i].at != q[j].at {
		return q[i].at < q[j].at
	}
	return q[i].seq < q[j].seq
}
func (q eventQueue) Swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].index = i
	q[j].index = j
}
func (q *eventQueue) Push(x any) {
	e := x.(*event)
	e.index = len(*q)
	*q = append(*q, e)
}
func (q *eventQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	e.index = -1
	return e
}

// Now returns the current time in cycles: inside a processor's device
// access, that processor's time; otherwise global time.
func (m *Machine) Now() uint64 {
	if m.running != nil {
		return m.running.Now()
	}
	return m.now
}

// Schedule arranges for fn to run when global time reaches at (an at in
// the past means now). It returns an id for Cancel. Events at the same
// cycle run in the order they were scheduled.
func (m *Machine) Schedule(at uint64, fn func()) uint64 {
	m.nextSeq++
	e := m.newEvent()
	e.at, e.seq, e.fn = at, m.nextSeq, fn
	heap.Push(&m.events, e)
	if m.running != nil && at < m.running.Limit() {
		// The running processor must stop at the new event.
		m.running.SetLimit(max(at, m.running.Now()))
	}
	return e.id
}

// Cancel removes a scheduled event; an unknown or fired id does nothing.
func (m *Machine) Cancel(id uint64) {
	slot := id & 0xFFFFFFFF
	if slot >= uint64(len(m.slab)) {
		return
	}
	e := m.slab[slot]
	if e.id != id || e.index < 0 {
		return // fired or cancelled: the slot moved on
	}
	heap.Remove(&m.events, e.index)
	m.freeEvent(e)
}

// newEvent takes an event from the free list (or makes one). Its id is
// its slot in m.slab and a generation, so ids are never reused and Cancel
// needs no map.
func (m *Machine) newEvent() *event {
	var e *event
	if n := len(m.free); n > 0 {
		e = m.free[n-1]
		m.free = m.free[:n-1]
	} else {
		e = &event{id: uint64(len(m.slab))}
		m.slab = append(m.slab, e)
	}
	e.id += 1 << 32 // next generation of the slot
	return e
}

// freeEvent returns a fired or cancelled event to the free list.
func (m *Machine) freeEvent(e *event) {
	e.fn = nil
	e.index = -1
	m.free = append(m.free, e)
}

// nextEvent returns the cycle of the earliest event, or ^0 if none.
func (m *Machine) nextEvent() uint64 {
	if len(m.events) == 0 {
		return ^uint64(0)
	}
	return m.events[0].at
}

// fireEvents runs the events due at or before global time now, in order.
// Each runs at its own cycle: Now is the event's time while it runs, so a
// processor it wakes from HLT, a wait or a busy stretch starts at that
// cycle, even when the processors still running have passed it. It stops
// early when an event made a processor ready before the next event, which
// must then run first.
func (m *Machine) fireEvents() {
	now := m.now
	for len(m.events) > 0 && m.events[0].at <= now {
		e := heap.Pop(&m.events).(*event)
		fn := e.fn
		m.freeEvent(e)
		m.now = e.at
		fn()
		if m.readyBefore(m.nextEvent()) {
			break
		}
	}
	m.now = now
}

// readyBefore reports whether a processor is ready to execute before cycle at.
func (m *Machine) readyBefore(at uint64) bool {
	for _, c := range m.cpus {
		if r, ok := readyAt(c); ok && r < at {
			return true
		}
	}
	return false
}
