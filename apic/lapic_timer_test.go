package apic_test

import (
	"slices"
	"testing"

	"preemptlab/apic"
)

const (
	lvtPeriodic    = 1 << 17
	lvtTSCDeadline = 2 << 17
	lvtMask        = 1 << 16
	timerVector    = 0x40
)

// timerRig is one enabled local APIC whose timer raises timerVector.
func timerRig(t *testing.T, hz uint64) (*rig, *apic.LAPIC) {
	r := newRigHz(t, 1, hz)
	r.enableAll()
	return r, r.sys.LAPIC(0)
}

// fired acknowledges and ends every pending interrupt and reports whether
// the timer's vector was among them.
func fired(l *apic.LAPIC) bool {
	got := false
	for l.PendingInterrupt() {
		if service(l) == timerVector {
			got = true
		}
	}
	return got
}

func TestTimerOneShotDivide(t *testing.T) {
	tests := []struct {
		divide  uint32
		divisor uint64
	}{
		{0x0, 2}, {0x1, 4}, {0x2, 8}, {0x3, 16},
		{0x8, 32}, {0x9, 64}, {0xA, 128}, {0xB, 1},
		{0x4, 2}, {0xF, 1}, {0xFFFFFFF4, 2}, // bit 2 and bits 4–31 are ignored
	}
	for _, tt := range tests {
		r, l := timerRig(t, 1_000_000_000)
		r.clock.now = 1000
		l.Write(apic.RegTimerDivide, tt.divide)
		l.Write(apic.RegLVTTimer, timerVector)
		l.Write(apic.RegTimerInitial, 10)
		d := tt.divisor
		if got := l.Read(apic.RegTimerDivide); got != tt.divide&0xB {
			t.Errorf("divide %#x reads %#x", tt.divide, got)
		}
		if got, want := r.clock.pending(), []uint64{1000 + 10*d}; !slices.Equal(got, want) {
			t.Errorf("divide %#x: events %v, want %v", tt.divide, got, want)
		}
		reads := []struct {
			at   uint64
			want uint32
		}{
			{1000, 10}, {1000 + d - 1, 10}, {1000 + d, 9}, {1000 + 3*d + d - 1, 7}, {1000 + 10*d - 1, 1},
		}
		for _, rd := range reads {
			r.clock.advance(rd.at)
			if got := l.Read(apic.RegTimerCurrent); got != rd.want {
				t.Errorf("divide by %d: current count at %d = %d, want %d", d, rd.at, got, rd.want)
			}
			if fired(l) {
				t.Errorf("divide by %d: fired before %d", d, 1000+10*d)
			}
		}
		r.clock.advance(1000 + 10*d)
		if !fired(l) {
			t.Errorf("divide by %d: did not fire at %d", d, 1000+10*d)
		}
		if got := l.Read(apic.RegTimerCurrent); got != 0 {
			t.Errorf("divide by %d: current count after firing = %d, want 0", d, got)
		}
		if got := l.Read(apic.RegTimerInitial); got != 10 {
			t.Errorf("initial count after firing = %d, want 10", got)
		}
		r.clock.advance(1_000_000)
		if fired(l) || len(r.clock.pending()) != 0 {
			t.Errorf("divide by %d: one-shot fired again or left events %v", d, r.clock.pending())
		}
	}
}

func TestTimerPeriodic(t *testing.T) {
	r, l := timerRig(t, 1_000_000_000)
	l.Write(apic.RegTimerDivide, 0xB)
	l.Write(apic.RegLVTTimer, lvtPeriodic|timerVector)
	l.Write(apic.RegTimerInitial, 5)
	counts := []uint32{5, 4, 3, 2, 1, 5, 4, 3, 2, 1, 5}
	for at, want := range counts {
		r.clock.advance(uint64(at))
		if got := l.Read(apic.RegTimerCurrent); got != want {
			t.Errorf("current count at %d = %d, want %d", at, got, want)
		}
		if got, want := fired(l), at > 0 && at%5 == 0; got != want {
			t.Errorf("at %d: fired = %v, want %v", at, got, want)
		}
	}
	if got := r.clock.pending(); !slices.Equal(got, []uint64{15}) {
		t.Errorf("pending events %v, want one at 15", got)
	}
	// A new initial count restarts the period from now.
	r.clock.advance(12)
	l.Write(apic.RegTimerInitial, 100)
	if got := r.clock.pending(); !slices.Equal(got, []uint64{112}) {
		t.Errorf("after reload, events %v, want [112]", got)
	}
	// Initial count 0 stops the timer.
	l.Write(apic.RegTimerInitial, 0)
	if got := r.clock.pending(); len(got) != 0 {
		t.Errorf("initial count 0 left events %v", got)
	}
	r.clock.advance(1000)
	if fired(l) || l.Read(apic.RegTimerCurrent) != 0 {
		t.Errorf("stopped timer fired or counts")
	}
}

func TestTimerNoDrift(t *testing.T) {
	tests := []struct {
		hz      uint64
		initial uint32
		divide  uint32
		// the k-th expiry is at ceil(k·initial·divisor·hz / 1e9)
		divisor uint64
	}{
		{1_000_000_000, 1000, 0xB, 1},
		{3_000_000_000, 1000, 0xB, 1},
		{2_400_000_000, 7, 0x0, 2},
		{1_234_567_891, 333, 0x3, 16},
		{100_000_000, 25, 0xB, 1},
	}
	for _, tt := range tests {
		r, l := timerRig(t, tt.hz)
		l.Write(apic.RegTimerDivide, tt.divide)
		l.Write(apic.RegLVTTimer, lvtPeriodic|timerVector)
		l.Write(apic.RegTimerInitial, tt.initial)
		for k := uint64(1); k <= 1000; k++ {
			bus := k * uint64(tt.initial) * tt.divisor
			want := (bus*tt.hz + 999_999_999) / 1_000_000_000
			e := r.clock.next()
			if e == nil || e.at != want {
				t.Fatalf("%d Hz: expiry %d scheduled at %v, want %d", tt.hz, k, r.clock.pending(), want)
			}
			if want > 0 {
				r.clock.advance(want - 1)
				if fired(l) {
					t.Fatalf("%d Hz: expiry %d early", tt.hz, k)
				}
			}
			r.clock.advance(want)
			if !fired(l) {
				t.Fatalf("%d Hz: expiry %d did not fire at %d", tt.hz, k, want)
			}
		}
	}
}

func TestTimerSlowClockCoalesces(t *testing.T) {
	// At 100 MHz ten bus ticks pass per cycle: a periodic count of 1 with
	// divide by 1 expires ten times a cycle, one event per cycle.
	r, l := timerRig(t, 100_000_000)
	l.Write(apic.RegTimerDivide, 0xB)
	l.Write(apic.RegLVTTimer, lvtPeriodic|timerVector)
	l.Write(apic.RegTimerInitial, 1)
	for c := uint64(1); c <= 5; c++ {
		if got := r.clock.pending(); !slices.Equal(got, []uint64{c}) {
			t.Fatalf("cycle %d: events %v", c, got)
		}
		r.clock.advance(c)
		if !fired(l) {
			t.Fatalf("cycle %d: no interrupt", c)
		}
	}
	// Current count at 100 MHz: 25 ticks, one cycle in → 15 left.
	l.Write(apic.RegLVTTimer, timerVector)
	l.Write(apic.RegTimerInitial, 25)
	r.clock.advance(6)
	if got := l.Read(apic.RegTimerCurrent); got != 15 {
		t.Errorf("current count = %d, want 15", got)
	}
	if got := r.clock.pending(); !slices.Equal(got, []uint64{8}) {
		t.Errorf("events %v, want [8] (25 ticks = 2.5 cycles after 5)", got)
	}
}

func TestTimerMasked(t *testing.T) {
	r, l := timerRig(t, 1_000_000_000)
	l.Write(apic.RegTimerDivide, 0xB)
	l.Write(apic.RegLVTTimer, lvtMask|lvtPeriodic|timerVector)
	l.Write(apic.RegTimerInitial, 10)
	if got := r.clock.pending(); len(got) != 0 {
		t.Errorf("masked timer scheduled %v", got)
	}
	r.clock.advance(25)
	if got := l.Read(apic.RegTimerCurrent); got != 5 {
		t.Errorf("masked timer count = %d, want 5", got)
	}
	if fired(l) {
		t.Errorf("masked timer fired")
	}
	l.Write(apic.RegLVTTimer, lvtPeriodic|timerVector) // unmask, same phase
	if got := r.clock.pending(); !slices.Equal(got, []uint64{30}) {
		t.Errorf("unmasked timer events %v, want [30]", got)
	}
	r.clock.advance(30)
	if !fired(l) {
		t.Errorf("unmasked timer did not fire at 30")
	}
	l.Write(apic.RegLVTTimer, lvtMask|lvtPeriodic|timerVector)
	if got := r.clock.pending(); len(got) != 0 {
		t.Errorf("masking left events %v", got)
	}
	// A one-shot that expires masked stays expired.
	l.Write(apic.RegLVTTimer, lvtMask|timerVector)
	l.Write(apic.RegTimerInitial, 10)
	r.clock.advance(45)
	l.Write(apic.RegLVTTimer, timerVector)
	if got := r.clock.pending(); len(got) != 0 || l.Read(apic.RegTimerCurrent) != 0 {
		t.Errorf("expired one-shot rearmed: %v", got)
	}
	r.clock.advance(1000)
	if fired(l) {
		t.Errorf("expired one-shot fired on unmask")
	}
}

func TestTimerModeAndDivideChanges(t *testing.T) {
	r, l := timerRig(t, 1_000_000_000)
	l.Write(apic.RegTimerDivide, 0xB)
	// Divide change mid-count: the count carries on at the new rate.
	l.Write(apic.RegLVTTimer, timerVector)
	l.Write(apic.RegTimerInitial, 100)
	r.clock.advance(40)
	l.Write(apic.RegTimerDivide, 0x0) // by 2
	r.clock.advance(50)
	if got := l.Read(apic.RegTimerCurrent); got != 55 {
		t.Errorf("count after divide change = %d, want 55", got)
	}
	if got := r.clock.pending(); !slices.Equal(got, []uint64{160}) {
		t.Errorf("events %v, want [160]", got)
	}
	r.clock.advance(160)
	if !fired(l) {
		t.Errorf("did not fire at 160")
	}

	// One-shot → periodic mid-count: fires at the end and reloads.
	l.Write(apic.RegTimerDivide, 0xB)
	r.clock.advance(200)
	l.Write(apic.RegTimerInitial, 10)
	r.clock.advance(205)
	l.Write(apic.RegLVTTimer, lvtPeriodic|timerVector)
	if got := l.Read(apic.RegTimerCurrent); got != 5 {
		t.Errorf("count after mode change = %d, want 5", got)
	}
	for _, at := range []uint64{210, 220, 230} {
		r.clock.advance(at)
		if !fired(l) {
			t.Errorf("periodic after switch did not fire at %d", at)
		}
	}
	// Periodic → one-shot: the current period ends, then nothing.
	r.clock.advance(232)
	l.Write(apic.RegLVTTimer, timerVector)
	r.clock.advance(240)
	if !fired(l) {
		t.Errorf("one-shot after switch did not fire at 240")
	}
	r.clock.advance(1000)
	if fired(l) || len(r.clock.pending()) != 0 {
		t.Errorf("one-shot after switch fired again")
	}
}

func TestTimerSameCycleWrite(t *testing.T) {
	// A register write in the cycle of an expiry whose event has not run
	// yet sees the expiry done, and it is delivered exactly once.
	r, l := timerRig(t, 1_000_000_000)
	l.Write(apic.RegTimerDivide, 0xB)
	l.Write(apic.RegLVTTimer, lvtPeriodic|timerVector)
	l.Write(apic.RegTimerInitial, 10)
	r.clock.now = 10 // time reaches the expiry; the event has not run
	l.Write(apic.RegTimerDivide, 0xB)
	if !fired(l) {
		t.Errorf("expiry due now was not delivered by the register write")
	}
	if got := r.clock.pending(); !slices.Equal(got, []uint64{20}) {
		t.Errorf("events %v, want [20]", got)
	}
	r.clock.advance(19)
	if fired(l) {
		t.Errorf("expiry at 10 delivered twice")
	}
}

func TestTimerTSCDeadline(t *testing.T) {
	r, l := timerRig(t, 1_000_000_000)
	read := func() uint64 {
		v, ok := l.ReadMSR(apic.MSRTSCDeadline)
		if !ok {
			t.Fatal("IA32_TSC_DEADLINE not readable")
		}
		return v
	}
	// In one-shot mode the MSR reads 0 and ignores writes.
	if !l.WriteMSR(apic.MSRTSCDeadline, 500) || read() != 0 || len(r.clock.pending()) != 0 {
		t.Errorf("deadline write in one-shot mode was not ignored")
	}
	l.Write(apic.RegLVTTimer, lvtTSCDeadline|timerVector)
	r.clock.advance(100)
	l.WriteMSR(apic.MSRTSCDeadline, 500)
	if got := read(); got != 500 {
		t.Errorf("armed deadline reads %d", got)
	}
	if got := r.clock.pending(); !slices.Equal(got, []uint64{500}) {
		t.Errorf("events %v, want [500]", got)
	}
	// Initial-count writes are ignored; the current count reads 0.
	l.Write(apic.RegTimerInitial, 7)
	if l.Read(apic.RegTimerInitial) != 0 || l.Read(apic.RegTimerCurrent) != 0 {
		t.Errorf("initial count written in TSC-deadline mode")
	}
	r.clock.advance(499)
	if fired(l) {
		t.Errorf("fired early")
	}
	r.clock.advance(500)
	if !fired(l) {
		t.Errorf("did not fire at the deadline")
	}
	if got := read(); got != 0 {
		t.Errorf("deadline after firing reads %d, want 0", got)
	}
	// A deadline in the past fires at once.
	l.WriteMSR(apic.MSRTSCDeadline, 3)
	if !fired(l) || read() != 0 || len(r.clock.pending()) != 0 {
		t.Errorf("past deadline did not fire at once")
	}
	// Writing 0 disarms.
	l.WriteMSR(apic.MSRTSCDeadline, 900)
	l.WriteMSR(apic.MSRTSCDeadline, 0)
	r.clock.advance(1000)
	if fired(l) || len(r.clock.pending()) != 0 {
		t.Errorf("disarmed deadline fired")
	}
	// Rewriting moves it.
	l.WriteMSR(apic.MSRTSCDeadline, 2000)
	l.WriteMSR(apic.MSRTSCDeadline, 1500)
	if got := r.clock.pending(); !slices.Equal(got, []uint64{1500}) {
		t.Errorf("events %v, want [1500]", got)
	}
	// A deadline passing while masked disarms silently.
	l.Write(apic.RegLVTTimer, lvtMask|lvtTSCDeadline|timerVector)
	r.clock.advance(1600)
	if got := read(); got != 0 {
		t.Errorf("deadline passed masked reads %d", got)
	}
	l.Write(apic.RegLVTTimer, lvtTSCDeadline|timerVector)
	r.clock.advance(5000)
	if fired(l) {
		t.Errorf("deadline passed masked fired on unmask")
	}
	// Leaving TSC-deadline mode disarms.
	l.WriteMSR(apic.MSRTSCDeadline, 6000)
	l.Write(apic.RegLVTTimer, timerVector)
	if len(r.clock.pending()) != 0 {
		t.Errorf("leaving TSC-deadline mode left events %v", r.clock.pending())
	}
	l.Write(apic.RegLVTTimer, lvtTSCDeadline|timerVector)
	if got := read(); got != 0 {
		t.Errorf("deadline survived a mode round trip: %d", got)
	}
	// Entering TSC-deadline mode stops a count and clears the initial count.
	l.Write(apic.RegLVTTimer, timerVector)
	l.Write(apic.RegTimerInitial, 100)
	l.Write(apic.RegLVTTimer, lvtTSCDeadline|timerVector)
	if len(r.clock.pending()) != 0 || l.Read(apic.RegTimerInitial) != 0 {
		t.Errorf("entering TSC-deadline mode did not disarm the count")
	}
}

func TestTimerReservedMode(t *testing.T) {
	r, l := timerRig(t, 1_000_000_000)
	l.Write(apic.RegLVTTimer, 3<<17|timerVector)
	l.Write(apic.RegTimerInitial, 10)
	l.WriteMSR(apic.MSRTSCDeadline, 5)
	r.clock.advance(100)
	if fired(l) || len(r.clock.pending()) != 0 || l.Read(apic.RegTimerCurrent) != 0 {
		t.Errorf("the reserved timer mode runs")
	}
	if got := l.Read(apic.RegTimerInitial); got != 10 {
		t.Errorf("initial count = %d, want 10 (stored)", got)
	}
}

func TestTimerIllegalVector(t *testing.T) {
	r, l := timerRig(t, 1_000_000_000)
	l.Write(apic.RegTimerDivide, 0xB)
	l.Write(apic.RegLVTTimer, 0x0F)
	l.Write(apic.RegTimerInitial, 1)
	r.clock.advance(1)
	if l.PendingInterrupt() {
		t.Errorf("vector 15 delivered")
	}
	if got := latchESR(l); got != apic.ESRRecvIllegalVector {
		t.Errorf("ESR = %#x, want receive illegal vector", got)
	}
}

func TestTimerINITReset(t *testing.T) {
	r := newRig(t, 2)
	r.enableAll()
	l := r.sys.LAPIC(1)
	l.Write(apic.RegID, 0x09000000)
	l.Write(apic.RegLVTTimer, lvtPeriodic|timerVector)
	l.Write(apic.RegTimerInitial, 10)
	src := r.sys.LAPIC(0)
	src.Write(apic.RegICRHigh, 0x09000000)
	src.Write(apic.RegICRLow, 0x4500) // INIT, level assert
	if len(r.clock.pending()) != 0 {
		t.Errorf("INIT left timer events %v", r.clock.pending())
	}
	for off, want := range map[uint32]uint32{apic.RegID: 0x09000000, apic.RegSVR: 0xFF, apic.RegLVTTimer: 0x10000, apic.RegTimerInitial: 0, apic.RegDFR: 0xFFFFFFFF} {
		if got := l.Read(off); got != want {
			t.Errorf("after INIT Read(%#x) = %#x, want %#x", off, got, want)
		}
	}
	if got := r.cpus.take(); !slices.Equal(got, []string{"init 1"}) {
		t.Errorf("log = %q", got)
	}
}
