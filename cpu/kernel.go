package cpu

// This file implements the seam between the processor and a kernel that
// runs on the host: the Kernel interface through which such a kernel takes
// every trap and interrupt instead of the guest's IDT, the task Context it
// saves and loads, and the states it puts a processor in (busy, waiting,
// halted) without executing guest instructions.

// Kernel is a kernel that runs on the host beside the processor and takes
// over its traps and interrupts (see SetKernel). A processor with no
// Kernel is bare: everything is delivered through the guest's IDT (or the
// real-mode IVT), as on hardware.
//
// Control reaches Enter in exactly these ways, always at an instruction
// boundary, after every other processor behind this one in time has run up
// to it (SyncBeforeEntry), with Now() the exact cycle of the boundary:
//
//   - EntrySoftware: the processor executed INT n (INT3 is INT 3), INTO
//     with OF set, or INT1. The instruction has retired and been charged;
//     EIP is the next instruction. Nothing was pushed and no privilege
//     check was made: the kernel decides what a gate would have allowed.
//   - EntryException: an instruction raised a fault (#DE, #UD, #GP, #SS,
//     #NP, #TS, #AC…). It did not retire: EIP is the faulting instruction
//     and every register is as before it, so the kernel can restart it.
//     Code is the error code for the vectors that push one.
//   - EntryInterrupt: a maskable interrupt was signalled (Interrupt) and
//     EFLAGS.IF is 1 outside an STI or MOV SS shadow. The interrupt
//     controller has been acknowledged: Vector is in service at the local
//     APIC until the kernel writes its EOI. A processor that was halted is
//     no longer halted; one that was busy or waiting still is, so that a
//     Context saved now keeps the remaining busy cycles or the wait.
//   - EntryNMI: a non-maskable interrupt (NMI), at any boundary.
//   - EntryContinue: the kernel asked to go on with its own work at the
//     next boundary (EnterLater), once the others have caught up.
//
// Enter may change anything: registers, segments (through LoadContext),
// the processor's time (Charge), its state (Busy, Wait, Halt, Stop). It
// returns in one of these ways, and Run goes on accordingly:
//
//   - with the processor ready to execute guest code at EIP (it returned
//     to the interrupted code, or loaded another task's Context);
//   - with the processor busy, waiting or halted, which Run handles as
//     for any such state, taking interrupts when IF is 1;
//   - after Stop: Run returns StopRequested.
//
// Enter must not call Run. It runs on the goroutine that called Run.
type Kernel interface {
	Enter(c *CPU, e Entry)
}

// EntryKind says how control reached a Kernel.
type EntryKind uint8

const (
	// EntrySoftware is INT n, INT3, INTO or INT1.
	EntrySoftware EntryKind = iota
	// EntryException is a fault raised by an instruction.
	EntryException
	// EntryInterrupt is an external maskable interrupt.
	EntryInterrupt
	// EntryNMI is a non-maskable interrupt.
	EntryNMI
	// EntryContinue is the kernel's own work, asked for by EnterLater.
	EntryContinue
)

var entryNames = [...]string{"software interrupt", "exception", "interrupt", "NMI", "continue"}

func (k EntryKind) String() string {
	if int(k) < len(entryNames) {
		return entryNames[k]
	}
	return "EntryKind(?)"
}

// Entry is one entry into a Kernel.
type Entry struct {
	Kind    EntryKind
	Vector  uint8
	Code    uint32 // error code (EntryException with HasCode)
	HasCode bool

	// at is the address of the INT instruction of an EntrySoftware, and
	// gate is false for INT1, whose delivery skips the gate's DPL check
	// (see Deliver).
	at   uint32
	gate bool
}

// Deliver delivers an entry through the guest's IDT (or the real-mode
// IVT) exactly as a bare processor would have, cycle costs included: a
// Kernel that leaves some vectors to the guest's own handlers calls it
// from Enter. A fault while delivering is raised as an exception, which
// comes back to Enter; for a software interrupt it is the instruction's
// fault, with EIP at the instruction again, as on hardware.
func (c *CPU) Deliver(e Entry) {
	switch e.Kind {
	case EntrySoftware:
		saved := c.savedState()
		defer func() {
			if r := recover(); r != nil {
				c.restoreState(saved)
				c.EIP = e.at
				panic(r)
			}
		}()
		c.deliver(e.Vector, 0, false, e.gate)
	case EntryException:
		c.Cycles += costInterrupt
		if r := c.raise(guestException{vector: e.Vector, code: e.Code}); r != stopNone {
			panic(stopPanic{r})
		}
	case EntryNMI:
		c.nmiBlocked = true
		c.leaveWaits()
		c.external(excNMI)
	default:
		c.leaveWaits()
		c.external(e.Vector)
	}
	c.brk = true
}

// SetKernel makes k take the processor's traps and interrupts from the
// next instruction boundary on (nil makes the processor bare again).
func (c *CPU) SetKernel(k Kernel) {
	c.kernel = k
	c.brk = true
}

// Context is the state of one thread of execution on a processor: what a
// kernel saves when it switches away from a task and loads to run it
// again. Segments are saved whole, with their descriptor caches, so that
// loading a Context needs no descriptor table.
type Context struct {
	R      [8]uint32 // EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI
	EIP    uint32
	EFLAGS uint32
	Seg    [6]Segment // ES, CS, SS, DS, FS, GS
	// Busy is how many more cycles the thread is to stay busy (see Busy).
	Busy uint64
	// Waiting is set when the thread waits for the kernel (see Wait).
	Waiting bool
}

// CPL returns the privilege level the Context runs at (the RPL of CS).
func (x *Context) CPL() int { return int(x.Seg[CS].Sel & 3) }

// SaveContext stores the processor's thread state in x. It is called at an
// instruction boundary (from Enter, or outside Run).
func (c *CPU) SaveContext(x *Context) {
	copy(x.R[:], c.R[:8])
	x.EIP = c.EIP
	x.EFLAGS = c.EFLAGS()
	x.Seg = c.Seg
	x.Busy = 0
	if c.busyUntil > c.Cycles {
		x.Busy = c.busyUntil - c.Cycles
	}
	x.Waiting = c.waiting
}

// LoadContext makes x the processor's thread state in protected mode: the
// registers, EFLAGS (VM, RF and the reserved bits as SetEFLAGS leaves
// them), the segments with their caches, and the state derived from them —
// CPL from CS's RPL, the code size from CS's D bit, flat-segment fast
// paths. The processor leaves any halted, busy or waiting state and takes
// on x's: busy for x.Busy more cycles from now, waiting if x.Waiting. An
// STI or MOV SS shadow does not carry over.
func (c *CPU) LoadContext(x *Context) {
	copy(c.R[:8], x.R[:])
	c.EIP = x.EIP
	c.SetEFLAGS(x.EFLAGS &^ FlagVM)
	c.Seg = x.Seg
	for i := range c.Seg {
		c.Seg[i].update()
	}
	c.CR0 |= CR0PE
	c.realMode = false
	c.CPL = x.CPL()
	c.mode32 = c.Seg[CS].Big()
	c.halted = false
	c.shadow = false
	c.busyUntil = 0
	if x.Busy > 0 {
		c.busyUntil = c.Cycles + x.Busy
	}
	c.waiting = x.Waiting
	c.resume = nil
	c.between()
	c.brk = true
}

// FlatCode returns a 32-bit code segment with base 0 and a 4 GiB limit,
// of privilege level sel&3, as a kernel's GDT holds it (execute/read,
// accessed).
func FlatCode(sel uint16) Segment {
	s := Segment{Sel: sel, Limit: 0xFFFFFFFF, Access: 0xC09B | uint16(sel&3)<<5}
	s.update()
	return s
}

// FlatData returns a 32-bit data segment with base 0 and a 4 GiB limit,
// of privilege level sel&3 (read/write, accessed).
func FlatData(sel uint16) Segment {
	s := Segment{Sel: sel, Limit: 0xFFFFFFFF, Access: 0xC093 | uint16(sel&3)<<5}
	s.update()
	return s
}

// Charge advances the processor's time by n cycles: the cost of work a
// kernel did for it (an entry, a context switch). It is for a Kernel's
// Enter; time never moves back.
func (c *CPU) Charge(n uint64) { c.Cycles += n }

// Busy makes the processor busy for n cycles, as if it executed a delay
// loop of n one-cycle instructions: Run advances its time without
// executing anything, and at each cycle where an interrupt arrives with
// EFLAGS.IF set it takes the interrupt (a Context saved then carries the
// cycles still to go). When the n cycles have passed, execution goes on at
// EIP. A kernel uses it for udelay and any other busy wait of known length.
func (c *CPU) Busy(n uint64) {
	c.busyUntil = 0
	if n > 0 {
		c.busyUntil = c.Cycles + n
	}
	c.brk = true
}

// BusyCycles returns how many more cycles the processor is busy for.
func (c *CPU) BusyCycles() uint64 {
	if c.busyUntil > c.Cycles {
		return c.busyUntil - c.Cycles
	}
	return 0
}

// Wait makes the processor wait, burning time without executing, until
// the kernel ends the wait with Resume — a CPU spinning on a lock whose
// release the kernel will see. Like a halted processor it takes
// interrupts when EFLAGS.IF is set (still waiting: see Enter), and the
// machine advances its time with global time.
func (c *CPU) Wait() {
	c.waiting = true
	c.brk = true
}

// Waiting reports whether the processor waits (Wait).
func (c *CPU) Waiting() bool { return c.waiting }

// Resume ends a wait: the processor runs on at EIP from cycle at, or from
// its own time if that is later. A processor not waiting only has its time
// brought forward.
func (c *CPU) Resume(at uint64) {
	c.waiting = false
	c.Cycles = max(c.Cycles, at)
	c.brk = true
}

// EnterLater asks for an EntryContinue at the next instruction boundary,
// after every processor behind this one's time has caught up: a kernel
// that has more to do for this processor at this time — the rest of a
// path after a context switch, say — does it there, in global-time order
// with the other processors' entries, instead of at once. The processor
// leaves any busy, waiting or halted state it had: the kernel will give it
// a context to run.
func (c *CPU) EnterLater() {
	c.busyUntil = 0
	c.waiting = false
	c.halted = false
	c.entry = Entry{Kind: EntryContinue}
	c.entryPending = true
	c.brk = true
}

// Halt puts the processor in the HLT state, as if it had executed HLT at
// EIP: it runs again when an interrupt arrives with EFLAGS.IF set (or an
// NMI). A kernel uses it to idle a processor.
func (c *CPU) Halt() {
	c.halted = true
	c.brk = true
}
