// Package locks holds the lock primitives of the kernel's preemption
// designs: their state machines (who holds a lock, who waits, in which
// order, who is boosted) apart from how a waiter waits. It knows the kernel
// only through the Host interface it declares: a waiter spins or blocks,
// is granted the lock or woken, a task's priority is boosted, cycles are
// burnt. The kernel implements Host with processor states and its
// scheduler.
//
// Built: the spinning lock (raw_spinlock_t, and spinlock_t and rwlock_t
// while the model keeps them spinning) with FIFO ticket order and Molnar's
// lock-break flag; the sleeping Mutex in its three designs (the -U0
// semaphore-based mutex without inheritance, MontaVista's PMutex with one
// level, rt_mutex with the full PI chain, max_lock_depth and deadlock
// detection); the rw-semaphore with mmLinux's priority borrowing; the
// counting semaphore.
package locks
