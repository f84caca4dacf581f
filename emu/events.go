package emu

// This file implements the device event queue, keyed by cycle.

import "container/heap"

// event is a callback scheduled at a cycle.
type event struct {
	at    uint64
	seq   uint64 // scheduling order: ties run first-scheduled first
	id    uint64
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
		return m.running.Cycles
	}
	return m.now
}

// Schedule arranges for fn to run when global time reaches at (an at in
// the past means now). It returns an id for Cancel. Events at the same
// cycle run in the order they were scheduled.
func (m *Machine) Schedule(at uint64, fn func()) uint64 {
	m.nextSeq++
	m.nextID++
	e := &event{at: at, seq: m.nextSeq, id: m.nextID, fn: fn}
	heap.Push(&m.events, e)
	m.byID[e.id] = e
	if m.running != nil && at < m.running.Limit() {
		// The running processor must stop at the new event.
		m.running.SetLimit(max(at, m.running.Cycles))
	}
	return e.id
}

// Cancel removes a scheduled event; an unknown or fired id does nothing.
func (m *Machine) Cancel(id uint64) {
	e, ok := m.byID[id]
	if !ok {
		return
	}
	delete(m.byID, id)
	if e.index >= 0 {
		heap.Remove(&m.events, e.index)
	}
}

// nextEvent returns the cycle of the earliest event, or ^0 if none.
func (m *Machine) nextEvent() uint64 {
	if len(m.events) == 0 {
		return ^uint64(0)
	}
	return m.events[0].at
}

// fireEvents runs every event due at or before global time now.
func (m *Machine) fireEvents() {
	for len(m.events) > 0 && m.events[0].at <= m.now {
		e := heap.Pop(&m.events).(*event)
		delete(m.byID, e.id)
		e.fn()
	}
}
