package emu

import (
	"bytes"
	"encoding/binary"
	"os"
	"strings"
	"testing"
)

// newTestMachine returns a one-CPU machine with code at 0x100000 entered in
// flat protected mode, and its console.
func newTestMachine(t *testing.T, cpus int, maxCycles uint64, code ...byte) (*Machine, *bytes.Buffer) {
	t.Helper()
	var out bytes.Buffer
	var log bytes.Buffer
	m, err := New(Config{MemMB: 2, CPUs: cpus, MaxCycles: maxCycles, Console: &out, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	copy(m.RAM()[0x100000:], code)
	m.CPUs()[0].SetProtectedFlat(0x100000)
	m.CPUs()[0].R[4] = 0x90000
	return m, &out
}

func TestUARTAndDebugExit(t *testing.T) {
	m, out := newTestMachine(t, 1, 0,
		0x66, 0xBA, 0xF8, 0x03, // mov dx, 0x3f8
		0xB0, 'h', 0xEE, // mov al,'h'; out dx,al
		0xB0, 'i', 0xEE, // mov al,'i'; out dx,al
		0xB0, 0x21, 0xE6, 0xF4, // mov al,0x21; out 0xf4,al
		0xF4, // hlt (not reached)
	)
	r := m.Run()
	if out.String() != "hi" {
		t.Errorf("console = %q, want %q", out.String(), "hi")
	}
	if r.Kind != ExitGuest || r.Status != 0x43 {
		t.Errorf("exit = %v status %#x, want guest exit status 0x43", r.Kind, r.Status)
	}
}

func TestHaltWithInterruptsOffEndsRun(t *testing.T) {
	m, _ := newTestMachine(t, 2, 0, 0xFA, 0xF4) // cli; hlt
	r := m.Run()
	if r.Kind != ExitHalted || r.Status != StatusHalted {
		t.Fatalf("exit = %v status %d (%s), want halted 0", r.Kind, r.Status, r.Message)
	}
}

func TestCycleBudget(t *testing.T) {
	m, _ := newTestMachine(t, 1, 5000, 0xEB, 0xFE) // jmp $
	r := m.Run()
	if r.Kind != ExitBudget || r.Status != StatusBudget {
		t.Fatalf("exit = %v status %d, want budget", r.Kind, r.Status)
	}
	if !strings.Contains(r.Message, "cpu0 running at 0008:00100000") || !strings.Contains(r.Message, "jmp") {
		t.Errorf("message does not say where the CPU was:\n%s", r.Message)
	}
	if r.Cycles < 5000 || r.Cycles > 5001 {
		t.Errorf("ended at cycle %d, want 5000", r.Cycles)
	}
}

func TestAccessToNothingIsAFault(t *testing.T) {
	// mov eax, [0x40000000]: far beyond 2 MiB of RAM.
	m, _ := newTestMachine(t, 1, 0, 0xA1, 0x00, 0x00, 0x00, 0x40, 0xF4)
	r := m.Run()
	if r.Kind != ExitFault || r.Status != StatusFault {
		t.Fatalf("exit = %v status %d, want fault", r.Kind, r.Status)
	}
	for _, want := range []string{"read of 4 byte(s) at physical address 0x40000000", "mov eax, dword ptr [0x40000000]", "EAX="} {
		if !strings.Contains(r.Message, want) {
			t.Errorf("report lacks %q:\n%s", want, r.Message)
		}
	}
}

func TestJumpOutsideRAM(t *testing.T) {
	// jmp 0xfec00000 (the IO-APIC window): mov eax, imm; jmp eax
	m, _ := newTestMachine(t, 1, 0, 0xB8, 0x00, 0x00, 0xC0, 0xFE, 0xFF, 0xE0)
	r := m.Run()
	if r.Kind != ExitFault || !strings.Contains(r.Message, "instruction fetch at linear address 0xfec00000") {
		t.Fatalf("exit = %v: %s", r.Kind, r.Message)
	}
}

func TestEventOrder(t *testing.T) {
	m, _ := newTestMachine(t, 1, 0)
	var got []int
	m.Schedule(30, func() { got = append(got, 3) })
	m.Schedule(10, func() { got = append(got, 1) })
	id := m.Schedule(20, func() { got = append(got, 99) })
	m.Schedule(20, func() { got = append(got, 2) })
	m.Schedule(30, func() { got = append(got, 4) })
	m.Cancel(id)
	m.Cancel(id)     // twice is harmless
	m.cpus[0].Halt() // nothing is ready before the events: they all run
	m.now = 30
	m.fireEvents()
	if want := []int{1, 2, 3, 4}; !equalInts(got, want) {
		t.Errorf("events ran %v, want %v", got, want)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestParseTraffic(t *testing.T) {
	c, err := ParseTraffic("irq=11,rate=2000,jitter=20%")
	if err != nil || c.IRQ != 11 || c.Rate != 2000 || c.Jitter != 0.2 {
		t.Errorf("ParseTraffic = %+v, %v", c, err)
	}
	for _, bad := range []string{"", "irq=2,rate=10", "irq=11", "irq=11,rate=-1", "irq=11,rate=5,jitter=150%", "irq=11,rate=5,foo=1"} {
		if _, err := ParseTraffic(bad); err == nil {
			t.Errorf("ParseTraffic(%q) accepted", bad)
		}
	}
}

func TestTrafficRateAndDeterminism(t *testing.T) {
	run := func(seed uint64) (uint64, []uint64) {
		var out bytes.Buffer
		m, err := New(Config{MemMB: 2, CPUs: 1, MaxCycles: 1e9, Seed: seed, Console: &out})
		if err != nil {
			t.Fatal(err)
		}
		copy(m.RAM()[0x100000:], []byte{
			0xB0, 0xFF, 0xE6, 0x21, 0xE6, 0xA1, // mask the 8259s
			0xFB, 0xF4, 0xEB, 0xFD, // sti; 1: hlt; jmp 1b
		})
		m.CPUs()[0].SetProtectedFlat(0x100000)
		if err := m.AddTraffic(TrafficConfig{IRQ: 11, Rate: 1000, Jitter: 0.2}, 0); err != nil {
			t.Fatal(err)
		}
		tr := m.ports[TrafficPortBase].(*traffic)
		r := m.Run()
		if r.Kind != ExitBudget {
			t.Fatalf("run ended with %v: %s", r.Kind, r.Message)
		}
		return tr.total, tr.pending
	}
	n1, p1 := run(7)
	n2, p2 := run(7)
	n3, p3 := run(8)
	if n1 < 990 || n1 > 1010 {
		t.Errorf("1000/s for 1 s raised %d interrupts", n1)
	}
	if n1 != n2 || len(p1) != len(p2) || p1[len(p1)-1] != p2[len(p2)-1] {
		t.Errorf("same seed, different runs: %d vs %d interrupts", n1, n2)
	}
	if len(p3) == len(p1) && p3[len(p3)-1] == p1[len(p1)-1] {
		t.Errorf("seeds 7 and 8 raised at the same cycles (%d)", n3)
	}
}

// TestPIC8259Init programs the 8259 pair as Linux does at boot (ICW1–4,
// then a mask) and reads the masks back.
func TestPIC8259Init(t *testing.T) {
	m, _ := newTestMachine(t, 1, 0)
	out := func(port uint16, v uint8) { m.ports[port].Out(port, 1, uint32(v)) }
	in := func(port uint16) uint8 { return uint8(m.ports[port].In(port, 1)) }
	if in(0x21) != 0xB8 || in(0xA1) != 0x8E {
		t.Fatalf("masks as the firmware leaves them = %#x %#x, want 0xb8 0x8e (as QEMU's SeaBIOS)", in(0x21), in(0xA1))
	}
	for _, w := range []struct {
		port uint16
		v    uint8
	}{
		{0x20, 0x11}, {0xA0, 0x11}, // ICW1: edge, cascade, ICW4 follows
		{0x21, 0x20}, {0xA1, 0x28}, // ICW2: vector bases
		{0x21, 0x04}, {0xA1, 0x02}, // ICW3: slave on IRQ 2
		{0x21, 0x01}, {0xA1, 0x01}, // ICW4: 8086 mode
		{0x21, 0xFB}, {0xA1, 0xFF}, // OCW1: masks
	} {
		out(w.port, w.v)
	}
	if in(0x21) != 0xFB || in(0xA1) != 0xFF {
		t.Errorf("masks = %#x %#x, want 0xfb 0xff", in(0x21), in(0xA1))
	}
	p := m.pic.master
	if p.vector != 0x20 || p.cascade != 0x04 || p.icw4 != 0x01 || p.initStep != 0 {
		t.Errorf("master after init = %+v", *p)
	}
	// IRQ 0 (the PIT) is masked now: its requests wait in IRR, INTR stays low.
	for m.nextEvent() < 100_000_000 { // the PIT's edges, each on its cycle
		m.now = m.nextEvent()
		m.fireEvents()
	}
	if in(0x20)&1 == 0 || m.pic.intr() {
		t.Errorf("IRR = %#x, INTR %v: want IRQ 0 requested and masked", in(0x20), m.pic.intr())
	}
	out(0x21, 0xFA) // unmask IRQ 0
	if !m.pic.intr() || m.pic.acknowledge() != 0x20 {
		t.Errorf("unmasked IRQ 0 does not interrupt with vector 0x20")
	}
	if m.pic.intr() {
		t.Errorf("INTR still high with IRQ 0 in service")
	}
	out(0x20, 0x20) // non-specific EOI
	if in(0x20) != 0 {
		out(0x20, 0x0B)
		t.Errorf("after EOI: IRR %#x ISR %#x", in(0x20), in(0x20))
	}
}

// timeProbe is a port device that records when it is written.
type timeProbe struct {
	m  *Machine
	at []uint64
}

func (p *timeProbe) In(port uint16, size int) uint32 { return 0 }
func (p *timeProbe) Out(port uint16, size int, v uint32) {
	p.at = append(p.at, p.m.Now())
}

// TestDeviceSeesExactTime checks that a device access in the middle of a
// block happens at the cycle of its instruction, not of the block's start.
func TestDeviceSeesExactTime(t *testing.T) {
	m, _ := newTestMachine(t, 1, 0,
		0x90, 0x90, 0x90, 0x90, 0x90, // five NOPs: 1 cycle each
		0xE6, 0x99, // out 0x99, al
		0x90, 0x90, // two more
		0xE6, 0x99, // out 0x99, al
		0xFA, 0xF4) // cli; hlt
	p := &timeProbe{m: m}
	m.MapPorts(0x99, 1, p)
	m.Run()
	if len(p.at) != 2 || p.at[0] != 5 || p.at[1] != 5+500+2 {
		t.Errorf("device written at cycles %v, want [5 507] (NOP 1 cycle, OUT 500)", p.at)
	}
}

// ackRecorder wraps the interrupt controller and records, at each
// acknowledge, how far the other processors lag behind.
type ackRecorder struct {
	m     *Machine
	inner func(cpu int) (uint8, bool)
	lag   []int64
}

func (a *ackRecorder) Acknowledge(cpu int) (uint8, bool) {
	v, ok := a.inner(cpu)
	if ok {
		c := a.m.cpus[cpu]
		for _, o := range a.m.cpus {
			if o != c && runnable(o) {
				a.lag = append(a.lag, int64(c.Cycles)-int64(o.Cycles))
			}
		}
	}
	return v, ok
}

// TestOthersCatchUpBeforeInterrupt runs two busy processors that keep
// interrupting themselves with self-IPIs (taken in the middle of their
// quantum), and checks that whenever one takes an interrupt the other is
// not behind it in time.
func TestOthersCatchUpBeforeInterrupt(t *testing.T) {
	code, err := os.ReadFile("testdata/selfipi.bin")
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(Config{CPUs: 2, MemMB: 2, MaxCycles: 2_000_000})
	if err != nil {
		t.Fatal(err)
	}
	copy(m.RAM()[0x100000:], code)
	for i, c := range m.CPUs() {
		c.SetProtectedFlat(0x100000)
		c.R[4] = uint32(0x80000 - i*0x1000)
	}
	rec := &ackRecorder{m: m, inner: m.acknowledge}
	m.acknowledge = rec.Acknowledge
	m.Run()
	if len(rec.lag) < 1000 {
		t.Fatalf("only %d self-IPIs taken in 2 ms", len(rec.lag))
	}
	for _, l := range rec.lag {
		if l > 0 {
			t.Fatalf("a processor took an interrupt %d cycles ahead of the other (lags %v)", l, rec.lag)
		}
	}
}

// TestTrafficThroughIOAPIC takes the traffic device's level-triggered
// interrupts through IO-APIC pin 11 (remote IRR, EOI broadcast) with a
// guest that acknowledges them, and checks that it saw every one.
func TestTrafficThroughIOAPIC(t *testing.T) {
	code, err := os.ReadFile("testdata/traffic.bin")
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(Config{CPUs: 1, MemMB: 2, MaxCycles: 100_000_000, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	copy(m.RAM()[0x100000:], code)
	m.CPUs()[0].SetProtectedFlat(0x100000)
	m.CPUs()[0].R[4] = 0x80000
	if err := m.AddTraffic(TrafficConfig{IRQ: 11, Rate: 20000, Jitter: 0.5}, 0); err != nil {
		t.Fatal(err)
	}
	tr := m.ports[TrafficPortBase].(*traffic)
	if r := m.Run(); r.Kind != ExitBudget {
		t.Fatalf("run ended with %v: %s", r.Kind, r.Message)
	}
	taken := binary.LittleEndian.Uint32(m.RAM()[0x100004:])
	t.Logf("raised %d, taken %d, pending %d", tr.total, taken, len(tr.pending))
	if tr.total < 1900 || tr.total > 2100 {
		t.Errorf("20,000/s for 0.1 s raised %d interrupts", tr.total)
	}
	if uint64(taken) != tr.total-uint64(len(tr.pending)) || len(tr.pending) > 1 {
		t.Errorf("guest acknowledged %d of %d interrupts (%d still pending)", taken, tr.total, len(tr.pending))
	}
}
