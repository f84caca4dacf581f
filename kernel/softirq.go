package kernel

// This file implements softirqs: open_softirq, raise_softirq, and where
// they run — on interrupt exit (__do_softirq with Linux's restart limit,
// then ksoftirqd/N), or, under softirq=thread, each vector in its own
// per-CPU thread as PREEMPT_REALTIME has them (softirq-net-rx/0…).

import "fmt"

// maxSoftirqRestart is MAX_SOFTIRQ_RESTART (kernel/softirq.c, 2.6): how
// many times __do_softirq goes round while softirqs keep being raised
// before it leaves the rest to ksoftirqd.
const maxSoftirqRestart = 10

// softirqVec is one softirq vector's action.
type softirqVec struct {
	action uint32 // the image's function, 0 if none was opened
}

// softirqNames are the vectors' names as ftrace prints them, and the
// names of PREEMPT_REALTIME's threads.
var (
	softirqNames  = [NrSoftirqs]string{"HI", "TIMER", "NET_TX", "NET_RX", "BLOCK", "IRQ_POLL", "TASKLET", "SCHED", "HRTIMER", "RCU"}
	softirqThread = [NrSoftirqs]string{"high", "timer", "net-tx", "net-rx", "block", "iopoll", "tasklet", "sched", "hrtimer", "rcu"}
	softirqWhat   [NrSoftirqs]string // "softirq NET_RX", for reports
)

func init() {
	for nr, n := range softirqNames {
		softirqWhat[nr] = "softirq " + n
	}
}

// openSoftirq is open_softirq(nr, action).
func (k *Kernel) openSoftirq(nr, action uint32) int64 {
	if nr >= NrSoftirqs {
		return -EINVAL
	}
	if !k.inRAM(action, 1) {
		return -EFAULT
	}
	k.softirqs[nr].action = action
	// The action gets a struct softirq_action *: the kernel's copy in its
	// text page, whose first word is the action.
	k.writeU32(k.textBase+offSoftirqVec+4*nr, action)
	if k.started && k.model.Softirq == SoftirqThread {
		for _, p := range k.cpus {
			k.softirqThreadFor(p, int(nr))
		}
	}
	return 0
}

// raiseSoftirq is raise_softirq(nr) on CPU p: mark it pending, and wake
// the thread that runs it if it will not run on interrupt exit. A thread
// blocked on a lock (its CPU's softirq lock, or one its action sleeps
// on) is left to the lock's hand-off — its waiters sleep as RT's
// TASK_RTLOCK_WAIT, which wake_up_process does not end — and runs the
// vector then, seeing it pending.
func (k *Kernel) raiseSoftirq(p *percpu, nr int) {
	p.softirqPending |= 1 << uint(nr)
	k.traceNum(p, EvSoftirqRaise, int64(nr), 0, softirqNames[nr])
	if k.model.Softirq == SoftirqThread {
		if t := p.softirqThreads[nr]; t != nil && t.lk.Blocked == nil {
			k.wakeUp(p, t)
		}
		return
	}
	if !p.curr.inInterrupt() && p.ksoftirqd != nil {
		k.wakeUp(p, p.ksoftirqd)
	}
}

// softirqRun is a CPU's __do_softirq in progress.
type softirqRun struct {
	task    *Task
	pending uint32 // the vectors of this round
	nr      int    // the vector running or next
	restart int    // rounds left
	count   uint32 // the task's preemption count when the action began
	sp      uint32
	done    func(p *percpu)
}

// doSoftirq is __do_softirq on CPU p, running the actions on the stack
// below sp with interrupts on: the pending set is taken, each vector's
// action runs, and while more are raised it goes round again, at most
// maxSoftirqRestart times, then wakes ksoftirqd. done runs after.
// __do_softirq is not re-entered: the softirq count holds it off, and if
// an action dropped the count (an unbalanced local_bh_enable, reported
// when it returns) the softirqs stay pending for the run in progress.
func (k *Kernel) doSoftirq(p *percpu, sp uint32, done func(p *percpu)) {
	if p.softirq.task != nil {
		done(p)
		return
	}
	t := p.curr
	t.preemptCount += softirqOffset
	p.softirq = softirqRun{task: t, restart: maxSoftirqRestart, sp: sp, done: done}
	k.softirqRound(p)
}

// softirqRound takes the pending set and runs its first action.
func (k *Kernel) softirqRound(p *percpu) {
	r := &p.softirq
	r.pending, r.nr = p.softirqPending, 0
	p.softirqPending = 0
	k.softirqNext(p)
}

// softirqNext runs the round's next action, or ends the round: another
// round while softirqs were raised meanwhile, else the end.
func (k *Kernel) softirqNext(p *percpu) {
	r := &p.softirq
	for ; r.nr < NrSoftirqs; r.nr++ {
		if r.pending&(1<<uint(r.nr)) != 0 && k.softirqs[r.nr].action != 0 {
			break
		}
	}
	if r.nr < NrSoftirqs {
		nr := r.nr
		k.charge(p, k.costs.SoftirqDispatch)
		k.traceNum(p, EvSoftirqEntry, int64(nr), 0, softirqNames[nr])
		r.count = r.task.preemptCount
		if nr == RCUSoftirq && k.rcuOwned {
			k.rcuDoBatch(p, r.sp, func(p *percpu) { k.softirqActionDone(p) })
			return
		}
		k.callGuest(p, k.softirqs[nr].action, []uint32{k.textBase + offSoftirqVec + 4*uint32(nr)}, r.sp, true, softirqWhat[nr], p.softirqRet)
		return
	}
	if p.softirqPending != 0 {
		if r.restart--; r.restart > 0 {
			k.softirqRound(p)
			return
		}
		if p.ksoftirqd != nil {
			k.wakeUp(p, p.ksoftirqd)
		}
	}
	r.task.preemptCount -= softirqOffset
	done := r.done
	*r = softirqRun{}
	done(p)
}

// softirqActionDone goes on after a softirq action returned.
func (k *Kernel) softirqActionDone(p *percpu) {
	r := &p.softirq
	k.traceNum(p, EvSoftirqExit, int64(r.nr), 0, softirqNames[r.nr])
	k.checkSoftirqCount(p, r.task, r.nr, r.count)
	r.nr++
	k.softirqNext(p)
}

// ksoftirqd is the body of ksoftirqd/N: run the pending softirqs in
// process context, then sleep until raised again.
func (k *Kernel) ksoftirqd(p *percpu) {
	t := p.curr
	if p.softirqPending == 0 {
		t.state = TaskInterruptible
		t.waitingOn = "softirqs"
		k.schedule(p, k.fnKsoftirqd)
		return
	}
	k.doSoftirq(p, t.kstackTop, func(p *percpu) {
		if t.needResched {
			k.schedule(p, k.fnKsoftirqd) // cond_resched()
			return
		}
		k.ksoftirqd(p)
	})
}

// checkSoftirqCount is __do_softirq's check after vector nr's action ran
// in task t: an action that left the preemption count other than it
// found it (an unbalanced preempt_disable, spin_lock, local_bh_enable)
// is reported and the count restored, as Linux's "huh, entered softirq"
// does.
func (k *Kernel) checkSoftirqCount(p *percpu, t *Task, nr int, count uint32) {
	if t.preemptCount == count {
		return
	}
	k.bug(p, fmt.Sprintf("huh, entered softirq %d %s %s with preempt_count %08x, exited with %08x?",
		nr, softirqNames[nr], k.syms.ps(k.softirqs[nr].action), count, t.preemptCount))
	t.preemptCount = count
}

// softirqThreadBody runs one vector in its thread (softirq=thread): the
// action runs preemptibly, with the preemption count left alone, holding
// the CPU's softirq lock, so that it waits while a task has bottom halves
// disabled there (bh.go); after each action the lock is released and
// the thread gives the CPU up if that woke a task above it.
func (k *Kernel) softirqThreadBody(p *percpu) {
	t := p.curr
	nr := t.softirq
	bit := uint32(1) << uint(nr)
	if p.softirqPending&bit == 0 {
		t.state = TaskInterruptible
		t.waitingOn = "softirq " + softirqNames[nr]
		k.schedule(p, k.fnSoftirqThread)
		return
	}
	if t.bhLock == nil {
		k.softirqThreadLock(p, t, k.fnSoftirqThread)
		return
	}
	p.softirqPending &^= bit
	k.charge(p, k.costs.SoftirqDispatch)
	k.traceNum(p, EvSoftirqEntry, int64(nr), 0, softirqNames[nr])
	count := t.preemptCount
	done := func(p *percpu) {
		k.traceNum(p, EvSoftirqExit, int64(nr), 0, softirqNames[nr])
		k.checkSoftirqCount(p, t, nr, count)
		if k.softirqThreadUnlock(p, t) {
			k.schedule(p, k.fnSoftirqThread) // cond_resched()
			return
		}
		k.softirqThreadBody(p)
	}
	if nr == RCUSoftirq && k.rcuOwned {
		k.rcuDoBatch(p, t.kstackTop, done)
		return
	}
	k.callGuest(p, k.softirqs[nr].action, []uint32{k.textBase + offSoftirqVec + 4*uint32(nr)}, t.kstackTop, true,
		softirqWhat[nr], func(p *percpu, _ uint32) { done(p) })
}

// softirqThreadFor makes CPU p's thread for vector nr if it has none.
func (k *Kernel) softirqThreadFor(p *percpu, nr int) {
	if p.softirqThreads[nr] != nil {
		return
	}
	t := k.kernelDaemon(p, fmt.Sprintf("softirq-%s/%d", softirqThread[nr], p.id), kindSoftirq, k.fnSoftirqThread)
	t.policy, t.rtPrio = SchedFIFO, defaultIRQ
	t.prio = t.normalPrio()
	t.softirq = nr
	p.softirqThreads[nr] = t
}

// startSoftirqThreads makes CPU p's softirq threads: ksoftirqd/N, and
// under softirq=thread one thread per opened vector.
func (k *Kernel) startSoftirqThreads(p *percpu) {
	t := k.kernelDaemon(p, fmt.Sprintf("ksoftirqd/%d", p.id), kindSoftirq, k.fnKsoftirqd)
	t.nice = 19 // as 2.6 ran ksoftirqd
	t.prio = t.normalPrio()
	t.softirq = -1
	p.ksoftirqd = t
	if k.model.Softirq == SoftirqThread {
		for nr := range k.softirqs {
			if k.softirqs[nr].action != 0 {
				k.softirqThreadFor(p, nr)
			}
		}
	}
}
