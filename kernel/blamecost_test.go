package kernel

import (
	"os"
	"strconv"
	"testing"
)

// TestBlameCostRun is the run that tests/blame-cost.sh counts the
// instructions of, under valgrind, with the blame off and on: the default
// workload for PREEMPTLAB_BLAMECOST_MS (default 1000) simulated ms under
// PREEMPTLAB_BLAMECOST_MODEL (default preempt). It runs only when
// PREEMPTLAB_BLAMECOST is "on" or "off".
func TestBlameCostRun(t *testing.T) {
	mode := os.Getenv("PREEMPTLAB_BLAMECOST")
	if mode != "on" && mode != "off" {
		t.Skip("tests/blame-cost.sh runs it")
	}
	preset := os.Getenv("PREEMPTLAB_BLAMECOST_MODEL")
	if preset == "" {
		preset = "preempt"
	}
	ms, err := strconv.Atoi(os.Getenv("PREEMPTLAB_BLAMECOST_MS"))
	if err != nil || ms <= 0 {
		ms = 1000
	}
	m, err := LookupPreset(preset)
	if err != nil {
		t.Fatal(err)
	}
	r := runMeasuredBlame(t, cyclictestImage, m, "", uint64(ms), mode == "on", false, [2]float64{11, 3000}, [2]float64{14, 50})
	if len(r.samples) < ms {
		t.Fatalf("%d samples in %d ms", len(r.samples), ms)
	}
}
