package tests

// This file tests a run while it is still going: its console output
// arrives as the guest writes it (and signal_test.go: a signal ends it
// with its report).

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// endlessConsole is what the endless image writes to COM1 before it spins
// for ever: a whole line, then the start of one.
const endlessConsole = "hi\nno newline yet"

// endlessImage writes an image that prints endlessConsole and then spins
// for ever, and returns its path.
func endlessImage(t *testing.T) string {
	code := []byte{0x66, 0xBA, 0xF8, 0x03} // mov dx, 0x3F8 (COM1)
	for _, c := range []byte(endlessConsole) {
		code = append(code, 0xB0, c, 0xEE) // mov al, c; out dx, al
	}
	code = append(code, 0xEB, 0xFE) // 1: jmp 1b
	p := filepath.Join(t.TempDir(), "endless.elf")
	if err := os.WriteFile(p, bareImage(0x100000, code), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// syncBuffer is a bytes.Buffer for a writer goroutine and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startEndless starts "preemptlab run" on the endless image with no cycle
// budget and waits until its console output has arrived on stdout while
// it runs; it fails the test if the output does not come.
func startEndless(t *testing.T, flags ...string) (cmd *exec.Cmd, stdout, stderr *syncBuffer) {
	t.Helper()
	args := append([]string{"run", endlessImage(t), "--max-cycles", "0", "--gops", "off"}, flags...)
	cmd = exec.Command(preemptlabBin, args...)
	stdout, stderr = &syncBuffer{}, &syncBuffer{}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for stdout.String() != endlessConsole {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("preemptlab %s: after 20 s of running, stdout is %q, want %q (held back in a buffer?)\nstderr:\n%s",
				strings.Join(args, " "), stdout.String(), endlessConsole, stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return cmd, stdout, stderr
}

// TestConsoleAsItComes checks that the console's bytes reach stdout while
// the run goes on, a whole line and the start of the next, instead of
// waiting in a buffer for the end of the run.
func TestConsoleAsItComes(t *testing.T) {
	cmd, _, _ := startEndless(t)
	cmd.Process.Kill()
	var exit *exec.ExitError
	if err := cmd.Wait(); err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
}
