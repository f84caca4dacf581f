package apic

import (
	"math"
	"math/big"
	"testing"
)

func TestDivideShift(t *testing.T) {
	want := map[uint32]uint{0x0: 1, 0x1: 2, 0x2: 3, 0x3: 4, 0x8: 5, 0x9: 6, 0xA: 7, 0xB: 0}
	for v, shift := range want {
		if got := divideShift(v); got != shift {
			t.Errorf("divideShift(%#x) = %d, want %d", v, got, shift)
		}
	}
}

// TestBusClock checks the cycle ↔ bus tick conversions against big-integer
// arithmetic, including values near overflow.
func TestBusClock(t *testing.T) {
	hzs := []uint64{1, 3, 100_000_000, 999_999_999, 1_000_000_000, 1_000_000_001, 2_400_000_000, 3_000_000_000, math.MaxUint64}
	values := []uint64{0, 1, 2, 9, 10, 11, 999, 1_000_000_000, 1 << 40, 1<<63 - 1, math.MaxUint64 / 1_000_000_000, math.MaxUint64 - 1, math.MaxUint64}
	for _, hz := range hzs {
		s := &System{cps: hz}
		for _, v := range values {
			// busAt: floor(v·1e9 / hz).
			n := new(big.Int).Mul(new(big.Int).SetUint64(v), big.NewInt(BusHz))
			n.Quo(n, new(big.Int).SetUint64(hz))
			want := uint64(math.MaxUint64)
			if n.IsUint64() {
				want = n.Uint64()
			}
			if got := s.busAt(v); got != want {
				t.Errorf("%d Hz: busAt(%d) = %d, want %d", hz, v, got, want)
			}
			// cycleOfBus: ceil(v·hz / 1e9).
			n = new(big.Int).Mul(new(big.Int).SetUint64(v), new(big.Int).SetUint64(hz))
			n.Add(n, big.NewInt(BusHz-1))
			n.Quo(n, big.NewInt(BusHz))
			want = math.MaxUint64
			if n.IsUint64() {
				want = n.Uint64()
			}
			c := s.cycleOfBus(v)
			if c != want {
				t.Errorf("%d Hz: cycleOfBus(%d) = %d, want %d", hz, v, c, want)
			}
			// The first cycle at which v ticks have passed.
			if c != math.MaxUint64 && s.busAt(c) < v {
				t.Errorf("%d Hz: busAt(cycleOfBus(%d)) = %d", hz, v, s.busAt(c))
			}
			if c != 0 && c != math.MaxUint64 && s.busAt(c-1) >= v {
				t.Errorf("%d Hz: cycleOfBus(%d) = %d is not the first", hz, v, c)
			}
		}
	}
}
