package kernel

// This file implements the scheduler: per-CPU run queues, the pick of the
// next task, schedule() and the context switch, wake-ups with their CPU
// selection, the preemption check, and the balancing that moves runnable
// tasks between CPUs.
//
// The classes are Linux's: realtime (SCHED_FIFO, SCHED_RR; kernel
// priorities 0–99, a FIFO list per priority), then SCHED_OTHER (100–139,
// a fair share by weighted virtual runtime, as CFS does it), then the
// idle task.

import "preemptlab/cpu"

// runQueue holds a CPU's runnable tasks that are not running.
type runQueue struct {
	rt     [maxRTPrio][]*Task // FIFO lists by kernel priority
	nrRT   int
	fair   []*Task // SCHED_OTHER tasks, in arrival order
	minVRT uint64  // CFS's min_vruntime
}

// CFS's weights by nice (kernel/sched/core.c, sched_prio_to_weight).
var niceWeight = [40]uint64{
	88761, 71755, 56483, 46273, 36291, 29154, 23254, 18705, 14949, 11916,
	9548, 7620, 6100, 4904, 3906, 3121, 2501, 1991, 1586, 1277,
	1024, 820, 655, 526, 423, 335, 272, 215, 172, 137,
	110, 87, 70, 56, 45, 36, 29, 23, 18, 15,
}

// Fair-share tunables (CFS's defaults for one or two CPUs), in ns.
const (
	schedLatencyNS  = 6_000_000
	schedMinGranNS  = 750_000
	wakeupGranNS    = 1_000_000
	maxBalanceMoves = 8
)

func (t *Task) weight() uint64 { return niceWeight[t.nice+20] }

// enqueue makes t runnable on CPU p's queue: at the tail of its priority,
// or at the head for a realtime task that was preempted (POSIX: it keeps
// its place in its priority's list).
func (k *Kernel) enqueue(p *percpu, t *Task, head bool) {
	t.cpu = p.id
	t.onRQ = true
	t.availableAt = max(t.availableAt, k.now(k.actingCPU()))
	rq := &p.rq
	if t.prio < maxRTPrio {
		l := append(rq.rt[t.prio], t)
		if head {
			copy(l[1:], l)
			l[0] = t
		}
		rq.rt[t.prio] = l
		rq.nrRT++
		return
	}
	if t.kind == kindIdle {
		return
	}
	// A task joining the fair queue starts no lower than min_vruntime
	// minus half a latency period (place_entity), so a sleeper cannot
	// bank unbounded credit.
	floor := rq.minVRT
	if half := k.nsToCycles(schedLatencyNS / 2); floor > half {
		floor -= half
	} else {
		floor = 0
	}
	t.vruntime = max(t.vruntime, floor)
	rq.fair = append(rq.fair, t)
}

// dequeue removes a queued task from p's queue (it stays onRQ: it is
// about to run, or moves to another queue).
func (k *Kernel) dequeue(p *percpu, t *Task) bool {
	rq := &p.rq
	if t.prio < maxRTPrio {
		if l, ok := removeTask(rq.rt[t.prio], t); ok {
			rq.rt[t.prio] = l
			rq.nrRT--
			return true
		}
		return false
	}
	l, ok := removeTask(rq.fair, t)
	rq.fair = l
	return ok
}

// removeTask removes t from l in place, keeping the order of the rest.
func removeTask(l []*Task, t *Task) ([]*Task, bool) {
	for i, x := range l {
		if x == t {
			copy(l[i:], l[i+1:])
			l[len(l)-1] = nil
			return l[:len(l)-1], true
		}
	}
	return l, false
}

// bestQueued returns the task p would pick next from its queue, without
// removing it, or nil.
func (rq *runQueue) bestQueued() *Task {
	if rq.nrRT > 0 {
		for prio := range rq.rt {
			if len(rq.rt[prio]) > 0 {
				return rq.rt[prio][0]
			}
		}
	}
	var best *Task
	for _, t := range rq.fair {
		if best == nil || t.vruntime < best.vruntime {
			best = t
		}
	}
	return best
}

// queuedPrio returns the priority of the best queued task, or idlePrio.
func (rq *runQueue) queuedPrio() int {
	if t := rq.bestQueued(); t != nil {
		return t.prio
	}
	return idlePrio
}

// nrQueued counts the queued tasks.
func (rq *runQueue) nrQueued() int { return rq.nrRT + len(rq.fair) }

// now returns CPU p's time.
func (k *Kernel) now(p *percpu) uint64 { return p.c.Now() }

// charge charges n cycles of kernel work to CPU p.
func (k *Kernel) charge(p *percpu, n uint64) { p.c.Charge(n) }

// updateCurr accounts the time p's current task ran since it was last
// accounted: its total, its virtual runtime, its RR slice.
func (k *Kernel) updateCurr(p *percpu) {
	t := p.curr
	now := k.now(p)
	if now <= t.execStart {
		return
	}
	d := now - t.execStart
	t.execStart = now
	t.sumExec += d
	switch {
	case t.kind != kindIdle && !t.isRT():
		t.vruntime += d * 1024 / t.weight()
		p.rq.minVRT = max(p.rq.minVRT, min(t.vruntime, p.rq.minVRT+d))
	}
}

// schedule is Linux's schedule() on CPU p: the current task gives up the
// CPU if it is not runnable (or was preempted), and the best runnable task
// runs. then is what the current task does when it runs again — on
// whichever CPU that is: the rest of the kernel path that called schedule.
// If the current task is picked again, then runs at once.
func (k *Kernel) schedule(p *percpu, then func(p *percpu)) {
	prev := p.curr
	k.charge(p, k.costs.SchedulerPick)
	k.updateCurr(p)
	preempted := prev.preemptCount&preemptActive != 0
	prev.needResched, prev.lazyResched = false, false
	switch {
	case prev.kind == kindIdle:
	case prev.state != TaskRunning && !preempted:
		prev.onRQ = false // deactivate_task: it sleeps
		prev.nvcsw++
	case !prev.allowed(p.id):
		// Its affinity no longer has this CPU: it moves now, as the
		// migration thread would move it.
		to := k.selectCPU(prev)
		k.traceMigrate(p, prev, p.id, to.id)
		k.charge(p, k.costs.Migrate)
		k.enqueue(to, prev, false)
		prev.requeueTail = false
		k.checkPreempt(p, to, prev)
	default:
		k.enqueue(p, prev, prev.isRT() && !prev.requeueTail)
		prev.requeueTail = false
	}
	if prev.isRT() || prev.kind == kindIdle {
		k.pullRT(p)
	}
	next := p.rq.bestQueued()
	if next == nil {
		k.idleBalance(p)
		next = p.rq.bestQueued()
	}
	if next == nil {
		next = p.idle
	} else {
		k.dequeue(p, next)
	}
	if next == prev {
		k.latSwitchIn(p, prev)
		prev.resume = nil
		then(p)
		return
	}
	if prev.state == TaskRunning && prev.kind != kindIdle {
		prev.nivcsw++
	}
	if next.kind != kindIdle {
		k.awaitTask(p, next, "schedule")
	}
	prev.resume = then
	k.switchTo(p, prev, next, preempted)
}

// switchTo switches CPU p from prev to next and runs next. The idle task
// restarts the tick before it switches away and stops it after it is
// switched in, as the idle loop's tick_nohz_idle_exit/enter do.
func (k *Kernel) switchTo(p *percpu, prev, next *Task, preempted bool) {
	if prev.kind == kindIdle {
		k.tickRestart(p)
	}
	if k.traces(EvSchedSwitch) {
		state := prev.stateChar()
		if preempted && prev.kind != kindIdle {
			state = "R+"
		}
		k.traceSwitch(p, prev, next, state)
	}
	k.charge(p, k.costs.ContextSwitch)
	p.nrSwitches++
	prev.running = false
	prev.availableAt = max(prev.availableAt, k.now(p))
	next.running = true
	next.cpu = p.id
	next.execStart = k.now(p)
	next.pickedAt = next.execStart
	next.switches++
	p.curr = next
	k.latSwitchIn(p, next)
	if k.blame != nil {
		k.blame.switched(p, next)
	}
	if next.kind == kindIdle {
		k.tickStop(p)
	}
	if p.rq.nrRT > 0 {
		// post_schedule: realtime tasks left queued here go to CPUs
		// running lower-priority work, whatever ran before.
		k.pushRT(p)
	}
	k.run(p, next)
}

// awaitTask makes CPU p, in caller, wait until task t is free for it:
// until the CPU that last queued t is done with that runqueue, and t's
// last CPU has switched away from it (Linux's rq->lock and p->on_cpu). A
// CPU's kernel work happens at once but is charged as it goes, so another
// CPU can come to the task at a time before that work was done; it then
// spins, with interrupts off, as on the runqueue lock, and the trace
// shows the wait as rq->lock contended and acquired.
func (k *Kernel) awaitTask(p *percpu, t *Task, caller string) {
	now := k.now(p)
	if t.availableAt <= now {
		return
	}
	if k.traces(EvLockContended) {
		k.emit(p, &Event{Kind: EvLockContended, Name: "rq->lock", Caller: caller})
	}
	k.charge(p, t.availableAt-now)
	if k.traces(EvLockAcquired) {
		k.emit(p, &Event{Kind: EvLockAcquired, Name: "rq->lock", Caller: caller})
	}
}

// run starts or resumes task t, now p's current task. A task that stopped
// inside a kernel path goes on with it at the next boundary (EnterLater),
// once the other CPUs have caught up with this one: what it does then —
// take a lock, look at a run queue — comes after whatever they did
// before this time, as it would on hardware. (The idle loop only halts,
// and goes on at once.)
func (k *Kernel) run(p *percpu, t *Task) {
	if r := t.resume; r != nil {
		t.resume = nil
		if t.kind == kindIdle {
			r(p)
			return
		}
		p.resume = r
		p.c.EnterLater()
		return
	}
	p.c.LoadContext(&t.ctx)
}

// resumeContext is the continuation of a task whose state is all in its
// saved context (it was preempted in guest code).
func resumeContext(t *Task) func(p *percpu) {
	return func(p *percpu) { p.c.LoadContext(&t.ctx) }
}

// idleLoop is what an idle task does: halt until an interrupt, with
// interrupts on; the interrupt's exit path schedules when there is work.
func (k *Kernel) idleLoop(p *percpu) {
	k.tickStop(p) // tick_nohz_idle_enter: also on a CPU that never ran a task
	x := kernelContext(k.textBase+offIdle, p.idle.kstackTop, true)
	p.idle.ctx = x
	p.c.LoadContext(&x)
	p.c.Halt()
}

// preemptSchedule is preempt_schedule(): the current task is preempted
// and stays runnable whatever its state (PREEMPT_ACTIVE, MontaVista's
// TASK_PREEMPTING), then goes on with then.
func (k *Kernel) preemptSchedule(p *percpu, then func(p *percpu)) {
	t := p.curr
	t.preemptCount |= preemptActive
	k.schedule(p, func(p *percpu) {
		t.preemptCount &^= preemptActive
		then(p)
	})
}

// wakeUp is try_to_wake_up() on behalf of CPU p: it makes t runnable and
// checks whether it preempts the task running where it is queued. It
// returns false if t was runnable already.
func (k *Kernel) wakeUp(p *percpu, t *Task) bool {
	if t.state == taskDead || t.state == TaskRunning {
		return false
	}
	k.traceTask(p, EvSchedWaking, t, t.cpu)
	k.charge(p, k.costs.WakeUp)
	t.state = TaskRunning
	t.waitingOn = ""
	if t.onRQ {
		// Still on its CPU between set_current_state() and schedule():
		// it simply stays runnable.
		k.traceTask(p, EvSchedWakeup, t, t.cpu)
		return true
	}
	k.awaitTask(p, t, "try_to_wake_up")
	target := k.selectCPU(t)
	if target.id != t.cpu {
		k.traceMigrate(p, t, t.cpu, target.id)
	}
	k.enqueue(target, t, false)
	k.traceTask(p, EvSchedWakeup, t, target.id)
	k.checkPreempt(p, target, t)
	return true
}

// selectCPU chooses the CPU a waking task is queued on: its previous CPU
// if allowed and the task would run there now; else an idle allowed CPU;
// else the allowed CPU running the lowest-priority task (preferring the
// previous one on a tie). This is select_task_rq_rt's rule (find_lowest_rq),
// used for every class.
func (k *Kernel) selectCPU(t *Task) *percpu {
	prev := k.cpus[t.cpu]
	if prev.online && t.allowed(prev.id) && k.wouldRunNow(prev, t) {
		return prev
	}
	for _, q := range k.cpus {
		if q.online && t.allowed(q.id) && q.curr == q.idle && q.rq.nrQueued() == 0 {
			return q
		}
	}
	var best *percpu
	for _, q := range k.cpus {
		if !q.online || !t.allowed(q.id) {
			continue
		}
		if best == nil || cpuPrio(q) > cpuPrio(best) || cpuPrio(q) == cpuPrio(best) && q == prev {
			best = q
		}
	}
	if best == nil {
		// Nothing it may run on is online yet: queue it where it was;
		// it runs when that CPU comes up.
		return prev
	}
	return best
}

// cpuPrio is the priority a CPU runs at: its current task's, or that of
// its best queued task if higher.
func cpuPrio(q *percpu) int { return min(q.curr.prio, q.rq.queuedPrio()) }

// wouldRunNow reports whether t would run at once on CPU q: q is idle, or
// t is realtime and above everything there.
func (k *Kernel) wouldRunNow(q *percpu, t *Task) bool {
	if q.curr == q.idle && q.rq.nrQueued() == 0 {
		return true
	}
	return t.isRT() && t.prio < cpuPrio(q)
}

// checkPreempt is check_preempt_curr(): does the newly runnable t preempt
// the task running on q? If so q's current task gets TIF_NEED_RESCHED —
// or, under the lazy model for a SCHED_OTHER wake-up, the lazy flag — and
// q is sent a reschedule IPI if it is another CPU.
func (k *Kernel) checkPreempt(p, q *percpu, t *Task) {
	curr := q.curr
	switch {
	case curr == q.idle:
		k.resched(p, q)
	case t.prio < curr.prio:
		if k.model.Preempt == PreemptLazy && !t.isRT() {
			curr.lazyResched = true
			return
		}
		k.resched(p, q)
	case !t.isRT() && !curr.isRT() && curr.kind != kindIdle:
		// CFS wake-up preemption: the woken task is far enough behind.
		if t.vruntime+k.nsToCycles(wakeupGranNS)*1024/curr.weight() < curr.vruntime {
			if k.model.Preempt == PreemptLazy {
				curr.lazyResched = true
				return
			}
			k.resched(p, q)
		}
	}
}

// resched sets TIF_NEED_RESCHED on q's current task and, if q is not the
// CPU acting, sends it a reschedule IPI (resched_curr).
func (k *Kernel) resched(p, q *percpu) {
	curr := q.curr
	// When q learns of it: at once, or when the IPI arrives.
	notice := k.now(p)
	if q != p {
		notice += k.costs.IPISend + k.costs.IPIDelivery
	}
	// A reschedule already asked for is enough unless q learns of it
	// only later: another CPU's kernel work, done first but charged to a
	// later time, may have asked for it.
	if curr.needResched && curr.reschedNotice <= notice {
		return
	}
	curr.needResched = true
	curr.reschedNotice = notice
	if q != p {
		k.sendIPI(p, q, vecReschedule)
	}
}

// sendIPI sends vector from CPU p to CPU q through p's local APIC: the
// ICR write is charged to p, and the message reaches q IPIDelivery cycles
// later.
func (k *Kernel) sendIPI(p, q *percpu, vector uint8) {
	if vector == vecReschedule {
		arrives := k.now(p) + k.costs.IPISend + k.costs.IPIDelivery
		if q.reschedIPI && q.reschedIPIAt <= arrives {
			return
		}
		q.reschedIPI, q.reschedIPIAt = true, arrives
	}
	k.charge(p, k.costs.IPISend)
	k.traceNum(p, EvIPIRaise, int64(q.id), int64(vector), "")
	from := p.id
	k.m.Schedule(k.now(p)+k.costs.IPIDelivery, func() {
		l := k.m.LAPIC(from)
		l.Write(lapicICRHigh, uint32(q.id)<<24)
		l.Write(lapicICRLow, uint32(vector)) // fixed, physical, edge
	})
}

// migrate moves queued task t from CPU from to CPU to.
func (k *Kernel) migrate(p *percpu, t *Task, from, to *percpu) {
	k.awaitTask(p, t, "move_queued_task")
	k.dequeue(from, t)
	k.charge(p, k.costs.Migrate)
	k.traceMigrate(p, t, from.id, to.id)
	k.enqueue(to, t, false)
}

// pushRT is push_rt_tasks(): while CPU p has queued realtime tasks that
// another allowed CPU runs below, move the best of them there. Only tasks
// allowed on another CPU are pushable (Linux's pushable_tasks list): one
// bound here does not stop the push of those behind it.
func (k *Kernel) pushRT(p *percpu) {
	for moves := 0; moves < maxBalanceMoves && p.rq.nrRT > 0; moves++ {
		var t *Task
		for _, x := range k.queuedRT(p) {
			if x.pushable(p.id) {
				t = x
				break
			}
		}
		if t == nil {
			return
		}
		var target *percpu
		for _, q := range k.cpus {
			if q == p || !q.online || !t.allowed(q.id) || t.prio >= cpuPrio(q) {
				continue
			}
			if target == nil || cpuPrio(q) > cpuPrio(target) {
				target = q
			}
		}
		if target == nil {
			return
		}
		k.migrate(p, t, p, target)
		k.checkPreempt(p, target, t)
	}
}

// pullRT is pull_rt_task(): before CPU p picks its next task, or when its
// running task lowered its priority, it takes a queued realtime task from
// another CPU that would run here above what p would pick and above its
// running task if that stays runnable.
func (k *Kernel) pullRT(p *percpu) {
	for moves := 0; moves < maxBalanceMoves; moves++ {
		mine := p.rq.queuedPrio()
		if c := p.curr; c.kind != kindIdle && c.state == TaskRunning {
			mine = min(mine, c.prio) // a running task stays above what it would pull
		}
		var best *Task
		var from *percpu
		for _, q := range k.cpus {
			if q == p || q.rq.nrRT == 0 {
				continue
			}
			// The best task queued there that may run here. If it is
			// above what q runs, it was just woken or pushed there and
			// will preempt q as soon as q schedules: it is left alone
			// (pull_rt_task in kernel/sched/rt.c: "We only pull p if it
			// is lower in priority than the current task on the run
			// queue").
			var cand *Task
			for prio := 0; prio < maxRTPrio && prio < mine && cand == nil; prio++ {
				for _, t := range q.rq.rt[prio] {
					if t.allowed(p.id) {
						cand = t
						break
					}
				}
			}
			if cand == nil || cand.prio < q.curr.prio {
				continue
			}
			if best == nil || cand.prio < best.prio {
				best, from = cand, q
			}
		}
		if best == nil {
			return
		}
		k.migrate(p, best, from, p)
	}
}

// idleBalance is newidle balancing: CPU p, about to idle, takes a queued
// task from the CPU with the most of them; if every task queued there is
// pinned elsewhere, from the next busiest, and so on (load_balance redoes
// its search without an all-pinned CPU).
func (k *Kernel) idleBalance(p *percpu) {
	tried := uint64(1) << uint(p.id)
	for {
		var from *percpu
		for _, q := range k.cpus {
			if tried&(1<<uint(q.id)) != 0 || q.rq.nrQueued() == 0 {
				continue
			}
			if from == nil || q.rq.nrQueued() > from.rq.nrQueued() {
				from = q
			}
		}
		if from == nil {
			return
		}
		tried |= 1 << uint(from.id)
		var pick *Task
		for prio := 0; prio < maxRTPrio && pick == nil; prio++ {
			for _, t := range from.rq.rt[prio] {
				if t.allowed(p.id) {
					pick = t
					break
				}
			}
		}
		if pick == nil {
			for _, t := range from.rq.fair {
				if t.allowed(p.id) && (pick == nil || t.vruntime < pick.vruntime) {
					pick = t
				}
			}
		}
		if pick != nil {
			k.migrate(p, pick, from, p)
			return
		}
	}
}

// tickBalance is the periodic balance from CPU p's tick: a task queued
// here that an idle allowed CPU could run moves there.
func (k *Kernel) tickBalance(p *percpu) {
	if p.rq.nrQueued() == 0 {
		return
	}
	for _, q := range k.cpus {
		if q == p || !q.online || q.curr != q.idle || q.rq.nrQueued() > 0 {
			continue
		}
		for _, t := range append(p.rq.fair[:len(p.rq.fair):len(p.rq.fair)], k.queuedRT(p)...) {
			if t.allowed(q.id) {
				k.migrate(p, t, p, q)
				k.resched(p, q)
				return
			}
		}
	}
}

// queuedRT lists p's queued realtime tasks, best first.
func (k *Kernel) queuedRT(p *percpu) []*Task {
	var l []*Task
	for _, q := range p.rq.rt {
		l = append(l, q...)
	}
	return l
}

// schedTick is scheduler_tick() on CPU p: the RR slice, the fair share,
// the lazy flag's upgrade, and balancing.
func (k *Kernel) schedTick(p *percpu) {
	k.updateCurr(p)
	t := p.curr
	switch {
	case t.kind == kindIdle:
	case t.policy == SchedRR:
		// task_tick_rt: the slice is counted in ticks, whatever part of
		// each the task ran.
		if t.slice > 0 {
			t.slice--
		}
		if t.slice == 0 {
			t.slice = k.rrTicks()
			if len(p.rq.rt[t.prio]) > 0 {
				t.needResched = true
				t.requeueTail = true
			}
		}
	case !t.isRT():
		if t.lazyResched {
			t.needResched = true // PREEMPT_LAZY: the tick upgrades the lazy flag
		}
		if n := len(p.rq.fair); n > 0 {
			total := t.weight()
			for _, o := range p.rq.fair {
				total += o.weight()
			}
			ideal := max(k.nsToCycles(schedLatencyNS)*t.weight()/total, k.nsToCycles(schedMinGranNS))
			if k.now(p)-t.lastPick() >= ideal {
				if k.model.Preempt == PreemptLazy && !t.needResched {
					t.lazyResched = true
				} else {
					t.needResched = true
				}
			}
		}
	}
	k.tickBalance(p)
}

// rrTicks is SCHED_RR's slice in ticks (at least one).
func (k *Kernel) rrTicks() uint64 { return max(k.rrSlice/k.tickPeriod, 1) }

// lastPick returns when the task was last switched in.
func (t *Task) lastPick() uint64 { return t.pickedAt }

// setPrio changes t's effective priority, requeueing it if queued.
func (k *Kernel) setPrio(t *Task, prio int) {
	if t.prio == prio {
		return
	}
	q := k.cpus[t.cpu]
	queued := t.onRQ && !t.running && k.dequeue(q, t)
	t.prio = prio
	if queued {
		k.enqueue(q, t, false)
	}
}

// cpuOf returns the kernel's state of processor c.
func (k *Kernel) cpuOf(c *cpu.CPU) *percpu { return k.cpus[c.ID] }
