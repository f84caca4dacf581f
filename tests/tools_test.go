package tests

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// inCI reports whether the tests run under continuous integration: the
// environment variable CI is set and not empty, as .ci/run and most CI
// services set it.
func inCI() bool { return os.Getenv("CI") != "" }

// missingTool is called when a test needs a tool that is not there. On a
// developer's machine the test is skipped, so that the rest of the suite
// still runs without QEMU or gcc-multilib; under CI it fails, naming the
// tool and the package that provides it, so that CI can never pass having
// silently checked less.
func missingTool(t testing.TB, tool, pkg string, err error) {
	t.Helper()
	if inCI() {
		t.Fatalf("%s is not available (%v): install %s; CI is set, so a missing tool fails the test instead of skipping it", tool, err, pkg)
	}
	t.Skipf("%s is not available (%v): install %s to run this test", tool, err, pkg)
}

// TestMissingToolUnderCI runs TestImages again in a child process with
// QEMU naming a program that does not exist: with CI set it must fail and
// name the package to install, and without CI it must pass on the
// committed references.
func TestMissingToolUnderCI(t *testing.T) {
	for _, ci := range []string{"1", ""} {
		cmd := exec.Command(os.Args[0], "-test.run", "^TestImages$/^hash$", "-test.v")
		cmd.Env = append(os.Environ(), "CI="+ci, "QEMU=/nonexistent/qemu-system-i386")
		out, err := cmd.CombinedOutput()
		if ci != "" {
			if err == nil || !strings.Contains(string(out), "install qemu-system-x86") {
				t.Errorf("with CI=%s and no QEMU, TestImages: %v, want a failure naming qemu-system-x86:\n%s", ci, err, out)
			}
		} else if err != nil || !strings.Contains(string(out), "committed QEMU references only") {
			t.Errorf("without CI and with no QEMU, TestImages: %v, want a pass on the committed references:\n%s", err, out)
		}
	}
}
