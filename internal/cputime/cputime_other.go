//go:build !unix

package cputime

// Seconds is not measured here: it returns 0, and benchmarks report
// wall-time figures only.
func Seconds() float64 { return 0 }
