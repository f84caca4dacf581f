// This file implements loading an image by the multiboot header's address
// fields (flag bit 16, the "a.out kludge").

package boot

import (
	"encoding/binary"
	"fmt"
)

// addressHeaderSize is the size of a multiboot header that carries the
// address fields: magic, flags, checksum, then header_addr, load_addr,
// load_end_addr, bss_end_addr and entry_addr (Multiboot Specification
// 0.6.96, section 3.1.1).
const addressHeaderSize = 32

// addressFields are a multiboot header's address fields, all physical
// addresses.
type addressFields struct {
	headerAddr  uint32 // where the header's magic is loaded
	loadAddr    uint32 // where the loaded bytes start
	loadEndAddr uint32 // where they end; 0: they run to the end of the file
	bssEndAddr  uint32 // where the zeroed area after them ends; 0: no BSS
	entryAddr   uint32 // the entry point
}

// readAddressImage lays out image by the address fields of its multiboot
// header h, whose flag bit 16 is set, following QEMU's hw/i386/multiboot.c
// (load_multiboot) rule for rule:
//
//   - The header's magic is loaded at header_addr, so the loaded bytes
//     start in the file header_addr - load_addr bytes before the header:
//     at file offset h.offset - (header_addr - load_addr). load_addr above
//     header_addr, or a start before the beginning of the file, is an
//     error (QEMU: "invalid load_addr address", "invalid header_addr
//     address").
//   - The loaded bytes run to load_end_addr, or to the end of the file
//     when load_end_addr is 0. load_end_addr below load_addr is an error
//     ("invalid load_end_addr address"), as is one past the end of the
//     file (QEMU's fread fails), and bytes that run past 4 GiB ("kernel
//     does not fit in address space").
//   - bss_end_addr, when not 0, ends a zeroed area after the loaded bytes;
//     one below their end is an error ("invalid bss_end_addr address").
//   - Execution starts at entry_addr. QEMU does not check it; Load requires
//     it to lie in the image, as it requires e_entry to lie in an
//     executable segment.
//
// The file need not be ELF and, when it is, its ELF headers are not read:
// the address fields win, as in QEMU. The layout's single segment is then
// checked against RAM and the MMIO windows as program header segments are.
func readAddressImage(image []byte, h multibootHeader) (*layout, error) {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("multiboot header at file offset %#x sets flag bit 16 (load by its address fields), but %s",
			h.offset, fmt.Sprintf(format, args...))
	}
	if end := h.offset + addressHeaderSize; end > len(image) || end > headerSearch {
		where := fmt.Sprintf("the file ends at %d bytes", len(image))
		if end > headerSearch {
			where = "that is past the first 8 KiB, where the whole header must lie"
		}
		return nil, fail("its address fields [%#x, %#x) are cut off: %s", h.offset+headerSize, end, where)
	}
	le := binary.LittleEndian
	b := image[h.offset:]
	f := &addressFields{
		headerAddr:  le.Uint32(b[12:]),
		loadAddr:    le.Uint32(b[16:]),
		loadEndAddr: le.Uint32(b[20:]),
		bssEndAddr:  le.Uint32(b[24:]),
		entryAddr:   le.Uint32(b[28:]),
	}

	if f.loadAddr > f.headerAddr {
		return nil, fail("load_addr %#x is above header_addr %#x: the loaded bytes must start at or before the header", f.loadAddr, f.headerAddr)
	}
	before := uint64(f.headerAddr - f.loadAddr) // loaded bytes before the header
	if before > uint64(h.offset) {
		return nil, fail("header_addr %#x is %#x bytes above load_addr %#x while the header is only %#x bytes into the file: the loaded bytes would start before the file does",
			f.headerAddr, before, f.loadAddr, h.offset)
	}
	off := uint64(h.offset) - before // file offset of the loaded bytes
	fileSize := uint64(len(image))

	var loadSize uint64
	if f.loadEndAddr != 0 {
		if f.loadEndAddr < f.loadAddr {
			return nil, fail("load_end_addr %#x is below load_addr %#x", f.loadEndAddr, f.loadAddr)
		}
		loadSize = uint64(f.loadEndAddr - f.loadAddr)
		if off+loadSize > fileSize {
			return nil, fail("load_end_addr %#x lies past the end of the file: [load_addr, load_end_addr) = [%#x, %#x) is file range [%#x, %#x) but the file has %d bytes (truncated image? load_end_addr 0 loads to the end of the file)",
				f.loadEndAddr, f.loadAddr, f.loadEndAddr, off, off+loadSize, fileSize)
		}
	} else {
		loadSize = fileSize - off
		if uint64(f.loadAddr)+loadSize > 0xFFFFFFFF {
			return nil, fail("load_end_addr is 0 (load to the end of the file) and the %#x bytes from file offset %#x loaded at load_addr %#x run past 4 GiB: physical addresses are 32-bit",
				loadSize, off, f.loadAddr)
		}
	}

	memEnd := uint64(f.loadAddr) + loadSize
	if f.bssEndAddr != 0 {
		if uint64(f.bssEndAddr) < memEnd {
			end := "load_end_addr"
			if f.loadEndAddr == 0 {
				end = "load_addr plus the bytes to the end of the file, load_end_addr being 0"
			}
			return nil, fail("bss_end_addr %#x is below %#x, the end of the loaded bytes (%s): the BSS follows them",
				f.bssEndAddr, memEnd, end)
		}
		memEnd = uint64(f.bssEndAddr)
	}
	if memEnd == uint64(f.loadAddr) {
		return nil, fail("they describe an empty image: load_end_addr equals load_addr %#x and bss_end_addr is 0: nothing to load", f.loadAddr)
	}

	return &layout{
		entry: uint64(f.entryAddr),
		segments: []loadSegment{{
			paddr:  uint64(f.loadAddr),
			off:    off,
			filesz: loadSize,
			memsz:  memEnd - uint64(f.loadAddr),
			exec:   true,
			fields: true,
		}},
		fields: f,
	}, nil
}
