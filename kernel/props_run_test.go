package kernel

// This file runs the seeded random workload (tests/kernel/random.c) in
// process for the property tests: a machine, the image, the kernel with a
// tracer that records every event together with what the event's tasks
// were at that moment, and the traffic devices.

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"preemptlab/emu"
)

// randomImage is the workload's image, built from tests/kernel/random.c.
const randomImage = "../tests/kernel/random.elf"

var (
	randomOnce sync.Once
	randomELF  []byte
	randomErr  error
)

func readRandomImage(t testing.TB) []byte {
	t.Helper()
	randomOnce.Do(func() { randomELF, randomErr = os.ReadFile(randomImage) })
	if randomErr != nil {
		t.Fatalf("%v (make -C tests/kernel builds it)", randomErr)
	}
	return randomELF
}

// propConfig is one run of the workload.
type propConfig struct {
	model     string // a name for reports
	m         Model
	cpus      int
	seed      uint64
	tasks     int
	ms        uint64 // simulated milliseconds
	irq11Rate float64
	irq10Rate float64
	// hook, when set, is given the kernel before the run starts.
	hook func(k *Kernel)
}

func (c propConfig) String() string {
	return fmt.Sprintf("%s/cpus=%d/seed=%d", c.model, c.cpus, c.seed)
}

// cmdline is the workload's kernel command line.
func (c propConfig) cmdline() string { return fmt.Sprintf("seed=%d tasks=%d", c.seed, c.tasks) }

// taskSnap is a task as it was when an event was made.
type taskSnap struct {
	t      *Task
	kind   taskKind
	prio   int
	policy int
	nice   int
	aff    uint64
	count  uint32 // preempt_count, whole
	state  int
}

func snapOf(t *Task) taskSnap {
	if t == nil {
		return taskSnap{}
	}
	return taskSnap{t: t, kind: t.kind, prio: t.prio, policy: t.policy, nice: t.nice, aff: t.affinity,
		count: t.preemptCount, state: t.state}
}

// record is one event as the recorder kept it.
type record struct {
	Event
	seq         int
	task, other taskSnap
}

// recorder is the Tracer of a property run: it keeps every event, and
// hands it to an ftrace formatter when the run's trace is wanted.
type recorder struct {
	evs []record
	ft  *Ftrace
}

func (r *recorder) Event(e *Event) {
	x := record{Event: *e, seq: len(r.evs), task: snapOf(e.Task), other: snapOf(e.Other)}
	r.evs = append(r.evs, x)
	if r.ft != nil {
		r.ft.Event(e)
	}
}

// propRun is what one run left.
type propRun struct {
	cfg     propConfig
	k       *Kernel
	res     *emu.Result
	evs     []record
	console string
	log     string
	trace   []byte   // the ftrace text, when asked for
	sum     [32]byte // SHA-256 of console, log and trace
}

// runWorkload runs the workload under cfg. With trace set the ftrace text
// of the run is kept (and summed).
func runWorkload(t testing.TB, cfg propConfig, trace bool) *propRun {
	t.Helper()
	image := readRandomImage(t)
	var console, log, ft bytes.Buffer
	const mhz = 1000
	end := cfg.ms * 1_000_000 * mhz / 1000
	m, err := emu.New(emu.Config{CPUs: cfg.cpus, MHz: mhz, Seed: cfg.seed, Console: &console, Log: &log, MaxCycles: end + 1_000_000})
	if err != nil {
		t.Fatal(err)
	}
	l, err := m.LoadMultiboot(image, cfg.cmdline())
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	if trace {
		rec.ft = NewFtrace(&ft, mhz, cfg.cpus, true)
	}
	k, err := New(m, l, image, Config{Model: cfg.m, Tracer: rec, Log: &log, Cmdline: cfg.cmdline()})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.hook != nil {
		cfg.hook(k)
	}
	if cfg.irq11Rate > 0 {
		if err := m.AddTraffic(emu.TrafficConfig{IRQ: 11, Rate: cfg.irq11Rate, Jitter: 0.5}, 0); err != nil {
			t.Fatal(err)
		}
	}
	if cfg.irq10Rate > 0 {
		if err := m.AddTraffic(emu.TrafficConfig{IRQ: 10, Rate: cfg.irq10Rate, Jitter: 0.5}, 1); err != nil {
			t.Fatal(err)
		}
	}
	m.Schedule(end, func() { m.Exit(0, "") }) // --duration
	res := m.Run()
	r := &propRun{cfg: cfg, k: k, res: res, evs: rec.evs, console: console.String(), log: log.String()}
	if trace {
		if err := rec.ft.Close(); err != nil {
			t.Fatal(err)
		}
		r.trace = ft.Bytes()
	}
	h := sha256.New()
	fmt.Fprintf(h, "%d\n%s\n%s\n", res.Status, r.console, r.log)
	h.Write(r.trace)
	copy(r.sum[:], h.Sum(nil))
	return r
}

// saveTrace writes a failing run's trace where PROPS_TRACE_DIR says, for
// a closer look, and returns where (or "").
func saveTrace(t testing.TB, r *propRun) string {
	dir := os.Getenv("PROPS_TRACE_DIR")
	if dir == "" {
		return ""
	}
	if r.trace == nil {
		r = runWorkload(t, r.cfg, true)
	}
	name := filepath.Join(dir, fmt.Sprintf("%s-cpus%d-seed%d.trace", r.cfg.model, r.cfg.cpus, r.cfg.seed))
	if err := os.WriteFile(name, append([]byte("# console:\n"+r.console+"# log:\n"+r.log), r.trace...), 0o644); err != nil {
		t.Logf("writing %s: %v", name, err)
		return ""
	}
	return name
}
