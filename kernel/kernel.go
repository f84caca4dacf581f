package kernel

// This file defines the Kernel: its configuration, how it attaches to the
// machine, the per-CPU state, and the kernel's own memory in the guest
// (its text page of trampolines, the GDT, the task stacks).

import (
	"encoding/binary"
	"fmt"
	"io"

	"preemptlab/boot"
	"preemptlab/cpu"
	"preemptlab/emu"
	"preemptlab/locks"
)

// Config configures a kernel.
type Config struct {
	Model Model
	Costs Costs
	// HZ is the rate of the periodic tick (default 1000).
	HZ int
	// RRSliceNS is SCHED_RR's time slice in nanoseconds (default 100 ms,
	// Linux's RR_TIMESLICE).
	RRSliceNS uint64
	// Tracer receives every kernel event; nil traces nothing.
	Tracer Tracer
	// Log receives the kernel's reports (a task killed, a BUG): stderr.
	Log io.Writer
	// Cmdline is the kernel command line (the multiboot one).
	Cmdline string
	// Strict makes every BUG report (sleeping while atomic, a lock-order
	// inversion, a bad unlock, recursion) end the run with StatusStrict.
	Strict bool
	// OnSample, if set, is called with every latency sample as it
	// completes (the sample is the caller's to keep).
	OnSample func(s *LatencySample)
	// Blame makes the kernel break every latency sample down (Blame).
	Blame bool
}

// Segment selectors of the kernel's GDT: Linux 2.6 i386's
// (__KERNEL_CS, __KERNEL_DS, __USER_CS, __USER_DS, the TSS at
// GDT_ENTRY_TSS).
const (
	kernelCS = 0x60
	kernelDS = 0x68
	userCS   = 0x73
	userDS   = 0x7B
	tssSel   = 0x80
	gdtSize  = 32 // entries (GDT_ENTRIES)
)

// Interrupt vectors, as Linux i386 assigns them.
const (
	vecIRQ0       = 0x30 // device line n arrives on vecIRQ0 + n
	vecLocalTimer = 0xEF // LOCAL_TIMER_VECTOR
	vecCallFunc   = 0xFB // CALL_FUNCTION_VECTOR
	vecReschedule = 0xFC // RESCHEDULE_VECTOR
	vecError      = 0xFE // ERROR_APIC_VECTOR
	vecSpurious   = 0xFF // SPURIOUS_APIC_VECTOR
	ioapicPins    = 24
	maxIRQNesting = 32
)

// Kernel memory in the guest: the text page of trampolines at textBase.
const (
	offUpcallRet  = 0x000 // mov %eax,%ebx; mov $SvcUpcallReturn,%eax; int $0x80
	offKthreadRet = 0x010 // mov %eax,%ebx; mov $SvcDoExit,%eax; int $0x80
	offUserRet    = 0x020 // mov %eax,%ebx; mov $SYS_exit,%eax; int $0x80
	offIdle       = 0x030 // 1: hlt; jmp 1b
	offGDT        = 0x100
	offSoftirqVec = 0x200 // struct softirq_action[NR_SOFTIRQS]
	offTSS        = 0x280 // the TSS every CPU's TR points at
	trampolineLen = 9     // bytes from a trampoline's start to after its INT

	kstackSize = 8 << 10  // THREAD_SIZE on i386
	ustackSize = 64 << 10 // a user task's stack
	pageSize   = 4096
)

// The TSS: a 32-bit TSS without an I/O bitmap, whose bitmap offset is
// Linux's INVALID_IO_BITMAP_OFFSET, beyond the limit, so that port I/O
// at CPL 3 (IOPL 0) is #GP.
const (
	tssLimit     = 0x67
	tssIOMapBase = 0x8000
)

// apTrampoline is the real-mode code an application processor starts in
// after its start-up IPI (assembled from the source in its comment). It
// loads the kernel's GDT, enters protected mode and tells the kernel it is
// up; apJumpOff and apGDTOff are the fields patched with its page's
// address and the GDT.
//
//	.code16
//	cli
//	mov %cs, %ax; mov %ax, %ds
//	lgdtl gdtdesc
//	mov %cr0, %eax; or $1, %al; mov %eax, %cr0
//	ljmpl $__KERNEL_CS, $pm32        (patched: the page + 0x1b)
//	.code32
//	pm32: mov $__KERNEL_DS, %eax; mov %eax, %ds/%es/%ss/%fs/%gs
//	mov $SvcAPStarted, %eax; int $0x80; ud2
//	.align 4
//	gdtdesc: .word limit; .long base   (patched)
var apTrampoline = []byte{
	0xfa, 0x8c, 0xc8, 0x8e, 0xd8, 0x66, 0x0f, 0x01, 0x16, 0x34, 0x00, 0x0f,
	0x20, 0xc0, 0x0c, 0x01, 0x0f, 0x22, 0xc0, 0x66, 0xea, 0x00, 0x00, 0x00,
	0x00, 0x60, 0x00, 0xb8, 0x68, 0x00, 0x00, 0x00, 0x8e, 0xd8, 0x8e, 0xc0,
	0x8e, 0xd0, 0x8e, 0xe0, 0x8e, 0xe8, 0xb8, 0x09, 0x10, 0x00, 0x00, 0xcd,
	0x80, 0x0f, 0x0b, 0x90, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
}

const (
	apJumpOff = 0x15 // the far jump's 32-bit target
	apPM32    = 0x1b // where the 32-bit code starts
	apGDTOff  = 0x34 // the GDT descriptor
)

// Kernel is the hosted kernel of one machine. It implements emu.Kernel.
// Everything in it is owned by the machine's run goroutine.
type Kernel struct {
	m      *emu.Machine
	cfg    Config
	model  Model
	costs  Costs
	tracer Tracer
	// flusher is the tracer if it flushes; traced counts the events.
	flusher FlushTracer
	traced  uint64
	log     io.Writer
	mhz     uint64
	syms    *symbols
	// spinning is the spinning lock a Lock call is on, for Spin.
	spinning *locks.SpinLock
	// lockdep is the run's lock-order graph.
	lockdep lockDep
	// rcuOwned is set once call_rcu was used: RCU_SOFTIRQ runs the
	// kernel's callback batches.
	rcuOwned bool
	// cpuLocks are the per-CPU locks of get_cpu_locked under rt.
	cpuLocks []*lockObj
	// bhLocks are the per-CPU softirq locks of local_bh_disable under
	// softirq=thread (bh.go).
	bhLocks []*lockObj
	// afterLockOp, when set (by the property tests), runs after every
	// operation on a sleeping lock and every inheritance change.
	afterLockOp func(p *percpu, what string)

	cpus  []*percpu
	tasks []*Task // every task ever created, by pid order
	// started is set by start_kernel.
	started bool
	// ended is set once the run is ending (power off, exit, panic).
	ended bool

	textBase   uint32 // the kernel's text page
	apPage     uint32 // the application processors' trampoline page
	heapNext   uint32 // bump allocator over [heapNext, heapEnd)
	heapEnd    uint32
	freeStacks map[uint32][]uint32 // freed stacks by size

	locks    []*lockObj // by id; 0 is unused
	irqs     [ioapicPins]*irqLine
	softirqs [NrSoftirqs]softirqVec
	syscalls [SysImageLast + 1]uint32 // registered system calls
	names    map[uint32]string        // guest strings read once (lock and task names)

	// acting is the CPU whose entry the kernel is handling.
	acting int

	// Continuations made once, so that the paths taken at every
	// interrupt allocate nothing for them.
	fnIRQExit, fnIRQReturn, fnIdleLoop, fnIRQThread, fnKsoftirqd, fnSoftirqThread func(p *percpu)

	tickPeriod  uint64 // cycles between ticks
	rrSlice     uint64 // cycles of a SCHED_RR slice
	nextPID     int
	nextTimerID uint32

	symCache map[uint32]string // %pS of the addresses traced
	event    Event             // the event being handed to the tracer

	lat   latencyRecorder // latency.go
	blame *blamer         // blame.go, when Config.Blame
	// blameOnly is set when the blamer is the only tracer: events it
	// does not follow are not made.
	blameOnly bool
}

// percpu is the kernel's state of one CPU.
type percpu struct {
	id     int
	c      *cpu.CPU
	online bool
	curr   *Task
	idle   *Task
	rq     runQueue

	softirqPending uint32
	ksoftirqd      *Task
	softirqThreads [NrSoftirqs]*Task

	timers   timerQueue
	tick     *hrtimer
	deadline uint64 // the programmed APIC deadline, 0 when disarmed
	inHrtirq bool   // inside hrtimerInterrupt

	// spin is the lock wait of the context running now, if it spins.
	spin *spinWaiter
	// frames are the interrupted contexts of nested interrupts.
	frames [maxIRQNesting]irqFrame
	depth  int

	// resume is the current task's kernel path to go on with at the next
	// boundary (cpu.EntryContinue).
	resume func(p *percpu)

	// reschedIPI is set while a reschedule IPI to this CPU is on its way,
	// to arrive at reschedIPIAt.
	reschedIPI   bool
	reschedIPIAt uint64

	// The softirq run in progress on this CPU (__do_softirq does not nest
	// on a CPU), and its continuation, made once.
	softirq    softirqRun
	softirqRet func(p *percpu, v uint32)
	// rcu holds the CPU's call_rcu callbacks and their grace-period timer.
	rcu rcuCPU

	nrSwitches uint64
}

// New makes the kernel for machine m, whose image l (image is its ELF
// file) has been loaded, and installs it: from now on every trap and
// interrupt of every processor goes to the kernel. The image's main runs
// on CPU 0 as the boot task until it calls start_kernel.
func New(m *emu.Machine, l *boot.Loaded, image []byte, cfg Config) (*Kernel, error) {
	if err := cfg.Model.Check(); err != nil {
		return nil, err
	}
	if cfg.HZ == 0 {
		cfg.HZ = 1000
	}
	if cfg.HZ < 10 || cfg.HZ > 10000 {
		return nil, fmt.Errorf("--hz %d: the tick rate must be 10 to 10000", cfg.HZ)
	}
	if cfg.RRSliceNS == 0 {
		cfg.RRSliceNS = 100_000_000
	}
	if cfg.Costs == (Costs{}) {
		cfg.Costs = DefaultCosts
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	mc := m.Config()
	k := &Kernel{
		m: m, cfg: cfg, model: cfg.Model, costs: cfg.Costs, tracer: cfg.Tracer, log: cfg.Log,
		mhz:        mc.MHz,
		freeStacks: map[uint32][]uint32{},
		names:      map[uint32]string{},
		symCache:   map[uint32]string{},
		locks:      []*lockObj{nil},
	}
	k.flusher, _ = cfg.Tracer.(FlushTracer)
	k.tickPeriod = mc.MHz * 1_000_000 / uint64(cfg.HZ)
	k.rrSlice = k.nsToCycles(cfg.RRSliceNS)
	k.syms = readSymbols(image)
	if err := k.layOut(l); err != nil {
		return nil, err
	}
	k.fnIRQExit, k.fnIRQReturn, k.fnIdleLoop = k.irqExit, k.irqReturn, k.idleLoop
	k.fnIRQThread, k.fnKsoftirqd, k.fnSoftirqThread = k.irqThread, k.ksoftirqd, k.softirqThreadBody
	for i, c := range m.CPUs() {
		p := &percpu{id: i, c: c}
		for d := range p.frames {
			f := &p.frames[d]
			f.handlerRet = func(p *percpu, v uint32) { k.deviceHandlerDone(p, f, v) }
		}
		p.softirqRet = func(p *percpu, _ uint32) { k.softirqActionDone(p) }
		k.cpus = append(k.cpus, p)
	}
	k.initLatency()
	if cfg.Blame {
		k.blame = newBlamer(k)
		if k.tracer == nil {
			k.tracer, k.blameOnly = k.blame, true
		} else {
			k.tracer = teeTracer{k.blame, k.tracer}
		}
	}
	// The boot task: the image's main on CPU 0, which becomes its idle
	// task at start_kernel (Linux's init_task, swapper/0).
	boot := k.newTask("swapper/0", kindIdle)
	boot.PID = 0
	boot.affinity = 1
	boot.running = true
	k.cpus[0].curr = boot
	k.cpus[0].idle = boot
	// Every IPI must reach its CPU at its exact cycle (see IPIDelivery).
	if q := k.costs.IPIDelivery; q > 0 && q < m.Quantum() {
		m.SetQuantum(q)
	}
	// The 8259s are not used: mask them, as every APIC kernel does.
	m.Out(0x21, 1, 0xFF)
	m.Out(0xA1, 1, 0xFF)
	// Nor is the PIT: the local APIC timers are the clock event devices.
	// Shut it down as Linux's pit_shutdown does — channel 0 in mode 0
	// with no count loaded counts nothing — so that an idle machine has
	// no device event left and a run whose tasks all exited or wait for
	// ever ends (Stuck) instead of idling to the cycle budget.
	m.Out(0x43, 1, 0x30)
	m.Host(k)
	return k, nil
}

// layOut places the kernel's memory: its text page above the image, the
// heap of task stacks after it up to the end of RAM, and the application
// processors' real-mode trampoline in a free page below 640 KiB.
func (k *Kernel) layOut(l *boot.Loaded) error {
	ram := uint64(len(k.m.RAM()))
	var top uint64
	for _, s := range l.Segments {
		top = max(top, uint64(s.Addr)+uint64(s.MemSize))
	}
	top = (top + pageSize - 1) &^ (pageSize - 1)
	if top+pageSize+4*kstackSize > ram {
		return fmt.Errorf("kernel: no room above the image (it ends at %#x) for the kernel's memory in %d MiB of RAM: give the machine more with --mem", top, ram>>20)
	}
	k.textBase = uint32(top)
	k.heapNext = uint32(top + pageSize)
	k.heapEnd = uint32(ram)
	// The AP trampoline: the highest page below 0x9F000 clear of the image
	// and of the multiboot information (which the loader puts low).
	for p := uint32(0x9E000); p >= 0x2000; p -= pageSize {
		if overlapsSegments(l, p, pageSize) || p <= l.InfoAddr+pageSize {
			continue
		}
		k.apPage = p
		break
	}
	if k.apPage == 0 && len(k.m.CPUs()) > 1 {
		return fmt.Errorf("kernel: no free page below 640 KiB for the application processors' start-up code")
	}
	k.writeText()
	return nil
}

func overlapsSegments(l *boot.Loaded, base, size uint32) bool {
	for _, s := range l.Segments {
		if uint64(base) < uint64(s.Addr)+uint64(s.MemSize) && uint64(s.Addr) < uint64(base)+uint64(size) {
			return true
		}
	}
	return false
}

// writeText writes the kernel's trampolines, GDT and softirq vector into
// its text page, and the AP trampoline into its page.
func (k *Kernel) writeText() {
	ret := func(nr uint32) []byte {
		return []byte{0x89, 0xC3, 0xB8, byte(nr), byte(nr >> 8), byte(nr >> 16), byte(nr >> 24), 0xCD, 0x80, 0x0F, 0x0B}
	}
	page := make([]byte, pageSize)
	copy(page[offUpcallRet:], ret(SvcUpcallReturn))
	copy(page[offKthreadRet:], ret(SvcDoExit))
	copy(page[offUserRet:], ret(SysExit))
	copy(page[offIdle:], []byte{0xF4, 0xEB, 0xFD}) // 1: hlt; jmp 1b
	gdt := page[offGDT:]
	put := func(sel uint16, access byte) {
		// base 0, limit 0xFFFFF pages, 32-bit, granularity 4 KiB.
		binary.LittleEndian.PutUint64(gdt[sel&^7:], 0x00CF00000000FFFF|uint64(access)<<40)
	}
	put(kernelCS, 0x9B)
	put(kernelDS, 0x93)
	put(userCS, 0xFB)
	put(userDS, 0xF3)
	// The TSS: a busy 32-bit TSS descriptor, byte granular. No kernel
	// stack is switched to through it (the kernel takes every entry);
	// it is there for its I/O permission: none.
	tss := uint64(k.textBase + offTSS)
	binary.LittleEndian.PutUint64(gdt[tssSel:], tssLimit|(tss&0xFFFFFF)<<16|0x8B<<40|(tss>>24)<<56)
	binary.LittleEndian.PutUint16(page[offTSS+0x66:], tssIOMapBase)
	k.writeGuest(k.textBase, page)
	if k.apPage != 0 {
		t := append([]byte(nil), apTrampoline...)
		binary.LittleEndian.PutUint32(t[apJumpOff:], k.apPage+apPM32)
		binary.LittleEndian.PutUint16(t[apGDTOff:], gdtSize*8-1)
		binary.LittleEndian.PutUint32(t[apGDTOff+2:], k.textBase+offGDT)
		k.writeGuest(k.apPage, t)
	}
}

// kernelContext returns a CPL 0 context running at eip on stack sp.
func kernelContext(eip, sp uint32, irqs bool) cpu.Context {
	x := cpu.Context{EIP: eip, EFLAGS: 2}
	if irqs {
		x.EFLAGS |= cpu.FlagIF
	}
	x.R[cpu.ESP] = sp
	ds := cpu.FlatData(kernelDS)
	x.Seg = [6]cpu.Segment{ds, cpu.FlatCode(kernelCS), ds, ds, ds, ds}
	return x
}

// userContext returns a CPL 3 context running at eip on stack sp.
func userContext(eip, sp uint32) cpu.Context {
	x := cpu.Context{EIP: eip, EFLAGS: 2 | cpu.FlagIF}
	x.R[cpu.ESP] = sp
	ds := cpu.FlatData(userDS)
	x.Seg = [6]cpu.Segment{ds, cpu.FlatCode(userCS), ds, ds, ds, ds}
	return x
}

// allocStack returns a stack of size bytes from the kernel's heap (0 if
// there is no room).
func (k *Kernel) allocStack(size uint32) uint32 {
	if f := k.freeStacks[size]; len(f) > 0 {
		s := f[len(f)-1]
		k.freeStacks[size] = f[:len(f)-1]
		return s
	}
	if uint64(k.heapNext)+uint64(size) > uint64(k.heapEnd) {
		return 0
	}
	s := k.heapNext
	k.heapNext += size
	return s
}

// freeStack returns a stack to the heap.
func (k *Kernel) freeStack(base, size uint32) {
	if base != 0 {
		k.freeStacks[size] = append(k.freeStacks[size], base)
	}
}

// nsToCycles converts nanoseconds of simulated time to cycles.
func (k *Kernel) nsToCycles(ns uint64) uint64 { return ns * k.mhz / 1000 }

// cyclesToNS converts cycles to nanoseconds (truncating).
func (k *Kernel) cyclesToNS(c uint64) uint64 { return c * 1000 / k.mhz }

// logf writes a kernel report line.
func (k *Kernel) logf(format string, args ...any) {
	fmt.Fprintf(k.log, "preemptlab: kernel: "+format+"\n", args...)
}

// Tasks returns every task the kernel made, in pid order.
func (k *Kernel) Tasks() []*Task { return k.tasks }

// Model returns the preemption model the kernel runs.
func (k *Kernel) Model() Model { return k.model }
