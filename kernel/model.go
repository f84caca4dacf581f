package kernel

// This file defines the preemption model: the orthogonal knobs the
// kernel's behaviour depends on, and the presets that name the historical
// designs as sets of knob values. The kernel reads the knobs; nothing in
// it tests a preset's name.

import (
	"fmt"
	"strings"
)

// Preemption says where a task running kernel code can be preempted.
type Preemption uint8

const (
	// PreemptNone is stock 2.6: rescheduling only on return to user mode,
	// when a task blocks or calls schedule(), and at cond_resched().
	PreemptNone Preemption = iota
	// PreemptVoluntary adds might_sleep() as a rescheduling point
	// (Molnar's voluntary preemption).
	PreemptVoluntary
	// PreemptFull is CONFIG_PREEMPT: kernel code is preemptible wherever
	// the preemption count is zero and interrupts are on — on interrupt
	// exit and when preempt_enable()/an unlock brings the count to zero.
	PreemptFull
	// PreemptLazy is Linux 6.13's PREEMPT_LAZY: full preemption for
	// realtime wake-ups, while a SCHED_OTHER wake-up only sets a lazy
	// flag honoured at return to user mode and at the tick.
	PreemptLazy
)

// IRQMode says where device interrupt handlers run.
type IRQMode uint8

const (
	// IRQHard runs handlers in hard-IRQ context, interrupts off.
	IRQHard IRQMode = iota
	// IRQThreaded runs each line's handlers in its own kernel thread
	// (irq/N-name, SCHED_FIFO 50), the line masked until the thread ran.
	IRQThreaded
)

// SoftirqMode says where softirqs run.
type SoftirqMode uint8

const (
	// SoftirqIRQExit runs them on interrupt exit (and in ksoftirqd/N
	// when they keep coming back), as mainline does.
	SoftirqIRQExit SoftirqMode = iota
	// SoftirqThread runs each softirq in a per-CPU thread
	// (softirq-net-rx/N…), as PREEMPT_REALTIME does.
	SoftirqThread
)

// SpinlockMode says what spinlock_t and rwlock_t are.
type SpinlockMode uint8

const (
	// SpinlockSpin: spinning locks, as raw_spinlock_t.
	SpinlockSpin SpinlockMode = iota
	// SpinlockPMutex: MontaVista's PMutex, a blocking mutex with simple
	// priority inheritance.
	SpinlockPMutex
	// SpinlockRwsem: mmLinux's rw-semaphore taken exclusively.
	SpinlockRwsem
	// SpinlockMutex: PREEMPT_REALTIME's sleeping mutex.
	SpinlockMutex
)

// PIMode is the priority inheritance of sleeping locks.
type PIMode uint8

const (
	// PINone: no priority inheritance.
	PINone PIMode = iota
	// PISimple: the owner takes its top waiter's priority, one level.
	PISimple
	// PIBorrow: mmLinux's late inheritance, a blocked writer lending its
	// priority to the readers ahead of it at block points.
	PIBorrow
	// PIChain: rt_mutex's full PI-chain boosting with deadlock detection.
	PIChain
)

// RCUMode is how RCU read sections behave.
type RCUMode uint8

const (
	// RCUClassic: read sections disable preemption.
	RCUClassic RCUMode = iota
	// RCUPreemptible: read sections may be preempted.
	RCUPreemptible
)

// DomainMode says whether an interrupt pipeline puts a realtime domain
// ahead of the kernel (RTLinux/RTAI).
type DomainMode uint8

const (
	// DomainSingle: one kernel owns the machine.
	DomainSingle DomainMode = iota
	// DomainDual: a hard-realtime domain ahead of the whole kernel.
	DomainDual
)

// Model is the set of preemption knobs a run uses.
type Model struct {
	Preempt   Preemption
	IRQ       IRQMode
	Softirq   SoftirqMode
	Spinlock  SpinlockMode
	PI        PIMode
	Lockbreak bool
	RCU       RCUMode
	Domain    DomainMode
}

// knobValue is one value of a knob, with its name and a line of doc.
type knobValue struct {
	name string
	doc  string
	// missing, when set, says why the value cannot be used yet.
	missing string
}

// knob describes one knob of Model for parsing and printing.
type knob struct {
	name   string
	doc    string
	values []knobValue
	get    func(*Model) int
	set    func(*Model, int)
}

// knobs lists the knobs in the order DESIGN.md gives them.
var knobs = []knob{
	{"preempt", "where kernel code can be preempted", []knobValue{
		{"none", "stock 2.6: only on return to user mode, blocking, schedule() and cond_resched()", ""},
		{"voluntary", "also at might_sleep() (voluntary preemption)", ""},
		{"full", "CONFIG_PREEMPT: wherever the preemption count is zero", ""},
		{"lazy", "PREEMPT_LAZY: full for realtime wake-ups, at the tick or user return for SCHED_OTHER", ""},
	}, func(m *Model) int { return int(m.Preempt) }, func(m *Model, v int) { m.Preempt = Preemption(v) }},
	{"irq", "where device interrupt handlers run", []knobValue{
		{"hard", "in hard-IRQ context", ""},
		{"threaded", "in one thread per line, irq/N-name, SCHED_FIFO 50", ""},
	}, func(m *Model) int { return int(m.IRQ) }, func(m *Model, v int) { m.IRQ = IRQMode(v) }},
	{"softirq", "where softirqs run", []knobValue{
		{"irq-exit", "on interrupt exit, then ksoftirqd/N", ""},
		{"thread", "in per-CPU softirq threads (softirq-net-rx/N...)", ""},
	}, func(m *Model) int { return int(m.Softirq) }, func(m *Model, v int) { m.Softirq = SoftirqMode(v) }},
	{"spinlock", "what spinlock_t and rwlock_t are", []knobValue{
		{"spin", "spinning locks", ""},
		{"pmutex", "MontaVista's PMutex (blocking, simple PI)", ""},
		{"rwsem", "mmLinux's rw-semaphore taken exclusively", ""},
		{"mutex", "PREEMPT_REALTIME's sleeping mutex", ""},
	}, func(m *Model) int { return int(m.Spinlock) }, func(m *Model, v int) { m.Spinlock = SpinlockMode(v) }},
	{"pi", "priority inheritance of sleeping locks", []knobValue{
		{"none", "none", ""},
		{"simple", "the owner takes its top waiter's priority, one level", ""},
		{"borrow", "mmLinux's late inheritance by priority borrowing", ""},
		{"chain", "rt_mutex PI-chain boosting with deadlock detection", ""},
	}, func(m *Model) int { return int(m.PI) }, func(m *Model, v int) { m.PI = PIMode(v) }},
	{"lockbreak", "a spinning CPU asks the holder to drop the lock at cond_resched_lock()", []knobValue{
		{"off", "before Molnar's -Q7: cond_resched_lock() yields only for this CPU's reschedule", ""},
		{"on", "-Q7 and later: break_lock set by a waiter makes the holder drop the lock", ""},
	}, func(m *Model) int { return b2i(m.Lockbreak) }, func(m *Model, v int) { m.Lockbreak = v == 1 }},
	{"rcu", "RCU read sections", []knobValue{
		{"classic", "read sections disable preemption", ""},
		{"preemptible", "read sections may be preempted", ""},
	}, func(m *Model) int { return int(m.RCU) }, func(m *Model, v int) { m.RCU = RCUMode(v) }},
	{"domain", "an interrupt pipeline ahead of the kernel", []knobValue{
		{"single", "one kernel owns the machine", ""},
		{"dual", "RTLinux/RTAI on Adeos", "the dual-kernel design is a later issue, not built yet"},
	}, func(m *Model) int { return int(m.Domain) }, func(m *Model, v int) { m.Domain = DomainMode(v) }},
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Preset is a named set of knob values: one historical design.
type Preset struct {
	Name  string
	Doc   string
	Model Model
}

// Presets are the historical designs, in DESIGN.md's order.
var Presets = []Preset{
	{"none", "stock 2.6: kernel code is never preempted", Model{}},
	{"voluntary", "Molnar's voluntary preemption", Model{Preempt: PreemptVoluntary, Lockbreak: true}},
	{"preempt", "MontaVista's fully preemptable kernel (CONFIG_PREEMPT)", Model{Preempt: PreemptFull, Lockbreak: true}},
	{"mvista-rt", "MontaVista's 2004 realtime patch", Model{Preempt: PreemptFull, IRQ: IRQThreaded, Spinlock: SpinlockPMutex, PI: PISimple, Lockbreak: true}},
	{"mmlinux", "LynuxWorks' mmLinux", Model{Preempt: PreemptFull, IRQ: IRQThreaded, Spinlock: SpinlockRwsem, Lockbreak: true}},
	{"rt", "Molnar's PREEMPT_REALTIME (-U0)", Model{Preempt: PreemptFull, IRQ: IRQThreaded, Softirq: SoftirqThread, Spinlock: SpinlockMutex, Lockbreak: true, RCU: RCUPreemptible}},
}

// LookupPreset returns the preset called name.
func LookupPreset(name string) (Model, error) {
	for _, p := range Presets {
		if p.Name == name {
			return p.Model, nil
		}
	}
	var names []string
	for _, p := range Presets {
		names = append(names, p.Name)
	}
	return Model{}, fmt.Errorf("--model %q: no such preset (the presets are %s)", name, strings.Join(names, ", "))
}

// KnobNames lists the knobs, for flags.
func KnobNames() []string {
	var n []string
	for _, k := range knobs {
		n = append(n, k.name)
	}
	return n
}

// KnobUsage describes a knob and its values, for a flag's usage line.
func KnobUsage(name string) string {
	k := findKnob(name)
	if k == nil {
		return ""
	}
	var vals []string
	for _, v := range k.values {
		vals = append(vals, v.name)
	}
	return k.doc + ": " + strings.Join(vals, " | ")
}

func findKnob(name string) *knob {
	for i := range knobs {
		if knobs[i].name == name {
			return &knobs[i]
		}
	}
	return nil
}

// Set sets the knob called name to the value called value, as the flag
// --name value does. An unknown knob or value is an error that lists the
// valid ones; so is a value that is not built yet.
func (m *Model) Set(name, value string) error {
	k := findKnob(name)
	if k == nil {
		return fmt.Errorf("no knob %q (the knobs are %s)", name, strings.Join(KnobNames(), ", "))
	}
	var names []string
	for i, v := range k.values {
		if v.name == value {
			k.set(m, i)
			return nil
		}
		names = append(names, v.name)
	}
	return fmt.Errorf("--%s %q: the values are %s", name, value, strings.Join(names, ", "))
}

// Check reports the first knob whose value is not built yet.
func (m Model) Check() error {
	for _, k := range knobs {
		if v := k.values[k.get(&m)]; v.missing != "" {
			return fmt.Errorf("--%s %s: %s", k.name, v.name, v.missing)
		}
	}
	return nil
}

// String prints the model as knob=value pairs, in knob order.
func (m Model) String() string {
	var parts []string
	for _, k := range knobs {
		parts = append(parts, k.name+"="+k.values[k.get(&m)].name)
	}
	return strings.Join(parts, " ")
}

// Value returns the name of knob name's value in m.
func (m Model) Value(name string) string {
	if k := findKnob(name); k != nil {
		return k.values[k.get(&m)].name
	}
	return ""
}

// PresetName returns the name of the preset m is, or "custom".
func (m Model) PresetName() string {
	for _, p := range Presets {
		if p.Model == m {
			return p.Name
		}
	}
	return "custom"
}
