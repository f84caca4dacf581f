package cpu

// This file is the test harness shared by the instruction tests: a fake bus,
// a machine in flat 32-bit protected mode, and an assembler for test code.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// Test machine layout.
const (
	testRAM      = 1 << 20
	testCodeBase = 0x10000 // where asm output is loaded and run
	testStackTop = 0x80000
	testGDTBase  = 0x1000
	testIDTBase  = 0x2000
)

// fakeBus records port writes and answers port reads from a table.
type fakeBus struct {
	in      map[uint16]uint32 // what In returns per port (0 if absent)
	out     []portWrite
	mmio    map[uint32]uint32
	msr     map[uint32]uint64
	vectors []uint8 // interrupts to acknowledge, in order
	missing bool    // answer every access with ok=false
}

type portWrite struct {
	port uint16
	size int
	v    uint32
}

func (b *fakeBus) ReadPhys(cpu int, addr uint32, size int) (uint32, bool) {
	v, ok := b.mmio[addr]
	return v, ok && !b.missing
}

func (b *fakeBus) WritePhys(cpu int, addr uint32, size int, v uint32) bool {
	if _, ok := b.mmio[addr]; !ok || b.missing {
		return false
	}
	b.mmio[addr] = v
	return true
}

func (b *fakeBus) In(cpu int, port uint16, size int) (uint32, bool) {
	return b.in[port], !b.missing
}

func (b *fakeBus) Out(cpu int, port uint16, size int, v uint32) bool {
	b.out = append(b.out, portWrite{port, size, v})
	return !b.missing
}

func (b *fakeBus) ReadMSR(cpu int, msr uint32) (uint64, bool) {
	v, ok := b.msr[msr]
	return v, ok
}

func (b *fakeBus) WriteMSR(cpu int, msr uint32, v uint64) bool {
	if _, ok := b.msr[msr]; !ok {
		return false
	}
	b.msr[msr] = v
	return true
}

func (b *fakeBus) Acknowledge(cpu int) (uint8, bool) {
	if len(b.vectors) == 0 {
		return 0, false
	}
	v := b.vectors[0]
	b.vectors = b.vectors[1:]
	return v, true
}

// newTestCPU returns a CPU with 1 MiB of RAM in flat 32-bit protected mode
// at CPL 0, code loaded at testCodeBase, ESP = testStackTop, a GDT with a
// null descriptor, flat code (0x08) and data (0x10) at CPL 0, flat code
// (0x1B) and data (0x23) at CPL 3, and an empty IDT (limit 0) at
// testIDTBase.
func newTestCPU(t testing.TB, code []byte) (*CPU, *fakeBus) {
	t.Helper()
	bus := &fakeBus{in: map[uint16]uint32{}, mmio: map[uint32]uint32{}, msr: map[uint32]uint64{}}
	c := New(0, make([]byte, testRAM), bus)
	gdt := []uint64{
		0,
		0x00CF9A000000FFFF, // 0x08 code, DPL 0
		0x00CF92000000FFFF, // 0x10 data, DPL 0
		0x00CFFA000000FFFF, // 0x18 code, DPL 3
		0x00CFF2000000FFFF, // 0x20 data, DPL 3
	}
	for i, d := range gdt {
		putLE64(c.ram[testGDTBase+8*i:], d)
	}
	c.SetProtectedFlat(testCodeBase)
	c.GDTR = DescriptorTable{Base: testGDTBase, Limit: uint16(len(gdt)*8 - 1)}
	c.IDTR = DescriptorTable{Base: testIDTBase, Limit: 0}
	c.R[ESP] = testStackTop
	copy(c.ram[testCodeBase:], code)
	return c, bus
}

func putLE64(b []byte, v uint64) {
	for i := 0; i < 8; i++ {
		b[i] = byte(v >> (8 * i))
	}
}

// runToHalt runs the CPU until it halts or stops, at most maxCycles.
func runToHalt(t testing.TB, c *CPU, maxCycles uint64) StopReason {
	t.Helper()
	r := c.Run(c.Cycles + maxCycles)
	if r == StopLimit {
		t.Fatalf("did not halt within %d cycles (EIP=%#x)", maxCycles, c.EIP)
	}
	return r
}

var (
	asmMu    sync.Mutex
	asmCache = map[string][]byte{}
)

// asm assembles AT&T-syntax 32-bit code (GNU as) linked at testCodeBase and
// returns its bytes. Tests that use it are skipped if binutils is missing
// (they fail under CI: see missingTool).
// Use ".code16" in src for 16-bit code.
func asm(t testing.TB, src string) []byte {
	t.Helper()
	asmMu.Lock()
	defer asmMu.Unlock()
	if b, ok := asmCache[src]; ok {
		return b
	}
	for _, tool := range []string{"as", "ld"} {
		if _, err := exec.LookPath(tool); err != nil {
			missingTool(t, "GNU "+tool, "binutils", err)
		}
	}
	sum := sha256.Sum256([]byte(src))
	dir := filepath.Join(os.TempDir(), "preemptlab-asm")
	os.MkdirAll(dir, 0o755)
	base := filepath.Join(dir, hex.EncodeToString(sum[:8]))
	if b, err := os.ReadFile(base + ".bin"); err == nil {
		asmCache[src] = b
		return b
	}
	if err := os.WriteFile(base+".s", []byte(src+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(name string, args ...string) {
		var stderr bytes.Buffer
		cmd := exec.Command(name, args...)
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("%s: %v\n%s\nsource:\n%s", name, err, stderr.String(), src)
		}
	}
	run("as", "--32", "-o", base+".o", base+".s")
	run("ld", "-m", "elf_i386", "-Ttext", fmt.Sprintf("%#x", testCodeBase), "--oformat", "binary", "-o", base+".tmp", base+".o")
	b, err := os.ReadFile(base + ".tmp")
	if err != nil {
		t.Fatal(err)
	}
	os.Rename(base+".tmp", base+".bin")
	asmCache[src] = b
	return b
}

func TestHarnessRuns(t *testing.T) {
	c, bus := newTestCPU(t, asm(t, `
		mov $5, %ecx
		xor %eax, %eax
	1:	add %ecx, %eax
		dec %ecx
		jnz 1b
		mov $0x3f8, %dx
		out %al, %dx
		hlt`))
	if r := runToHalt(t, c, 1000); r != StopHalt {
		t.Fatalf("stop = %v, want halt", r)
	}
	if c.R[EAX] != 15 {
		t.Errorf("EAX = %d, want 15", c.R[EAX])
	}
	if len(bus.out) != 1 || bus.out[0] != (portWrite{0x3f8, 1, 15}) {
		t.Errorf("port writes = %v, want [{0x3f8 1 15}]", bus.out)
	}
}

// kernelFunc is a Kernel made of a function, for tests.
type kernelFunc func(c *CPU, e Entry)

func (k kernelFunc) Enter(c *CPU, e Entry) { k(c, e) }

// onException installs a Kernel that gives every exception to fn and
// delivers everything else through the guest's IDT, as a bare processor.
func onException(c *CPU, fn func(c *CPU, e Entry)) {
	c.SetKernel(kernelFunc(func(c *CPU, e Entry) {
		if e.Kind == EntryException {
			fn(c, e)
			return
		}
		c.Deliver(e)
	}))
}
