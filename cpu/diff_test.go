package cpu

// This file implements what the differential tests share: a CPU that runs one
// instruction at a time from given registers and flags and records the
// exception it raises, and the cases' form.

import "testing"

// memAddr is where tests put an instruction's memory operand (ESI points
// to it).
const memAddr = 0x60000

// diffCase is one set of inputs: EAX, EBX, ECX, EDX and the arithmetic flags.
type diffCase struct{ a, b, c, d, f uint32 }

// seedOf derives a test's random seed from its name, so each operation
// has its own reproducible sequence.
func seedOf(name string) int64 {
	h := int64(1)
	for _, r := range name {
		h = h*31 + int64(r)
	}
	return h
}

// diffCPU runs single instructions in the emulator.
type diffCPU struct {
	c   *CPU
	exc int // the exception the last run raised, or -1
}

// newDiffCPU returns a CPU with code followed by HLT at testCodeBase.
// An exception stops it (without delivery) and is recorded.
func newDiffCPU(t testing.TB, code []byte) *diffCPU {
	c, _ := newTestCPU(t, append(append([]byte(nil), code...), 0xF4))
	d := &diffCPU{c: c, exc: -1}
	onException(c, func(c *CPU, e Entry) {
		d.exc = int(e.Vector)
		c.Stop()
	})
	return d
}

// setCode replaces the instruction (followed by HLT).
func (d *diffCPU) setCode(code []byte) {
	d.c.WriteRAM(testCodeBase, append(append([]byte(nil), code...), 0xF4))
}

// run executes the instruction at testCodeBase from the case's registers
// and flags and returns EAX, EBX, ECX, EDX and the arithmetic flags after it.
func (d *diffCPU) run(t testing.TB, k diffCase) (regs [4]uint32, flags uint32) {
	return d.runAt(t, testCodeBase, k)
}

// runAt is run with the instruction at eip.
func (d *diffCPU) runAt(t testing.TB, eip uint32, k diffCase) (regs [4]uint32, flags uint32) {
	c := d.c
	c.R[EAX], c.R[EBX], c.R[ECX], c.R[EDX] = k.a, k.b, k.c, k.d
	c.SetEFLAGS(k.f | flagsFixed)
	c.EIP = eip
	c.halted = false
	d.exc = -1
	r := c.Run(c.Cycles + 1000)
	if d.exc < 0 && r != StopHalt {
		t.Fatalf("emulator stopped with %v, not at the HLT (EIP=%#x)", r, c.EIP)
	}
	return [4]uint32{c.R[EAX], c.R[EBX], c.R[ECX], c.R[EDX]}, c.EFLAGS() & flagsArith
}
