package emu

// This file defines the machine: its configuration, construction, and the
// image loader hookup.

import (
	"fmt"
	"io"
	"sync/atomic"

	"preemptlab/apic"
	"preemptlab/boot"
	"preemptlab/cpu"
	"preemptlab/pit"
)

// DefaultQuantum is the most cycles one processor runs before the
// processor furthest behind gets its turn; it bounds how far apart the
// processors' clocks drift, and so the ordering of plain shared memory.
const DefaultQuantum = 1000

// Config describes a machine.
type Config struct {
	MemMB     int    // RAM in MiB (default 64)
	CPUs      int    // processors, 1–8 (default 2)
	MHz       uint64 // cycles per microsecond (default 1000)
	MaxCycles uint64 // stop after this many cycles of global time (0: no limit)
	Quantum   uint64 // see DefaultQuantum (0: default)
	Seed      uint64 // seed for seeded devices
	Console   io.Writer
	Log       io.Writer // warnings and notes (stderr); nil discards them
}

// ExitKind says how a run ended.
type ExitKind int

const (
	// ExitHalted: every processor halted with interrupts disabled and
	// nothing can wake it.
	ExitHalted ExitKind = iota
	// ExitGuest: the guest wrote to the debug-exit port.
	ExitGuest
	// ExitFault: a processor stopped on a fault it could not handle
	// (triple fault, access to nothing, unsupported operation).
	ExitFault
	// ExitBudget: the cycle budget (MaxCycles) ran out.
	ExitBudget
	// ExitAborted: Abort ended the run from outside (a signal).
	ExitAborted
	// ExitKernel: the hosted kernel ended the run (Exit): a power-off, an
	// exit status the image asked for, or a fatal report.
	ExitKernel
)

// Exit status codes of the command for runs that did not end through the
// debug-exit port (whose codes are always odd).
const (
	StatusHalted = 0
	StatusFault  = 4
	StatusBudget = 6
)

// Result is how a run ended.
type Result struct {
	Kind    ExitKind
	Status  int    // the process exit status for this end
	Message string // what happened, for stderr ("" for a guest exit)
	Fault   *cpu.FaultReport
	Cycles  uint64 // global time at the end
}

// Machine is a PC: RAM, processors, buses and devices.
type Machine struct {
	cfg  Config
	ram  []byte
	cpus []*cpu.CPU

	ports [65536]PortDevice
	mmio  []mmioWindow
	// acknowledge is the interrupt acknowledge cycle (apicAck); tests
	// wrap it to watch interrupts being taken.
	acknowledge func(cpu int) (vector uint8, ok bool)
	kernel      Kernel // the hosted kernel, or nil for a bare machine
	// syncing marks the processors that stopped with StopSync, waiting
	// for the others to catch up before they enter the kernel or take an
	// interrupt.
	syncing []bool

	events  eventQueue
	slab    []*event // every event ever made, by slot
	free    []*event // events not in the queue, for reuse
	nextSeq uint64

	now     uint64   // global time: the furthest-behind processor's time
	running *cpu.CPU // the processor inside Run, or nil

	// ioapicSetIRQ drives an IO-APIC input pin (nil until one is attached).
	ioapicSetIRQ func(pin int, level bool)

	pit         *pit.PIT
	apic        *apic.System
	pic         *picPair
	uart        *UART
	post        uint8
	warnedPorts map[uint16]bool
	result      *Result

	// abort is set by Abort, from any goroutine; the run loop reads it
	// between steps.
	abort atomic.Pointer[Result]
}

// New builds a machine from cfg, with processor 0 as after reset and the
// others waiting for a start-up IPI.
func New(cfg Config) (*Machine, error) {
	if cfg.MemMB == 0 {
		cfg.MemMB = 64
	}
	if cfg.CPUs == 0 {
		cfg.CPUs = 2
	}
	if cfg.MHz == 0 {
		cfg.MHz = 1000
	}
	if cfg.Quantum == 0 {
		cfg.Quantum = DefaultQuantum
	}
	if cfg.MemMB < 1 || cfg.MemMB > 3072 {
		return nil, fmt.Errorf("--mem %d: RAM must be 1 to 3072 MiB (it may not reach the APIC windows at 0xFEC00000)", cfg.MemMB)
	}
	if cfg.CPUs < 1 || cfg.CPUs > 8 {
		return nil, fmt.Errorf("--cpus %d: the machine has 1 to 8 processors", cfg.CPUs)
	}
	if cfg.Console == nil {
		cfg.Console = io.Discard
	}
	m := &Machine{
		cfg:         cfg,
		ram:         make([]byte, cfg.MemMB<<20),
		warnedPorts: map[uint16]bool{},
		syncing:     make([]bool, cfg.CPUs),
	}
	for i := 0; i < cfg.CPUs; i++ {
		c := cpu.New(i, m.ram, busAdapter{m})
		c.Warn = func(msg string) { m.logf("warning: %s", msg) }
		c.SyncBeforeEntry = func() bool { return m.othersBehind(c) }
		if i > 0 {
			c.ShareCodeCache(m.cpus[0])
			c.INIT() // application processors wait for a start-up IPI
		}
		m.cpus = append(m.cpus, c)
	}
	m.uart = &UART{out: cfg.Console}
	m.MapPorts(0x3F8, 8, bytePorts{m.uart})
	m.MapPorts(0xF4, 1, debugExit{m})
	m.MapPorts(0x80, 1, postPort{&m.post})
	m.attachAPIC()
	m.pic = newPICPair(m.picChanged)
	m.MapPorts(0x20, 2, bytePorts{picPorts{m.pic, m.pic.master}})
	m.MapPorts(0xA0, 2, bytePorts{picPorts{m.pic, m.pic.slave}})
	m.attachPIT()
	return m, nil
}

// CPUs returns the processors.
func (m *Machine) CPUs() []*cpu.CPU { return m.cpus }

// RAM returns the machine's memory.
func (m *Machine) RAM() []byte { return m.ram }

// Config returns the configuration the machine was built with (defaults filled in).
func (m *Machine) Config() Config { return m.cfg }

// othersBehind reports whether another processor could do something
// before c's time that c's entry must come after: one that executes (or
// ends a busy stretch) before that time, or an event due before it. A
// processor busy past c's time, like a halted one, can do nothing until
// then but through an event.
func (m *Machine) othersBehind(c *cpu.CPU) bool {
	now := c.Cycles
	if m.nextEvent() < now {
		// An event before this cycle (passed while c charged kernel
		// work) may wake another processor first: let it fire.
		return true
	}
	for _, o := range m.cpus {
		if o == c {
			continue
		}
		if r, ok := readyAt(o); ok && r < now {
			return true
		}
	}
	return false
}

// LoadMultiboot loads a multiboot ELF image and sets processor 0 up to
// enter it as a multiboot loader does.
func (m *Machine) LoadMultiboot(image []byte, cmdline string) (*boot.Loaded, error) {
	l, err := boot.Load(image, m.ram, boot.Options{
		Cmdline: cmdline,
		Windows: []boot.Window{
			{Base: apic.IOAPICBase, Size: apic.WindowSize, Name: "IO-APIC"},
			{Base: apic.LAPICBase, Size: apic.WindowSize, Name: "local APIC"},
		},
	})
	if err != nil {
		return nil, err
	}
	c := m.cpus[0]
	c.SetProtectedFlat(l.Entry)
	c.R[cpu.EAX] = l.Magic
	c.R[cpu.EBX] = l.InfoAddr
	return l, nil
}

// exit ends the run (the first reason wins).
func (m *Machine) exit(kind ExitKind, status int, msg string) {
	if m.result != nil {
		return
	}
	m.result = &Result{Kind: kind, Status: status & 0xFF, Message: msg}
	if m.running != nil {
		m.running.Stop()
	}
}

// Abort ends the run from outside the machine — for example when the
// command receives SIGINT — with the given status and message. It is the
// one method of Machine that is safe to call from another goroutine: the
// run loop notices it between two steps (within one quantum of simulated
// time), finishes that step and returns from Run, with the processors'
// state intact for reports and statistics. Which step that is depends on
// host timing, so an aborted run is not deterministic.
func (m *Machine) Abort(status int, msg string) {
	m.abort.CompareAndSwap(nil, &Result{Kind: ExitAborted, Status: status & 0xFF, Message: msg})
}

// SetIRQ sets the level of ISA interrupt line irq. Lines 0–15 reach the
// 8259 pair, and every line the IO-APIC pin of the same number, except
// IRQ 0 (the PIT), which reaches pin 2 as the interrupt source override of
// every PC's MADT says.
func (m *Machine) SetIRQ(irq int, level bool) {
	if irq < 16 {
		m.pic.setIRQ(irq, level)
	}
	pin := irq
	if irq == 0 {
		pin = 2
	}
	if m.ioapicSetIRQ != nil {
		m.ioapicSetIRQ(pin, level)
	}
}
