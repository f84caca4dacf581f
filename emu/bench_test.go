package emu

import (
	"io"
	"os"
	"testing"
)

// BenchmarkCompiledC runs the compute-bound image tests/images/bench.elf
// (sorting, hashing and a bytecode interpreter, compiled with gcc -O2) on
// one processor and reports emulated MIPS: millions of guest instructions
// per host second.
func BenchmarkCompiledC(b *testing.B) {
	img, err := os.ReadFile("../tests/images/bench.elf")
	if err != nil {
		b.Skip("tests/images/bench.elf not built:", err)
	}
	var insts uint64
	for b.Loop() {
		m, err := New(Config{CPUs: 1, Console: io.Discard})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := m.LoadMultiboot(img, ""); err != nil {
			b.Fatal(err)
		}
		r := m.Run()
		if r.Kind != ExitGuest || r.Status != 1 {
			b.Fatalf("bench.elf ended with %v status %d: %s", r.Kind, r.Status, r.Message)
		}
		insts += m.CPUs()[0].Instructions
	}
	b.ReportMetric(float64(insts)/b.Elapsed().Seconds()/1e6, "MIPS")
}
