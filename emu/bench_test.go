package emu

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkCompiledC runs the compute-bound image boot/images/bench.elf
// (sorting, hashing and a bytecode interpreter, compiled with gcc -O2) on
// one processor and reports emulated MIPS: millions of guest instructions
// per host second, and per second of the process's CPU time (cpu-MIPS,
// which a busy shared host disturbs less). The figure includes translating
// the image's code.
func BenchmarkCompiledC(b *testing.B) {
	img, err := os.ReadFile("../boot/images/bench.elf")
	if err != nil {
		b.Fatal("boot/images/bench.elf:", err)
	}
	runImage(b, "bench.elf", img)
}

// runImage runs a single-processor image b.N times and reports emulated
// MIPS on wall time and on CPU time.
func runImage(b *testing.B, name string, img []byte) {
	var insts uint64
	var cpu float64
	for b.Loop() {
		b.StopTimer() // building a 64 MiB machine is not emulation
		m, err := New(Config{CPUs: 1, Console: io.Discard})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := m.LoadMultiboot(img, ""); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		t0 := cpuSeconds()
		r := m.Run()
		cpu += cpuSeconds() - t0
		if r.Kind != ExitGuest || r.Status != 1 {
			b.Fatalf("%s ended with %v status %d: %s", name, r.Kind, r.Status, r.Message)
		}
		insts += m.CPUs()[0].Instructions
	}
	b.ReportMetric(float64(insts)/b.Elapsed().Seconds()/1e6, "MIPS")
	if cpu > 0 {
		b.ReportMetric(float64(insts)/cpu/1e6, "cpu-MIPS")
	}
}

// BenchmarkIdle runs two processors that halt between the interrupts of
// their 1 kHz local APIC timers, and reports simulated seconds per host
// second: how fast idle time fast-forwards.
func BenchmarkIdle(b *testing.B) {
	code, err := os.ReadFile("testdata/idle.bin")
	if err != nil {
		b.Fatal(err)
	}
	const seconds = 100
	var simulated float64
	for b.Loop() {
		m, err := New(Config{CPUs: 2, MemMB: 2, Console: io.Discard, MaxCycles: seconds * 1e9})
		if err != nil {
			b.Fatal(err)
		}
		copy(m.RAM()[0x100000:], code)
		for i, c := range m.CPUs() {
			c.SetProtectedFlat(0x100000)
			c.R[4] = uint32(0x80000 - i*0x1000)
		}
		r := m.Run()
		if r.Kind != ExitBudget {
			b.Fatalf("idle machine ended with %v: %s", r.Kind, r.Message)
		}
		simulated += seconds
	}
	b.ReportMetric(simulated/b.Elapsed().Seconds(), "sim-s/s")
}

// BenchmarkBusy runs a compute loop on one and on two processors and
// reports aggregate emulated MIPS: interleaving two processors in global
// time must cost little against running one.
func BenchmarkBusy(b *testing.B) {
	code, err := os.ReadFile("testdata/busy.bin")
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{1, 2} {
		b.Run(fmt.Sprintf("cpus=%d", n), func(b *testing.B) {
			var insts uint64
			for b.Loop() {
				m, err := New(Config{CPUs: n, MemMB: 2, Console: io.Discard, MaxCycles: 200_000_000})
				if err != nil {
					b.Fatal(err)
				}
				copy(m.RAM()[0x100000:], code)
				for i, c := range m.CPUs() {
					c.SetProtectedFlat(0x100000)
					c.R[4] = uint32(0x80000 - i*0x1000)
				}
				if r := m.Run(); r.Kind != ExitBudget {
					b.Fatalf("busy machine ended with %v: %s", r.Kind, r.Message)
				}
				for _, c := range m.CPUs() {
					insts += c.Instructions
				}
			}
			b.ReportMetric(float64(insts)/b.Elapsed().Seconds()/1e6, "MIPS")
		})
	}
}

// BenchmarkImages runs each benchmark image of tests/bench (compiled C:
// checksums, short matrices, byte state machines, linked lists, sorting,
// an interpreter) on one processor and reports emulated MIPS for each, on
// wall time and on CPU time.
func BenchmarkImages(b *testing.B) {
	files, err := filepath.Glob("../tests/bench/*.elf")
	if err != nil || len(files) == 0 {
		b.Fatal("no images in tests/bench (run make -C tests/bench)", err)
	}
	for _, file := range files {
		img, err := os.ReadFile(file)
		if err != nil {
			b.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(file), ".elf")
		if name == "startup" {
			continue // it does nothing: qemu-compare.sh's start-up cost
		}
		b.Run(name, func(b *testing.B) { runImage(b, name, img) })
	}
}
