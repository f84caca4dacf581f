package main

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

func TestUsage(t *testing.T) {
	sixteenTraffic := []string{"run", "--gops", "off", "hash"}
	for range 16 {
		sixteenTraffic = append(sixteenTraffic, "--traffic", "irq=11,rate=1000")
	}
	for _, tc := range []struct {
		args   []string
		status int
		stderr string
	}{
		{nil, 2, "usage:"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"run"}, 2, "no image given"},
		{[]string{"run", "--bogus", "x.elf"}, 2, "flag provided but not defined"},
		{[]string{"run", "--traffic", "irq=2,rate=5", "hash"}, 2, "not 2"},
		{[]string{"run", "--gops", "off", "--cpus", "0", "hash"}, 2, "1 to 8"},
		{sixteenTraffic, 2, "at most 15 traffic devices"},
	} {
		var out, errb bytes.Buffer
		st := realMain(tc.args, &out, &errb)
		if st != tc.status || !strings.Contains(errb.String(), tc.stderr) {
			t.Errorf("preemptlab %v: status %d, stderr %q; want %d and %q", tc.args, st, errb.String(), tc.status, tc.stderr)
		}
	}
}

func TestRunBuiltin(t *testing.T) {
	var out, errb bytes.Buffer
	st := realMain([]string{"run", "hash", "--gops", "off", "--cpus", "1"}, &out, &errb)
	if st != 1 || !strings.HasPrefix(out.String(), "image hash\n") || !strings.HasSuffix(out.String(), "OK\n") {
		t.Errorf("run hash: status %d, output %q…, stderr %s", st, out.String()[:min(40, out.Len())], errb.String())
	}
}

func TestSplitImage(t *testing.T) {
	img, rest := splitImage([]string{"--cpus", "2", "a.elf", "--stats"})
	if img != "a.elf" || strings.Join(rest, " ") != "--cpus 2 --stats" {
		t.Errorf("splitImage = %q, %q", img, rest)
	}
}

// TestNoTestTreeDependency checks that the command is built from nothing
// under tests/: the shipped binary must not depend on the test tree (the
// built-in images it embeds live in boot/images).
func TestNoTestTreeDependency(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if pkg == "preemptlab/tests" || strings.HasPrefix(pkg, "preemptlab/tests/") {
			t.Errorf("preemptlab/cmd/preemptlab depends on %s, part of the test tree", pkg)
		}
	}
	if !strings.Contains(string(out), "preemptlab/boot/images\n") {
		t.Errorf("preemptlab/cmd/preemptlab does not embed the built-in images (preemptlab/boot/images):\n%s", out)
	}
}
