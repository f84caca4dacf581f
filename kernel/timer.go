package kernel

// This file implements time: per-CPU high-resolution timers on the local
// APIC timer in TSC-deadline mode (one interrupt per expiry, exact to the
// cycle), the periodic tick as one of them (stopped while the CPU idles,
// as NO_HZ_IDLE does), sleeping, and the clocks.

import (
	"sort"

	"preemptlab/cpu"
)

// msrTSCDeadline is IA32_TSC_DEADLINE.
const msrTSCDeadline = 0x6E0

// hrtimer is a high-resolution timer: fn runs in hard-IRQ context on its
// CPU when the CPU's time reaches expires.
type hrtimer struct {
	id      uint32 // for traces
	name    string // the function, for traces (tick_sched_timer, hrtimer_wakeup)
	expires uint64 // cycle
	fn      func(p *percpu, tm *hrtimer)
	task    *Task // hrtimer_wakeup's sleeper
	cpu     int
	queued  bool
}

// timerQueue is a CPU's armed timers, earliest first.
type timerQueue []*hrtimer

// newTimer makes a timer. Its id is the kernel's count of timers, so
// that every run numbers its timers alike.
func (k *Kernel) newTimer(name string, fn func(p *percpu, tm *hrtimer)) *hrtimer {
	k.nextTimerID++
	return &hrtimer{id: k.nextTimerID, name: name, fn: fn}
}

// hrtimerStart arms tm on CPU p to expire at cycle expires.
func (k *Kernel) hrtimerStart(p *percpu, tm *hrtimer, expires uint64) {
	if tm.queued {
		k.hrtimerCancel(tm)
	}
	tm.expires, tm.cpu, tm.queued = expires, p.id, true
	q := p.timers
	i := sort.Search(len(q), func(i int) bool { return q[i].expires > expires })
	q = append(q, nil)
	copy(q[i+1:], q[i:])
	q[i] = tm
	p.timers = q
	k.traceTimer(p, EvHrtimerStart, tm)
	k.programTimer(p)
}

// hrtimerCancel disarms tm.
func (k *Kernel) hrtimerCancel(tm *hrtimer) {
	if !tm.queued {
		return
	}
	p := k.cpus[tm.cpu]
	for i, x := range p.timers {
		if x == tm {
			p.timers = append(p.timers[:i:i], p.timers[i+1:]...)
			break
		}
	}
	tm.queued = false
}

// programTimer sets CPU p's APIC deadline to its earliest timer.
func (k *Kernel) programTimer(p *percpu) {
	var next uint64
	if len(p.timers) > 0 {
		next = max(p.timers[0].expires, 1)
	}
	if next == p.deadline || !p.online || p.inHrtirq {
		return
	}
	p.deadline = next
	k.charge(p, k.costs.TimerProgram)
	k.m.LAPIC(p.id).WriteMSR(msrTSCDeadline, next)
}

// hrtimerInterrupt is hrtimer_interrupt: run every expired timer of CPU
// p, then program the next.
func (k *Kernel) hrtimerInterrupt(p *percpu) {
	p.deadline = 0 // the deadline fired: the APIC disarmed it
	// Timers the expiring functions arm are programmed once, after the
	// loop (hrtimer_interrupt's in_hrtirq).
	p.inHrtirq = true
	defer func() { p.inHrtirq = false; k.programTimer(p) }()
	for len(p.timers) > 0 && p.timers[0].expires <= k.now(p) {
		tm := p.timers[0]
		p.timers = p.timers[1:]
		tm.queued = false
		k.traceTimer(p, EvHrtimerExpireEntry, tm)
		k.charge(p, k.costs.TimerExpire)
		tm.fn(p, tm)
		k.traceAt(p, EvHrtimerExpireExit, tm.name, tm.id)
	}
}

// tickTimer is tick_sched_timer: the periodic tick, re-armed one period on.
func (k *Kernel) tickTimer(p *percpu, tm *hrtimer) {
	k.charge(p, k.costs.Tick)
	k.schedTick(p)
	k.hrtimerStart(p, tm, tm.expires+k.tickPeriod)
}

// tickRestart starts CPU p's tick at the next tick boundary (jiffies are
// common to every CPU, so ticks fall on multiples of the period).
func (k *Kernel) tickRestart(p *percpu) {
	if p.tick == nil {
		p.tick = k.newTimer("tick_sched_timer", k.tickTimer)
	}
	if p.tick.queued {
		return
	}
	now := k.now(p)
	k.hrtimerStart(p, p.tick, (now/k.tickPeriod+1)*k.tickPeriod)
}

// tickStop stops CPU p's tick while it idles (NO_HZ_IDLE).
func (k *Kernel) tickStop(p *percpu) {
	if p.tick != nil && p.tick.queued {
		k.traceTimer(p, EvHrtimerCancel, p.tick)
		k.hrtimerCancel(p.tick)
		k.programTimer(p)
	}
}

// wakeTimer is hrtimer_wakeup: the sleeper's time is up.
func (k *Kernel) wakeTimer(p *percpu, tm *hrtimer) {
	if t := tm.task; t != nil && t.state != TaskRunning {
		k.wakeUp(p, t)
		t.woken = false // woken by its timer
	}
}

// sleepUntil puts the calling task to sleep until cycle expires (an
// absolute time): TASK_INTERRUPTIBLE for nanosleep, TASK_UNINTERRUPTIBLE
// for msleep. Then the call completes with 0.
func (k *Kernel) sleepUntil(p *percpu, t *Task, a *callArgs, expires uint64, state int, what string) (int64, bool) {
	if expires <= k.now(p) {
		return 0, true
	}
	if t.sleepTimer == nil {
		t.sleepTimer = k.newTimer("hrtimer_wakeup", k.wakeTimer)
		t.sleepTimer.task = t
	}
	k.hrtimerStart(p, t.sleepTimer, expires)
	k.block(p, t, a, state, what, func(p *percpu) {
		k.hrtimerCancel(t.sleepTimer)
		k.complete(p, t, a, 0)
	})
	return 0, false
}

// timespecNS reads a struct timespec (32-bit tv_sec, tv_nsec) as
// nanoseconds; ok is false for a bad pointer or tv_nsec out of range.
func (k *Kernel) timespecNS(addr uint32) (uint64, bool) {
	sec, ok1 := k.readU32(addr)
	nsec, ok2 := k.readU32(addr + 4)
	if !ok1 || !ok2 || nsec >= 1_000_000_000 || int32(sec) < 0 {
		return 0, false
	}
	return uint64(sec)*1_000_000_000 + uint64(nsec), true
}

// putTimespec writes ns as a struct timespec.
func (k *Kernel) putTimespec(addr uint32, ns uint64) bool {
	return k.writeU32(addr, uint32(ns/1_000_000_000)) && k.writeU32(addr+4, uint32(ns%1_000_000_000))
}

// nsToCyclesCeil converts a time in ns to the first cycle at or after it.
func (k *Kernel) nsToCyclesCeil(ns uint64) uint64 { return (ns*k.mhz + 999) / 1000 }

// clockNanosleep is clock_nanosleep(clock, flags, req, rem).
func (k *Kernel) clockNanosleep(p *percpu, t *Task, a *callArgs, clock, flags, req uint32) (int64, bool) {
	if clock != ClockMonotonic && clock != ClockRealtime {
		return -EINVAL, true
	}
	ns, ok := k.timespecNS(req)
	if !ok {
		return -EINVAL, true
	}
	expires := k.nsToCyclesCeil(ns)
	if flags&TimerAbstime == 0 {
		expires += k.now(p)
	}
	return k.sleepUntil(p, t, a, expires, TaskInterruptible, "hrtimer_nanosleep")
}

// msleep is msleep(ms): as in 2.6, a timer-wheel sleep of
// msecs_to_jiffies(ms)+1 jiffies, ending on a tick boundary.
func (k *Kernel) msleep(p *percpu, t *Task, a *callArgs, ms uint32) (int64, bool) {
	jiffies := (uint64(ms)*uint64(k.cfg.HZ) + 999) / 1000
	expires := (k.now(p)/k.tickPeriod + jiffies + 1) * k.tickPeriod
	return k.sleepUntil(p, t, a, expires, TaskUninterruptible, "msleep")
}

// delay makes the caller busy for n cycles (udelay and friends): the
// processor passes the time without executing, taking interrupts if the
// caller has them on.
func (k *Kernel) delay(p *percpu, n uint64) (int64, bool) {
	k.charge(p, k.costs.Delay)
	p.c.R[cpu.EAX] = 0
	p.c.Busy(n)
	return 0, true
}
