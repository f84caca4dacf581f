// Package emu is the machine: RAM, the port and MMIO buses, the devices,
// the processors, the event queue and global time, and the run loop that
// interleaves the processors deterministically.
//
// # Time
//
// There is one time base, in CPU cycles at Config.MHz. Every processor has
// its own position in it (cpu.CPU.Cycles); global time is the position of
// the processor furthest behind. The run loop always runs that processor
// (ties: the lowest id), for at most Quantum cycles and never past the
// next device event, so device events fire exactly at their cycle, in
// global-time order, and no processor ever runs more than one quantum
// ahead of another. Plain guest memory shared between processors is
// therefore ordered to within one quantum (1 µs at 1000 MHz by default).
// Interrupts are exact: before a processor takes one, every processor
// behind it in time first runs up to its time, and an IPI, INIT or SIPI
// takes effect at the cycle the sender wrote the ICR. When every processor
// is halted, time jumps to the next event.
//
// # A hosted kernel
//
// Host installs a Kernel (kernel.go): it takes every processor's traps and
// interrupts, and every stop of a processor, so a task's fault can end the
// task rather than the run. Kernel entries are in global-time order like
// interrupts: a processor about to enter stops (cpu.StopSync), the others
// run exactly up to its cycle, and it enters before they go on. A
// processor the kernel made busy passes time like one executing (it takes
// each interrupt at its cycle); one it made wait passes time like a halted
// one, until the kernel resumes it or an interrupt comes. When no
// processor can ever run again, the kernel says why (Kernel.Stuck).
//
// Nothing here reads the host clock: the same image, flags and seed give
// the same bytes and the same cycle counts on every run.
package emu
