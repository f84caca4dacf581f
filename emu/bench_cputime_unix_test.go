//go:build unix

package emu

import "syscall"

// cpuSeconds returns the CPU time (user and system) the process has used,
// so that benchmarks can report emulated MIPS per CPU second: on a shared
// host, wall time also counts the time other processes had the core.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
