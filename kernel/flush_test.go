package kernel

import (
	"bytes"
	"os"
	"testing"

	"preemptlab/emu"
)

// hidden hides a tracer's Flush: the kernel then never flushes it.
type hidden struct{ Tracer }

// TestFlushedTraceSame checks that a trace written as the run goes (the
// tracer flushed every flushEvery events) is byte for byte the trace
// kept whole to the end, for both formats, on a run long enough for
// several flushes.
func TestFlushedTraceSame(t *testing.T) {
	image, err := os.ReadFile("../tests/kernel/kbench.elf")
	if err != nil {
		t.Fatal(err)
	}
	model, _ := LookupPreset("preempt")
	run := func(perfetto, flush bool) (string, uint64) {
		m, err := emu.New(emu.Config{CPUs: 2, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		l, err := m.LoadMultiboot(image, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := m.AddTraffic(emu.TrafficConfig{IRQ: 11, Rate: 5000}, 0); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		var tr interface {
			Tracer
			Close() error
		}
		if perfetto {
			tr = NewPerfetto(&out, m.Config().MHz, 2)
		} else {
			tr = NewFtrace(&out, m.Config().MHz, 2, true)
		}
		cfg := Config{Model: model, Tracer: tr}
		if !flush {
			cfg.Tracer = hidden{tr}
		}
		k, err := New(m, l, image, cfg)
		if err != nil {
			t.Fatal(err)
		}
		m.Schedule(5_000_000_000, func() { m.Exit(0, "") })
		if r := m.Run(); r.Status != 0 {
			t.Fatalf("status %d: %s", r.Status, r.Message)
		}
		if err := tr.Close(); err != nil {
			t.Fatal(err)
		}
		return out.String(), k.traced
	}
	for _, perfetto := range []bool{false, true} {
		whole, n := run(perfetto, false)
		if n < 3*flushEvery {
			t.Fatalf("only %d events: too few to flush", n)
		}
		if flushed, _ := run(perfetto, true); flushed != whole {
			t.Errorf("perfetto=%v: the flushed trace (%d bytes) differs from the whole one (%d bytes)", perfetto, len(flushed), len(whole))
		}
	}
}
