package pit_test

// This file checks the PIT's ports, latches and long-run timing.

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"

	"preemptlab/pit"
)

const mhz1000 = 1_000_000_000

// cycleOfTick returns ceil(n·cps/InputHz), the cycle of PIT tick n, in
// arbitrary precision.
func cycleOfTick(n, cps uint64) uint64 {
	num := new(big.Int).Mul(new(big.Int).SetUint64(n), new(big.Int).SetUint64(cps))
	num.Add(num, big.NewInt(pit.InputHz-1))
	return num.Div(num, big.NewInt(pit.InputHz)).Uint64()
}

// tickOfCycle returns floor(c·InputHz/cps) in arbitrary precision.
func tickOfCycle(c, cps uint64) uint64 {
	num := new(big.Int).Mul(new(big.Int).SetUint64(c), big.NewInt(pit.InputHz))
	return num.Div(num, new(big.Int).SetUint64(cps)).Uint64()
}

func TestResetState(t *testing.T) {
	r := newRig(t, mhz1000)
	r.at(1_000_000)
	for ch := range 3 {
		if r.pit.Output(ch) {
			t.Errorf("channel %d OUT high after reset", ch)
		}
	}
	if len(r.irqs) != 0 || len(r.clk.events) != 0 {
		t.Errorf("after reset: irqs %v, %d events scheduled", r.irqs, len(r.clk.events))
	}
	r.out(0x43, 0xEE) // read back status of all three channels
	for ch := range 3 {
		if got := r.pit.In(uint16(0x40 + ch)); got != 0x40 {
			t.Errorf("channel %d status after reset = %#02x, want 0x40", ch, got)
		}
	}
	// A count written before any control word is ignored.
	r.out(0x40, 5, 0)
	r.at(2_000_000)
	if len(r.irqs) != 0 || len(r.clk.events) != 0 {
		t.Errorf("count to unprogrammed channel 0: irqs %v, %d events", r.irqs, len(r.clk.events))
	}
	if got := r.pit.In(0x43); got != 0xFF {
		t.Errorf("In(0x43) = %#02x, want 0xff", got)
	}
	if got := r.pit.In(0x60); got != 0xFF {
		t.Errorf("In(0x60) = %#02x, want 0xff", got)
	}
	if got := r.pit.Ports(); !slices.Equal(got, []uint16{0x40, 0x41, 0x42, 0x43, 0x61}) {
		t.Errorf("Ports() = %#x", got)
	}
}

// TestMode2LongRun runs channel 0 at count 1193 (1000.15 Hz) for 100
// simulated seconds at 1000 MHz: every rising edge of IRQ 0 must fall on
// the exact cycle of its PIT tick, with no drift and nothing scheduled
// between edges.
func TestMode2LongRun(t *testing.T) {
	for _, start := range []uint64{0, 12345, 1_000_000_000_000_007} {
		t.Run(fmt.Sprint("start=", start), func(t *testing.T) {
			r := newRig(t, mhz1000)
			r.at(start)
			r.out(0x43, 0x34)
			r.out(0x40, 1193&0xFF, 1193>>8)
			end := start + 100*mhz1000
			r.at(end)

			load := tickOfCycle(start, mhz1000) + 1
			last := tickOfCycle(end, mhz1000)
			// Rising edges end each period: ticks load+1193k, k ≥ 1.
			want := (last - load) / 1193
			rises := r.rises()
			// The control word itself raises OUT from its reset level.
			if len(rises) == 0 || rises[0] != start {
				t.Fatalf("rises %v…, want the first at the control word", rises[:min(len(rises), 3)])
			}
			rises = rises[1:]
			if uint64(len(rises)) != want {
				t.Fatalf("%d rising edges in 100 s, want %d", len(rises), want)
			}
			if want < 100_014 || want > 100_015 {
				t.Fatalf("want %d edges: test arithmetic is off", want)
			}
			for k, c := range rises {
				if w := cycleOfTick(load+1193*uint64(k+1), mhz1000); c != w {
					t.Fatalf("rising edge %d at cycle %d, want %d", k, c, w)
				}
			}
			// The high→low edge at cycle 0 of the control word, then two
			// edges a period: one event each, never one a tick.
			if n := len(r.irqs); n != 2*int(want)+1 && n != 2*int(want)+2 {
				t.Errorf("%d IRQ 0 edges for %d periods", n, want)
			}
			if r.clk.fired > len(r.irqs)+1 {
				t.Errorf("%d events fired for %d IRQ 0 edges", r.clk.fired, len(r.irqs))
			}
		})
	}
}

func TestMode3Rate(t *testing.T) {
	// Mode 3 with count 0 (65536): 18.2065 Hz, the BIOS's tick.
	r := newRig(t, mhz1000)
	r.out(0x43, 0x36)
	r.out(0x40, 0, 0)
	r.at(10 * mhz1000)
	rises := r.rises()
	// First rise at the control word; then one a period of 65536 ticks.
	want := 1 + (tickOfCycle(10*mhz1000, mhz1000)-1)/65536
	if uint64(len(rises)) != want {
		t.Fatalf("%d rises in 10 s, want %d", len(rises), want)
	}
	for k, c := range rises[1:] {
		if w := cycleOfTick(1+65536*uint64(k+1), mhz1000); c != w {
			t.Fatalf("rise %d at %d, want %d", k+1, c, w)
		}
	}
	falls := len(r.irqs) - len(rises)
	if falls != len(rises) && falls != len(rises)-1 {
		t.Errorf("%d falls, %d rises", falls, len(rises))
	}
	if e := r.irqs[1]; e.level || e.cycle != cycleOfTick(1+32768, mhz1000) {
		t.Errorf("first fall %v, want at tick %d", e, 1+32768)
	}
}

func TestLatchFreezesCount(t *testing.T) {
	r := newRig(t, pit.InputHz)
	r.out(0x43, 0x34) // channel 0, mode 2, LSB/MSB
	r.out(0x40, 0xE8, 0x03)
	r.at(11) // loaded at tick 1: 1000 − 10
	r.out(0x43, 0x00)
	r.out(0x43, 0x00) // a second latch before reading is ignored
	r.at(500)
	if got := r.read16(0x40); got != 990 {
		t.Errorf("latched count = %d, want 990", got)
	}
	if got := r.read16(0x40); got != 1000-499 {
		t.Errorf("live count after the latch is read = %d, want %d", got, 1000-499)
	}
	// Latching with the read flip-flop on the MSB: MSB first, then LSB.
	r.at(600)
	r.pit.In(0x40) // live LSB; the flip-flop now points at the MSB
	r.out(0x43, 0x00)
	r.at(700)
	want := uint16(1000 - 599)
	hi, lo2 := r.pit.In(0x40), r.pit.In(0x40)
	if hi != uint8(want>>8) || lo2 != uint8(want) {
		t.Errorf("latched with flip-flop at MSB: read %#02x then %#02x, want %#02x then %#02x",
			hi, lo2, want>>8, want&0xFF)
	}
	// A control word drops a latch.
	r.out(0x43, 0x00)
	r.out(0x43, 0x34)
	r.out(0x40, 0x10, 0x00)
	r.at(705)
	if got := r.read16(0x40); got != 0x10-4 {
		t.Errorf("after control word, count = %d, want %d", got, 0x10-4)
	}
}

func TestLatchAccessModes(t *testing.T) {
	r := newRig(t, pit.InputHz)
	r.out(0x43, 0x90) // channel 2, mode 0, LSB only
	r.out(0x42, 0x80) // count 0x0080
	r.out(0x61, 1)
	r.at(11)
	r.out(0x43, 0x80) // latch channel 2
	r.at(20)
	if got := r.pit.In(0x42); got != 0x80-10 {
		t.Errorf("LSB-only latched = %#02x, want %#02x", got, 0x80-10)
	}
	if got := r.pit.In(0x42); got != 0x80-19 {
		t.Errorf("LSB-only live after one latched byte = %#02x, want %#02x", got, 0x80-19)
	}
	r.out(0x43, 0xA0) // channel 2, mode 0, MSB only
	r.out(0x42, 0x12) // count 0x1200
	r.at(22)          // loaded at 21: 0x1200 − 1
	if got := r.pit.In(0x42); got != 0x11 {
		t.Errorf("MSB-only read = %#02x, want 0x11", got)
	}
	if got := r.pit.Count(2); got != 0x11FF {
		t.Errorf("Count(2) = %#04x, want 0x11ff", got)
	}
}

func TestReadBack(t *testing.T) {
	r := newRig(t, pit.InputHz)
	r.out(0x43, 0x34) // channel 0 mode 2 binary
	r.out(0x43, 0xE2) // status of channel 0
	if got := r.pit.In(0x40); got != 0xF4 {
		t.Errorf("status before count = %#02x, want 0xf4 (OUT, null count, LSB/MSB, mode 2)", got)
	}
	r.out(0x40, 100)
	r.out(0x43, 0xE2)
	if got := r.pit.In(0x40); got != 0xF4 {
		t.Errorf("status after one byte = %#02x, want 0xf4", got)
	}
	r.out(0x40, 0)
	r.out(0x43, 0xE2)
	if got := r.pit.In(0x40); got != 0xF4 {
		t.Errorf("status before the load tick = %#02x, want 0xf4", got)
	}
	r.at(1)
	r.out(0x43, 0xE2)
	if got := r.pit.In(0x40); got != 0xB4 {
		t.Errorf("status after load = %#02x, want 0xb4", got)
	}

	// Mode 6 reads back as written, BCD, channel 2, OUT of mode 0 low.
	r.out(0x43, 0xBD) // channel 2, LSB/MSB, mode 6, BCD
	r.out(0x43, 0xB1) // channel 2, LSB/MSB, mode 0, BCD
	r.out(0x43, 0xE8)
	if got := r.pit.In(0x42); got != 0x71 {
		t.Errorf("channel 2 status = %#02x, want 0x71", got)
	}
	r.out(0x43, 0x9C) // channel 2, LSB only, mode 6, binary
	r.out(0x43, 0xE8)
	if got := r.pit.In(0x42); got != 0xDC {
		t.Errorf("channel 2 mode 6 status = %#02x, want 0xdc", got)
	}

	// Count and status together: status first, then the count, and a
	// second read-back before they are read changes neither.
	r.at(50)
	r.out(0x43, 0xC2)
	r.at(60)
	r.out(0x43, 0xC2)
	if got := r.pit.In(0x40); got != 0xB4 {
		t.Errorf("status of count+status read-back = %#02x, want 0xb4", got)
	}
	if got := r.read16(0x40); got != 100-49 {
		t.Errorf("count of count+status read-back = %d, want %d", got, 100-49)
	}
	if got := r.read16(0x40); got != 100-59 {
		t.Errorf("live count after read-back = %d, want %d", got, 100-59)
	}
	// Count only for channels 0 and 1 (1 unprogrammed holds 0).
	r.out(0x43, 0xD6)
	r.at(70)
	if got := r.read16(0x40); got != 100-59 {
		t.Errorf("count-only read-back = %d, want %d", got, 100-59)
	}
	if got := r.read16(0x41); got != 0 {
		t.Errorf("unprogrammed channel 1 count = %d, want 0", got)
	}
	// A count latched by a latch command is kept by a later read-back.
	r.out(0x43, 0x00)
	r.at(80)
	r.out(0x43, 0xC2)
	r.pit.In(0x40) // status
	if got := r.read16(0x40); got != 100-69 {
		t.Errorf("count latched first = %d, want %d", got, 100-69)
	}
}

func TestBCD(t *testing.T) {
	r := newRig(t, pit.InputHz)
	r.out(0x61, 1)
	r.out(0x43, 0xB1) // channel 2, mode 0, BCD
	r.out(0x42, 0x00, 0x01)
	for _, tc := range []struct {
		tick uint64
		want uint16
		out  bool
	}{{1, 0x0100, false}, {2, 0x0099, false}, {11, 0x0090, false}, {92, 0x0009, false},
		{100, 0x0001, false}, {101, 0x0000, true}, {102, 0x9999, true}, {1101, 0x9000, true}} {
		r.at(tc.tick)
		if got := r.read16(0x42); got != tc.want {
			t.Errorf("tick %d: BCD count = %#04x, want %#04x", tc.tick, got, tc.want)
		}
		if got := r.pit.Output(2); got != tc.out {
			t.Errorf("tick %d: OUT = %v, want %v", tc.tick, got, tc.out)
		}
	}
	// Count 0 in BCD mode 2 is a period of 10000 ticks.
	r = newRig(t, pit.InputHz)
	r.out(0x43, 0x35) // channel 0, mode 2, BCD
	r.out(0x40, 0, 0)
	r.at(35_000)
	if want := []uint64{10001, 20001, 30001}; !slices.Equal(r.rises()[1:], want) {
		t.Errorf("BCD count 0 rises = %v, want [0 %v]", r.rises(), want)
	}
	if got := r.pit.Count(0); got != 0x5001 {
		t.Errorf("BCD count at tick 35000 = %#04x, want 0x5001", got)
	}
	// Mode 3 BCD 0x0015: high 8, low 7.
	r = newRig(t, pit.InputHz)
	r.out(0x43, 0x37)
	r.out(0x40, 0x15, 0)
	r.at(100)
	var edges []uint64
	for _, e := range r.irqs {
		edges = append(edges, e.cycle)
	}
	if want := []uint64{0, 9, 16, 24, 31, 39, 46, 54, 61, 69, 76, 84, 91, 99}; !slices.Equal(edges, want) {
		t.Errorf("mode 3 BCD 15 edges = %v, want %v", edges, want)
	}
}

func TestFlipFlops(t *testing.T) {
	r := newRig(t, pit.InputHz)
	r.out(0x43, 0x30) // channel 0, mode 0, LSB/MSB
	r.at(5)
	r.out(0x40, 0x34) // LSB
	// The read flip-flop is independent of the write flip-flop.
	if got := r.pit.In(0x40); got != 0 {
		t.Errorf("LSB read mid-write = %#02x, want 0", got)
	}
	r.out(0x40, 0x12) // MSB: count 0x1234, loaded at tick 6
	r.at(6)
	if got := r.pit.In(0x40); got != 0x12 {
		t.Errorf("MSB read = %#02x, want 0x12", got)
	}
	r.at(8)
	if got := r.read16(0x40); got != 0x1232 {
		t.Errorf("count = %#04x, want 0x1232", got)
	}
	// An odd read leaves the flip-flop on the MSB; a control word resets it.
	r.pit.In(0x40)
	r.out(0x43, 0x30)
	r.out(0x40, 0x00, 0x10)
	r.at(10) // loaded at 9
	if got := r.read16(0x40); got != 0x0FFF {
		t.Errorf("count after control word = %#04x, want 0x0fff", got)
	}
	// An odd write is completed by the next byte even across reads.
	r.out(0x40, 0x05)
	r.read16(0x40)
	r.pit.In(0x40)
	r.out(0x40, 0x00)
	r.at(16) // loaded at 11
	if got := r.pit.Count(0); got != 0 {
		t.Errorf("count = %#04x, want 0", got)
	}
	if !r.pit.Output(0) {
		t.Error("OUT low after count 5 expired")
	}
}

// TestCalibrationLoop follows Linux's PIT calibration of the TSC: channel
// 2 in mode 0, its gate raised through port 0x61 with the speaker off, and
// port 0x61 bit 5 polled until OUT goes high.
func TestCalibrationLoop(t *testing.T) {
	const latch = pit.InputHz / 100 // CAL_LATCH for 10 ms
	r := newRig(t, mhz1000)
	r.at(123_456)
	r.out(0x61, (r.pit.In(0x61)&^0x02)|0x01)
	r.out(0x43, 0xB0)
	r.out(0x42, latch&0xFF)
	start := r.clk.Now()
	r.out(0x42, latch>>8)
	polls := 0
	for r.pit.In(0x61)&0x20 == 0 {
		polls++
		r.at(r.clk.Now() + 37)
	}
	want := cycleOfTick(tickOfCycle(start, mhz1000)+1+latch, mhz1000)
	if got := r.clk.Now(); got < want || got >= want+37 {
		t.Errorf("bit 5 seen at cycle %d, want in [%d, %d)", got, want, want+37)
	}
	if el := r.clk.Now() - start; el < 9_999_000 || el > 10_002_000 {
		t.Errorf("calibration took %d cycles, want about 10 ms", el)
	}
	if len(r.clk.events) != 0 || r.clk.scheduled != 0 {
		t.Errorf("channel 2 scheduled %d events", r.clk.scheduled)
	}
	// Gate low stops counting; bits 0 and 1 read back, bit 5 holds.
	r.out(0x61, 0x02)
	if got := r.pit.In(0x61) & 0x23; got != 0x22 {
		t.Errorf("port 0x61 = %#02x, want bits 1 and 5", got)
	}
	c := r.pit.Count(2)
	r.at(r.clk.Now() + 5_000)
	if got := r.pit.Count(2); got != c {
		t.Errorf("channel 2 counted with gate low: %#x → %#x", c, got)
	}
}

func TestPort61Refresh(t *testing.T) {
	r := newRig(t, mhz1000)
	var toggles []uint64
	last := r.pit.In(0x61) & 0x10
	for c := uint64(0); c < 200_000; c += 10 {
		r.at(c)
		v := r.pit.In(0x61)
		if v&^0x10 != 0 {
			t.Fatalf("port 0x61 = %#02x at reset, want only bit 4", v)
		}
		if v&0x10 != last {
			toggles = append(toggles, c)
			last = v & 0x10
		}
	}
	if len(toggles) < 12 {
		t.Fatalf("%d toggles in 200 µs", len(toggles))
	}
	for i := 1; i < len(toggles); i++ {
		if d := toggles[i] - toggles[i-1]; d < 15_070 || d > 15_100 {
			t.Errorf("bit 4 toggle interval %d cycles, want 15085±10", d)
		}
	}
}

func TestReprogramCancels(t *testing.T) {
	r := newRig(t, pit.InputHz)
	r.out(0x43, 0x30)
	r.out(0x40, 0xE8, 0x03) // mode 0, 1000
	r.at(500)
	if len(r.clk.events) != 1 || r.clk.events[0].at != 1001 {
		t.Fatalf("events = %v, want one at 1001", r.clk.events)
	}
	r.out(0x40, 100, 0) // restart with 100
	if len(r.clk.events) != 1 || r.clk.events[0].at != 601 {
		t.Fatalf("events = %v, want one at 601", r.clk.events)
	}
	r.at(5000)
	if want := []irqEdge{{601, true}}; fmt.Sprint(r.irqs) != fmt.Sprint(want) {
		t.Errorf("IRQ 0 = %v, want %v", r.irqs, want)
	}
	if len(r.clk.events) != 0 {
		t.Errorf("events left after terminal count: %v", r.clk.events)
	}
	// Rate generator, then a control word for mode 0 before the next
	// edge: the pending edge is cancelled and IRQ 0 drops.
	r.out(0x43, 0x34)
	r.out(0x40, 50, 0) // loaded 5001, low at 5050
	r.at(5020)
	r.out(0x43, 0x30)
	if len(r.clk.events) != 0 {
		t.Errorf("events after mode 0 control word with no count: %v", r.clk.events)
	}
	r.at(10_000)
	if want := []irqEdge{{601, true}, {5020, false}}; fmt.Sprint(r.irqs) != fmt.Sprint(want) {
		t.Errorf("IRQ 0 = %v, want %v", r.irqs, want)
	}
	// An idle PIT lets the clock jump: nothing is scheduled.
	if r.clk.scheduled-r.clk.cancelled != r.clk.fired {
		t.Errorf("scheduled %d, cancelled %d, fired %d", r.clk.scheduled, r.clk.cancelled, r.clk.fired)
	}
}

// script drives a PIT with a seeded random program of port accesses and
// returns everything it observed.
func script(t *testing.T, seed uint64, cps uint64) string {
	r := newRig(t, cps)
	rng := rand.New(rand.NewPCG(seed, 0x8254))
	var log []byte
	ports := []uint16{0x40, 0x41, 0x42, 0x43, 0x61}
	for range 3000 {
		r.at(r.clk.Now() + rng.Uint64N(3000))
		port := ports[rng.IntN(len(ports))]
		if rng.IntN(3) == 0 {
			log = fmt.Appendf(log, "%d in %#x=%#x\n", r.clk.Now(), port, r.pit.In(port))
			continue
		}
		v := uint8(rng.Uint32())
		if port == 0x43 && rng.IntN(2) == 0 {
			v &^= 0x0E // half the control words pick mode 2 or 3, which keep running
			v |= 0x04 | uint8(rng.IntN(2))<<1
		}
		if port >= 0x40 && port <= 0x42 && rng.IntN(2) == 0 {
			v &= 0x3F // short periods, so edges happen
		}
		r.out(port, v)
		log = fmt.Appendf(log, "%d out %#x,%#x\n", r.clk.Now(), port, v)
	}
	r.at(r.clk.Now() + 10*cps)
	for _, e := range r.irqs {
		log = fmt.Appendf(log, "irq %d %v\n", e.cycle, e.level)
	}
	for ch := range 3 {
		log = fmt.Appendf(log, "ch%d out=%v count=%#x\n", ch, r.pit.Output(ch), r.pit.Count(ch))
	}
	return string(log)
}

func TestDeterminism(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3, 42} {
		for _, cps := range []uint64{mhz1000, pit.InputHz, 1_000_000, 3_000_000_017} {
			a, b := script(t, seed, cps), script(t, seed, cps)
			if a != b {
				t.Fatalf("seed %d, %d cycles/s: two runs differ", seed, cps)
			}
			if len(a) == 0 {
				t.Fatal("empty log")
			}
		}
	}
}

// TestIRQFollowsOut checks, after random programming, that IRQ 0 always
// equals channel 0's OUT.
func TestIRQFollowsOut(t *testing.T) {
	for seed := uint64(0); seed < 20; seed++ {
		r := newRig(t, pit.InputHz)
		rng := rand.New(rand.NewPCG(seed, 1))
		for range 500 {
			switch rng.IntN(4) {
			case 0:
				r.out(0x43, uint8(rng.IntN(4))<<4|uint8(rng.IntN(8))<<1|uint8(rng.IntN(2)))
			case 1:
				r.out(0x43, 0xC0|uint8(rng.IntN(64)))
			default:
				r.out(0x40, uint8(rng.IntN(40)))
			}
			for range rng.IntN(30) {
				r.at(r.clk.Now() + 1)
				if out := r.pit.Output(0); out != r.level {
					t.Fatalf("seed %d, tick %d: OUT %v, IRQ 0 %v", seed, r.clk.Now(), out, r.level)
				}
			}
		}
	}
}
