package main

// This file implements "preemptlab compare": the same workload booted
// under every preemption design, each an independent deterministic run,
// run in parallel on the host's cores, and one table of the results.

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"preemptlab/emu"
	"preemptlab/kernel"
)

// maxCompareSeconds bounds a run that --loops alone would end, should a
// measurement thread never get its wake-ups.
const maxCompareSeconds = 120

// defaultModels are compare's runs: every preset, rt with PI chains, and
// preempt without lock-break.
const defaultModels = "none,voluntary,preempt,mvista-rt,mmlinux,rt,rt+pi=chain,preempt+lockbreak=off"

const compareAbout = `Each model is a preset with knobs added as +knob=value (rt+pi=chain). Every
run is independent and deterministic: the table is the same bytes whatever
the host's cores. The built-in workload's measurement threads run at the
same interval (cyclictest's distance 0, as its -h runs them); its traffic
devices are added as run adds them. A model the kernel refuses gets a row
saying why.
`

// compareOptions are compare's flags.
type compareOptions struct {
	models   *string
	duration *time.Duration
	loops    *uint64
	seed     *uint64
	cpus     *int
	cmdline  *string
	plot     *string
	json     *string
	jobs     *int
}

func defineCompareFlags(fs *flag.FlagSet) *compareOptions {
	return &compareOptions{
		models:   fs.String("models", defaultModels, "comma-separated `LIST` of models: presets, with +knob=value added"),
		loops:    fs.Uint64("loops", 10000, "end each run when every measurement thread has `N` wake-ups (0: only --duration ends it)"),
		duration: fs.Duration("duration", 0, "end each run after `D` of simulated time at the latest (0: when --loops are done, within 120s)"),
		seed:     fs.Uint64("seed", 1, "seed `N` of the seeded devices"),
		cpus:     fs.Int("cpus", 2, "`N` processors"),
		cmdline:  fs.String("cmdline", "", "kernel command line `S` added to the image's"),
		plot:     fs.String("plot", "", "draw the latency histograms to `FILE` (.png or .svg)"),
		json:     fs.String("json", "", "write every figure to `FILE` as JSON"),
		jobs:     fs.Int("jobs", 0, "runs at once (`N`; default the host's cores)"),
	}
}

// modelRun is one model's run and its results.
type modelRun struct {
	Name    string `json:"model"`
	Refused string `json:"refused,omitempty"`
	Failed  string `json:"failed,omitempty"`

	IRQMaxNS    uint64            `json:"irq_latency_max_ns"`
	ThreadMinNS uint64            `json:"thread_latency_min_ns"`
	ThreadAvgNS float64           `json:"thread_latency_avg_ns"`
	ThreadP99NS uint64            `json:"thread_latency_p99_ns"`
	ThreadMaxNS uint64            `json:"thread_latency_max_ns"`
	WorstThread string            `json:"worst_thread"`
	Samples     int64             `json:"samples"`
	SimulatedNS uint64            `json:"simulated_ns"`
	Cause       string            `json:"cause_of_max"`
	IRQCause    string            `json:"cause_of_irq_max"`
	WorkUnits   uint64            `json:"work_units"`
	Switches    uint64            `json:"context_switches"`
	Spinning    uint64            `json:"lock_ops_spinning"`
	Sleeping    uint64            `json:"lock_ops_sleeping"`
	Threads     []threadJSON      `json:"threads"`
	Worst       []json.RawMessage `json:"worst_samples"`
	histUS      []uint64          // all threads' samples per µs
	irqWorst    *kernel.LatencySample
}

// threadJSON is one measurement thread's figures.
type threadJSON struct {
	PID     int     `json:"pid"`
	Comm    string  `json:"comm"`
	Cycles  uint64  `json:"cycles"`
	MinUS   int64   `json:"min_us"`
	AvgUS   float64 `json:"avg_us"`
	MaxUS   int64   `json:"max_us"`
	IRQMaxN uint64  `json:"irq_max_ns"`
}

func cmdCompare(args []string, stdout, stderr io.Writer) (int, error) {
	c, _ := lookupCommand("compare")
	var o *compareOptions
	c.flags = func(fs *flag.FlagSet) { o = defineCompareFlags(fs) }
	_, rest, err := parseArgs(c, args, stdout)
	if err != nil {
		return 0, err
	}
	image := defaultImage
	switch {
	case len(rest) == 1:
		image = rest[0]
	case len(rest) > 1:
		return 0, usageError{"compare", fmt.Sprintf("compare: one image at a time: %q, then %q is one argument too many", rest[0], rest[1])}
	}
	if *o.duration < 0 {
		return 0, usageError{"compare", "--duration must be positive"}
	}
	if *o.duration == 0 && *o.loops == 0 {
		return 0, usageError{"compare", "--loops 0 needs a --duration to end the runs"}
	}
	if *o.cpus < 1 || *o.cpus > 8 {
		return 0, usageError{"compare", fmt.Sprintf("--cpus %d: the machine has 1 to 8 processors", *o.cpus)}
	}
	var names []string
	for _, n := range strings.Split(*o.models, ",") {
		if n = strings.TrimSpace(n); n != "" {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return 0, usageError{"compare", "--models: no model given"}
	}
	models := make([]kernel.Model, len(names))
	for i, n := range names {
		m, err := parseModelSpec(n)
		if err != nil {
			return 0, usageError{"compare", err.Error()}
		}
		models[i] = m
	}
	data, err := readImage(image, 64<<20)
	if err != nil {
		return 0, err
	}
	runs := make([]*modelRun, len(names))
	jobs := *o.jobs
	if jobs <= 0 {
		jobs = runtime.NumCPU()
	}
	prog := newProgress(stderr, len(names))
	var wg sync.WaitGroup
	sem := make(chan struct{}, jobs)
	for i := range names {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			runs[i] = runModel(names[i], models[i], image, data, o)
			prog.done()
		}(i)
	}
	wg.Wait()
	prog.finish()
	printCompareTable(stdout, runs)
	if *o.plot != "" {
		if err := plotHistograms(*o.plot, runs); err != nil {
			return 0, err
		}
	}
	if *o.json != "" {
		b, _ := json.MarshalIndent(struct {
			Image    string      `json:"image"`
			Duration string      `json:"duration"`
			Loops    uint64      `json:"loops"`
			Seed     uint64      `json:"seed"`
			Runs     []*modelRun `json:"runs"`
		}{image, o.duration.String(), *o.loops, *o.seed, runs}, "", "  ")
		if err := os.WriteFile(*o.json, append(b, '\n'), 0o644); err != nil {
			return 0, err
		}
	}
	return 0, nil
}

// parseModelSpec reads "preset+knob=value+...".
func parseModelSpec(spec string) (kernel.Model, error) {
	parts := strings.Split(spec, "+")
	m, err := kernel.LookupPreset(parts[0])
	if err != nil {
		return m, fmt.Errorf("--models %s: %v", spec, err)
	}
	for _, kv := range parts[1:] {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return m, fmt.Errorf("--models %s: %q is not knob=value", spec, kv)
		}
		if err := m.Set(k, v); err != nil {
			return m, fmt.Errorf("--models %s: %v", spec, err)
		}
	}
	return m, nil
}

// runModel boots the image under one model and measures it.
func runModel(name string, model kernel.Model, image string, data []byte, o *compareOptions) *modelRun {
	r := &modelRun{Name: name}
	if err := model.Check(); err != nil {
		r.Refused = err.Error()
		return r
	}
	const mhz = 1000
	m, err := emu.New(emu.Config{CPUs: *o.cpus, MHz: mhz, Seed: *o.seed, Console: io.Discard, Log: io.Discard})
	if err != nil {
		r.Failed = err.Error()
		return r
	}
	cmdline := *o.cmdline
	builtin := isBuiltinWorkload(image)
	if builtin {
		cmdline = strings.TrimSpace("distance=0 " + cmdline)
	}
	l, err := m.LoadMultiboot(data, cmdline)
	if err != nil {
		r.Failed = err.Error()
		return r
	}
	meas := newMeasurement(mhz, 0, 1, 0)
	meas.loops = *o.loops
	meas.stop = func() { m.Exit(0, "") }
	if builtin {
		meas.prefix = "cyclictest/"
	}
	var log bytes.Buffer
	k, err := kernel.New(m, l, data, kernel.Config{Model: model, Log: &log, Cmdline: cmdline, Blame: true,
		OnSample: func(s *kernel.LatencySample) {
			meas.sample(s)
			if r.irqWorst == nil || s.IRQLatency() > r.irqWorst.IRQLatency() {
				if strings.HasPrefix(s.Task.Comm, meas.prefix) {
					c := *s
					r.irqWorst = &c
				}
			}
		}})
	if err != nil {
		r.Refused = err.Error()
		return r
	}
	meas.k = k
	if builtin {
		for i, t := range defaultTraffic() {
			if err := m.AddTraffic(t, i); err != nil {
				r.Failed = err.Error()
				return r
			}
		}
	}
	end := uint64(maxCompareSeconds) * 1_000_000_000 * mhz / 1000
	if *o.duration > 0 {
		end = uint64(o.duration.Nanoseconds()) * mhz / 1000
	}
	m.Schedule(end, func() { m.Exit(0, "") })
	res := m.Run()
	if res.Kind != emu.ExitKernel || res.Status != 0 {
		r.Failed = fmt.Sprintf("the run ended with status %d: %s", res.Status, res.Message)
	}
	r.SimulatedNS = machineTime(m) * 1000 / mhz
	r.collect(k, meas, m, data)
	return r
}

// collect takes the run's figures.
func (r *modelRun) collect(k *kernel.Kernel, meas *measurement, m *emu.Machine, image []byte) {
	all := hdrhistogram.New(1, 100_000_000_000, 3)
	var sum, n uint64
	first := true
	for _, ts := range meas.threads {
		st := k.TaskLatency(ts.task)
		all.Merge(st.Thread.H)
		sum += st.Thread.Sum
		n += uint64(st.Thread.N)
		if first || st.Thread.Min < r.ThreadMinNS {
			r.ThreadMinNS = st.Thread.Min
		}
		first = false
		if st.Thread.Max >= r.ThreadMaxNS {
			if st.Thread.Max > r.ThreadMaxNS || r.WorstThread == "" {
				r.WorstThread = ts.task.Comm
			}
			r.ThreadMaxNS = st.Thread.Max
		}
		r.IRQMaxNS = max(r.IRQMaxNS, st.IRQ.Max)
		avg := 0.0
		if ts.cycles > 0 {
			avg = float64(ts.sum) / float64(ts.cycles)
		}
		r.Threads = append(r.Threads, threadJSON{ts.task.PID, ts.task.Comm, ts.cycles, max(ts.min, 0), avg, ts.max, st.IRQ.Max})
		for us, c := range ts.allHist() {
			for len(r.histUS) <= us {
				r.histUS = append(r.histUS, 0)
			}
			r.histUS[us] += c
		}
	}
	r.Samples = int64(n)
	if n > 0 {
		r.ThreadAvgNS = float64(sum) / float64(n)
		r.ThreadP99NS = uint64(all.ValueAtQuantile(99))
	}
	if len(meas.worst) > 0 && meas.worst[0].s.Blame != nil {
		r.Cause = meas.worst[0].s.Blame.Cause()
	}
	if w := r.irqWorst; w != nil && w.Blame != nil && len(w.Blame.IRQ) > 0 {
		best := w.Blame.IRQ[0]
		for _, p := range w.Blame.IRQ {
			if p.Cycles > best.Cycles {
				best = p
			}
		}
		r.IRQCause = best.What
	}
	for _, ws := range meas.worst {
		r.Worst = append(r.Worst, json.RawMessage(sampleJSON(meas, &ws.s)))
	}
	r.WorkUnits = readWorkUnits(m, image)
	r.Switches = k.ContextSwitches()
	r.Spinning, r.Sleeping = k.LockCensus()
}

// readWorkUnits sums the image's work_units[] counters, read from guest
// memory by their ELF symbol (0 if the image has none).
func readWorkUnits(m *emu.Machine, image []byte) uint64 {
	f, err := elf.NewFile(bytes.NewReader(image))
	if err != nil {
		return 0
	}
	syms, _ := f.Symbols()
	ram := m.RAM()
	for _, s := range syms {
		if s.Name != "work_units" || elf.ST_TYPE(s.Info) != elf.STT_OBJECT {
			continue
		}
		var total uint64
		for a := s.Value; a+4 <= s.Value+s.Size && a+4 <= uint64(len(ram)); a += 4 {
			total += uint64(binary.LittleEndian.Uint32(ram[a:]))
		}
		return total
	}
	return 0
}

// censusSplit is the census column: the percentages of lock operations
// executed on spinning and on sleeping locks, as Molnar's census gave
// them.
func censusSplit(spinning, sleeping uint64) string {
	total := spinning + sleeping
	if total == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f/%.1f", 100*float64(spinning)/float64(total), 100*float64(sleeping)/float64(total))
}

// printCompareTable prints the table.
func printCompareTable(w io.Writer, runs []*modelRun) {
	// Throughput is work units per simulated second: the runs end at
	// their measurement threads' sample count, so their lengths differ.
	rate := func(r *modelRun) float64 {
		if r.SimulatedNS == 0 {
			return 0
		}
		return float64(r.WorkUnits) / float64(r.SimulatedNS)
	}
	var base float64
	for _, r := range runs {
		if r.Name == "none" && r.Refused == "" {
			base = rate(r)
		}
	}
	us := func(ns uint64) string { return fmt.Sprintf("%.1f", float64(ns)/1000) }
	header := []string{"model", "samples", "IRQ max µs", "thread min µs", "avg µs", "p99 µs", "max µs", "worst thread", "cause of the max", "work vs none", "switches", "lock ops spin/sleep %"}
	var rows [][]string
	var notes []string
	for _, r := range runs {
		switch {
		case r.Refused != "":
			rows = append(rows, []string{r.Name, "", "refused", "", "", "", "", "", "the kernel refuses it: " + r.Refused, "", "", ""})
			continue
		case r.Failed != "":
			notes = append(notes, fmt.Sprintf("%s: %s", r.Name, r.Failed))
		}
		work := "-"
		if base > 0 {
			work = fmt.Sprintf("%.3f", rate(r)/base)
		}
		rows = append(rows, []string{r.Name, fmt.Sprintf("%d in %.1f s", r.Samples, float64(r.SimulatedNS)/1e9), us(r.IRQMaxNS), us(r.ThreadMinNS), fmt.Sprintf("%.1f", r.ThreadAvgNS/1000), us(r.ThreadP99NS), us(r.ThreadMaxNS),
			r.WorstThread, r.Cause, work, fmt.Sprint(r.Switches), censusSplit(r.Spinning, r.Sleeping)})
	}
	widths := make([]int, len(header))
	for i, h := range header {
		widths[i] = len([]rune(h))
	}
	for _, row := range rows {
		for i, c := range row {
			widths[i] = max(widths[i], len([]rune(c)))
		}
	}
	line := func(cells []string) {
		fmt.Fprint(w, "|")
		for i, c := range cells {
			fmt.Fprintf(w, " %s%s |", c, strings.Repeat(" ", widths[i]-len([]rune(c))))
		}
		fmt.Fprintln(w)
	}
	line(header)
	sep := make([]string, len(header))
	for i := range sep {
		sep[i] = strings.Repeat("-", widths[i])
	}
	line(sep)
	for _, row := range rows {
		line(row)
	}
	for _, n := range notes {
		fmt.Fprintln(w, "note:", n)
	}
}

// progress is compare's progress line, on a terminal only.
type progress struct {
	w     io.Writer
	tty   bool
	total int
	mu    sync.Mutex
	n     int
	start time.Time
}

func newProgress(w io.Writer, total int) *progress {
	p := &progress{w: w, total: total, start: time.Now()}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	p.show()
	return p
}

func (p *progress) show() {
	if p.tty {
		fmt.Fprintf(p.w, "\rcompare: %d/%d runs done (%.0f s)", p.n, p.total, time.Since(p.start).Seconds())
	}
}

func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	p.show()
}

func (p *progress) finish() {
	if p.tty {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
