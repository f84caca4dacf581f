package kernel

// This file implements the Chrome trace-event JSON output that Perfetto
// (ui.perfetto.dev) and chrome://tracing open: one track per CPU showing
// which task ran there, with its system calls, interrupt vectors, IRQ
// handlers, softirqs and timer callbacks nested inside, every other
// event as an instant, and an arrow from each wake-up to the switch
// that ran the woken task.

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// Perfetto collects a run's events and writes them as Chrome trace-event
// JSON ({"traceEvents": [...]}, times in µs with nanosecond decimals), as
// the run goes (FlushTracer) and when closed. The CPUs are the threads of
// one process "CPUs", each a track: a task's time on a CPU is a slice
// named comm-pid, and the sections within it — system calls, vectors, IRQ
// handlers, softirqs, hrtimer callbacks — are slices nested in it, all
// "B"/"E" pairs written in time order. A section that a context switch
// interrupts (a system call that blocks, a threaded handler preempted)
// ends at the switch and begins again when its task next runs, so every
// track nests strictly, as Perfetto requires. The other events are
// thread-scoped instants carrying ftrace's fields and flag columns as
// arguments.
type Perfetto struct {
	w     io.Writer
	mhz   uint64
	ncpu  int
	lines lineStore
	cpus  []perfettoCPU
	// open holds, per task, the names of the sections it is inside,
	// outermost first; tasks are only looked up, never iterated.
	open map[*Task][]string
	// woken holds, per task, the flow id of its last wake-up not yet
	// followed by its switch-in.
	woken map[*Task]uint64
	flows uint64
	last  uint64 // the latest event's time
	out   *bufio.Writer
}

type perfettoCPU struct {
	curr *Task // the task running, its slice open
	seen bool
}

// NewPerfetto returns a tracer writing Chrome trace-event JSON to w for a
// machine of ncpu CPUs at mhz.
func NewPerfetto(w io.Writer, mhz uint64, ncpu int) *Perfetto {
	return &Perfetto{w: w, mhz: mhz, ncpu: ncpu, cpus: make([]perfettoCPU, ncpu),
		open: make(map[*Task][]string), woken: make(map[*Task]uint64)}
}

// Event records one event (Tracer).
func (f *Perfetto) Event(e *Event) {
	if e.CPU < 0 || e.CPU >= len(f.cpus) {
		return
	}
	f.last = max(f.last, e.Time)
	pc := &f.cpus[e.CPU]
	if !pc.seen {
		pc.seen, pc.curr = true, e.Task
		f.runBegin(e.Time, e.CPU, e.Task)
	}
	f.instant(e)
	switch e.Kind {
	case EvSchedSwitch:
		f.switchTo(e, pc)
	case EvVectorEntry:
		f.begin(e, e.Name)
	case EvIRQHandlerEntry:
		f.begin(e, "irq "+strconv.FormatInt(e.Num, 10)+" "+e.Name)
	case EvSoftirqEntry:
		f.begin(e, "softirq "+e.Name)
	case EvHrtimerExpireEntry:
		f.begin(e, e.Name)
	case EvSysEnter:
		f.begin(e, "syscall "+strconv.FormatInt(e.Num, 10))
	case EvVectorExit, EvIRQHandlerExit, EvSoftirqExit, EvHrtimerExpireExit, EvSysExit:
		f.end(e)
	}
}

// switchTo ends the previous task's slice on the CPU, and the sections it
// is inside, and begins the next one's.
func (f *Perfetto) switchTo(e *Event, pc *perfettoCPU) {
	for range f.open[pc.curr] {
		f.record(e.Time, e.CPU, 'E', "")
	}
	f.record(e.Time, e.CPU, 'E', "")
	pc.curr = e.Other
	f.runBegin(e.Time, e.CPU, e.Other)
	if id, ok := f.woken[e.Other]; ok {
		delete(f.woken, e.Other)
		b := f.lines.next()
		f.head(&b, e.Time, e.CPU, 'f', "wakeup")
		b.kvNum(`,"cat":"sched","id":`, int64(id))
		b.str(`,"bp":"e"}`)
		f.lines.add(e.Time, b)
	}
	for _, name := range f.open[e.Other] {
		f.record(e.Time, e.CPU, 'B', name)
	}
}

// runBegin begins the slice of task t's time on the CPU.
func (f *Perfetto) runBegin(at uint64, cpu int, t *Task) {
	comm, pid := taskName(t)
	prio := 0
	if t != nil {
		prio = t.prio
	}
	b := f.lines.next()
	f.head(&b, at, cpu, 'B', comm+"-"+strconv.Itoa(pid))
	b.str(`,"args":{"comm":`)
	jsonString(&b, comm)
	b.kvNum(`,"pid":`, int64(pid))
	b.kvNum(`,"prio":`, int64(prio))
	b.str("}}")
	f.lines.add(at, b)
}

// record writes a slice's beginning or end on the CPU's track.
func (f *Perfetto) record(at uint64, cpu int, ph byte, name string) {
	b := f.lines.next()
	f.head(&b, at, cpu, ph, name)
	b.str("}")
	f.lines.add(at, b)
}

// begin opens a section of the running task.
func (f *Perfetto) begin(e *Event, name string) {
	f.open[e.Task] = append(f.open[e.Task], name)
	f.record(e.Time, e.CPU, 'B', name)
}

// end closes the task's innermost section; an end without a beginning
// (the trace began inside it) is dropped.
func (f *Perfetto) end(e *Event) {
	secs := f.open[e.Task]
	if len(secs) == 0 {
		return
	}
	f.open[e.Task] = secs[:len(secs)-1]
	f.record(e.Time, e.CPU, 'E', "")
}

// instant writes e as an instant event with ftrace's fields and flags; a
// wake-up also starts the arrow to the woken task's switch-in.
func (f *Perfetto) instant(e *Event) {
	name := e.Kind.String()
	switch e.Kind {
	case EvVectorEntry:
		name = e.Name + "_entry"
	case EvVectorExit:
		name = e.Name + "_exit"
	}
	b := f.lines.next()
	f.head(&b, e.Time, e.CPU, 'i', name)
	b.str(`,"s":"t","args":{"flags":"`)
	b.flags(e)
	b.str(`","fields":`)
	var fields lineBuf
	fields.fields(e)
	jsonString(&b, string(fields))
	b.str("}}")
	f.lines.add(e.Time, b)
	if (e.Kind == EvSchedWakeup || e.Kind == EvSchedWakeupNew) && e.Other != nil {
		if _, ok := f.woken[e.Other]; !ok {
			f.flows++
			f.woken[e.Other] = f.flows
			b := f.lines.next()
			f.head(&b, e.Time, e.CPU, 's', "wakeup")
			b.kvNum(`,"cat":"sched","id":`, int64(f.flows))
			b.str("}")
			f.lines.add(e.Time, b)
		}
	}
}

// head writes an event's opening: phase, name, time and track.
func (f *Perfetto) head(b *lineBuf, at uint64, cpu int, ph byte, name string) {
	b.str(`{"ph":"`)
	*b = append(*b, ph)
	b.str(`"`)
	if name != "" {
		b.str(`,"name":`)
		jsonString(b, name)
	}
	b.str(`,"ts":`)
	f.micros(b, at)
	b.kvNum(`,"pid":`, 1)
	b.kvNum(`,"tid":`, int64(cpu+1))
}

// micros writes a cycle count as µs with three decimals (nanoseconds).
func (f *Perfetto) micros(b *lineBuf, cycles uint64) {
	ns := cycles * 1000 / f.mhz
	*b = strconv.AppendUint(*b, ns/1000, 10)
	*b = append(*b, '.')
	b.zeroPad(ns%1000, 3)
}

// Flush writes the events before cycle before (FlushTracer).
func (f *Perfetto) Flush(before uint64) {
	if f.out == nil {
		f.out = bufio.NewWriterSize(f.w, 1<<16)
		f.out.WriteString(`{"displayTimeUnit":"ns","traceEvents":[` + "\n")
		f.out.WriteString(`{"ph":"M","name":"process_name","pid":1,"args":{"name":"CPUs"}}`)
		for cpu := 0; cpu < f.ncpu; cpu++ {
			fmt.Fprintf(f.out, ",\n"+`{"ph":"M","name":"thread_name","pid":1,"tid":%d,"args":{"name":"CPU %d"}}`, cpu+1, cpu)
		}
	}
	f.lines.flush(before, func(l []byte) {
		f.out.WriteString(",\n")
		f.out.Write(l)
	})
}

// Close ends every CPU's running slice, and the sections it is inside,
// at the last event, and writes the rest of the trace.
func (f *Perfetto) Close() error {
	for cpu := range f.cpus {
		pc := &f.cpus[cpu]
		if !pc.seen {
			continue
		}
		for range f.open[pc.curr] {
			f.record(f.last, cpu, 'E', "")
		}
		f.record(f.last, cpu, 'E', "")
	}
	f.Flush(^uint64(0))
	f.out.WriteString("\n]}\n")
	return f.out.Flush()
}

// jsonString writes s as a JSON string; bytes that are not UTF-8 (a
// name read from guest memory) become U+FFFD.
func jsonString(b *lineBuf, s string) {
	const hex = "0123456789abcdef"
	*b = append(*b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			*b = append(*b, '\\', c)
			i++
		case c < 0x20:
			*b = append(*b, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
			i++
		case c < utf8.RuneSelf:
			*b = append(*b, c)
			i++
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				*b = append(*b, "\ufffd"...)
			} else {
				*b = append(*b, s[i:i+n]...)
			}
			i += n
		}
	}
	*b = append(*b, '"')
}
