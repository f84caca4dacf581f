// This file implements Load: checking an image's placement in memory and
// copying it there.

package boot

import (
	"errors"
	"fmt"
	"strings"
)

// Window is a physical address range that RAM-loaded segments must not
// overlap (an MMIO window).
type Window struct {
	Base, Size uint64
	Name       string // for messages, e.g. "local APIC"
}

// Options configure Load.
type Options struct {
	// Cmdline is the multiboot command line, passed to the image as given
	// (the loader adds nothing to it). It may not contain a NUL byte.
	Cmdline string
	// Windows are the MMIO windows segments may not overlap. emu passes
	// the IO-APIC (0xFEC00000) and local APIC (0xFEE00000) windows, 4 KiB
	// each.
	Windows []Window
}

// Loaded says how to enter the image.
type Loaded struct {
	Entry    uint32    // entry point (EIP): e_entry, or entry_addr when loaded by the header's address fields
	InfoAddr uint32    // physical address of the multiboot info structure (EBX)
	Magic    uint32    // always BootMagic, 0x2BADB002 (EAX)
	Segments []Segment // what was loaded, in program header order, for reports
}

// Segment is one loaded PT_LOAD segment, or, for an image loaded by the
// multiboot header's address fields, the one range they describe
// ([load_addr, load_end_addr) from the file, zeroed up to bss_end_addr).
type Segment struct {
	Addr     uint32 // physical address
	FileSize uint32 // bytes copied from the file
	MemSize  uint32 // bytes occupied in memory; those past FileSize are zeroed
}

// Load validates image as a multiboot v1 image and loads it into ram
// (ram[0] is physical address 0), choosing how as QEMU's -kernel does:
//
//   - If the multiboot header sets flag bit 16, the image is loaded by the
//     header's address fields, whatever the file's format: a raw binary is
//     accepted, and an ELF file's own headers are not read (the fields
//     win). The bytes loaded at load_addr start header_addr - load_addr
//     bytes before the header in the file and run to load_end_addr, or to
//     the end of the file if load_end_addr is 0; memory after them up to
//     bss_end_addr, if not 0, is zeroed. Fields that contradict each other
//     or the file are refused, as QEMU refuses them. The entry point,
//     entry_addr, must lie in the loaded range (QEMU does not check it).
//   - Otherwise the image must be an ELF32 i386 executable. Its PT_LOAD
//     segments are loaded by physical address (p_paddr), so the entry
//     point (e_entry, run with paging off) must lie in an executable
//     segment's physical range.
//
// Either way what is loaded must lie in RAM, below 4 GiB and clear of the
// MMIO windows in opt. The multiboot information structure is written to
// free memory; see [Loaded.InfoAddr].
//
// Load checks everything before it writes: on error ram is unchanged. Every
// error starts with "boot: " and says what is wrong with the image. Load
// never panics.
func Load(image []byte, ram []byte, opt Options) (l *Loaded, err error) {
	defer func() {
		if r := recover(); r != nil {
			l, err = nil, fmt.Errorf("boot: internal error reading the image (please report it with the image): %v", r)
		}
	}()
	l, err = load(image, ram, opt)
	if err != nil {
		return nil, fmt.Errorf("boot: %w", err)
	}
	return l, nil
}

func load(image []byte, ram []byte, opt Options) (*Loaded, error) {
	img, err := readImage(image)
	if err != nil {
		return nil, err
	}
	if strings.IndexByte(opt.Cmdline, 0) >= 0 {
		return nil, fmt.Errorf("command line contains a NUL byte: %q", opt.Cmdline)
	}

	ramSize := uint64(len(ram))
	for _, s := range img.segments {
		if s.end() > 1<<32 {
			return nil, fmt.Errorf("%v runs past 4 GiB: physical addresses are 32-bit", s)
		}
		for _, w := range opt.Windows {
			if overlaps(s.paddr, s.end(), w.Base, windowEnd(w)) {
				return nil, fmt.Errorf("%v overlaps the %s MMIO window [%#x, %#x)", s, w.Name, w.Base, windowEnd(w))
			}
		}
		if s.end() > ramSize {
			return nil, fmt.Errorf("%v lies outside RAM (%s, addresses [0, %#x)): give the machine more memory with --mem, or link the image lower",
				s, formatSize(ramSize), ramSize)
		}
	}
	if err := checkOverlaps(img.segments); err != nil {
		return nil, err
	}
	if err := checkEntry(img); err != nil {
		return nil, err
	}
	info := newInfo(ramSize, opt.Cmdline)
	infoAddr, err := placeInfo(info.size(), img.segments, ramSize, opt.Windows)
	if err != nil {
		return nil, err
	}

	// Everything is checked: write.
	l := &Loaded{Entry: uint32(img.entry), InfoAddr: uint32(infoAddr), Magic: BootMagic}
	for _, s := range img.segments {
		dst := ram[s.paddr:s.end()]
		n := copy(dst, image[s.off:s.off+s.filesz])
		clear(dst[n:])
		l.Segments = append(l.Segments, Segment{Addr: uint32(s.paddr), FileSize: uint32(s.filesz), MemSize: uint32(s.memsz)})
	}
	info.write(ram, uint32(infoAddr))
	return l, nil
}

// readImage finds image's multiboot header and lays the image out: by the
// header's address fields if it sets flag bit 16, else by the ELF program
// headers.
func readImage(image []byte) (*layout, error) {
	h, herr := findMultibootHeader(image)
	if h.found && h.flags&flagAOutKludge != 0 {
		if herr != nil {
			return nil, herr
		}
		return readAddressImage(image, h)
	}
	img, err := readELF(image)
	if err != nil {
		if errors.Is(err, errNotELF) {
			// Say what a file that is not ELF lacks.
			why := herr
			if why == nil {
				why = fmt.Errorf("its multiboot header at file offset %#x leaves flag bit 16 (load by address fields) clear", h.offset)
			}
			return nil, fmt.Errorf("%w; nor is it an image loaded by the multiboot header's address fields: %v", err, why)
		}
		return nil, err
	}
	if herr != nil {
		return nil, herr
	}
	return img, nil
}

// checkEntry checks that the entry point lies in an executable segment, or,
// for an image loaded by the header's address fields, in the image.
func checkEntry(img *layout) error {
	if f := img.fields; f != nil {
		s := img.segments[0]
		if img.entry >= s.paddr && img.entry < s.end() {
			return nil
		}
		end := "the end of the loaded bytes"
		if f.bssEndAddr != 0 {
			end = "bss_end_addr"
		}
		return fmt.Errorf("entry_addr %#x in the multiboot header is not inside the image it loads, [%#x, %#x) (load_addr to %s); the image is entered there with paging off",
			img.entry, s.paddr, s.end(), end)
	}
	var execs []string
	for _, s := range img.segments {
		if !s.exec {
			continue
		}
		if img.entry >= s.paddr && img.entry < s.end() {
			return nil
		}
		execs = append(execs, s.String())
	}
	where := "there is no executable (PF_X) PT_LOAD segment"
	if len(execs) > 0 {
		where = "executable segments: " + strings.Join(execs, ", ")
	}
	return fmt.Errorf("entry point %#x is not inside any loaded executable segment (%s); segments are loaded at their physical addresses and entered with paging off",
		img.entry, where)
}

// overlaps reports whether [a, aEnd) and [b, bEnd) share an address.
// An empty range overlaps nothing.
func overlaps(a, aEnd, b, bEnd uint64) bool {
	return a < aEnd && b < bEnd && a < bEnd && b < aEnd
}

// windowEnd returns the end of w, saturating rather than wrapping.
func windowEnd(w Window) uint64 {
	if end := w.Base + w.Size; end >= w.Base {
		return end
	}
	return 1<<64 - 1
}

// formatSize formats a byte count for messages: "64 MiB", "1536 KiB", "1000 bytes".
func formatSize(n uint64) string {
	switch {
	case n > 0 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n > 0 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
