package main

// This file holds the flags of the hosted kernel — the preemption model
// and its knobs, the tick, the cost model, the trace — and sets the
// kernel up for an image built with the kernel SDK.

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"preemptlab/boot"
	"preemptlab/emu"
	"preemptlab/kernel"
)

// kernelOptions are the kernel's flags.
type kernelOptions struct {
	model    *string
	knobs    map[string]*string
	hz       *int
	rrSlice  *time.Duration
	costs    *string
	trace    *string
	traceNS  *bool
	duration *time.Duration
	strict   *bool
	census   *bool
	// onSample, set by the command, receives every latency sample; the
	// kernel blames every sample when it is set.
	onSample func(*kernel.LatencySample)
}

func defineKernelFlags(fs *flag.FlagSet) *kernelOptions {
	var presets []string
	for _, p := range kernel.Presets {
		presets = append(presets, p.Name)
	}
	o := &kernelOptions{
		model:    fs.String("model", "none", "preemption design `NAME` (kernel images): "+strings.Join(presets, ", ")),
		knobs:    map[string]*string{},
		hz:       fs.Int("hz", 1000, "the kernel's tick rate in `Hz`"),
		rrSlice:  fs.Duration("rr-slice", 100*time.Millisecond, "SCHED_RR's time slice `D` (Linux's RR_TIMESLICE: 100ms)"),
		costs:    fs.String("costs", "", "override the kernel's cost model from `FILE` (lines \"name = cycles\")"),
		trace:    fs.String("trace", "", "write the kernel's events to `FILE` in ftrace's text layout, or as Chrome trace-event JSON for Perfetto if FILE ends in .json"),
		traceNS:  fs.Bool("trace-ns", false, "print trace timestamps with nanosecond digits"),
		duration: fs.Duration("duration", 0, "end the run after `D` of simulated time (e.g. 2s, 500ms), status 0"),
		strict:   fs.Bool("strict", false, "make every kernel BUG report (sleeping while atomic, lock order, bad unlock, recursion) fatal: status 10"),
		census:   fs.Bool("census", false, "print the lock census (objects and operations by backing, and by lock) to stderr at the end"),
	}
	for _, name := range kernel.KnobNames() {
		o.knobs[name] = fs.String(name, "", "knob `VALUE`, overriding --model's: "+kernel.KnobUsage(name))
	}
	return o
}

// model returns the model the flags ask for: the preset, then each knob
// given.
func (o *kernelOptions) modelOf() (kernel.Model, error) {
	m, err := kernel.LookupPreset(*o.model)
	if err != nil {
		return m, err
	}
	for _, name := range kernel.KnobNames() {
		if v := *o.knobs[name]; v != "" {
			if err := m.Set(name, v); err != nil {
				return m, err
			}
		}
	}
	return m, m.Check()
}

// kernelRun is the kernel of a run, and what must happen when it ends.
type kernelRun struct {
	k      *kernel.Kernel
	trace  traceWriter
	file   *os.File
	closed bool
}

// traceWriter is a trace format: it takes the events and writes the file
// when closed.
type traceWriter interface {
	kernel.Tracer
	Close() error
}

// setUpKernel hosts the kernel on m when image is a kernel image. It
// returns nil for a bare image, which then runs as on hardware.
func setUpKernel(o *kernelOptions, m *emu.Machine, l *boot.Loaded, image []byte, cmdline string, stderr io.Writer) (*kernelRun, error) {
	if _, ok := boot.KernelABI(image); !ok {
		return nil, nil
	}
	model, err := o.modelOf()
	if err != nil {
		return nil, usageError{"run", err.Error()}
	}
	costs := kernel.DefaultCosts
	if *o.costs != "" {
		f, err := os.Open(*o.costs)
		if err != nil {
			return nil, err
		}
		err = kernel.ParseCosts(f, &costs)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("--costs %s: %v", *o.costs, err)
		}
	}
	r := &kernelRun{}
	if *o.rrSlice <= 0 {
		return nil, usageError{"run", "--rr-slice must be positive"}
	}
	cfg := kernel.Config{Model: model, Costs: costs, HZ: *o.hz, RRSliceNS: uint64(o.rrSlice.Nanoseconds()), Log: stderr, Cmdline: cmdline,
		OnSample: o.onSample, Blame: o.onSample != nil, Strict: *o.strict}
	if *o.trace != "" {
		f, err := os.Create(*o.trace)
		if err != nil {
			return nil, err
		}
		r.file = f
		if strings.HasSuffix(*o.trace, ".json") {
			r.trace = kernel.NewPerfetto(f, m.Config().MHz, len(m.CPUs()))
		} else {
			r.trace = kernel.NewFtrace(f, m.Config().MHz, len(m.CPUs()), *o.traceNS)
		}
		cfg.Tracer = r.trace
	}
	k, err := kernel.New(m, l, image, cfg)
	if err != nil {
		if r.file != nil {
			r.file.Close()
		}
		return nil, err
	}
	r.k = k
	return r, nil
}

// finish writes what the kernel's run leaves: the trace.
func (r *kernelRun) finish() error {
	if r == nil || r.closed {
		return nil
	}
	r.closed = true
	if r.trace == nil {
		return nil
	}
	err := r.trace.Close()
	if cerr := r.file.Close(); err == nil {
		err = cerr
	}
	return err
}
