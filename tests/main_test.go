// Package tests holds the end-to-end tests: whole programs built with gcc
// run under "preemptlab run" and compared with QEMU, SMP images, and the
// command's answers to bad input.
package tests

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	// The tests run the command as a separate binary, which the go test
	// cache does not see; importing the packages it is built from makes
	// a change in any of them invalidate cached results.
	_ "preemptlab/boot/images"
	_ "preemptlab/emu"
)

// preemptlabBin is the preemptlab command built from this tree by TestMain.
var preemptlabBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "preemptlab-tests-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	preemptlabBin = filepath.Join(dir, "preemptlab")
	cmd := exec.Command("go", "build", "-o", preemptlabBin, "preemptlab/cmd/preemptlab")
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build preemptlab/cmd/preemptlab: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(2)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
