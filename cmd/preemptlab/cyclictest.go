package main

// This file prints a run's latency statistics in rt-tests' cyclictest
// layouts (checked against cyclictest 2.40): the per-thread status line
// as -q prints it at exit, the -h histogram, the -b break report and the
// --json file, whose structure is cyclictest's with preemptlab's own
// figures under added keys only; and the blame of the worst samples, in
// the manner of rtla timerlat's auto-analysis.

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"preemptlab/kernel"
)

// printThreadLines prints cyclictest's status line per thread.
func (m *measurement) printThreadLines(w io.Writer) {
	for i, ts := range m.threads {
		fmt.Fprintf(w, "T:%2d (%5d) P:%2d I:%d C:%7d Min:%7d Act:%5d Avg:%5d Max:%8d\n",
			i, ts.task.PID, ts.task.Priority(), ts.intervalUS, ts.cycles, max(ts.min, 0), ts.act, ts.avg(), ts.max)
	}
}

// printHistogram prints cyclictest's -h histogram.
func (m *measurement) printHistogram(w io.Writer) {
	fmt.Fprintln(w, "# Histogram")
	for b := 0; b < m.histUS; b++ {
		fmt.Fprintf(w, "%06d ", b)
		for j, ts := range m.threads {
			fmt.Fprintf(w, "%06d", ts.hist[b])
			if j < len(m.threads)-1 {
				fmt.Fprint(w, "\t")
			}
		}
		fmt.Fprintln(w)
	}
	row := func(title, format string, f func(ts *threadStats) uint64) {
		fmt.Fprint(w, title)
		for _, ts := range m.threads {
			fmt.Fprintf(w, format, f(ts))
		}
		fmt.Fprintln(w)
	}
	row("# Total:", " %09d", func(ts *threadStats) uint64 { return ts.cycles - ts.overflows })
	row("# Min Latencies:", " %05d", func(ts *threadStats) uint64 { return uint64(max(ts.min, 0)) })
	row("# Avg Latencies:", " %05d", func(ts *threadStats) uint64 { return uint64(ts.avg()) })
	row("# Max Latencies:", " %05d", func(ts *threadStats) uint64 { return uint64(ts.max) })
	row("# Histogram Overflows:", " %05d", func(ts *threadStats) uint64 { return ts.overflows })
	fmt.Fprintln(w, "# Histogram Overflow at cycle number:")
	for i, ts := range m.threads {
		fmt.Fprintf(w, "# Thread %d:", i)
		for _, c := range ts.overflowAt {
			fmt.Fprintf(w, " %05d", c)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)
}

// printBreak prints cyclictest's -b report when a sample broke the run.
func (m *measurement) printBreak(w io.Writer) {
	if m.breakHit == nil {
		return
	}
	fmt.Fprint(w, "# Thread Ids:")
	for _, ts := range m.threads {
		fmt.Fprintf(w, " %05d", ts.task.PID)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "# Break thread: %d\n", m.breakHit.task.PID)
	fmt.Fprintf(w, "# Break value: %d\n", m.breakValue)
}

// us formats cycles as µs with three decimals (ns exact at 1000 MHz).
func (m *measurement) us(c uint64) string {
	return fmt.Sprintf("%.3f", float64(c)*1000/float64(m.mhz)/1000)
}

// printBlame prints the breakdown of the n worst samples, the worst first.
func (m *measurement) printBlame(w io.Writer, n int) {
	for i, ws := range m.worst {
		if i == n {
			break
		}
		m.printOneBlame(w, &ws.s)
	}
}

// printOneBlame prints one sample's breakdown as rtla timerlat's
// auto-analysis does, with every part exact.
func (m *measurement) printOneBlame(w io.Writer, s *kernel.LatencySample) {
	lat := s.ThreadLatency()
	fmt.Fprintf(w, "## CPU %d: %s-%d sample %d, thread latency %s us, analyzing it ##\n",
		s.CPU, s.Task.Comm, s.Task.PID, s.Seq, m.us(lat))
	fmt.Fprintf(w, "  timer expiry at cycle %d, IRQ entry +%s us, wake-up +%s us, switch-in +%s us, return to user +%s us\n",
		s.Expiry, m.us(s.IRQEntry-s.Expiry), m.us(s.Wakeup-s.Expiry), m.us(s.SwitchIn-s.Expiry), m.us(lat))
	fmt.Fprintf(w, "  %-72s %12s us\n", "IRQ latency:", m.us(s.IRQLatency()))
	if s.Blame == nil {
		return
	}
	pct := func(c uint64) string {
		if lat == 0 {
			return "0.00"
		}
		return fmt.Sprintf("%.2f", float64(c)*100/float64(lat))
	}
	for _, p := range s.Blame.IRQ {
		fmt.Fprintf(w, "    %-70s %12s us\n", p.What, m.us(p.Cycles))
	}
	for _, p := range s.Blame.Parts {
		fmt.Fprintf(w, "  %-72s %12s us (%s %%)\n", fmt.Sprintf("%s: %s", p.Category, p.What), m.us(p.Cycles), pct(p.Cycles))
	}
	fmt.Fprintf(w, "  %-72s %12s us (100%%)\n", "Thread latency:", m.us(lat))
	if t := s.Blame.Total(); t != lat {
		fmt.Fprintf(w, "  (the parts sum to %s us: the blame is short of %d cycles)\n", m.us(t), int64(lat)-int64(t))
	}
	fmt.Fprintf(w, "  Cause: %s\n", s.Blame.Cause())
}

// jsonRun is what --json writes besides the per-thread statistics.
type jsonRun struct {
	cmdline    string
	model      string
	simulated  uint64 // ns of simulated time the run took
	returnCode int
}

// simTime formats ns of simulated time since the epoch as cyclictest's
// start_time and end_time ("%a, %d %b %Y %T %z"): a run's clock starts at
// the epoch, so the file is the same whatever the host's clock.
func simTime(ns uint64) string {
	return time.Unix(0, int64(ns)).UTC().Format("Mon, 02 Jan 2006 15:04:05 -0700")
}

// writeJSON writes cyclictest's --json file with the added "preemptlab"
// keys: the IRQ/thread split per thread and the worst samples' blame.
func (m *measurement) writeJSON(path string, r jsonRun) error {
	var b strings.Builder
	q := func(s string) string { v, _ := json.Marshal(s); return string(v) }
	fmt.Fprintf(&b, "{\n  \"file_version\": 1,\n  \"cmdline:\": %s,\n  \"rt_test_version:\": \"preemptlab\",\n", q(r.cmdline))
	fmt.Fprintf(&b, "  \"start_time\": %s,\n  \"end_time\": %s,\n  \"return_code\": %d,\n", q(simTime(0)), q(simTime(r.simulated)), r.returnCode)
	rt := 0
	if strings.HasPrefix(r.model, "rt") {
		rt = 1
	}
	fmt.Fprintf(&b, "  \"sysinfo\": {\n    \"sysname\": \"preemptlab\",\n    \"nodename\": \"preemptlab\",\n    \"release\": %s,\n    \"version\": %s,\n    \"machine\": \"i686\",\n    \"realtime\": %d\n  },\n",
		q(r.model), q("#1 SMP "+r.model), rt)
	fmt.Fprintf(&b, "  \"num_threads\": %d,\n  \"resolution_in_ns\": 0,\n  \"thread\": {\n", len(m.threads))
	for i, ts := range m.threads {
		fmt.Fprintf(&b, "    \"%d\": {\n      \"histogram\": {", i)
		first := true
		for us, n := range ts.hist {
			if n == 0 {
				continue
			}
			if !first {
				b.WriteString(",")
			}
			first = false
			fmt.Fprintf(&b, "\n        \"%d\": %d", us, n)
		}
		if first {
			b.WriteString("      ") // cyclictest's empty histogram: "{      }"
		} else {
			b.WriteString("\n      ")
		}
		st := m.k.TaskLatency(ts.task)
		avg := 0.0
		if ts.cycles > 0 {
			avg = float64(ts.sum) / float64(ts.cycles)
		}
		fmt.Fprintf(&b, "},\n      \"cycles\": %d,\n      \"min\": %d,\n      \"max\": %d,\n      \"avg\": %.2f,\n      \"cpu\": %d,\n      \"node\": 0",
			ts.cycles, max(ts.min, 0), ts.max, avg, ts.task.LastCPU())
		if st != nil {
			fmt.Fprintf(&b, ",\n      \"preemptlab\": {\n        \"pid\": %d,\n        \"irq_latency_ns\": %s,\n        \"thread_latency_ns\": %s\n      }",
				ts.task.PID, histJSON(st.IRQ), histJSON(st.Thread))
		}
		b.WriteString("\n    }")
		if i < len(m.threads)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	census, err := json.Marshal(m.k.Census())
	if err != nil {
		panic(err) // a struct of counts and strings always marshals
	}
	b.WriteString("  },\n  \"preemptlab\": {\n    \"model\": " + q(r.model) + ",\n")
	fmt.Fprintf(&b, "    \"context_switches\": %d,\n    \"lock_census\": %s,\n    \"worst\": [",
		m.k.ContextSwitches(), census)
	for i, ws := range m.worst {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n      " + sampleJSON(m, &ws.s))
	}
	b.WriteString("\n    ]\n  }\n}\n")
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// histJSON is one latency distribution's summary.
func histJSON(h *kernel.LatencyHist) string {
	return fmt.Sprintf("{\"count\": %d, \"min\": %d, \"avg\": %.2f, \"p50\": %d, \"p99\": %d, \"p99.9\": %d, \"max\": %d, \"overflows\": %d}",
		h.N, h.Min, h.Avg(), h.Quantile(50), h.Quantile(99), h.Quantile(99.9), h.Max, h.Overflows)
}

// sampleJSON is one sample with its blame.
func sampleJSON(m *measurement, s *kernel.LatencySample) string {
	type part struct {
		Category string `json:"category"`
		What     string `json:"what"`
		NS       uint64 `json:"ns"`
	}
	v := struct {
		PID      int    `json:"pid"`
		Comm     string `json:"comm"`
		CPU      int    `json:"cpu"`
		Seq      int    `json:"sample"`
		Expiry   uint64 `json:"expiry_cycle"`
		IRQNS    uint64 `json:"irq_latency_ns"`
		ThreadNS uint64 `json:"thread_latency_ns"`
		Parts    []part `json:"blame"`
		Cause    string `json:"cause"`
	}{PID: s.Task.PID, Comm: s.Task.Comm, CPU: s.CPU, Seq: s.Seq, Expiry: s.Expiry,
		IRQNS: s.IRQLatency() * 1000 / m.mhz, ThreadNS: s.ThreadLatency() * 1000 / m.mhz}
	if s.Blame != nil {
		for _, p := range s.Blame.Parts {
			v.Parts = append(v.Parts, part{p.Category, p.What, p.Cycles * 1000 / m.mhz})
		}
		v.Cause = s.Blame.Cause()
	}
	b, _ := json.Marshal(v)
	return string(b)
}
