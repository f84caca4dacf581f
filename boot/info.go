// This file implements the multiboot information structure: what it holds,
// where it goes and how it is written.

package boot

import (
	"encoding/binary"
	"fmt"
)

// Multiboot information structure (Multiboot Specification 0.6.96, section
// 3.3): field offsets and flag bits.
const (
	infoFlags          = 0
	infoMemLower       = 4
	infoMemUpper       = 8
	infoCmdline        = 16
	infoModsCount      = 20
	infoMmapLength     = 44
	infoMmapAddr       = 48
	infoBootLoaderName = 64

	// infoStructSize is what Load reserves for the structure (zeroed): the
	// 116 bytes of the full v1 structure, framebuffer fields included,
	// rounded up.
	infoStructSize = 128

	infoFlagMem            = 1 << 0 // mem_lower, mem_upper
	infoFlagCmdline        = 1 << 2 // cmdline
	infoFlagMmap           = 1 << 6 // mmap_length, mmap_addr
	infoFlagBootLoaderName = 1 << 9 // boot_loader_name

	// mmapEntrySize is the size of one memory map entry including its
	// leading size field; the size field itself holds mmapEntrySize-4.
	mmapEntrySize  = 24
	mmapAvailable  = 1
	bootLoaderName = "preemptlab"
)

// PC memory layout.
const (
	lowMemoryTop = 0x9FC00  // end of conventional memory; the EBDA follows
	highMemory   = 0x100000 // 1 MiB: extended memory starts here

	// Load puts the information structure in the first free 4 KiB page at
	// or above infoLowest whose whole extent lies below infoLowLimit, or
	// failing that just above the highest segment.
	infoLowest   = 0x1000
	infoLowLimit = 0x9F000
	pageSize     = 0x1000
)

// mmapEntry is one memory map entry.
type mmapEntry struct{ base, length uint64 }

// info is the multiboot information Load passes to the image, laid out as:
// the structure, the memory map, the boot loader name, the command line.
type info struct {
	memLower, memUpper uint32 // KiB
	mmap               []mmapEntry
	cmdline            string
}

// newInfo describes a PC with ramSize bytes of RAM from address 0.
func newInfo(ramSize uint64, cmdline string) *info {
	in := &info{cmdline: cmdline}
	if ramSize >= highMemory {
		in.memLower = 640
		in.memUpper = uint32(min((ramSize-highMemory)/1024, 0xFFFFFFFF))
	} else {
		in.memLower = uint32(min(ramSize/1024, 640))
	}
	if low := min(ramSize, lowMemoryTop); low > 0 {
		in.mmap = append(in.mmap, mmapEntry{0, low})
	}
	if ramSize > highMemory {
		in.mmap = append(in.mmap, mmapEntry{highMemory, ramSize - highMemory})
	}
	return in
}

// Offsets of the parts from the start of the structure.
func (in *info) mmapOffset() uint64    { return infoStructSize }
func (in *info) nameOffset() uint64    { return in.mmapOffset() + uint64(len(in.mmap))*mmapEntrySize }
func (in *info) cmdlineOffset() uint64 { return in.nameOffset() + uint64(len(bootLoaderName)) + 1 }

// size is the number of bytes the information takes in memory.
func (in *info) size() uint64 { return in.cmdlineOffset() + uint64(len(in.cmdline)) + 1 }

// write writes the information to ram at addr.
//
// Preconditions: [addr, addr+in.size()) lies in ram and below 4 GiB.
func (in *info) write(ram []byte, addr uint32) {
	b := ram[addr : uint64(addr)+in.size()]
	clear(b)
	le := binary.LittleEndian
	le.PutUint32(b[infoFlags:], infoFlagMem|infoFlagCmdline|infoFlagMmap|infoFlagBootLoaderName)
	le.PutUint32(b[infoMemLower:], in.memLower)
	le.PutUint32(b[infoMemUpper:], in.memUpper)
	le.PutUint32(b[infoCmdline:], addr+uint32(in.cmdlineOffset()))
	le.PutUint32(b[infoModsCount:], 0) // no modules; flag bit 3 stays clear
	le.PutUint32(b[infoMmapLength:], uint32(len(in.mmap)*mmapEntrySize))
	le.PutUint32(b[infoMmapAddr:], addr+uint32(in.mmapOffset()))
	le.PutUint32(b[infoBootLoaderName:], addr+uint32(in.nameOffset()))
	for i, e := range in.mmap {
		m := b[in.mmapOffset()+uint64(i)*mmapEntrySize:]
		le.PutUint32(m[0:], mmapEntrySize-4)
		le.PutUint64(m[4:], e.base)
		le.PutUint64(m[12:], e.length)
		le.PutUint32(m[20:], mmapAvailable)
	}
	copy(b[in.nameOffset():], bootLoaderName) // NUL from clear
	copy(b[in.cmdlineOffset():], in.cmdline)  // NUL from clear
}

// placeInfo chooses where the information structure (size bytes) goes: the
// first 4 KiB-aligned address at or above 0x1000 where it overlaps no
// segment and ends below 0x9F000, else the first 4 KiB boundary above the
// highest segment.
func placeInfo(size uint64, segs []loadSegment, ramSize uint64, windows []Window) (uint64, error) {
	free := func(base uint64) bool {
		end := base + size
		if end > ramSize || end > 1<<32 {
			return false
		}
		for _, s := range segs {
			if overlaps(base, end, s.paddr, s.end()) {
				return false
			}
		}
		for _, w := range windows {
			if overlaps(base, end, w.Base, windowEnd(w)) {
				return false
			}
		}
		return true
	}
	for base := uint64(infoLowest); base+size <= infoLowLimit; base += pageSize {
		if free(base) {
			return base, nil
		}
	}
	var top uint64
	for _, s := range segs {
		top = max(top, s.end())
	}
	if base := (top + pageSize - 1) &^ (pageSize - 1); free(base) {
		return base, nil
	}
	return 0, fmt.Errorf("no room for the multiboot information (%d bytes, command line included) in RAM (%s): it fits neither in low memory [%#x, %#x) beside the image nor in RAM above the image; give the machine more memory with --mem",
		size, formatSize(ramSize), infoLowest, infoLowLimit)
}
