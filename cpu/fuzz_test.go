package cpu

// This file holds the fuzz tests of the interpreter: arbitrary bytes run as
// code must never make the emulator panic or hang, and a CPU that stops
// abnormally must say why.
//
//	go test ./cpu -run XXX -fuzz FuzzExecute -fuzztime 120s
//	go test ./cpu -run XXX -fuzz FuzzDecode16 -fuzztime 120s
//
// The seed corpora are in testdata/fuzz/FuzzExecute and
// testdata/fuzz/FuzzDecode16.

import (
	"fmt"
	"testing"
	"time"
)

// Fuzz modes: the bits of the first argument of the fuzz functions.
const (
	fuzzNoIDT   = 1 << 0 // no IDT (protected mode) or an IVT of zeros (real mode)
	fuzzAtEnd   = 1 << 1 // load the code at the very end of RAM
	fuzzStepped = 1 << 2 // run in slices of a few cycles (instruction by instruction)
	fuzzIntr    = 1 << 3 // IF = 1 and an external interrupt pending
)

const (
	// fuzzCycles bounds every fuzz run.
	fuzzCycles = 20000
	// fuzzSlice is the cycle slice of fuzzStepped runs, and
	// fuzzSteppedCycles their bound: resuming in the middle of a block
	// translates a new block from there, which makes them slow.
	fuzzSlice         = 7
	fuzzSteppedCycles = 5000
	// fuzzWatchdog is how long one input may run on the host before the
	// fuzz test declares the emulator hung.
	fuzzWatchdog = 10 * time.Second
)

// FuzzExecute runs arbitrary bytes as 32-bit protected-mode code on the
// test machine (flat segments at CPL 0, with an IDT whose every gate leads
// to a HLT, or with none).
func FuzzExecute(f *testing.F) {
	f.Add(uint8(0), []byte{0xF3, 0xA4, 0xF4})
	f.Add(uint8(fuzzNoIDT), []byte{0x0F, 0x0B})
	f.Fuzz(func(t *testing.T, mode uint8, code []byte) {
		c, bus := newTestCPU(t, nil)
		if mode&fuzzNoIDT == 0 {
			withHaltIDT(c)
		}
		loadFuzzCode(c, mode, code)
		runFuzz(t, c, bus, mode, code)
	})
}

// FuzzDecode16 runs arbitrary bytes as 16-bit real-mode code at 1000:0000
// (with an IVT whose every vector leads to a HLT, or an IVT of zeros).
func FuzzDecode16(f *testing.F) {
	f.Add(uint8(0), []byte{0xF3, 0xA4, 0xF4})
	f.Add(uint8(fuzzNoIDT), []byte{0x66, 0x67, 0xF3, 0xA5})
	f.Fuzz(func(t *testing.T, mode uint8, code []byte) {
		c, bus := newTestCPU(t, nil)
		toRealMode(c)
		c.R[ESP] = 0xFFFE
		if mode&fuzzNoIDT == 0 {
			copy(c.ram[haltStub:], []byte{0xF4, 0xEB, 0xFD})
			for v := uint32(0); v < 256; v++ {
				c.ram[4*v], c.ram[4*v+1] = haltStub&0xFF, haltStub>>8 // offset; segment 0
			}
		}
		loadFuzzCode(c, mode, code)
		runFuzz(t, c, bus, mode, code)
	})
}

// loadFuzzCode copies code into RAM: at testCodeBase (CS base), or ending
// at the last byte of RAM with fuzzAtEnd.
func loadFuzzCode(c *CPU, mode uint8, code []byte) {
	base := uint32(testCodeBase)
	if n := uint32(len(code)); n > testRAM-testCodeBase {
		code = code[:testRAM-testCodeBase]
	}
	if mode&fuzzAtEnd != 0 {
		base = testRAM - uint32(len(code))
		if c.realMode {
			// Real mode reaches only 1 MiB + 64 KiB: put CS so that the
			// code ends at the end of RAM at the top of its segment.
			c.Seg[CS].Base = testRAM - 0x10000
			c.Seg[CS].Sel = uint16(c.Seg[CS].Base >> 4)
			c.EIP = 0x10000 - uint32(len(code))
			if len(code) == 0 {
				c.EIP = 0xFFFF
			}
		} else {
			c.EIP = base
		}
	}
	copy(c.ram[base:], code)
	if mode&fuzzIntr != 0 {
		c.SetEFLAGS(c.EFLAGS() | FlagIF)
		bus := c.bus.(*fakeBus)
		bus.vectors = append(bus.vectors, 0x20, 0xFF)
		c.Interrupt()
	}
}

// runFuzz runs the CPU for at most fuzzCycles and checks how it stopped.
func runFuzz(t *testing.T, c *CPU, bus *fakeBus, mode uint8, code []byte) {
	watchdog := time.AfterFunc(fuzzWatchdog, func() {
		panic(fmt.Sprintf("emulator hung for %v on mode %#x, code % x", fuzzWatchdog, mode, code))
	})
	defer watchdog.Stop()
	var r StopReason
	bound := uint64(fuzzCycles)
	if mode&fuzzStepped != 0 {
		bound = fuzzSteppedCycles
	}
	for c.Cycles < bound {
		limit := bound
		if mode&fuzzStepped != 0 {
			limit = min(c.Cycles+fuzzSlice, bound)
		}
		before := c.Cycles
		r = c.Run(limit)
		if r != StopLimit {
			break
		}
		if c.Cycles <= before {
			t.Fatalf("Run(%d) returned %v without advancing time from cycle %d (mode %#x, code % x)", limit, r, before, mode, code)
		}
	}
	switch r {
	case StopHalt, StopLimit:
	case StopShutdown, StopBusError:
		if c.Fault == nil {
			t.Fatalf("stop = %v with no FaultReport (mode %#x, code % x)", r, mode, code)
		}
		if s := c.Fault.String(); s == "" {
			t.Fatalf("stop = %v with an empty FaultReport (mode %#x, code % x)", r, mode, code)
		}
	default:
		t.Fatalf("stop = %v, want halt, limit, shutdown or bus error (mode %#x, code % x); fault: %v", r, mode, code, c.Fault)
	}
	// The state must stay reportable.
	_ = c.DumpRegisters()
	_ = c.Disassemble(c.EIP)
	_ = bus
}
