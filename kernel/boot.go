package kernel

// This file implements start_kernel and the bring-up of every CPU (the
// local APIC, INIT/SIPI for the application processors, the idle task and
// the tick), and the creation and end of tasks.

import (
	"encoding/binary"
	"fmt"
	"strings"

	"preemptlab/cpu"
)

// Local APIC registers the kernel programs.
const (
	lapicTPR      = 0x080
	lapicEOI      = 0x0B0
	lapicSVR      = 0x0F0
	lapicICRLow   = 0x300
	lapicICRHigh  = 0x310
	lapicLVTTimer = 0x320
	lapicLINT0    = 0x350
	lapicLINT1    = 0x360
	lapicLVTError = 0x370
)

// newTask makes a task: SCHED_OTHER, nice 0, allowed on every CPU, not yet
// runnable.
func (k *Kernel) newTask(comm string, kind taskKind) *Task {
	t := &Task{PID: k.nextPID, Comm: comm, kind: kind, inSyscall: -1, softirq: -1}
	k.nextPID++
	t.affinity = 1<<uint(len(k.m.CPUs())) - 1
	t.prio = t.normalPrio()
	t.state = TaskUninterruptible
	k.tasks = append(k.tasks, t)
	return t
}

// kernelDaemon makes one of the kernel's own threads, bound to CPU p and
// asleep, running body when woken.
func (k *Kernel) kernelDaemon(p *percpu, comm string, kind taskKind, body func(p *percpu)) *Task {
	t := k.newTask(comm, kind)
	t.affinity = 1 << uint(p.id)
	t.cpu = p.id
	t.kstack = k.kernelStack(p, comm)
	t.kstackTop = t.kstack + kstackSize
	t.state = TaskInterruptible
	t.resume = body
	return t
}

// kernelStack allocates the kernel stack of one of the kernel's own
// tasks (an idle task, ksoftirqd, a softirq thread). When RAM has no
// room left — the image's tasks took it — the run ends with a panic, as
// Linux's boot does when it cannot spawn them: the task would otherwise
// run on a stack at address 0.
func (k *Kernel) kernelStack(p *percpu, who string) uint32 {
	s := k.allocStack(kstackSize)
	if s == 0 {
		k.panic(p, fmt.Sprintf("no memory for the kernel stack of %s: the image's tasks took all of it (--mem gives the machine more)", who))
	}
	return s
}

// wakeUpNew is wake_up_new_task: a new task's first run is queued.
func (k *Kernel) wakeUpNew(p *percpu, t *Task) {
	t.state = TaskRunning
	t.vruntime = p.rq.minVRT
	target := p
	switch {
	case k.started:
		target = k.selectCPU(t)
	case !t.allowed(p.id):
		target = k.cpus[t.cpu] // runs when its CPU comes up
	}
	k.enqueue(target, t, false)
	k.traceTask(p, EvSchedWakeupNew, t, target.id)
	if k.started {
		k.checkPreempt(p, target, t)
	}
}

// createTask is kthread_run and user_task_run: a task running fn(data)
// in kernel or user mode; when fn returns, the task exits with its value.
func (k *Kernel) createTask(p *percpu, fn, data, nameAddr uint32, user bool, flags uint32, cpuBound int) int64 {
	if !k.inRAM(fn, 1) {
		return -EFAULT
	}
	// The name is copied now, as kthread_run formats it into the task's
	// comm: the caller may reuse its buffer for the next task's name.
	var name string
	if nameAddr != 0 {
		var ok bool
		if name, ok = k.readString(nameAddr); !ok {
			return -EFAULT
		}
	}
	kind := kindKthread
	if user {
		kind = kindUser
	}
	// The stacks first: a task that cannot have them is never made (it
	// would stay in the task list, and in the pid space, with no context).
	kstack := k.allocStack(kstackSize)
	if kstack == 0 {
		return -ENOMEM
	}
	var ustack uint32
	if user {
		if ustack = k.allocStack(ustackSize); ustack == 0 {
			k.freeStack(kstack, kstackSize)
			return -ENOMEM
		}
	}
	k.charge(p, k.costs.TaskCreate)
	t := k.newTask(name, kind)
	if t.Comm == "" {
		t.Comm = fmt.Sprintf("task%d", t.PID)
	}
	if len(t.Comm) > 15 { // TASK_COMM_LEN
		t.Comm = t.Comm[:15]
	}
	t.fn, t.data = fn, data
	t.cpu = p.id
	if cpuBound >= 0 {
		t.affinity = 1 << uint(cpuBound)
		t.cpu = cpuBound
	}
	t.kstack = kstack
	t.kstackTop = t.kstack + kstackSize
	var frame [8]byte // the return address, then the argument
	binary.LittleEndian.PutUint32(frame[4:], data)
	if user {
		t.rtGroup = flags&TaskRTGroup != 0
		t.ustack = ustack
		t.ustackTop = t.ustack + ustackSize
		binary.LittleEndian.PutUint32(frame[:], k.textBase+offUserRet)
		sp := t.ustackTop - 16
		k.writeGuest(sp, frame[:])
		t.ctx = userContext(fn, sp)
	} else {
		t.rtGroup = true // kernel threads have every capability
		binary.LittleEndian.PutUint32(frame[:], k.textBase+offKthreadRet)
		sp := t.kstackTop - 16
		k.writeGuest(sp, frame[:])
		t.ctx = kernelContext(fn, sp, true)
	}
	k.wakeUpNew(p, t)
	return int64(t.PID)
}

// doExit ends the current task on CPU p with code.
func (k *Kernel) doExit(p *percpu, t *Task, code int) {
	if t.kind == kindIdle {
		k.panic(p, "the idle task tried to exit")
		return
	}
	if t.preemptCount&inAtomicMask != 0 {
		k.bug(p, fmt.Sprintf("%v exits with preemption count %#x (a lock held?)", t, t.preemptCount))
		t.preemptCount = 0
	}
	if len(t.held) > 0 {
		// lockdep's debug_check_no_locks_held: the locks stay held.
		var names []string
		for _, h := range t.held {
			names = append(names, h.o.name+" (taken at "+k.syms.where(h.at)+")")
		}
		k.bug(p, fmt.Sprintf("lock held at task exit time: %v is exiting with locks still held: %s", t, strings.Join(names, ", ")))
	}
	t.exitCode = code
	t.state = taskDead
	t.upcalls = nil
	k.traceTask(p, EvSchedProcessExit, t, p.id)
	if t.sleepTimer != nil {
		k.hrtimerCancel(t.sleepTimer)
	}
	k.freeStack(t.ustack, ustackSize)
	t.ustack, t.ustackTop = 0, 0
	// The kernel stack is freed too: nothing runs on it after the switch.
	k.freeStack(t.kstack, kstackSize)
	k.schedule(p, func(p *percpu) { k.panic(p, fmt.Sprintf("%v ran after it exited", t)) })
}

// startKernel is start_kernel(): the kernel takes the machine.
func (k *Kernel) startKernel(p *percpu) int64 {
	if k.started {
		return -EINVAL
	}
	if p.id != 0 {
		return -EINVAL
	}
	runnable := false
	for _, t := range k.tasks {
		if t.kind == kindKthread || t.kind == kindUser {
			runnable = true
		}
	}
	if !runnable {
		k.fatal(p, StatusStuck, "start_kernel: the image created no task to run (kthread_run or user_task_run before start_kernel)")
		return 0
	}
	k.started = true
	boot := p.curr
	boot.kstack = k.kernelStack(p, boot.Comm)
	boot.kstackTop = boot.kstack + kstackSize
	for _, q := range k.cpus[1:] {
		idle := k.newTask(fmt.Sprintf("swapper/%d", q.id), kindIdle)
		idle.PID = 0
		k.nextPID--
		idle.affinity = 1 << uint(q.id)
		idle.cpu = q.id
		idle.kstack = k.kernelStack(q, idle.Comm)
		idle.kstackTop = idle.kstack + kstackSize
		q.idle = idle
	}
	for _, q := range k.cpus {
		k.startSoftirqThreads(q)
	}
	if k.ended {
		return 0 // out of memory for the kernel's own stacks
	}
	k.cpuUp(p)
	// Start the application processors as Linux's do_boot_cpu does:
	// INIT, then a start-up IPI at the trampoline's page.
	l := k.m.LAPIC(0)
	for _, q := range k.cpus[1:] {
		l.Write(lapicICRHigh, uint32(q.id)<<24)
		l.Write(lapicICRLow, 0x4500) // INIT, level assert
		l.Write(lapicICRHigh, uint32(q.id)<<24)
		l.Write(lapicICRLow, 0x4600|k.apPage>>12) // start-up
	}
	k.schedule(p, k.fnIdleLoop)
	return 0
}

// cpuUp brings CPU p into the kernel: its GDT and TSS, its local APIC (enabled,
// LINT0/1 masked, the timer in TSC-deadline mode on LOCAL_TIMER_VECTOR),
// its idle task as current, its tick.
func (k *Kernel) cpuUp(p *percpu) {
	c := p.c
	c.GDTR = cpu.DescriptorTable{Base: k.textBase + offGDT, Limit: gdtSize*8 - 1}
	// TR still held the reset value, a TSS at address 0, whose "I/O
	// bitmap" there let user tasks reach every port.
	c.TR = cpu.Segment{Sel: tssSel, Base: k.textBase + offTSS, Limit: tssLimit, Access: 0x8B}
	l := k.m.LAPIC(p.id)
	l.Write(lapicSVR, 0x100|vecSpurious)
	l.Write(lapicLINT0, 1<<16)
	l.Write(lapicLINT1, 1<<16)
	l.Write(lapicLVTError, vecError)
	l.Write(lapicTPR, 0)
	l.Write(lapicLVTTimer, 2<<17|vecLocalTimer) // TSC-deadline mode
	p.online = true
	p.curr = p.idle
	p.idle.running = true
	p.idle.cpu = p.id
	p.idle.state = TaskRunning
	p.idle.execStart = k.now(p)
	k.tickRestart(p)
}

// apStarted is an application processor leaving its trampoline.
func (k *Kernel) apStarted(p *percpu) {
	if p.online {
		// A task made it, not a processor's start-up code: an internal
		// call, -EINVAL (see abi.go).
		p.c.R[cpu.EAX] = negErrno(EINVAL)
		return
	}
	if p.idle == nil || p.c.EIP != k.apPage+apPM32+0x16 {
		k.fault(p, "the application processors' start-up call was made from elsewhere", p.c.EIP-2)
		return
	}
	k.cpuUp(p)
	k.schedule(p, k.fnIdleLoop)
}
