package cpu

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// missingTool is called when a test needs a tool that is not there (GNU
// as and ld assemble the test code). On a developer's machine the test is
// skipped; under CI (the environment variable CI set and not empty, as
// .ci/run sets it) it fails, naming the tool and the package that provides
// it, so that CI can never pass having silently run less of the suite.
func missingTool(t testing.TB, tool, pkg string, err error) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is not available (%v): install %s; CI is set, so a missing tool fails the test instead of skipping it", tool, err, pkg)
	}
	t.Skipf("%s is not available (%v): install %s to run this test", tool, err, pkg)
}

// TestMissingToolUnderCI runs a test that assembles its code in a child
// process whose PATH has no GNU as: with CI set it must fail and name the
// package to install, and without CI it must skip.
func TestMissingToolUnderCI(t *testing.T) {
	for _, ci := range []string{"1", ""} {
		cmd := exec.Command(os.Args[0], "-test.run", "^TestCodeWrittenByAnotherCPU$", "-test.v")
		cmd.Env = append(os.Environ(), "CI="+ci, "PATH="+t.TempDir())
		out, err := cmd.CombinedOutput()
		if ci != "" {
			if err == nil || !strings.Contains(string(out), "install binutils") {
				t.Errorf("with CI=%s and no GNU as: %v, want a failure naming binutils:\n%s", ci, err, out)
			}
		} else if err != nil || !strings.Contains(string(out), "--- SKIP") {
			t.Errorf("without CI and with no GNU as: %v, want a skip:\n%s", err, out)
		}
	}
}
