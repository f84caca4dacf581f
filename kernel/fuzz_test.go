package kernel

// FuzzHypercall drives real hypercalls through the emulated processors:
// the image tests/kernel/fuzzcall.elf makes, with int $0x80, the calls the
// fuzzer writes into its fuzz_input before the machine starts — from the
// boot code, a kernel thread on each CPU and a user task — and records
// their results. Every run must end as a run may end (a power-off, an
// exit, a panic or deadlock report, the cycle budget), never in a Go panic
// or a hang; the results must be what the ABI promises of numbers that
// name no call (-ENOSYS) and of kernel services from user mode (-EPERM);
// and the same input must give the same run, to the cycle and the trace.
//
//	go test ./kernel -run XXX -fuzz FuzzHypercall -fuzztime 10m
//
// The seed corpus is testdata/fuzz/FuzzHypercall; writeFuzzSeeds (with
// PREEMPTLAB_WRITE_SEEDS=1) rewrites its named seeds from fuzzSeeds.

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"preemptlab/emu"
)

// The layout of fuzzcall.c's fuzz_input.
const (
	fuzzMagic  = 0x5A5A5546
	fuzzOps    = 48
	fuzzLists  = 4 // boot, kernel thread on cpu0, on cpu1, user task
	fuzzOpSize = 24
	// a list: n, claimed, cpl, the ops, their results, done
	fuzzListOps  = 12
	fuzzListRets = fuzzListOps + fuzzOps*fuzzOpSize
	fuzzListDone = fuzzListRets + fuzzOps*4
	fuzzListSize = fuzzListDone + 4
	fuzzListBoot = 0
	fuzzListUser = 3
)

// fuzzRecord is the size of one call in the fuzzer's input: the list it
// goes to, the number's selector (3 bytes), and five arguments of a kind
// byte and four value bytes each.
const fuzzRecord = 1 + 3 + 5*5

// fuzzHeader is the input's header: CPUs and model, traffic.
const fuzzHeader = 2

// fuzzBudget is each run's cycle budget: 20 ms of simulated time.
const fuzzBudget = 20_000_000

// fuzzHostTimeout bounds a run in host time: a run that takes longer has
// hung the kernel (the cycle budget bounds simulated time only).
const fuzzHostTimeout = 30 * time.Second

// fuzzImage is the image and the addresses the fuzzer's arguments may
// point at.
type fuzzImage struct {
	elf               []byte
	input             uint32 // fuzz_input
	scratch           uint32
	locks             uint32 // fuzz_locks[8], 32 bytes each
	staticSpin        uint32
	staticDone        uint32
	funcs             []uint32 // fuzz_fn, fuzz_irq, …
	strs              []uint32
	imageLo, imageHi  uint32 // the image's memory, which raw arguments avoid
	inputLo, inputEnd uint32
}

const fuzzImagePath = "../tests/kernel/fuzzcall.elf"

func loadFuzzImage(tb testing.TB) *fuzzImage {
	data, err := os.ReadFile(fuzzImagePath)
	if err != nil {
		tb.Fatalf("%v (make -C tests/kernel builds it)", err)
	}
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		tb.Fatal(err)
	}
	syms, err := f.Symbols()
	if err != nil {
		tb.Fatal(err)
	}
	addr := map[string]uint32{}
	for _, s := range syms {
		addr[s.Name] = uint32(s.Value)
	}
	img := &fuzzImage{elf: data}
	need := func(name string) uint32 {
		a, ok := addr[name]
		if !ok {
			tb.Fatalf("%s has no symbol %s", fuzzImagePath, name)
		}
		return a
	}
	img.input = need("fuzz_input")
	img.scratch = need("fuzz_scratch")
	img.locks = need("fuzz_locks")
	img.staticSpin = need("fuzz_static_spin")
	img.staticDone = need("fuzz_static_done")
	for _, n := range []string{"fuzz_fn", "fuzz_irq", "fuzz_softirq", "fuzz_syscall", "fuzz_rcu", "main"} {
		img.funcs = append(img.funcs, need(n))
	}
	img.strs = []uint32{need("fuzz_name"), need("fuzz_long_name"), need("fuzz_scratch")}
	img.imageLo, img.imageHi = 0x100000, need("__image_end")
	img.inputLo, img.inputEnd = img.input, img.input+8+fuzzLists*fuzzListSize
	return img
}

// fuzzOp is one call: its number and arguments, resolved.
type fuzzOp struct {
	nr uint32
	a  [5]uint32
}

// fuzzRun is a decoded input.
type fuzzRun struct {
	cpus    int
	model   Model
	traffic float64 // interrupts per second on IRQ 11, 0 for none
	lists   [fuzzLists][]fuzzOp
}

// fuzzModels are the models a run may use (the built knob values).
var fuzzModels = []Model{
	{},
	{Preempt: PreemptVoluntary, Lockbreak: true},
	{Preempt: PreemptFull, Lockbreak: true},
	{Preempt: PreemptFull, IRQ: IRQThreaded, Lockbreak: true},
	{Preempt: PreemptFull, IRQ: IRQThreaded, Softirq: SoftirqThread, Lockbreak: true},
	{Preempt: PreemptLazy, Lockbreak: true},
	{Preempt: PreemptLazy, IRQ: IRQThreaded, Softirq: SoftirqThread},
	{Preempt: PreemptNone, Softirq: SoftirqThread},
	// The sleeping-lock models: mvista-rt, mmlinux with borrowing, rt,
	// rt with pi=chain.
	{Preempt: PreemptFull, IRQ: IRQThreaded, Spinlock: SpinlockPMutex, PI: PISimple, Lockbreak: true},
	{Preempt: PreemptFull, IRQ: IRQThreaded, Spinlock: SpinlockRwsem, PI: PIBorrow, Lockbreak: true},
	{Preempt: PreemptFull, IRQ: IRQThreaded, Softirq: SoftirqThread, Spinlock: SpinlockMutex, Lockbreak: true, RCU: RCUPreemptible},
	{Preempt: PreemptFull, IRQ: IRQThreaded, Softirq: SoftirqThread, Spinlock: SpinlockMutex, PI: PIChain, Lockbreak: true, RCU: RCUPreemptible},
}

// Memory of the fuzzed machine.
const (
	fuzzMemMB = 2
	fuzzRAM   = fuzzMemMB << 20
)

// special are addresses at edges: NULL, the first page, the end of RAM,
// the MMIO windows, the top of the address space.
var fuzzSpecial = []uint32{0, 4, 0xFFF, 0x1000, fuzzRAM - 1, fuzzRAM - 4, fuzzRAM - 8, fuzzRAM,
	0xFEC00000, 0xFEC00010, 0xFEE00000, 0xFEE000B0, 0xFEE00300, 0xFFFFFFFC, 0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, 0x9E000}

// fuzzConsts are values that mean something to some call.
var fuzzConsts = []uint32{0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 15, 16, 23, 24, 31, 32, 99, 100, 1000, 0x400, 0x401, 0xFFF,
	TaskRTGroup, LockIRQ, LockIRQSave, LockBH, SchedFIFO, SchedRR, ClockMonotonic, TimerAbstime,
	IRQFNoThread, irqfDisabled, IRQFNoThread | irqfDisabled, NrSoftirqs - 1, NrSoftirqs,
	RebootMagic1, RebootMagic2, RebootPowerOff, cpuFlagIF, 1000000, 999999999, 1000000000,
	LockKindRawSpinlock, LockKindSpinlock, LockKindRwlock, LockKindMutex, LockKindCompletion, LockKindWaitqueue, LockKindSeqlock,
	LockKindSemaphore, LockKindRwsem, LockKindRtMutex}

const cpuFlagIF = 0x200

// decodeFuzz makes a run of an input. textBase is the kernel's text page.
func decodeFuzz(img *fuzzImage, data []byte, textBase uint32) fuzzRun {
	var r fuzzRun
	r.cpus = 2
	if len(data) >= fuzzHeader {
		if data[0]&1 != 0 {
			r.cpus = 1
		}
		r.model = fuzzModels[int(data[0]>>1)%len(fuzzModels)]
		if data[1]&0x80 != 0 {
			r.traffic = float64(200 + int(data[1]&0x7F)*100)
		}
		data = data[fuzzHeader:]
	}
	for ; len(data) >= fuzzRecord; data = data[fuzzRecord:] {
		rec := data[:fuzzRecord]
		list := int(rec[0]) % fuzzLists
		if len(r.lists[list]) == fuzzOps {
			continue
		}
		op := fuzzOp{nr: fuzzNumber(rec[1:4])}
		for i := range op.a {
			a := rec[4+5*i:]
			op.a[i] = fuzzArg(img, a[0], binary.LittleEndian.Uint32(a[1:5]), textBase)
		}
		r.lists[list] = append(r.lists[list], op)
	}
	return r
}

// fuzzNumber makes a call number: mostly one of the ABI's, else an
// image system call number, a small number, a number just past a
// group's, or a negative one.
func fuzzNumber(b []byte) uint32 {
	v := uint32(b[1]) | uint32(b[2])<<8
	switch b[0] % 8 {
	case 5:
		return SysImageFirst + v%(SysImageLast-SysImageFirst+1)
	case 6:
		return v
	case 7:
		return ^uint32(b[1])
	}
	return Calls[int(v)%len(Calls)].Nr
}

// fuzzArg makes an argument of kind k from v.
func fuzzArg(img *fuzzImage, k byte, v uint32, textBase uint32) uint32 {
	switch k % 10 {
	case 0:
		return v & 0xFF
	case 1:
		return uint32(int32(int8(v)))
	case 2:
		// Anything, but not into the image itself, which the calls'
		// results and the code making them are part of.
		if v >= img.imageLo && v < img.imageHi {
			v ^= 0x80000000
		}
		return v
	case 3:
		return img.scratch + v%4096
	case 4:
		switch n := v % 10; n {
		case 8:
			return img.staticSpin
		case 9:
			return img.staticDone
		default:
			return img.locks + 32*n
		}
	case 5:
		return img.funcs[int(v%uint32(len(img.funcs)))]
	case 6:
		return fuzzSpecial[int(v%uint32(len(fuzzSpecial)))]
	case 7:
		return img.strs[int(v%uint32(len(img.strs)))]
	case 8:
		return fuzzConsts[int(v%uint32(len(fuzzConsts)))]
	}
	// The kernel's own memory: its text page, GDT, TSS.
	return textBase + v%pageSize
}

// fuzzResult is what a run left: how it ended, the kernel's reports,
// the calls' results and a hash of the trace.
type fuzzResult struct {
	res   emu.Result
	log   string
	done  [fuzzLists]uint32
	cpl   [fuzzLists]uint32 // the privilege level the list ran at
	rets  [fuzzLists][fuzzOps]uint32
	trace uint64
	// broken is what is wrong in the kernel's state at the end, if
	// anything.
	broken string
}

// brokenState checks the kernel's state at the end of a run: every task
// that can run has a kernel stack; each CPU's current task runs there and
// nowhere else; a queued task is on one run queue once, runnable, not
// running, and the queues' counts add up.
func brokenState(k *Kernel) string {
	for _, t := range k.tasks {
		if t.state != taskDead && t.kstack == 0 && (k.started || t.kind != kindIdle) {
			return fmt.Sprintf("%v (kind %d, state %d) has no kernel stack", t, t.kind, t.state)
		}
	}
	if !k.started {
		return ""
	}
	where := map[*Task]string{}
	for _, p := range k.cpus {
		if !p.online {
			continue
		}
		if t := p.curr; !t.running || t.cpu != p.id {
			return fmt.Sprintf("cpu%d's current task %v has running %v, cpu %d", p.id, t, t.running, t.cpu)
		}
		nrRT := 0
		queued := append([]*Task(nil), p.rq.fair...)
		for prio, l := range p.rq.rt {
			nrRT += len(l)
			for _, t := range l {
				if t.prio != prio {
					return fmt.Sprintf("%v is queued at priority %d on cpu%d, but its priority is %d", t, prio, p.id, t.prio)
				}
			}
			queued = append(queued, l...)
		}
		if nrRT != p.rq.nrRT {
			return fmt.Sprintf("cpu%d counts %d queued realtime tasks, its lists hold %d", p.id, p.rq.nrRT, nrRT)
		}
		for _, t := range queued {
			here := fmt.Sprintf("queued on cpu%d", p.id)
			if w, ok := where[t]; ok {
				return fmt.Sprintf("%v is %s and %s", t, w, here)
			}
			where[t] = here
			switch {
			case t.running:
				return fmt.Sprintf("%v is %s and running", t, here)
			case !t.onRQ || t.cpu != p.id:
				return fmt.Sprintf("%v is %s with onRQ %v, cpu %d", t, here, t.onRQ, t.cpu)
			case t.state == taskDead:
				return fmt.Sprintf("%v is %s, but dead", t, here)
			}
		}
	}
	return ""
}

// hashTracer hashes every event, as a trace would print it.
type hashTracer struct{ h uint64 }

func (ht *hashTracer) Event(e *Event) {
	f := fnv.New64a()
	pid := func(t *Task) int {
		if t == nil {
			return -1
		}
		return t.PID
	}
	fmt.Fprintf(f, "%d %d %d %d %d %s %d %d %q %#x %v %q %v%v%v%v%d",
		ht.h, e.Kind, e.Time, e.CPU, pid(e.Task), e.State, e.Num, e.Num2, e.Name, e.Addr, e.Args, e.Caller,
		e.IRQsOff, e.NeedResched, e.HardIRQ, e.SoftIRQ, e.PreemptDepth)
	if e.Other != nil {
		fmt.Fprintf(f, " %d %s", e.Other.PID, e.Other.Comm)
	}
	ht.h = f.Sum64()
}

// runFuzz runs one input; a Go panic in the kernel comes back as an error
// with its stack.
func runFuzz(img *fuzzImage, data []byte) (out *fuzzResult, run fuzzRun, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("Go panic: %v\n%s", r, debug.Stack())
		}
	}()
	// The header first (the machine, the model); the calls once the
	// kernel's text page, which arguments may point into, is known.
	r := decodeFuzz(img, data, 0)
	m, err := emu.New(emu.Config{MemMB: fuzzMemMB, CPUs: r.cpus, MaxCycles: fuzzBudget})
	if err != nil {
		return nil, r, err
	}
	l, err := m.LoadMultiboot(img.elf, "")
	if err != nil {
		return nil, r, err
	}
	var log strings.Builder
	ht := &hashTracer{}
	k, err := New(m, l, img.elf, Config{Model: r.model, Log: &log, Tracer: ht})
	if err != nil {
		return nil, r, err
	}
	r = decodeFuzz(img, data, k.textBase)
	if r.traffic > 0 {
		if err := m.AddTraffic(emu.TrafficConfig{IRQ: 11, Rate: r.traffic, Jitter: 0.3}, 0); err != nil {
			return nil, r, err
		}
	}
	writeFuzzInput(img, m.RAM(), r)
	res := m.Run()
	out = &fuzzResult{res: *res, log: log.String(), trace: ht.h, broken: brokenState(k)}
	out.res.Fault = nil
	ram := m.RAM()
	for i := range out.rets {
		b := ram[img.inputLo+8+uint32(i)*fuzzListSize:]
		out.done[i] = binary.LittleEndian.Uint32(b[fuzzListDone:])
		out.cpl[i] = binary.LittleEndian.Uint32(b[8:])
		for j := range out.rets[i] {
			out.rets[i][j] = binary.LittleEndian.Uint32(b[fuzzListRets+4*j:])
		}
	}
	return out, r, nil
}

// writeFuzzInput writes run r's lists into fuzz_input in ram, the loaded
// image's memory.
func writeFuzzInput(img *fuzzImage, ram []byte, r fuzzRun) {
	in := make([]byte, img.inputEnd-img.inputLo)
	binary.LittleEndian.PutUint32(in[0:], fuzzMagic)
	binary.LittleEndian.PutUint32(in[4:], fuzzLists)
	for i, ops := range r.lists {
		b := in[8+i*fuzzListSize:]
		binary.LittleEndian.PutUint32(b, uint32(len(ops)))
		for j, op := range ops {
			o := b[fuzzListOps+j*fuzzOpSize:]
			binary.LittleEndian.PutUint32(o, op.nr)
			for n, a := range op.a {
				binary.LittleEndian.PutUint32(o[4+4*n:], a)
			}
		}
	}
	copy(ram[img.inputLo:], in)
}

// runFuzzBounded is runFuzz bounded in host time.
func runFuzzBounded(img *fuzzImage, data []byte) (*fuzzResult, fuzzRun, error) {
	type result struct {
		out *fuzzResult
		run fuzzRun
		err error
	}
	ch := make(chan result, 1)
	go func() {
		out, run, err := runFuzz(img, data)
		ch <- result{out, run, err}
	}()
	select {
	case r := <-ch:
		return r.out, r.run, r.err
	case <-time.After(fuzzHostTimeout):
		return nil, fuzzRun{}, fmt.Errorf("no end within %v of host time: the kernel hangs", fuzzHostTimeout)
	}
}

// internalBug are the parts of a report that mean the kernel itself went
// wrong, whatever the image did: a task run after its exit, a task run
// with a context nobody made (a null code segment).
var internalBug = []string{"ran after it exited", "\n  at 0000:"}

// checkFuzz checks a run's ending and its calls' results.
func checkFuzz(run fuzzRun, out *fuzzResult) error {
	res := out.res
	switch res.Kind {
	case emu.ExitKernel:
		switch {
		case res.Status == 0:
		case res.Status%2 == 1: // kernel_exit(v)
		case res.Status == StatusPanic || res.Status == StatusStuck:
			if !strings.HasPrefix(res.Message, "kernel: ") {
				return fmt.Errorf("status %d without a kernel report: %q", res.Status, res.Message)
			}
		default:
			return fmt.Errorf("the kernel ended the run with status %d: %q", res.Status, res.Message)
		}
	case emu.ExitBudget:
	default:
		return fmt.Errorf("the run ended as %d, status %d: %s", res.Kind, res.Status, res.Message)
	}
	if out.broken != "" && res.Status != StatusPanic {
		return fmt.Errorf("the run ended with the kernel in a broken state: %s", out.broken)
	}
	for _, s := range internalBug {
		if strings.Contains(res.Message, s) || strings.Contains(out.log, s) {
			return fmt.Errorf("the kernel reports its own bug: %q\n%s", res.Message, out.log)
		}
	}
	for i, ops := range run.lists {
		done := min(int(out.done[i]), len(ops))
		for j, op := range ops[:done] {
			got := int32(out.rets[i][j])
			_, known := callTable[op.nr]
			internal := op.nr == SvcUpcallReturn || op.nr == SvcAPStarted
			switch {
			case out.cpl[i] == 3 && op.nr >= ServiceFirst:
				if got != -EPERM {
					return fmt.Errorf("list %d (user mode) call %d, %#x%v: %d, want -EPERM", i, j, op.nr, op.a, got)
				}
			case !known && !internal && (op.nr < SysImageFirst || op.nr > SysImageLast):
				if got != -ENOSYS {
					return fmt.Errorf("list %d call %d, %#x%v: %d, want -ENOSYS", i, j, op.nr, op.a, got)
				}
			}
		}
	}
	return nil
}

func FuzzHypercall(f *testing.F) {
	img := loadFuzzImage(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		out, run, err := runFuzzBounded(img, data)
		if err != nil {
			t.Fatalf("input %s:\n%v", hex.EncodeToString(data), err)
		}
		if err := checkFuzz(run, out); err != nil {
			t.Fatalf("input %s:\n%v\nreports:\n%s", hex.EncodeToString(data), err, out.log)
		}
		again, _, err := runFuzzBounded(img, data)
		if err != nil {
			t.Fatalf("input %s, second run:\n%v", hex.EncodeToString(data), err)
		}
		if again.res != out.res || again.done != out.done || again.rets != out.rets || again.trace != out.trace || again.log != out.log {
			t.Fatalf("input %s: two runs differ:\n%+v done %v trace %#x\n%+v done %v trace %#x\nreports:\n%s\n---\n%s", hex.EncodeToString(data),
				out.res, out.done, out.trace, again.res, again.done, again.trace, out.log, again.log)
		}
	})
}

// fuzzSeed is a readable seed: a header and calls, each to a list with a
// number selector and arguments of a kind and value.
type fuzzSeed struct {
	name   string
	header [fuzzHeader]byte
	calls  []fuzzSeedCall
}

type fuzzSeedCall struct {
	list byte
	nr   [3]byte
	args [5]fuzzSeedArg
}

type fuzzSeedArg struct {
	kind byte
	v    uint32
}

func (s fuzzSeed) data() []byte {
	b := append([]byte(nil), s.header[:]...)
	for _, c := range s.calls {
		b = append(b, c.list)
		b = append(b, c.nr[:]...)
		for _, a := range c.args {
			b = append(b, a.kind)
			b = binary.LittleEndian.AppendUint32(b, a.v)
		}
	}
	return b
}

// call makes a call to a number of the ABI by its index in Calls.
func call(list byte, nr uint32, args ...fuzzSeedArg) fuzzSeedCall {
	c := fuzzSeedCall{list: list}
	for i, x := range Calls {
		if x.Nr == nr {
			c.nr = [3]byte{0, byte(i), byte(i >> 8)}
		}
	}
	copy(c.args[:], args)
	return c
}

// rawCall makes a call to a number the ABI does not have: selector 6,
// a small number.
func rawCall(list byte, nr uint16, args ...fuzzSeedArg) fuzzSeedCall {
	c := fuzzSeedCall{list: list, nr: [3]byte{6, byte(nr), byte(nr >> 8)}}
	copy(c.args[:], args)
	return c
}

// Argument kinds (see fuzzArg).
func small(v uint32) fuzzSeedArg   { return fuzzSeedArg{0, v} }
func raw(v uint32) fuzzSeedArg     { return fuzzSeedArg{2, v} }
func scratch(v uint32) fuzzSeedArg { return fuzzSeedArg{3, v} }
func lock(i uint32) fuzzSeedArg    { return fuzzSeedArg{4, i} }
func fn(i uint32) fuzzSeedArg      { return fuzzSeedArg{5, i} }
func special(i uint32) fuzzSeedArg { return fuzzSeedArg{6, i} }
func str(i uint32) fuzzSeedArg     { return fuzzSeedArg{7, i} }
func konst(v uint32) fuzzSeedArg {
	for i, c := range fuzzConsts {
		if c == v {
			return fuzzSeedArg{8, uint32(i)}
		}
	}
	panic(fmt.Sprintf("no constant %#x in fuzzConsts", v))
}

const (
	lBoot, lK0, lK1, lUser = 0, 1, 2, 3
	traffic                = 0x80 | 20 // 2200 interrupts per second
)

// fuzzSeeds are the seed corpus, by what each exercises.
var fuzzSeeds = []fuzzSeed{
	{"empty", [2]byte{0, 0}, nil},
	{"unknown-numbers", [2]byte{0, 0}, []fuzzSeedCall{
		rawCall(lBoot, 3), rawCall(lK0, 0x3FF), rawCall(lK1, 0x1FFF), rawCall(lUser, 0x1FFF), rawCall(lUser, 0),
		{list: lK0, nr: [3]byte{7, 0, 0}}, {list: lUser, nr: [3]byte{5, 1, 0}},
	}},
	{"user-services", [2]byte{0, 0}, []fuzzSeedCall{
		call(lUser, SvcKthreadRun, fn(0)), call(lUser, SvcSpinLock, lock(1)), call(lUser, SvcPowerOff),
		call(lUser, SvcUpcallReturn), call(lUser, SvcAPStarted), call(lUser, SvcLocalIRQDisable),
	}},
	{"bad-pointers", [2]byte{0, 0}, []fuzzSeedCall{
		call(lK0, SysWrite, small(1), special(10), small(4)), call(lUser, SysWrite, small(1), special(0), small(4)),
		call(lK0, SysClockGettime, konst(ClockMonotonic), special(5)), call(lUser, SysClockNanosleep, konst(ClockMonotonic), small(0), special(8)),
		call(lK1, SysSchedSetscheduler, small(0), konst(SchedFIFO), special(14)), call(lK0, SvcSpinLock, special(8)),
		call(lK0, SvcKthreadRun, fn(0), small(0), special(9)), call(lK1, SvcRequestIRQ, konst(11), special(10), small(0), special(8)),
		call(lK0, SysWrite, small(1), scratch(0), raw(0x80000000)),
	}},
	{"locks", [2]byte{2 << 1, 0}, []fuzzSeedCall{
		call(lK0, SvcSpinLock, lock(1), konst(LockIRQSave)), call(lK1, SvcSpinLock, lock(1), small(0)),
		call(lK0, SvcUdelay, small(200)), call(lK0, SvcSpinUnlock, lock(1), konst(LockIRQSave), konst(cpuFlagIF)),
		call(lK1, SvcSpinUnlock, lock(1), small(0)), call(lK0, SvcSpinTrylock, lock(8)), call(lK0, SvcCondReschedLock, lock(8)),
		call(lK0, SvcSpinLock, lock(7)), call(lK1, SvcWriteLock, lock(3), konst(LockBH)), call(lK1, SvcWriteUnlock, lock(3), konst(LockBH)),
	}},
	// Sleeping locks under rt with pi=chain: spinlock_t contended by the
	// two kernel threads, an rt_mutex taken on both CPUs, recursion, the
	// wrong kind, a semaphore and an rw-semaphore made in scratch.
	{"sleeping-locks", [2]byte{11 << 1, 0}, []fuzzSeedCall{
		call(lBoot, SvcLockInit, lock(7), konst(LockKindRtMutex), str(0)),
		call(lBoot, SvcLockInit, scratch(256), konst(LockKindSemaphore), str(0), small(1)),
		call(lBoot, SvcLockInit, scratch(512), konst(LockKindRwsem), str(1)),
		call(lK0, SvcSpinLock, lock(1), konst(LockIRQSave)), call(lK1, SvcSpinLock, lock(1), small(0)),
		call(lK0, SvcRtMutexLock, lock(7)), call(lK0, SvcMsleep, small(1)), call(lK0, SvcSpinUnlock, lock(1), konst(LockIRQSave), konst(cpuFlagIF)),
		call(lK1, SvcRtMutexLock, lock(7)), call(lK0, SvcRtMutexLock, lock(7)), call(lK0, SvcRtMutexUnl, lock(7)),
		call(lK1, SvcMutexUnlock, lock(7)), call(lK1, SvcRtMutexUnl, lock(7)), call(lK1, SvcSpinUnlock, lock(1), small(0)),
		call(lK0, SvcDown, scratch(256)), call(lK1, SvcDown, scratch(256)), call(lK0, SvcUp, scratch(256)),
		call(lK0, SvcDownRead, scratch(512)), call(lK1, SvcDownWrite, scratch(512)), call(lK0, SvcUpRead, scratch(512)),
		call(lK1, SvcDowngrade, scratch(512)), call(lK1, SvcUpRead, scratch(512)), call(lUser, SvcMutexLock, lock(7)),
	}},
	// RCU and seqlocks under rt: a read section preempted, synchronize_rcu
	// inside one and outside, an unbalanced unlock, a seqlock written on
	// one CPU and read on the other.
	{"rcu-seqlock", [2]byte{10 << 1, 0}, []fuzzSeedCall{
		call(lBoot, SvcLockInit, scratch(768), konst(LockKindSeqlock), str(0)),
		call(lK0, SvcRCUReadLock), call(lK0, SvcSynchronizeRCU), call(lK1, SvcSynchronizeRCU), call(lK0, SvcMsleep, small(1)),
		call(lK0, SvcRCUReadUnlock), call(lK0, SvcRCUReadUnlock),
		call(lK0, SvcWriteSeqlock, scratch(768)), call(lK1, SvcReadSeqbegin, scratch(768)), call(lK0, SvcUdelay, small(100)),
		call(lK0, SvcWriteSequnlock, scratch(768)), call(lK1, SvcReadSeqretry, scratch(768), small(0)),
		call(lK1, SvcWriteSequnlock, scratch(768)), call(lK0, SvcCallRCU, scratch(0), fn(4)),
	}},
	// local_bh_disable under rt with pi=chain (softirq=thread): in the
	// boot code (counted only), nested around a raise and a sleep, an
	// enable too many, inside preempt_disable, beside a migration, and
	// spin_lock_bh; from user mode.
	{"bh-thread", [2]byte{11 << 1, traffic}, []fuzzSeedCall{
		call(lBoot, SvcLocalBHDisable), call(lBoot, SvcLocalBHEnable),
		call(lBoot, SvcRequestIRQ, konst(11), fn(1), konst(IRQFNoThread), str(0), scratch(0)),
		call(lBoot, SvcOpenSoftirq, konst(NetRXSoftirq), fn(2)),
		call(lK0, SvcLocalBHDisable), call(lK0, SvcRaiseSoftirq, konst(NetRXSoftirq)), call(lK0, SvcMsleep, small(1)),
		call(lK0, SvcLocalBHDisable), call(lK0, SvcLocalBHEnable), call(lK0, SvcLocalBHEnable), call(lK0, SvcLocalBHEnable),
		call(lK0, SvcPreemptDisable), call(lK0, SvcLocalBHDisable), call(lK0, SvcPreemptEnable), call(lK0, SvcLocalBHEnable),
		call(lK1, SvcLocalBHDisable), call(lK1, SysSchedSetaffinity, small(0), small(4), scratch(64)), call(lK1, SvcUdelay, small(100)),
		call(lK1, SvcLocalBHEnable), call(lK1, SvcSpinLock, lock(1), konst(LockBH)), call(lK1, SvcSpinUnlock, lock(1), konst(LockBH)),
		call(lUser, SvcLocalBHDisable), call(lUser, SvcLocalBHEnable),
	}},
	// mmlinux with borrowing: rwlock_t readers shared, a writer lending.
	{"rwsem-borrow", [2]byte{9 << 1, 0}, []fuzzSeedCall{
		call(lK0, SvcReadLock, lock(3), small(0)), call(lK1, SvcReadLock, lock(3), small(0)),
		call(lK0, SysSchedSetscheduler, small(0), konst(SchedFIFO), scratch(0)), call(lK0, SvcWriteLock, lock(3), small(0)),
		call(lK1, SvcUdelay, small(100)), call(lK1, SvcReadUnlock, lock(3), small(0)), call(lK0, SvcReadUnlock, lock(3), small(0)),
		call(lK0, SvcWriteUnlock, lock(3), small(0)), call(lK0, SvcMutexTrylock, lock(1)),
	}},
	{"wait", [2]byte{2 << 1, 0}, []fuzzSeedCall{
		call(lK0, SvcWaitForCompletion, lock(4)), call(lK1, SvcMsleep, small(2)), call(lK1, SvcComplete, lock(4)),
		call(lK1, SvcPrepareToWait, lock(6), konst(TaskUninterruptible)), call(lK0, SvcWakeUp, lock(6)),
		call(lK1, SvcSchedule), call(lK0, SvcWakeUp, lock(6)), call(lK0, SvcCompleteAll, lock(9)),
	}},
	{"irq-hard", [2]byte{2 << 1, traffic}, []fuzzSeedCall{
		call(lBoot, SvcRequestIRQ, konst(11), fn(1), small(0), str(0), scratch(0)),
		call(lBoot, SvcOpenSoftirq, konst(NetRXSoftirq), fn(2)), call(lK0, SvcRaiseSoftirq, konst(NetRXSoftirq)),
		call(lK0, SvcMdelay, small(3)), call(lK1, SvcFreeIRQ, konst(11), scratch(0)),
	}},
	{"irq-threaded", [2]byte{3 << 1, traffic}, []fuzzSeedCall{
		call(lBoot, SvcRequestIRQ, konst(11), fn(1), small(0), str(1), scratch(0)),
		call(lK0, SvcIRQThreadPID, konst(11)), call(lK0, SvcMsleep, small(3)),
	}},
	{"sched", [2]byte{5 << 1, 0}, []fuzzSeedCall{
		call(lK0, SysSchedSetscheduler, small(0), konst(SchedRR), scratch(0)), call(lK0, SvcKthreadRun, fn(0), small(0), str(1)),
		call(lK1, SysSchedSetaffinity, small(0), small(4), scratch(64)), call(lK1, SysSchedYield),
		call(lUser, SysNice, small(5)), call(lUser, SysSchedGetaffinity, small(0), small(4), scratch(128)),
		call(lK0, SvcSetUserNice, small(0), small(200)), call(lK0, SvcWakeUpProcess, small(3)),
		call(lK0, SvcPreemptDisable), call(lK0, SvcMsleep, small(1)), call(lK0, SvcPreemptEnable),
	}},
	{"syscall-and-exit", [2]byte{1, 0}, []fuzzSeedCall{
		call(lBoot, SvcRegisterSys, konst(0x400), fn(3)), rawCall(lUser, 0x400, small(7)),
		call(lK0, SvcUserTaskRun, fn(0), small(0), str(0), konst(TaskRTGroup)), call(lUser, SysExit, small(3)),
		call(lK0, SvcDoExit, small(1)),
	}},
	{"boot-exit", [2]byte{0, 0}, []fuzzSeedCall{call(lBoot, SysExit, small(0))}},
	// A sleep of a few microseconds (the time since boot) in the boot code.
	{"boot-nanosleep", [2]byte{0, 0}, []fuzzSeedCall{
		call(lBoot, SysClockGettime, konst(ClockMonotonic), scratch(0)), call(lBoot, SysNanosleep, scratch(0)),
	}},
	{"kernel-text", [2]byte{0, 0}, []fuzzSeedCall{
		call(lK0, SysClockGettime, konst(ClockMonotonic), fuzzSeedArg{9, 0}),
		call(lK0, SvcMsleep, small(1)),
	}},
	// One CPU, so that the new tasks wait: RAM runs out, then the pids
	// past the last task made are woken.
	{"enomem-task", [2]byte{1, 0}, append(repeat(18, call(lK0, SvcUserTaskRun, fn(0), small(0), str(0), small(0))),
		call(lK0, SvcWakeUpProcess, small(17)), call(lK0, SvcWakeUpProcess, small(18)), call(lK0, SvcWakeUpProcess, small(19)),
		call(lK0, SvcMsleep, small(1)))},
	// Threaded IRQs, one CPU, RAM used up by tasks: request_irq cannot
	// make the IRQ thread; then a handler that needs none is added to the
	// line, which interrupts.
	{"enomem-irq-thread", [2]byte{1 | 6<<1, traffic}, append(append(
		repeat(18, call(lK0, SvcUserTaskRun, fn(0), small(0), str(0), small(0))),
		repeat(10, call(lK0, SvcKthreadRun, fn(0), small(0), str(0)))...),
		call(lK0, SvcRequestIRQ, konst(11), fn(1), small(0), str(0), scratch(0)),
		call(lK0, SvcRequestIRQ, konst(11), fn(1), konst(IRQFNoThread), str(0), scratch(4)),
		call(lK0, SvcMsleep, small(2)))},
	// RAM used up by tasks before start_kernel: no room is left for the
	// kernel's own stacks (idle, ksoftirqd, the softirq threads).
	{"enomem-boot", [2]byte{4 << 1, 0}, append(append(
		repeat(13, call(lBoot, SvcUserTaskRun, fn(0), small(0), str(0), small(0))),
		repeat(2, call(lBoot, SvcKthreadRun, fn(0), small(0), str(0)))...),
		call(lBoot, SvcOpenSoftirq, konst(NetRXSoftirq), fn(2)), call(lK0, SvcRaiseSoftirq, konst(NetRXSoftirq)),
		call(lK0, SvcMsleep, small(1)))},
}

// repeat returns n copies of c.
func repeat(n int, c fuzzSeedCall) []fuzzSeedCall {
	var l []fuzzSeedCall
	for range n {
		l = append(l, c)
	}
	return l
}

// TestWriteFuzzSeeds rewrites testdata/fuzz/FuzzHypercall/seed-NAME from
// fuzzSeeds when PREEMPTLAB_WRITE_SEEDS is set.
func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("PREEMPTLAB_WRITE_SEEDS") == "" {
		t.Skip("PREEMPTLAB_WRITE_SEEDS=1 rewrites the seed corpus")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzHypercall")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, s := range fuzzSeeds {
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", s.data())
		if err := os.WriteFile(filepath.Join(dir, "seed-"+s.name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
