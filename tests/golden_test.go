package tests

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	_ "preemptlab/kernel"
)

var update = flag.Bool("update", false, "rewrite the golden traces in tests/golden")

// scenario is one golden-trace run of a kernel image: the command's
// flags, and what the golden file records — the exit status, the console,
// stderr, and the whole ftrace-format trace with nanosecond timestamps.
type scenario struct {
	name  string   // tests/golden/NAME.trace
	image string   // tests/kernel/IMAGE.elf
	args  []string // the flags of "preemptlab run"
}

// scenarios are the golden traces. Each image's comment says what it
// shows; the names say under which model.
var scenarios = []scenario{
	// An RT task woken by its timer while a SCHED_OTHER task runs in user
	// mode: the same in every model (TestUserModeSameInEveryModel).
	{"rtwake-user", "rtwake", []string{"--cpus", "1", "--model", "none", "--cmdline", "bg=user"}},
	// The same while the other task is in 2 ms system calls of
	// udelay(100); might_sleep() ×20: none waits for the call, voluntary
	// for the next might_sleep, preempt only for the entry and switch.
	{"rtwake-syscall-none", "rtwake", []string{"--cpus", "1", "--model", "none", "--cmdline", "bg=syscall"}},
	{"rtwake-syscall-voluntary", "rtwake", []string{"--cpus", "1", "--model", "voluntary", "--cmdline", "bg=syscall"}},
	{"rtwake-syscall-preempt", "rtwake", []string{"--cpus", "1", "--model", "preempt", "--cmdline", "bg=syscall"}},
	// The same path holding a spinlock_t: now preempt waits too.
	{"rtwake-spinlock-preempt", "rtwake", []string{"--cpus", "1", "--model", "preempt", "--cmdline", "bg=spinlock"}},
	// A 200 µs device handler, hard and threaded, against an RT task above
	// the IRQ thread.
	{"irq-hard", "irq", []string{"--cpus", "1", "--model", "preempt", "--traffic", "irq=11,rate=1500,jitter=30%"}},
	{"irq-threaded", "irq", []string{"--cpus", "1", "--model", "preempt", "--irq", "threaded", "--traffic", "irq=11,rate=1500,jitter=30%"}},
	// NET_RX work on interrupt exit, and in its softirq thread.
	{"softirq-irq-exit", "softirq", []string{"--cpus", "1", "--model", "preempt", "--traffic", "irq=11,rate=2500,jitter=30%", "--cmdline", "loops=5"}},
	{"softirq-thread", "softirq", []string{"--cpus", "1", "--model", "preempt", "--softirq", "thread", "--traffic", "irq=11,rate=2500,jitter=30%", "--cmdline", "loops=5"}},
	// A reschedule IPI waking a task on the other CPU, idle and busy.
	{"ipi", "ipi", []string{"--cpus", "2", "--model", "preempt"}},
	// SCHED_RR slicing between two tasks of one priority.
	{"rr", "rr", []string{"--cpus", "1", "--model", "preempt", "--rr-slice", "2ms", "--duration", "8ms"}},
	// A task preempted between set_current_state(TASK_INTERRUPTIBLE) and
	// schedule() stays runnable (TASK_PREEMPTING).
	{"preempting", "preempting", []string{"--cpus", "1", "--model", "preempt"}},
	// PREEMPT_LAZY against full preemption, for an OTHER and an RT wake-up.
	{"lazy-full", "lazy", []string{"--cpus", "1", "--model", "preempt"}},
	{"lazy-lazy", "lazy", []string{"--cpus", "1", "--model", "preempt", "--preempt", "lazy"}},
	// Priority inversion on one CPU (pinv.c): an OTHER holder of a
	// spinlock_t, a FIFO 50 hog, a FIFO 90 waiter. Without PI (mmlinux,
	// rt) the waiter waits for the hog too; with PI (mvista-rt's PMutex,
	// rt's rt_mutex) the holder is boosted (sched_pi_setprio).
	{"pinv-mmlinux", "pinv", []string{"--cpus", "1", "--model", "mmlinux"}},
	{"pinv-rt", "pinv", []string{"--cpus", "1", "--model", "rt"}},
	{"pinv-mvista-rt", "pinv", []string{"--cpus", "1", "--model", "mvista-rt"}},
	{"pinv-rt-chain", "pinv", []string{"--cpus", "1", "--model", "rt", "--pi", "chain"}},
	// Three tasks, two locks: PMutex boosts one level, pi=chain through.
	{"pichain-pmutex", "pinv", []string{"--cpus", "1", "--model", "mvista-rt", "--cmdline", "test=chain"}},
	{"pichain-chain", "pinv", []string{"--cpus", "1", "--model", "rt", "--pi", "chain", "--cmdline", "test=chain"}},
	// Readers of an rwlock_t ahead of a FIFO 90 writer under mmlinux,
	// without and with priority borrowing.
	{"borrow-mmlinux", "pinv", []string{"--cpus", "1", "--model", "mmlinux", "--cmdline", "test=borrow"}},
	{"borrow-mmlinux-borrow", "pinv", []string{"--cpus", "1", "--model", "mmlinux", "--pi", "borrow", "--cmdline", "test=borrow"}},
	// A raw spinlock held 1 ms on CPU 0 with cond_resched_lock() every
	// 100 µs, CPU 1 spinning on it: with lock-break it waits 50 µs,
	// without 752 µs.
	{"lockbreak-on", "lockbreak", []string{"--cpus", "2", "--model", "preempt"}},
	{"lockbreak-off", "lockbreak", []string{"--cpus", "2", "--model", "preempt", "--lockbreak", "off"}},
	// rtwake's spinlock_t path under rt: the holder is preemptible.
	{"rtwake-spinlock-rt", "rtwake", []string{"--cpus", "1", "--model", "rt", "--cmdline", "bg=spinlock"}},
	// A preempted RCU reader holding up synchronize_rcu under rt; under
	// preempt the reader is not preemptible (rcu.c).
	{"rcu-preempt", "rcu", []string{"--cpus", "1", "--model", "preempt"}},
	{"rcu-rt", "rcu", []string{"--cpus", "1", "--model", "rt"}},
	// A seqlock writer preempted by a reader under rt: the reader waits
	// by the writer's lock.
	{"seqlock-preempt", "rcu", []string{"--cpus", "1", "--model", "preempt", "--cmdline", "test=seqlock"}},
	{"seqlock-rt-chain", "rcu", []string{"--cpus", "1", "--model", "rt", "--pi", "chain", "--cmdline", "test=seqlock"}},
	// call_rcu's callback held up by a reader, run in the RCU softirq
	// (on interrupt exit under preempt, in softirq-rcu/0 under rt).
	{"callrcu-preempt", "rcu", []string{"--cpus", "1", "--model", "preempt", "--cmdline", "test=callrcu"}},
	{"callrcu-rt", "rcu", []string{"--cpus", "1", "--model", "rt", "--cmdline", "test=callrcu"}},
	// get_cpu_locked: get_cpu under preempt, a preemptible per-CPU lock
	// under rt.
	{"percpu-preempt", "rcu", []string{"--cpus", "1", "--model", "preempt", "--cmdline", "test=percpu"}},
	{"percpu-rt", "rcu", []string{"--cpus", "1", "--model", "rt", "--cmdline", "test=percpu"}},
	// A SCHED_OTHER task with bottom halves disabled 3 ms (msleep inside)
	// while a device raises NET_RX (bh.c): under preempt the softirq
	// count defers it to local_bh_enable and msleep is a BUG; under rt
	// softirq-net-rx/0 blocks on softirq_ctrl.lock/0 (boosting the task
	// under pi=chain) and runs when local_bh_enable releases it.
	{"bh-preempt", "bh", []string{"--cpus", "1", "--model", "preempt", "--traffic", "irq=11,rate=800"}},
	{"bh-rt", "bh", []string{"--cpus", "1", "--model", "rt", "--traffic", "irq=11,rate=800"}},
	{"bh-rt-chain", "bh", []string{"--cpus", "1", "--model", "rt", "--pi", "chain", "--traffic", "irq=11,rate=800"}},
	// The same with a FIFO 30 hog waking in the section: without PI the
	// softirq waits for the hog too (8007 us), with pi=chain the task
	// runs boosted to FIFO 50 above it (4008 us).
	{"bh-hog-rt", "bh", []string{"--cpus", "1", "--model", "rt", "--traffic", "irq=11,rate=800", "--cmdline", "hog"}},
	{"bh-hog-rt-chain", "bh", []string{"--cpus", "1", "--model", "rt", "--pi", "chain", "--traffic", "irq=11,rate=800", "--cmdline", "hog"}},
	// An rt_mutex cycle: the second lock returns -EDEADLK.
	{"deadlock-rtmutex", "pinv", []string{"--cpus", "1", "--model", "rt", "--pi", "chain", "--cmdline", "test=deadlock"}},
}

// runScenario runs a scenario and returns its golden text.
func runScenario(t *testing.T, s scenario) string {
	t.Helper()
	trace := filepath.Join(t.TempDir(), "trace")
	args := append([]string{"run", filepath.Join("kernel", s.image+".elf"), "--gops", "off", "--trace", trace, "--trace-ns"}, s.args...)
	cmd := exec.Command(preemptlabBin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	status := 0
	if x, ok := err.(*exec.ExitError); ok {
		status = x.ExitCode()
	} else if err != nil {
		t.Fatalf("%s: %v", s.name, err)
	}
	tr, err := os.ReadFile(trace)
	if err != nil {
		t.Fatalf("%s: no trace: %v\n%s", s.name, err, stderr.String())
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# preemptlab run %s %s\n# exit status %d\n", s.image, strings.Join(s.args, " "), status)
	for _, part := range []struct{ name, text string }{{"console", stdout.String()}, {"stderr", stderr.String()}} {
		if part.text == "" {
			continue
		}
		fmt.Fprintf(&b, "# %s:\n", part.name)
		for _, l := range strings.Split(strings.TrimSuffix(part.text, "\n"), "\n") {
			fmt.Fprintf(&b, "#   %s\n", l)
		}
	}
	b.Write(tr)
	return b.String()
}

// TestGoldenTraces runs every scenario and compares its trace with
// tests/golden/NAME.trace; go test ./tests -update rewrites them.
func TestGoldenTraces(t *testing.T) {
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			got := runScenario(t, s)
			file := filepath.Join("golden", s.name+".trace")
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
				t.Errorf("%s differs from %s (go test ./tests -update rewrites it):\n%s", s.name, file, lineDiff(file, "this run", want, []byte(got)))
			}
		})
	}
}

// TestUserModeSameInEveryModel checks that the first scenario — an RT
// wake-up against a task in user mode — is the same trace, to the cycle,
// under none, voluntary and preempt: no preemption mechanism is involved.
func TestUserModeSameInEveryModel(t *testing.T) {
	base := runScenario(t, scenarios[0])
	strip := func(s string) string { return s[strings.Index(s, "\n")+1:] }
	for _, model := range []string{"voluntary", "preempt"} {
		s := scenarios[0]
		s.args = []string{"--cpus", "1", "--model", model, "--cmdline", "bg=user"}
		if got := runScenario(t, s); strip(got) != strip(base) {
			t.Errorf("under %s the user-mode scenario differs from none:\n%s", model, lineDiff("none", model, []byte(strip(base)), []byte(strip(got))))
		}
	}
}
