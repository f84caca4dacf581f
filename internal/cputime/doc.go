// Package cputime reads the CPU time the process has used, for
// benchmarks that report figures per CPU second: on a shared host, wall
// time also counts the time other processes had the cores.
package cputime
