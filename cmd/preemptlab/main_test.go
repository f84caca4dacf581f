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
		{[]string{"run", "--loops", "-1"}, 2, "--loops -1"},
		{[]string{"run", "--bogus", "x.elf"}, 2, "flag provided but not defined"},
		{[]string{"run", "hash", "extra", "--stats"}, 2, `"extra" is one argument too many`},
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

// TestUsageErrorOnce checks that a command-line mistake is reported once,
// with a one-line hint and status 2: no second copy of the error, no
// page of usage.
func TestUsageErrorOnce(t *testing.T) {
	for _, tc := range []struct {
		args      []string
		err, hint string
	}{
		{[]string{"run", "--bogus", "hash"}, "preemptlab: run: flag provided but not defined: -bogus", "run 'preemptlab run --help' for the flags"},
		{[]string{"run", "hash", "--cpus=x"}, `preemptlab: run: invalid value "x" for flag -cpus`, "run 'preemptlab run --help' for the flags"},
		{[]string{"run", "--histogram", "-5"}, "preemptlab: --histogram -5: 1 to 1000000 buckets", "run 'preemptlab run --help' for the flags"},
		{[]string{"frobnicate"}, `preemptlab: unknown command "frobnicate"`, "run 'preemptlab help' for the commands"},
		{[]string{"images", "extra"}, `preemptlab: images takes no arguments, not "extra"`, "run 'preemptlab images --help' for its usage"},
	} {
		var out, errb bytes.Buffer
		st := realMain(tc.args, &out, &errb)
		lines := strings.Split(strings.TrimSuffix(errb.String(), "\n"), "\n")
		if st != 2 || len(lines) != 2 || !strings.HasPrefix(lines[0], tc.err) || lines[1] != tc.hint || out.Len() != 0 {
			t.Errorf("preemptlab %v: status %d, stdout %q, stderr:\n%s\nwant status 2, nothing on stdout, and on stderr only\n%s...\n%s",
				tc.args, st, out.String(), errb.String(), tc.err, tc.hint)
		}
	}
}

// TestHelp checks that --help and -h print a command's usage to stdout and
// exit 0, for every command, as "help COMMAND" does.
func TestHelp(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string // the first line of stdout
	}{
		{[]string{"run", "--help"}, "usage: preemptlab run [IMAGE.elf|NAME] [flags]"},
		{[]string{"run", "-h"}, "usage: preemptlab run [IMAGE.elf|NAME] [flags]"},
		{[]string{"run", "hash", "--stats", "-help"}, "usage: preemptlab run [IMAGE.elf|NAME] [flags]"},
		{[]string{"help", "run"}, "usage: preemptlab run [IMAGE.elf|NAME] [flags]"},
		{[]string{"images", "--help"}, "usage: preemptlab images"},
		{[]string{"version", "-h"}, "usage: preemptlab version"},
		{[]string{"help", "--help"}, "usage: preemptlab help [COMMAND]"},
		{[]string{"help"}, "usage:"},
		{[]string{"--help"}, "usage:"},
		{[]string{"-h"}, "usage:"},
	} {
		var out, errb bytes.Buffer
		st := realMain(tc.args, &out, &errb)
		first, _, _ := strings.Cut(out.String(), "\n")
		if st != 0 || first != tc.want || errb.Len() != 0 {
			t.Errorf("preemptlab %v: status %d, stdout starting %q, stderr %q; want status 0, %q, nothing on stderr",
				tc.args, st, first, errb.String(), tc.want)
		}
	}
	var out bytes.Buffer
	realMain([]string{"run", "--help"}, &out, &out)
	for _, flag := range []string{"--cpus N", "--mem MiB", "--max-cycles N", "--stats", "--traffic SPEC", "--gops ADDR"} {
		if !strings.Contains(out.String(), "\n  "+flag+"\n") {
			t.Errorf("preemptlab run --help does not list %s:\n%s", flag, out.String())
		}
	}
}

// TestRunArguments checks that flags work wherever they are, before or
// after the image, and that a second word that is not a flag is refused
// instead of being dropped together with every flag after it.
func TestRunArguments(t *testing.T) {
	for _, args := range [][]string{
		{"run", "hash", "--cpus", "1", "--stats", "--gops", "off"},
		{"run", "--stats", "hash", "--gops=off", "--cpus=1"},
		{"run", "--cpus", "1", "--gops", "off", "--stats", "hash"},
		{"run", "--cpus", "1", "--gops", "off", "--stats", "--", "hash"},
		{"run", "--cmdline", "--", "hash", "--cpus", "1", "--stats", "--gops", "off"}, // "--" as --cmdline's value
	} {
		var out, errb bytes.Buffer
		st := realMain(args, &out, &errb)
		if st != 1 || !strings.HasSuffix(out.String(), "OK\n") ||
			!strings.Contains(errb.String(), "cpu0: ") || strings.Contains(errb.String(), "cpu1:") {
			t.Errorf("preemptlab %v: status %d, stderr:\n%s\nwant status 1, one processor's --stats", args, st, errb.String())
		}
	}
	for _, args := range [][]string{
		{"run", "hash", "extra", "--stats"},
		{"run", "hash", "--stats", "extra"},
		{"run", "--", "hash", "--stats"},
	} {
		var out, errb bytes.Buffer
		st := realMain(args, &out, &errb)
		if st != 2 || !strings.Contains(errb.String(), "one argument too many") || out.Len() != 0 {
			t.Errorf("preemptlab %v: status %d, stdout %d bytes, stderr %q; want status 2 and the extra argument refused",
				args, st, out.Len(), errb.String())
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
