// This file implements reading and checking the ELF32 executable.

package boot

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sort"
)

// ELF32 header layout (System V ABI, "ELF Header").
const (
	elf32HeaderSize = 52
	elf32PhdrSize   = 32

	offPhoff     = 28 // e_phoff
	offShoff     = 32 // e_shoff
	offPhentsize = 42 // e_phentsize
	offPhnum     = 44 // e_phnum
	offShentsize = 46 // e_shentsize
	offShnum     = 48 // e_shnum
	offShstrndx  = 50 // e_shstrndx
)

// loadSegment is a PT_LOAD program header that has something to load, or
// the single range the multiboot header's address fields describe.
type loadSegment struct {
	index  int    // program header index, for messages
	paddr  uint64 // physical load address
	off    uint64 // file offset of the bytes to copy
	filesz uint64
	memsz  uint64 // > 0
	exec   bool   // PF_X
	fields bool   // placed by the multiboot header's address fields, not a program header
}

func (s loadSegment) end() uint64 { return s.paddr + s.memsz }

func (s loadSegment) String() string {
	if s.fields {
		return fmt.Sprintf("image [%#x, %#x) placed by the multiboot header's address fields", s.paddr, s.end())
	}
	return fmt.Sprintf("segment %d [%#x, %#x)", s.index, s.paddr, s.end())
}

// layout is what Load needs of a checked image: where its bytes go and
// where it is entered. readELF makes one from an ELF file's program
// headers, readAddressImage from the multiboot header's address fields.
type layout struct {
	entry    uint64
	segments []loadSegment // in program header order
	// fields are the multiboot header's address fields when the layout
	// comes from them (flag bit 16); nil for an ELF layout.
	fields *addressFields
}

// errNotELF is the error checkIdent wraps when the file does not start with
// the ELF magic: Load then says what a file that is not ELF needs.
var errNotELF = errors.New("not an ELF file")

// readELF checks that image is an ELF32 little-endian i386 executable whose
// PT_LOAD segments lie within the file, and returns its entry point and
// non-empty PT_LOAD segments. Placement in memory is checked by Load.
//
// The file and program headers are decoded by debug/elf; the identification
// bytes are checked here first, so that the common mistakes get a precise
// message. Section headers are not needed to load an image and are not
// looked at (a loader reads program headers only): debug/elf is shown a copy
// of the ELF header with the section header table fields cleared.
func readELF(image []byte) (*layout, error) {
	if err := checkIdent(image); err != nil {
		return nil, err
	}

	hdr := make([]byte, elf32HeaderSize)
	copy(hdr, image)
	binary.LittleEndian.PutUint32(hdr[offShoff:], 0)
	binary.LittleEndian.PutUint16(hdr[offShentsize:], 0)
	binary.LittleEndian.PutUint16(hdr[offShnum:], 0)
	binary.LittleEndian.PutUint16(hdr[offShstrndx:], 0)

	// The program header table must lie in the file; checked here rather
	// than left to debug/elf so that the message can say so plainly.
	phoff := uint64(binary.LittleEndian.Uint32(image[offPhoff:]))
	phentsize := uint64(binary.LittleEndian.Uint16(image[offPhentsize:]))
	phnum := uint64(binary.LittleEndian.Uint16(image[offPhnum:]))
	if phnum > 0 {
		if phentsize < elf32PhdrSize {
			return nil, fmt.Errorf("ELF program header entry size is %d bytes, want at least %d", phentsize, elf32PhdrSize)
		}
		if end := phoff + phnum*phentsize; end > uint64(len(image)) {
			return nil, fmt.Errorf("ELF program header table [%#x, %#x) (%d entries) lies outside the file (%d bytes): truncated image?",
				phoff, end, phnum, len(image))
		}
	}

	f, err := elf.NewFile(&headerOverlay{header: hdr, image: image})
	if err != nil {
		return nil, fmt.Errorf("malformed ELF file: %w", err)
	}
	defer f.Close()

	if f.Class != elf.ELFCLASS32 || f.Data != elf.ELFDATA2LSB {
		// checkIdent guarantees both; this guards against a change in debug/elf.
		return nil, fmt.Errorf("unexpected ELF class %v, data %v", f.Class, f.Data)
	}
	if f.Machine != elf.EM_386 {
		return nil, fmt.Errorf("ELF machine is %v, want EM_386 (i386): preemptlab runs 32-bit x86 images", f.Machine)
	}
	if f.Type != elf.ET_EXEC {
		hint := ""
		switch f.Type {
		case elf.ET_DYN:
			hint = " (a position-independent executable or shared object: link with -static -no-pie)"
		case elf.ET_REL:
			hint = " (an object file: link it)"
		}
		return nil, fmt.Errorf("ELF type is %v, want ET_EXEC%s", f.Type, hint)
	}

	img := &layout{entry: f.Entry}
	loads := 0
	for i, p := range f.Progs {
		if p.Type != elf.PT_LOAD {
			continue
		}
		loads++
		if p.Memsz < p.Filesz {
			return nil, fmt.Errorf("segment %d: memory size %#x is smaller than its file size %#x", i, p.Memsz, p.Filesz)
		}
		if end := p.Off + p.Filesz; end > uint64(len(image)) {
			return nil, fmt.Errorf("segment %d: file range [%#x, %#x) lies outside the file (%d bytes): truncated image?",
				i, p.Off, end, len(image))
		}
		if p.Memsz == 0 {
			continue
		}
		img.segments = append(img.segments, loadSegment{
			index:  i,
			paddr:  p.Paddr,
			off:    p.Off,
			filesz: p.Filesz,
			memsz:  p.Memsz,
			exec:   p.Flags&elf.PF_X != 0,
		})
	}
	switch {
	case loads == 0:
		return nil, errors.New("ELF file has no PT_LOAD segments: nothing to load")
	case len(img.segments) == 0:
		return nil, errors.New("every PT_LOAD segment of the ELF file is empty: nothing to load")
	}
	return img, nil
}

// checkIdent checks the ELF identification bytes and the header's size.
func checkIdent(image []byte) error {
	switch {
	case len(image) == 0:
		return errors.New("empty file: not an ELF image")
	case len(image) < elf.EI_NIDENT && bytes.HasPrefix([]byte(elf.ELFMAG), image):
		return fmt.Errorf("truncated ELF file: %d bytes, shorter than the ELF identification", len(image))
	case !bytes.HasPrefix(image, []byte(elf.ELFMAG)):
		return fmt.Errorf("%w: starts with % x, want 7f 45 4c 46 (\"\\x7fELF\")", errNotELF, image[:min(len(image), 4)])
	case len(image) < elf.EI_NIDENT:
		return fmt.Errorf("truncated ELF file: %d bytes, shorter than the ELF identification", len(image))
	}
	switch c := elf.Class(image[elf.EI_CLASS]); c {
	case elf.ELFCLASS32:
	case elf.ELFCLASS64:
		return errors.New("64-bit ELF; preemptlab runs 32-bit x86 images, build with -m32")
	default:
		return fmt.Errorf("unknown ELF class %d, want ELFCLASS32", byte(c))
	}
	switch d := elf.Data(image[elf.EI_DATA]); d {
	case elf.ELFDATA2LSB:
	case elf.ELFDATA2MSB:
		return errors.New("big-endian ELF; an i386 image is little-endian (ELFDATA2LSB)")
	default:
		return fmt.Errorf("unknown ELF data encoding %d, want ELFDATA2LSB (little-endian)", byte(d))
	}
	if v := elf.Version(image[elf.EI_VERSION]); v != elf.EV_CURRENT {
		return fmt.Errorf("unknown ELF version %d, want %d", byte(v), byte(elf.EV_CURRENT))
	}
	if len(image) < elf32HeaderSize {
		return fmt.Errorf("truncated ELF header: file is %d bytes, an ELF32 header needs %d", len(image), elf32HeaderSize)
	}
	return nil
}

// headerOverlay reads image with its first bytes replaced by header.
type headerOverlay struct {
	header []byte
	image  []byte
}

// ReadAt implements io.ReaderAt.
func (r *headerOverlay) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("negative offset")
	}
	if off >= int64(len(r.image)) {
		return 0, io.EOF
	}
	n := copy(p, r.image[off:])
	if off < int64(len(r.header)) {
		copy(p, r.header[off:])
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// checkOverlaps returns an error naming the first two segments found to
// overlap in physical memory.
func checkOverlaps(segs []loadSegment) error {
	sorted := append([]loadSegment(nil), segs...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].paddr < sorted[j].paddr })
	for i := 1; i < len(sorted); i++ {
		// Comparing neighbours is enough: if any two segments overlap,
		// so do two neighbours in address order.
		prev, s := sorted[i-1], sorted[i]
		if s.paddr < prev.end() {
			a, b := prev, s
			if a.index > b.index {
				a, b = b, a
			}
			return fmt.Errorf("%v and %v overlap in physical memory", a, b)
		}
	}
	return nil
}
