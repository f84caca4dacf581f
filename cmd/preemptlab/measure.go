package main

// This file collects the kernel's latency samples of a run, per
// measurement thread, as cyclictest keeps its statistics, and keeps the
// worst samples with their blame.

import (
	"sort"
	"strings"

	"preemptlab/kernel"
)

// threadStats are one measurement thread's statistics, in µs as
// cyclictest keeps them (a sample is its thread latency in ns / 1000).
type threadStats struct {
	task *kernel.Task
	// cycles counts samples; min, max, act (the last) and sum are µs.
	cycles              uint64
	min, max, act, sum  int64
	hist                []uint64 // per-µs buckets, when a histogram is kept
	full                []uint64 // per-µs buckets up to the max, always
	overflows           uint64
	overflowAt          []uint64 // the sample numbers of the first overflows
	intervalUS          int64    // the smallest period between expiries seen
	lastExpiry          uint64
	irqMaxNS, threadMax uint64 // ns
}

// worstSample is a sample kept for its blame.
type worstSample struct {
	thread int
	s      kernel.LatencySample
}

// measurement collects a run's samples.
type measurement struct {
	k       *kernel.Kernel
	mhz     uint64
	histUS  int // buckets kept per thread (0: none)
	keep    int // worst samples kept
	threads []*threadStats
	byTask  map[*kernel.Task]*threadStats
	worst   []worstSample // worst first
	// stop, when set, is called when a sample asks the run to end
	// (loops reached, breaktrace).
	stop       func()
	breakUS    int64
	breakHit   *threadStats
	breakValue int64
	total      uint64
	// loops, when set, ends the run (stop) once every measurement thread
	// has that many samples.
	loops uint64
	// prefix selects the measurement threads by name ("": every task
	// with samples).
	prefix string
}

func newMeasurement(mhz uint64, histUS, keep int, breakUS int64) *measurement {
	return &measurement{mhz: mhz, histUS: histUS, keep: max(keep, 1), breakUS: breakUS, byTask: map[*kernel.Task]*threadStats{}}
}

// sample takes one latency sample (kernel.Config.OnSample).
func (m *measurement) sample(s *kernel.LatencySample) {
	if !strings.HasPrefix(s.Task.Comm, m.prefix) {
		return
	}
	ts := m.byTask[s.Task]
	if ts == nil {
		ts = &threadStats{task: s.Task, min: -1}
		if m.histUS > 0 {
			ts.hist = make([]uint64, m.histUS)
		}
		m.byTask[s.Task] = ts
		m.threads = append(m.threads, ts)
		sort.SliceStable(m.threads, func(i, j int) bool { return m.threads[i].task.PID < m.threads[j].task.PID })
	}
	ns := s.ThreadLatency() * 1000 / m.mhz
	us := int64(ns / 1000)
	if ts.lastExpiry != 0 {
		d := int64((s.Expiry - ts.lastExpiry) * 1000 / m.mhz / 1000)
		if ts.intervalUS == 0 || d < ts.intervalUS {
			ts.intervalUS = d
		}
	}
	ts.lastExpiry = s.Expiry
	if ts.min < 0 || us < ts.min {
		ts.min = us
	}
	ts.max = max(ts.max, us)
	ts.act = us
	ts.sum += us
	if ts.hist != nil {
		if us < int64(len(ts.hist)) {
			ts.hist[us]++
		} else {
			ts.overflows++
			if len(ts.overflowAt) < len(ts.hist) {
				ts.overflowAt = append(ts.overflowAt, ts.cycles)
			}
		}
	}
	for int64(len(ts.full)) <= us {
		ts.full = append(ts.full, 0)
	}
	ts.full[us]++
	ts.cycles++
	m.total++
	ts.irqMaxNS = max(ts.irqMaxNS, s.IRQLatency()*1000/m.mhz)
	ts.threadMax = max(ts.threadMax, ns)
	m.keepWorst(s)
	if m.loops > 0 && ts.cycles == m.loops && m.stop != nil {
		done := true
		for _, o := range m.threads {
			done = done && o.cycles >= m.loops
		}
		if done {
			m.stop()
		}
	}
	if m.breakUS > 0 && us > m.breakUS && m.breakHit == nil {
		m.breakHit, m.breakValue = ts, us
		if m.stop != nil {
			m.stop()
		}
	}
}

// keepWorst keeps s if it is among the worst (ties: the earlier stays).
func (m *measurement) keepWorst(s *kernel.LatencySample) {
	lat := s.ThreadLatency()
	if len(m.worst) == m.keep && lat <= m.worst[len(m.worst)-1].s.ThreadLatency() {
		return
	}
	i := sort.Search(len(m.worst), func(i int) bool { return m.worst[i].s.ThreadLatency() < lat })
	m.worst = append(m.worst, worstSample{})
	copy(m.worst[i+1:], m.worst[i:])
	m.worst[i] = worstSample{s: *s}
	if len(m.worst) > m.keep {
		m.worst = m.worst[:m.keep]
	}
}

// threadIndex is the cyclictest thread number of a task.
func (m *measurement) threadIndex(t *kernel.Task) int {
	for i, ts := range m.threads {
		if ts.task == t {
			return i
		}
	}
	return -1
}

// allHist is the thread's samples per µs, up to its max.
func (ts *threadStats) allHist() []uint64 { return ts.full }

// avg is cyclictest's integer average.
func (ts *threadStats) avg() int64 {
	if ts.cycles == 0 {
		return 0
	}
	return ts.sum / int64(ts.cycles)
}
