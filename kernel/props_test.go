package kernel

// Property tests over seeded random workloads: the image
// tests/kernel/random.c builds a random mix of kernel threads and user
// tasks from the seed on its command line; each run is checked for the
// properties checkRun describes, under every preemption model, on 1, 2
// and 4 CPUs, for several seeds. PROPS_TRACE_DIR=dir writes the ftrace
// text of every failing run there; PROPS_SEEDS=first-last runs other
// seeds.

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// propModel is one model the properties are checked under.
type propModel struct {
	name string
	m    Model
	// maxCPUs, when set, bounds the CPU counts it runs on.
	maxCPUs int
}

func propModels(t testing.TB) []propModel {
	t.Helper()
	preset := func(name string) Model {
		m, err := LookupPreset(name)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	lazy := preset("preempt")
	lazy.Preempt = PreemptLazy
	threaded := preset("preempt")
	threaded.IRQ = IRQThreaded
	threaded.Softirq = SoftirqThread
	rtChain := preset("rt")
	rtChain.PI = PIChain
	return []propModel{
		{"none", preset("none"), 0},
		{"voluntary", preset("voluntary"), 0},
		{"preempt", preset("preempt"), 0},
		{"lazy", lazy, 0},
		{"threaded", threaded, 0},
		// The sleeping-lock models.
		{"mvista-rt", preset("mvista-rt"), 0},
		{"mmlinux", preset("mmlinux"), 0},
		{"rt", preset("rt"), 0},
		{"rt-chain", rtChain, 0},
	}
}

// propSeeds are the workloads each model and CPU count runs: 1-4, 1 in
// -short mode, or PROPS_SEEDS=first-last to search further.
func propSeeds() []uint64 {
	if v := os.Getenv("PROPS_SEEDS"); v != "" {
		var first, last uint64
		if n, _ := fmt.Sscanf(v, "%d-%d", &first, &last); n == 2 && first <= last {
			var seeds []uint64
			for s := first; s <= last; s++ {
				seeds = append(seeds, s)
			}
			return seeds
		}
	}
	if testing.Short() {
		return []uint64{1}
	}
	return []uint64{1, 2, 3, 4}
}

func propConfigFor(pm propModel, cpus int, seed uint64) propConfig {
	ms := uint64(200)
	if testing.Short() {
		ms = 60
	}
	return propConfig{model: pm.name, m: pm.m, cpus: cpus, seed: seed, tasks: 6 + 3*cpus, ms: ms,
		irq11Rate: 2000, irq10Rate: 700}
}

// TestProperties runs the workload under every model, CPU count and seed
// and checks each run's events.
func TestProperties(t *testing.T) {
	for _, pm := range propModels(t) {
		for _, cpus := range []int{1, 2, 4} {
			if pm.maxCPUs != 0 && cpus > pm.maxCPUs {
				continue
			}
			for _, seed := range propSeeds() {
				cfg := propConfigFor(pm, cpus, seed)
				t.Run(cfg.String(), func(t *testing.T) {
					t.Parallel()
					r := runWorkload(t, cfg, false)
					checkPropRun(t, r)
				})
			}
		}
	}
}

// checkPropRun checks one run and fails t with what was found.
func checkPropRun(t *testing.T, r *propRun) {
	t.Helper()
	var problems []string
	if r.res.Status != 0 || r.res.Message != "" {
		problems = append(problems, fmt.Sprintf("the run ended with status %d: %s", r.res.Status, r.res.Message))
	}
	if strings.Contains(r.log, "BUG") || strings.Contains(r.log, "panic") {
		problems = append(problems, "the kernel reported:\n"+r.log)
	}
	problems = append(problems, checkPlan(r)...)
	ch := checkRun(r)
	if rep := ch.report(); rep != "" {
		problems = append(problems, rep)
	}
	if len(problems) == 0 {
		return
	}
	if f := saveTrace(t, r); f != "" {
		problems = append(problems, "trace: "+f)
	}
	t.Errorf("%s (%s): %d events\n%s", r.cfg, r.cfg.cmdline(), len(r.evs), strings.Join(problems, "\n"))
}

// checkPlan checks what each task says it set against the kernel's task
// at the end: the policy and affinity it asked for are the kernel's.
func checkPlan(r *propRun) []string {
	var bad []string
	byPID := map[int]*Task{}
	for _, t := range r.k.Tasks() {
		byPID[t.PID] = t
	}
	n := 0
	for _, line := range strings.Split(r.console, "\n") {
		var pid, policy, rtprio, nice int
		var name string
		var mask uint64
		if _, err := fmt.Sscanf(line, "task %d %s policy=%d rtprio=%d nice=%d cpus=%x", &pid, &name, &policy, &rtprio, &nice, &mask); err != nil {
			continue
		}
		n++
		t := byPID[pid]
		switch {
		case t == nil:
			bad = append(bad, fmt.Sprintf("console: %q: no task %d", line, pid))
		case t.state == taskDead:
		case t.policy != policy || t.affinity != mask:
			// (The priority is not compared: realtime user tasks
			// change theirs for a while now and then.)
			bad = append(bad, fmt.Sprintf("console: %q, but the kernel has policy %d affinity %#x", line, t.policy, t.affinity))
		}
	}
	if n < r.cfg.tasks {
		bad = append(bad, fmt.Sprintf("only %d of the %d tasks said what they set up", n, r.cfg.tasks))
	}
	return bad
}

// TestPropertiesDeterministic checks that a run repeats exactly — the
// same ftrace text, console and kernel log, byte for byte — and that
// different seeds give different runs.
func TestPropertiesDeterministic(t *testing.T) {
	seeds := []uint64{1, 2}
	cpuCounts := []int{1, 2, 4}
	if testing.Short() {
		cpuCounts = []int{2}
	}
	for _, pm := range propModels(t) {
		for _, cpus := range cpuCounts {
			if pm.maxCPUs != 0 && cpus > pm.maxCPUs {
				continue
			}
			t.Run(fmt.Sprintf("%s/cpus=%d", pm.name, cpus), func(t *testing.T) {
				t.Parallel()
				var sums [][32]byte
				for _, seed := range seeds {
					cfg := propConfigFor(pm, cpus, seed)
					cfg.ms = min(cfg.ms, 60)
					a := runWorkload(t, cfg, true)
					b := runWorkload(t, cfg, true)
					if a.sum != b.sum {
						t.Errorf("%s: two runs differ:\n%s", cfg, firstDiff(a.trace, b.trace))
					}
					sums = append(sums, a.sum)
				}
				if sums[0] == sums[1] {
					t.Errorf("seeds %d and %d gave the same run", seeds[0], seeds[1])
				}
			})
		}
	}
}

// firstDiff shows the first line where two traces differ.
func firstDiff(a, b []byte) string {
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := 0; i < len(la) && i < len(lb); i++ {
		if la[i] != lb[i] {
			return fmt.Sprintf("line %d:\n  %s\n  %s", i+1, la[i], lb[i])
		}
	}
	return fmt.Sprintf("one has %d lines, the other %d (or they differ in console or log)", len(la), len(lb))
}

// TestPropertiesDetect checks that the checks can fail: a run of the
// none model judged by full preemption's rules misses preemptions, and
// events altered to break a property are reported.
func TestPropertiesDetect(t *testing.T) {
	models := propModels(t)
	cfg := propConfigFor(models[0], 2, 1)
	r := runWorkload(t, cfg, false)
	if ch := checkRun(r); len(ch.viol) != 0 {
		t.Fatalf("the unaltered run fails:\n%s", ch.report())
	}

	judged := *r
	judged.cfg.m = models[2].m // preempt: kernel code would be preemptible
	if ch := checkRun(&judged); ch.count[propLatency] == 0 {
		t.Errorf("a none run judged as preempt shows no missed preemption")
	}

	alter := func(name, prop string, f func(e *record) bool) {
		t.Helper()
		a := *r
		a.evs = append([]record(nil), r.evs...)
		done := false
		for i := range a.evs {
			if f(&a.evs[i]) {
				done = true
				break
			}
		}
		if !done {
			t.Fatalf("%s: no event to alter", name)
		}
		if ch := checkRun(&a); ch.count[prop] == 0 {
			t.Errorf("%s: no %s violation reported", name, prop)
		}
	}
	alter("a user task switched in outside its affinity", propAffinity, func(e *record) bool {
		if e.Kind != EvSchedSwitch || e.other.kind != kindUser {
			return false
		}
		e.other.aff &^= 1 << uint(e.CPU)
		return true
	})
	alter("a system call returning with preemption off", propCount, func(e *record) bool {
		if e.Kind != EvSysExit || e.task.kind != kindUser {
			return false
		}
		e.task.count, e.PreemptDepth = 1, 1
		return true
	})
	// A realtime task's switch-in left out, so that it stays queued and
	// its CPU goes on with what it ran: where that CPU then runs on
	// preemptibly (not where the task it preempted blocks at once), the
	// checker must see it. Of the first 50 such switch-ins in the run's
	// second half, at least one must be reported.
	caught, tried := false, 0
	for _, e := range r.evs {
		if tried == 50 || caught {
			break
		}
		if e.Kind != EvSchedSwitch || e.other.policy == SchedOther || e.other.kind == kindIdle || e.Time < r.res.Cycles/2 {
			continue
		}
		tried++
		a := *r
		a.evs = append([]record(nil), r.evs...)
		a.evs[e.seq].Kind = EvSchedWaking
		caught = checkRun(&a).count[propLatency] > 0
	}
	if !caught {
		t.Errorf("a realtime wake-up not run: none of %d altered runs reported a %s violation", tried, propLatency)
	}
	// A SCHED_OTHER task is never switched in again after 10 ms: its
	// later events go.
	a := *r
	a.evs = nil
	var starved *Task
	for _, e := range r.evs {
		switch {
		case starved == nil && e.Kind == EvSchedSwitch && e.Time > 10_000_000 && e.other.kind == kindUser && e.other.policy == SchedOther:
			starved = e.other.t
			e.Kind = EvSchedWaking
		case starved != nil && (e.task.t == starved || e.other.t == starved):
			continue
		}
		a.evs = append(a.evs, e)
	}
	if ch := checkRun(&a); starved == nil || ch.count[propStarve] == 0 {
		t.Errorf("a SCHED_OTHER task never run again (%v): no starvation violation reported", starved)
	}
	alter("a BUG", propBug, func(e *record) bool {
		e.Kind, e.Name = EvBug, "scheduling while atomic"
		return true
	})
}
