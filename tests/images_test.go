package tests

// This file implements the whole-program image tests: every built-in image
// (boot/images) must print, under "preemptlab run", exactly the bytes it
// prints under QEMU and exit with the same status. QEMU's references are in
// tests/images: they are what the tests expect, not part of what ships.

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// builtinDir holds the built-in images, from this directory.
const builtinDir = "../boot/images"

// imageRunTimeout bounds one run of one image, in host time. The largest
// image (bench) executes about 74 million instructions.
const imageRunTimeout = 5 * time.Minute

// TestImages runs each boot/images/NAME.elf under "preemptlab run" and
// compares its standard output byte for byte with tests/images/NAME.qemu
// and its exit status with NAME.status, the references
// tests/images/qemu-reference.sh recorded from
// QEMU. When qemu-system-i386 is installed it also runs QEMU itself and
// compares QEMU with the committed reference, which catches a reference
// left stale by a change to an image.
func TestImages(t *testing.T) {
	images, err := filepath.Glob(filepath.Join(builtinDir, "*.elf"))
	if err != nil {
		t.Fatal(err)
	}
	if len(images) == 0 {
		t.Fatal("no images in boot/images (run make -C boot/images)")
	}
	bin := preemptlabBin
	// qemu-reference.sh runs $QEMU when it is set, so look for the same.
	qemu := cmp.Or(os.Getenv("QEMU"), "qemu-system-i386")
	_, err = exec.LookPath(qemu)
	liveQEMU := err == nil
	if !liveQEMU {
		if inCI() {
			missingTool(t, qemu, "qemu-system-x86", err)
		}
		t.Logf("%s not found: comparing with the committed QEMU references only", qemu)
	}

	for _, image := range images {
		name := strings.TrimSuffix(filepath.Base(image), ".elf")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			wantOut, wantStatus := readImageReference(t, name)

			if liveQEMU {
				out, status, stderr, err := runImageCommand(t, "bash", filepath.Join("images", "qemu-reference.sh"), "--run", image)
				if err != nil {
					t.Errorf("%s: running QEMU: %v\n%s", name, err, stderr)
				} else if !bytes.Equal(out, wantOut) || status != wantStatus {
					t.Errorf("%s: the committed reference is stale (run tests/images/qemu-reference.sh): QEMU now exits with status %d (reference %d) and prints\n%s%s",
						name, status, wantStatus, lineDiff("images/"+name+".qemu", "qemu", wantOut, out), stderrNote(stderr))
				}
			}

			out, status, stderr, err := runImageCommand(t, bin, "run", image, "--gops=off")
			if err != nil {
				t.Fatalf("%s: %v%s", name, err, stderrNote(stderr))
			}
			if !bytes.Equal(out, wantOut) {
				t.Errorf("%s: preemptlab's output differs from QEMU's\n%s%s",
					name, lineDiff("images/"+name+".qemu", "preemptlab", wantOut, out), stderrNote(stderr))
			}
			if status != wantStatus {
				t.Errorf("%s: preemptlab exited with status %d, QEMU with %d%s",
					name, status, wantStatus, stderrNote(stderr))
			}
		})
	}
}

// TestImagesCurrent checks that the committed images, single-CPU and SMP,
// are what their sources build to now (tests/check-current.sh on
// boot/images, tests/smp and the kernel scenarios of tests/kernel).
func TestImagesCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("rebuilds every image; skipped in -short mode")
	}
	for _, tool := range []string{"gcc", "make", "bash"} {
		if _, err := exec.LookPath(tool); err != nil {
			missingTool(t, tool, tool, err)
		}
	}
	if err := probeGCC32(t); err != nil {
		missingTool(t, "gcc -m32 with libgcc", "gcc-multilib", err)
	}
	for _, dir := range []string{"boot/images", "boot/images/kernel", "boot/images/cyclictest", "tests/smp", "tests/kernel", "tests/bench"} {
		t.Run(dir, func(t *testing.T) {
			cmd := exec.Command("bash", "check-current.sh", dir)
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			switch {
			case err == nil:
			case errors.As(err, &exit) && exit.ExitCode() == 3:
				t.Skipf("the images were built with another toolchain; no byte comparison possible:\n%s", out)
			default:
				t.Fatalf("%s images are not current: %v\n%s", dir, err, out)
			}
		})
	}
}

// probeGCC32 links a 32-bit freestanding program that needs libgcc, as the
// images do.
func probeGCC32(t *testing.T) error {
	dir := t.TempDir()
	src := filepath.Join(dir, "probe.c")
	prog := "unsigned long long f(unsigned long long a, unsigned long long b) { return a / b; }\nvoid _start(void) {}\n"
	if err := os.WriteFile(src, []byte(prog), 0o644); err != nil {
		return err
	}
	out, err := exec.Command("gcc", "-m32", "-ffreestanding", "-nostdlib", "-static", "-no-pie",
		"-o", filepath.Join(dir, "probe"), src, "-lgcc").CombinedOutput()
	if err != nil {
		return fmt.Errorf("%v: %s", err, bytes.TrimSpace(out))
	}
	return nil
}

// readImageReference reads images/NAME.qemu and images/NAME.status.
func readImageReference(t *testing.T, name string) ([]byte, int) {
	t.Helper()
	out, err := os.ReadFile(filepath.Join("images", name+".qemu"))
	if err != nil {
		t.Fatalf("%s: no QEMU reference (run tests/images/qemu-reference.sh): %v", name, err)
	}
	text, err := os.ReadFile(filepath.Join("images", name+".status"))
	if err != nil {
		t.Fatalf("%s: no QEMU exit status (run tests/images/qemu-reference.sh): %v", name, err)
	}
	status, err := strconv.Atoi(strings.TrimSpace(string(text)))
	if err != nil {
		t.Fatalf("%s: images/%s.status: %v", name, name, err)
	}
	return out, status
}

// runImageCommand runs a command with a timeout and returns its standard
// output, exit status and standard error; err is set only when it could not
// run or did not finish.
func runImageCommand(t *testing.T, name string, args ...string) (stdout []byte, status int, stderr []byte, err error) {
	timeout := imageRunTimeout
	if deadline, ok := t.Deadline(); ok {
		if left := time.Until(deadline) - 10*time.Second; left < timeout {
			timeout = max(left, time.Second)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	var outBuf, errBuf bytes.Buffer
	cmd.Stdout = &outBuf
	cmd.Stderr = &errBuf
	cmd.Stdin = nil // /dev/null
	runErr := cmd.Run()
	if ctx.Err() != nil {
		return outBuf.Bytes(), -1, errBuf.Bytes(),
			fmt.Errorf("%s did not finish within %v (output so far: %d bytes)", filepath.Base(name), timeout, outBuf.Len())
	}
	var exit *exec.ExitError
	switch {
	case runErr == nil:
		return outBuf.Bytes(), 0, errBuf.Bytes(), nil
	case errors.As(runErr, &exit) && exit.ExitCode() >= 0:
		return outBuf.Bytes(), exit.ExitCode(), errBuf.Bytes(), nil
	default:
		return outBuf.Bytes(), -1, errBuf.Bytes(), runErr
	}
}

// stderrNote shows a command's standard error, if it wrote any, for a
// failure message.
func stderrNote(stderr []byte) string {
	const limit = 4000
	if len(stderr) == 0 {
		return ""
	}
	if len(stderr) > limit {
		return fmt.Sprintf("\nstderr:\n%s\n... (%d more bytes)", stderr[:limit], len(stderr)-limit)
	}
	return fmt.Sprintf("\nstderr:\n%s", stderr)
}

// lineDiff returns a line diff of want and got: the first differing line
// number and the changed lines as -want / +got with a little context,
// bounded in length.
func lineDiff(wantName, gotName string, want, got []byte) string {
	if bytes.Equal(want, got) {
		return "(no difference)"
	}
	a := splitLines(want)
	b := splitLines(got)

	// Trim the common prefix and suffix; diff what is left.
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	ma, mb := a[pre:len(a)-suf], b[pre:len(b)-suf]

	var sb strings.Builder
	fmt.Fprintf(&sb, "--- %s (%d lines)\n+++ %s (%d lines)\n@@ first difference at line %d @@\n",
		wantName, len(a), gotName, len(b), pre+1)
	const contextLines, maxLines = 3, 60
	for i := max(0, pre-contextLines); i < pre; i++ {
		fmt.Fprintf(&sb, " %s\n", a[i])
	}
	printed := 0
	emit := func(prefix, line string) bool {
		if printed == maxLines {
			sb.WriteString("... (diff truncated)\n")
			printed++
			return false
		}
		if printed > maxLines {
			return false
		}
		fmt.Fprintf(&sb, "%s%s\n", prefix, line)
		printed++
		return true
	}
	if len(ma)*len(mb) <= 4_000_000 {
		for _, op := range diffLines(ma, mb) {
			if !emit(op.prefix, op.line) {
				break
			}
		}
	} else {
		// Too long to align: show both sides of the region.
		for _, l := range ma {
			if !emit("-", l) {
				break
			}
		}
		for _, l := range mb {
			if !emit("+", l) {
				break
			}
		}
	}
	if printed <= maxLines {
		for i := len(a) - suf; i < len(a) && i < len(a)-suf+contextLines; i++ {
			fmt.Fprintf(&sb, " %s\n", a[i])
		}
	}
	return sb.String()
}

// splitLines splits text into lines, showing a missing final newline.
func splitLines(text []byte) []string {
	s := string(text)
	noEOL := len(s) > 0 && !strings.HasSuffix(s, "\n")
	s = strings.TrimSuffix(s, "\n")
	if s == "" && !noEOL {
		return nil
	}
	lines := strings.Split(s, "\n")
	if noEOL {
		lines[len(lines)-1] += " (no newline at end)"
	}
	return lines
}

type diffOp struct {
	prefix string // " ", "-" or "+"
	line   string
}

// diffLines aligns a and b by a longest common subsequence.
func diffLines(a, b []string) []diffOp {
	n, m := len(a), len(b)
	// lcs[i][j] = length of the LCS of a[i:] and b[j:]
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var ops []diffOp
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case a[i] == b[j]:
			ops = append(ops, diffOp{" ", a[i]})
			i++
			j++
		case lcs[i+1][j] >= lcs[i][j+1]:
			ops = append(ops, diffOp{"-", a[i]})
			i++
		default:
			ops = append(ops, diffOp{"+", b[j]})
			j++
		}
	}
	for ; i < n; i++ {
		ops = append(ops, diffOp{"-", a[i]})
	}
	for ; j < m; j++ {
		ops = append(ops, diffOp{"+", b[j]})
	}
	return ops
}
