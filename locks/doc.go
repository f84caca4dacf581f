// Package locks holds the lock primitives of the kernel's preemption
// designs: their state machines (who holds a lock, who waits, in which
// order, who is boosted) apart from how a waiter waits. It knows the kernel
// only through the Host interface it declares: a waiter spins or blocks,
// is granted the lock or woken, a task's priority is boosted, cycles are
// burnt. The kernel implements Host with processor states and its
// scheduler.
//
// Built so far: the spinning lock (raw_spinlock_t, and spinlock_t and
// rwlock_t while the model keeps them spinning) with FIFO ticket order and
// Molnar's lock-break flag.
package locks
