package kernel

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"preemptlab/emu"
)

// cyclictestImage is the built-in measurement workload.
const cyclictestImage = "../boot/images/cyclictest/cyclictest.elf"

// measureRun is one run of an image with every latency sample kept.
type measureRun struct {
	k    *Kernel
	irqs [][]uint64 // per CPU, the cycles of interrupt events
	// paths are, per CPU, the stretches of system-call code it ran (from
	// sys_enter or a switch into a task inside a call, to sys_exit or a
	// switch away); open the one running, inSys the tasks inside a call.
	paths   [][]syscallPath
	open    []*syscallPath
	inSys   map[*Task]bool
	samples []*LatencySample
	console string
	log     string
	res     *emu.Result
}

// runMeasured runs image under model for ms simulated milliseconds with
// the kernel's blame on, on two CPUs, with the traffic devices given as
// (irq, rate) pairs.
func runMeasured(t testing.TB, image string, model Model, cmdline string, ms uint64, traffic ...[2]float64) *measureRun {
	t.Helper()
	return runMeasuredBlame(t, image, model, cmdline, ms, true, false, traffic...)
}

// runMeasuredBlame is runMeasured with the blame on or off, and with the
// interrupts' times kept (a tracer beside the blamer) or not.
func runMeasuredBlame(t testing.TB, image string, model Model, cmdline string, ms uint64, blame, irqs bool, traffic ...[2]float64) *measureRun {
	t.Helper()
	var tracer func(*measureRun) Tracer
	if irqs {
		tracer = func(r *measureRun) Tracer { return eventRecorder{r} }
	}
	return runMeasuredTraced(t, image, model, cmdline, ms, blame, tracer, traffic...)
}

// runMeasuredTraced is runMeasuredBlame with the tracer that tracer makes
// for the run (none if tracer is nil).
func runMeasuredTraced(t testing.TB, image string, model Model, cmdline string, ms uint64, blame bool, tracer func(*measureRun) Tracer, traffic ...[2]float64) *measureRun {
	t.Helper()
	elf, err := os.ReadFile(image)
	if err != nil {
		t.Fatalf("%v (make -C %s builds it)", err, image[:strings.LastIndex(image, "/")])
	}
	var console, log bytes.Buffer
	const mhz = 1000
	end := ms * 1_000_000
	m, err := emu.New(emu.Config{CPUs: 2, MHz: mhz, Seed: 1, Console: &console, Log: &log, MaxCycles: end + 1_000_000})
	if err != nil {
		t.Fatal(err)
	}
	l, err := m.LoadMultiboot(elf, cmdline)
	if err != nil {
		t.Fatal(err)
	}
	r := &measureRun{irqs: make([][]uint64, 2), paths: make([][]syscallPath, 2), open: make([]*syscallPath, 2), inSys: map[*Task]bool{}}
	cfg := Config{Model: model, Log: &log, Cmdline: cmdline, Blame: blame,
		OnSample: func(s *LatencySample) { r.samples = append(r.samples, s) }}
	if tracer != nil {
		cfg.Tracer = tracer(r)
	}
	k, err := New(m, l, elf, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i, tr := range traffic {
		if err := m.AddTraffic(emu.TrafficConfig{IRQ: int(tr[0]), Rate: tr[1], Jitter: 0.3}, i); err != nil {
			t.Fatal(err)
		}
	}
	m.Schedule(end, func() { m.Exit(0, "") })
	r.res = m.Run()
	r.k, r.console, r.log = k, console.String(), log.String()
	return r
}

// syscallPath is a stretch of one system call's code on a CPU; preempted
// is set when it ended in a preemption (a switch with state R+).
type syscallPath struct {
	task       *Task
	nr         int64
	start, end uint64
	preempted  bool
}

// eventRecorder keeps the times of the interrupts' first events, and the
// system-call paths.
type eventRecorder struct{ r *measureRun }

func (x eventRecorder) Event(e *Event) {
	r := x.r
	if e.Kind == EvVectorEntry || e.Kind == EvIRQHandlerEntry && e.HardIRQ {
		r.irqs[e.CPU] = append(r.irqs[e.CPU], e.Time)
	}
	end := func(preempted bool) {
		if o := r.open[e.CPU]; o != nil && o.task == e.Task {
			o.end, o.preempted = e.Time, preempted
			r.paths[e.CPU] = append(r.paths[e.CPU], *o)
			r.open[e.CPU] = nil
		}
	}
	switch e.Kind {
	case EvSysEnter:
		r.inSys[e.Task] = true
		r.open[e.CPU] = &syscallPath{task: e.Task, nr: e.Num, start: e.Time}
	case EvSysExit:
		end(false)
		delete(r.inSys, e.Task)
	case EvSchedSwitch:
		end(e.State == "R+")
		if r.inSys[e.Other] {
			r.open[e.CPU] = &syscallPath{task: e.Other, start: e.Time}
		}
	}
}

// interrupted reports whether CPU c took an interrupt in [from, to].
func (r *measureRun) interrupted(c int, from, to uint64) bool {
	for _, at := range r.irqs[c] {
		if at >= from && at <= to {
			return true
		}
	}
	return false
}

// TestImageAgreesWithKernel checks the measurement workload's own
// figure, measured from user mode with clock_gettime as cyclictest
// measures it, against the kernel's record of the same wake-up, sample by
// sample: the image reads the clock a fixed number of cycles after the
// kernel's return to user mode (its instructions from clock_nanosleep's
// return to clock_gettime's read, and the system call's entry), and the
// two must differ by exactly that, unless an interrupt came in between,
// when the image's figure is later by the interrupt's time.
func TestImageAgreesWithKernel(t *testing.T) {
	for _, model := range []string{"none", "preempt"} {
		t.Run(model, func(t *testing.T) {
			m, _ := LookupPreset(model)
			r := runMeasuredBlame(t, cyclictestImage, m, "verbose no-nic no-disk", 300, true, true)
			bySeq := map[string]*LatencySample{}
			seqOf := map[*Task]int{}
			for _, s := range r.samples {
				n := -1
				if strings.HasPrefix(s.Task.Comm, "cyclictest/") {
					fmt.Sscanf(s.Task.Comm, "cyclictest/%d", &n)
				}
				if n < 0 {
					continue
				}
				seqOf[s.Task]++
				bySeq[fmt.Sprintf("%d/%d", n, s.Seq)] = s
			}
			sc := bufio.NewScanner(strings.NewReader(r.console))
			var stated int64 = -1
			checked, interrupted := 0, 0
			for sc.Scan() {
				var n, c int
				var late int64
				if _, err := fmt.Sscanf(sc.Text(), "T:%d C:%d L:%d", &n, &c, &late); err != nil {
					continue
				}
				s := bySeq[fmt.Sprintf("%d/%d", n, c)]
				if s == nil {
					t.Fatalf("the image measured thread %d's wake-up %d, which the kernel did not record", n, c)
				}
				diff := late - int64(r.k.cyclesToNS(s.ThreadLatency()))
				if stated < 0 {
					stated = diff
				}
				if diff > stated && r.interrupted(s.CPU, s.Return, s.Return+uint64(diff)) {
					interrupted++
					continue
				}
				if diff != stated {
					t.Errorf("thread %d wake-up %d: the image measured %d ns, the kernel %d ns: %d ns apart, not the %d of the others",
						n, c, late, r.k.cyclesToNS(s.ThreadLatency()), diff, stated)
				}
				checked++
			}
			if checked < 300 {
				t.Fatalf("only %d samples compared; console:\n%s", checked, r.console)
			}
			if stated < 0 || stated > 1000 {
				t.Errorf("the return-to-user cost is %d ns, not a short path", stated)
			}
			t.Logf("%s: %d samples agree; the image reads the clock %d ns after the kernel's return to user mode (%d more had an interrupt in between)", model, checked-interrupted, stated, interrupted)
		})
	}
}

// TestBlameSumsOnWorkload checks, on the full default workload, that the
// parts of every sample add up to its latency, and that the IRQ parts add
// up to its IRQ latency.
func TestBlameSumsOnWorkload(t *testing.T) {
	for _, model := range []string{"none", "voluntary", "preempt"} {
		t.Run(model, func(t *testing.T) {
			m, _ := LookupPreset(model)
			r := runMeasured(t, cyclictestImage, m, "", 200, [2]float64{11, 3000}, [2]float64{14, 50})
			if len(r.samples) < 200 {
				t.Fatalf("%d samples", len(r.samples))
			}
			for _, s := range r.samples {
				if got := s.Blame.Total(); got != s.ThreadLatency() {
					t.Fatalf("%s sample %d: parts sum to %d cycles, latency %d: %+v", s.Task.Comm, s.Seq, got, s.ThreadLatency(), s.Blame.Parts)
				}
				var irq uint64
				for _, p := range s.Blame.IRQ {
					irq += p.Cycles
				}
				if irq != s.IRQLatency() {
					t.Fatalf("%s sample %d: IRQ parts sum to %d, IRQ latency %d", s.Task.Comm, s.Seq, irq, s.IRQLatency())
				}
				if !(s.Expiry <= s.IRQEntry && s.IRQEntry <= s.Wakeup && s.Wakeup <= s.SwitchIn && s.SwitchIn <= s.Return) {
					t.Fatalf("%s sample %d out of order: %+v", s.Task.Comm, s.Seq, s)
				}
			}
		})
	}
}
