package tests

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"testing"
)

// runKernelImage runs tests/kernel/NAME.elf with args and returns its
// console output, stderr and exit status.
func runKernelImage(t *testing.T, name string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(preemptlabBin, append([]string{"run", filepath.Join("kernel", name+".elf"), "--gops", "off"}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	status := 0
	if x, ok := err.(*exec.ExitError); ok {
		status = x.ExitCode()
	} else if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return stdout.String(), stderr.String(), status
}

// TestNestedCalls checks that calls nesting on one task — a registered
// system call whose code sleeps, spins and calls the kernel — return to
// their callers with their values, from kernel and from user mode, in
// every model.
func TestNestedCalls(t *testing.T) {
	want := "kernel thread: compute(6, 7) = 42\nuser task: compute(5, 9) = 45\n"
	for _, model := range []string{"none", "voluntary", "preempt"} {
		out, stderr, status := runKernelImage(t, "nested", "--cpus", "1", "--model", model)
		if out != want || status != 0 || stderr != "" {
			t.Errorf("under %s: status %d, console %q, stderr %q; want status 0 and %q", model, status, out, stderr, want)
		}
	}
}
