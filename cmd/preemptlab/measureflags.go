package main

// This file holds the measurement flags of "preemptlab run" — cyclictest's
// --loops, --interval, --breaktrace, --histogram and --json, and --blame
// — and the built-in measurement workload's defaults.

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"preemptlab/emu"
	"preemptlab/kernel"
)

// defaultImage is the image run and compare boot when none is given.
const defaultImage = "cyclictest"

// measureOptions are the measurement flags.
type measureOptions struct {
	loops, interval, breaktrace, histogram, blame *int
	json                                          *string
}

func defineMeasureFlags(fs *flag.FlagSet) *measureOptions {
	return &measureOptions{
		loops:      fs.Int("loops", 0, "each measurement thread makes `N` wake-ups, then the run ends (the image's loops=N; 0: until --duration)"),
		interval:   fs.Int("interval", 0, "base interval `US` of the measurement threads (the image's interval=US; default the image's, 1000)"),
		breaktrace: fs.Int("breaktrace", 0, "end the run at the first sample over `US` µs, keeping the trace up to it (cyclictest -b)"),
		histogram:  fs.Int("histogram", 0, "print cyclictest's latency histogram of `US` one-µs buckets instead of the thread lines (cyclictest -h)"),
		json:       fs.String("json", "", "write cyclictest's --json results, with preemptlab's added keys, to `FILE`"),
		blame:      fs.Int("blame", 1, "print the breakdown of the `N` worst samples (the worst is always printed)"),
	}
}

// cmdline adds the flags the image reads to the kernel command line.
func (o *measureOptions) cmdline(s string) string {
	var words []string
	if s != "" {
		words = append(words, s)
	}
	if *o.loops > 0 {
		words = append(words, fmt.Sprintf("loops=%d", *o.loops))
	}
	if *o.interval > 0 {
		words = append(words, fmt.Sprintf("interval=%d", *o.interval))
	}
	if *o.histogram > 0 {
		words = append(words, "distance=0") // cyclictest -h runs every thread at the interval
	}
	return strings.Join(words, " ")
}

// newMeasurement checks the flags and makes the run's collector.
func (o *measureOptions) newMeasurement(m *emu.Machine) (*measurement, error) {
	switch {
	case *o.loops < 0:
		return nil, fmt.Errorf("--loops %d: must be positive", *o.loops)
	case *o.interval < 0:
		return nil, fmt.Errorf("--interval %d: must be positive", *o.interval)
	case *o.breaktrace < 0:
		return nil, fmt.Errorf("--breaktrace %d: must be positive", *o.breaktrace)
	case *o.histogram < 0 || *o.histogram > 1_000_000:
		return nil, fmt.Errorf("--histogram %d: 1 to 1000000 buckets", *o.histogram)
	case *o.blame < 0:
		return nil, fmt.Errorf("--blame %d: must be positive", *o.blame)
	}
	meas := newMeasurement(m.Config().MHz, *o.histogram, max(*o.blame, 1), int64(*o.breaktrace))
	meas.stop = func() { m.Exit(0, "") }
	return meas, nil
}

// report prints the results after the run: cyclictest's lines or
// histogram, its break report, the blame; and writes --json.
func (o *measureOptions) report(w io.Writer, meas *measurement, r jsonRun) error {
	if *o.histogram > 0 {
		meas.printHistogram(w)
	} else {
		meas.printThreadLines(w)
	}
	meas.printBreak(w)
	meas.printBlame(w, max(*o.blame, 1))
	if *o.json != "" {
		return meas.writeJSON(*o.json, r)
	}
	return nil
}

// isBuiltinWorkload reports whether image names the built-in measurement
// workload (not a file of that name).
func isBuiltinWorkload(image string) bool {
	return strings.TrimSuffix(image, ".elf") == defaultImage && !fileExists(image)
}

// defaultTraffic are the devices the built-in workload drives when no
// --traffic is given: eth0 on irq 11 at 3000 interrupts a second, ide0 on
// irq 14 at 50 (their ports are the image's defaults).
func defaultTraffic() []emu.TrafficConfig {
	var l []emu.TrafficConfig
	for _, s := range []string{"irq=11,rate=3000,jitter=30%", "irq=14,rate=50,jitter=50%"} {
		t, err := emu.ParseTraffic(s)
		if err != nil {
			panic(err) // the constants above parse
		}
		l = append(l, t)
	}
	return l
}

// modelName is the model the flags chose, as given.
func modelName(o *kernelOptions) string {
	name := *o.model
	for _, k := range sortedKnobs(o) {
		name += fmt.Sprintf(" --%s %s", k, *o.knobs[k])
	}
	return name
}

// fileExists reports whether a file of that name exists.
func fileExists(name string) bool {
	_, err := os.Stat(name)
	return err == nil
}

// sortedKnobs lists the knobs given on the command line, in the kernel's
// order.
func sortedKnobs(o *kernelOptions) []string {
	var l []string
	for _, name := range kernel.KnobNames() {
		if *o.knobs[name] != "" {
			l = append(l, name)
		}
	}
	return l
}

// machineTime is the latest time (cycle) any processor reached.
func machineTime(m *emu.Machine) uint64 {
	var t uint64
	for _, c := range m.CPUs() {
		t = max(t, c.Cycles)
	}
	return t
}
