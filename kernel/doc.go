// Package kernel is the Go-hosted kernel: the entry paths, tasks and the
// scheduler, interrupt threads, softirqs, timers, system calls, the
// preemption model and the cost model. It runs beside the emulated
// processors (package emu hosts it), takes every trap and interrupt of
// an image that calls start_kernel, and runs the image's C code — task
// bodies, interrupt handlers, softirq actions, registered system calls —
// on the emulated processors, under the preemption design chosen at boot.
package kernel
