package cpu

// This file defines the processor: its registers, segment and descriptor
// state, the Bus it reaches the machine through, and its life cycle (reset,
// INIT and start-up IPI, entering protected mode).

import "fmt"

// General register numbers, in the x86 encoding order.
const (
	EAX = iota
	ECX
	EDX
	EBX
	ESP
	EBP
	ESI
	EDI
	// regZero is a register that always reads 0: an address with no base
	// or no index names it, so effective addresses need no branches.
	regZero
)

// Segment register numbers, in the x86 encoding order.
const (
	ES = iota
	CS
	SS
	DS
	FS
	GS
)

// EFLAGS bits.
const (
	FlagCF   = 1 << 0
	FlagPF   = 1 << 2
	FlagAF   = 1 << 4
	FlagZF   = 1 << 6
	FlagSF   = 1 << 7
	FlagTF   = 1 << 8
	FlagIF   = 1 << 9
	FlagDF   = 1 << 10
	FlagOF   = 1 << 11
	FlagIOPL = 3 << 12
	FlagNT   = 1 << 14
	FlagRF   = 1 << 16
	FlagVM   = 1 << 17
	FlagAC   = 1 << 18
	FlagID   = 1 << 21

	// flagsArith are the six status flags that arithmetic sets.
	flagsArith = FlagCF | FlagPF | FlagAF | FlagZF | FlagSF | FlagOF
	// flagsFixed is bit 1, which always reads 1.
	flagsFixed = 1 << 1
)

// CR0 bits.
const (
	CR0PE = 1 << 0
	CR0ET = 1 << 4
	CR0NE = 1 << 5
	CR0PG = 1 << 31
)

// Bus is what the CPU needs from the machine. RAM is reached directly (see
// New); every other physical address, every I/O port, the interrupt
// controller and the model specific registers go through the Bus.
//
// A Bus method that reports ok == false stops the CPU with StopBusError;
// the machine has recorded why (nothing mapped there, a device refused).
type Bus interface {
	// ReadPhys reads size (1, 2 or 4) bytes at a physical address outside RAM.
	ReadPhys(cpu int, addr uint32, size int) (v uint32, ok bool)
	// WritePhys writes size bytes at a physical address outside RAM.
	WritePhys(cpu int, addr uint32, size int, v uint32) (ok bool)
	// In reads size bytes from an I/O port.
	In(cpu int, port uint16, size int) (v uint32, ok bool)
	// Out writes size bytes to an I/O port.
	Out(cpu int, port uint16, size int, v uint32) (ok bool)
	// ReadMSR and WriteMSR access a model specific register; ok == false
	// means the register does not exist, and the CPU raises #GP(0).
	ReadMSR(cpu int, msr uint32) (v uint64, ok bool)
	WriteMSR(cpu int, msr uint32, v uint64) (ok bool)
	// Acknowledge is the interrupt acknowledge cycle: it returns the vector
	// of the highest-priority deliverable interrupt and marks it in
	// service. The CPU calls it at an instruction boundary with EFLAGS.IF
	// set after the machine called Interrupt, and again at every such
	// boundary until it answers ok == false.
	Acknowledge(cpu int) (vector uint8, ok bool)
}

// Segment is a segment register with its descriptor cache.
type Segment struct {
	Sel   uint16
	Base  uint32
	Limit uint32 // effective byte limit (granularity applied)
	// Access is the descriptor's access byte (type, S, DPL, P) in bits
	// 0–7 and its flags (AVL, L, D/B, G) in bits 12–15, as in the
	// descriptor's second dword shifted right by 8.
	Access uint16
	// flat is true for an expand-up segment with base 0 and limit 4 GiB:
	// accesses through it need no limit check.
	flat bool
}

// Big reports the segment's D/B bit (32-bit code, 32-bit stack).
func (s *Segment) Big() bool { return s.Access&0x4000 != 0 }

// DPL returns the descriptor privilege level.
func (s *Segment) DPL() int { return int(s.Access>>5) & 3 }

// update recomputes the derived flat flag: a present, writable, expand-up
// data segment with base 0 and a 4 GiB limit needs no checks at all.
func (s *Segment) update() {
	s.flat = s.Base == 0 && s.Limit == 0xFFFFFFFF && s.Access&0x9E == 0x92
}

// DescriptorTable is GDTR or IDTR.
type DescriptorTable struct {
	Base  uint32
	Limit uint16
}

// CPU is one IA-32 processor. Its fields are owned by the goroutine that
// calls Run; nothing in it is safe for concurrent use.
type CPU struct {
	// R holds EAX..EDI in encoding order; R[regZero] is always 0. It has
	// 256 entries so that indexing it with a register number (a uint8)
	// needs no bounds check on the hot path; only 0–8 are used.
	R   [256]uint32
	EIP uint32

	// flags holds EFLAGS. The six arithmetic flags in it are valid only
	// when lazy.op == lazyNone; otherwise they are computed from lazy.
	flags uint32
	lazy  lazyFlags

	Seg  [6]Segment
	LDTR Segment
	TR   Segment
	GDTR DescriptorTable
	IDTR DescriptorTable
	CR0  uint32
	CR2  uint32
	CR3  uint32
	CR4  uint32
	// DR holds the debug registers DR0–DR7. MOV DRn stores and loads them;
	// no breakpoint they describe is emulated.
	DR [8]uint32

	// CPL is the current privilege level (CS.RPL in protected mode).
	CPL int

	// ID is the processor's number on the machine (its APIC ID).
	ID int

	// Cycles is this CPU's time: the global cycle it has reached. Run
	// advances it; outside Run the machine brings a halted or waiting
	// processor up to global time, and a Kernel charges its work to it
	// (Charge, Resume). It never moves back.
	Cycles uint64
	// Instructions counts retired instructions.
	Instructions uint64

	// mode32 is true when code runs with 32-bit default operand and
	// address size (CS.D); the decoder mode follows it.
	mode32 bool
	// realMode is true when CR0.PE is clear.
	realMode bool

	bus    Bus
	ram    []byte
	ramTop uint32      // len(ram); addresses at or above are outside RAM
	cache  *blockCache // shared by every processor of the machine (ShareCodeCache)
	// decoded remembers recent translations by instruction bytes.
	decoded decodeCache
	// scratch holds a block's instructions while it is translated.
	scratch [maxBlockInsts]inst

	// cur is the instruction being executed one at a time (stepped), for
	// fault reports and restartable faults; blk and k are the block run
	// whole and the index in its fast instructions of the one executing.
	// current() combines them. A block run whole stores only k per
	// instruction (an integer, no write barrier).
	cur *inst
	blk *block
	k   uint32
	// exit is set, with brk, by a conditional branch inside a block that
	// is taken: the block loop leaves the block there, EIP already set.
	exit bool
	// resume and resumeIdx remember where in a block the last Run
	// stopped for the limit (nil if it did not stop inside one).
	resume    *block
	resumeIdx int

	// brk asks the block loop to stop after the current instruction
	// (device access, self-modifying code, state change).
	brk bool
	// limit is the cycle Run must stop at; the machine may lower it while
	// the CPU is inside Run (a device access scheduled an earlier event).
	limit uint64

	// intr is set by Interrupt: the interrupt controller may have a
	// maskable interrupt for this CPU. nmi is an NMI waiting.
	intr bool
	nmi  bool
	// shadow blocks interrupts for one instruction after STI or MOV SS.
	shadow bool
	// nmiBlocked is set while an NMI handler runs (until IRET).
	nmiBlocked bool
	// ifOff is the last instruction that cleared IF (CLI, POPF) and
	// ifOn the last that set it (STI, POPF): see IFByInstruction.
	ifOff, ifOn ifChange

	// halted is set by HLT until an interrupt arrives.
	halted bool
	// busyUntil, when above Cycles, is the end of a busy stretch (Busy).
	busyUntil uint64
	// waiting is set by Wait until Resume.
	waiting bool
	// waitSIPI is set by INIT until a start-up IPI arrives.
	waitSIPI bool
	// stepped is true while the current block runs one instruction at a
	// time (each instruction charged as it retires).
	stepped bool
	// stop is why Run must return early, or stopNone.
	stop StopReason
	// Fault describes the fault that stopped the CPU (StopShutdown,
	// StopBusError, StopUndefined…).
	Fault *FaultReport

	// kernel, when set, takes every trap and interrupt (SetKernel).
	kernel Kernel
	// entry is the entry into kernel that an instruction asked for, to be
	// made at the next boundary when entryPending is set.
	entry        Entry
	entryPending bool

	// SyncBeforeEntry, when set, is asked at the boundary where the
	// processor would enter its Kernel, take an interrupt or an NMI; if
	// it returns true, Run returns StopSync first, and the entry is made
	// when Run is called again. The machine uses it to bring the other
	// processors up to this one's time first.
	SyncBeforeEntry func() bool

	// Warn, when set, receives one-line notes for the user (an instruction
	// that is not emulated was executed).
	Warn   func(msg string)
	warned map[uint32]bool
}

// StopReason says why Run returned.
type StopReason uint8

const (
	stopNone StopReason = iota
	// StopLimit: the CPU reached the cycle limit.
	StopLimit
	// StopHalt: the CPU executed HLT and waits for an interrupt.
	StopHalt
	// StopRequested: the machine asked the CPU to stop (Stop), for
	// example when the guest wrote to the debug-exit port.
	StopRequested
	// StopShutdown: a triple fault, or an exception with no usable IDT.
	StopShutdown
	// StopBusError: an access to an address or port with nothing behind it.
	StopBusError
	// StopWaitSIPI: the processor waits for a start-up IPI (after INIT).
	StopWaitSIPI
	// StopSync: the processor is about to enter its kernel or take an
	// interrupt, and SyncBeforeEntry asked it to wait until the others
	// catch up.
	StopSync
	// StopWait: the processor waits for its kernel (Wait).
	StopWait
)

var stopNames = [...]string{"none", "limit", "halt", "stop requested", "shutdown", "bus error", "wait for SIPI", "sync", "wait"}

func (s StopReason) String() string {
	if int(s) < len(stopNames) {
		return stopNames[s]
	}
	return fmt.Sprintf("StopReason(%d)", int(s))
}

// New returns a processor with the given id that reaches RAM directly
// through ram (physical address 0 is ram[0]) and everything else through
// bus. It starts as after reset: real mode at F000:FFF0, interrupts off.
func New(id int, ram []byte, bus Bus) *CPU {
	c := &CPU{ID: id, bus: bus, ram: ram, ramTop: uint32(len(ram))}
	if uint64(len(ram)) > 0xFEC00000 {
		panic("cpu: RAM overlaps the APIC windows")
	}
	c.Reset()
	return c
}

// Reset puts the processor in its power-on state: real mode, CS:IP =
// F000:FFF0 (base FFFF0000), all other segments 0 with limit 64 KiB,
// EFLAGS = 2, CR0 = 0x60000010 with caches disabled as the SDM says (here
// just ET), the general registers zero but EDX = 0x663 (family 6).
func (c *CPU) Reset() {
	c.R = [256]uint32{}
	c.R[EDX] = 0x663
	c.flags = flagsFixed
	c.lazy = lazyFlags{}
	for i := range c.Seg {
		c.Seg[i] = Segment{Limit: 0xFFFF, Access: 0x93}
	}
	c.Seg[CS] = Segment{Sel: 0xF000, Base: 0xFFFF0000, Limit: 0xFFFF, Access: 0x9B}
	for i := range c.Seg {
		c.Seg[i].update()
	}
	c.EIP = 0xFFF0
	c.GDTR = DescriptorTable{Limit: 0xFFFF}
	c.IDTR = DescriptorTable{Limit: 0x3FF}
	c.LDTR = Segment{Limit: 0xFFFF, Access: 0x82}
	c.TR = Segment{Limit: 0xFFFF, Access: 0x8B}
	c.CR0 = CR0ET
	c.CR2, c.CR3, c.CR4 = 0, 0, 0
	c.CPL = 0
	c.realMode = true
	c.mode32 = false
	c.halted = false
	c.shadow = false
	c.nmiBlocked = false
	c.intr, c.nmi = false, false
	c.stop = stopNone
	c.Fault = nil
	c.busyUntil = 0
	c.waiting = false
	c.entryPending = false
}

// INIT resets the processor as the INIT signal does and makes it wait for
// a start-up IPI (the state application processors power up in).
func (c *CPU) INIT() {
	c.Reset()
	c.waitSIPI = true
	c.brk = true
}

// StartUp delivers a start-up IPI: a processor waiting for one starts in
// real mode at vector × 4096 (CS = vector × 256, IP = 0). A processor not
// waiting ignores it, as the SDM says.
func (c *CPU) StartUp(vector uint8) {
	if !c.waitSIPI {
		return
	}
	c.waitSIPI = false
	c.Seg[CS] = Segment{Sel: uint16(vector) << 8, Base: uint32(vector) << 12, Limit: 0xFFFF, Access: 0x9B}
	c.Seg[CS].update()
	c.EIP = 0
	c.brk = true
}

// SetProtectedFlat puts the processor in 32-bit protected mode with flat
// 4 GiB code and data segments (selectors 0x08 and 0x10) at CPL 0 and
// interrupts disabled, as a multiboot loader leaves it. The GDTR and IDTR
// keep their values; the image must load its own before it relies on them.
func (c *CPU) SetProtectedFlat(eip uint32) {
	c.CR0 |= CR0PE
	c.realMode = false
	code := Segment{Sel: 0x08, Base: 0, Limit: 0xFFFFFFFF, Access: 0xC09B}
	data := Segment{Sel: 0x10, Base: 0, Limit: 0xFFFFFFFF, Access: 0xC093}
	for i := range c.Seg {
		c.Seg[i] = data
		c.Seg[i].update()
	}
	c.Seg[CS] = code
	c.Seg[CS].update()
	c.CPL = 0
	c.mode32 = true
	c.EIP = eip
	c.SetEFLAGS(flagsFixed)
	c.halted = false
	c.waitSIPI = false
}

// EFLAGS returns the flags register with the arithmetic flags computed.
func (c *CPU) EFLAGS() uint32 {
	c.materialize()
	return c.flags
}

// SetEFLAGS sets the whole flags register (no privilege checks).
func (c *CPU) SetEFLAGS(v uint32) {
	c.lazy.op = lazyNone
	c.flags = v&0x3F7FD5 | flagsFixed
}

// Halted reports whether the processor is in the HLT state.
func (c *CPU) Halted() bool { return c.halted }

// IF reports EFLAGS.IF.
func (c *CPU) IF() bool { return c.flags&FlagIF != 0 }

// ifChange is a change of IF by an instruction: the cycle it began at and
// its EIP.
type ifChange struct {
	at  uint64
	eip uint32
}

// IFByInstruction reports the guest's own changes of IF, by its CLI, STI
// and POPF (not by interrupt delivery or a host's SetEFLAGS): the cycle
// and EIP of the last instruction that cleared IF, and the cycle of the
// last that set it (0 for none). A kernel that sees only its own calls
// learns from it where a section with interrupts off by the guest's own
// instructions began and ended.
func (c *CPU) IFByInstruction() (offAt uint64, offEIP uint32, onAt uint64) {
	return c.ifOff.at, c.ifOff.eip, c.ifOn.at
}

// Interrupt tells the processor that its interrupt controller may have a
// maskable interrupt for it. It is taken at the next instruction boundary
// where EFLAGS.IF is 1 (and wakes the processor from HLT).
func (c *CPU) Interrupt() {
	c.intr = true
	c.brk = true
}

// NMI raises the non-maskable interrupt.
func (c *CPU) NMI() {
	c.nmi = true
	c.brk = true
}

// Stop asks Run to return StopRequested after the current instruction.
func (c *CPU) Stop() {
	c.stop = StopRequested
	c.brk = true
}

// SetLimit lowers (or raises) the cycle at which the current Run returns.
// The machine calls it from a Bus method when a device schedules an event
// earlier than the limit it passed to Run.
func (c *CPU) SetLimit(limit uint64) {
	c.limit = limit
	c.brk = true
}

// ShareCodeCache makes c use other's decode cache. The processors of one
// machine share RAM, so they must share translated code too: a write by
// any processor into code invalidates it for all of them. A processor
// makes its own cache the first time it runs without one.
func (c *CPU) ShareCodeCache(other *CPU) {
	other.ensureCache()
	c.cache = other.cache
}

// ensureCache makes the decode cache if the processor has none yet.
func (c *CPU) ensureCache() {
	if c.cache == nil {
		c.cache = new(blockCache)
		c.cache.init(len(c.ram))
	}
}

// Now returns the processor's exact time at the instruction it is
// executing: inside a block run whole, Cycles is the block's start and the
// instructions before the current one have not been charged yet.
func (c *CPU) Now() uint64 {
	if in := c.current(); in != nil && !c.stepped {
		return c.Cycles + uint64(in.cycStart)
	}
	return c.Cycles
}

// current returns the instruction being executed, nil between instructions.
func (c *CPU) current() *inst {
	if c.cur != nil {
		return c.cur
	}
	if c.blk != nil {
		return &c.blk.fast[c.k]
	}
	return nil
}

// ifChanged records an instruction's change of IF in ch: the cycle and
// EIP of the instruction running.
func (c *CPU) ifChanged(ch *ifChange) {
	ch.at, ch.eip = c.Now(), c.EIP
	if in := c.current(); in != nil {
		ch.eip = in.eip()
	}
}

// between marks the processor as between instructions: no current one.
func (c *CPU) between() {
	c.cur = nil
	c.blk = nil
}

// Limit returns the cycle at which the current Run returns.
func (c *CPU) Limit() uint64 { return c.limit }

// InterruptSignalled reports whether an NMI, or a maskable interrupt with
// EFLAGS.IF set, was signalled and not yet taken: a halted processor with
// one will wake at its next boundary.
func (c *CPU) InterruptSignalled() bool {
	return c.nmi && !c.nmiBlocked || c.intr && c.flags&FlagIF != 0
}

// WaitingForSIPI reports whether the processor waits for a start-up IPI.
func (c *CPU) WaitingForSIPI() bool { return c.waitSIPI }

// RAM returns the memory the processor reaches directly.
func (c *CPU) RAM() []byte { return c.ram }

// Mode describes the processor mode, for reports.
func (c *CPU) Mode() string {
	switch {
	case c.realMode:
		return "real mode"
	case c.mode32:
		return fmt.Sprintf("protected mode, 32-bit code, CPL %d", c.CPL)
	default:
		return fmt.Sprintf("protected mode, 16-bit code, CPL %d", c.CPL)
	}
}
