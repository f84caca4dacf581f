package kernel

// Tests of local_bh_disable/local_bh_enable under softirq=thread (bh.go),
// made through real hypercalls: the fuzzer's image makes the calls of a
// seed's lists (fuzz_test.go), and the test reads their results, the
// kernel log and the events.

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"preemptlab/emu"
	"preemptlab/locks"
)

// Indexes of fuzzModels.
const (
	fuzzModelPreempt = 2
	fuzzModelRT      = 10
	fuzzModelRTChain = 11
)

// bhRun is what runBH saw.
type bhRun struct {
	k      *Kernel
	log    string
	res    emu.Result
	rets   [fuzzLists][]int32
	events []Event
}

// recordTracer keeps every event, and calls check at each.
type recordTracer struct {
	events []Event
	k      *Kernel
	check  func(k *Kernel, e *Event)
}

func (r *recordTracer) Event(e *Event) {
	r.events = append(r.events, *e)
	if r.check != nil && r.k != nil {
		r.check(r.k, e)
	}
}

// runBH runs seed s's calls on cpus CPUs under fuzzModels[model].
func runBH(t *testing.T, model byte, cpus int, s []fuzzSeedCall) *bhRun {
	return runBHChecked(t, model, cpus, 0, s, nil)
}

// runBHChecked is runBH with check called at every event, the kernel's
// state as it is then.
// traffic is the seed header's traffic byte.
func runBHChecked(t *testing.T, model byte, cpus int, traffic byte, s []fuzzSeedCall, check func(k *Kernel, e *Event)) *bhRun {
	t.Helper()
	img := loadFuzzImage(t)
	hdr := model << 1
	if cpus == 1 {
		hdr |= 1
	}
	data := fuzzSeed{"bh", [2]byte{hdr, traffic}, s}.data()
	r := decodeFuzz(img, data, 0)
	m, err := emu.New(emu.Config{MemMB: fuzzMemMB, CPUs: r.cpus, MaxCycles: fuzzBudget})
	if err != nil {
		t.Fatal(err)
	}
	l, err := m.LoadMultiboot(img.elf, "")
	if err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	rec := &recordTracer{check: check}
	k, err := New(m, l, img.elf, Config{Model: r.model, Log: &log, Tracer: rec})
	if err != nil {
		t.Fatal(err)
	}
	rec.k = k
	r = decodeFuzz(img, data, k.textBase)
	writeFuzzInput(img, m.RAM(), r)
	res := m.Run()
	out := &bhRun{k: k, log: log.String(), res: *res, events: rec.events}
	ram := m.RAM()
	for i, ops := range r.lists {
		b := ram[img.inputLo+8+uint32(i)*fuzzListSize:]
		done := int(le32(b[fuzzListDone:]))
		for j := range min(done, len(ops)) {
			out.rets[i] = append(out.rets[i], int32(le32(b[fuzzListRets+4*j:])))
		}
	}
	if s := brokenState(k); s != "" {
		t.Errorf("the kernel's state is broken at the end: %s", s)
	}
	return out
}

func le32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

// wantRets checks a list's results.
func wantRets(t *testing.T, what string, got []int32, want ...int32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d calls made, results %v; want %v", what, len(got), got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%s: call %d returned %d, want %d (all: %v)", what, i, got[i], want[i], got)
		}
	}
}

// TestBHNestingAndSleep: under rt the nesting is counted per task (only
// the outermost disable takes the lock, only the outermost enable
// releases it), msleep and might_sleep inside are legal, and an enable
// too many is a BUG and -EINVAL; under preempt the same msleep is the
// sleeping-while-atomic BUG.
func TestBHNestingAndSleep(t *testing.T) {
	calls := []fuzzSeedCall{
		call(lK0, SvcLocalBHDisable), call(lK0, SvcLocalBHDisable), call(lK0, SvcMightSleep),
		call(lK0, SvcMsleep, small(1)), call(lK0, SvcLocalBHEnable), call(lK0, SvcLocalBHEnable),
		call(lK0, SvcLocalBHEnable),
	}
	rt := runBH(t, fuzzModelRT, 1, calls)
	wantRets(t, "rt", rt.rets[lK0], 0, 0, 0, 0, 0, 0, -EINVAL)
	if strings.Contains(rt.log, "sleeping function called from invalid context") {
		t.Errorf("rt: sleeping with bottom halves disabled was reported:\n%s", rt.log)
	}
	if !strings.Contains(rt.log, "BUG: local_bh_enable without local_bh_disable") {
		t.Errorf("rt: the enable too many was not reported:\n%s", rt.log)
	}
	var acquire, release int
	for _, e := range rt.events {
		if e.Name != "softirq_ctrl.lock/0" {
			continue
		}
		switch e.Kind {
		case EvLockAcquire:
			acquire++
		case EvLockRelease:
			release++
		}
	}
	if acquire != 1 || release != 1 {
		t.Errorf("rt: softirq_ctrl.lock/0 taken %d times and released %d times, want once each (nested sections)", acquire, release)
	}
	census := rt.k.Census()
	found := false
	for _, l := range census.Locks {
		if l.Name == "softirq_ctrl.lock/0" {
			found = true
			if l.Type != "local_lock_t" || l.Backing != "sleeping" || l.Ops != 2 {
				t.Errorf("rt: census has %+v, want a sleeping local_lock_t with 2 operations", l)
			}
		}
	}
	if !found {
		t.Errorf("rt: the census has no softirq_ctrl.lock/0: %+v", census.Locks)
	}

	pre := runBH(t, fuzzModelPreempt, 1, calls)
	wantRets(t, "preempt", pre.rets[lK0], 0, 0, 0, -EINVAL, 0, 0, -EINVAL)
	if !strings.Contains(pre.log, "msleep with bottom halves disabled") {
		t.Errorf("preempt: msleep with bottom halves disabled was not reported:\n%s", pre.log)
	}
	for _, e := range pre.events {
		if strings.HasPrefix(e.Name, "softirq_ctrl") {
			t.Fatalf("preempt: an event on the softirq lock, which irq-exit mode has not: %+v", e)
		}
	}
}

// TestBHExcludesSoftirqThread: a softirq raised while a task has bottom
// halves disabled runs in its thread only after the outermost
// local_bh_enable; the thread blocks on the CPU's softirq lock and, under
// pi=chain, boosts the holder to its priority, which the release undoes.
func TestBHExcludesSoftirqThread(t *testing.T) {
	for _, model := range []byte{fuzzModelRT, fuzzModelRTChain} {
		r := runBH(t, model, 1, []fuzzSeedCall{
			call(lBoot, SvcOpenSoftirq, konst(NetRXSoftirq), fn(2)),
			call(lK0, SvcLocalBHDisable), call(lK0, SvcRaiseSoftirq, konst(NetRXSoftirq)),
			call(lK0, SvcUdelay, small(200)), call(lK0, SvcLocalBHEnable), call(lK0, SvcUdelay, small(10)),
		})
		name := fuzzModels[model].String()
		wantRets(t, name, r.rets[lK0], 0, 0, 0, 0, 0)
		var holder *Task
		var contended, released, entry uint64
		boosted, unboosted := false, false
		for _, e := range r.events {
			switch {
			case e.Kind == EvLockAcquire && e.Name == "softirq_ctrl.lock/0" && holder == nil:
				holder = e.Task
			case e.Kind == EvLockContended && e.Name == "softirq_ctrl.lock/0":
				contended = e.Time
				if e.Task.kind != kindSoftirq {
					t.Errorf("%s: %v contended on the softirq lock, want the softirq thread", name, e.Task)
				}
			case e.Kind == EvLockRelease && e.Name == "softirq_ctrl.lock/0" && e.Task == holder && released == 0:
				released = e.Time
			case e.Kind == EvSoftirqEntry && entry == 0:
				entry = e.Time
				if !e.BHOff {
					t.Errorf("%s: softirq_entry in the thread without bottom halves off (in_softirq)", name)
				}
			case e.Kind == EvSchedPISetprio && e.Other == holder:
				if e.Num2 == int64(maxUserRT-defaultIRQ) {
					boosted = true
				} else if boosted {
					unboosted = true
				}
			}
		}
		switch {
		case holder == nil || holder.kind != kindKthread:
			t.Fatalf("%s: the softirq lock was first taken by %v, want the kernel thread", name, holder)
		case contended == 0 || released == 0 || entry == 0:
			t.Fatalf("%s: contended at %d, released at %d, softirq entry at %d: want all three", name, contended, released, entry)
		case !(contended < released && released < entry):
			t.Errorf("%s: contended at %d, released at %d, softirq ran at %d: want it to run after the release", name, contended, released, entry)
		}
		chain := fuzzModels[model].PI == PIChain
		if boosted != chain || unboosted != chain {
			t.Errorf("%s: holder boosted %v, unboosted %v; want %v (PI only under pi=chain)", name, boosted, unboosted, chain)
		}
	}
}

// TestBHMigrateDisabled: a task with bottom halves disabled stays on its
// CPU when its affinity loses that CPU, even across a sleep, and moves at
// local_bh_enable, or, if that is in a preempt_disable section, at its
// preempt_enable. (fuzz-k1, bound to cpu1, writes the mask: its own.)
func TestBHMigrateDisabled(t *testing.T) {
	r := runBH(t, fuzzModelRT, 2, []fuzzSeedCall{
		call(lK1, SysSchedGetaffinity, small(0), small(4), scratch(64)),
		call(lK0, SvcMsleep, small(1)), call(lK0, SvcLocalBHDisable), call(lK0, SysSchedSetaffinity, small(0), small(4), scratch(64)),
		call(lK0, SvcSmpProcessorID), call(lK0, SvcMsleep, small(1)), call(lK0, SvcSmpProcessorID),
		call(lK0, SvcLocalBHEnable), call(lK0, SvcSmpProcessorID),
	})
	wantRets(t, "fuzz-k1", r.rets[lK1], 4)
	wantRets(t, "fuzz-k0", r.rets[lK0], 0, 0, 0, 0, 0, 0, 0, 1)

	// Enabled with preemption off: it moves at preempt_enable.
	r = runBH(t, fuzzModelRT, 2, []fuzzSeedCall{
		call(lK1, SysSchedGetaffinity, small(0), small(4), scratch(64)),
		call(lK0, SvcMsleep, small(1)), call(lK0, SvcLocalBHDisable), call(lK0, SysSchedSetaffinity, small(0), small(4), scratch(64)),
		call(lK0, SvcPreemptDisable), call(lK0, SvcLocalBHEnable), call(lK0, SvcSmpProcessorID),
		call(lK0, SvcPreemptEnable), call(lK0, SvcSmpProcessorID),
	})
	wantRets(t, "fuzz-k0, preemption off", r.rets[lK0], 0, 0, 0, 0, 0, 0, 0, 1)
}

// TestBHExitAndAtomic: a local_bh_disable with preemption disabled only
// counts (no lock), and its enable balances it; a kernel thread that
// exits with bottom halves disabled is in_interrupt(), as in irq-exit
// mode: do_exit's "Aiee, killing interrupt handler!" panic names why.
func TestBHExitAndAtomic(t *testing.T) {
	r := runBH(t, fuzzModelRT, 1, []fuzzSeedCall{
		call(lK0, SvcPreemptDisable), call(lK0, SvcLocalBHDisable), call(lK0, SvcLocalBHEnable), call(lK0, SvcPreemptEnable),
		call(lK0, SvcLocalBHDisable), call(lK0, SvcLocalBHDisable), call(lK0, SvcDoExit, small(0)),
	})
	wantRets(t, "rt", r.rets[lK0], 0, 0, 0, 0, 0, 0)
	if want := "Aiee, killing interrupt handler! (exit with bottom halves disabled"; r.res.Status != StatusPanic || !strings.Contains(r.res.Message, want) {
		t.Errorf("the run ended with status %d, %q; want a panic with %q", r.res.Status, r.res.Message, want)
	}
	n := 0
	for _, e := range r.events {
		if e.Kind == EvLockAcquire && e.Name == "softirq_ctrl.lock/0" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the softirq lock was taken %d times, want once (not in the atomic section)", n)
	}
}

// TestBHLockdep: lockdep sees the softirq lock by its name — a task that
// takes a converted spinlock_t inside a bh section and, later, bottom
// halves inside that lock is the ABBA report, as on PREEMPT_RT, where a
// softirq thread holding the bh lock may want the spinlock_t.
func TestBHLockdep(t *testing.T) {
	r := runBH(t, fuzzModelRT, 1, []fuzzSeedCall{
		call(lK0, SvcLocalBHDisable), call(lK0, SvcSpinLock, lock(1), small(0)), call(lK0, SvcSpinUnlock, lock(1), small(0)),
		call(lK0, SvcLocalBHEnable),
		call(lK0, SvcSpinLock, lock(1), small(0)), call(lK0, SvcLocalBHDisable), call(lK0, SvcLocalBHEnable),
		call(lK0, SvcSpinUnlock, lock(1), small(0)),
	})
	if got := r.rets[lK0]; len(got) != 8 || got[0] != 0 || got[3] != 0 || got[5] != 0 || got[6] != 0 {
		t.Errorf("results %v, want all 8 calls made and the bh calls 0", got)
	}
	want := "BUG: possible circular locking dependency detected: fuzz-k0 (pid 1) takes softirq_ctrl.lock/0 while holding &fuzz_locks[1], but &fuzz_locks[1] was taken while holding softirq_ctrl.lock/0 before"
	if !strings.Contains(r.log, want) {
		t.Errorf("no report %q in:\n%s", want, r.log)
	}
}

// TestBHProperties runs seeded random sequences of local_bh_disable,
// local_bh_enable, raise_softirq, delays, sleeps, yields and affinity
// changes (to either CPU or both) of two kernel threads under rt
// and rt with pi=chain, device interrupts raising NET_RX meanwhile, and
// checks at every event: a softirq handler runs only in a thread that
// holds its CPU's softirq lock; the lock's owner is on that CPU
// (migration disabled) and, whenever it acts, its bh count and lock say
// it holds it; the lock has waiters only while it is owned; every task's bh count is never negative; and
// at the end every section was closed and every lock is free.
func TestBHProperties(t *testing.T) {
	ops := []fuzzSeedCall{
		call(0, SvcLocalBHDisable), call(0, SvcLocalBHEnable), call(0, SvcRaiseSoftirq, konst(NetRXSoftirq)),
		call(0, SvcUdelay, small(30)), call(0, SvcMsleep, small(1)), call(0, SysSchedYield),
		call(0, SysSchedSetaffinity, small(0), small(4), scratch(64)), call(0, SysSchedSetaffinity, small(0), small(4), scratch(68)),
		call(0, SysSchedSetaffinity, small(0), small(4), scratch(72)),
	}
	migrations, contended := 0, 0
	for _, model := range []byte{fuzzModelRT, fuzzModelRTChain} {
		for seed := int64(1); seed <= 8; seed++ {
			t.Run(fmt.Sprintf("%s/seed=%d", fuzzModels[model].Value("pi"), seed), func(t *testing.T) {
				rng := rand.New(rand.NewSource(seed))
				calls := []fuzzSeedCall{
					// Masks for the threads' sched_setaffinity — cpu1
					// (fuzz-k1's), cpu0 (fuzz-k0's), both (the user
					// task's): they move, but not with bottom halves
					// disabled.
					call(lK1, SysSchedGetaffinity, small(0), small(4), scratch(64)),
					call(lK0, SysSchedGetaffinity, small(0), small(4), scratch(68)),
					call(lUser, SysSchedGetaffinity, small(0), small(4), scratch(72)),
					call(lBoot, SvcRequestIRQ, konst(11), fn(1), konst(IRQFNoThread), str(0), scratch(0)),
					call(lBoot, SvcOpenSoftirq, konst(NetRXSoftirq), fn(2)),
				}
				depth := map[byte]int{}
				for range 40 {
					list := []byte{lK0, lK1}[rng.Intn(2)]
					c := ops[rng.Intn(len(ops))]
					switch c.nr {
					case call(0, SvcLocalBHEnable).nr:
						if depth[list] == 0 {
							c = ops[0] // no enable without a disable
						}
					}
					switch c.nr {
					case call(0, SvcLocalBHDisable).nr:
						depth[list]++
					case call(0, SvcLocalBHEnable).nr:
						depth[list]--
					}
					c.list = list
					calls = append(calls, c)
				}
				for _, list := range []byte{lK0, lK1} {
					for ; depth[list] > 0; depth[list]-- {
						calls = append(calls, call(list, SvcLocalBHEnable))
					}
				}
				var fail []string
				report := func(k *Kernel, e *Event, format string, args ...any) {
					if len(fail) < 10 {
						fail = append(fail, fmt.Sprintf("at %d (%v on cpu%d): ", e.Time, e.Kind, e.CPU)+fmt.Sprintf(format, args...))
					}
				}
				check := func(k *Kernel, e *Event) {
					if e.Kind == EvSoftirqEntry && e.Task != nil && e.Task.kind == kindSoftirq {
						if e.CPU >= len(k.bhLocks) || k.bhLocks[e.CPU] == nil || k.bhLocks[e.CPU].mutex.Owner() != locks.Task(e.Task) {
							report(k, e, "%v runs a handler without its CPU's softirq lock", e.Task)
						}
					}
					for n, o := range k.bhLocks {
						if o == nil {
							continue
						}
						owner := o.mutex.Owner()
						if owner == nil {
							if len(o.mutex.Waiters()) > 0 {
								report(k, e, "%s is free with waiters %v", o.name, o.mutex.Waiters())
							}
							continue
						}
						// The owner's own count says so whenever it acts
						// (between the hand-off and its lock_acquired, and
						// at its lock_release, the lock and its count are
						// in transit).
						ot := owner.(*Task)
						transit := e.Name == o.name && (e.Kind == EvLockAcquired || e.Kind == EvLockRelease)
						if e.Task == ot && !transit && (ot.bhLock != o || ot.bhCount < 1) {
							report(k, e, "%s is owned by %v, whose bh count is %d and lock %v", o.name, ot, ot.bhCount, ot.bhLock)
						}
						if ot.cpu != n {
							report(k, e, "%v holds %s on cpu%d", ot, o.name, ot.cpu)
						}
					}
					for _, tk := range k.tasks {
						if tk.bhCount < 0 || tk.migrateDisabled < 0 {
							report(k, e, "%v has bh count %d, migrate_disable %d", tk, tk.bhCount, tk.migrateDisabled)
						}
					}
				}
				r := runBHChecked(t, model, 2, traffic, calls, check)
				for _, f := range fail {
					t.Error(f)
				}
				for _, e := range r.events {
					switch {
					case e.Kind == EvSchedMigrateTask && e.Other != nil && e.Other.kind == kindKthread:
						migrations++
					case e.Kind == EvLockContended && strings.HasPrefix(e.Name, "softirq_ctrl"):
						contended++
					}
				}
				if strings.Contains(r.log, "local_bh_enable without local_bh_disable") {
					t.Errorf("a balanced sequence reported an unbalanced enable:\n%s", r.log)
				}
				for _, tk := range r.k.tasks {
					if tk.state != taskDead && tk.kind == kindKthread && tk.bhCount != 0 {
						t.Errorf("%v ends with bh count %d", tk, tk.bhCount)
					}
				}
				for _, o := range r.k.bhLocks {
					if o != nil && o.mutex.Owner() != nil {
						t.Errorf("%s is held at the end by %v", o.name, o.mutex.Owner())
					}
				}
			})
		}
	}
	// The workloads must have tried what the properties are about.
	if migrations == 0 || contended == 0 {
		t.Errorf("%d migrations of the threads and %d contentions on a softirq lock in all runs: the workloads test nothing", migrations, contended)
	}
}
