package tests

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// guestRun is one run of a kernel image (tests/kernel/IMAGE.elf) whose
// guest code goes wrong — bad arguments to the kernel, a faulting task, a
// deadlock, a sleep in interrupt context — and what the kernel must make
// of it: the exit status, and lines that must be in its output, whole.
// tests/guest/NAME.out records all of the output (status, console,
// stderr); go test ./tests -update rewrites it.
type guestRun struct {
	name   string
	image  string
	args   []string
	status int
	// want are whole lines of the console or stderr ("..." at the end:
	// a line's start; "!" at the start: text that must not be there).
	want []string
}

// hasLine reports whether lines holds w (or, with w ending in "...", a
// line starting with the rest of w).
func hasLine(lines map[string]bool, w string) bool {
	if p, ok := strings.CutSuffix(w, "..."); ok {
		for l := range lines {
			if strings.HasPrefix(l, p) {
				return true
			}
		}
		return false
	}
	return lines[w]
}

// guestRuns are the runs of TestGuestErrors.
var guestRuns = []guestRun{
	// System calls and kernel services with bad arguments, from the boot
	// code, a kernel thread and a user task (tests/kernel/badcall.c):
	// each result must be the errno a Linux engineer expects.
	{"badcall", "badcall", nil, 0, []string{
		// numbers that name no call
		"syscall(0) = -ENOSYS", "syscall(0x3FF) = -ENOSYS", "syscall(0x400) = -ENOSYS", "syscall(0xFFF) = -ENOSYS",
		"syscall(0x1FFF) = -ENOSYS", "syscall(-1) = -ENOSYS",
		// internal calls, made by the image
		"syscall(__PL_upcall_return, 0) = -EINVAL", "syscall(__PL_ap_started) = -EINVAL",
		"syscall(__PL_user_task_exit, 0) = -EINVAL",
		// kernel services from a user task
		"syscall(__PL_kthread_run, P(nop), 0, 0) = -EPERM", "syscall(__PL_kernel_power_off) = -EPERM",
		"syscall(__PL_upcall_return, 0) = -EPERM", "syscall(__PL_spin_lock, P(&lock), LOCK_PLAIN) = -EPERM",
		"syscall(__PL_local_irq_disable) = -EPERM", "sched_setscheduler(0, SCHED_FIFO, &fifo) = -EPERM",
		// pointers outside RAM, into the MMIO windows; absurd values
		"write(1, (void *)LAPIC, 4) = -EFAULT", "write(1, (void *)IOAPIC, 4) = -EFAULT",
		"write(1, (void *)(RAM_END - 2), 4) = -EFAULT", "write(1, buf, 0x80000000u) = -EINVAL",
		"clock_gettime(CLOCK_MONOTONIC, (void *)LAPIC) = -EFAULT", "clock_gettime(7, &ts) = -EINVAL",
		"sched_setscheduler(0, SCHED_OTHER, (void *)LAPIC) = -EFAULT", "sched_setscheduler(0, 7, &sp) = -EINVAL",
		"syscall(__PL_spin_lock, LAPIC, LOCK_PLAIN) = -EFAULT", "syscall(__PL_complete, IOAPIC) = -EFAULT",
		"syscall(__PL_spin_lock, P(&never_initialised), LOCK_PLAIN) = -EINVAL",
		"request_irq(11, (void *)LAPIC, 0, \"dev\", &dev) = -EFAULT", "request_irq(24, nop_irq, 0, \"dev\", &dev) = -EINVAL",
		"kthread_run(nop, 0, (void *)IOAPIC) = -EFAULT", "kthread_run(nop, 0, (void *)(RAM_END - 1)) = -EFAULT",
		// NULL: the first page is never valid
		"write(1, (void *)0, 4) = -EFAULT", "write(1, (void *)0, 0) = 0",
		"clock_gettime(CLOCK_MONOTONIC, (void *)0) = -EFAULT", "kthread_run((void *)0, 0, \"bad\") = -EFAULT",
		// a bad struct timespec pointer, a bad struct timespec
		"clock_nanosleep(CLOCK_MONOTONIC, 0, (void *)LAPIC, 0) = -EFAULT",
		"clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, (void *)(RAM_END - 4), 0) = -EFAULT",
		"clock_nanosleep(CLOCK_MONOTONIC, 0, (void *)0, 0) = -EFAULT", "nanosleep((void *)IOAPIC, 0) = -EFAULT",
		"clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, 0) = -EINVAL", "clock_nanosleep(5, 0, &ts, 0) = -EINVAL",
		"clock_gettime(CLOCK_MONOTONIC, (void *)(RAM_END - 4)): the last word of RAM untouched",
		// do_sched_setscheduler's first check
		"sched_setscheduler(0, SCHED_OTHER, (void *)0) = -EINVAL", "sched_setscheduler(-1, SCHED_OTHER, &sp) = -EINVAL",
		"sched_setparam(-1, &sp) = -EINVAL", "sched_getparam(0, (void *)0) = -EINVAL", "sched_getscheduler(-1) = -EINVAL",
		"sched_setscheduler(12345, SCHED_OTHER, &sp) = -ESRCH",
		"request_irq(11, nop_irq, 0, (void *)IOAPIC, &dev) = -EFAULT",
		// ksoftirqd/0 stays on its CPU
		"task_info(2, TASK_INFO_PRIO) = 139", "sched_setaffinity(2, sizeof mask, &mask) = -EINVAL",
		// sleeping in the boot code
		"nanosleep(&ts, 0) = -EINVAL",
		"preemptlab: kernel: BUG: nanosleep before start_kernel: the boot code cannot sleep: swapper/0 (pid 0) on cpu0 at ...",
		"== user task done", "== kernel thread done",
		"preemptlab: kernel: BUG: spin_lock: lock pointer 0xfee00000 is outside RAM: kthread (pid 1) on cpu0 at 0x00100c08 (syscall+0x28)",
	}},
	// A task that faults is killed with a report naming it, its pid, the
	// mode, the fault, EIP with its symbol and the instruction; the
	// bystander task goes on and powers the machine off (status 0).
	{"fault-user-ud", "fault", []string{"--cmdline", "ud"}, 0, []string{
		"preemptlab: kernel: cpu0: faulty (pid 1) killed in user mode: #UD (invalid opcode)",
		"  at 0073:0x00100c90 (do_ud+0x0)  ud2...", "bystander: tick 2"}},
	{"fault-user-gp", "fault", []string{"--cmdline", "gp"}, 0, []string{
		"preemptlab: kernel: cpu0: faulty (pid 1) killed in user mode: #GP (general protection) (error code 0x4)",
		"  at 0073:0x00100ca5 (do_gp+0x5)  mov ds, ax...", "bystander: tick 2"}},
	{"fault-user-de", "fault", []string{"--cmdline", "de"}, 0, []string{
		"preemptlab: kernel: cpu0: faulty (pid 1) killed in user mode: #DE (divide error)",
		"  at 0073:0x00100e27 (do_de+0x17)  idiv ecx...", "bystander: tick 2"}},
	{"fault-user-nothing", "fault", []string{"--cmdline", "nothing"}, 0, []string{
		"preemptlab: kernel: cpu0: faulty (pid 1) killed in user mode: read of 4 byte(s) at physical address 0x20000000: nothing is there",
		"  at 0073:0x00100df3 (do_nothing+0x3)  mov eax, dword ptr [0x20000000]...", "bystander: tick 2"}},
	{"fault-kernel-ud", "fault", []string{"--cmdline", "kud"}, 0, []string{
		"preemptlab: kernel: cpu0: kfaulty (pid 1) killed in kernel mode: #UD (invalid opcode)",
		"  at 0060:0x00100c90 (do_ud+0x0)  ud2...", "bystander: tick 2"}},
	{"fault-kernel-gp", "fault", []string{"--cmdline", "kgp"}, 0, []string{
		"preemptlab: kernel: cpu0: kfaulty (pid 1) killed in kernel mode: #GP (general protection) (error code 0x4)",
		"bystander: tick 2"}},
	{"fault-kernel-de", "fault", []string{"--cmdline", "kde"}, 0, []string{
		"preemptlab: kernel: cpu0: kfaulty (pid 1) killed in kernel mode: #DE (divide error)",
		"bystander: tick 2"}},
	{"fault-kernel-nothing", "fault", []string{"--cmdline", "knothing"}, 0, []string{
		"preemptlab: kernel: cpu0: kfaulty (pid 1) killed in kernel mode: read of 4 byte(s) at physical address 0x20000000: nothing is there",
		"bystander: tick 2"}},
	// CLI, HLT and port I/O are privileged (IOPL 0): #GP in a user task.
	{"fault-user-cli", "fault", []string{"--cmdline", "cli"}, 0, []string{
		"preemptlab: kernel: cpu0: faulty (pid 1) killed in user mode: #GP (general protection)",
		"  at 0073:0x00100cb0 (do_cli+0x0)  cli...", "bystander: tick 2"}},
	{"fault-user-hlt", "fault", []string{"--cmdline", "hlt"}, 0, []string{
		"preemptlab: kernel: cpu0: faulty (pid 1) killed in user mode: #GP (general protection)",
		"  at 0073:0x00100cc0 (do_hlt+0x0)  hlt...", "bystander: tick 2"}},
	{"fault-user-io", "fault", []string{"--cmdline", "io"}, 0, []string{
		"preemptlab: kernel: cpu0: faulty (pid 1) killed in user mode: #GP (general protection)",
		"  at 0073:0x00100dd3 (do_io+0x3)  in al, 0x80...", "bystander: tick 2"}},
	// INT3 is one byte long: the report is at it, not the byte before.
	{"fault-user-int3", "fault", []string{"--cmdline", "int3"}, 0, []string{
		"preemptlab: kernel: cpu0: faulty (pid 1) killed in user mode: #BP (breakpoint) from INT3, with no debugger to take it",
		"  at 0073:0x00100cd0 (do_int3+0x0)  int3...", "bystander: tick 2"}},
	// Only INT 0x80 is open to tasks.
	{"fault-user-int81", "fault", []string{"--cmdline", "int81"}, 0, []string{
		"preemptlab: kernel: cpu0: faulty (pid 1) killed in user mode: INT 0x81: no such gate (only INT 0x80 is a system call)",
		"  at 0073:0x00100ce0 (do_int81+0x0)  int 0x81...", "bystander: tick 2"}},
	// A fault in a hard-IRQ handler is fatal; in an IRQ thread it kills
	// the thread.
	{"fault-irq-hard", "fault", []string{"--cmdline", "irq", "--irq", "hard", "--traffic", "irq=11,rate=2000"}, 4, []string{
		"preemptlab: kernel: Kernel panic - not syncing: Fatal exception in interrupt: cpu0: #UD (invalid opcode) in interrupt handler bad (swapper/0 (pid 0) was interrupted)",
		"  at 0060:0x00100cfb (bad_irq+0xb)  ud2..."}},
	{"fault-irq-threaded", "fault", []string{"--cmdline", "irq", "--irq", "threaded", "--traffic", "irq=11,rate=2000"}, 0, []string{
		"preemptlab: kernel: cpu0: irq/11-bad (pid 1) killed in kernel mode: #UD (invalid opcode)",
		"bystander: tick 2"}},
	// Before start_kernel there is no task to kill.
	{"fault-boot", "fault", []string{"--cmdline", "boot"}, 4, []string{
		"preemptlab: kernel: cpu0: #UD (invalid opcode) in the image's boot code, before start_kernel",
		"  at 0008:0x00100e5c (main+0x1c)  ud2..."}},
	// start_kernel with nothing to run.
	{"empty", "empty", nil, 8, []string{
		"preemptlab: kernel: start_kernel: the image created no task to run (kthread_run or user_task_run before start_kernel)"}},
	// Every task blocked for ever: the deadlock report names each and
	// what it waits on.
	{"deadlock-completion", "deadlock", []string{"--cmdline", "completion"}, 8, []string{
		"preemptlab: kernel: deadlock: no task can ever run again:",
		"  task_a (pid 1), TASK_UNINTERRUPTIBLE: waits on completion &b_done",
		"  task_b (pid 2), TASK_UNINTERRUPTIBLE: waits on completion &a_done"}},
	{"deadlock-wait-event", "deadlock", []string{"--cmdline", "waitevent"}, 8, []string{
		"preemptlab: kernel: deadlock: no task can ever run again:",
		"  waiter (pid 1), TASK_UNINTERRUPTIBLE: waits on wait queue never_wq"}},
	// Each task has the name it was created with, though both names
	// were made in one buffer.
	{"deadlock-names", "deadlock", []string{"--cmdline", "names"}, 8, []string{
		"  waiter/0 (pid 1), TASK_UNINTERRUPTIBLE: waits on wait queue never_wq",
		"  waiter/1 (pid 2), TASK_UNINTERRUPTIBLE: waits on wait queue never_wq"}},
	// A spurious wake-up (wake_up_process) ends no sleep and no wait.
	{"spurious-wakeup", "spurious", []string{"--cpus", "1"}, 0, []string{
		"waker: wakes a in msleep: 1", "a: msleep(10) took 10 ms", "a: nanosleep(10 ms) took 10 ms",
		"waker: wakes a in wait_for_completion: 1", "a: completed at 31 ms", "b: completed at 42 ms",
		"preemptlab: kernel: every task has exited"}},
	// A sleep longer than the cycle counter's range does not wrap round
	// to a short one.
	{"long-sleep", "longsleep", nil, 0, []string{
		"bystander: clock_nanosleep to the past: 0", "bystander: tick 2", "!woke"}},
	// Every task exited: a normal end.
	{"all-exited", "deadlock", []string{"--cmdline", "exit"}, 0, []string{
		"leaver: bye", "preemptlab: kernel: every task has exited"}},
	// Two CPUs spinning on each other's lock with interrupts off.
	{"deadlock-abba", "deadlock", []string{"--cmdline", "abba"}, 8, []string{
		"preemptlab: kernel: deadlock: no task can ever run again:",
		"  abba1 (pid 1), TASK_RUNNING: running on cpu0, spinning on lock_b",
		"  abba2 (pid 2), TASK_RUNNING: running on cpu1, spinning on lock_a",
		"  cpu0 spins with interrupts off on lock_b, held by abba2 (pid 2) on cpu1",
		"  cpu1 spins with interrupts off on lock_a, held by abba1 (pid 1) on cpu0"}},
	// The same under --strict: lockdep's report of the ABBA order ends
	// the run (status 10) before the CPUs deadlock.
	{"strict-abba", "deadlock", []string{"--cmdline", "abba", "--strict"}, 10, []string{
		"preemptlab: kernel: BUG: possible circular locking dependency detected: abba2 (pid 2) takes lock_a while holding lock_b, but lock_b was taken while holding lock_a before; chains: ...",
		"preemptlab: kernel: --strict: ending the run at the BUG above"}},
	// Sleeping locks misused (tests/kernel/badlock.c): each a BUG naming
	// task, lock and call site, and Linux's errno; the run goes on.
	{"badlock-none", "badlock", []string{"--model", "none"}, 0, []string{
		"mutex_unlock by a non-owner = -22", "mutex_unlock(unlocked) = -22", "rt_mutex_lock again (recursion) = -35",
		"mutex_lock(never initialised) = -22", "mutex_lock(outside RAM) = -14", "down_read(a mutex) = -22",
		"up_read(not held) = -22", "down_trylock(0 units) = 1", "down_trylock(1 unit) = 0",
		"preemptlab: kernel: BUG: mutex_unlock: unlock of &m by checker (pid 2), but owner (pid 1) holds it: checker (pid 2) on cpu1 at ...",
		"preemptlab: kernel: BUG: sleeping function called from invalid context: mutex_lock(&m) while holding the spinning lock &raw (taken at ..."}},
	{"badlock-rt", "badlock", []string{"--model", "rt"}, 0, []string{
		"mutex_lock holding a raw spinlock = -22",
		"preemptlab: kernel: BUG: sleeping function called from invalid context: mutex_lock(&m) with preemption disabled (preemption count 0x1, interrupts on): ..."}},
	// local_bh_enable misused (tests/kernel/bh.c): with no disable, and
	// one too many in a softirq action; exit with bottom halves disabled.
	{"bh-unbalanced-rt", "bh", []string{"--cpus", "1", "--model", "rt", "--traffic", "irq=11,rate=800", "--cmdline", "test=unbalanced"}, 0, []string{
		"preemptlab: kernel: BUG: local_bh_enable without local_bh_disable: softirq-net-rx/0 (pid 3) on cpu0 at ...",
		"preemptlab: kernel: BUG: local_bh_enable without local_bh_disable: bh (pid 1) on cpu0 at ...",
		"9005 us: NET_RX ran 4007 us after it was raised"}},
	{"bh-unbalanced-preempt", "bh", []string{"--cpus", "1", "--model", "preempt", "--traffic", "irq=11,rate=800", "--cmdline", "test=unbalanced"}, 0, []string{
		"preemptlab: kernel: BUG: huh, entered softirq 3 NET_RX net_rx_action+0x0/...",
		"preemptlab: kernel: BUG: local_bh_enable without local_bh_disable: bh (pid 1) on cpu0 at ...",
		"7010 us: NET_RX ran 2012 us after it was raised"}},
	{"bh-exit-rt", "bh", []string{"--cpus", "1", "--model", "rt", "--traffic", "irq=11,rate=800", "--cmdline", "test=exit"}, 4, []string{
		"preemptlab: kernel: Kernel panic - not syncing: cpu0: Aiee, killing interrupt handler! (exit with bottom halves disabled (preemption count 0x0, interrupts on))"}},
	{"census-bh-rt", "bh", []string{"--cpus", "1", "--model", "rt", "--traffic", "irq=11,rate=800", "--census"}, 0, []string{
		"       16        1  sleeping  local_lock_t         softirq_ctrl.lock/0"}},
	// The lock census of a run.
	{"census-pinv-rt", "pinv", []string{"--cpus", "1", "--model", "rt", "--census"}, 0, []string{
		"  all mutex API calls (sleeping)               4 (100.0%)  5 objects",
		"        4        1  sleeping  spinlock_t           &lock"}},
	// A hard-IRQ handler that sleeps: a BUG naming the context, the call
	// fails, and the machine goes on.
	{"irqsleep-msleep", "irqsleep", []string{"--cmdline", "msleep", "--irq", "hard", "--traffic", "irq=11,rate=2000"}, 0, []string{
		"preemptlab: kernel: BUG: sleeping function called from invalid context: msleep in hard-IRQ context (interrupt handler sleepy, preemption count 0x10000, interrupts on): swapper/0 (pid 0) on cpu0 at ...",
		"sleepy_irq: went on", "bystander: tick 2"}},
	{"irqsleep-nanosleep", "irqsleep", []string{"--cmdline", "nanosleep", "--irq", "hard", "--traffic", "irq=11,rate=2000"}, 0, []string{
		"preemptlab: kernel: BUG: sleeping function called from invalid context: nanosleep in hard-IRQ context (interrupt handler sleepy, preemption count 0x10000, interrupts on): swapper/0 (pid 0) on cpu0 at ...",
		"sleepy_irq: went on", "bystander: tick 2"}},
	// A handler that calls do_exit would end the task it interrupted.
	{"irqsleep-exit", "irqsleep", []string{"--cmdline", "exit", "--irq", "hard", "--traffic", "irq=11,rate=2000"}, 4, []string{
		"preemptlab: kernel: Kernel panic - not syncing: cpu0: Aiee, killing interrupt handler! (exit in hard-IRQ context (interrupt handler sleepy, preemption count 0x10000, interrupts on))"}},
	{"irqsleep-completion", "irqsleep", []string{"--cmdline", "completion", "--irq", "hard", "--traffic", "irq=11,rate=2000"}, 0, []string{
		"preemptlab: kernel: BUG: sleeping function called from invalid context: wait_for_completion in hard-IRQ context (interrupt handler sleepy, preemption count 0x10000, interrupts on): swapper/0 (pid 0) on cpu0 at ...",
		"sleepy_irq: went on", "bystander: tick 2"}},
	{"irqsleep-schedule", "irqsleep", []string{"--cmdline", "schedule", "--irq", "hard", "--traffic", "irq=11,rate=2000"}, 0, []string{
		"preemptlab: kernel: BUG: scheduling while atomic: schedule in hard-IRQ context (interrupt handler sleepy, preemption count 0x10000, interrupts on): swapper/0 (pid 0) on cpu0 at ...",
		"sleepy_irq: went on", "bystander: tick 2"}},
	{"irqsleep-might-sleep", "irqsleep", []string{"--cmdline", "mightsleep", "--irq", "hard", "--traffic", "irq=11,rate=2000"}, 0, []string{
		"preemptlab: kernel: BUG: sleeping function called from invalid context: might_sleep() in hard-IRQ context (interrupt handler sleepy, preemption count 0x10000, interrupts on): swapper/0 (pid 0) on cpu0 at ...",
		"sleepy_irq: went on", "bystander: tick 2"}},
	{"irqsleep-softirq", "irqsleep", []string{"--cmdline", "softirq", "--irq", "hard", "--traffic", "irq=11,rate=2000"}, 0, []string{
		"preemptlab: kernel: BUG: sleeping function called from invalid context: msleep in softirq context (softirq NET_RX, preemption count 0x100, interrupts on): swapper/0 (pid 0) on cpu0 at ...",
		"sleepy_softirq: went on", "bystander: tick 2"}},
	{"irqsleep-irqs-off", "irqsleep", []string{"--cmdline", "irqsoff"}, 0, []string{
		"preemptlab: kernel: BUG: sleeping function called from invalid context: msleep with interrupts disabled (preemption count 0x0, interrupts off): irqsoff (pid 1) on cpu0 at ...",
		"irqsoff: went on", "bystander: tick 2"}},
}

// guestTimeout bounds one run in host time: each ends within a second.
const guestTimeout = 60 * time.Second

// runGuest runs r and returns its exit status and its output as
// tests/guest/NAME.out records it.
func runGuest(t *testing.T, r guestRun) (int, string) {
	t.Helper()
	args := append([]string{"run", filepath.Join("kernel", r.image+".elf"), "--gops", "off"}, r.args...)
	ctx, cancel := context.WithTimeout(context.Background(), guestTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, preemptlabBin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("preemptlab %s: no exit within %v (host time)\nstderr:\n%s", strings.Join(args, " "), guestTimeout, stderr.String())
	}
	status := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		status = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# preemptlab run %s %s\n# exit status %d\n", r.image, strings.Join(r.args, " "), status)
	for _, part := range []struct{ name, text string }{{"console", stdout.String()}, {"stderr", stderr.String()}} {
		if part.text == "" {
			continue
		}
		fmt.Fprintf(&b, "# %s:\n", part.name)
		for _, l := range strings.Split(strings.TrimSuffix(part.text, "\n"), "\n") {
			fmt.Fprintf(&b, "#   %s\n", l)
		}
	}
	return status, b.String()
}

// TestGuestErrors runs each of guestRuns: its status and lines must be
// the ones it lists, its whole output the one tests/guest/NAME.out
// records, and nothing may be a Go panic.
func TestGuestErrors(t *testing.T) {
	for _, r := range guestRuns {
		t.Run(r.name, func(t *testing.T) {
			status, got := runGuest(t, r)
			if status != r.status {
				t.Errorf("status %d, want %d\n%s", status, r.status, got)
			}
			lines := map[string]bool{}
			for _, l := range strings.Split(got, "\n") {
				lines[strings.TrimPrefix(l, "#   ")] = true
			}
			for _, w := range r.want {
				if no, ok := strings.CutPrefix(w, "!"); ok {
					if strings.Contains(got, no) {
						t.Errorf("%q in\n%s", no, got)
					}
					continue
				}
				if !hasLine(lines, w) {
					t.Errorf("no line %q in\n%s", w, got)
				}
			}
			if strings.Contains(got, "goroutine ") || strings.Contains(got, "panic: ") {
				t.Errorf("a Go panic:\n%s", got)
			}
			file := filepath.Join("guest", r.name+".out")
			if *update {
				if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%v (go test ./tests -update writes it)", err)
			}
			if got != string(want) {
				t.Errorf("the output differs from %s (go test ./tests -run GuestErrors -update rewrites it):\n%s", file, lineDiff(file, "this run", want, []byte(got)))
			}
		})
	}
}
