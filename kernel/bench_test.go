package kernel_test

import (
	"io"
	"os"
	"testing"
	"time"

	"preemptlab/emu"
	"preemptlab/kernel"
)

// BenchmarkKernel runs the kernel benchmark's workload (tests/kernel/
// kbench.c: a 1 kHz realtime timer task, a SCHED_OTHER task in long
// udelay system calls, a 5 kHz device interrupt with a softirq) on two
// CPUs under CONFIG_PREEMPT for 10 simulated seconds, and reports
// simulated seconds per host second; with tracing on, every event is
// formatted as ftrace text too.
func BenchmarkKernel(b *testing.B) {
	for _, tc := range []struct {
		name  string
		trace bool
	}{{"trace=off", false}, {"trace=on", true}} {
		b.Run(tc.name, func(b *testing.B) {
			img, err := os.ReadFile("../tests/kernel/kbench.elf")
			if err != nil {
				b.Fatal(err)
			}
			const seconds = 10
			var host time.Duration
			for i := 0; i < b.N; i++ {
				m, err := emu.New(emu.Config{CPUs: 2, Seed: 1})
				if err != nil {
					b.Fatal(err)
				}
				l, err := m.LoadMultiboot(img, "")
				if err != nil {
					b.Fatal(err)
				}
				if err := m.AddTraffic(emu.TrafficConfig{IRQ: 11, Rate: 5000}, 0); err != nil {
					b.Fatal(err)
				}
				model, _ := kernel.LookupPreset("preempt")
				cfg := kernel.Config{Model: model}
				var ft *kernel.Ftrace
				if tc.trace {
					ft = kernel.NewFtrace(io.Discard, 1000, 2, false)
					cfg.Tracer = ft
				}
				if _, err := kernel.New(m, l, img, cfg); err != nil {
					b.Fatal(err)
				}
				m.Schedule(seconds*1_000_000_000, func() { m.Exit(0, "") })
				start := time.Now()
				r := m.Run()
				if ft != nil {
					ft.Close()
				}
				host += time.Since(start)
				if r.Status != 0 || r.Message != "" {
					b.Fatalf("run ended with status %d: %s", r.Status, r.Message)
				}
			}
			b.ReportMetric(float64(seconds*b.N)/host.Seconds(), "sim-s/s")
		})
	}
}
