package kernel

// This file implements the kernel's trace events: one Event type for
// every tracepoint, filled with Linux's field names and passed to the one
// Tracer. With no tracer a tracepoint costs a nil check.

// EventKind is a tracepoint.
type EventKind uint8

// The tracepoints, named as Linux's.
const (
	EvSchedSwitch EventKind = iota
	EvSchedWaking
	EvSchedWakeup
	EvSchedWakeupNew
	EvSchedMigrateTask
	EvSchedProcessExit
	EvIRQHandlerEntry
	EvIRQHandlerExit
	EvSoftirqRaise
	EvSoftirqEntry
	EvSoftirqExit
	EvHrtimerStart
	EvHrtimerCancel
	EvHrtimerExpireEntry
	EvHrtimerExpireExit
	EvSysEnter
	EvSysExit
	EvIPIRaise
	EvVectorEntry // local_timer_entry, reschedule_entry
	EvVectorExit
	EvPreemptDisable
	EvPreemptEnable
	EvIRQDisable
	EvIRQEnable
	EvLockAcquire
	EvLockContended
	EvLockAcquired
	EvLockRelease
	EvBug // a kernel report (BUG, a task killed)
	// EvSchedPISetprio is a priority change by inheritance (boost or
	// unboost): Other the task, Num the old priority, Num2 the new.
	EvSchedPISetprio
	// EvLockBreak is Molnar's -Q7 lock-break: the holder of a spinning
	// lock drops it at cond_resched_lock() because another CPU spins on
	// it (Name the lock, Caller the call site). Linux has no tracepoint
	// for it; its trace shows the release and the acquire around it.
	EvLockBreak
	numEventKinds
)

var eventNames = [numEventKinds]string{
	"sched_switch", "sched_waking", "sched_wakeup", "sched_wakeup_new", "sched_migrate_task",
	"sched_process_exit", "irq_handler_entry", "irq_handler_exit", "softirq_raise", "softirq_entry",
	"softirq_exit", "hrtimer_start", "hrtimer_cancel", "hrtimer_expire_entry", "hrtimer_expire_exit",
	"sys_enter", "sys_exit", "ipi_raise", "vector_entry", "vector_exit",
	"preempt_disable", "preempt_enable", "irq_disable", "irq_enable",
	"lock_acquire", "lock_contended", "lock_acquired", "lock_release", "bug",
	"sched_pi_setprio", "lock_break",
}

func (k EventKind) String() string {
	if k < numEventKinds {
		return eventNames[k]
	}
	return "event?"
}

// Event is one trace event. Which fields are set depends on Kind:
//
//	sched_switch         Task → Other; State is prev_state (R, R+, S, D, X)
//	sched_waking/wakeup  Other is the woken task; Num its target CPU
//	sched_wakeup_new     Other is the new task; Num its target CPU
//	sched_migrate_task   Other; Num orig_cpu, Num2 dest_cpu
//	sched_process_exit   Other is the task that exited
//	irq_handler_entry    Num irq, Name the handler's name
//	irq_handler_exit     Num irq, Num2 the handler's return (1 handled)
//	softirq_*            Num the vector
//	hrtimer_*            Addr the timer's id, Name its function, Num the
//	                     expiry (ns), Num2 now (ns, expire entry)
//	sys_enter            Num the call, Args its arguments
//	sys_exit             Num the call, Num2 its result
//	ipi_raise            Num the target CPU, Num2 the vector
//	vector_entry/exit    Num the vector, Name local_timer, reschedule…
//	preempt_*, irq_*     Addr the caller (EIP), Name it as a symbol;
//	                     preempt_disable: State the call that disabled it
//	lock_*               Name the lock, Addr the caller, Caller its symbol
//	bug                  Name the report
type Event struct {
	Kind EventKind
	// Time is the CPU's cycle at the event.
	Time uint64
	CPU  int
	// Task is the task running on the CPU (current).
	Task *Task
	// The flags of ftrace's latency columns.
	IRQsOff      bool
	NeedResched  bool
	HardIRQ      bool
	SoftIRQ      bool
	PreemptDepth int
	// BHOff is set while the task has bottom halves disabled under
	// softirq=thread, where they leave the preemption count alone:
	// TRACE_FLAG_BH_OFF, which ftrace prints in the irqs-off column
	// ('b', 'D' with interrupts off too).
	BHOff bool

	// lock is the lock object of a lock_* event (nil for rq->lock and a
	// spin's hand-off), for the blame: names are not unique.
	lock *lockObj

	Other *Task
	State string
	Num   int64
	Num2  int64
	Name  string
	Addr  uint32
	Args  [6]uint32
	// Caller is Addr as the image's symbol (func+0xoff), for events with
	// a caller.
	Caller string
}

// Tracer receives every trace event of a run, in the order the kernel
// makes them: per CPU in time order. The Event is the kernel's until Event
// returns; a tracer that keeps it copies it.
type Tracer interface {
	Event(e *Event)
}

// traces reports whether an event of kind goes anywhere: a tracer, or
// the blamer for the events it follows. Each tracepoint asks it first,
// so that an event nobody follows is not even built.
func (k *Kernel) traces(kind EventKind) bool {
	return k.tracer != nil && (!k.blameOnly || blameEvents[kind])
}

// emit fills in the common fields of e for CPU p and hands it on. The
// caller has asked traces(e.Kind).
func (k *Kernel) emit(p *percpu, e *Event) { k.emitAt(p, p.c.Now(), e) }

// emitAt is emit for an event of CPU p at cycle at: one the kernel makes
// on p's behalf while acting for another CPU (a lock handed to p). The
// event is copied into the kernel's own Event, so that the caller's stays
// on its stack and passing it to the tracer moves nothing to the heap.
func (k *Kernel) emitAt(p *percpu, at uint64, ev *Event) {
	k.event = *ev
	e := &k.event
	t := p.curr
	e.Time = at
	e.CPU = p.id
	e.Task = t
	e.IRQsOff = !p.c.IF()
	if t != nil {
		e.NeedResched = t.needResched
		e.HardIRQ = t.preemptCount&hardirqMask != 0
		e.SoftIRQ = t.preemptCount&softirqMask != 0
		e.BHOff = t.bhCount > 0
		e.PreemptDepth = int(t.preemptCount & preemptMask)
	}
	if k.blameOnly {
		k.blame.Event(e) // the one tracer, called directly
	} else {
		k.tracer.Event(e)
	}
	if k.traced++; k.flusher != nil && k.traced%flushEvery == 0 {
		before := ^uint64(0)
		for _, q := range k.cpus {
			before = min(before, q.c.Now())
		}
		if slack := flushSlackNS * k.mhz / 1000; before > slack {
			k.flusher.Flush(before - slack)
		}
	}
}

// flushEvery is how many events a FlushTracer collects between flushes.
const flushEvery = 1 << 16

// The tracepoints. Each returns at once when nothing traces.

func (k *Kernel) traceSwitch(p *percpu, prev, next *Task, state string) {
	if k.traces(EvSchedSwitch) {
		k.emit(p, &Event{Kind: EvSchedSwitch, Other: next, State: state})
	}
}

func (k *Kernel) traceTask(p *percpu, kind EventKind, t *Task, cpu int) {
	if k.traces(kind) {
		k.emit(p, &Event{Kind: kind, Other: t, Num: int64(cpu)})
	}
}

func (k *Kernel) traceMigrate(p *percpu, t *Task, from, to int) {
	if k.traces(EvSchedMigrateTask) {
		k.emit(p, &Event{Kind: EvSchedMigrateTask, Other: t, Num: int64(from), Num2: int64(to)})
	}
}

func (k *Kernel) traceNum(p *percpu, kind EventKind, n, n2 int64, name string) {
	if k.traces(kind) {
		k.emit(p, &Event{Kind: kind, Num: n, Num2: n2, Name: name})
	}
}

func (k *Kernel) traceSysEnter(p *percpu, a *callArgs) {
	switch {
	case k.blameOnly:
		k.blame.sysCall(p.id, p.c.Now(), p.curr, !p.c.IF(), false)
	case k.tracer != nil:
		k.emit(p, &Event{Kind: EvSysEnter, Num: int64(a.nr), Args: a.a})
	}
}

func (k *Kernel) traceSysExit(p *percpu, nr int, ret int64) {
	switch {
	case k.blameOnly:
		k.blame.sysCall(p.id, p.c.Now(), p.curr, !p.c.IF(), true)
	case k.tracer != nil:
		k.emit(p, &Event{Kind: EvSysExit, Num: int64(nr), Num2: ret})
	}
}

func (k *Kernel) traceAt(p *percpu, kind EventKind, name string, addr uint32) {
	if k.traces(kind) {
		caller := k.symbol(addr)
		if name == "" {
			name = caller
		}
		k.emit(p, &Event{Kind: kind, Name: name, Addr: addr, Caller: caller})
	}
}

// traceLock is traceAt for an event of lock o.
func (k *Kernel) traceLock(p *percpu, kind EventKind, o *lockObj, addr uint32) {
	if k.traces(kind) {
		caller := k.symbol(addr)
		name := o.name
		if name == "" {
			name = caller
		}
		k.emit(p, &Event{Kind: kind, Name: name, Addr: addr, Caller: caller, lock: o})
	}
}

// symbol is addr as the image's symbol (func+0xoff/0xsize), cached.
func (k *Kernel) symbol(addr uint32) string {
	sym, ok := k.symCache[addr]
	if !ok {
		sym = k.syms.ps(addr)
		k.symCache[addr] = sym
	}
	return sym
}

func (k *Kernel) traceTimer(p *percpu, kind EventKind, tm *hrtimer) {
	if k.traces(kind) {
		k.emit(p, &Event{Kind: kind, Addr: tm.id, Name: tm.name, Num: int64(k.cyclesToNS(tm.expires)), Num2: int64(k.cyclesToNS(p.c.Now()))})
	}
}
