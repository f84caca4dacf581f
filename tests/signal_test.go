//go:build unix

package tests

import (
	"errors"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSignalEndsRun checks that SIGINT and SIGTERM end a run that would
// never end through its normal end: the console output so far is on
// stdout, the report says which signal at which cycle, --stats is
// printed, and the status is 128+signal, as a shell expects.
func TestSignalEndsRun(t *testing.T) {
	for _, tc := range []struct {
		sig    syscall.Signal
		name   string
		status int
	}{
		{syscall.SIGINT, "SIGINT", 130},
		{syscall.SIGTERM, "SIGTERM", 143},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd, stdout, stderr := startEndless(t, "--stats")
			if err := cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			var err error
			select {
			case err = <-done:
			case <-time.After(20 * time.Second):
				cmd.Process.Kill()
				<-done
				t.Fatalf("no exit within 20 s of %s\nstderr:\n%s", tc.name, stderr.String())
			}
			status := 0
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				status = exit.ExitCode() // -1 if the signal killed it
			} else if err != nil {
				t.Fatal(err)
			}
			if status != tc.status {
				t.Errorf("after %s: status %d, want %d\nstderr:\n%s", tc.name, status, tc.status, stderr.String())
			}
			if stdout.String() != endlessConsole {
				t.Errorf("after %s: stdout %q, want %q", tc.name, stdout.String(), endlessConsole)
			}
			for _, want := range []string{"preemptlab: interrupted by " + tc.name + " at cycle ", "\ncpu0: ", "\ntotal: "} {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("after %s: stderr lacks %q:\n%s", tc.name, want, stderr.String())
				}
			}
		})
	}
}
