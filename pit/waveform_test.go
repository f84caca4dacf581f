package pit_test

// This file checks every mode's OUT waveform and count sequence against the
// 8254 datasheet, one PIT tick a cycle.

import (
	"fmt"
	"slices"
	"testing"

	"preemptlab/pit"
)

// op is a group of port writes made at a tick, before OUT is sampled there.
type op struct {
	tick uint64
	port uint16
	vals []uint8
}

func TestWaveforms(t *testing.T) {
	const w = 100 // the tick of the control word
	gateHigh := op{w - 1, 0x61, []uint8{1}}
	tests := []struct {
		name   string
		ch     int
		ops    []op
		want   string   // OUT at ticks w, w+1, …
		counts []uint16 // the count at ticks w+1, w+2, …
	}{
		{"mode0 N=3", 0, []op{{w, 0x43, []uint8{0x30}}, {w, 0x40, []uint8{3, 0}}},
			"00001111", []uint16{3, 2, 1, 0, 0xFFFF, 0xFFFE}},
		{"mode0 N=1", 0, []op{{w, 0x43, []uint8{0x30}}, {w, 0x40, []uint8{1, 0}}},
			"001111", []uint16{1, 0, 0xFFFF}},
		{"mode0 rewrite drops OUT", 0, []op{{w, 0x43, []uint8{0x30}}, {w, 0x40, []uint8{2, 0}},
			{w + 5, 0x40, []uint8{2, 0}}},
			"0001100011", nil},
		{"mode0 first byte stops counting", 0, []op{{w, 0x43, []uint8{0x30}}, {w, 0x40, []uint8{10, 0}},
			{w + 4, 0x40, []uint8{5}}, {w + 7, 0x40, []uint8{0}}},
			"000000000000011", []uint16{10, 9, 8, 7, 7, 7, 7, 5, 4, 3, 2, 1, 0}},
		{"mode2 N=3", 0, []op{{w, 0x43, []uint8{0x34}}, {w, 0x40, []uint8{3, 0}}},
			"1110110110", []uint16{3, 2, 1, 3, 2, 1, 3}},
		{"mode2 N=2", 0, []op{{w, 0x43, []uint8{0x34}}, {w, 0x40, []uint8{2, 0}}},
			"110101010", []uint16{2, 1, 2, 1}},
		{"mode6 is mode2", 0, []op{{w, 0x43, []uint8{0x3C}}, {w, 0x40, []uint8{3, 0}}},
			"1110110110", nil},
		{"mode3 N=4", 0, []op{{w, 0x43, []uint8{0x36}}, {w, 0x40, []uint8{4, 0}}},
			"111001100", []uint16{4, 2, 4, 2, 4, 2}},
		{"mode3 N=5", 0, []op{{w, 0x43, []uint8{0x36}}, {w, 0x40, []uint8{5, 0}}},
			"11110011100", []uint16{4, 2, 0, 4, 2, 4, 2, 0, 4, 2}},
		{"mode3 N=3", 0, []op{{w, 0x43, []uint8{0x36}}, {w, 0x40, []uint8{3, 0}}},
			"1110110110", []uint16{2, 0, 2, 2, 0, 2}},
		{"mode3 N=7", 0, []op{{w, 0x43, []uint8{0x36}}, {w, 0x40, []uint8{7, 0}}},
			"111110001111000", []uint16{6, 4, 2, 0, 6, 4, 2, 6}},
		{"mode7 is mode3", 0, []op{{w, 0x43, []uint8{0x3E}}, {w, 0x40, []uint8{4, 0}}},
			"111001100", nil},
		{"mode4 N=3", 0, []op{{w, 0x43, []uint8{0x38}}, {w, 0x40, []uint8{3, 0}}},
			"111101111", []uint16{3, 2, 1, 0, 0xFFFF}},
		{"mode4 rewrite restarts", 0, []op{{w, 0x43, []uint8{0x38}}, {w, 0x40, []uint8{3, 0}},
			{w + 2, 0x40, []uint8{3, 0}}},
			"11111101111", []uint16{3, 2, 3, 2, 1, 0}},
		{"mode1 N=3 ch2", 2, []op{{w, 0x43, []uint8{0xB2}}, {w, 0x42, []uint8{3, 0}},
			{w + 5, 0x61, []uint8{1}}},
			"111111000111", nil},
		{"mode1 retrigger", 2, []op{{w, 0x43, []uint8{0xB2}}, {w, 0x42, []uint8{3, 0}},
			{w + 5, 0x61, []uint8{1}}, {w + 6, 0x61, []uint8{0}}, {w + 7, 0x61, []uint8{1}}},
			"11111100000111", nil},
		{"mode5 N=3 ch2", 2, []op{{w, 0x43, []uint8{0xBA}}, {w, 0x42, []uint8{3, 0}},
			{w + 5, 0x61, []uint8{1}}},
			"111111111011", nil},
		{"mode0 gate pauses", 2, []op{gateHigh, {w, 0x43, []uint8{0xB0}}, {w, 0x42, []uint8{5, 0}},
			{w + 3, 0x61, []uint8{0}}, {w + 6, 0x61, []uint8{1}}},
			"00000000011", []uint16{5, 4, 3, 3, 3, 3, 2, 1, 0}},
		{"mode0 loads with gate low", 2, []op{{w, 0x43, []uint8{0xB0}}, {w, 0x42, []uint8{2, 0}},
			{w + 3, 0x61, []uint8{1}}},
			"0000011", []uint16{2, 2, 2, 1, 0}},
		{"mode2 gate low forces OUT high", 2, []op{gateHigh, {w, 0x43, []uint8{0xB4}}, {w, 0x42, []uint8{4, 0}},
			{w + 4, 0x61, []uint8{0}}, {w + 6, 0x61, []uint8{1}}},
			"111111111101", []uint16{4, 3, 2, 1, 1, 1, 4, 3, 2, 1}},
		{"mode3 gate reloads", 2, []op{gateHigh, {w, 0x43, []uint8{0xB6}}, {w, 0x42, []uint8{4, 0}},
			{w + 3, 0x61, []uint8{0}}, {w + 5, 0x61, []uint8{1}}},
			"11111111001", nil},
		{"mode4 gate pauses", 2, []op{gateHigh, {w, 0x43, []uint8{0xB8}}, {w, 0x42, []uint8{3, 0}},
			{w + 2, 0x61, []uint8{0}}, {w + 4, 0x61, []uint8{1}}},
			"11111101", []uint16{3, 2, 2, 2, 1, 0}},
		{"mode2 new count at period end", 0, []op{{w, 0x43, []uint8{0x34}}, {w, 0x40, []uint8{4, 0}},
			{w + 2, 0x40, []uint8{2, 0}}},
			"1111010101", []uint16{4, 3, 2, 1, 2, 1, 2, 1}},
		{"mode3 new count at half-cycle end", 0, []op{{w, 0x43, []uint8{0x36}}, {w, 0x40, []uint8{8, 0}},
			{w + 2, 0x40, []uint8{4, 0}}},
			"11111001100110", []uint16{8, 6, 4, 2, 4, 2, 4, 2, 4}},
		{"mode3 odd new count starts low", 0, []op{{w, 0x43, []uint8{0x36}}, {w, 0x40, []uint8{4, 0}},
			{w + 1, 0x40, []uint8{5, 0}}},
			"11100111001110", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, pit.InputHz) // a cycle is a tick
			end := uint64(w + len(tc.want))
			var got []byte
			var counts []uint16
			for tick := uint64(w - 1); tick < end; tick++ {
				r.at(tick)
				for _, o := range tc.ops {
					if o.tick == tick {
						r.out(o.port, o.vals...)
					}
				}
				if tick < w {
					continue
				}
				out := r.pit.Output(tc.ch)
				got = append(got, bit(out))
				if tick > w && len(counts) < len(tc.counts) {
					counts = append(counts, r.pit.Count(tc.ch))
				}
				if tc.ch == 0 && r.level != out {
					t.Errorf("tick %d: IRQ 0 is %v, OUT is %v", tick, r.level, out)
				}
			}
			if string(got) != tc.want {
				t.Errorf("OUT from tick %d = %s, want %s", w, got, tc.want)
			}
			if tc.counts != nil && !slices.Equal(counts, tc.counts) {
				t.Errorf("counts from tick %d = %v, want %v", w+1, counts, tc.counts)
			}
			if tc.ch == 0 {
				// IRQ 0 changes exactly at the cycles where OUT does.
				var want []irqEdge
				level := false
				for i := range tc.want {
					if l := tc.want[i] == '1'; l != level {
						want = append(want, irqEdge{uint64(w + i), l})
						level = l
					}
				}
				if fmt.Sprint(r.irqs) != fmt.Sprint(want) {
					t.Errorf("IRQ 0 edges = %v, want %v", r.irqs, want)
				}
			}
		})
	}
}
