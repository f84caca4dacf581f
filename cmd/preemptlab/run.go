package main

// This file implements "preemptlab run".

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"preemptlab/boot/images"
	"preemptlab/emu"
)

// DefaultMaxCycles bounds a run when --max-cycles is not given: ten
// simulated seconds at 1000 MHz.
const defaultMaxCycles = 10_000_000_000

const runAbout = `The image's console (COM1) bytes go to stdout as they come, a line at a
time; everything else goes to stderr. The exit status is the guest's
(isa-debug-exit), or 0 all processors halted, 2 a bad command line or
image, 4 a guest fault, 6 the cycle budget ran out, 130/143 interrupted by
SIGINT/SIGTERM (the report and --stats are still printed; a second signal
kills). Flags may come before or after the image.
`

// runOptions are the flags of "preemptlab run".
type runOptions struct {
	cmdline    *string
	cpus, mem  *int
	mhz        *uint64
	maxCycles  *uint64
	stats      *bool
	seed       *uint64
	traffic    []emu.TrafficConfig
	cpuprofile *string
	gops       *string
	kernel     *kernelOptions
	measure    *measureOptions
}

func defineRunFlags(fs *flag.FlagSet) *runOptions {
	o := &runOptions{
		cmdline:   fs.String("cmdline", "", "multiboot command line `S` passed to the image"),
		cpus:      fs.Int("cpus", 2, "`N` processors, 1-8; the ones after the first wait for INIT/SIPI"),
		mem:       fs.Int("mem", 64, "`MiB` of RAM, 1-3072"),
		mhz:       fs.Uint64("mhz", 1000, "processor clock in `MHz` (cycles per microsecond)"),
		maxCycles: fs.Uint64("max-cycles", defaultMaxCycles, "end the run after `N` cycles (0: no limit)"),
		stats:     fs.Bool("stats", false, "print instructions, cycles and emulated MIPS to stderr"),
		seed:      fs.Uint64("seed", 1, "seed `N` of the seeded devices (same image, flags and seed: same bytes)"),
	}
	fs.Func("traffic", fmt.Sprintf("add a traffic device as `SPEC` says: irq=N,rate=PER_SECOND[,jitter=P%%] (repeatable, at most %d)", emu.MaxTraffic), func(s string) error {
		t, err := emu.ParseTraffic(s)
		if err == nil {
			o.traffic = append(o.traffic, t)
		}
		return err
	})
	o.cpuprofile = fs.String("cpuprofile", "", "write a CPU profile of the emulator to `FILE`")
	o.gops = fs.String("gops", "127.0.0.1:0", "`ADDR` of the gops agent (\"off\" disables it)")
	o.kernel = defineKernelFlags(fs)
	o.measure = defineMeasureFlags(fs)
	return o
}

func cmdRun(args []string, stdout, stderr io.Writer) (int, error) {
	c, _ := lookupCommand("run")
	var o *runOptions
	c.flags = func(fs *flag.FlagSet) { o = defineRunFlags(fs) } // the same flags, kept for use here
	fs, rest, err := parseArgs(c, args, stdout)
	if err != nil {
		return 0, err
	}
	budget := *o.maxCycles
	if *o.kernel.duration > 0 && !flagGiven(fs, "max-cycles") {
		budget = 0 // --duration ends the run; the default budget would end it first
	}
	if len(rest) == 0 {
		rest = []string{defaultImage} // the measurement workload
	}
	switch {
	case len(rest) > 1:
		return 0, usageError{"run", fmt.Sprintf("run: one image at a time: %q, then %q is one argument too many", rest[0], rest[1])}
	}
	image := rest[0]
	if *o.cpus < 1 || *o.cpus > 8 {
		return 0, usageError{"run", fmt.Sprintf("--cpus %d: the machine has 1 to 8 processors", *o.cpus)}
	}
	if *o.mem < 1 {
		return 0, usageError{"run", fmt.Sprintf("--mem %d: RAM must be 1 to 3072 MiB", *o.mem)}
	}
	if *o.mhz < 1 {
		return 0, usageError{"run", "--mhz must be at least 1"}
	}
	out := newLineWriter(stdout)
	defer out.Flush()
	m, err := emu.New(emu.Config{
		MemMB: *o.mem, CPUs: *o.cpus, MHz: *o.mhz, MaxCycles: budget, Seed: *o.seed,
		Console: out, Log: stderr,
	})
	if err != nil {
		return 0, err
	}
	data, err := readImage(image, len(m.RAM()))
	if err != nil {
		return 0, err
	}
	cmdline := o.measure.cmdline(*o.cmdline)
	loaded, err := m.LoadMultiboot(data, cmdline)
	if err != nil {
		return 0, fmt.Errorf("%s: %v", image, err)
	}
	meas, err := o.measure.newMeasurement(m)
	if err != nil {
		return 0, usageError{"run", err.Error()}
	}
	if isBuiltinWorkload(image) {
		meas.prefix = "cyclictest/"
	}
	o.kernel.onSample = meas.sample
	kr, err := setUpKernel(o.kernel, m, loaded, data, cmdline, stderr)
	if err != nil {
		return 0, err
	}
	defer kr.finish()
	if d := *o.kernel.duration; d > 0 {
		m.Schedule(uint64(d.Nanoseconds())*m.Config().MHz/1000, func() { m.Exit(0, "") })
	}
	if kr != nil {
		meas.k = kr.k
	}
	if len(o.traffic) == 0 && isBuiltinWorkload(image) {
		o.traffic = defaultTraffic()
	}
	for i, t := range o.traffic {
		if err := m.AddTraffic(t, i); err != nil {
			return 0, usageError{"run", err.Error()}
		}
	}
	defer startGops(*o.gops, stderr)()
	if *o.cpuprofile != "" {
		f, err := os.Create(*o.cpuprofile)
		if err != nil {
			return 0, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return 0, err
		}
		defer pprof.StopCPUProfile()
	}
	stop := abortOnSignal(m)
	start := time.Now()
	res := m.Run()
	elapsed := time.Since(start)
	stop()
	if err := out.Flush(); err != nil && res.Message == "" {
		res.Message = fmt.Sprintf("console write failed: %v", err)
	}
	if err := kr.finish(); err != nil && res.Message == "" {
		res.Message = fmt.Sprintf("writing the trace failed: %v", err)
	}
	if kr != nil && len(meas.threads) > 0 {
		if err := o.measure.report(stdout, meas, jsonRun{
			cmdline: "preemptlab run " + strings.Join(args, " "), model: modelName(o.kernel),
			simulated: machineTime(m) * 1000 / m.Config().MHz, returnCode: res.Status,
		}); err != nil && res.Message == "" {
			res.Message = err.Error()
		}
	}
	msg := res.Message
	if res.Kind == emu.ExitAborted {
		msg += fmt.Sprintf(" at cycle %d", res.Cycles)
	}
	if msg != "" {
		fmt.Fprintf(stderr, "preemptlab: %s\n", msg)
	}
	if kr != nil && *o.kernel.census {
		kr.k.WriteCensus(stderr)
	}
	if *o.stats {
		printStats(stderr, m, res, elapsed)
		if kr != nil {
			kr.k.WriteStats(stderr, res.Cycles)
		}
	}
	return res.Status, nil
}

// abortOnSignal ends the run on SIGINT or SIGTERM as a shell expects of a
// process killed by it (status 128+signal: 130, 143), but through the end
// of the run, so that the console so far, the report and --stats are all
// written. The first signal stops being caught, so a second one kills the
// process as usual. The returned function stops catching.
func abortOnSignal(m *emu.Machine) (stop func()) {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		select {
		case s := <-sigs:
			signal.Stop(sigs)
			if s == syscall.SIGTERM {
				m.Abort(128+15, "interrupted by SIGTERM")
			} else {
				m.Abort(128+2, "interrupted by SIGINT")
			}
		case <-done:
		}
	}()
	return func() {
		signal.Stop(sigs)
		close(done)
		<-finished
	}
}

// readImage reads an image file, or a built-in image by name ("hash")
// when there is no such file. An image must fit in the machine's RAM
// (limit bytes): a larger file is refused, and no more than limit+1 bytes
// are ever read, so that a device such as /dev/zero cannot be read
// without end.
func readImage(name string, limit int) ([]byte, error) {
	f, err := os.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		if img, ok := images.Lookup(name); ok {
			return img.ELF, nil
		}
		return nil, fmt.Errorf("%v (and no built-in image is called %q: see preemptlab images)", err, name)
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	ram := fmt.Sprintf("%d MiB", limit>>20)
	if limit%(1<<20) != 0 {
		ram = fmt.Sprintf("%d bytes", limit)
	}
	switch {
	case info.IsDir():
		return nil, fmt.Errorf("%s is a directory, not an image file", name)
	case info.Mode().IsRegular() && info.Size() > int64(limit):
		return nil, fmt.Errorf("%s: %d bytes, more than the machine's %s of RAM: an image must fit in RAM (--mem gives more, up to 3072 MiB)",
			name, info.Size(), ram)
	}
	data, err := io.ReadAll(io.LimitReader(f, int64(limit)+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %v", name, err)
	}
	if len(data) > limit {
		if info.Mode().IsRegular() {
			return nil, fmt.Errorf("%s: more than the machine's %s of RAM (the file grew while it was read): an image must fit in RAM (--mem gives more, up to 3072 MiB)", name, ram)
		}
		return nil, fmt.Errorf("%s is not a regular file and gave more than the machine's %s of RAM without ending: an image must fit in RAM (--mem sets its size, up to 3072 MiB)", name, ram)
	}
	return data, nil
}

func printStats(w io.Writer, m *emu.Machine, res *emu.Result, elapsed time.Duration) {
	var insts uint64
	for _, c := range m.CPUs() {
		insts += c.Instructions
		fmt.Fprintf(w, "cpu%d: %d instructions, %d cycles\n", c.ID, c.Instructions, c.Cycles)
	}
	mhz := m.Config().MHz
	sim := float64(res.Cycles) / float64(mhz) / 1e6
	fmt.Fprintf(w, "total: %d instructions, %d cycles (%.6f s simulated) in %.3f s host time: %.1f emulated MIPS\n",
		insts, res.Cycles, sim, elapsed.Seconds(), float64(insts)/elapsed.Seconds()/1e6)
}

// flagGiven reports whether the command line set flag name.
func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}
