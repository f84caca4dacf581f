// Package boot loads a multiboot v1 image into the emulated PC's memory, as
// QEMU's -kernel option or a multiboot boot loader would.
//
// An image is an ELF32 i386 executable (ET_EXEC) carrying a multiboot v1
// header in its first 8 KiB. [Load] checks the image, refusing anything it
// cannot run with an error that says exactly what is wrong; copies every
// PT_LOAD segment to its physical address (p_paddr) and zeroes its BSS;
// builds the multiboot information structure (memory sizes, memory map,
// command line, boot loader name) in free low memory; and returns the entry
// point and the register values the image expects (EAX = 0x2BADB002,
// EBX = address of the information structure). Setting the processor up
// is the caller's business (package emu).
//
// Load never panics, whatever bytes it is given; it is fuzzed (FuzzLoad)
// to keep it so.
//
// The subdirectory sdk holds what a user needs to write an image in C.
package boot
