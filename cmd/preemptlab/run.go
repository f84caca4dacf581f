package main

// This file implements "preemptlab run".

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"time"

	"preemptlab/boot/images"
	"preemptlab/emu"
)

// readImage reads an image file, or a built-in image by name ("hash")
// when there is no such file.
func readImage(name string) ([]byte, error) {
	data, err := os.ReadFile(name)
	if err == nil {
		return data, nil
	}
	if os.IsNotExist(err) {
		if img, ok := images.Lookup(name); ok {
			return img.ELF, nil
		}
		return nil, fmt.Errorf("%v (and no built-in image is called %q: see preemptlab images)", err, name)
	}
	return nil, err
}

// DefaultMaxCycles bounds a run when --max-cycles is not given: ten
// simulated seconds at 1000 MHz.
const defaultMaxCycles = 10_000_000_000

func cmdRun(args []string, stdout, stderr io.Writer) (int, error) {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cmdline := fs.String("cmdline", "", "multiboot command line passed to the image")
	cpus := fs.Int("cpus", 2, "number of processors (1-8)")
	mem := fs.Int("mem", 64, "RAM in MiB")
	mhz := fs.Uint64("mhz", 1000, "processor clock in MHz (cycles per microsecond)")
	maxCycles := fs.Uint64("max-cycles", defaultMaxCycles, "end the run after this many cycles (0: no limit)")
	stats := fs.Bool("stats", false, "print instructions, cycles and emulated MIPS to stderr")
	seed := fs.Uint64("seed", 1, "seed of the seeded devices (same image, flags and seed: same bytes)")
	var traffic []emu.TrafficConfig
	fs.Func("traffic", "add a traffic device: irq=N,rate=PER_SECOND[,jitter=P%] (repeatable)", func(s string) error {
		t, err := emu.ParseTraffic(s)
		if err == nil {
			traffic = append(traffic, t)
		}
		return err
	})
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the emulator to this file")
	gops := fs.String("gops", "127.0.0.1:0", "address for the gops agent (\"off\" disables it)")
	image, rest := splitImage(args)
	if err := fs.Parse(rest); err != nil {
		return 0, usageError{err.Error()}
	}
	if image == "" && fs.NArg() > 0 {
		image = fs.Arg(0)
	}
	if image == "" {
		return 0, usageError{"run: no image given"}
	}
	if *cpus < 1 || *cpus > 8 {
		return 0, usageError{fmt.Sprintf("--cpus %d: the machine has 1 to 8 processors", *cpus)}
	}
	if *mem < 1 {
		return 0, usageError{fmt.Sprintf("--mem %d: RAM must be 1 to 3072 MiB", *mem)}
	}
	if *mhz < 1 {
		return 0, usageError{"--mhz must be at least 1"}
	}
	data, err := readImage(image)
	if err != nil {
		return 0, err
	}
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	m, err := emu.New(emu.Config{
		MemMB: *mem, CPUs: *cpus, MHz: *mhz, MaxCycles: *maxCycles, Seed: *seed,
		Console: out, Log: stderr,
	})
	if err != nil {
		return 0, err
	}
	if _, err := m.LoadMultiboot(data, *cmdline); err != nil {
		return 0, fmt.Errorf("%s: %v", image, err)
	}
	for i, t := range traffic {
		if err := m.AddTraffic(t, i); err != nil {
			return 0, usageError{err.Error()}
		}
	}
	defer startGops(*gops, stderr)()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return 0, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return 0, err
		}
		defer pprof.StopCPUProfile()
	}
	start := time.Now()
	res := m.Run()
	elapsed := time.Since(start)
	out.Flush()
	if res.Message != "" {
		fmt.Fprintf(stderr, "preemptlab: %s\n", res.Message)
	}
	if *stats {
		printStats(stderr, m, res, elapsed)
	}
	return res.Status, nil
}

// splitImage takes the image name out of args so flags may follow it.
func splitImage(args []string) (string, []string) {
	for i, a := range args {
		if len(a) > 0 && a[0] != '-' {
			// The previous argument may be a flag waiting for its value.
			if i > 0 && needsValue(args[i-1]) {
				continue
			}
			return a, append(append([]string{}, args[:i]...), args[i+1:]...)
		}
	}
	return "", args
}

// needsValue reports whether a flag argument takes the next argument as its value.
func needsValue(a string) bool {
	switch a {
	case "-cmdline", "--cmdline", "-gops", "--gops", "-cpuprofile", "--cpuprofile", "-seed", "--seed", "-traffic", "--traffic", "-cpus", "--cpus", "-mem", "--mem", "-mhz", "--mhz", "-max-cycles", "--max-cycles":
		return true
	}
	return false
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
