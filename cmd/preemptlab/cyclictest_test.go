package main

import (
	"bytes"
	"strings"
	"testing"

	"preemptlab/kernel"
)

// TestCyclictestLineLayout prints the statistics of real cyclictest 2.40
// runs and compares the bytes with what cyclictest printed for them.
func TestCyclictestLineLayout(t *testing.T) {
	m := &measurement{threads: []*threadStats{
		{task: &kernel.Task{PID: 21092}, intervalUS: 1000, cycles: 49, min: 17, act: 108, sum: 24*49 + 5, max: 108},
		{task: &kernel.Task{PID: 21093}, intervalUS: 1500, cycles: 33, min: 16, act: 19, sum: 26 * 33, max: 59},
	}}
	var b bytes.Buffer
	m.printThreadLines(&b)
	// cyclictest -t2 -q -b60 -p80 -i1000 (its P: is 80; ours prints the
	// task's rt_priority, 0 for these tasks made without one).
	want := "T: 0 (21092) P: 0 I:1000 C:     49 Min:     17 Act:  108 Avg:   24 Max:     108\n" +
		"T: 1 (21093) P: 0 I:1500 C:     33 Min:     16 Act:   19 Avg:   26 Max:      59\n"
	if b.String() != want {
		t.Errorf("got\n%swant\n%s", b.String(), want)
	}
}

// TestCyclictestHistogramLayout checks the -h layout against cyclictest's
// own (cyclictest -t1 -l200 -i1000 -q -p0 -h 100, shortened to 3 buckets).
func TestCyclictestHistogramLayout(t *testing.T) {
	m := &measurement{histUS: 3, threads: []*threadStats{
		{task: &kernel.Task{PID: 1}, cycles: 200, min: 15, sum: 27*200 + 50, max: 427,
			hist: []uint64{0, 0, 198}, overflows: 2, overflowAt: []uint64{78, 178}},
	}}
	var b bytes.Buffer
	m.printHistogram(&b)
	want := strings.Join([]string{
		"# Histogram",
		"000000 000000",
		"000001 000000",
		"000002 000198",
		"# Total: 000000198",
		"# Min Latencies: 00015",
		"# Avg Latencies: 00027",
		"# Max Latencies: 00427",
		"# Histogram Overflows: 00002",
		"# Histogram Overflow at cycle number:",
		"# Thread 0: 00078 00178",
		"", ""}, "\n")
	if b.String() != want {
		t.Errorf("got\n%q\nwant\n%q", b.String(), want)
	}
}
