//go:build unix

package cputime

import "syscall"

// Seconds returns the CPU time (user and system) the process has used so
// far, in seconds.
func Seconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
