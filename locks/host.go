package locks

// This file declares what the lock primitives need from the kernel.

// Task is a task as the locks see it: something that can hold a lock and
// wait for one. The kernel's *Task satisfies it; LockState returns the
// task's part of the lock layer's state (which sleeping lock it is
// blocked on, which it holds), kept in the task as Linux keeps
// pi_blocked_on and pi_waiters in task_struct.
type Task interface {
	String() string
	LockState() *TaskState
}

// TaskState is the lock layer's state of one task.
type TaskState struct {
	// Blocked is the waiter of the sleeping lock the task is blocked on
	// (Linux's pi_blocked_on), or nil.
	Blocked *Waiter
	// held lists the sleeping locks the task holds that can lend it
	// priority, in the order it took them.
	held []donor
}

// donor is a held lock that can lend its holder priority.
type donor interface {
	// donation is the priority the lock lends holder t (maxPrio: none).
	donation(t Task) int
	// name is the lock's name.
	name() string
}

// maxPrio is lower than any kernel priority: no donation.
const maxPrio = 1 << 30

// Waiter is one task waiting for a lock: a spinning CPU or a sleeping
// task. The kernel keeps its own state of the wait in Data.
type Waiter struct {
	Task Task
	CPU  int // the CPU it waits on (spinning) or last ran on
	// LockName is the name of the lock it waits for.
	LockName string
	// Prio is the waiter's priority in the lock's wait list (the task's
	// effective priority when it queued or was last requeued).
	Prio int
	// Write is set for a writer (rw-semaphore).
	Write bool
	// Granted is set when the lock was handed to this waiter.
	Granted bool
	// Data is the kernel's.
	Data any

	mutex *Mutex // the sleeping lock it waits on, for the PI chain
	rw    *RWSem
}

// Cost names an operation of the lock layer that costs cycles; the
// kernel's cost model says how many.
type Cost int

const (
	// CostPIStep is one step of the PI chain walk (rt_mutex_adjust_prio_chain's loop).
	CostPIStep Cost = iota
	// CostBoost is changing one task's priority for inheritance.
	CostBoost
)

// Host is what the lock primitives need from the kernel.
type Host interface {
	// Spin makes the calling context spin on its CPU, burning cycles and
	// taking interrupts unless it disabled them, until Grant.
	Spin(w *Waiter)
	// Grant hands the lock to a spinning waiter: its CPU stops spinning
	// and goes on as the owner, after the cycles the hand-off takes.
	Grant(w *Waiter)
	// Block puts the calling task to sleep until Wake (sleeping locks).
	Block(w *Waiter)
	// Wake wakes a blocked waiter, now the owner (w.Granted).
	Wake(w *Waiter)
	// Boost sets a task's effective priority (priority inheritance);
	// prio is a kernel priority (lower is more urgent).
	Boost(t Task, prio int)
	// Prio is a task's effective priority; NormalPrio its priority
	// without inheritance.
	Prio(t Task) int
	NormalPrio(t Task) int
	// Burn charges the cycles an operation costs to the CPU the kernel
	// acts for.
	Burn(c Cost)
	// Report tells of a condition a kernel developer must see (the PI
	// chain walk reaching max_lock_depth).
	Report(msg string)
}

// effective is task t's priority with inheritance: its normal priority
// or the most urgent donation of the locks it holds (rt_mutex_getprio).
func effective(h Host, t Task) int {
	p := h.NormalPrio(t)
	for _, d := range t.LockState().held {
		p = min(p, d.donation(t))
	}
	return p
}

// hold records that t holds d; release that it no longer does.
func hold(t Task, d donor) {
	s := t.LockState()
	s.held = append(s.held, d)
}

func release(t Task, d donor) {
	s := t.LockState()
	for i, x := range s.held {
		if x == d {
			s.held = append(s.held[:i], s.held[i+1:]...)
			return
		}
	}
}

// Holds returns the names of the sleeping locks t holds, in the order it
// took them.
func (s *TaskState) Holds() []string {
	var n []string
	for _, d := range s.held {
		n = append(n, d.name())
	}
	return n
}

// HeldMutexes returns the mutexes t holds, in the order it took them.
func (s *TaskState) HeldMutexes() []*Mutex {
	var ms []*Mutex
	for _, d := range s.held {
		if m, ok := d.(*Mutex); ok {
			ms = append(ms, m)
		}
	}
	return ms
}

// reprio sets t's effective priority to what its held locks lend it,
// reporting whether it changed.
func reprio(h Host, t Task) bool {
	p := effective(h, t)
	if p == h.Prio(t) {
		return false
	}
	h.Burn(CostBoost)
	h.Boost(t, p)
	return true
}
