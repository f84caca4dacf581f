package apic

// This file implements the local APIC timer: one-shot, periodic and
// TSC-deadline modes, driven by the 1 GHz APIC bus clock derived from
// global time. The current count is computed from time, and one Clock
// event is scheduled per unmasked expiry.

import (
	"math"
	"math/bits"
)

// Timer modes, LVT timer bits 17–18.
const (
	timerOneShot     = 0
	timerPeriodic    = 1
	timerTSCDeadline = 2
	// Mode 11b is reserved by the SDM. Here the timer does not run in it:
	// the current count reads 0, initial-count writes are stored but start
	// nothing, and IA32_TSC_DEADLINE reads 0 and ignores writes.
)

// timer is the state of a local APIC timer. In the count modes the
// counter held start at bus tick base, decrements once every 2^shift bus
// ticks, and expires when it reaches 0; a periodic timer then reloads
// initial.
type timer struct {
	initial uint32 // initial-count register
	divide  uint32 // divide configuration register
	shift   uint   // log2 of the divisor the divide configuration selects

	start uint32 // the count at bus tick base; 0 when the counter is stopped
	base  uint64 // bus tick at which the count was start

	deadline uint64 // armed IA32_TSC_DEADLINE, 0 when disarmed

	armed    bool   // an expiry event is scheduled
	eventID  uint64 // its Clock id
	eventAt  uint64 // its global cycle
	gen      uint64 // counts schedulings, so a stale callback does nothing
	eventGen uint64 // gen of the scheduled event
}

// divideShift returns log2 of the divisor a divide configuration value
// selects (SDM figure 11-10): bits 0, 1 and 3 form n, the divisor is
// 2^(n+1) and n = 7 (1011b) means divide by 1. Every value is valid.
func divideShift(v uint32) uint {
	n := v&3 | (v>>1)&4
	return uint(n+1) & 7
}

// busAt returns the number of APIC bus ticks in the first t cycles of
// global time: floor(t·BusHz / cyclesPerSecond), saturating.
func (s *System) busAt(t uint64) uint64 {
	hi, lo := bits.Mul64(t, BusHz)
	if hi >= s.cps {
		return math.MaxUint64
	}
	q, _ := bits.Div64(hi, lo, s.cps)
	return q
}

// cycleOfBus returns the first global cycle at which b bus ticks have
// elapsed: ceil(b·cyclesPerSecond / BusHz), saturating.
func (s *System) cycleOfBus(b uint64) uint64 {
	hi, lo := bits.Mul64(b, s.cps)
	lo, carry := bits.Add64(lo, BusHz-1, 0)
	hi += carry
	if hi >= BusHz {
		return math.MaxUint64
	}
	q, _ := bits.Div64(hi, lo, BusHz)
	return q
}

// addSat returns a+b, or MaxUint64 if that overflows.
func addSat(a, b uint64) uint64 {
	s, c := bits.Add64(a, b, 0)
	if c != 0 {
		return math.MaxUint64
	}
	return s
}

// timerMode returns the LVT timer mode field.
func (l *LAPIC) timerMode() uint32 { return l.lvt[lvtTimer] >> 17 & 3 }

// counting reports whether a timer mode is one of the two count modes.
func counting(mode uint32) bool { return mode == timerOneShot || mode == timerPeriodic }

// elapsed returns the counter decrements between base and bus tick b.
func (t *timer) elapsed(b uint64) uint64 {
	if b <= t.base {
		return 0
	}
	return (b - t.base) >> t.shift
}

// countAfter returns the current count e decrements after base.
func (t *timer) countAfter(e uint64, periodic bool) uint32 {
	switch {
	case t.start == 0:
		return 0
	case e < uint64(t.start):
		return t.start - uint32(e)
	case !periodic || t.initial == 0:
		return 0
	}
	return t.initial - uint32((e-uint64(t.start))%uint64(t.initial))
}

// nextExpiry returns the decrement count, after base, of the first expiry
// strictly after e decrements; ok is false if the timer will not expire.
func (t *timer) nextExpiry(e uint64, periodic bool) (x uint64, ok bool) {
	switch {
	case t.start == 0:
		return 0, false
	case e < uint64(t.start):
		return uint64(t.start), true
	case !periodic || t.initial == 0:
		return 0, false
	}
	k := (e-uint64(t.start))/uint64(t.initial) + 1
	return addSat(uint64(t.start), k*uint64(t.initial)), true
}

// currentCount is the current-count register: 0 outside the count modes.
func (l *LAPIC) currentCount() uint32 {
	mode := l.timerMode()
	if !counting(mode) {
		return 0
	}
	t := &l.timer
	return t.countAfter(t.elapsed(l.sys.busAt(l.now())), mode == timerPeriodic)
}

// timerReset stops the timer and puts its registers in their reset state
// (initial count 0, divide configuration 0: divide by 2).
func (l *LAPIC) timerReset() {
	l.timerCancel()
	gen := l.timer.gen
	l.timer = timer{shift: divideShift(0), gen: gen}
}

// timerCancel removes the scheduled expiry event, if any.
func (l *LAPIC) timerCancel() {
	if l.timer.armed {
		l.sys.clock.Cancel(l.timer.eventID)
		l.timer.armed = false
	}
}

// timerSync fires the scheduled expiry now if it is due at or before now
// and has not yet run (a register access in the same cycle as the expiry
// sees the expiry done), so a register change never loses an expiry.
func (l *LAPIC) timerSync(now uint64) {
	for l.timer.armed && l.timer.eventAt <= now {
		at := l.timer.eventAt
		l.timerCancel()
		l.timerExpire(at)
	}
}

// timerRebase moves base up to now, in the current mode, keeping the
// phase of the divider: afterwards start is the current count.
func (l *LAPIC) timerRebase(now uint64) {
	t := &l.timer
	b := l.sys.busAt(now)
	e := t.elapsed(b)
	t.start = t.countAfter(e, l.timerMode() == timerPeriodic)
	t.base = addSat(t.base, e<<t.shift)
}

// timerArm schedules the next expiry after now, if the timer is unmasked
// and will expire; any earlier scheduling is cancelled first. A masked
// timer keeps counting without events; expiries it passes are lost, as
// on hardware, and a TSC deadline that passes while masked disarms.
func (l *LAPIC) timerArm(now uint64) {
	l.timerCancel()
	if l.lvt[lvtTimer]&lvtMasked != 0 {
		return
	}
	t := &l.timer
	var at uint64
	switch mode := l.timerMode(); mode {
	case timerTSCDeadline:
		if t.deadline == 0 {
			return
		}
		if t.deadline <= now {
			t.deadline = 0
			return
		}
		at = t.deadline
	case timerOneShot, timerPeriodic:
		e := t.elapsed(l.sys.busAt(now))
		x, ok := t.nextExpiry(e, mode == timerPeriodic)
		if !ok {
			return
		}
		at = l.sys.cycleOfBus(addSat(t.base, x<<t.shift))
	default:
		return
	}
	t.gen++
	t.armed = true
	t.eventAt = at
	t.eventGen = t.gen
	if l.timerEvent == nil {
		l.timerEvent = l.onTimerEvent // made once: arming allocates nothing
	}
	t.eventID = l.sys.clock.Schedule(at, l.timerEvent)
}

// onTimerEvent is the clock callback of the armed expiry. The generation
// check makes a callback that outlived its arming (a Clock whose Cancel
// came too late) do nothing.
func (l *LAPIC) onTimerEvent() {
	if l.timer.armed && l.timer.gen == l.timer.eventGen {
		l.timer.armed = false
		l.timerExpire(l.timer.eventAt)
	}
}

// timerExpire handles an expiry at global cycle at: a TSC deadline
// disarms, a periodic timer schedules its next expiry, and the LVT timer
// interrupt is raised.
func (l *LAPIC) timerExpire(at uint64) {
	if l.timerMode() == timerTSCDeadline {
		l.timer.deadline = 0
	} else {
		l.timerArm(at)
	}
	l.localInterrupt(lvtTimer)
}

// setTimerLVT stores a new LVT timer entry. Between one-shot and periodic
// the count carries on (the new mode decides what happens at expiry).
// Entering or leaving TSC-deadline (or the reserved mode) disarms the
// timer (SDM 11.5.4.1): the deadline and the initial count become 0, as
// KVM does, so the current count reads 0.
func (l *LAPIC) setTimerLVT(v uint32) {
	now := l.now()
	l.timerSync(now)
	oldMode, newMode := l.timerMode(), v>>17&3
	if oldMode != newMode {
		if counting(oldMode) && counting(newMode) {
			l.timerRebase(now)
		} else {
			t := &l.timer
			t.start, t.initial, t.deadline = 0, 0, 0
		}
	}
	l.lvt[lvtTimer] = v
	l.timerArm(now)
}

// writeInitialCount loads the counter (SDM 11.5.4): counting restarts from
// v now, and 0 stops the timer. Ignored in TSC-deadline mode.
func (l *LAPIC) writeInitialCount(v uint32) {
	mode := l.timerMode()
	if mode == timerTSCDeadline {
		return
	}
	now := l.now()
	l.timerSync(now)
	t := &l.timer
	t.initial = v
	if !counting(mode) {
		return
	}
	t.start = v
	t.base = l.sys.busAt(now)
	l.timerArm(now)
}

// writeDivide sets the divide configuration. A running count carries on
// from its current value and divider phase at the new rate.
func (l *LAPIC) writeDivide(v uint32) {
	now := l.now()
	l.timerSync(now)
	if counting(l.timerMode()) {
		l.timerRebase(now)
	}
	l.timer.divide = v & divideBits
	l.timer.shift = divideShift(l.timer.divide)
	l.timerArm(now)
}

// readDeadline is IA32_TSC_DEADLINE as software reads it.
func (l *LAPIC) readDeadline() uint64 {
	if l.timerMode() != timerTSCDeadline {
		return 0
	}
	if d := l.timer.deadline; d != 0 && l.now() < d {
		return d
	}
	return 0
}

// writeDeadline arms (or, with 0, disarms) the TSC-deadline timer. A
// deadline at or before now fires at once.
func (l *LAPIC) writeDeadline(v uint64) {
	if !l.hardwareEnabled() || l.timerMode() != timerTSCDeadline {
		return
	}
	now := l.now()
	l.timerSync(now)
	l.timer.deadline = v
	if v != 0 && v <= now {
		l.timerCancel()
		l.timer.deadline = 0
		l.localInterrupt(lvtTimer)
		return
	}
	l.timerArm(now)
}
