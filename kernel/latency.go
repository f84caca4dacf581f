package kernel

// This file implements latency recording: for every timer wake-up of a
// realtime task, the cycles of the timer's expiry, the interrupt's entry,
// the wake-up, the switch-in and the return to user mode (or, for a
// kernel thread, the return to its code), kept per task and per CPU in
// HdrHistograms. IRQ latency (expiry → interrupt entry) and thread
// latency (expiry → the task running its own code) are kept apart, as
// rtla timerlat keeps them.

import (
	"sort"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// LatencySample is one timer wake-up of a realtime task, in cycles of
// global time.
type LatencySample struct {
	// Task is the woken task; Seq counts its samples from 0.
	Task *Task
	Seq  int
	// TimerCPU is where the timer fired, CPU where the task returned to
	// its code.
	TimerCPU, CPU int
	// Expiry is the timer's expiry; IRQEntry the entry of the interrupt
	// that ran it; Wakeup the wake-up; SwitchIn the switch to the task
	// (Wakeup when it was still current); Return its return to its own
	// code (user mode, or a kernel thread's code).
	Expiry, IRQEntry, Wakeup, SwitchIn, Return uint64
	// Blame is the sample's breakdown, when the kernel blames (Config.Blame).
	Blame *Blame
}

// IRQLatency is expiry → interrupt entry, in cycles.
func (s *LatencySample) IRQLatency() uint64 { return s.IRQEntry - s.Expiry }

// ThreadLatency is expiry → the task back in its own code, in cycles.
func (s *LatencySample) ThreadLatency() uint64 { return s.Return - s.Expiry }

// Histogram bounds, in ns: 1 ns to 100 s at 3 significant digits. A
// larger value is counted as an overflow.
const (
	histLowest  = 1
	histHighest = 100_000_000_000
	histDigits  = 3
)

// LatencyHist is a latency distribution (ns) with its overflows.
type LatencyHist struct {
	H *hdrhistogram.Histogram
	// Overflows counts values above the histogram's range.
	Overflows int64
	// Sum is the exact sum of the values (ns), Min and Max exact too.
	Sum, Min, Max uint64
	N             int64
}

func newLatencyHist() *LatencyHist {
	return &LatencyHist{H: hdrhistogram.New(histLowest, histHighest, histDigits)}
}

func (h *LatencyHist) record(ns uint64) {
	if h.N == 0 || ns < h.Min {
		h.Min = ns
	}
	h.Max = max(h.Max, ns)
	h.Sum += ns
	h.N++
	if h.H.RecordValue(int64(ns)) != nil {
		h.Overflows++
	}
}

// Avg is the exact mean in ns (0 with no values).
func (h *LatencyHist) Avg() float64 {
	if h.N == 0 {
		return 0
	}
	return float64(h.Sum) / float64(h.N)
}

// Quantile is the q-th percentile (0–100) in ns, at the histogram's
// precision.
func (h *LatencyHist) Quantile(q float64) uint64 { return uint64(h.H.ValueAtQuantile(q)) }

// LatencyStats are the histograms of one task or CPU.
type LatencyStats struct {
	IRQ, Thread *LatencyHist
}

func newLatencyStats() *LatencyStats {
	return &LatencyStats{IRQ: newLatencyHist(), Thread: newLatencyHist()}
}

func (st *LatencyStats) record(k *Kernel, s *LatencySample) {
	st.IRQ.record(k.cyclesToNS(s.IRQLatency()))
	st.Thread.record(k.cyclesToNS(s.ThreadLatency()))
}

// latencyRecorder holds the samples in progress and the histograms.
type latencyRecorder struct {
	byTask map[*Task]*LatencyStats
	byCPU  []*LatencyStats
	count  map[*Task]int
	// entry is each CPU's latest interrupt entry (cycle).
	entry []uint64
}

func (k *Kernel) initLatency() {
	r := &k.lat
	r.byTask = map[*Task]*LatencyStats{}
	r.count = map[*Task]int{}
	r.entry = make([]uint64, len(k.cpus))
	for range k.cpus {
		r.byCPU = append(r.byCPU, newLatencyStats())
	}
}

// latIRQEntry notes an interrupt's entry on CPU p.
func (k *Kernel) latIRQEntry(p *percpu) {
	k.lat.entry[p.id] = k.now(p)
	if k.blame != nil {
		k.blame.irqEntry(p)
	}
}

// latTimerWake notes that timer tm, expiring, woke realtime task t.
func (k *Kernel) latTimerWake(p *percpu, tm *hrtimer, t *Task) {
	if !t.isRT() {
		return
	}
	now := k.now(p)
	t.latPending = &LatencySample{Task: t, TimerCPU: p.id, Expiry: tm.expires,
		IRQEntry: max(k.lat.entry[p.id], tm.expires), Wakeup: now}
}

// latSwitchIn notes that t runs on p (switched in, or picked again).
func (k *Kernel) latSwitchIn(p *percpu, t *Task) {
	if s := t.latPending; s != nil && s.SwitchIn == 0 {
		s.SwitchIn = k.now(p)
	}
}

// latReturn notes that t goes back to its own code on p: its sample, if
// any, is complete.
func (k *Kernel) latReturn(p *percpu, t *Task) {
	if k.blame != nil {
		k.blame.userReturn(p, t)
	}
	s := t.latPending
	if s == nil {
		return
	}
	t.latPending = nil
	if s.SwitchIn == 0 {
		s.SwitchIn = s.Wakeup
	}
	s.Return, s.CPU = k.now(p), p.id
	s.Seq = k.lat.count[t]
	k.lat.count[t]++
	st := k.lat.byTask[t]
	if st == nil {
		st = newLatencyStats()
		k.lat.byTask[t] = st
	}
	st.record(k, s)
	k.lat.byCPU[p.id].record(k, s)
	if k.blame != nil {
		s.Blame = k.blame.explain(s)
	}
	if k.cfg.OnSample != nil {
		k.cfg.OnSample(s)
	}
}

// LatencyTasks returns the tasks that have latency samples, in pid order.
func (k *Kernel) LatencyTasks() []*Task {
	var l []*Task
	for t := range k.lat.byTask {
		l = append(l, t)
	}
	sort.Slice(l, func(i, j int) bool { return l[i].PID < l[j].PID })
	return l
}

// TaskLatency returns t's histograms (nil if it has no samples).
func (k *Kernel) TaskLatency(t *Task) *LatencyStats { return k.lat.byTask[t] }

// CPULatency returns the histograms of the samples that ended on CPU n.
func (k *Kernel) CPULatency(n int) *LatencyStats { return k.lat.byCPU[n] }

// CyclesToNS converts cycles of the run to nanoseconds.
func (k *Kernel) CyclesToNS(c uint64) uint64 { return k.cyclesToNS(c) }

// Priority is the task's rt_priority (0 for SCHED_OTHER).
func (t *Task) Priority() int { return t.rtPrio }

// LastCPU is the CPU the task runs on or last ran on.
func (t *Task) LastCPU() int { return t.cpu }

// ContextSwitches counts the context switches of every CPU so far.
func (k *Kernel) ContextSwitches() uint64 {
	var n uint64
	for _, p := range k.cpus {
		n += p.nrSwitches
	}
	return n
}

// LockCensus returns the lock operations executed so far on spinning
// locks (raw spinlocks and the types the model kept spinning) and on
// sleeping ones — the split of Molnar's census table.
func (k *Kernel) LockCensus() (spinning, sleeping uint64) {
	c := k.Census()
	return c.Ops[censusRaw] + c.Ops[censusSpinning], c.Ops[censusSleeping]
}
