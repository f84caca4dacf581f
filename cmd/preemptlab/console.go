package main

// This file implements the console writer: the guest's COM1 bytes reach
// stdout a line at a time.

import (
	"bufio"
	"bytes"
	"io"
	"sync"
	"time"
)

// partialLineDelay is how long the start of a line may wait in the
// buffer for its newline before it is written anyway (a prompt, a line
// of dots that a long computation follows).
const partialLineDelay = 100 * time.Millisecond

// lineWriter buffers what the guest writes to its console, a byte at a
// time, and passes it on at each newline, when the buffer is full, when
// the start of a line has waited partialLineDelay, and at Flush. A line is
// thus never held back, yet the host sees one write per line instead of
// one per byte. It is safe for the run loop and its timer to use at once.
type lineWriter struct {
	mu    sync.Mutex
	w     *bufio.Writer
	timer *time.Timer // flushes a partial line; nil when none is waiting
	err   error       // the first error of a timed flush
}

func newLineWriter(w io.Writer) *lineWriter {
	return &lineWriter{w: bufio.NewWriter(w)}
}

// Write buffers p and writes out what is buffered if p ends a line.
func (l *lineWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err != nil {
		return 0, l.err
	}
	n, err := l.w.Write(p)
	if err != nil {
		return n, err
	}
	if bytes.IndexByte(p, '\n') >= 0 {
		return n, l.w.Flush()
	}
	if l.w.Buffered() > 0 && l.timer == nil {
		l.timer = time.AfterFunc(partialLineDelay, l.timedFlush)
	}
	return n, nil
}

func (l *lineWriter) timedFlush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.timer = nil
	if err := l.w.Flush(); err != nil && l.err == nil {
		l.err = err
	}
}

// Flush writes out everything buffered, and returns the first error any
// write to the underlying writer met.
func (l *lineWriter) Flush() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.timer != nil {
		l.timer.Stop()
		l.timer = nil
	}
	if err := l.w.Flush(); err != nil {
		return err
	}
	return l.err
}
