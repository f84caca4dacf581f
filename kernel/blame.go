package kernel

// This file implements the blame: every latency sample's cycles, from
// the timer's expiry to the task back in its own code, split into named
// parts that add up to the latency exactly.
//
// The blamer follows each CPU's timeline through the kernel's trace
// events (it is a Tracer) and a few hooks of the entry path: between two
// consecutive events a CPU is in one state — a task's user or kernel code
// (with interrupts or preemption off, and since where), an interrupt's
// entry, the timer interrupt, a hard-IRQ handler, a softirq action, a
// context switch, a spin on a lock, idle — so the timeline is a sequence
// of segments that tile it without gap. A sample's window is the timer
// CPU's segments from expiry to the wake-up, then the task's CPU's from
// the wake-up to its return; clipped to the window they sum to the
// latency by construction.

import (
	"fmt"
	"sort"

	"preemptlab/locks"
)

// segKind is what a CPU was doing in a segment.
type segKind uint8

const (
	segTask    segKind = iota // a task's code (user or kernel)
	segIRQ                    // an interrupt's entry and exit path
	segTimer                  // the local timer interrupt: hrtimer_interrupt
	segHandler                // a hard-IRQ handler
	segSoftirq                // a softirq action
	segSwitch                 // schedule() and the switch to other
	segSpin                   // spinning on a lock
	segExit                   // a system call's exit path to user mode
)

// segment is one state of a CPU from start to the next segment's start.
// It is small (the blamer copies one per event): what rarely changes —
// where interrupts went off, what holds preemption off, the lock held —
// is shared through ctx.
type segment struct {
	start   uint64
	task    *Task   // the CPU's current task
	other   *Task   // segSwitch: the task switched to; segSpin: the holder
	ctx     *segCtx // nil if none of it applies
	name    string  // handler, softirq vector, lock
	prio    int32   // the task's priority then
	irq     int16
	kind    segKind
	user    bool // the task in user mode
	irqsOff bool // interrupts off, since ctx.offAt
}

// segCtx is the context of a task segment that changes only at an
// interrupts-off, preempt-off or lock event.
type segCtx struct {
	offAt   string // where interrupts went off
	preempt site   // what holds preemption off (the zero site if nothing)
	held    site   // the spinning lock the task holds, and where it took it
}

// context returns s's context (the zero one if it has none).
func (s *segment) context() *segCtx {
	if s.ctx == nil {
		return &noCtx
	}
	return s.ctx
}

var noCtx segCtx

// blameCPU is the blamer's state of one CPU.
type blameCPU struct {
	segs []segment // closed segments, oldest first, then the open one last
	// The interrupt contexts entered and not yet returned from.
	stack []segment
	cur   segCtx // the context now: each part applies as taskSeg says
	// ctxs are cur as task segments see it, by taskSeg's two conditions
	// (interrupts off, preemption off), made at first use after cur
	// changes; slab is where they are made.
	ctxs [4]*segCtx
	slab []segCtx
	spin *segment
	// offTime is when cur.offAt was set: interrupts went off by the
	// kernel's local_irq_disable, or by the guest's own CLI or POPF seen
	// since (cpu.IFByInstruction).
	offTime uint64
}

// setCtx makes c cur, dropping the segments' views of the old one.
func (bc *blameCPU) setCtx(c segCtx) {
	bc.cur, bc.ctxs = c, [4]*segCtx{}
}

// site is a call site that holds preemption off or takes a lock: the
// call (preempt_disable, get_cpu, rcu_read_lock), the lock's name (""
// for a call that takes none) and the caller. It is
// kept as its parts and phrased only when a sample is explained, so that
// following the events builds no strings.
type site struct {
	ok             bool // a site is named
	call, lock, at string
}

// set reports whether s names a site.
func (s site) set() bool { return s.ok }

// preemptOff phrases s as what disabled preemption.
func (s site) preemptOff() string {
	if s.lock == "" {
		call := s.call
		if call == "" {
			call = "preempt_disable"
		}
		return call + "() at " + s.at
	}
	return "spin_lock(" + s.lock + ") at " + s.at
}

// taken phrases s as a lock held and where it was taken.
func (s site) taken() string { return s.lock + " (taken at " + s.at + ")" }

// blameHorizon is how far back (cycles) segments are kept.
const blameHorizon = 100_000_000

// blamer builds each CPU's timeline and explains samples.
type blamer struct {
	k    *Kernel
	cpus []blameCPU
	// waits are the tasks' waits for sleeping locks, oldest first, kept
	// back to the horizon.
	waits []lockWait
}

// lockWait is a task's wait for a sleeping lock: from its lock_contended
// to its lock_acquired (to is 0 while it waits).
type lockWait struct {
	task, holder *Task // holder: the owner when the task blocked (nil if unknown)
	lock         string
	from, to     uint64
}

func newBlamer(k *Kernel) *blamer {
	b := &blamer{k: k, cpus: make([]blameCPU, len(k.cpus))}
	for i := range b.cpus {
		b.cpus[i].segs = make([]segment, 0, 1<<14) // a busy CPU's 100–200 ms
	}
	return b
}

// blameEvents are the events the blamer follows.
var blameEvents = [numEventKinds]bool{
	EvVectorEntry: true, EvVectorExit: true, EvIRQHandlerEntry: true, EvIRQHandlerExit: true,
	EvSoftirqEntry: true, EvSoftirqExit: true, EvSchedSwitch: true, EvSysEnter: true, EvSysExit: true,
	EvIRQDisable: true, EvIRQEnable: true, EvPreemptDisable: true, EvPreemptEnable: true,
	EvLockAcquire: true, EvLockRelease: true, EvLockContended: true, EvLockAcquired: true,
}

// teeTracer hands every event to both tracers (the second may be nil).
type teeTracer struct{ a, b Tracer }

func (t teeTracer) Event(e *Event) {
	t.a.Event(e)
	if t.b != nil {
		t.b.Event(e)
	}
}

// open starts segment s on CPU c at time at.
func (b *blamer) open(c int, at uint64, s segment) {
	bc := &b.cpus[c]
	n := len(bc.segs)
	if n > 0 {
		last := &bc.segs[n-1]
		at = max(at, last.start) // an event made for another CPU's time: never before the open segment
		if s.start = last.start; s == *last {
			return // the same state goes on
		}
		if last.start == at {
			bc.segs[n-1] = s
			bc.segs[n-1].start = at
			return
		}
	}
	s.start = at
	// Past twice the horizon, drop what is older than one horizon: each
	// segment is copied about once.
	if n >= 4096 && bc.segs[0].start+2*blameHorizon < at {
		i := sort.Search(n, func(i int) bool { return bc.segs[i].start+blameHorizon >= at })
		i = max(i-1, 0)
		bc.segs = append(bc.segs[:0], bc.segs[i:]...)
	}
	bc.segs = append(bc.segs, s)
}

// taskSeg is the segment of CPU c running its current task's code.
func (b *blamer) taskSeg(c int, t *Task, irqsOff bool, user bool) segment {
	bc := &b.cpus[c]
	s := segment{kind: segTask, task: t, user: user, irqsOff: irqsOff}
	if t == nil {
		return s
	}
	s.prio = int32(t.prio)
	if irqsOff {
		b.noteCLI(c)
	}
	preempt := t.preemptCount&preemptMask != 0
	i := 0
	if irqsOff {
		i |= 1
	}
	if preempt {
		i |= 2
	}
	if bc.ctxs[i] == nil {
		ctx := segCtx{held: bc.cur.held}
		if irqsOff {
			ctx.offAt = bc.cur.offAt
		}
		if preempt {
			ctx.preempt = bc.cur.preempt
		}
		if ctx.offAt == "" && !ctx.preempt.ok && !ctx.held.ok {
			bc.ctxs[i] = &noCtx // no context: segments carry nil
		} else {
			if len(bc.slab) == cap(bc.slab) {
				bc.slab = make([]segCtx, 0, 256)
			}
			bc.slab = append(bc.slab, ctx)
			bc.ctxs[i] = &bc.slab[len(bc.slab)-1]
		}
	}
	if c := bc.ctxs[i]; c != &noCtx {
		s.ctx = c
	}
	return s
}

// Event follows a CPU's state through the kernel's events (Tracer).
func (b *blamer) Event(e *Event) {
	c := e.CPU
	bc := &b.cpus[c]
	top := func() *segment {
		if len(bc.stack) == 0 {
			return nil
		}
		return &bc.stack[len(bc.stack)-1]
	}
	switch e.Kind {
	case EvVectorEntry:
		if f := top(); f != nil && e.Name == "local_timer" {
			f.kind = segTimer
			b.open(c, e.Time, *f)
		}
		return
	case EvVectorExit:
		if f := top(); f != nil {
			f.kind = segIRQ
			b.open(c, e.Time, *f)
		}
		return
	case EvIRQHandlerEntry:
		if f := top(); f != nil && e.HardIRQ {
			f.kind, f.name, f.irq = segHandler, e.Name, int16(e.Num)
			b.open(c, e.Time, *f)
			return
		}
	case EvIRQHandlerExit:
		if f := top(); f != nil && e.HardIRQ {
			f.kind = segIRQ
			b.open(c, e.Time, *f)
			return
		}
	case EvSoftirqEntry:
		s := segment{kind: segSoftirq, task: e.Task, name: softirqNames[e.Num]}
		bc.stack = append(bc.stack, s)
		b.open(c, e.Time, s)
		return
	case EvSoftirqExit:
		if f := top(); f != nil && f.kind == segSoftirq {
			bc.stack = bc.stack[:len(bc.stack)-1]
		}
		if f := top(); f != nil {
			b.open(c, e.Time, *f)
			return
		}
	case EvSchedSwitch:
		// A spinning lock is not held across a switch (cond_resched_lock
		// drops it first).
		bc.spin = nil
		bc.setCtx(segCtx{offAt: bc.cur.offAt, preempt: bc.cur.preempt})
		b.open(c, e.Time, segment{kind: segSwitch, task: e.Task, other: e.Other})
		return
	case EvSysEnter, EvSysExit:
		b.sysCall(c, e.Time, e.Task, e.IRQsOff, e.Kind == EvSysExit)
		return
	case EvIRQDisable:
		// The event comes just before the flag is cleared.
		bc.setCtx(segCtx{offAt: e.Caller, preempt: bc.cur.preempt, held: bc.cur.held})
		bc.offTime = e.Time
		if len(bc.stack) == 0 && bc.spin == nil {
			b.open(c, e.Time, b.taskSeg(c, e.Task, true, false))
			return
		}
	case EvPreemptDisable:
		bc.setCtx(segCtx{offAt: bc.cur.offAt, preempt: site{ok: true, call: e.State, at: e.Caller}, held: bc.cur.held})
	case EvLockAcquire:
		c := bc.cur
		if e.PreemptDepth == 1 || !c.preempt.set() || c.preempt.lock == "" {
			c.preempt = site{ok: true, lock: e.Name, at: e.Caller}
		}
		c.held = site{ok: true, lock: e.Name, at: e.Caller}
		bc.setCtx(c)
	case EvLockRelease:
		bc.setCtx(segCtx{offAt: bc.cur.offAt, preempt: bc.cur.preempt})
	case EvLockContended:
		s := segment{kind: segSpin, task: e.Task, name: e.Name, irqsOff: e.IRQsOff}
		o := e.lock
		if o != nil && o.spin == nil {
			// A sleeping lock: the task's kernel path goes on to block.
			b.addWait(lockWait{task: e.Task, holder: o.owner(), lock: e.Name, from: e.Time})
			break
		}
		if o != nil {
			if owner, _ := o.spin.Owner(); owner != nil {
				s.other, _ = owner.(*Task)
			}
		}
		if len(bc.stack) == 0 {
			bc.spin = &s
			b.open(c, e.Time, s)
			return
		}
	case EvLockAcquired:
		bc.spin = nil
		for i := len(b.waits) - 1; i >= 0; i-- {
			if w := &b.waits[i]; w.task == e.Task && w.to == 0 && w.lock == e.Name {
				w.to = e.Time
				break
			}
		}
	}
	if f := top(); f != nil {
		if f.kind == segIRQ || f.kind == segTimer || f.kind == segHandler || f.kind == segSoftirq {
			return // an event inside an interrupt context changes nothing of it
		}
	}
	if bc.spin != nil {
		return
	}
	b.open(c, e.Time, b.taskSeg(c, e.Task, e.IRQsOff, false))
}

// noteCLI makes the context of CPU c's interrupts-off segments the
// guest's own CLI or POPF if one cleared IF since the kernel last did.
func (b *blamer) noteCLI(c int) {
	bc := &b.cpus[c]
	at, eip, _ := b.k.cpus[c].c.IFByInstruction()
	if at > bc.offTime {
		bc.offTime = at
		bc.setCtx(segCtx{offAt: b.k.symbol(eip) + " (cli)", preempt: bc.cur.preempt, held: bc.cur.held})
	}
}

// sysCall notes a system call's entry or (exit) its exit on CPU c at at,
// by t: its kernel path, or the exit path to user mode. The kernel calls
// it directly when the blamer is its only tracer — system calls are most
// of the events it follows — and through Event otherwise.
func (b *blamer) sysCall(c int, at uint64, t *Task, irqsOff, exit bool) {
	bc := &b.cpus[c]
	switch {
	case exit && len(bc.stack) == 0:
		b.open(c, at, segment{kind: segExit, task: t})
	case len(bc.stack) > 0, bc.spin != nil:
		// Inside an interrupt context or a spin: nothing changes.
	default:
		b.open(c, at, b.taskSeg(c, t, irqsOff, false))
	}
}

// irqEntry notes an interrupt's entry on CPU p (before its cost).
func (b *blamer) irqEntry(p *percpu) {
	bc := &b.cpus[p.id]
	// The guest's own CLI … STI in the task segment open here, which no
	// event marked, is a section with interrupts off of its own: the
	// interrupt now taken may have waited for it.
	offAt, eip, onAt := p.c.IFByInstruction()
	if n := len(bc.segs); n > 0 && len(bc.stack) == 0 && bc.spin == nil {
		last := bc.segs[n-1]
		if last.kind == segTask && !last.irqsOff && offAt >= last.start && onAt > offAt && offAt > bc.offTime {
			off := last
			ctx := *last.context()
			ctx.offAt = b.k.symbol(eip) + " (cli)"
			off.irqsOff, off.ctx = true, &ctx
			bc.offTime = offAt
			b.open(p.id, offAt, off)
			b.open(p.id, onAt, last)
		}
	}
	s := segment{kind: segIRQ, task: p.curr}
	bc.stack = append(bc.stack, s)
	b.open(p.id, b.k.now(p), s)
}

// irqReturn notes that CPU p returns from its innermost interrupt: to
// the context it interrupted.
func (b *blamer) irqReturn(p *percpu, f *irqFrame) {
	bc := &b.cpus[p.id]
	for len(bc.stack) > 0 {
		k := bc.stack[len(bc.stack)-1].kind
		bc.stack = bc.stack[:len(bc.stack)-1]
		if k != segSoftirq {
			break
		}
	}
	if n := len(bc.stack); n > 0 {
		b.open(p.id, b.k.now(p), bc.stack[n-1])
		return
	}
	if bc.spin != nil {
		b.open(p.id, b.k.now(p), *bc.spin)
		return
	}
	if f.saved.CPL() == 3 {
		// The way back to user mode, a preemption point: the kernel's
		// own path until the task is in user mode or switched away.
		b.open(p.id, b.k.now(p), segment{kind: segIRQ, task: p.curr})
		return
	}
	b.open(p.id, b.k.now(p), b.taskSeg(p.id, p.curr, f.saved.EFLAGS&0x200 == 0, false))
}

// userReturn notes that t, current on p, goes back to its own code: user
// mode for a user task, its kernel code for a kernel thread.
func (b *blamer) userReturn(p *percpu, t *Task) {
	if len(b.cpus[p.id].stack) == 0 {
		b.open(p.id, b.k.now(p), b.taskSeg(p.id, t, false, t.kind == kindUser))
	}
}

// switched notes that CPU p has switched to next (after the switch's
// cost): from here it runs next's code, in the kernel until next is back
// in its own — finish_task_switch and the rest of schedule() as next.
func (b *blamer) switched(p *percpu, next *Task) {
	if len(b.cpus[p.id].stack) == 0 && b.cpus[p.id].spin == nil {
		b.open(p.id, b.k.now(p), b.taskSeg(p.id, next, false, false))
	}
}

// addWait notes a wait for a sleeping lock, dropping the waits that
// ended before the horizon.
func (b *blamer) addWait(w lockWait) {
	if n := len(b.waits); n >= 256 && n == cap(b.waits) {
		// Before the slice would grow: keep the waits still open or
		// ended within the horizon, in order.
		kept := b.waits[:0]
		for _, x := range b.waits {
			if x.to == 0 || x.to+blameHorizon >= w.from {
				kept = append(kept, x)
			}
		}
		clear(b.waits[len(kept):])
		b.waits = kept
	}
	b.waits = append(b.waits, w)
}

// owner is the task that holds sleeping lock o (a reader for a
// rw-semaphore held for reading), or nil.
func (o *lockObj) owner() *Task {
	var t locks.Task
	switch {
	case o.mutex != nil:
		t = o.mutex.Owner()
	case o.rwsem != nil && o.rwsem.Writer() != nil:
		t = o.rwsem.Writer()
	case o.rwsem != nil && len(o.rwsem.Readers()) > 0:
		t = o.rwsem.Readers()[0]
	}
	owner, _ := t.(*Task)
	return owner
}

// BlamePart is one named share of a sample's latency.
type BlamePart struct {
	// Category is one of: irqs-off, hardirq, softirq, preempt-off,
	// non-preemptible, lock, task, kernel, idle.
	Category string
	// What says what ran, in image symbols where it can.
	What   string
	Cycles uint64
}

// Blame is a sample's latency split into parts that add up to it.
type Blame struct {
	// IRQ are the parts of the IRQ latency (expiry → interrupt entry);
	// Parts those of the whole thread latency (which include IRQ's).
	IRQ, Parts []BlamePart
}

// Total sums the parts.
func (bl *Blame) Total() uint64 {
	var n uint64
	for _, p := range bl.Parts {
		n += p.Cycles
	}
	return n
}

// Cause is the largest part other than the kernel's own costs, phrased
// for a table ("" if there is none).
func (bl *Blame) Cause() string {
	var best *BlamePart
	for i := range bl.Parts {
		p := &bl.Parts[i]
		if p.Category == "kernel" || p.Category == "idle" {
			continue
		}
		if best == nil || p.Cycles > best.Cycles {
			best = p
		}
	}
	if best == nil {
		return "kernel entry, wake-up and switch costs"
	}
	return best.What
}

// explain breaks sample s down.
func (b *blamer) explain(s *LatencySample) *Blame {
	bl := &Blame{}
	bl.IRQ = b.parts(s, s.TimerCPU, s.Expiry, s.IRQEntry, nil)
	parts := b.parts(s, s.TimerCPU, s.Expiry, s.Wakeup, nil)
	bl.Parts = b.parts(s, s.CPU, s.Wakeup, s.Return, parts)
	return bl
}

// parts adds the clipped segments of CPU c over [from, to) to l, merging
// parts of the same name.
func (b *blamer) parts(s *LatencySample, c int, from, to uint64, l []BlamePart) []BlamePart {
	if to <= from {
		return l
	}
	segs := b.cpus[c].segs
	i := sort.Search(len(segs), func(i int) bool { return segs[i].start > from }) - 1
	add := func(cat, what string, n uint64) {
		if n == 0 {
			return
		}
		for j := range l {
			if l[j].Category == cat && l[j].What == what {
				l[j].Cycles += n
				return
			}
		}
		l = append(l, BlamePart{Category: cat, What: what, Cycles: n})
	}
	if i < 0 {
		end := to
		if len(segs) > 0 {
			end = min(segs[0].start, to)
		}
		add("kernel", "not recorded (before the blame's horizon)", end-from)
		i = 0
	}
	for ; i < len(segs); i++ {
		g := &segs[i]
		if g.start >= to {
			break
		}
		end := to
		if i+1 < len(segs) {
			end = min(segs[i+1].start, to)
		}
		start := max(g.start, from)
		if end <= start {
			continue
		}
		// The parts of another task's segment inside a wait of the
		// sample's task for a sleeping lock are that wait's.
		if g.kind == segTask && g.task != s.Task {
			for w := range b.waitsOf(s.Task, start, end) {
				if w.from > start {
					cat, what := b.describe(s, g)
					add(cat, what, w.from-start)
				}
				wEnd := end
				if w.to != 0 {
					wEnd = min(w.to, end)
				}
				add("lock", b.describeWait(w, g), wEnd-max(w.from, start))
				start = wEnd
			}
		}
		if start < end {
			cat, what := b.describe(s, g)
			add(cat, what, end-start)
		}
	}
	return l
}

// waitsOf yields t's waits for sleeping locks that overlap [from, to),
// in time order.
func (b *blamer) waitsOf(t *Task, from, to uint64) func(yield func(*lockWait) bool) {
	return func(yield func(*lockWait) bool) {
		for i := range b.waits {
			w := &b.waits[i]
			if w.task != t || w.from >= to || w.to != 0 && w.to <= from {
				continue
			}
			if !yield(w) {
				return
			}
		}
	}
}

// describeWait names what ran in segment g while the sample's task
// waited in w: the lock's holder (at its priority then, boosted or not),
// another task, or nothing.
func (b *blamer) describeWait(w *lockWait, g *segment) string {
	h := "an unknown holder"
	if w.holder != nil {
		h = fmt.Sprintf("%s-%d (prio %d)", w.holder.Comm, w.holder.PID, w.holder.normalPrio())
	}
	switch t := g.task; {
	case t == nil || t.kind == kindIdle:
		return fmt.Sprintf("waiting for %s, held by %s, with this CPU idle", w.lock, h)
	case t == w.holder && int(g.prio) < t.normalPrio():
		return fmt.Sprintf("waiting for %s, held by %s, boosted to prio %d", w.lock, h, g.prio)
	case t == w.holder:
		return fmt.Sprintf("waiting for %s, held by %s", w.lock, h)
	default:
		return fmt.Sprintf("waiting for %s, held by %s, while %s-%d (prio %d) runs", w.lock, h, t.Comm, t.PID, g.prio)
	}
}

// describe names a segment as a part of sample s.
func (b *blamer) describe(s *LatencySample, g *segment) (string, string) {
	me := s.Task
	switch g.kind {
	case segIRQ:
		return "kernel", "interrupt entry and exit"
	case segTimer:
		return "kernel", "timer interrupt (hrtimer_interrupt and the wake-up)"
	case segHandler:
		return "hardirq", fmt.Sprintf("hard-IRQ handler %s (irq %d)", g.name, g.irq)
	case segSoftirq:
		return "softirq", fmt.Sprintf("softirq %s (%s)", g.name, b.k.softirqAction(g.name))
	case segSwitch:
		if g.other == me {
			return "kernel", "schedule() and the switch to " + me.Comm
		}
		return "task", fmt.Sprintf("schedule() and the switch to %s-%d", g.other.Comm, g.other.PID)
	case segExit:
		if g.task == me {
			return "kernel", "system call exit"
		}
		return "task", fmt.Sprintf("%s-%d: system call exit", g.task.Comm, g.task.PID)
	case segSpin:
		holder := "an unknown holder"
		if g.other != nil {
			holder = fmt.Sprintf("%s-%d (prio %d)", g.other.Comm, g.other.PID, g.other.prio)
		}
		if g.task == me {
			return "lock", fmt.Sprintf("waiting for %s, held by %s", g.name, holder)
		}
		return "lock", fmt.Sprintf("%s-%d spinning on %s, held by %s", g.task.Comm, g.task.PID, g.name, holder)
	}
	t, ctx := g.task, g.context()
	if t == nil || t.kind == kindIdle {
		if g.irqsOff && ctx.offAt != "" {
			return "irqs-off", "interrupts off from " + ctx.offAt
		}
		return "idle", "idle (waking from halt)"
	}
	who := fmt.Sprintf("%s-%d", t.Comm, t.PID)
	switch {
	case g.irqsOff:
		at := ctx.offAt
		if at == "" {
			at = "an unknown place"
		}
		return "irqs-off", fmt.Sprintf("%s with interrupts off from %s", who, at)
	case t == me:
		return "kernel", me.Comm + "'s own kernel path"
	case ctx.preempt.set():
		return "preempt-off", fmt.Sprintf("%s with preemption off by %s", who, ctx.preempt.preemptOff())
	case g.user:
		return "task", fmt.Sprintf("%s in user mode (prio %d)", who, g.prio)
	case int(g.prio) <= me.prio:
		return "task", fmt.Sprintf("%s at prio %d, not below %s's %d", who, g.prio, me.Comm, me.prio)
	case !b.k.fullPreempt() && ctx.held.set():
		return "non-preemptible", fmt.Sprintf("%s in kernel code holding %s, not preemptible under preempt=%s", who, ctx.held.taken(), knobs[0].values[b.k.model.Preempt].name)
	case !b.k.fullPreempt():
		return "non-preemptible", fmt.Sprintf("%s in kernel code, not preemptible under preempt=%s", who, knobs[0].values[b.k.model.Preempt].name)
	}
	return "task", fmt.Sprintf("%s in kernel code (prio %d)", who, g.prio)
}

// softirqAction names the image's action of a softirq vector.
func (k *Kernel) softirqAction(name string) string {
	for nr, n := range softirqNames {
		if n == name {
			if f := k.syms.function(k.softirqs[nr].action); f != "" {
				return f
			}
		}
	}
	return "its action"
}
