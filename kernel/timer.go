package kernel

// This file implements time: per-CPU high-resolution timers on the local
// APIC timer in TSC-deadline mode (one interrupt per expiry, exact to the
// cycle), the periodic tick as one of them (stopped while the CPU idles,
// as NO_HZ_IDLE does), sleeping, and the clocks.

import (
	"math/bits"
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

// newTimer makes a timer. Its id, which traces print, counts the
// kernel's timers: the same in every run of the same image.
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
	q := p.timers
	for i, x := range q {
		if x == tm {
			copy(q[i:], q[i+1:])
			q[len(q)-1] = nil
			p.timers = q[:len(q)-1]
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
		k.hrtimerCancel(tm) // off the queue, in place
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
	if t := tm.task; t != nil && t.state != TaskRunning && k.wakeUp(p, t) {
		k.latTimerWake(p, tm, t)
	}
}

// sleepUntil puts the calling task to sleep until cycle expires (an
// absolute time): TASK_INTERRUPTIBLE for nanosleep, TASK_UNINTERRUPTIBLE
// for msleep. Then the call completes with 0. A time already past sleeps
// too, as Linux's do_nanosleep does: the timer is started, its expiry
// programmed into the past fires the timer interrupt at once (a TSC
// deadline at or below the counter fires when written, as
// clockevents_program_min_delta makes it), and its hrtimer_wakeup ends
// the sleep — a timer wake-up, latency sample and all, as cyclictest
// counts one.
func (k *Kernel) sleepUntil(p *percpu, t *Task, a *callArgs, expires uint64, state int, what string) (int64, bool) {
	if t.sleepTimer == nil {
		t.sleepTimer = k.newTimer("hrtimer_wakeup", k.wakeTimer)
		t.sleepTimer.task = t
	}
	k.hrtimerStart(p, t.sleepTimer, expires)
	// Woken before its time — wake_up_process, as no signal ends a
	// sleep here — the task sleeps on, as the loops of Linux's msleep
	// and do_nanosleep do.
	var sleep func(p *percpu)
	sleep = func(p *percpu) {
		if k.now(p) < expires && t.sleepTimer.queued {
			k.block(p, t, a, state, what, sleep)
			return
		}
		k.hrtimerCancel(t.sleepTimer)
		k.complete(p, t, a, 0)
	}
	k.block(p, t, a, state, what, sleep)
	return 0, false
}

// timespecNS reads a struct timespec (32-bit tv_sec, tv_nsec) as
// nanoseconds; the error is -EFAULT for a bad pointer, -EINVAL for a
// negative tv_sec or a tv_nsec out of range (as copy_from_user and
// timespec64_valid make them).
func (k *Kernel) timespecNS(addr uint32) (uint64, int64) {
	if !k.inRAM(addr, 8) {
		return 0, -EFAULT
	}
	sec, _ := k.readU32(addr)
	nsec, _ := k.readU32(addr + 4)
	if nsec >= 1_000_000_000 || int32(sec) < 0 {
		return 0, -EINVAL
	}
	return uint64(sec)*1_000_000_000 + uint64(nsec), 0
}

// putTimespec writes ns as a struct timespec: all of it, or (when it
// does not fit in RAM) nothing.
func (k *Kernel) putTimespec(addr uint32, ns uint64) bool {
	if !k.inRAM(addr, 8) {
		return false
	}
	return k.writeU32(addr, uint32(ns/1_000_000_000)) && k.writeU32(addr+4, uint32(ns%1_000_000_000))
}

// never is the cycle of a time too far for any run to reach (at 1000
// MHz, in 292 years): sleeps to times past it end there, so that a
// sleep's length can never wrap the cycle counter round to a short one.
const never = 1 << 63

// nsToCyclesCeil converts a time in ns to the first cycle at or after it,
// or never if that is later.
func (k *Kernel) nsToCyclesCeil(ns uint64) uint64 {
	hi, lo := bits.Mul64(ns, k.mhz)
	if hi != 0 || lo/1000 >= never {
		return never
	}
	return (lo + 999) / 1000
}

// clockNanosleep is clock_nanosleep(clock, flags, req, rem).
func (k *Kernel) clockNanosleep(p *percpu, t *Task, a *callArgs, clock, flags, req uint32) (int64, bool) {
	if clock != ClockMonotonic && clock != ClockRealtime {
		return -EINVAL, true
	}
	ns, err := k.timespecNS(req)
	if err != 0 {
		return err, true
	}
	what := "clock_nanosleep"
	if a.nr == SysNanosleep {
		what = "nanosleep"
	}
	if !k.mayBlock(p, t, what) {
		return -EINVAL, true
	}
	expires := k.nsToCyclesCeil(ns)
	if flags&TimerAbstime == 0 {
		expires = min(expires+k.now(p), never) // both below never: no wrap
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
