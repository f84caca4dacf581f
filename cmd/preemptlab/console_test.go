package main

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// recorder is an io.Writer that keeps each Write apart, for several
// goroutines.
type recorder struct {
	mu     sync.Mutex
	writes []string
	err    error
}

func (r *recorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return 0, r.err
	}
	r.writes = append(r.writes, string(p))
	return len(p), nil
}

func (r *recorder) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.writes...)
}

// TestLineWriter checks that console bytes written one at a time reach
// the output a whole line per write, that a line is not held back for the
// next one, that a partial line is written after partialLineDelay, and
// that Flush writes what is left.
func TestLineWriter(t *testing.T) {
	var r recorder
	l := newLineWriter(&r)
	for _, b := range []byte("one\ntwo\n") {
		if _, err := l.Write([]byte{b}); err != nil {
			t.Fatal(err)
		}
	}
	if got := r.got(); strings.Join(got, "|") != "one\n|two\n" {
		t.Errorf("after two lines written byte by byte, the output got %q; want each line in one write", got)
	}

	l.Write([]byte("prompt> "))
	deadline := time.Now().Add(10 * time.Second)
	for len(r.got()) < 3 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := r.got(); len(got) != 3 || got[2] != "prompt> " {
		t.Errorf("a partial line was not written after %v: the output got %q", partialLineDelay, got)
	}

	l.Write([]byte("end"))
	if err := l.Flush(); err != nil {
		t.Fatal(err)
	}
	if got := r.got(); got[len(got)-1] != "end" {
		t.Errorf("Flush did not write the last partial line: the output got %q", got)
	}

	r.mu.Lock()
	r.err = errors.New("broken pipe")
	r.mu.Unlock()
	if _, err := l.Write([]byte("x\n")); err == nil {
		t.Error("a write to a broken output returned no error")
	}
}
