package kernel

// This file is the cost model: the cycles each kernel operation charges
// to the processor that does it. The figures stand for a 2004-era PC at
// 1 GHz (a Pentium III/4-class machine of the 2.6.0–2.6.10 kernels): each
// line says what the operation is and where the figure comes from. The
// instruction that enters the kernel (INT 0x80, 20 cycles in cpu/cycles.go)
// is charged by the processor itself and is not part of these figures.
// --costs FILE overrides any entry (ParseCosts).

import (
	"bufio"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
)

// Costs are the cycles each kernel operation charges. The field names are
// the names --costs files use (in lower case with underscores: IRQEntry
// is irq_entry).
type Costs struct {
	// SyscallEntry: SAVE_ALL, the system call table lookup and the
	// checks on the way in. lmbench's null system call on a 1 GHz PIII
	// with int 0x80 is about 0.3 µs in all; the INT itself is charged
	// by the CPU.
	SyscallEntry uint64
	// SyscallExit: the work checks, RESTORE_ALL and IRET back to user mode.
	SyscallExit uint64
	// ServiceCall: a kernel service called from kernel code (the
	// hypercall stands for a function call: call, prologue, return).
	ServiceCall uint64
	// IRQEntry: hardware interrupt delivery through the IDT, SAVE_ALL and
	// do_IRQ's prologue: the descriptor lookup, irq_enter.
	IRQEntry uint64
	// IRQExit: irq_exit's checks, RESTORE_ALL and IRET.
	IRQExit uint64
	// APICAck: the local APIC EOI write (an uncached MMIO write).
	APICAck uint64
	// IOAPICMask: masking or unmasking an IO-APIC line (an indirect MMIO
	// register write, about 0.3 µs on chipsets of the time).
	IOAPICMask uint64
	// ExceptionEntry: a fault's delivery and the trap handler's prologue.
	ExceptionEntry uint64
	// HandlerCall: calling one registered handler (irqaction, softirq
	// action, registered system call) and returning from it.
	HandlerCall uint64
	// SoftirqDispatch: __do_softirq's loop around one pending vector.
	SoftirqDispatch uint64
	// ContextSwitch: switch_to (stack and register switch, FPU lazy
	// state, TLB flush between processes). lmbench lat_ctx for two small
	// processes on a 1 GHz PIII is about 1.5 µs in all, of which this is
	// the switch itself.
	ContextSwitch uint64
	// SchedulerPick: schedule()'s bookkeeping and the O(1) pick of the
	// next task.
	SchedulerPick uint64
	// WakeUp: try_to_wake_up: the runqueue lock, enqueue, the preemption
	// check.
	WakeUp uint64
	// Migrate: moving a runnable task to another CPU's runqueue (both
	// runqueue locks, dequeue, enqueue).
	Migrate uint64
	// IPISend: writing the ICR to send an IPI.
	IPISend uint64
	// IPIDelivery: from the ICR write to the interrupt's arrival at the
	// other CPU (a P6/P4 APIC bus message: about a microsecond). The
	// machine's quantum is kept at or below it, so that every IPI arrives
	// at its exact cycle.
	IPIDelivery uint64
	// TimerProgram: reprogramming the local APIC timer (TSC deadline MSR).
	TimerProgram uint64
	// TimerExpire: expiring one hrtimer and running its function.
	TimerExpire uint64
	// Tick: the periodic tick's accounting (scheduler_tick, the time
	// slice, load accounting).
	Tick uint64
	// SpinLock: taking an uncontended spinlock (a locked decrement).
	SpinLock uint64
	// SpinUnlock: releasing a spinlock.
	SpinUnlock uint64
	// SpinHandoff: a released spinlock reaching the CPU spinning on it
	// (the cache line moving between processors).
	SpinHandoff uint64
	// MutexLock and MutexUnlock: the fast paths of a sleeping lock (a
	// cmpxchg on the owner word and the call around it; the -rt patches
	// measured rt_mutex's fast path close to a spinlock's).
	MutexLock   uint64
	MutexUnlock uint64
	// PIStep: one step of the PI chain walk (rt_mutex_adjust_prio_chain:
	// two lock round trips, a waiter requeue in the plist).
	PIStep uint64
	// PIBoost: changing a task's priority by inheritance
	// (rt_mutex_setprio: dequeue, requeue under the runqueue lock).
	PIBoost uint64
	// PreemptCount: preempt_disable or preempt_enable (an increment).
	PreemptCount uint64
	// IRQFlags: local_irq_disable/enable/save/restore (CLI, STI, PUSHF).
	IRQFlags uint64
	// Delay: the call and setup of udelay/ndelay/mdelay, before the
	// busy wait itself.
	Delay uint64
	// TaskCreate: creating a task (kthread_run, user_task_run).
	TaskCreate uint64
	// ConsoleWrite and ConsoleByte: printk or write(1, ...) putting a
	// message into the log buffer, per call and per byte. The console
	// is drained outside the measured machine (a serial console at
	// 115200 baud, ~87 µs a byte, would dominate every figure).
	ConsoleWrite uint64
	ConsoleByte  uint64
}

// DefaultCosts are the figures of a 1 GHz PC of 2004.
var DefaultCosts = Costs{
	SyscallEntry:    180,
	SyscallExit:     150,
	ServiceCall:     10,
	IRQEntry:        300,
	IRQExit:         150,
	APICAck:         100,
	IOAPICMask:      300,
	ExceptionEntry:  250,
	HandlerCall:     30,
	SoftirqDispatch: 80,
	ContextSwitch:   700,
	SchedulerPick:   250,
	WakeUp:          300,
	Migrate:         400,
	IPISend:         100,
	IPIDelivery:     1000,
	TimerProgram:    100,
	TimerExpire:     150,
	Tick:            400,
	SpinLock:        20,
	SpinUnlock:      10,
	SpinHandoff:     150,
	MutexLock:       30,
	MutexUnlock:     20,
	PIStep:          200,
	PIBoost:         250,
	PreemptCount:    2,
	IRQFlags:        10,
	Delay:           20,
	TaskCreate:      5000,
	ConsoleWrite:    200,
	ConsoleByte:     5,
}

// costName turns a field name (IRQEntry) into its --costs name (irq_entry).
func costName(field string) string {
	var b strings.Builder
	for i, r := range field {
		upper := r >= 'A' && r <= 'Z'
		if upper && i > 0 {
			prevLower := field[i-1] >= 'a' && field[i-1] <= 'z'
			nextLower := i+1 < len(field) && field[i+1] >= 'a' && field[i+1] <= 'z'
			if prevLower || nextLower {
				b.WriteByte('_')
			}
		}
		b.WriteRune(r | 0x20)
	}
	return b.String()
}

// CostNames lists the --costs names of every entry, in table order.
func CostNames() []string {
	t := reflect.TypeOf(Costs{})
	var n []string
	for i := 0; i < t.NumField(); i++ {
		n = append(n, costName(t.Field(i).Name))
	}
	return n
}

// ParseCosts reads overrides of c from r: one "name = cycles" a line
// (names as CostNames gives them), '#' starting a comment. An unknown name
// or a bad number is an error naming the line.
func ParseCosts(r io.Reader, c *Costs) error {
	v := reflect.ValueOf(c).Elem()
	byName := map[string]int{}
	for i := 0; i < v.NumField(); i++ {
		byName[costName(v.Type().Field(i).Name)] = i
	}
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		text, _, _ := strings.Cut(sc.Text(), "#")
		text = strings.TrimSpace(text)
		if text == "" {
			continue
		}
		name, val, ok := strings.Cut(text, "=")
		if !ok {
			return fmt.Errorf("line %d: %q is not name = cycles", line, text)
		}
		name, val = strings.TrimSpace(name), strings.TrimSpace(val)
		i, ok := byName[name]
		if !ok {
			return fmt.Errorf("line %d: no cost called %q (the costs are %s)", line, name, strings.Join(CostNames(), ", "))
		}
		n, err := strconv.ParseUint(val, 10, 32)
		if err != nil {
			return fmt.Errorf("line %d: %s = %q: not a number of cycles", line, name, val)
		}
		v.Field(i).SetUint(n)
	}
	return sc.Err()
}

// WriteCosts writes c in the form ParseCosts reads.
func WriteCosts(w io.Writer, c Costs) {
	v := reflect.ValueOf(c)
	for i := 0; i < v.NumField(); i++ {
		fmt.Fprintf(w, "%s = %d\n", costName(v.Type().Field(i).Name), v.Field(i).Uint())
	}
}
