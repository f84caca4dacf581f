//go:build !unix

package emu

// cpuSeconds is not measured here: benchmarks report wall-time MIPS only.
func cpuSeconds() float64 { return 0 }
