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

// smpLineDiff returns a line diff of want and got, "" if they are equal:
// lines only in want marked "-", lines only in got "+", and common lines
// next to a change as context, each with its line number in want or got.
// The outputs are short, so a quadratic longest-common-subsequence table
// is fine.
func smpLineDiff(want, got []string) string {
	// lcs[i][j] is the length of the LCS of want[i:] and got[j:].
	lcs := make([][]int, len(want)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(got)+1)
	}
	for i := len(want) - 1; i >= 0; i-- {
		for j := len(got) - 1; j >= 0; j-- {
			if want[i] == got[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	type edit struct {
		op   byte // ' ', '-', '+'
		line int  // 1-based, in want for ' ' and '-', in got for '+'
		text string
	}
	var edits []edit
	i, j := 0, 0
	for i < len(want) || j < len(got) {
		switch {
		case i < len(want) && j < len(got) && want[i] == got[j]:
			edits = append(edits, edit{' ', i + 1, want[i]})
			i++
			j++
		case i < len(want) && (j == len(got) || lcs[i+1][j] >= lcs[i][j+1]):
			edits = append(edits, edit{'-', i + 1, want[i]})
			i++
		default:
			edits = append(edits, edit{'+', j + 1, got[j]})
			j++
		}
	}
	var b strings.Builder
	last := -1 // index of the last edit printed
	for k, e := range edits {
		near := false
		for d := -1; d <= 1; d++ {
			if k+d >= 0 && k+d < len(edits) && edits[k+d].op != ' ' {
				near = true
			}
		}
		if !near {
			continue
		}
		if last >= 0 && k > last+1 {
			b.WriteString("  ...\n")
		}
		last = k
		fmt.Fprintf(&b, "%c %3d  %s", e.op, e.line, e.text)
		if !strings.HasSuffix(e.text, "\n") {
			b.WriteString("  (no newline)\n")
		}
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
	bin := preemptlabBin
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
				t.Errorf("preemptlab run --cpus 2 %s: output differs from QEMU's (%s.qemu), lines starting %q aside (- QEMU, + preemptlab):\n%s\nfull output:\n%s\nstderr:\n%s",
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
	bin := preemptlabBin
	image := filepath.Join(smpDir, "race.elf")
	first := smpRun(t, bin, image, "--stats")
	second := smpRun(t, bin, image, "--stats")

	if !bytes.Equal(first.stdout, second.stdout) {
		t.Errorf("%s: two runs printed different output (- first, + second):\n%s\nfirst:\n%s\nsecond:\n%s",
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
		t.Errorf("%s --stats: the two runs' statistics differ (- first, + second):\n%s\nfirst:\n%s\nsecond:\n%s",
			image, diff, first.stderr, second.stderr)
	}
}

// smpLines splits out into lines, keeping every line.
func smpLines(out []byte) []string {
	return strings.SplitAfter(string(out), "\n")
}
