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
// Nothing here reads the host clock: the same image, flags and seed give
// the same bytes and the same cycle counts on every run.
package emu
