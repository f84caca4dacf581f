package locks

// This file declares what the lock primitives need from the kernel.

// Task is a task as the locks see it: something that can hold a lock and
// wait for one. The kernel's *Task satisfies it.
type Task interface {
	String() string
}

// Waiter is one task waiting for a lock: a spinning CPU or a sleeping
// task. The kernel keeps its own state of the wait in Data.
type Waiter struct {
	Task Task
	CPU  int // the CPU it waits on (spinning) or last ran on
	Lock *SpinLock
	// Granted is set when the lock was handed to this waiter.
	Granted bool
	// Data is the kernel's.
	Data any
}

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
	// Wake wakes a blocked waiter, now the owner or free to retry.
	Wake(w *Waiter)
	// Boost sets a task's effective priority (priority inheritance);
	// prio is a kernel priority (lower is more urgent).
	Boost(t Task, prio int)
	// Burn charges cycles to the CPU the kernel acts for (a PI-chain step).
	Burn(cycles uint64)
}
