package kernel

import (
	"testing"
	"time"

	"preemptlab/internal/cputime"
)

// BenchmarkWorkload runs the default workload (the built-in cyclictest
// image and its traffic devices, two CPUs) for two simulated seconds per
// iteration under preempt and under rt and reports simulated seconds per
// host second and per CPU second of the process: with latency recording
// alone (blame=off) and with every
// sample blamed (blame=on), the difference being the cost of the blame.
func BenchmarkWorkload(b *testing.B) {
	for _, run := range []struct {
		model string
		blame bool
	}{{"preempt", false}, {"preempt", true}, {"rt", false}, {"rt", true}} {
		name := run.model + "/blame=off"
		blame := run.blame
		if blame {
			name = run.model + "/blame=on"
		}
		b.Run(name, func(b *testing.B) {
			m, _ := LookupPreset(run.model)
			const ms = 2000
			var host time.Duration
			var cpu float64
			for i := 0; i < b.N; i++ {
				start, cpu0 := time.Now(), cputime.Seconds()
				r := runMeasuredBlame(b, cyclictestImage, m, "", ms, blame, false, [2]float64{11, 3000}, [2]float64{14, 50})
				host += time.Since(start)
				cpu += cputime.Seconds() - cpu0
				if len(r.samples) < ms {
					b.Fatalf("%d samples", len(r.samples))
				}
			}
			b.ReportMetric(float64(ms)/1000*float64(b.N)/host.Seconds(), "sim-s/s")
			if cpu > 0 {
				b.ReportMetric(float64(ms)/1000*float64(b.N)/cpu, "cpu-sim-s/s")
			}
		})
	}
}
