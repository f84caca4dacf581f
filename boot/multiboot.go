// This file implements finding and checking the multiboot v1 header.

package boot

import (
	"encoding/binary"
	"fmt"
)

// Multiboot v1 constants (Multiboot Specification 0.6.96, sections 3.1 and 3.3).
const (
	// HeaderMagic is the magic number that starts a multiboot header.
	HeaderMagic = 0x1BADB002
	// BootMagic is the value a multiboot loader leaves in EAX.
	BootMagic = 0x2BADB002

	// headerSearch is how far into the file the header may lie: the whole
	// 12-byte header must be within the first 8 KiB.
	headerSearch = 8192
	headerSize   = 12

	// Header flag bits. Bits 0–15 are features the image requires: a
	// loader that does not understand one must refuse the image. Bits
	// 16–31 are optional.
	flagPageAlignModules = 1 << 0
	flagMemoryInfo       = 1 << 1
	flagVideoMode        = 1 << 2
	flagAOutKludge       = 1 << 16
	requiredFlagsMask    = 0xFFFF

	// supportedRequiredFlags are the required-feature bits Load accepts:
	//   - bit 0, align modules on 4 KiB pages: there are no modules, so it
	//     is trivially honoured;
	//   - bit 1, memory information: always provided;
	//   - bit 2, video mode: ignored, as QEMU's -kernel ignores it (it
	//     prints "multiboot knows VBE. we don't" and boots in text mode);
	//     the information structure carries no video fields.
	supportedRequiredFlags = flagPageAlignModules | flagMemoryInfo | flagVideoMode
)

// multibootHeader is the part of the multiboot header Load uses.
type multibootHeader struct {
	found  bool   // a header with a right checksum was found
	offset int    // file offset of the magic
	flags  uint32 // the header's flags word
}

// findMultibootHeader returns the first multiboot header in the first 8 KiB
// of image whose checksum is right, as QEMU and GRUB search for it, and
// checks that Load can honour the features it requires. When it finds a
// header whose required features Load cannot honour it returns the header
// (found set) along with the error.
//
// Bit 16 (the a.out kludge: load addresses given in the header) is left to
// the caller: with it set, Load loads the image by the header's address
// fields (see [readAddressImage]), as QEMU's -kernel does, ELF file or not.
func findMultibootHeader(image []byte) (multibootHeader, error) {
	end := min(len(image), headerSearch)
	badChecksum := -1
	for off := 0; off+headerSize <= end; off += 4 {
		if binary.LittleEndian.Uint32(image[off:]) != HeaderMagic {
			continue
		}
		flags := binary.LittleEndian.Uint32(image[off+4:])
		checksum := binary.LittleEndian.Uint32(image[off+8:])
		if HeaderMagic+flags+checksum != 0 {
			if badChecksum < 0 {
				badChecksum = off
			}
			continue
		}
		h := multibootHeader{found: true, offset: off, flags: flags}
		if unsupported := flags & requiredFlagsMask &^ supportedRequiredFlags; unsupported != 0 {
			return h, fmt.Errorf("multiboot header at file offset %#x requires features preemptlab does not provide (flags %#08x, unsupported required bits %#04x; only bits 0-2 are accepted)",
				off, flags, unsupported)
		}
		return h, nil
	}
	if badChecksum >= 0 {
		flags := binary.LittleEndian.Uint32(image[badChecksum+4:])
		checksum := binary.LittleEndian.Uint32(image[badChecksum+8:])
		return multibootHeader{}, fmt.Errorf("multiboot header at file offset %#x has a bad checksum: magic+flags+checksum = %#08x, want 0 (flags %#08x, checksum %#08x, want checksum %#08x)",
			badChecksum, uint32(HeaderMagic+flags+checksum), flags, checksum, -(uint32(HeaderMagic) + flags))
	}
	return multibootHeader{}, fmt.Errorf("no multiboot header: magic %#08x not found 4-byte aligned in the first %d bytes of the file (is the image linked with the SDK's start.S and link.ld?)",
		uint32(HeaderMagic), headerSearch)
}
