package kernel

// This file implements the ftrace text output: a Tracer that writes the
// events as the trace file of Linux's ftrace does — its header, one line
// an event, "comm-pid [cpu] flags timestamp: event: fields", with
// Linux's event formats and the latency columns irqs-off, need-resched,
// hardirq/softirq and preempt-depth.

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
)

// Ftrace collects a run's events and writes them in ftrace's text layout
// when closed, merged across CPUs by time as ftrace merges its per-CPU
// buffers. Lines are formatted as the events come (an Event is only valid
// during the call) into chunks of text; as the run goes, those the
// kernel's flushes leave behind wait in a temporary file, so memory stays
// bounded however long the run.
type Ftrace struct {
	w     io.Writer
	ns    bool // nanosecond timestamps
	mhz   uint64
	ncpu  int
	lines lineStore
	// The lines flushed before the end wait in a temporary file, since
	// the header, written first, counts them all.
	spill   *os.File
	spillW  *bufio.Writer
	spilled int
	err     error
}

// lineStore keeps lines formatted as events come, each with its time,
// in large chunks of text that are never copied again, and gives them
// back in time order: the tracers' merge of the per-CPU streams.
type lineStore struct {
	chunks [][]byte
	lines  []storedLine
}

type storedLine struct {
	time       uint64
	chunk      int
	start, end int // the line in chunks[chunk]
}

// chunkSize is the size of a chunk of formatted lines (a line is far
// shorter).
const chunkSize = 1 << 20

// next returns the buffer the next line is appended to.
func (s *lineStore) next() lineBuf {
	if n := len(s.chunks); n == 0 || cap(s.chunks[n-1])-len(s.chunks[n-1]) < 1024 {
		s.chunks = append(s.chunks, make([]byte, 0, chunkSize))
	}
	return lineBuf(s.chunks[len(s.chunks)-1])
}

// add records the line appended to the buffer next returned, at time.
func (s *lineStore) add(time uint64, b lineBuf) {
	ci := len(s.chunks) - 1
	start := len(s.chunks[ci])
	s.chunks[ci] = b
	s.lines = append(s.lines, storedLine{time: time, chunk: ci, start: start, end: len(b)})
}

// flush writes the lines of times before the given one in time order —
// lines of the same time in the order they were added — and forgets them.
func (s *lineStore) flush(before uint64, write func([]byte)) {
	sort.SliceStable(s.lines, func(i, j int) bool { return s.lines[i].time < s.lines[j].time })
	n := sort.Search(len(s.lines), func(i int) bool { return s.lines[i].time >= before })
	for _, l := range s.lines[:n] {
		write(s.chunks[l.chunk][l.start:l.end])
	}
	// The lines kept move to a chunk of their own; the others' go.
	size := 0
	for _, l := range s.lines[n:] {
		size += l.end - l.start
	}
	chunk := make([]byte, 0, max(chunkSize, size+1024))
	for i, l := range s.lines[n:] {
		start := len(chunk)
		chunk = append(chunk, s.chunks[l.chunk][l.start:l.end]...)
		s.lines[i] = storedLine{time: l.time, start: start, end: len(chunk)}
	}
	s.lines = s.lines[:len(s.lines)-n]
	clear(s.chunks)
	s.chunks = append(s.chunks[:0], chunk)
}

// flushSlackNS is how far, in simulated time, the lines a tracer is asked
// to flush lie behind the slowest CPU's time: more than any kernel path
// charges before it emits.
const flushSlackNS = 10_000_000

// FlushTracer is a Tracer that can write out what it holds as the run
// goes, to bound its memory: the kernel calls Flush now and then with a
// cycle before which no more events will come.
type FlushTracer interface {
	Tracer
	Flush(before uint64)
}

// NewFtrace returns a tracer writing to w for a machine of ncpu CPUs at
// mhz; ns prints timestamps with nanosecond digits.
func NewFtrace(w io.Writer, mhz uint64, ncpu int, ns bool) *Ftrace {
	return &Ftrace{w: w, ns: ns, mhz: mhz, ncpu: ncpu}
}

// Event formats one event (Tracer).
func (f *Ftrace) Event(e *Event) {
	b := f.lines.next()
	comm, pid := taskName(e.Task)
	b.padLeft(comm, 16)
	b = append(b, '-')
	b.intRight(int64(pid), 7)
	b = append(b, " ["...)
	b.zeroPad(uint64(e.CPU), 3)
	b = append(b, "] "...)
	b.flags(e)
	b = append(b, ' ')
	ns := e.Time * 1000 / f.mhz
	b.uintLeft(ns/1_000_000_000, 5)
	b = append(b, '.')
	if f.ns {
		b.zeroPad(ns%1_000_000_000, 9)
	} else {
		b.zeroPad(ns%1_000_000_000/1000, 6)
	}
	b = append(b, ": "...)
	switch e.Kind {
	case EvVectorEntry:
		b = append(b, e.Name...)
		b = append(b, "_entry"...)
	case EvVectorExit:
		b = append(b, e.Name...)
		b = append(b, "_exit"...)
	default:
		b = append(b, e.Kind.String()...)
	}
	b = append(b, ": "...)
	b.fields(e)
	f.lines.add(e.Time, b)
}

// Flush moves the lines before cycle before to a temporary file
// (FlushTracer).
func (f *Ftrace) Flush(before uint64) {
	if f.err != nil {
		return
	}
	if f.spill == nil {
		if f.spill, f.err = os.CreateTemp("", "preemptlab-ftrace-*"); f.err != nil {
			f.spill = nil
			return
		}
		f.spillW = bufio.NewWriterSize(f.spill, 1<<16)
	}
	f.lines.flush(before, func(l []byte) {
		f.spillW.Write(l)
		f.spillW.WriteByte('\n')
		f.spilled++
	})
}

// Close writes the trace.
func (f *Ftrace) Close() error {
	n := f.spilled + len(f.lines.lines)
	w := bufio.NewWriter(f.w)
	fmt.Fprintf(w, "# tracer: nop\n#\n# entries-in-buffer/entries-written: %d/%d   #P:%d\n#\n", n, n, f.ncpu)
	w.WriteString(ftraceColumns)
	if f.spill != nil {
		defer os.Remove(f.spill.Name())
		defer f.spill.Close()
		if f.err == nil {
			f.err = f.spillW.Flush()
		}
		if f.err == nil {
			_, f.err = f.spill.Seek(0, io.SeekStart)
		}
		if f.err == nil {
			_, f.err = io.Copy(w, f.spill)
		}
		if f.err != nil {
			return fmt.Errorf("the trace's temporary file: %v", f.err)
		}
	}
	f.lines.flush(^uint64(0), func(l []byte) {
		w.Write(l)
		w.WriteByte('\n')
	})
	return w.Flush()
}

// lineBuf is a line being formatted.
type lineBuf []byte

// padLeft writes s right-aligned in width (%16s).
func (b *lineBuf) padLeft(s string, width int) {
	for i := len(s); i < width; i++ {
		*b = append(*b, ' ')
	}
	*b = append(*b, s...)
}

// intRight writes v left-aligned in width (%-7d).
func (b *lineBuf) intRight(v int64, width int) {
	n := len(*b)
	*b = strconv.AppendInt(*b, v, 10)
	for i := len(*b) - n; i < width; i++ {
		*b = append(*b, ' ')
	}
}

// uintLeft writes v right-aligned in width (%5d).
func (b *lineBuf) uintLeft(v uint64, width int) {
	var tmp [20]byte
	d := strconv.AppendUint(tmp[:0], v, 10)
	for i := len(d); i < width; i++ {
		*b = append(*b, ' ')
	}
	*b = append(*b, d...)
}

// zeroPad writes v in at least width digits (%06d).
func (b *lineBuf) zeroPad(v uint64, width int) {
	var tmp [20]byte
	d := strconv.AppendUint(tmp[:0], v, 10)
	for i := len(d); i < width; i++ {
		*b = append(*b, '0')
	}
	*b = append(*b, d...)
}

// hex8 writes v as eight hex digits (%08x).
func (b *lineBuf) hex8(v uint32) {
	const digits = "0123456789abcdef"
	for sh := 28; sh >= 0; sh -= 4 {
		*b = append(*b, digits[v>>uint(sh)&15])
	}
}

func (b *lineBuf) str(s string) { *b = append(*b, s...) }

func (b *lineBuf) num(v int64) { *b = strconv.AppendInt(*b, v, 10) }

// kv writes " key=" (or "key=" first) and a number.
func (b *lineBuf) kvNum(key string, v int64) {
	*b = append(*b, key...)
	*b = strconv.AppendInt(*b, v, 10)
}

// ftraceColumns is the header that explains the flag columns.
const ftraceColumns = `#                                _-----=> irqs-off
#                               / _----=> need-resched
#                              | / _---=> hardirq/softirq
#                              || / _--=> preempt-depth
#                              ||| /     delay
#           TASK-PID     CPU#  ||||   TIMESTAMP  FUNCTION
#              | |         |   ||||      |         |
`

// taskName is a task as ftrace names it: <idle> for pid 0.
func taskName(t *Task) (string, int) {
	if t == nil {
		return "<...>", 0
	}
	if t.kind == kindIdle {
		return "<idle>", 0
	}
	return t.Comm, t.PID
}

// flags writes the four latency columns.
func (b *lineBuf) flags(e *Event) {
	// As trace_output.c's lat_print_generic since TRACE_FLAG_BH_OFF.
	c := byte('.')
	switch {
	case e.IRQsOff && e.BHOff:
		c = 'D'
	case e.IRQsOff:
		c = 'd'
	case e.BHOff:
		c = 'b'
	}
	*b = append(*b, c)
	lazy := e.Task != nil && e.Task.lazyResched
	switch {
	case e.NeedResched && lazy:
		c = 'B'
	case e.NeedResched:
		c = 'N'
	case lazy:
		c = 'L'
	default:
		c = '.'
	}
	*b = append(*b, c)
	switch {
	case e.HardIRQ && e.SoftIRQ:
		c = 'H'
	case e.HardIRQ:
		c = 'h'
	case e.SoftIRQ:
		c = 's'
	default:
		c = '.'
	}
	*b = append(*b, c)
	switch {
	case e.PreemptDepth == 0:
		c = '.'
	case e.PreemptDepth < 16:
		c = "0123456789abcdef"[e.PreemptDepth]
	default:
		c = 'f'
	}
	*b = append(*b, c)
}

// fields writes an event's fields in Linux's format for it.
func (b *lineBuf) fields(e *Event) {
	o := e.Other
	comm, pid := taskName(o)
	prio := 0
	if o != nil {
		prio = o.prio
	}
	task := func() {
		b.str("comm=")
		b.str(comm)
		b.kvNum(" pid=", int64(pid))
		b.kvNum(" prio=", int64(prio))
	}
	switch e.Kind {
	case EvSchedSwitch:
		pc, pp := taskName(e.Task)
		b.str("prev_comm=")
		b.str(pc)
		b.kvNum(" prev_pid=", int64(pp))
		b.kvNum(" prev_prio=", int64(e.Task.prio))
		b.str(" prev_state=")
		b.str(e.State)
		b.str(" ==> next_comm=")
		b.str(comm)
		b.kvNum(" next_pid=", int64(pid))
		b.kvNum(" next_prio=", int64(prio))
	case EvSchedWaking, EvSchedWakeup, EvSchedWakeupNew:
		task()
		b.str(" target_cpu=")
		b.zeroPad(uint64(e.Num), 3)
	case EvSchedMigrateTask:
		task()
		b.kvNum(" orig_cpu=", e.Num)
		b.kvNum(" dest_cpu=", e.Num2)
	case EvSchedProcessExit:
		task()
	case EvIRQHandlerEntry:
		b.kvNum("irq=", e.Num)
		b.str(" name=")
		b.str(e.Name)
	case EvIRQHandlerExit:
		b.kvNum("irq=", e.Num)
		if e.Num2 != IRQNone {
			b.str(" ret=handled")
		} else {
			b.str(" ret=unhandled")
		}
	case EvSoftirqRaise, EvSoftirqEntry, EvSoftirqExit:
		b.kvNum("vec=", e.Num)
		b.str(" [action=")
		b.str(e.Name)
		b.str("]")
	case EvHrtimerStart:
		b.str("hrtimer=")
		b.hex8(e.Addr)
		b.str(" function=")
		b.str(e.Name)
		b.kvNum(" expires=", e.Num)
		b.kvNum(" softexpires=", e.Num)
		b.str(" mode=ABS")
	case EvHrtimerCancel, EvHrtimerExpireExit:
		b.str("hrtimer=")
		b.hex8(e.Addr)
	case EvHrtimerExpireEntry:
		b.str("hrtimer=")
		b.hex8(e.Addr)
		b.str(" function=")
		b.str(e.Name)
		b.kvNum(" now=", e.Num2)
	case EvSysEnter:
		b.kvNum("NR ", e.Num)
		for i, a := range e.Args {
			if i == 0 {
				b.str(" (")
			} else {
				b.str(", ")
			}
			*b = strconv.AppendUint(*b, uint64(a), 16)
		}
		b.str(")")
	case EvSysExit:
		b.kvNum("NR ", e.Num)
		b.kvNum(" = ", e.Num2)
	case EvIPIRaise:
		b.str("target_mask=")
		b.hex8(uint32(1) << uint(e.Num))
		if e.Num2 == vecReschedule {
			b.str(" (Rescheduling interrupts)")
		} else {
			b.str(" (Function call interrupts)")
		}
	case EvVectorEntry, EvVectorExit:
		b.kvNum("vector=", e.Num)
	case EvPreemptDisable, EvPreemptEnable, EvIRQDisable, EvIRQEnable:
		b.str("caller=")
		b.str(e.Name)
	case EvLockAcquire, EvLockContended, EvLockAcquired, EvLockRelease, EvLockBreak:
		b.str(e.Name)
		b.str(" caller=")
		b.str(e.Caller)
	case EvBug:
		b.str(e.Name)
	case EvSchedPISetprio:
		b.str("comm=")
		b.str(comm)
		b.kvNum(" pid=", int64(pid))
		b.kvNum(" oldprio=", e.Num)
		b.kvNum(" newprio=", e.Num2)
	}
}
