package apic_test

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"preemptlab/apic"
)

// interesting register offsets and values for the random driver.
var (
	lapicOffsets = []uint32{
		apic.RegID, apic.RegTPR, apic.RegEOI, apic.RegLDR, apic.RegDFR, apic.RegSVR,
		apic.RegESR, apic.RegICRLow, apic.RegICRHigh, apic.RegLVTTimer, apic.RegLVTThermal,
		apic.RegLVTPerf, apic.RegLVTLINT0, apic.RegLVTLINT1, apic.RegLVTError,
		apic.RegTimerInitial, apic.RegTimerCurrent, apic.RegTimerDivide, apic.RegISR,
		apic.RegIRR + 0x70, 0x000, 0x2F0, 0x3F0, 0x400, 0xFFF,
	}
	values = []uint32{0, 1, 0xF, 0x10, 0x30, 0xFF, 0x1FF, 0x20000, 0x40000, 0x60000, 0x10000,
		0x400, 0x500, 0x4500, 0x8500, 0x600, 0x100, 0x800, 0x40000 | 0x30, 0x80000 | 0x31,
		0xC0000 | 0x400, 0xFF000000, 0x0F000000, 0xFFFFFFFF, 0xB}
)

// drive runs a system through n operations chosen by next, checking that
// nothing panics and that the invariants hold. next(k) returns a number
// below k.
func drive(t *testing.T, ncpu int, hz uint64, n int, next func(k int) int) {
	r := newRigHz(t, ncpu, hz)
	io := r.sys.IOAPIC()
	word := func() uint32 {
		if next(4) == 0 {
			return uint32(next(1<<16)) | uint32(next(1<<16))<<16
		}
		return values[next(len(values))]
	}
	for i := 0; i < n; i++ {
		l := r.sys.LAPIC(next(ncpu))
		switch next(12) {
		case 0, 1, 2:
			l.Write(lapicOffsets[next(len(lapicOffsets))], word())
		case 3:
			l.Read(uint32(next(apic.WindowSize)))
		case 4:
			l.Write(uint32(next(apic.WindowSize)), word())
		case 5:
			msr := []uint32{apic.MSRAPICBase, apic.MSRTSCDeadline, 0x800, 0}[next(4)]
			v := uint64(word())
			if msr == apic.MSRAPICBase && next(2) == 0 {
				v = 0xFEE00000 | uint64(next(2))<<11
			}
			if msr == apic.MSRTSCDeadline {
				v = r.clock.now + uint64(next(3000)) - 1000
			}
			l.WriteMSR(msr, v)
			l.ReadMSR(msr)
		case 6:
			if l.PendingInterrupt() {
				if v := l.Acknowledge(); v < 16 {
					t.Fatalf("step %d: acknowledged vector %d", i, v)
				}
			}
			if next(2) == 0 {
				l.AckNMI()
			}
		case 7:
			l.Write(apic.RegEOI, 0)
		case 8:
			io.Write([]uint32{apic.IORegSel, apic.IOWin, 0x20}[next(3)], word())
			io.Read([]uint32{apic.IORegSel, apic.IOWin, 0x04}[next(3)])
		case 9:
			io.Write(apic.IORegSel, uint32(0x10+next(48)))
			io.Write(apic.IOWin, word())
		case 10:
			io.SetIRQ(next(26)-1, next(2) == 0)
		case 11:
			r.clock.advance(r.clock.now + uint64(next(5000)))
		}
		for c := 0; c < ncpu; c++ {
			for _, reg := range []uint32{apic.RegISR, apic.RegIRR} {
				if v := vectors(r.sys.LAPIC(c), reg); len(v) > 0 && v[0] < 16 {
					t.Fatalf("step %d: cpu%d register %#x holds vector %d", i, c, reg, v[0])
				}
			}
		}
	}
}

func TestRandomOperationsNeverPanic(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		rng := rand.New(rand.NewPCG(seed, 0x5EED))
		hz := []uint64{1_000_000_000, 100_000_000, 3_000_000_000, 1}[seed%4]
		drive(t, 1+int(seed%4), hz, 3000, rng.IntN)
	}
}

func FuzzSystem(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
	f.Add([]byte("\x03\x0b\x20\x00\x00\x01\x10\xff\x07\x0a"))
	f.Fuzz(func(t *testing.T, data []byte) {
		next := func(k int) int {
			if len(data) < 2 {
				return 0
			}
			v := binary.LittleEndian.Uint16(data)
			data = data[2:]
			return int(v) % k
		}
		drive(t, 2, 1_000_000_000, len(data)/4, next)
	})
}
