package tests

// This file implements the SMP image tests: every bare image in smp/ is run
// with "preemptlab run --cpus 2" and must print what QEMU printed for it
// (smp/NAME.qemu, recorded by smp/qemu-reference.sh) and exit with the same
// status (smp/NAME.status); and a run of smp/race.elf must be exactly
// repeatable, down to each processor's instruction and cycle counts.

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// smpDir holds the SMP images, their sources and QEMU's references.
const smpDir = "smp"

// smpNondeterministicPrefix starts the lines an image prints that may
// differ between QEMU and preemptlab (the outcome of a data race); they are
// left out of the comparison.
const smpNondeterministicPrefix = "nondeterministic:"

// smpRunTimeout bounds one emulator run in host time. The run is also
// bounded in simulated time by preemptlab's default --max-cycles.
const smpRunTimeout = 2 * time.Minute

// smpBinary is the preemptlab command, built once for every test here.
var smpBinary struct {
	once sync.Once
	path string
	err  error
}

// smpPreemptlab returns the path of a preemptlab binary built from this
// tree, building it on first use. The binary lives in a directory of its
// own under os.TempDir, which outlives the test process: nothing here may
// know which test is the last to need it (a TestMain for the package
// could remove it).
func smpPreemptlab(t *testing.T) string {
	t.Helper()
	smpBinary.once.Do(func() {
		dir, err := os.MkdirTemp("", "preemptlab-smp-test-")
		if err != nil {
			smpBinary.err = err
			return
		}
		path := filepath.Join(dir, "preemptlab")
		cmd := exec.Command("go", "build", "-o", path, "preemptlab/cmd/preemptlab")
		if out, err := cmd.CombinedOutput(); err != nil {
			os.RemoveAll(dir)
			smpBinary.err = fmt.Errorf("go build preemptlab/cmd/preemptlab: %v\n%s", err, out)
			return
		}
		smpBinary.path = path
	})
	if smpBinary.err != nil {
		t.Fatal(smpBinary.err)
	}
	return smpBinary.path
}

// smpRunResult is what one emulator run produced.
type smpRunResult struct {
	stdout, stderr []byte
	status         int
}

// smpRun runs "preemptlab run --cpus 2 IMAGE" with extra flags.
func smpRun(t *testing.T, bin, image string, flags ...string) smpRunResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), smpRunTimeout)
	defer cancel()
	args := append([]string{"run", image, "--cpus", "2", "--gops", "off"}, flags...)
	cmd := exec.CommandContext(ctx, bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("preemptlab %s: no exit within %v (host time)\nstdout:\n%s\nstderr:\n%s",
			strings.Join(args, " "), smpRunTimeout, stdout.Bytes(), stderr.Bytes())
	}
	status := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("preemptlab %s: %v", strings.Join(args, " "), err)
		}
		status = ee.ExitCode()
	}
	return smpRunResult{stdout.Bytes(), stderr.Bytes(), status}
}

// smpComparable returns the lines of out that are compared with QEMU's:
// all but those starting with smpNondeterministicPrefix.
func smpComparable(out []byte) []string {
	var lines []string
	for _, line := range strings.SplitAfter(string(out), "\n") {
		if line == "" || strings.HasPrefix(line, smpNondeterministicPrefix) {
			continue
		}
		lines = append(lines, line)
	}
	return lines
}

// smpLineDiff describes how got differs from want, line by line: each
// differing line as "want:" and "got:" with its number.
func smpLineDiff(want, got []string) string {
	var b strings.Builder
	n := max(len(want), len(got))
	for i := 0; i < n; i++ {
		var w, g string
		if i < len(want) {
			w = want[i]
		}
		if i < len(got) {
			g = got[i]
		}
		if w == g {
			continue
		}
		fmt.Fprintf(&b, "line %d:\n\twant: %q\n\tgot:  %q\n", i+1, w, g)
	}
	return b.String()
}

// smpImages lists the images in smpDir: every NAME.elf.
func smpImages(t *testing.T) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(smpDir, "*.elf"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatalf("no images in %s (run make -C tests/smp)", smpDir)
	}
	var names []string
	for _, p := range paths {
		names = append(names, strings.TrimSuffix(filepath.Base(p), ".elf"))
	}
	return names
}

// TestSMPImagesMatchQEMU runs every SMP image on preemptlab and compares
// its console output and exit status with QEMU's.
func TestSMPImagesMatchQEMU(t *testing.T) {
	bin := smpPreemptlab(t)
	for _, name := range smpImages(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			image := filepath.Join(smpDir, name+".elf")
			want, err := os.ReadFile(filepath.Join(smpDir, name+".qemu"))
			if err != nil {
				t.Fatalf("%v (run tests/smp/qemu-reference.sh)", err)
			}
			statusText, err := os.ReadFile(filepath.Join(smpDir, name+".status"))
			if err != nil {
				t.Fatalf("%v (run tests/smp/qemu-reference.sh)", err)
			}
			wantStatus, err := strconv.Atoi(strings.TrimSpace(string(statusText)))
			if err != nil {
				t.Fatalf("%s.status: %v", name, err)
			}

			got := smpRun(t, bin, image)
			wantLines, gotLines := smpComparable(want), smpComparable(got.stdout)
			if diff := smpLineDiff(wantLines, gotLines); diff != "" {
				t.Errorf("preemptlab run --cpus 2 %s: output differs from QEMU's (%s.qemu), lines starting %q aside:\n%s\nfull output:\n%s\nstderr:\n%s",
					image, name, smpNondeterministicPrefix, diff, got.stdout, got.stderr)
			}
			if got.status != wantStatus {
				t.Errorf("preemptlab run --cpus 2 %s: exit status %d, QEMU's %d\nstderr:\n%s",
					image, got.status, wantStatus, got.stderr)
			}
		})
	}
}

// smpStatsLines returns the lines of a --stats run's stderr that must
// repeat exactly: all but the total line, which reports host time and
// emulated MIPS.
func smpStatsLines(stderr []byte) []string {
	var lines []string
	for _, line := range strings.SplitAfter(string(stderr), "\n") {
		if line == "" || strings.Contains(line, "host time") {
			continue
		}
		lines = append(lines, line)
	}
	return lines
}

// TestSMPRaceDeterministic runs race.elf twice: the console output,
// data race included, and every processor's instruction and cycle counts
// must be identical.
func TestSMPRaceDeterministic(t *testing.T) {
	bin := smpPreemptlab(t)
	image := filepath.Join(smpDir, "race.elf")
	first := smpRun(t, bin, image, "--stats")
	second := smpRun(t, bin, image, "--stats")

	if !bytes.Equal(first.stdout, second.stdout) {
		t.Errorf("%s: two runs printed different output:\n%s\nfirst:\n%s\nsecond:\n%s",
			image, smpLineDiff(smpLines(first.stdout), smpLines(second.stdout)),
			first.stdout, second.stdout)
	}
	if first.status != second.status {
		t.Errorf("%s: exit status %d, then %d", image, first.status, second.status)
	}
	a, b := smpStatsLines(first.stderr), smpStatsLines(second.stderr)
	perCPU := 0
	for _, line := range a {
		if strings.HasPrefix(line, "cpu") {
			perCPU++
		}
	}
	if perCPU != 2 {
		t.Errorf("%s --stats: %d per-CPU lines on stderr, want 2:\n%s", image, perCPU, first.stderr)
	}
	if diff := smpLineDiff(a, b); diff != "" {
		t.Errorf("%s --stats: the two runs' statistics differ:\n%s\nfirst:\n%s\nsecond:\n%s",
			image, diff, first.stderr, second.stderr)
	}
}

// smpLines splits out into lines, keeping every line.
func smpLines(out []byte) []string {
	return strings.SplitAfter(string(out), "\n")
}
