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
	"sort"
	"strings"
)

// Ftrace collects a run's events and writes them in ftrace's text layout
// when closed, merged across CPUs by time as ftrace merges its per-CPU
// buffers.
type Ftrace struct {
	w     io.Writer
	ns    bool // nanosecond timestamps
	mhz   uint64
	ncpu  int
	lines []ftraceLine
}

type ftraceLine struct {
	time uint64
	seq  int
	text string
}

// NewFtrace returns a tracer writing to w for a machine of ncpu CPUs at
// mhz; ns prints timestamps with nanosecond digits.
func NewFtrace(w io.Writer, mhz uint64, ncpu int, ns bool) *Ftrace {
	return &Ftrace{w: w, ns: ns, mhz: mhz, ncpu: ncpu}
}

// Event formats one event (Tracer).
func (f *Ftrace) Event(e *Event) {
	var b strings.Builder
	comm, pid := taskName(e.Task)
	fmt.Fprintf(&b, "%16s-%-7d [%03d] %s ", comm, pid, e.CPU, flagColumns(e))
	ns := e.Time * 1000 / f.mhz
	if f.ns {
		fmt.Fprintf(&b, "%5d.%09d: ", ns/1_000_000_000, ns%1_000_000_000)
	} else {
		fmt.Fprintf(&b, "%5d.%06d: ", ns/1_000_000_000, ns%1_000_000_000/1000)
	}
	switch e.Kind {
	case EvVectorEntry:
		b.WriteString(e.Name + "_entry")
	case EvVectorExit:
		b.WriteString(e.Name + "_exit")
	default:
		b.WriteString(e.Kind.String())
	}
	b.WriteString(": ")
	writeFields(&b, e)
	f.lines = append(f.lines, ftraceLine{time: e.Time, seq: len(f.lines), text: b.String()})
}

// Close writes the trace.
func (f *Ftrace) Close() error {
	sort.SliceStable(f.lines, func(i, j int) bool { return f.lines[i].time < f.lines[j].time })
	w := bufio.NewWriter(f.w)
	n := len(f.lines)
	fmt.Fprintf(w, "# tracer: nop\n#\n# entries-in-buffer/entries-written: %d/%d   #P:%d\n#\n", n, n, f.ncpu)
	w.WriteString(ftraceColumns)
	for _, l := range f.lines {
		w.WriteString(l.text)
		w.WriteByte('\n')
	}
	return w.Flush()
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

// flagColumns are the four latency columns.
func flagColumns(e *Event) string {
	var c [4]byte
	c[0] = '.'
	if e.IRQsOff {
		c[0] = 'd'
	}
	c[1] = '.'
	lazy := e.Task != nil && e.Task.lazyResched
	switch {
	case e.NeedResched && lazy:
		c[1] = 'B'
	case e.NeedResched:
		c[1] = 'N'
	case lazy:
		c[1] = 'L'
	}
	switch {
	case e.HardIRQ && e.SoftIRQ:
		c[2] = 'H'
	case e.HardIRQ:
		c[2] = 'h'
	case e.SoftIRQ:
		c[2] = 's'
	default:
		c[2] = '.'
	}
	switch {
	case e.PreemptDepth == 0:
		c[3] = '.'
	case e.PreemptDepth < 16:
		c[3] = "0123456789abcdef"[e.PreemptDepth]
	default:
		c[3] = 'f'
	}
	return string(c[:])
}

// writeFields writes an event's fields in Linux's format for it.
func writeFields(b *strings.Builder, e *Event) {
	o := e.Other
	comm, pid := taskName(o)
	prio := 0
	if o != nil {
		prio = o.prio
	}
	switch e.Kind {
	case EvSchedSwitch:
		pc, pp := taskName(e.Task)
		fmt.Fprintf(b, "prev_comm=%s prev_pid=%d prev_prio=%d prev_state=%s ==> next_comm=%s next_pid=%d next_prio=%d",
			pc, pp, e.Task.prio, e.State, comm, pid, prio)
	case EvSchedWaking, EvSchedWakeup, EvSchedWakeupNew:
		fmt.Fprintf(b, "comm=%s pid=%d prio=%d target_cpu=%03d", comm, pid, prio, e.Num)
	case EvSchedMigrateTask:
		fmt.Fprintf(b, "comm=%s pid=%d prio=%d orig_cpu=%d dest_cpu=%d", comm, pid, prio, e.Num, e.Num2)
	case EvSchedProcessExit:
		fmt.Fprintf(b, "comm=%s pid=%d prio=%d", comm, pid, prio)
	case EvIRQHandlerEntry:
		fmt.Fprintf(b, "irq=%d name=%s", e.Num, e.Name)
	case EvIRQHandlerExit:
		ret := "unhandled"
		if e.Num2 != IRQNone {
			ret = "handled"
		}
		fmt.Fprintf(b, "irq=%d ret=%s", e.Num, ret)
	case EvSoftirqRaise, EvSoftirqEntry, EvSoftirqExit:
		fmt.Fprintf(b, "vec=%d [action=%s]", e.Num, e.Name)
	case EvHrtimerStart:
		fmt.Fprintf(b, "hrtimer=%08x function=%s expires=%d softexpires=%d mode=ABS", e.Addr, e.Name, e.Num, e.Num)
	case EvHrtimerCancel, EvHrtimerExpireExit:
		fmt.Fprintf(b, "hrtimer=%08x", e.Addr)
	case EvHrtimerExpireEntry:
		fmt.Fprintf(b, "hrtimer=%08x function=%s now=%d", e.Addr, e.Name, e.Num2)
	case EvSysEnter:
		a := e.Args
		fmt.Fprintf(b, "NR %d (%x, %x, %x, %x, %x, %x)", e.Num, a[0], a[1], a[2], a[3], a[4], a[5])
	case EvSysExit:
		fmt.Fprintf(b, "NR %d = %d", e.Num, e.Num2)
	case EvIPIRaise:
		what := "Function call interrupts"
		if e.Num2 == vecReschedule {
			what = "Rescheduling interrupts"
		}
		fmt.Fprintf(b, "target_mask=%08x (%s)", uint32(1)<<uint(e.Num), what)
	case EvVectorEntry, EvVectorExit:
		fmt.Fprintf(b, "vector=%d", e.Num)
	case EvPreemptDisable, EvPreemptEnable, EvIRQDisable, EvIRQEnable:
		fmt.Fprintf(b, "caller=%s", e.Name)
	case EvLockAcquire, EvLockContended, EvLockAcquired, EvLockRelease:
		fmt.Fprintf(b, "%s caller=%s", e.Name, e.Caller)
	case EvBug:
		b.WriteString(e.Name)
	}
}
