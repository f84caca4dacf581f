package pit

// This file implements the conversion between global cycles and PIT ticks.

import (
	"math"
	"math/bits"
)

// InputHz is the frequency of the 8254's CLK input on a PC (14.31818 MHz / 12).
const InputHz = 1193182

// tickAt returns the index of the last PIT tick at or before cycle t:
// floor(t·InputHz/cps), saturating rather than overflowing.
func (p *PIT) tickAt(t uint64) uint64 {
	hi, lo := bits.Mul64(t, InputHz)
	if hi >= p.cps {
		return math.MaxUint64
	}
	q, _ := bits.Div64(hi, lo, p.cps)
	return q
}

// cycleOf returns the first cycle at which tick n has happened:
// ceil(n·cps/InputHz), saturating rather than overflowing.
func (p *PIT) cycleOf(n uint64) uint64 {
	hi, lo := bits.Mul64(n, p.cps)
	if hi >= InputHz {
		return math.MaxUint64
	}
	q, r := bits.Div64(hi, lo, InputHz)
	if r != 0 && q != math.MaxUint64 {
		q++
	}
	return q
}

// now returns the current tick.
func (p *PIT) now() uint64 {
	return p.tickAt(p.clock.Now())
}
