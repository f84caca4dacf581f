// Package boot loads a multiboot v1 image into the emulated PC's memory, as
// QEMU's -kernel option or a multiboot boot loader would.
//
// An image carries a multiboot v1 header in its first 8 KiB. [Load] checks
// the image, refusing anything it cannot run with an error that says
// exactly what is wrong, and loads it as QEMU's -kernel does:
//
//   - if the header sets flag bit 16 (the "a.out kludge"), by the header's
//     address fields: the bytes from load_addr to load_end_addr (or the end
//     of the file) are copied from the file, the header landing at
//     header_addr, memory up to bss_end_addr is zeroed, and the image is
//     entered at entry_addr. The file may be any format, a raw binary
//     included; an ELF file's own headers are then ignored;
//   - otherwise the image must be an ELF32 i386 executable (ET_EXEC):
//     every PT_LOAD segment is copied to its physical address (p_paddr)
//     and its BSS zeroed, and the image is entered at e_entry.
//
// Load then builds the multiboot information structure (memory sizes,
// memory map, command line, boot loader name) in free low memory and
// returns the entry point and the register values the image expects
// (EAX = 0x2BADB002, EBX = address of the information structure). Setting
// the processor up is the caller's business (package emu).
//
// Load never panics, whatever bytes it is given; it is fuzzed (FuzzLoad)
// to keep it so.
//
// The subdirectory sdk holds what a user needs to write an image in C;
// images holds the built-in images, embedded in the command.
package boot
