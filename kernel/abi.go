package kernel

// This file is the hypercall ABI: the one source of the numbers of the
// system calls and kernel services an image may make, their arguments,
// and the constants the SDK's C header shares with the kernel. The
// header's numbers (boot/sdk/preemptlab_abi.h) are generated from it:
//
//go:generate go run ./internal/genabi -o ../boot/sdk/preemptlab_abi.h
//
// The calling convention is Linux i386's: int $0x80 with the number in EAX
// and the arguments in EBX, ECX, EDX, ESI, EDI; the result comes back in
// EAX (a negative errno on failure), a 64-bit result in EDX:EAX. Numbers
// below 0x1000 are system calls any task may make, with Linux i386's
// numbers where Linux has the call; 0x400–0xFFF are the image's own
// (register_syscall). Numbers from 0x1000 are kernel services, for CPL 0
// code only: from user mode they fail with -EPERM.
//
// The numbers are part of the SDK's C API: images built against one
// version run on every later one, so a number is never reused or changed.

// Call describes one hypercall.
type Call struct {
	Nr   uint32
	Name string // the C name of the call (SYS_ or __PL_ prefixed in the header)
	Args int    // how many arguments it takes
	Doc  string // one line for the header
}

// System calls, by Linux i386 number.
const (
	SysExit               = 1
	SysWrite              = 4
	SysGetpid             = 20
	SysNice               = 34
	SysReboot             = 88
	SysSchedSetparam      = 154
	SysSchedGetparam      = 155
	SysSchedSetscheduler  = 156
	SysSchedGetscheduler  = 157
	SysSchedYield         = 158
	SysSchedGetPrioMax    = 159
	SysSchedGetPrioMin    = 160
	SysSchedRRGetInterval = 161
	SysNanosleep          = 162
	SysGettid             = 224
	SysSchedSetaffinity   = 241
	SysSchedGetaffinity   = 242
	SysExitGroup          = 252
	SysClockGettime       = 265
	SysClockGetres        = 266
	SysClockNanosleep     = 267

	// SysImageFirst and SysImageLast bound the numbers an image may give
	// its own system calls (register_syscall).
	SysImageFirst = 0x400
	SysImageLast  = 0xFFF
)

// Kernel services, from ServiceFirst. Those marked internal are made only
// by the kernel's own trampolines; an image that makes them gets -EINVAL.
const (
	ServiceFirst = 0x1000

	// boot and tasks
	SvcStartKernel  = 0x1000
	SvcKthreadRun   = 0x1001
	SvcUserTaskRun  = 0x1002
	SvcDoExit       = 0x1003
	SvcPowerOff     = 0x1004
	SvcKernelExit   = 0x1005
	SvcConsoleWrite = 0x1006
	SvcRegisterSys  = 0x1007
	SvcUpcallReturn = 0x1008 // internal: a guest function the kernel called returned
	SvcAPStarted    = 0x1009 // internal: an application processor left its trampoline
	SvcKthreadRunOn = 0x100A
	SvcGetCmdline   = 0x100B
	SvcTaskInfo     = 0x100C
	SvcUserTaskExit = 0x100D // internal: a user task's function returned

	// scheduling and preemption points
	SvcSchedule        = 0x1010
	SvcSetCurrentState = 0x1011
	SvcWakeUpProcess   = 0x1012
	SvcSetUserNice     = 0x1013
	SvcMightSleep      = 0x1014
	SvcCondResched     = 0x1015
	SvcCondReschedLock = 0x1016
	SvcNeedResched     = 0x1017
	SvcSpinNeedbreak   = 0x1018
	SvcSmpProcessorID  = 0x1019
	SvcGetCPU          = 0x101A
	SvcPutCPU          = 0x101B
	SvcGetCPULocked    = 0x101C
	SvcPutCPULocked    = 0x101D

	// atomic context
	SvcPreemptDisable         = 0x1020
	SvcPreemptEnable          = 0x1021
	SvcLocalIRQDisable        = 0x1022
	SvcLocalIRQEnable         = 0x1023
	SvcLocalIRQSave           = 0x1024
	SvcLocalIRQRestore        = 0x1025
	SvcLocalBHDisable         = 0x1026
	SvcLocalBHEnable          = 0x1027
	SvcPreemptEnableNoResched = 0x1028

	// lock objects
	SvcLockInit     = 0x1030
	SvcSpinLock     = 0x1031
	SvcSpinUnlock   = 0x1032
	SvcSpinTrylock  = 0x1033
	SvcReadLock     = 0x1034
	SvcReadUnlock   = 0x1035
	SvcWriteLock    = 0x1036
	SvcWriteUnlock  = 0x1037
	SvcMutexLock    = 0x1040
	SvcMutexTrylock = 0x1041
	SvcMutexUnlock  = 0x1042
	SvcDown         = 0x1043
	SvcDownTrylock  = 0x1044
	SvcUp           = 0x1045
	SvcDownRead     = 0x1046
	SvcUpRead       = 0x1047
	SvcDownWrite    = 0x1048
	SvcUpWrite      = 0x1049
	SvcDowngrade    = 0x104A
	SvcRtMutexLock  = 0x104B
	SvcRtMutexTry   = 0x104C
	SvcRtMutexUnl   = 0x104D

	// waiting
	SvcWaitForCompletion = 0x1050
	SvcComplete          = 0x1051
	SvcCompleteAll       = 0x1052
	SvcPrepareToWait     = 0x1054
	SvcFinishWait        = 0x1055
	SvcWakeUp            = 0x1056
	SvcWakeUpAll         = 0x1057

	// RCU and seqlocks
	SvcRCUReadLock    = 0x1060
	SvcRCUReadUnlock  = 0x1061
	SvcSynchronizeRCU = 0x1062
	SvcCallRCU        = 0x1063
	SvcWriteSeqlock   = 0x1064
	SvcWriteSequnlock = 0x1065
	SvcReadSeqbegin   = 0x1066
	SvcReadSeqretry   = 0x1067

	// interrupts
	SvcRequestIRQ   = 0x1070
	SvcFreeIRQ      = 0x1071
	SvcOpenSoftirq  = 0x1072
	SvcRaiseSoftirq = 0x1073
	SvcIRQThreadPID = 0x1074

	// time
	SvcNdelay   = 0x1080
	SvcUdelay   = 0x1081
	SvcMdelay   = 0x1082
	SvcMsleep   = 0x1083
	SvcKtimeGet = 0x1084
)

// Calls lists every call of the ABI, in number order within each group,
// for the header generator and the dispatcher's tests.
var Calls = []Call{
	{SysExit, "SYS_exit", 1, "exit(code): end the calling task"},
	{SysWrite, "SYS_write", 3, "write(fd, buf, n): fd 1 and 2 are the console"},
	{SysGetpid, "SYS_getpid", 0, "getpid()"},
	{SysNice, "SYS_nice", 1, "nice(inc)"},
	{SysReboot, "SYS_reboot", 4, "reboot(magic1, magic2, cmd, arg): RB_POWER_OFF ends the run"},
	{SysSchedSetparam, "SYS_sched_setparam", 2, "sched_setparam(pid, param)"},
	{SysSchedGetparam, "SYS_sched_getparam", 2, "sched_getparam(pid, param)"},
	{SysSchedSetscheduler, "SYS_sched_setscheduler", 3, "sched_setscheduler(pid, policy, param)"},
	{SysSchedGetscheduler, "SYS_sched_getscheduler", 1, "sched_getscheduler(pid)"},
	{SysSchedYield, "SYS_sched_yield", 0, "sched_yield()"},
	{SysSchedGetPrioMax, "SYS_sched_get_priority_max", 1, "sched_get_priority_max(policy)"},
	{SysSchedGetPrioMin, "SYS_sched_get_priority_min", 1, "sched_get_priority_min(policy)"},
	{SysSchedRRGetInterval, "SYS_sched_rr_get_interval", 2, "sched_rr_get_interval(pid, ts)"},
	{SysNanosleep, "SYS_nanosleep", 2, "nanosleep(req, rem)"},
	{SysGettid, "SYS_gettid", 0, "gettid()"},
	{SysSchedSetaffinity, "SYS_sched_setaffinity", 3, "sched_setaffinity(pid, len, mask)"},
	{SysSchedGetaffinity, "SYS_sched_getaffinity", 3, "sched_getaffinity(pid, len, mask)"},
	{SysExitGroup, "SYS_exit_group", 1, "exit_group(code)"},
	{SysClockGettime, "SYS_clock_gettime", 2, "clock_gettime(clock, ts)"},
	{SysClockGetres, "SYS_clock_getres", 2, "clock_getres(clock, ts)"},
	{SysClockNanosleep, "SYS_clock_nanosleep", 4, "clock_nanosleep(clock, flags, req, rem)"},

	{SvcStartKernel, "__PL_start_kernel", 0, "start_kernel(): hand the machine to the kernel; does not return"},
	{SvcKthreadRun, "__PL_kthread_run", 3, "kthread_run(fn, data, name) -> pid"},
	{SvcUserTaskRun, "__PL_user_task_run", 4, "user_task_run(fn, data, name, flags) -> pid"},
	{SvcDoExit, "__PL_do_exit", 1, "do_exit(code): end the calling kernel thread"},
	{SvcPowerOff, "__PL_kernel_power_off", 0, "kernel_power_off(): end the run, status 0"},
	{SvcKernelExit, "__PL_kernel_exit", 1, "kernel_exit(v): end the run with status (v<<1)|1"},
	{SvcConsoleWrite, "__PL_console_write", 2, "console_write(buf, n): printk's output, written whole"},
	{SvcRegisterSys, "__PL_register_syscall", 2, "register_syscall(nr, fn): nr 0x400-0xFFF"},
	{SvcUpcallReturn, "__PL_upcall_return", 1, "internal: return from a function the kernel called"},
	{SvcAPStarted, "__PL_ap_started", 0, "internal: an application processor is up"},
	{SvcKthreadRunOn, "__PL_kthread_run_on", 4, "kthread_run_on(fn, data, name, cpu) -> pid: created bound to cpu"},
	{SvcGetCmdline, "__PL_get_cmdline", 2, "get_cmdline(buf, n) -> length: the kernel command line"},
	{SvcTaskInfo, "__PL_task_info", 2, "task_info(pid, what) -> value (TASK_INFO_*)"},
	{SvcUserTaskExit, "__PL_user_task_exit", 1, "internal: a user task's function returned"},

	{SvcSchedule, "__PL_schedule", 0, "schedule()"},
	{SvcSetCurrentState, "__PL_set_current_state", 1, "set_current_state(state)"},
	{SvcWakeUpProcess, "__PL_wake_up_process", 1, "wake_up_process(pid) -> 1 if it was woken"},
	{SvcSetUserNice, "__PL_set_user_nice", 2, "set_user_nice(pid, nice)"},
	{SvcMightSleep, "__PL_might_sleep", 0, "might_sleep()"},
	{SvcCondResched, "__PL_cond_resched", 0, "cond_resched() -> 1 if it rescheduled"},
	{SvcCondReschedLock, "__PL_cond_resched_lock", 1, "cond_resched_lock(lock) -> 1 if it dropped the lock"},
	{SvcNeedResched, "__PL_need_resched", 0, "need_resched()"},
	{SvcSpinNeedbreak, "__PL_spin_needbreak", 1, "spin_needbreak(lock): a waiter asked for a lock-break"},
	{SvcSmpProcessorID, "__PL_smp_processor_id", 0, "smp_processor_id()"},
	{SvcGetCPU, "__PL_get_cpu", 0, "get_cpu(): preempt_disable, then the CPU"},
	{SvcPutCPU, "__PL_put_cpu", 0, "put_cpu(): preempt_enable"},
	{SvcGetCPULocked, "__PL_get_cpu_locked", 0, "get_cpu_locked()"},
	{SvcPutCPULocked, "__PL_put_cpu_locked", 1, "put_cpu_locked(cpu)"},

	{SvcPreemptDisable, "__PL_preempt_disable", 0, "preempt_disable()"},
	{SvcPreemptEnable, "__PL_preempt_enable", 0, "preempt_enable()"},
	{SvcLocalIRQDisable, "__PL_local_irq_disable", 0, "local_irq_disable()"},
	{SvcLocalIRQEnable, "__PL_local_irq_enable", 0, "local_irq_enable()"},
	{SvcLocalIRQSave, "__PL_local_irq_save", 0, "local_irq_save() -> flags"},
	{SvcLocalIRQRestore, "__PL_local_irq_restore", 1, "local_irq_restore(flags)"},
	{SvcLocalBHDisable, "__PL_local_bh_disable", 0, "local_bh_disable()"},
	{SvcLocalBHEnable, "__PL_local_bh_enable", 0, "local_bh_enable()"},
	{SvcPreemptEnableNoResched, "__PL_preempt_enable_no_resched", 0, "preempt_enable_no_resched()"},

	{SvcLockInit, "__PL_lock_init", 4, "lock_init(lock, kind, name, count): kind LOCK_KIND_*, count for semaphores"},
	{SvcSpinLock, "__PL_spin_lock", 2, "spin_lock(lock, mode) -> flags for LOCK_IRQSAVE"},
	{SvcSpinUnlock, "__PL_spin_unlock", 3, "spin_unlock(lock, mode, flags)"},
	{SvcSpinTrylock, "__PL_spin_trylock", 2, "spin_trylock(lock, mode) -> 1 if taken"},
	{SvcReadLock, "__PL_read_lock", 2, "read_lock(lock, mode) -> flags for LOCK_IRQSAVE"},
	{SvcReadUnlock, "__PL_read_unlock", 3, "read_unlock(lock, mode, flags)"},
	{SvcWriteLock, "__PL_write_lock", 2, "write_lock(lock, mode) -> flags for LOCK_IRQSAVE"},
	{SvcWriteUnlock, "__PL_write_unlock", 3, "write_unlock(lock, mode, flags)"},
	{SvcMutexLock, "__PL_mutex_lock", 1, "mutex_lock(m)"},
	{SvcMutexTrylock, "__PL_mutex_trylock", 1, "mutex_trylock(m) -> 1 if taken"},
	{SvcMutexUnlock, "__PL_mutex_unlock", 1, "mutex_unlock(m)"},
	{SvcDown, "__PL_down", 1, "down(sem)"},
	{SvcDownTrylock, "__PL_down_trylock", 1, "down_trylock(sem) -> 0 if taken"},
	{SvcUp, "__PL_up", 1, "up(sem)"},
	{SvcDownRead, "__PL_down_read", 1, "down_read(rwsem)"},
	{SvcUpRead, "__PL_up_read", 1, "up_read(rwsem)"},
	{SvcDownWrite, "__PL_down_write", 1, "down_write(rwsem)"},
	{SvcUpWrite, "__PL_up_write", 1, "up_write(rwsem)"},
	{SvcDowngrade, "__PL_downgrade_write", 1, "downgrade_write(rwsem)"},
	{SvcRtMutexLock, "__PL_rt_mutex_lock", 1, "rt_mutex_lock(m) -> 0 or -EDEADLK"},
	{SvcRtMutexTry, "__PL_rt_mutex_trylock", 1, "rt_mutex_trylock(m) -> 1 if taken"},
	{SvcRtMutexUnl, "__PL_rt_mutex_unlock", 1, "rt_mutex_unlock(m)"},

	{SvcWaitForCompletion, "__PL_wait_for_completion", 1, "wait_for_completion(c)"},
	{SvcComplete, "__PL_complete", 1, "complete(c)"},
	{SvcCompleteAll, "__PL_complete_all", 1, "complete_all(c)"},
	{SvcPrepareToWait, "__PL_prepare_to_wait", 2, "prepare_to_wait(wq, state)"},
	{SvcFinishWait, "__PL_finish_wait", 1, "finish_wait(wq)"},
	{SvcWakeUp, "__PL_wake_up", 1, "wake_up(wq)"},
	{SvcWakeUpAll, "__PL_wake_up_all", 1, "wake_up_all(wq)"},

	{SvcRCUReadLock, "__PL_rcu_read_lock", 0, "rcu_read_lock()"},
	{SvcRCUReadUnlock, "__PL_rcu_read_unlock", 0, "rcu_read_unlock()"},
	{SvcSynchronizeRCU, "__PL_synchronize_rcu", 0, "synchronize_rcu()"},
	{SvcCallRCU, "__PL_call_rcu", 2, "call_rcu(head, fn)"},
	{SvcWriteSeqlock, "__PL_write_seqlock", 1, "write_seqlock(sl)"},
	{SvcWriteSequnlock, "__PL_write_sequnlock", 1, "write_sequnlock(sl)"},
	{SvcReadSeqbegin, "__PL_read_seqbegin", 1, "read_seqbegin(sl) -> sequence"},
	{SvcReadSeqretry, "__PL_read_seqretry", 2, "read_seqretry(sl, seq) -> 1 to retry"},

	{SvcRequestIRQ, "__PL_request_irq", 5, "request_irq(irq, handler, flags, name, dev)"},
	{SvcFreeIRQ, "__PL_free_irq", 2, "free_irq(irq, dev)"},
	{SvcOpenSoftirq, "__PL_open_softirq", 2, "open_softirq(nr, action)"},
	{SvcRaiseSoftirq, "__PL_raise_softirq", 1, "raise_softirq(nr)"},
	{SvcIRQThreadPID, "__PL_irq_thread_pid", 1, "irq_thread_pid(irq) -> pid of irq/N-name, or -ESRCH"},

	{SvcNdelay, "__PL_ndelay", 1, "ndelay(ns): busy"},
	{SvcUdelay, "__PL_udelay", 1, "udelay(us): busy"},
	{SvcMdelay, "__PL_mdelay", 1, "mdelay(ms): busy"},
	{SvcMsleep, "__PL_msleep", 1, "msleep(ms): sleep"},
	{SvcKtimeGet, "__PL_ktime_get_ns", 0, "ktime_get_ns() -> ns since boot, in EDX:EAX"},
}

// Errno values (Linux's), returned negated.
const (
	EPERM   = 1
	ESRCH   = 3
	EINTR   = 4
	EAGAIN  = 11
	ENOMEM  = 12
	EFAULT  = 14
	EBUSY   = 16
	EINVAL  = 22
	EDEADLK = 35
	ENOSYS  = 38
)

// Constants shared with C. Their C names are in CConstants.
const (
	SchedOther = 0
	SchedFIFO  = 1
	SchedRR    = 2

	TaskRunning         = 0
	TaskInterruptible   = 1
	TaskUninterruptible = 2

	// TaskRTGroup is user_task_run's flag for a member of the realtime
	// group (the realtime LSM's), which may set a realtime policy.
	TaskRTGroup = 1

	ClockRealtime  = 0
	ClockMonotonic = 1
	TimerAbstime   = 1

	IRQFNoThread = 0x00010000
	IRQNone      = 0
	IRQHandled   = 1

	// How a spinning lock's lock and unlock treat interrupts and bottom
	// halves: spin_lock, spin_lock_irq, spin_lock_irqsave, spin_lock_bh.
	LockPlain   = 0
	LockIRQ     = 1
	LockIRQSave = 2
	LockBH      = 3

	// Lock kinds, as lock_init declares them: the type decides.
	LockKindRawSpinlock = 1
	LockKindSpinlock    = 2
	LockKindRwlock      = 3
	LockKindMutex       = 4
	LockKindSemaphore   = 5
	LockKindRwsem       = 6
	LockKindRtMutex     = 7
	LockKindCompletion  = 8
	LockKindWaitqueue   = 9
	LockKindSeqlock     = 10

	// LockMagicLive marks a lock object the kernel has initialised; its
	// id field is then the kernel's. LockMagicStatic marks one defined
	// with a static initialiser (DEFINE_SPINLOCK…), which the kernel
	// initialises at first use.
	LockMagicLive   = 0x4C4B4F4B
	LockMagicStatic = 0x4C4B5354

	// Softirq numbers, Linux's.
	HISoftirq      = 0
	TimerSoftirq   = 1
	NetTXSoftirq   = 2
	NetRXSoftirq   = 3
	BlockSoftirq   = 4
	IRQPollSoftirq = 5
	TaskletSoftirq = 6
	SchedSoftirq   = 7
	HRTimerSoftirq = 8
	RCUSoftirq     = 9
	NrSoftirqs     = 10

	// reboot(2)'s magic numbers and its power-off command.
	RebootMagic1   = 0xfee1dead
	RebootMagic2   = 672274793
	RebootPowerOff = 0x4321FEDC

	// What task_info(pid, what) returns.
	TaskInfoPrio     = 0 // kernel priority, as traces print it
	TaskInfoState    = 1
	TaskInfoCPU      = 2
	TaskInfoPolicy   = 3
	TaskInfoSwitches = 4 // context switches into the task
)

// CConst is a constant of the C header.
type CConst struct {
	Name  string
	Value int64
}

// CConstants are the constants the header defines, under their C names.
var CConstants = []CConst{
	{"EPERM", EPERM}, {"ESRCH", ESRCH}, {"EINTR", EINTR}, {"EAGAIN", EAGAIN}, {"ENOMEM", ENOMEM},
	{"EFAULT", EFAULT}, {"EBUSY", EBUSY}, {"EINVAL", EINVAL}, {"EDEADLK", EDEADLK}, {"ENOSYS", ENOSYS},
	{"SCHED_OTHER", SchedOther}, {"SCHED_FIFO", SchedFIFO}, {"SCHED_RR", SchedRR},
	{"TASK_RUNNING", TaskRunning}, {"TASK_INTERRUPTIBLE", TaskInterruptible}, {"TASK_UNINTERRUPTIBLE", TaskUninterruptible},
	{"TASK_RT_GROUP", TaskRTGroup},
	{"CLOCK_REALTIME", ClockRealtime}, {"CLOCK_MONOTONIC", ClockMonotonic}, {"TIMER_ABSTIME", TimerAbstime},
	{"IRQF_NO_THREAD", IRQFNoThread}, {"IRQ_NONE", IRQNone}, {"IRQ_HANDLED", IRQHandled},
	{"LOCK_PLAIN", LockPlain}, {"LOCK_IRQ", LockIRQ}, {"LOCK_IRQSAVE", LockIRQSave}, {"LOCK_BH", LockBH},
	{"LOCK_KIND_RAW_SPINLOCK", LockKindRawSpinlock}, {"LOCK_KIND_SPINLOCK", LockKindSpinlock},
	{"LOCK_KIND_RWLOCK", LockKindRwlock}, {"LOCK_KIND_MUTEX", LockKindMutex},
	{"LOCK_KIND_SEMAPHORE", LockKindSemaphore}, {"LOCK_KIND_RWSEM", LockKindRwsem},
	{"LOCK_KIND_RT_MUTEX", LockKindRtMutex}, {"LOCK_KIND_COMPLETION", LockKindCompletion},
	{"LOCK_KIND_WAITQUEUE", LockKindWaitqueue}, {"LOCK_KIND_SEQLOCK", LockKindSeqlock},
	{"LOCK_MAGIC_LIVE", LockMagicLive}, {"LOCK_MAGIC_STATIC", LockMagicStatic},
	{"HI_SOFTIRQ", HISoftirq}, {"TIMER_SOFTIRQ", TimerSoftirq}, {"NET_TX_SOFTIRQ", NetTXSoftirq},
	{"NET_RX_SOFTIRQ", NetRXSoftirq}, {"BLOCK_SOFTIRQ", BlockSoftirq}, {"IRQ_POLL_SOFTIRQ", IRQPollSoftirq},
	{"TASKLET_SOFTIRQ", TaskletSoftirq}, {"SCHED_SOFTIRQ", SchedSoftirq}, {"HRTIMER_SOFTIRQ", HRTimerSoftirq},
	{"RCU_SOFTIRQ", RCUSoftirq}, {"NR_SOFTIRQS", NrSoftirqs},
	{"LINUX_REBOOT_MAGIC1", RebootMagic1}, {"LINUX_REBOOT_MAGIC2", RebootMagic2}, {"RB_POWER_OFF", RebootPowerOff},
	{"TASK_INFO_PRIO", TaskInfoPrio}, {"TASK_INFO_STATE", TaskInfoState}, {"TASK_INFO_CPU", TaskInfoCPU},
	{"TASK_INFO_POLICY", TaskInfoPolicy}, {"TASK_INFO_SWITCHES", TaskInfoSwitches},
}
