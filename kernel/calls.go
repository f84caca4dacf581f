package kernel

// This file implements the system calls and kernel services: the table
// the dispatcher looks them up in, and each handler. A handler returns the
// call's result and true, or false when its task blocked: it has then
// arranged for complete to be called when the task runs again.

import (
	"fmt"
	"slices"
	"strings"

	"preemptlab/cpu"
)

// callFn handles one call of task t on CPU p.
type callFn func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool)

// EBADF is returned for a write to a file descriptor other than the
// console's.
const EBADF = 9

// maxWrite bounds one write or console write (an absurd size is -EINVAL).
const maxWrite = 1 << 20

var callTable = map[uint32]callFn{
	SysExit:               callExit,
	SysExitGroup:          callExit,
	SysWrite:              callWrite,
	SysGetpid:             func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) { return int64(t.PID), true },
	SysGettid:             func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) { return int64(t.PID), true },
	SysNice:               callNice,
	SysReboot:             callReboot,
	SysSchedSetparam:      callSetparam,
	SysSchedGetparam:      callGetparam,
	SysSchedSetscheduler:  callSetscheduler,
	SysSchedGetscheduler:  callGetscheduler,
	SysSchedYield:         callYield,
	SysSchedGetPrioMax:    callPrioMax,
	SysSchedGetPrioMin:    callPrioMin,
	SysSchedRRGetInterval: callRRInterval,
	SysNanosleep: func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
		return k.clockNanosleep(p, t, a, ClockMonotonic, 0, a.a[0])
	},
	SysSchedSetaffinity: callSetaffinity,
	SysSchedGetaffinity: callGetaffinity,
	SysClockGettime:     callClockGettime,
	SysClockGetres: func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
		if a.a[1] != 0 && !k.putTimespec(a.a[1], 1) {
			return -EFAULT, true
		}
		return 0, true
	},
	SysClockNanosleep: func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
		return k.clockNanosleep(p, t, a, a.a[0], a.a[1], a.a[2])
	},

	SvcStartKernel: func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
		if r := k.startKernel(p); r != 0 {
			return r, true
		}
		return 0, false
	},
	SvcKthreadRun: func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
		return k.createTask(p, a.a[0], a.a[1], a.a[2], false, 0, -1), true
	},
	SvcKthreadRunOn: func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
		if a.a[3] >= uint32(len(k.cpus)) {
			return -EINVAL, true
		}
		return k.createTask(p, a.a[0], a.a[1], a.a[2], false, 0, int(a.a[3])), true
	},
	SvcUserTaskRun: func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
		return k.createTask(p, a.a[0], a.a[1], a.a[2], true, a.a[3], -1), true
	},
	SvcDoExit: callExit,
	SvcUserTaskExit: func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
		return -EINVAL, true // internal, and unused: user tasks end through SYS_exit
	},
	SvcPowerOff: func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) { k.end(0, ""); return 0, false },
	SvcKernelExit: func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
		k.end(int(a.a[0]<<1|1), "")
		return 0, false
	},
	SvcConsoleWrite: func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
		return k.consoleWrite(p, a.a[0], a.a[1]), true
	},
	SvcRegisterSys: callRegisterSyscall,
	SvcGetCmdline:  callGetCmdline,
	SvcTaskInfo:    callTaskInfo,

	SvcSchedule: func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
		if !k.mayBlock(p, t, "schedule") {
			return -EINVAL, true
		}
		k.saveCaller(p, t, a)
		k.schedule(p, func(p *percpu) { k.complete(p, t, a, 0) })
		return 0, false
	},
	SvcSetCurrentState: func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
		if a.a[0] > TaskUninterruptible {
			return -EINVAL, true
		}
		t.state = int(a.a[0])
		if t.state != TaskRunning {
			t.waitingOn = "schedule() after set_current_state"
		}
		return 0, true
	},
	SvcWakeUpProcess: func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
		o := k.taskByPID(t, int(a.a[0]))
		if o == nil {
			return -ESRCH, true
		}
		if k.wakeUp(p, o) {
			return 1, true
		}
		return 0, true
	},
	SvcSetUserNice: func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
		o := k.taskByPID(t, int(a.a[0]))
		if o == nil {
			return -ESRCH, true
		}
		k.setNice(p, o, int(int32(a.a[1])))
		return 0, true
	},
	SvcMightSleep:      callMightSleep,
	SvcCondResched:     callCondResched,
	SvcCondReschedLock: func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) { return k.condReschedLock(p, t, a) },
	SvcNeedResched: func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
		return int64(b2i(t.needResched)), true
	},
	SvcSpinNeedbreak: func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
		o, err := k.lockAt(p, a.a[0], "spin_needbreak", LockKindRawSpinlock, LockKindSpinlock, LockKindRwlock)
		if err != 0 {
			return err, true
		}
		return int64(b2i(o.spin != nil && k.model.Lockbreak && o.spin.BreakLock)), true
	},
	SvcSmpProcessorID: func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) { return int64(p.id), true },
	SvcGetCPU:         callGetCPU,
	SvcPutCPU:         callPreemptEnable,

	SvcPreemptDisable: func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
		k.preemptDisable(p, t, "preempt_disable")
		return 0, true
	},
	SvcPreemptEnable: callPreemptEnable,
	SvcPreemptEnableNoResched: func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
		if k.fullPreempt() && t.preemptCount&preemptMask != 0 {
			t.preemptCount--
		}
		return 0, true
	},
	SvcLocalIRQDisable: func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) { k.setIF(p, false); return 0, true },
	SvcLocalIRQEnable:  func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) { k.setIF(p, true); return 0, true },
	SvcLocalIRQSave: func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
		f := p.c.EFLAGS()
		k.setIF(p, false)
		return int64(f), true
	},
	SvcLocalIRQRestore: func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
		k.setIF(p, a.a[0]&cpu.FlagIF != 0)
		return 0, true
	},
	SvcLocalBHDisable: callLocalBHDisable,
	SvcLocalBHEnable:  callLocalBHEnable,

	SvcLockInit: func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
		_, err := k.lockInit(a.a[0], a.a[1], a.a[2], a.a[3])
		return err, true
	},
	SvcSpinLock: func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
		return k.spinLock(p, t, a, "spin_lock")
	},
	SvcSpinUnlock: func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
		return k.spinUnlock(p, t, a, "spin_unlock")
	},
	SvcSpinTrylock: func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) { return k.spinTrylock(p, t, a) },
	SvcReadLock: func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
		return k.spinLock(p, t, a, "read_lock")
	},
	SvcReadUnlock: func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
		return k.spinUnlock(p, t, a, "read_unlock")
	},
	SvcWriteLock: func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
		return k.spinLock(p, t, a, "write_lock")
	},
	SvcWriteUnlock: func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
		return k.spinUnlock(p, t, a, "write_unlock")
	},

	SvcWaitForCompletion: callWaitForCompletion,
	SvcComplete:          func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) { return k.complete1(p, a, false) },
	SvcCompleteAll:       func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) { return k.complete1(p, a, true) },
	SvcPrepareToWait:     callPrepareToWait,
	SvcFinishWait:        callFinishWait,
	SvcWakeUp:            callWakeUpQueue,
	SvcWakeUpAll:         callWakeUpQueue,

	SvcRequestIRQ: func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
		return k.requestIRQ(p, a.a[0], a.a[1], a.a[2], a.a[3], a.a[4]), true
	},
	SvcFreeIRQ: func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
		return k.freeIRQ(p, a.a[0], a.a[1]), true
	},
	SvcOpenSoftirq: func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
		return k.openSoftirq(a.a[0], a.a[1]), true
	},
	SvcRaiseSoftirq: func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
		if a.a[0] >= NrSoftirqs {
			return -EINVAL, true
		}
		k.raiseSoftirq(p, int(a.a[0]))
		return 0, true
	},
	SvcIRQThreadPID: func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) { return k.irqThreadPID(a.a[0]), true },

	SvcNdelay: func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
		return k.delay(p, (uint64(a.a[0])*k.mhz+999)/1000)
	},
	SvcUdelay: func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
		return k.delay(p, uint64(a.a[0])*k.mhz)
	},
	SvcMdelay: func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
		return k.delay(p, uint64(a.a[0])*k.mhz*1000)
	},
	SvcMsleep: func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
		if !k.mayBlock(p, t, "msleep") {
			return -EINVAL, true
		}
		return k.msleep(p, t, a, a.a[0])
	},
	SvcKtimeGet: func(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
		a.ret64 = true
		return int64(k.cyclesToNS(k.now(p))), true
	},
}

// syscallFns and serviceFns are callTable as arrays, for the dispatcher.
var (
	syscallFns [SysImageFirst]callFn
	serviceFns [0x100]callFn
)

func init() {
	defer func() {
		for nr, h := range callTable {
			switch {
			case nr < SysImageFirst:
				syscallFns[nr] = h
			case nr >= ServiceFirst && nr < ServiceFirst+uint32(len(serviceFns)):
				serviceFns[nr-ServiceFirst] = h
			default:
				panic(fmt.Sprintf("kernel: call %#x has no place in the dispatch tables", nr))
			}
		}
	}()
	addSleepLockCalls()
	addRCUCalls()
}

// taskByPID finds a task by pid (0: the caller); idle tasks and dead ones
// are not found.
func (k *Kernel) taskByPID(caller *Task, pid int) *Task {
	if pid == 0 {
		return caller
	}
	if pid < 0 {
		return nil
	}
	for _, t := range k.tasks {
		if t.PID == pid && t.kind != kindIdle && t.state != taskDead {
			return t
		}
	}
	return nil
}

// mayBlock reports whether the calling context may sleep, reporting the
// BUG Linux prints when it may not: in interrupt context, with preemption
// counted off, or with interrupts off.
func (k *Kernel) mayBlock(p *percpu, t *Task, what string) bool {
	switch {
	case !k.started:
		k.bug(p, what+" before start_kernel: the boot code cannot sleep")
	case t.atomic() || !p.c.IF():
		// Linux's schedule() reports "scheduling while atomic"; a call
		// that sleeps reaches its might_sleep() first.
		bug := "sleeping function called from invalid context"
		if what == "schedule" || what == "sched_yield" {
			bug = "scheduling while atomic"
		}
		k.bug(p, fmt.Sprintf("%s: %s %s", bug, what, k.atomicContext(p, t)))
	case t.heldSpinning() != nil:
		h := t.heldSpinning()
		k.bug(p, fmt.Sprintf("sleeping function called from invalid context: %s while holding the spinning lock %s (taken at %s)", what, h.o.name, k.syms.where(h.at)))
	default:
		return true
	}
	return false
}

// atomicContext says why the calling context of task t on CPU p may not
// sleep, for the BUG reports: in hard-IRQ or softirq context (naming the
// handler), with bottom halves, preemption or interrupts disabled, and
// the preemption count and interrupt flag.
func (k *Kernel) atomicContext(p *percpu, t *Task) string {
	handler := ""
	if n := len(t.upcalls); n > 0 {
		handler = t.upcalls[n-1].what + ", "
	}
	var ctx string
	switch {
	case t.inIRQ():
		ctx = "in hard-IRQ context"
	case t.preemptCount&softirqMask != 0 && strings.HasPrefix(handler, "softirq "):
		ctx = "in softirq context"
	case t.preemptCount&softirqMask != 0:
		ctx, handler = "with bottom halves disabled", ""
	case t.preemptCount&preemptMask != 0:
		ctx, handler = "with preemption disabled", ""
	case t.bhCount > 0 && p.c.IF() && strings.HasPrefix(handler, "softirq "):
		ctx = "in softirq context" // a softirq thread's handler
	case t.bhCount > 0 && p.c.IF():
		ctx, handler = "with bottom halves disabled", ""
	default:
		ctx, handler = "with interrupts disabled", ""
	}
	return fmt.Sprintf("%s (%spreemption count %#x, interrupts %s)", ctx, handler, t.preemptCount, onOff(p.c.IF()))
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func callExit(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
	if !k.started {
		k.fatal(p, StatusPanic, "exit called by the image's boot code, before start_kernel")
		return 0, false
	}
	if t.inInterrupt() {
		// An interrupt handler or softirq action has no task of its own
		// to end: it would end the task it interrupted (do_exit's check).
		k.panic(p, "Aiee, killing interrupt handler! (exit "+k.atomicContext(p, t)+")")
		return 0, false
	}
	k.doExit(p, t, int(int32(a.a[0])))
	return 0, false
}

func callWrite(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
	if a.a[0] != 1 && a.a[0] != 2 {
		return -EBADF, true
	}
	return k.consoleWrite(p, a.a[1], a.a[2]), true
}

// consoleWrite writes n bytes at buf to the console, whole.
func (k *Kernel) consoleWrite(p *percpu, buf, n uint32) int64 {
	if n == 0 {
		return 0 // nothing is read: any pointer will do, as on Linux
	}
	if n > maxWrite {
		return -EINVAL
	}
	b, ok := k.readBytes(buf, n)
	if !ok {
		return -EFAULT
	}
	k.charge(p, k.costs.ConsoleWrite+uint64(n)*k.costs.ConsoleByte)
	if w := k.m.Config().Console; w != nil {
		w.Write(b)
	}
	return int64(n)
}

func callNice(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
	inc := int(int32(a.a[0]))
	if inc < 0 && !t.rtGroup {
		return -EPERM, true
	}
	k.setNice(p, t, t.nice+inc)
	return 0, true
}

// setNice sets a task's nice value, clamped to -20..19.
func (k *Kernel) setNice(p *percpu, t *Task, nice int) {
	t.nice = min(max(nice, -20), 19)
	if !t.isRT() && t.kind != kindIdle {
		k.adjustPrio(t)
	}
}

func callReboot(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
	if a.a[0] != RebootMagic1 || a.a[1] != RebootMagic2 {
		return -EINVAL, true
	}
	if !t.rtGroup {
		return -EPERM, true
	}
	if a.a[2] != RebootPowerOff {
		return -EINVAL, true
	}
	k.end(0, "")
	return 0, false
}

func callSetscheduler(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
	return k.setScheduler(p, t, int(int32(a.a[0])), int(a.a[1]), a.a[2]), true
}

func callSetparam(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
	if a.a[1] == 0 || int32(a.a[0]) < 0 {
		return -EINVAL, true
	}
	o := k.taskByPID(t, int(a.a[0]))
	if o == nil {
		return -ESRCH, true
	}
	return k.setScheduler(p, t, int(int32(a.a[0])), o.policy, a.a[1]), true
}

// setScheduler is sched_setscheduler(pid, policy, param) by caller:
// setting a realtime policy needs the realtime capability (the realtime
// LSM's group, or a kernel thread).
func (k *Kernel) setScheduler(p *percpu, caller *Task, pid, policy int, param uint32) int64 {
	if param == 0 || pid < 0 {
		return -EINVAL // do_sched_setscheduler's first check
	}
	o := k.taskByPID(caller, pid)
	if o == nil {
		return -ESRCH
	}
	prio, ok := k.readU32(param)
	if !ok {
		return -EFAULT
	}
	switch policy {
	case SchedFIFO, SchedRR:
		if prio < 1 || prio > maxUserRT {
			return -EINVAL
		}
		if !caller.rtGroup {
			return -EPERM
		}
	case SchedOther:
		if prio != 0 {
			return -EINVAL
		}
	default:
		return -EINVAL
	}
	if o.kind == kindIdle {
		return -EPERM
	}
	o.policy, o.rtPrio = policy, int(prio)
	if policy == SchedOther {
		o.rtPrio = 0
	}
	if policy == SchedRR {
		o.slice = k.rrTicks()
	}
	old := o.prio
	k.adjustPrio(o)
	q := k.cpus[o.cpu]
	switch {
	case o.running && o.prio > old:
		// prio_changed_rt, switched_from_rt: the CPU of a running
		// task that lowered its priority pulls the realtime tasks now
		// above it, then gives way to what is queued above it.
		k.pullRT(q)
		if o.prio > q.rq.queuedPrio() {
			k.resched(p, q)
		}
	case o.onRQ && !o.running:
		k.checkPreempt(p, q, o)
	}
	return 0
}

func callGetscheduler(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
	if int32(a.a[0]) < 0 {
		return -EINVAL, true
	}
	o := k.taskByPID(t, int(a.a[0]))
	if o == nil {
		return -ESRCH, true
	}
	return int64(o.policy), true
}

func callGetparam(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
	if a.a[1] == 0 || int32(a.a[0]) < 0 {
		return -EINVAL, true
	}
	o := k.taskByPID(t, int(a.a[0]))
	if o == nil {
		return -ESRCH, true
	}
	if !k.writeU32(a.a[1], uint32(o.rtPrio)) {
		return -EFAULT, true
	}
	return 0, true
}

func callYield(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
	if !k.mayBlock(p, t, "sched_yield") {
		return -EINVAL, true
	}
	t.requeueTail = true
	if !t.isRT() {
		// CFS yield: go behind every queued fair task.
		for _, o := range p.rq.fair {
			t.vruntime = max(t.vruntime, o.vruntime+1)
		}
	}
	k.saveCaller(p, t, a)
	k.schedule(p, func(p *percpu) { k.complete(p, t, a, 0) })
	return 0, false
}

func callPrioMax(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
	switch a.a[0] {
	case SchedFIFO, SchedRR:
		return maxUserRT, true
	case SchedOther:
		return 0, true
	}
	return -EINVAL, true
}

func callPrioMin(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
	switch a.a[0] {
	case SchedFIFO, SchedRR:
		return 1, true
	case SchedOther:
		return 0, true
	}
	return -EINVAL, true
}

func callRRInterval(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
	if int32(a.a[0]) < 0 {
		return -EINVAL, true
	}
	o := k.taskByPID(t, int(a.a[0]))
	if o == nil {
		return -ESRCH, true
	}
	var ns uint64
	if o.policy == SchedRR {
		ns = k.cyclesToNS(k.rrSlice)
	}
	if !k.putTimespec(a.a[1], ns) {
		return -EFAULT, true
	}
	return 0, true
}

func callSetaffinity(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
	o := k.taskByPID(t, int(a.a[0]))
	if o == nil {
		return -ESRCH, true
	}
	if a.a[1] < 4 {
		return -EINVAL, true
	}
	mask, ok := k.readU32(a.a[2])
	if !ok {
		return -EFAULT, true
	}
	mask &= 1<<uint(len(k.cpus)) - 1
	// The idle tasks and the per-CPU softirq threads stay on their CPU
	// (Linux's PF_NO_SETAFFINITY).
	if mask == 0 || o.kind == kindIdle || o.kind == kindSoftirq {
		return -EINVAL, true
	}
	o.affinity = uint64(mask)
	q := k.cpus[o.cpu]
	switch {
	case o.running && !o.allowed(q.id):
		if o != t {
			k.resched(p, q) // it moves when it next schedules
			return 0, true
		}
		k.saveCaller(p, t, a)
		k.preemptSchedule(p, func(p *percpu) { k.complete(p, t, a, 0) })
		return 0, false
	case o.onRQ && !o.running && !o.allowed(q.id):
		to := k.selectCPU(o)
		k.migrate(p, o, q, to)
		k.checkPreempt(p, to, o)
	}
	return 0, true
}

func callGetaffinity(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
	o := k.taskByPID(t, int(a.a[0]))
	if o == nil {
		return -ESRCH, true
	}
	if a.a[1] < 4 {
		return -EINVAL, true
	}
	if !k.writeU32(a.a[2], uint32(o.affinity)) {
		return -EFAULT, true
	}
	return 4, true
}

func callClockGettime(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
	if a.a[0] != ClockMonotonic && a.a[0] != ClockRealtime {
		return -EINVAL, true
	}
	if !k.putTimespec(a.a[1], k.cyclesToNS(k.now(p))) {
		return -EFAULT, true
	}
	return 0, true
}

func callRegisterSyscall(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
	nr, fn := a.a[0], a.a[1]
	if nr < SysImageFirst || nr > SysImageLast {
		return -EINVAL, true
	}
	if !k.inRAM(fn, 1) {
		return -EFAULT, true
	}
	if k.syscalls[nr] != 0 {
		return -EBUSY, true
	}
	k.syscalls[nr] = fn
	return 0, true
}

func callGetCmdline(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
	s := k.cfg.Cmdline
	if n := a.a[1]; n > 0 {
		b := []byte(s)
		if uint32(len(b)) >= n {
			b = b[:n-1]
		}
		if !k.writeGuest(a.a[0], append(b, 0)) {
			return -EFAULT, true
		}
	}
	return int64(len(s)), true
}

func callTaskInfo(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
	o := k.taskByPID(t, int(a.a[0]))
	if o == nil {
		return -ESRCH, true
	}
	switch a.a[1] {
	case TaskInfoPrio:
		return int64(o.prio), true
	case TaskInfoState:
		return int64(o.state), true
	case TaskInfoCPU:
		return int64(o.cpu), true
	case TaskInfoPolicy:
		return int64(o.policy), true
	case TaskInfoSwitches:
		return int64(o.switches), true
	}
	return -EINVAL, true
}

func callMightSleep(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
	if t.atomic() || !p.c.IF() {
		k.bug(p, "sleeping function called from invalid context: might_sleep() "+k.atomicContext(p, t))
		return 0, true
	}
	if k.model.Preempt == PreemptVoluntary && t.needResched {
		k.saveCaller(p, t, a)
		k.preemptSchedule(p, func(p *percpu) { k.complete(p, t, a, 0) })
		return 0, false
	}
	return 0, true
}

func callCondResched(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
	if !t.needResched || t.atomic() || !p.c.IF() {
		return 0, true
	}
	k.saveCaller(p, t, a)
	k.preemptSchedule(p, func(p *percpu) { k.complete(p, t, a, 1) })
	return 0, false
}

func callGetCPU(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
	k.preemptDisable(p, t, "get_cpu")
	return int64(p.id), true
}

func callPreemptEnable(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
	done := k.preemptEnable(p, t, a, func(p *percpu) { k.complete(p, t, a, 0) })
	return 0, done
}

// callLocalBHEnable is local_bh_enable: the softirq count drops and, out
// of interrupt context with softirqs pending, they run now; then the
// preemption check. Under softirq=thread it is bhEnableThread (bh.go).
func callLocalBHEnable(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
	if k.model.Softirq == SoftirqThread {
		return k.bhEnableThread(p, t, a)
	}
	if t.preemptCount&softirqMask == 0 {
		k.bug(p, "local_bh_enable without local_bh_disable")
		return -EINVAL, true
	}
	t.preemptCount -= softirqOffset
	check := func(p *percpu) {
		if k.fullPreempt() && t.preemptCount == 0 && t.needResched && a.ctx.EFLAGS&cpu.FlagIF != 0 {
			k.preemptSchedule(p, func(p *percpu) { k.complete(p, t, a, 0) })
			return
		}
		k.complete(p, t, a, 0)
	}
	if !t.inInterrupt() && p.softirqPending != 0 && k.model.Softirq == SoftirqIRQExit {
		k.saveCaller(p, t, a)
		k.doSoftirq(p, a.ctx.R[cpu.ESP]-64, check)
		return 0, false
	}
	if k.fullPreempt() && t.preemptCount == 0 && t.needResched && p.c.IF() {
		k.saveCaller(p, t, a)
		k.preemptSchedule(p, func(p *percpu) { k.complete(p, t, a, 0) })
		return 0, false
	}
	return 0, true
}

func callWaitForCompletion(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
	o, err := k.lockAt(p, a.a[0], "wait_for_completion", LockKindCompletion)
	if err != 0 {
		return err, true
	}
	if o.done > 0 {
		if o.done != doneAll {
			o.done--
		}
		return 0, true
	}
	if !k.mayBlock(p, t, "wait_for_completion") {
		return -EINVAL, true
	}
	var wait func(p *percpu)
	wait = func(p *percpu) {
		if o.done > 0 {
			if o.done != doneAll {
				o.done--
			}
			k.complete(p, t, a, 0)
			return
		}
		// Queued once: a waiter woken by something else (wake_up_process)
		// is still queued when it waits on.
		if !slices.Contains(o.waiters, t) {
			o.waiters = append(o.waiters, t)
		}
		k.block(p, t, a, TaskUninterruptible, "completion "+o.name, wait)
	}
	wait(p)
	return 0, false
}

// doneAll is complete_all's count: every wait passes.
const doneAll = 1<<31 - 1

// complete1 is complete(c) and complete_all(c).
func (k *Kernel) complete1(p *percpu, a *callArgs, all bool) (int64, bool) {
	o, err := k.lockAt(p, a.a[0], "complete", LockKindCompletion)
	if err != 0 {
		return err, true
	}
	if all {
		o.done = doneAll
		for _, w := range o.waiters {
			k.wakeUp(p, w)
		}
		o.waiters = nil
		return 0, true
	}
	if o.done != doneAll {
		o.done++
	}
	if len(o.waiters) > 0 {
		w := o.waiters[0]
		o.waiters = o.waiters[1:]
		k.wakeUp(p, w)
	}
	return 0, true
}

func callPrepareToWait(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
	o, err := k.lockAt(p, a.a[0], "prepare_to_wait", LockKindWaitqueue)
	if err != 0 {
		return err, true
	}
	if a.a[1] != TaskInterruptible && a.a[1] != TaskUninterruptible {
		return -EINVAL, true
	}
	queued := false
	for _, w := range o.waiters {
		queued = queued || w == t
	}
	if !queued {
		o.waiters = append(o.waiters, t)
	}
	t.state = int(a.a[1])
	t.waitingOn = "wait queue " + o.name
	return 0, true
}

func callFinishWait(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
	o, err := k.lockAt(p, a.a[0], "finish_wait", LockKindWaitqueue)
	if err != 0 {
		return err, true
	}
	t.state = TaskRunning
	t.waitingOn = ""
	o.waiters, _ = removeTask(o.waiters, t)
	return 0, true
}

// callWakeUpQueue is wake_up and wake_up_all: every waiter (they are all
// non-exclusive, as prepare_to_wait queues them) is woken and leaves the
// queue (autoremove_wake_function).
func callWakeUpQueue(k *Kernel, p *percpu, t *Task, a *callArgs) (int64, bool) {
	o, err := k.lockAt(p, a.a[0], "wake_up", LockKindWaitqueue)
	if err != 0 {
		return err, true
	}
	ws := o.waiters
	o.waiters = nil
	for _, w := range ws {
		k.wakeUp(p, w)
	}
	return 0, true
}
