package kernel

import (
	"fmt"
	"strings"
	"testing"
)

const blameImage = "../tests/kernel/blame.elf"

// blameCase is one constructed case of tests/kernel/blame.c and the
// answer its worst sample must have.
type blameCase struct {
	name     string
	model    string
	traffic  [][2]float64
	category string // the worst sample's largest part
	what     string // words its description must have
	min, max uint64 // the part's length (cycles) lies in [min, max]
	latMax   uint64 // no sample is later than this (cycles)
}

var blameCases = []blameCase{
	// 300 µs with interrupts off: the timer interrupt itself waits, so
	// it is IRQ latency, blamed on the section and where it began.
	{"irqoff", "preempt", nil, "irqs-off", "interrupts off from irqs_off_section+", 280_000, 301_000, 305_000},
	// The same with the processor's own CLI and STI, which the kernel
	// sees no call for: the blame finds them at the interrupt's entry,
	// named by the CLI's address.
	{"cli", "preempt", nil, "irqs-off", "interrupts off from cli_section+0x4/0x2c (cli)", 280_000, 301_000, 305_000},
	// A 500 µs spinlock_t hold under CONFIG_PREEMPT: the interrupt is
	// taken at once but the preemption count holds the switch off.
	{"spinlock", "preempt", nil, "preempt-off", "preemption off by spin_lock(demo_lock) at hold_demo_lock+", 480_000, 501_000, 506_000},
	// The same hold without CONFIG_PREEMPT: non-preemptible kernel code.
	{"spinlock", "none", nil, "non-preemptible", "holding demo_lock (taken at hold_demo_lock+", 480_000, 501_000, 506_000},
	// A 200 µs hard handler, with interrupts on (the timer is taken in
	// it, but the wake-up's switch waits for the handler's return).
	// (The handler's part may exceed its udelay by its port accesses.)
	{"hardirq", "preempt", [][2]float64{{11, 1500}}, "hardirq", "hard-IRQ handler slowdev (irq 11)", 180_000, 202_000, 230_000},
	// 150 µs of NET_RX work on interrupt exit.
	{"softirq", "preempt", [][2]float64{{11, 1500}}, "softirq", "softirq NET_RX (rx_action)", 130_000, 151_000, 180_000},
	// Priority inversion: after its wake-up the task needs demo_lock
	// (sleeping under rt), held 400 µs by an OTHER thread. Without PI the
	// FIFO 50 hog preempts the holder and the task waits for its 600 µs
	// as well; with PI the holder runs boosted to the task's priority and
	// the wait is the rest of the critical section.
	{"pi", "rt", nil, "lock", "waiting for demo_lock, held by holder-2 (prio 120), while hog-3 (prio 49) runs", 580_000, 601_000, 1_015_000},
	{"pi", "rt+pi=chain", nil, "lock", "waiting for demo_lock, held by holder-2 (prio 120), boosted to prio 19", 380_000, 401_000, 410_000},
}

// TestBlameConstructed checks the blame on cases whose answer is known
// (a model is a preset, or preset+knob=value):
// the worst sample's largest part names the cause, with its symbol, at
// the length the case gives it, and every sample's parts add up to it.
func TestBlameConstructed(t *testing.T) {
	for _, c := range blameCases {
		t.Run(c.name+"/"+c.model, func(t *testing.T) {
			preset, knob, _ := strings.Cut(c.model, "+")
			var knobs []string
			if name, value, ok := strings.Cut(knob, "="); ok {
				knobs = []string{name, value}
			}
			m := presetWith(t, preset, knobs...)
			r := runMeasured(t, blameImage, m, "case="+c.name, 400, c.traffic...)
			var worst *LatencySample
			for _, s := range r.samples {
				if got := s.Blame.Total(); got != s.ThreadLatency() {
					t.Fatalf("sample %d: parts sum to %d, latency %d: %+v", s.Seq, got, s.ThreadLatency(), s.Blame.Parts)
				}
				if s.ThreadLatency() > c.latMax {
					t.Errorf("sample %d: %d cycles late, more than the case allows (%d): %+v", s.Seq, s.ThreadLatency(), c.latMax, s.Blame.Parts)
				}
				if worst == nil || s.ThreadLatency() > worst.ThreadLatency() {
					worst = s
				}
			}
			if len(r.samples) < 150 || worst == nil {
				t.Fatalf("%d samples; log:\n%s", len(r.samples), r.log)
			}
			big := worst.Blame.Parts[0]
			for _, p := range worst.Blame.Parts {
				if p.Cycles > big.Cycles {
					big = p
				}
			}
			if big.Category != c.category || !strings.Contains(big.What, c.what) {
				t.Errorf("the worst sample's largest part is %s %q, want %s with %q; parts %+v", big.Category, big.What, c.category, c.what, worst.Blame.Parts)
			}
			if big.Cycles < c.min || big.Cycles > c.max {
				t.Errorf("the part is %d cycles, want %d to %d", big.Cycles, c.min, c.max)
			}
			if got := worst.Blame.Cause(); got != big.What {
				t.Errorf("Cause() = %q, want the largest part %q", got, big.What)
			}
			if c.category == "irqs-off" {
				var irq uint64
				for _, p := range worst.Blame.IRQ {
					irq += p.Cycles
				}
				if irq != worst.IRQLatency() || irq < c.min {
					t.Errorf("IRQ latency %d, its parts %d: the section should delay the interrupt itself", worst.IRQLatency(), irq)
				}
			}
		})
	}
}

// TestBlameSameWithTracer checks that the blame does not depend on
// whether another tracer runs beside it (then every event is made; alone,
// only those the blamer follows).
func TestBlameSameWithTracer(t *testing.T) {
	m, _ := LookupPreset("voluntary")
	traffic := [][2]float64{{11, 3000}, {14, 50}}
	alone := runMeasuredBlame(t, cyclictestImage, m, "", 200, true, false, traffic...)
	beside := runMeasuredBlame(t, cyclictestImage, m, "", 200, true, true, traffic...)
	if len(alone.samples) != len(beside.samples) || len(alone.samples) == 0 {
		t.Fatalf("%d samples alone, %d beside a tracer", len(alone.samples), len(beside.samples))
	}
	for i, a := range alone.samples {
		b := beside.samples[i]
		if fmt.Sprint(a.Blame) != fmt.Sprint(b.Blame) || a.Return != b.Return {
			t.Fatalf("sample %d: alone %+v, beside a tracer %+v", i, a.Blame, b.Blame)
		}
	}
}
