// This file finds the marker of a kernel image: the SDK's .preemptlab_abi
// section, which says the image is written against the kernel SDK and
// which ABI version it was built for.

package boot

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
)

// KernelABIVersion is the newest kernel ABI this version runs; every
// older one runs too (the ABI only grows).
const KernelABIVersion = 1

// KernelABI reports whether image is a kernel image — an ELF file with the
// kernel SDK's .preemptlab_abi section ("PLAB" and a version) — and the
// ABI version it was built for. A bare image, or a file that is not ELF,
// is not one.
func KernelABI(image []byte) (version uint32, ok bool) {
	f, err := elf.NewFile(bytes.NewReader(image))
	if err != nil {
		return 0, false
	}
	s := f.Section(".preemptlab_abi")
	if s == nil || s.Type == elf.SHT_NOBITS {
		return 0, false
	}
	b, err := s.Data()
	if err != nil || len(b) < 8 || string(b[:4]) != "PLAB" {
		return 0, false
	}
	return binary.LittleEndian.Uint32(b[4:]), true
}
