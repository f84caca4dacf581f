package kernel

// This file implements RCU read sections and synchronize_rcu, in the
// model's two flavours, and seqlocks.
//
//   - rcu=classic (2.6's classic RCU): a read section disables preemption
//     (where the model counts it); a grace period ends when every CPU has
//     passed a quiescent state since it began — a context switch, or
//     being idle or in user mode — as rcu_check_callbacks sees them at
//     the tick. synchronize_rcu checks at each tick.
//   - rcu=preemptible (PREEMPT_RT's): a read section is only counted in
//     the task (rcu_read_lock_nesting); it may be preempted and block on
//     converted locks. A grace period waits for every task that was
//     inside a section when it began to leave it.
//
// A seqlock_t's writer lock is backed as a spinlock_t is (spinning, or
// the model's sleeping lock: "writer side raw or preemptible by model");
// its sequence is odd while a writer holds it. read_seqbegin returns it;
// when a sleeping writer holds it, the reader takes and drops the writer
// lock first (blocking, with the PI of the lock), so that a reader above
// a preempted writer does not spin for ever — what PREEMPT_RT's
// read_seqbegin does. read_seqretry says to retry if the sequence was odd
// or moved.

import "fmt"

// addRCUCalls puts the RCU and seqlock services in callTable.
func addRCUCalls() {
	callTable[SvcRCUReadLock] = callRCUReadLock
	callTable[SvcRCUReadUnlock] = callRCUReadUnlock
	callTable[SvcSynchronizeRCU] = callSynchronizeRCU
	callTable[SvcCallRCU] = callCallRCU
	callTable[SvcWriteSeqlock] = func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
		a.a[1] = LockPlain
		return k.spinLock(p, t, a, "write_seqlock")
	}
	callTable[SvcWriteSequnlock] = func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
		a.a[1], a.a[2] = LockPlain, 0
		return k.spinUnlock(p, t, a, "write_sequnlock")
	}
	callTable[SvcReadSeqbegin] = callReadSeqbegin
	callTable[SvcReadSeqretry] = func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
		o, err := k.lockAt(p, a.a[0], "read_seqretry", LockKindSeqlock)
		if err != 0 {
			return err, true
		}
		return int64(b2i(a.a[1]&1 != 0 || k.seq(o) != a.a[1])), true
	}
}

// lockKindsOf is the lock kinds a spinning-lock call takes.
func lockKindsOf(what string) []int {
	if what == "write_seqlock" || what == "write_sequnlock" {
		return []int{LockKindSeqlock}
	}
	return []int{LockKindRawSpinlock, LockKindSpinlock, LockKindRwlock}
}

// seq is a seqlock's sequence: two a write section, odd during one.
func (k *Kernel) seq(o *lockObj) uint32 {
	held := false
	switch {
	case o.spin != nil:
		owner, _ := o.spin.Owner()
		held = owner != nil
	case o.mutex != nil:
		held = o.mutex.Owner() != nil
	case o.rwsem != nil:
		held = o.rwsem.Writer() != nil
	}
	return 2*o.writes + uint32(b2i(held))
}

func callReadSeqbegin(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
	o, err := k.lockAt(p, a.a[0], "read_seqbegin", LockKindSeqlock)
	if err != 0 {
		return err, true
	}
	s := k.seq(o)
	if s&1 == 0 || o.spin != nil {
		return int64(s), true
	}
	// A sleeping writer holds it: wait for it by its lock.
	if !k.mayBlock(p, t, "read_seqbegin("+o.name+")") {
		return int64(s), true
	}
	if o.rwsem != nil {
		if ok, _ := o.rwsem.Lock(k, t, p.id, false); ok {
			o.rwsem.Unlock(k, t, false)
			return int64(k.seq(o)), true
		}
	} else if ok, _ := o.mutex.Lock(k, t, p.id); ok {
		o.mutex.Unlock(k, t)
		return int64(k.seq(o)), true
	}
	w := t.lk.Blocked
	desc := fmt.Sprintf("seqlock_t %s (its writer %s)", o.name, k.holders(o))
	var wait func(p *percpu)
	wait = func(p *percpu) {
		if !w.Granted {
			k.block(p, t, a, TaskUninterruptible, desc, wait)
			return
		}
		if o.rwsem != nil {
			o.rwsem.Unlock(k, t, false)
		} else {
			o.mutex.Unlock(k, t)
		}
		k.complete(p, t, a, int64(k.seq(o)))
	}
	k.block(p, t, a, TaskUninterruptible, desc, wait)
	return 0, false
}

func callRCUReadLock(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
	if k.model.RCU == RCUClassic {
		k.preemptDisable(p, t, "rcu_read_lock")
	}
	t.rcuNesting++
	return 0, true
}

func callRCUReadUnlock(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
	if t.rcuNesting == 0 {
		k.bug(p, "rcu_read_unlock without rcu_read_lock")
		return -EINVAL, true
	}
	t.rcuNesting--
	if t.rcuNesting == 0 {
		t.rcuExits++
	}
	if k.model.RCU == RCUClassic {
		done := k.preemptEnable(p, t, a, func(p *percpu) { k.complete(p, t, a, 0) })
		return 0, done
	}
	return 0, true
}

// callSynchronizeRCU waits for a grace period, checking at each tick.
func callSynchronizeRCU(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
	if t.rcuNesting > 0 {
		k.bug(p, "synchronize_rcu inside an RCU read section: the grace period waits for the caller")
		return -EINVAL, true
	}
	if !k.mayBlock(p, t, "synchronize_rcu") {
		return -EINVAL, true
	}
	done := k.gracePeriod()
	if t.sleepTimer == nil {
		t.sleepTimer = k.newTimer("hrtimer_wakeup", k.wakeTimer)
		t.sleepTimer.task = t
	}
	var expires uint64
	var poll func(p *percpu)
	poll = func(p *percpu) {
		if expires != 0 && k.now(p) < expires && t.sleepTimer.queued {
			k.block(p, t, a, TaskUninterruptible, "synchronize_rcu", poll) // woken early
			return
		}
		if expires != 0 && done() {
			k.hrtimerCancel(t.sleepTimer)
			k.complete(p, t, a, 0)
			return
		}
		expires = (k.now(p)/k.tickPeriod + 1) * k.tickPeriod
		k.hrtimerStart(p, t.sleepTimer, expires)
		k.block(p, t, a, TaskUninterruptible, "synchronize_rcu", poll)
	}
	poll(p)
	return 0, false
}

// gracePeriod starts a grace period and returns its test: whether it has
// ended.
func (k *Kernel) gracePeriod() func() bool {
	if k.model.RCU == RCUPreemptible {
		type reader struct {
			t     *Task
			exits uint64
		}
		var readers []reader
		for _, t := range k.tasks {
			if t.rcuNesting > 0 && t.state != taskDead {
				readers = append(readers, reader{t, t.rcuExits})
			}
		}
		return func() bool {
			for _, r := range readers {
				if r.t.state != taskDead && r.t.rcuNesting > 0 && r.t.rcuExits == r.exits {
					return false
				}
			}
			return true
		}
	}
	switches := make([]uint64, len(k.cpus))
	for i, q := range k.cpus {
		switches[i] = q.nrSwitches
	}
	passed := make([]bool, len(k.cpus))
	return func() bool {
		all := true
		for i, q := range k.cpus {
			passed[i] = passed[i] || !q.online || q.nrSwitches != switches[i] || q.curr == q.idle || q.c.CPL == 3
			all = all && passed[i]
		}
		return all
	}
}

// rcuCPU is a CPU's call_rcu state: the callbacks queued there, each with
// the grace period it waits for, and the timer that checks for their end
// at each tick.
type rcuCPU struct {
	cbs   []rcuCallback
	timer *hrtimer
}

// rcuCallback is one call_rcu: the rcu_head, the function, and the test
// of its grace period.
type rcuCallback struct {
	head, fn uint32
	done     func() bool
}

// callCallRCU is call_rcu(head, func): the callback runs in the RCU
// softirq of this CPU once a grace period that starts now has ended
// (in the softirq-rcu/N thread under softirq=thread).
func callCallRCU(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
	head, fn := a.a[0], a.a[1]
	if !k.inRAM(head, 8) || !k.inRAM(fn, 1) {
		k.bug(p, fmt.Sprintf("call_rcu(%#x, %#x): a pointer outside RAM", head, fn))
		return -EFAULT, true
	}
	k.writeU32(head+4, fn) // head->func, as call_rcu stores it
	if !k.rcuOwned {
		k.rcuOwned = true
		if k.softirqs[RCUSoftirq].action == 0 {
			k.softirqs[RCUSoftirq].action = k.textBase // a non-zero mark: the kernel's own action
		}
		if k.model.Softirq == SoftirqThread {
			for _, q := range k.cpus {
				if q.online {
					k.softirqThreadFor(q, RCUSoftirq)
				}
			}
		}
	}
	r := &p.rcu
	r.cbs = append(r.cbs, rcuCallback{head, fn, k.gracePeriod()})
	if r.timer == nil {
		r.timer = k.newTimer("rcu_check_callbacks", k.rcuTick)
	}
	if !r.timer.queued {
		k.hrtimerStart(p, r.timer, (k.now(p)/k.tickPeriod+1)*k.tickPeriod)
	}
	return 0, true
}

// rcuTick is rcu_check_callbacks at the tick: if the grace period of a
// callback queued here has ended the RCU softirq is raised; while any
// wait, the check comes again at the next tick.
func (k *Kernel) rcuTick(p *percpu, tm *hrtimer) {
	ready := false
	for _, cb := range p.rcu.cbs {
		ready = ready || cb.done()
	}
	if ready {
		k.raiseSoftirq(p, RCUSoftirq)
	}
	if len(p.rcu.cbs) > 0 {
		k.hrtimerStart(p, tm, (k.now(p)/k.tickPeriod+1)*k.tickPeriod)
	}
}

// rcuDoBatch is rcu_do_batch: the callbacks of CPU p whose grace period
// has ended run in order, each called with its rcu_head on the stack
// below sp; then done.
func (k *Kernel) rcuDoBatch(p *percpu, sp uint32, done func(p *percpu)) {
	r := &p.rcu
	var ready []rcuCallback
	keep := r.cbs[:0]
	for _, cb := range r.cbs {
		if cb.done() {
			ready = append(ready, cb)
		} else {
			keep = append(keep, cb)
		}
	}
	r.cbs = keep
	var next func(p *percpu, i int)
	next = func(p *percpu, i int) {
		if i == len(ready) {
			done(p)
			return
		}
		k.charge(p, k.costs.HandlerCall)
		k.callGuest(p, ready[i].fn, []uint32{ready[i].head}, sp, true, "RCU callback", func(p *percpu, _ uint32) { next(p, i+1) })
	}
	next(p, 0)
}
