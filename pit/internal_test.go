package pit

// This file checks the package's arithmetic: BCD counting and the
// conversion between cycles and ticks.

import (
	"math"
	"testing"
)

// fixedClock is a Clock stuck at one cycle, enough for arithmetic tests.
type fixedClock uint64

func (c fixedClock) Now() uint64                    { return uint64(c) }
func (c fixedClock) Schedule(uint64, func()) uint64 { return 0 }
func (c fixedClock) Cancel(uint64)                  {}

func TestBCDSub(t *testing.T) {
	tests := []struct {
		val  uint16
		k    uint64
		want uint16
	}{
		{0x1234, 0, 0x1234},
		{0x1234, 4, 0x1230},
		{0x1234, 5, 0x1229},
		{0x1234, 1234, 0x0000},
		{0x1234, 1235, 0x9999},
		{0x0000, 1, 0x9999},
		{0x0000, 10000, 0x0000},
		{0x0000, 10001, 0x9999},
		{0x0100, 1, 0x0099},
		{0x9999, 9999, 0x0000},
		{0x0005, 10000*7 + 5, 0x0000},
		{0x00FA, 1, 0x00F9},  // bad BCD: digits above 9 count down
		{0x00FA, 11, 0x00E9}, // A→0, then wraps to 9 borrowing from F
		{0x00FA, 160, 0x0000},
	}
	for _, tc := range tests {
		if got := bcdSub(tc.val, tc.k); got != tc.want {
			t.Errorf("bcdSub(%#04x, %d) = %#04x, want %#04x", tc.val, tc.k, got, tc.want)
		}
	}
	// Against step-by-step decrement of valid BCD.
	for v := 0; v < 10000; v += 37 {
		enc := uint16(v%10 | v/10%10<<4 | v/100%10<<8 | v/1000<<12)
		for k := uint64(0); k < 25000; k += 997 {
			w := (v - int(k%10000) + 10000) % 10000
			want := uint16(w%10 | w/10%10<<4 | w/100%10<<8 | w/1000<<12)
			if got := bcdSub(enc, k); got != want {
				t.Fatalf("bcdSub(%#04x, %d) = %#04x, want %#04x", enc, k, got, want)
			}
		}
	}
}

func TestSteps(t *testing.T) {
	tests := []struct {
		val  uint16
		bcd  bool
		want uint64
	}{
		{0, false, 65536}, {1, false, 1}, {0xFFFF, false, 65535},
		{0, true, 10000}, {0x9999, true, 9999}, {0x0100, true, 100}, {0x00FA, true, 160},
	}
	for _, tc := range tests {
		if got := steps(tc.val, tc.bcd); got != tc.want {
			t.Errorf("steps(%#04x, %v) = %d, want %d", tc.val, tc.bcd, got, tc.want)
		}
	}
}

func TestTickConversion(t *testing.T) {
	for _, cps := range []uint64{1, 1_000_000, InputHz, InputHz + 1, 1_000_000_000, 3_999_999_989, math.MaxUint64} {
		p := New(fixedClock(0), cps, nil)
		for _, n := range []uint64{0, 1, 2, 1193, 1193182, 1 << 32, 1 << 40, 123456789012} {
			c := p.cycleOf(n)
			if c == math.MaxUint64 {
				continue // saturated
			}
			if got := p.tickAt(c); got < n {
				t.Errorf("cps %d: tickAt(cycleOf(%d)=%d) = %d, want ≥ %d", cps, n, c, got, n)
			}
			if c > 0 {
				if got := p.tickAt(c - 1); got >= n {
					t.Errorf("cps %d: tickAt(cycleOf(%d)−1) = %d, want < %d", cps, n, got, n)
				}
			}
			if cps >= InputHz && p.tickAt(c) != n {
				t.Errorf("cps %d: tickAt(cycleOf(%d)) = %d", cps, n, p.tickAt(c))
			}
		}
	}
	// One simulated year at 1000 MHz, exactly.
	p := New(fixedClock(0), 1_000_000_000, nil)
	year := uint64(365 * 24 * 3600)
	if got := p.tickAt(year * 1_000_000_000); got != year*InputHz {
		t.Errorf("ticks in a year = %d, want %d", got, year*InputHz)
	}
	// Extremes saturate instead of panicking.
	p = New(fixedClock(0), 1, nil)
	if got := p.tickAt(math.MaxUint64); got != math.MaxUint64 {
		t.Errorf("tickAt(max) at 1 Hz = %d, want saturation", got)
	}
	if got := p.cycleOf(math.MaxUint64); got == 0 {
		t.Errorf("cycleOf(max) = 0")
	}
	p = New(fixedClock(0), 0, nil)
	if p.cps != InputHz {
		t.Errorf("cps 0 taken as %d, want %d", p.cps, InputHz)
	}
}

// TestExtremeTimes drives the ports at the end of time: nothing panics.
func TestExtremeTimes(t *testing.T) {
	for _, now := range []uint64{math.MaxUint64 - 1, math.MaxUint64} {
		for _, cps := range []uint64{1, 1_000_000_000} {
			p := New(fixedClock(now), cps, func(bool) {})
			for _, cw := range []uint8{0x30, 0x34, 0x36, 0x38, 0xB2, 0xBA} {
				p.Out(0x43, cw)
				p.Out(0x40+uint16(cw>>6), 0)
				p.Out(0x40+uint16(cw>>6), 0)
				p.Out(0x61, 1)
				p.Out(0x61, 0)
				p.Out(0x43, 0xFE)
				for _, port := range []uint16{0x40, 0x41, 0x42, 0x43, 0x61} {
					p.In(port)
				}
				p.Output(-1)
				p.Count(3)
			}
		}
	}
}
