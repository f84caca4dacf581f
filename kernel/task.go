package kernel

// This file defines the task: its identity, scheduling attributes, state,
// and where it resumes when it next runs.

import (
	"fmt"

	"preemptlab/cpu"
	"preemptlab/locks"
)

// Kernel priorities, Linux's: 0–99 for realtime tasks (99 − rt_priority),
// 100–139 for SCHED_OTHER (120 + nice), 140 for the idle tasks.
const (
	maxRTPrio  = 100
	nicePrio0  = 120
	idlePrio   = 140
	maxUserRT  = 99
	defaultIRQ = 50 // rt_priority of IRQ and softirq threads
)

// taskKind says what a task is.
type taskKind uint8

const (
	kindKthread taskKind = iota // an image's kernel thread (CPL 0)
	kindUser                    // an image's user task (CPL 3)
	kindIdle                    // a CPU's idle task (swapper/N)
	kindIRQ                     // an IRQ thread (irq/N-name)
	kindSoftirq                 // ksoftirqd/N or a softirq thread
)

// Task states beyond TaskRunning, TaskInterruptible, TaskUninterruptible.
const taskDead = 64 // TASK_DEAD: exited

// Task is a thread of execution the scheduler runs: a kernel thread, a
// user task, an idle task, or one of the kernel's own threads. A task
// that is not running is data: its register state (ctx) and, for a task
// that stopped inside a kernel path, the continuation (resume) that goes
// on with that path when it runs again. Everything is owned by the
// machine's run goroutine.
type Task struct {
	PID  int
	Comm string
	kind taskKind

	policy   int // SchedOther, SchedFIFO, SchedRR
	rtPrio   int // rt_priority, 1–99, for FIFO and RR
	nice     int // -20–19, for OTHER
	prio     int // effective kernel priority (what traces print)
	affinity uint64
	rtGroup  bool // may set a realtime policy (realtime LSM group)

	state int // TaskRunning, TaskInterruptible, TaskUninterruptible, taskDead
	onRQ  bool
	// running is set while the task is some CPU's current task.
	running bool
	cpu     int // the CPU whose runqueue it is on, or where it last ran

	// preemptCount is the task's preemption count in Linux 2.6's layout
	// (thread_info->preempt_count): preempt bits 0–7, softirq 8–15,
	// hardirq 16–25, PREEMPT_ACTIVE bit 28.
	preemptCount uint32
	needResched  bool // TIF_NEED_RESCHED
	lazyResched  bool // TIF_NEED_RESCHED_LAZY
	// reschedNotice is when the task's CPU learns of needResched set by
	// resched: at once on that CPU, when the IPI arrives on another.
	reschedNotice uint64

	// ctx is the register state to run the task with when resume is nil
	// or when resume loads it.
	ctx cpu.Context
	// resume, when set, is what the task does when it next runs: the rest
	// of the kernel path it stopped in. It runs on the CPU the task runs
	// on then, and ends by loading a context.
	resume func(p *percpu)
	// upcalls are the guest functions the kernel called on this task's
	// stack and is waiting for, innermost last.
	upcalls []upcall
	// userCtx is a user task's user-mode state while it is in the kernel
	// (Linux's pt_regs), restored on return to user mode.
	userCtx cpu.Context
	// inSyscall is the system call a user task is in, or -1.
	inSyscall int

	fn, data          uint32 // the task's function and argument
	kstack, kstackTop uint32 // kernel stack [kstack, kstackTop)
	ustack, ustackTop uint32 // user stack (user tasks)

	// Scheduler accounting, in cycles.
	execStart uint64 // when its run time was last accounted
	pickedAt  uint64 // when it was last switched in
	sumExec   uint64 // total time run
	vruntime  uint64 // SCHED_OTHER virtual runtime (weighted)
	slice     uint64 // SCHED_RR ticks left in its slice
	nvcsw     uint64 // voluntary context switches (it blocked)
	nivcsw    uint64 // involuntary ones (it was preempted)
	switches  uint64 // times it was switched in
	// availableAt is the first cycle at which a CPU may take the task
	// (switch it in, move it, wake it): when the CPU that last queued
	// it was done with that runqueue, and when its last CPU had
	// switched away from it (Linux's rq->lock and p->on_cpu). Each
	// CPU's kernel work is done at once but charged as it goes, so
	// another CPU can come to the task at a time before that work
	// was done.
	availableAt uint64

	// waitingOn says what a blocked task waits for, for deadlock reports.
	waitingOn string
	// sleepTimer is the hrtimer of a sleeping task (nanosleep, msleep).
	sleepTimer *hrtimer
	// requeueTail is set by sched_yield and an expired RR slice: the
	// realtime task goes to the tail of its priority's list, not the
	// head where a preempted one keeps its place.
	requeueTail bool

	// irq is the line an IRQ thread serves; irqPending that its handlers
	// must run. softirq is the vector of a softirq thread (-1: all of
	// them, ksoftirqd).
	irq        *irqLine
	irqPending bool
	softirq    int

	exitCode int

	// lk is the lock layer's state: the sleeping lock it is blocked on,
	// those it holds (Linux's pi_blocked_on, pi_waiters).
	lk locks.TaskState
	// held are the locks it holds or is acquiring, for the checks.
	held []heldLock
	// rcuNesting is its RCU read-section depth; rcuExits counts the
	// outermost sections it left (for preemptible RCU's grace periods).
	rcuNesting int
	rcuExits   uint64
	// bhCount is its local_bh_disable depth under softirq=thread
	// (PREEMPT_RT's task::softirq_disable_cnt; in irq-exit mode the
	// softirq bits of preemptCount count it); bhLock is the CPU's
	// softirq lock its outermost local_bh_disable took, nil if it
	// took none (it was atomic then).
	bhCount int
	bhLock  *lockObj
	// migrateDisabled is its migrate_disable depth: while non-zero it
	// stays on the CPU it is on (it may be preempted, not moved).
	migrateDisabled int
	// latPending is the latency sample of a timer wake-up in progress
	// (latency.go).
	latPending *LatencySample
}

// isRT reports whether the task has a realtime policy.
func (t *Task) isRT() bool { return t.policy == SchedFIFO || t.policy == SchedRR }

// normalPrio returns the task's priority from its policy, before any
// boost: 99 − rt_priority for realtime tasks, 120 + nice otherwise.
func (t *Task) normalPrio() int {
	switch {
	case t.kind == kindIdle:
		return idlePrio
	case t.isRT():
		return maxUserRT - t.rtPrio
	}
	return nicePrio0 + t.nice
}

// allowed reports whether the task may run on CPU n: its affinity has
// n, or, while migration is disabled, n is the CPU it is on (Linux's
// is_migration_disabled: the scheduler treats its mask as that CPU's
// until migrate_enable).
func (t *Task) allowed(n int) bool {
	if t.migrateDisabled > 0 {
		return n == t.cpu
	}
	return t.affinity&(1<<uint(n)) != 0
}

// pushable reports whether the task, queued on CPU n, may be moved to
// another CPU (Linux's pushable_tasks: its mask has another CPU and it
// has not disabled migration).
func (t *Task) pushable(n int) bool {
	return t.migrateDisabled == 0 && t.affinity&^(1<<uint(n)) != 0
}

// stateChar is the state as ftrace's sched_switch prints prev_state.
func (t *Task) stateChar() string {
	switch t.state {
	case TaskRunning:
		return "R"
	case TaskInterruptible:
		return "S"
	case TaskUninterruptible:
		return "D"
	case taskDead:
		return "X"
	}
	return "?"
}

// String names the task as reports do: comm and pid.
func (t *Task) String() string { return fmt.Sprintf("%s (pid %d)", t.Comm, t.PID) }

// Preemption count layout (include/linux/hardirq.h, 2.6).
const (
	preemptMask   = 0x000000FF
	softirqOffset = 1 << 8
	softirqMask   = 0x0000FF00
	hardirqOffset = 1 << 16
	hardirqMask   = 0x03FF0000
	preemptActive = 1 << 28
	inAtomicMask  = preemptMask | softirqMask | hardirqMask
	interruptMask = softirqMask | hardirqMask
)

// inInterrupt reports Linux's in_interrupt(): in hard-IRQ or softirq
// context, or with bottom halves disabled — under softirq=thread by the
// task's own count, as PREEMPT_RT's softirq_count() reads
// current->softirq_disable_cnt.
func (t *Task) inInterrupt() bool { return t.preemptCount&interruptMask != 0 || t.bhCount > 0 }

// inSoftirq reports in_softirq(): serving a softirq or with bottom
// halves disabled, by the preemption count or the task's bh count.
func (t *Task) inSoftirq() bool { return t.preemptCount&softirqMask != 0 || t.bhCount > 0 }

// inIRQ reports in_irq(): in hard-IRQ context.
func (t *Task) inIRQ() bool { return t.preemptCount&hardirqMask != 0 }

// atomic reports whether the task may not sleep or be preempted: any
// count but PREEMPT_ACTIVE.
func (t *Task) atomic() bool { return t.preemptCount&inAtomicMask != 0 }
