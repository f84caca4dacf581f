package kernel

// This file checks the scheduling properties of a recorded run. It reads
// the events in time order (as ftrace merges its per-CPU buffers) and
// rebuilds from them, for every CPU, the task it runs and the context it
// is in, and for every task whether it is runnable and on which CPU's
// queue it waits. The properties, and how each is judged, are described
// at checkRun.

import (
	"fmt"
	"sort"
	"strings"
)

// Property names, as reports give them.
const (
	propStarve   = "starvation"
	propLatency  = "highest-priority task runs"
	propAffinity = "affinity"
	propCount    = "preemption count"
	propBug      = "kernel report"
	propTrace    = "trace consistency"
)

// cpuState is a CPU as the events show it.
type cpuState struct {
	id int
	// up is set once the CPU started its tick in cpu_up: before, it runs
	// nothing (CPU 0: the image's boot code).
	up   bool
	curr *taskState
	// irq is the nesting of interrupt contexts: hard-IRQ handlers and
	// vectors, softirqs run by __do_softirq.
	irq     int
	irqsOff bool
	bh      bool // bottom halves off in process context
	depth   int  // preempt depth (counted only under full and lazy)
	rqWait  bool // spinning on a runqueue another CPU is changing

}

// taskState is a task as the events show it.
type taskState struct {
	t      *Task
	name   string
	kind   taskKind
	prio   int
	policy int
	nice   int
	aff    uint64
	count  uint32

	runnable  bool
	running   *cpuState
	queued    *cpuState
	migrateTo *cpuState // set when a running task was moved away (affinity)
	inSys     bool      // a user task inside a system call
	exited    bool

	// The open interval in which the task, queued on pendOn, should be
	// running there instead of what runs there.
	pendOn    *cpuState
	pendCurr  *taskState // what ran there when it began
	pendStart uint64
	pTime     uint64 // preemptible time of that CPU in it
	extra     uint64 // cycles of traced kernel work charged in it
	reported  bool

	// The current wait: runnable, not running.
	waitStart uint64
	idleComp  uint64 // time an allowed CPU idled meanwhile
	lowerComp uint64 // time an allowed CPU ran lower-priority work preemptibly (realtime tasks)
	fairComp  uint64 // time an allowed CPU ran SCHED_OTHER work of no more weight (SCHED_OTHER tasks)
	moves     uint64 // tasks moved between CPUs meanwhile
	// armed is set, for a realtime task, from a point where Linux
	// pushes or pulls realtime tasks (see checkRun) while an allowed
	// CPU goes on running lower-priority work preemptibly.
	armed   bool
	waitRep bool
}

func (t *taskState) isRT() bool { return t.policy == SchedFIFO || t.policy == SchedRR }

func (t *taskState) String() string {
	if t == nil {
		return "nothing"
	}
	if t.kind == kindIdle {
		return "the idle task"
	}
	return fmt.Sprintf("%s (pid %d, prio %d)", t.name, t.t.PID, t.prio)
}

func (t *taskState) waiting() bool { return t.runnable && t.running == nil && !t.exited }

// checker holds the state of one run's check.
type checker struct {
	cfg   propConfig
	full  bool // kernel code is preemptible (full, lazy)
	costs Costs
	tick  uint64
	mhz   uint64
	cpus  []*cpuState
	tasks map[*Task]*taskState
	order []*taskState
	now   uint64

	// slack is what a reschedule may take beyond the non-preemptible
	// sections, fairBound how long a SCHED_OTHER task may wait while an
	// allowed CPU runs SCHED_OTHER work of no more weight.
	slack     uint64
	fairBound uint64

	viol  map[string][]string
	count map[string]int
}

// Cycles charged for a traced kernel operation, when it is done in a
// preemptible stretch of a pending interval (see checkRun).
func (ch *checker) costOf(k EventKind) uint64 {
	c := ch.costs
	switch k {
	case EvSchedMigrateTask:
		return c.Migrate
	case EvSchedWaking:
		return c.WakeUp
	case EvIPIRaise:
		return c.IPISend
	case EvHrtimerStart, EvHrtimerCancel:
		return c.TimerProgram
	case EvHrtimerExpireEntry:
		return c.TimerExpire
	case EvSoftirqEntry:
		return c.SoftirqDispatch + c.HandlerCall
	case EvIRQHandlerEntry:
		return c.HandlerCall + c.IOAPICMask
	case EvPreemptDisable, EvPreemptEnable:
		return c.PreemptCount + c.ServiceCall
	case EvIRQDisable, EvIRQEnable:
		return c.IRQFlags + c.ServiceCall
	case EvLockAcquire, EvLockRelease, EvLockAcquired:
		return c.SpinLock + c.SpinUnlock + c.ServiceCall
	case EvSysEnter:
		return c.SyscallEntry
	case EvSysExit:
		return c.SyscallExit
	}
	return 0
}

func newChecker(cfg propConfig, k *Kernel) *checker {
	ch := &checker{cfg: cfg, full: cfg.m.Preempt == PreemptFull || cfg.m.Preempt == PreemptLazy,
		costs: k.costs, tick: k.tickPeriod, mhz: k.mhz, tasks: map[*Task]*taskState{},
		viol: map[string][]string{}, count: map[string]int{}}
	for i := 0; i < cfg.cpus; i++ {
		ch.cpus = append(ch.cpus, &cpuState{id: i})
	}
	c := ch.costs
	// The way from a wake-up to the switch, where it is not covered by
	// a non-preemptible section the events show: the IPI to another
	// CPU, the interrupt's entry before its first event and its exit
	// after its last, an IRQ thread's unmasking of its line, a softirq's
	// dispatch, the system call's exit, the scheduler's pick, the kernel
	// service's call, and an allowance of
	// 200 cycles for the guest instructions before an interrupt is taken
	// or a call made.
	ch.slack = c.IPISend + c.IPIDelivery + c.IRQEntry + c.APICAck + c.IRQExit + c.HandlerCall +
		c.IOAPICMask + c.SoftirqDispatch + c.SyscallExit + c.SchedulerPick + c.ServiceCall + 200
	return ch
}

func (ch *checker) fail(prop string, format string, args ...any) {
	ch.count[prop]++
	if len(ch.viol[prop]) < 8 {
		ch.viol[prop] = append(ch.viol[prop], fmt.Sprintf(format, args...))
	}
}

// ts formats a cycle as the traces' seconds.
func (ch *checker) ts(c uint64) string {
	ns := c * 1000 / ch.mhz
	return fmt.Sprintf("%d.%09d", ns/1_000_000_000, ns%1_000_000_000)
}

// task returns the state of the task of s, updated with what s saw.
func (ch *checker) task(s taskSnap) *taskState {
	if s.t == nil {
		return nil
	}
	ts := ch.tasks[s.t]
	if ts == nil {
		ts = &taskState{t: s.t, name: s.t.Comm}
		ch.tasks[s.t] = ts
		ch.order = append(ch.order, ts)
	}
	ts.kind, ts.prio, ts.policy, ts.nice, ts.aff, ts.count = s.kind, s.prio, s.policy, s.nice, s.aff, s.count
	return ts
}

// np reports whether CPU c cannot be preempted now: it is not up, in an
// interrupt, has interrupts or bottom halves off, spins on a runqueue
// lock, has preemption off (full, lazy), or — under none and voluntary —
// runs kernel code at all.
func (ch *checker) np(c *cpuState) bool {
	if !c.up || c.irq > 0 || c.irqsOff || c.bh || c.rqWait {
		return true
	}
	if ch.full && c.depth > 0 {
		return true
	}
	cur := c.curr
	if cur == nil || cur.kind == kindIdle {
		return false
	}
	if !ch.full {
		return cur.kind != kindUser || cur.inSys
	}
	return false
}

// shouldRun reports whether the queued task t should be running on its
// CPU c instead of what runs there: it is realtime and above the current
// task, or c idles.
func (ch *checker) shouldRun(t *taskState) bool {
	c := t.queued
	if !t.waiting() || c == nil || !c.up {
		return false
	}
	cur := c.curr
	if cur == nil || cur.kind == kindIdle {
		return true
	}
	return t.isRT() && t.prio < cur.prio
}

// armPulls marks the realtime tasks waiting above cur, which runs on c
// and just lowered its priority, as due for prio_changed_rt's pull.
func (ch *checker) armPulls(c *cpuState, cur *taskState) {
	for _, w := range ch.order {
		if w.waiting() && w.isRT() && allowedOn(w, c) && cur.prio > w.prio {
			w.armed = true
		}
	}
}

// advance accounts the time from ch.now to at.
func (ch *checker) advance(at uint64) {
	if at <= ch.now {
		return
	}
	dt := at - ch.now
	for _, t := range ch.order {
		if t.pendOn != nil && !ch.np(t.pendOn) {
			t.pTime += dt
		}
	}
	for _, w := range ch.order {
		if !w.waiting() || !ch.cpus[0].up {
			continue
		}
		var idle, lower, fair bool
		blocked := w.queued != nil && w.queued.curr != nil && w.queued.curr.kind != kindIdle && w.queued.curr.prio <= w.prio
		for _, c := range ch.cpus {
			if !c.up || w.aff&(1<<uint(c.id)) == 0 {
				continue
			}
			cur := c.curr
			np := ch.np(c) // busy with interrupts, or not preemptible now
			switch {
			case cur == nil || cur.kind == kindIdle:
				idle = idle || !np && (blocked || !w.isRT())
			case w.isRT():
				// Only while w's own CPU runs work at least as
				// important: then Linux pushes w to (or pulls
				// it from) a CPU running lower-priority work.
				// Behind lower-priority work in a section nothing
				// preempts, w waits where it is (latency, not
				// starvation).
				lower = lower || cur.prio > w.prio && !np && blocked
			case !cur.isRT() && cur.prio >= w.prio:
				// SCHED_OTHER work of no more weight: the fair
				// share is judged whatever the section.
				fair = true
			}
		}
		if idle {
			w.idleComp += dt
		}
		switch {
		case !w.isRT():
		case w.armed && (lower || idle):
			w.lowerComp += dt
		default:
			w.armed = false
		}
		if fair {
			w.fairComp += dt
		}
	}
	ch.now = at
}

// startWait starts a task's wait for a CPU.
func (ch *checker) startWait(t *taskState) {
	t.waitStart = ch.now
	t.idleComp, t.lowerComp, t.fairComp, t.moves = 0, 0, 0, 0
	t.waitRep, t.armed = false, true
}

// checkWait checks a task's wait so far (starvation).
func (ch *checker) checkWait(t *taskState, final bool) {
	if t.waitRep || t.kind == kindIdle {
		return
	}
	bad := ""
	// A realtime task is pushed or pulled after the switch that left it
	// queued, moving tasks as it goes.
	rtBound := ch.slack + ch.costs.ContextSwitch + t.moves*ch.costs.Migrate
	switch {
	case t.isRT() && t.lowerComp > rtBound:
		bad = fmt.Sprintf("for %d cycles an allowed CPU idled or ran lower-priority work preemptibly (bound %d)", t.lowerComp, rtBound)
	case t.idleComp > ch.tick+ch.slack:
		bad = fmt.Sprintf("for %d cycles an allowed CPU idled (bound a tick and %d)", t.idleComp, ch.slack)
	case !t.isRT() && t.fairComp > ch.fairBound:
		bad = fmt.Sprintf("for %d cycles an allowed CPU ran SCHED_OTHER work of no more weight (bound %d)", t.fairComp, ch.fairBound)
	}
	if bad == "" {
		return
	}
	t.waitRep = true
	until := "it ran"
	if final {
		until = "the end"
	}
	ch.fail(propStarve, "%v, runnable on cpu%s from %s until %s at %s: %s", t, cpuName(t.queued), ch.ts(t.waitStart), until, ch.ts(ch.now), bad)
}

func cpuName(c *cpuState) string {
	if c == nil {
		return "?"
	}
	return fmt.Sprint(c.id)
}

// bound is the preemptible time a pending interval of t may last.
func (ch *checker) bound(t *taskState) uint64 { return ch.slack + t.extra }

// checkPending checks the open pending interval of t.
func (ch *checker) checkPending(t *taskState, closing bool) {
	if t.pendOn == nil || t.reported || t.pTime <= ch.bound(t) {
		return
	}
	t.reported = true
	end := "still at " + ch.ts(ch.now)
	if closing {
		end = "until " + ch.ts(ch.now)
	}
	ch.fail(propLatency, "cpu%d: %v queued from %s %s while the CPU ran %v; preemptible for %d cycles of it (bound %d)",
		t.pendOn.id, t, ch.ts(t.pendStart), end, t.pendCurr, t.pTime, ch.bound(t))
}

// updatePending opens and closes the pending intervals after an event.
func (ch *checker) updatePending() {
	for _, t := range ch.order {
		run := ch.shouldRun(t)
		switch {
		case run && t.pendOn != t.queued:
			if t.pendOn != nil {
				ch.checkPending(t, true)
			}
			t.pendOn, t.pendCurr, t.pendStart, t.pTime, t.extra, t.reported = t.queued, t.queued.curr, ch.now, 0, 0, false
		case !run && t.pendOn != nil:
			ch.checkPending(t, true)
			t.pendOn = nil
		default:
			ch.checkPending(t, false)
		}
	}
}

// allowed reports whether t may run on c.
func allowedOn(t *taskState, c *cpuState) bool { return t.aff&(1<<uint(c.id)) != 0 }

// apply updates the state with event e.
func (ch *checker) apply(e *record) {
	c := ch.cpus[e.CPU]
	cur := ch.task(e.task)
	other := ch.task(e.other)
	if !ch.np(c) {
		for _, t := range ch.order {
			if t.pendOn == c {
				t.extra += ch.costOf(e.Kind)
			}
		}
	}
	if cur != nil && c.curr == nil {
		c.curr = cur
	}
	if cur != nil && c.curr != cur && c.up {
		ch.fail(propTrace, "cpu%d at %s: %v made a %v event while the trace had %v running there", c.id, ch.ts(ch.now), cur, e.Kind, c.curr)
		c.curr = cur
	}

	// Affinity: a running task's events are on its allowed CPUs, but for
	// the moving away of a task whose affinity just lost this CPU.
	if cur != nil && cur.kind != kindIdle && !allowedOn(cur, c) {
		// Moving: the schedule() that moves it (its sched_migrate_task,
		// then whatever that schedule() does until the switch).
		moving := e.Kind == EvSchedMigrateTask && other == cur || cur.migrateTo != nil || e.Kind == EvSchedSwitch
		if !moving {
			ch.fail(propAffinity, "cpu%d at %s: %v runs (%v) outside its affinity %#x", c.id, ch.ts(ch.now), cur, e.Kind, cur.aff)
		}
	}

	switch e.Kind {
	case EvSchedSwitch:
		prev, next := cur, other
		if c.irq != 0 {
			ch.fail(propTrace, "cpu%d at %s: context switch %v ==> %v inside an interrupt", c.id, ch.ts(ch.now), prev, next)
		}
		if prev.kind != kindIdle {
			prev.running = nil
			switch e.State {
			case "R", "R+":
				prev.runnable = true
				prev.queued = c
				if prev.migrateTo != nil {
					prev.queued = prev.migrateTo
				}
				ch.startWait(prev)
			case "X":
				prev.runnable, prev.queued, prev.exited = false, nil, true
			default:
				prev.runnable, prev.queued = false, nil
			}
			prev.migrateTo = nil
		}
		if next.kind != kindIdle {
			if !next.runnable || next.exited {
				ch.fail(propTrace, "cpu%d at %s: %v switched in, but the trace has it not runnable", c.id, ch.ts(ch.now), next)
			} else if next.queued != c {
				ch.fail(propTrace, "cpu%d at %s: %v switched in, but the trace has it queued on cpu%s", c.id, ch.ts(ch.now), next, cpuName(next.queued))
			}
			if next.running != nil {
				ch.fail(propTrace, "cpu%d at %s: %v switched in while running on cpu%d", c.id, ch.ts(ch.now), next, next.running.id)
			}
			ch.checkWait(next, false)
			next.runnable, next.queued = true, nil
			if !allowedOn(next, c) {
				ch.fail(propAffinity, "cpu%d at %s: %v switched in outside its affinity %#x", c.id, ch.ts(ch.now), next, next.aff)
			}
		}
		next.running = c
		c.curr = next
		// Push and pull points: post_schedule pushes what is left
		// queued on c; a CPU dropping from a realtime task to lower
		// work pulls (pre_schedule).
		for _, w := range ch.order {
			if w.waiting() && w.isRT() && (w.queued == c ||
				prev.isRT() && allowedOn(w, c) && (next.kind == kindIdle || next.prio > w.prio)) {
				w.armed = true
			}
		}
		for _, t := range []*taskState{prev, next} {
			if t.count&^preemptActive != 0 {
				ch.fail(propCount, "cpu%d at %s: context switch %v ==> %v with %v's preemption count %#x", c.id, ch.ts(ch.now), prev, next, t, t.count)
			}
		}
	case EvSchedWakeup, EvSchedWakeupNew:
		w := other
		to := ch.cpus[e.Num]
		if w.running == nil {
			if !w.waiting() {
				w.runnable = true
				ch.startWait(w)
			}
			w.queued = to
			if !allowedOn(w, to) {
				ch.fail(propAffinity, "at %s: %v woken onto cpu%d, outside its affinity %#x", ch.ts(ch.now), w, to.id, w.aff)
			}
		}
		w.runnable, w.exited = true, false
	case EvSchedMigrateTask:
		for _, t := range ch.order {
			if t.waiting() {
				t.moves++
			}
		}
		w := other
		to := ch.cpus[e.Num2]
		switch {
		case w.running != nil:
			w.migrateTo = to
		case w.waiting():
			if from := w.queued; from != nil && from != c && w.pendOn == from {
				// Another CPU takes it: the event comes after
				// the move's cost.
				w.extra += ch.costs.Migrate
			}
			w.queued = to
		}
		if (w.running != nil || w.waiting()) && !allowedOn(w, to) {
			ch.fail(propAffinity, "at %s: %v moved to cpu%d, outside its affinity %#x", ch.ts(ch.now), w, to.id, w.aff)
		}
	case EvSchedProcessExit:
		other.exited = true
	case EvSchedPISetprio:
		// The event is made before the change: its snapshot holds the
		// old priority. A running task lowered pulls, as
		// sched_setscheduler's does.
		other.prio = int(e.Num2)
		if e.Num2 > e.Num && other.running != nil {
			ch.armPulls(other.running, other)
		}
	case EvSysEnter:
		if cur.kind == kindUser {
			cur.inSys = true
		}
	case EvSysExit:
		if e.Num == SysSchedSetscheduler {
			// prio_changed_rt pulls when a running task's priority
			// drops.
			ch.armPulls(c, cur)
		}
		if cur.kind == kindUser {
			cur.inSys = false
			if cur.count != 0 || e.PreemptDepth != 0 || e.HardIRQ || e.SoftIRQ {
				ch.fail(propCount, "cpu%d at %s: %v returns to user mode from system call %d with preemption count %#x", c.id, ch.ts(ch.now), cur, e.Num, cur.count)
			}
		}
	case EvVectorEntry:
		c.irq++
	case EvIRQHandlerEntry:
		if e.HardIRQ {
			c.irq++
		}
	case EvSoftirqEntry:
		if e.SoftIRQ {
			c.irq++
		}
	case EvVectorExit, EvIRQHandlerExit, EvSoftirqExit:
		if e.Kind == EvVectorExit || e.Kind == EvIRQHandlerExit && e.HardIRQ || e.Kind == EvSoftirqExit && e.SoftIRQ {
			if c.irq--; c.irq < 0 {
				ch.fail(propTrace, "cpu%d at %s: %v with no interrupt entered", c.id, ch.ts(ch.now), e.Kind)
				c.irq = 0
			}
		}
	case EvHrtimerStart:
		if e.Name == "tick_sched_timer" && !c.up {
			c.up = true
			c.curr = cur
			if cur != nil {
				cur.running = c
			}
		}
	case EvLockContended, EvLockAcquired:
		if e.Name == "rq->lock" {
			c.rqWait = e.Kind == EvLockContended
		}
	case EvBug:
		ch.fail(propBug, "cpu%d at %s: %v: %s", c.id, ch.ts(ch.now), cur, e.Name)
	}

	// The context after the event.
	switch e.Kind {
	case EvIRQDisable:
		c.irqsOff = true
	case EvIRQEnable:
		c.irqsOff = false
	default:
		c.irqsOff = e.IRQsOff
	}
	c.depth = e.PreemptDepth
	c.bh = e.SoftIRQ
	switch e.Kind {
	case EvPreemptEnable:
		c.depth = max(c.depth-1, 0)
	case EvLockRelease:
		c.depth = max(c.depth-1, 0)
		c.bh = false
	case EvSoftirqExit:
		c.bh = false
	}
	if !ch.full {
		c.depth = 0
	}
	if e.Kind == EvSchedSwitch {
		// The flags were the previous task's.
		c.depth, c.bh, c.irqsOff = 0, false, false
	}
}

// checkRun checks the recorded run r and returns the checker, which holds
// the violations found, by property. The events are read in time order
// (stable: a CPU's own events keep their order); each carries what its
// task and other task were when it was made (priority, policy, affinity,
// the whole preempt_count), as ftrace's fields print them.
//
// What the events tell of each CPU, and what is approximated:
//
//   - up: from cpu_up's first tick_sched_timer start; nothing is checked
//     on a CPU before (CPU 0 then runs the image's boot code).
//   - the running task: from sched_switch.
//   - interrupt context: a nesting count raised by vector_entry,
//     irq_handler_entry with the hardirq flag and softirq_entry with the
//     softirq flag, lowered by their exits. The entry path before the
//     first event (IRQEntry) and the exit path after the last (EOI,
//     irq_exit, softirq dispatch) are untraced: they count as what the
//     CPU was doing before, and the slack below covers them.
//   - bottom halves off in process context: the softirq flag of the last
//     event, cleared by softirq_exit and lock_release (the workload takes
//     _bh locks unnested, and has no bare local_bh_disable).
//   - interrupts off: from irq_disable to irq_enable, else the last
//     event's irqs-off flag.
//   - the preempt depth (full and lazy only; none and voluntary do not
//     count it): the last event's, less one after preempt_enable and
//     lock_release, which are traced before the count drops.
//   - a spin on a runqueue lock: rq->lock contended to acquired.
//   - kernel mode (none and voluntary): a kernel thread always, a user
//     task between sys_enter and sys_exit. The preemption points inside
//     kernel code (cond_resched, cond_resched_lock, might_sleep) leave
//     no event, so under none and voluntary the whole kernel-mode path
//     counts as non-preemptible: there the latency property checks user
//     mode and idle CPUs only.
//
// A CPU is preemptible when it is up and none of these hold (np).
//
// The properties:
//
//   - highest-priority task runs (propLatency): while a task is queued on
//     a CPU whose current task it should preempt — it is realtime and
//     above it, or the CPU idles — the CPU's preemptible time must stay
//     within slack: the IPI to the CPU, the interrupt's untraced entry and
//     exit, a softirq's dispatch, the system call exit, the scheduler's
//     pick, a service call and 200 cycles of guest instructions, plus the
//     cost-model cycles of every traced kernel operation the CPU did
//     preemptibly meanwhile (moves, wake-ups, IPIs, timer programming),
//     and the cost of a move by another CPU that takes the task away.
//     Each queued task has its own interval, from when it should preempt
//     until it runs, moves, or no longer should.
//   - starvation (propStarve): a runnable task that waits must not wait
//     while an allowed CPU idles for longer than a tick and the slack
//     (balancing runs at a busy CPU's tick and when a CPU goes idle); a
//     SCHED_OTHER one must not wait while allowed CPUs run SCHED_OTHER
//     work of no more weight than its own for longer than a latency
//     period and a tick per task of the run (CFS's slices); a realtime
//     one queued behind work at least as important must be pushed or
//     pulled to an allowed CPU running lower-priority work preemptibly,
//     or idling, from the points where Linux does (the task's wake-up or
//     preemption, post_schedule on its CPU, pre_schedule on a CPU
//     dropping from a realtime task below it, a running task lowering
//     its priority below it by sched_setscheduler), within the slack, a
//     context switch and a move's cost per task moved meanwhile. Linux
//     guarantees no more: its push and pull are triggered, not
//     continuous. Higher-priority work that is always runnable starves a
//     task legitimately: it is not counted.
//   - affinity (propAffinity): a task is switched in, runs (makes
//     events), is woken onto and moved to CPUs of its affinity only,
//     but for the schedule() that moves it away once its affinity lost
//     the CPU; the console lines in which each task says what it set
//     match the kernel's tasks at the end (checkPlan).
//   - preemption count (propCount): zero, PREEMPT_ACTIVE included, at
//     every sys_exit of a user task (with no hardirq or softirq flag);
//     zero but for PREEMPT_ACTIVE for both tasks of every context switch
//     (scheduling while atomic), which covers every user task switched
//     in.
//   - kernel report (propBug): no BUG event.
//   - trace consistency (propTrace): a task switched in was runnable and
//     queued on that CPU and not running elsewhere; a task's events come
//     from the CPU the trace has it running on; interrupt exits match
//     entries.
func checkRun(r *propRun) *checker {
	ch := newChecker(r.cfg, r.k)
	nOther := 0
	for _, t := range r.k.Tasks() {
		if t.kind == kindUser || t.kind == kindKthread {
			nOther++
		}
	}
	// A SCHED_OTHER task waits behind SCHED_OTHER work of no more weight
	// for at most a latency period and a tick per such task (CFS gives
	// each its slice, then the least-run task runs).
	ch.fairBound = uint64(nOther+1) * (ch.cyclesNS(schedLatencyNS) + ch.tick)
	evs := append([]record(nil), r.evs...)
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].Time < evs[j].Time })
	for i := range evs {
		e := &evs[i]
		ch.advance(e.Time)
		ch.apply(e)
		ch.updatePending()
	}
	end := r.res.Cycles
	ch.advance(end)
	for _, t := range ch.order {
		ch.checkPending(t, false)
		if t.waiting() {
			ch.checkWait(t, true)
		}
	}
	return ch
}

func (ch *checker) cyclesNS(ns uint64) uint64 { return ns * ch.mhz / 1000 }

// report formats the violations.
func (ch *checker) report() string {
	var props []string
	for p := range ch.viol {
		props = append(props, p)
	}
	sort.Strings(props)
	var b strings.Builder
	for _, p := range props {
		fmt.Fprintf(&b, "%s: %d violation(s)\n", p, ch.count[p])
		for _, v := range ch.viol[p] {
			fmt.Fprintf(&b, "  %s\n", v)
		}
	}
	return b.String()
}
