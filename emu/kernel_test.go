package emu

import (
	"os"
	"strings"
	"testing"

	"preemptlab/apic"
	"preemptlab/cpu"
)

// testKernel is a hosted kernel made of functions, for the seam's tests.
type testKernel struct {
	enter   func(c *cpu.CPU, e cpu.Entry)
	stopped func(c *cpu.CPU, why cpu.StopReason) bool
	stuck   func() (int, string)
}

func (k *testKernel) Enter(c *cpu.CPU, e cpu.Entry) { k.enter(c, e) }

func (k *testKernel) Stopped(c *cpu.CPU, why cpu.StopReason) bool {
	return k.stopped != nil && k.stopped(c, why)
}

func (k *testKernel) Stuck() (int, string) {
	if k.stuck != nil {
		return k.stuck()
	}
	return 9, "stuck"
}

func (k *testKernel) Where(c *cpu.CPU) string { return "in the test kernel" }

// loadTest makes a machine running testdata/NAME.bin at 0x100000 on every
// processor, each with its own stack and interrupts enabled.
func loadTest(t *testing.T, name string, cfg Config) *Machine {
	t.Helper()
	code, err := os.ReadFile("testdata/" + name + ".bin")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MemMB == 0 {
		cfg.MemMB = 2
	}
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	copy(m.RAM()[0x100000:], code)
	m.Out(0x21, 1, 0xFF) // mask the 8259s, as an APIC kernel does
	m.Out(0xA1, 1, 0xFF)
	for i, c := range m.CPUs() {
		c.SetProtectedFlat(0x100000)
		c.SetEFLAGS(cpu.FlagIF)
		c.R[cpu.ESP] = uint32(0x80000 - i*0x1000)
	}
	return m
}

// TestKernelEntrySynchronised runs two processors making system calls at
// different points of their quanta, and checks that the kernel is entered
// at the cycle just after each INT retired, with no runnable processor
// behind that cycle, so that kernel entries happen in global-time order.
func TestKernelEntrySynchronised(t *testing.T) {
	m := loadTest(t, "kentry", Config{CPUs: 2, MaxCycles: 3_000_000})
	m.CPUs()[0].R[cpu.EDX] = 37
	m.CPUs()[1].R[cpu.EDX] = 53
	var entries [2]int
	last := [2]uint64{}
	var prev uint64 // the last entry's cycle, on either processor
	k := &testKernel{enter: func(c *cpu.CPU, e cpu.Entry) {
		if e.Kind != cpu.EntrySoftware || e.Vector != 0x80 {
			t.Fatalf("cpu%d: unexpected entry %v %#x", c.ID, e.Kind, e.Vector)
		}
		now := c.Now()
		// Each loop: mov (1), n × (add, add, dec, jnz: 4), INT (20),
		// JMP (1), counted from the end of the 7 cycles of kernel work
		// charged below.
		n := uint64(c.R[cpu.EDX])
		if period := 1 + 4*n + 20 + 1; entries[c.ID] > 0 && now-last[c.ID] != period {
			t.Fatalf("cpu%d: entry %d at cycle %d, %d after the last; want %d", c.ID, entries[c.ID], now, now-last[c.ID], period)
		}
		entries[c.ID]++
		for _, o := range m.CPUs() {
			if o != c && o.Cycles < now {
				t.Fatalf("cpu%d entered the kernel at cycle %d with cpu%d behind at %d", c.ID, now, o.ID, o.Cycles)
			}
		}
		if now < prev {
			t.Fatalf("cpu%d entered the kernel at cycle %d after an entry at %d", c.ID, now, prev)
		}
		prev = now
		c.Charge(7)
		last[c.ID] = now + 7
	}}
	m.Host(k)
	r := m.Run()
	if r.Kind != ExitBudget {
		t.Fatalf("run ended with %v: %s", r.Kind, r.Message)
	}
	if entries[0] < 10000 || entries[1] < 10000 {
		t.Errorf("only %v kernel entries in 3 ms", entries)
	}
}

// startTimer makes processor 0's local APIC timer fire every period
// cycles on vector 0x40.
func startTimer(m *Machine, period uint32) {
	l := m.LAPIC(0)
	l.Write(apic.RegTimerDivide, 0xB) // divide by 1
	l.Write(apic.RegLVTTimer, 1<<17|0x40)
	l.Write(apic.RegTimerInitial, period)
}

// timerKernel handles the timer interrupts of startTimer as a kernel's
// entry path does — saving the interrupted context, doing handlerCycles
// of work, acknowledging, restoring the context — and records when each
// was taken; the calls made with EAX = 2 end the run, EAX = 1 calls busy.
type timerKernel struct {
	m             *Machine
	handlerCycles uint64
	taken         []uint64
	end           uint64
	busy          func(c *cpu.CPU)
	call          func(c *cpu.CPU, nr uint32)
}

func (k *timerKernel) enter(c *cpu.CPU, e cpu.Entry) {
	switch e.Kind {
	case cpu.EntryInterrupt:
		k.taken = append(k.taken, c.Now())
		var saved cpu.Context
		c.SaveContext(&saved)
		handler := saved
		handler.Busy, handler.Waiting = 0, false
		c.LoadContext(&handler)
		c.Charge(k.handlerCycles)
		k.m.LAPIC(c.ID).Write(apic.RegEOI, 0)
		c.LoadContext(&saved)
	case cpu.EntrySoftware:
		switch nr := c.R[cpu.EAX]; nr {
		case 1:
			if k.busy != nil {
				k.busy(c)
			}
		case 2:
			k.end = c.Now()
			k.m.Exit(0, "")
		default:
			k.call(c, nr)
		}
	}
}

// TestBusyMatchesDelayLoop checks that a busy stretch is cycle-identical
// to an executed delay loop of the same length: the same interrupts taken
// at the same cycles, and the same end, with the time the handlers took
// added as it is to the loop.
func TestBusyMatchesDelayLoop(t *testing.T) {
	const loops = 100_000
	run := func(name string, busy func(c *cpu.CPU)) *timerKernel {
		m := loadTest(t, name, Config{CPUs: 1, MaxCycles: 10_000_000})
		m.CPUs()[0].R[cpu.EDI] = loops
		k := &timerKernel{m: m, handlerCycles: 313, busy: busy}
		m.Host(&testKernel{enter: k.enter})
		startTimer(m, 1777)
		if r := m.Run(); r.Kind != ExitKernel {
			t.Fatalf("%s: run ended with %v: %s", name, r.Kind, r.Message)
		}
		return k
	}
	loop := run("delayloop", nil)
	busy := run("busyfor", func(c *cpu.CPU) { c.Busy(1 + 2*loops) })
	if len(loop.taken) < 100 {
		t.Fatalf("only %d interrupts during the loop", len(loop.taken))
	}
	if len(busy.taken) != len(loop.taken) || busy.end != loop.end {
		t.Fatalf("busy stretch: %d interrupts, end at %d; delay loop: %d interrupts, end at %d", len(busy.taken), busy.end, len(loop.taken), loop.end)
	}
	for i := range loop.taken {
		if busy.taken[i] != loop.taken[i] {
			t.Fatalf("interrupt %d taken at cycle %d when busy, %d in the delay loop", i, busy.taken[i], loop.taken[i])
		}
	}
	if want := uint64(1+20+1+2*loops+1+20) + uint64(len(loop.taken))*313; loop.end != want {
		t.Errorf("delay loop ended at %d, want %d", loop.end, want)
	}
}

// TestWaitResume has processor 0 wait for the kernel while its timer
// interrupts it, and processor 1 end the wait: the interrupts are taken
// at their cycles while waiting, the wait survives them, and processor 0
// goes on exactly when it was resumed.
func TestWaitResume(t *testing.T) {
	m := loadTest(t, "waitresume", Config{CPUs: 2, MaxCycles: 10_000_000})
	c1 := m.CPUs()[1]
	c1.EIP = 0x10000e
	c1.R[cpu.EDI] = 50_000
	c1.SetEFLAGS(0)
	var resumeAt uint64
	k := &timerKernel{m: m, handlerCycles: 100}
	k.call = func(c *cpu.CPU, nr uint32) {
		switch nr {
		case 3:
			c.Wait()
		case 4:
			resumeAt = c.Now() + 100
			m.CPUs()[0].Resume(resumeAt)
		}
	}
	m.Host(&testKernel{enter: func(c *cpu.CPU, e cpu.Entry) {
		if e.Kind == cpu.EntryInterrupt && !c.Waiting() {
			t.Errorf("timer interrupt at %d while not waiting", c.Now())
		}
		k.enter(c, e)
	}})
	startTimer(m, 1000)
	if r := m.Run(); r.Kind != ExitKernel {
		t.Fatalf("run ended with %v: %s", r.Kind, r.Message)
	}
	// cpu1: mov, 50,000 × (dec, jnz), mov, INT: the resume call.
	if want := uint64(1+2*50_000+1+20) + 100; resumeAt != want {
		t.Errorf("resumed at %d, want %d", resumeAt, want)
	}
	if len(k.taken) < 90 {
		t.Fatalf("only %d timer interrupts while waiting", len(k.taken))
	}
	for i, at := range k.taken {
		if at != uint64(i+1)*1000 {
			t.Fatalf("timer interrupt %d taken at %d while waiting, want %d", i, at, (i+1)*1000)
		}
	}
	if want := resumeAt + 1 + 20; k.end != want {
		t.Errorf("cpu0 made its next call at %d, want %d (resumed at %d)", k.end, want, resumeAt)
	}
}

// TestUserContextAndFaults loads a CPL 3 context, takes a system call and
// a privileged instruction's #GP from it, and a bus error that the kernel
// deals with so that the machine goes on.
func TestUserContextAndFaults(t *testing.T) {
	m := loadTest(t, "usermode", Config{CPUs: 1, MaxCycles: 1_000_000})
	var log []string
	var busErr *cpu.FaultReport
	k := &testKernel{}
	k.enter = func(c *cpu.CPU, e cpu.Entry) {
		switch {
		case e.Kind == cpu.EntrySoftware && c.R[cpu.EAX] == 5:
			ctx := cpu.Context{EIP: 0x100008, EFLAGS: cpu.FlagIF}
			ctx.R[cpu.ESP] = 0x70000
			ctx.Seg = [6]cpu.Segment{cpu.FlatData(0x23), cpu.FlatCode(0x1B), cpu.FlatData(0x23), cpu.FlatData(0x23), cpu.FlatData(0x23), cpu.FlatData(0x23)}
			c.LoadContext(&ctx)
			log = append(log, "user")
		case e.Kind == cpu.EntrySoftware && c.R[cpu.EAX] == 6:
			log = append(log, "syscall at CPL "+string(rune('0'+c.CPL)))
		case e.Kind == cpu.EntryException:
			log = append(log, cpu.ExceptionName(e.Vector)+" at CPL "+string(rune('0'+c.CPL)))
			ctx := cpu.Context{EIP: 0x100040}
			ctx.R[cpu.ESP] = 0x80000
			ctx.Seg = [6]cpu.Segment{cpu.FlatData(0x10), cpu.FlatCode(0x08), cpu.FlatData(0x10), cpu.FlatData(0x10), cpu.FlatData(0x10), cpu.FlatData(0x10)}
			c.LoadContext(&ctx)
		case e.Kind == cpu.EntrySoftware && c.R[cpu.EAX] == 7:
			log = append(log, "went on")
			m.Exit(0, "")
		default:
			t.Errorf("unexpected entry %v %#x", e.Kind, e.Vector)
		}
	}
	k.stopped = func(c *cpu.CPU, why cpu.StopReason) bool {
		if why != cpu.StopBusError {
			return false
		}
		busErr = c.Fault
		c.EIP += 5 // skip the faulting MOV
		return true
	}
	m.Host(k)
	if r := m.Run(); r.Kind != ExitKernel {
		t.Fatalf("run ended with %v: %s", r.Kind, r.Message)
	}
	want := "user; syscall at CPL 3; #GP (general protection) at CPL 3; went on"
	if got := strings.Join(log, "; "); got != want {
		t.Errorf("entries: %s\nwant: %s", got, want)
	}
	if busErr == nil || !strings.Contains(busErr.Reason, "0xf0000000") {
		t.Errorf("bus error report: %v", busErr)
	}
}

// TestKernelStuck checks that a machine whose processors can never run
// again asks the kernel why, and ends with its status and message.
func TestKernelStuck(t *testing.T) {
	m := loadTest(t, "waitresume", Config{CPUs: 1, MaxCycles: 1_000_000})
	m.CPUs()[0].SetEFLAGS(0)
	m.Host(&testKernel{
		enter: func(c *cpu.CPU, e cpu.Entry) { c.Wait() },
		stuck: func() (int, string) { return 3, "every task waits" },
	})
	if r := m.Run(); r.Kind != ExitKernel || r.Status != 3 || r.Message != "every task waits" {
		t.Errorf("run ended with %v, status %d: %q", r.Kind, r.Status, r.Message)
	}
}
