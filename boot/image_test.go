// This file implements a builder of ELF32 multiboot images for the tests.

package boot_test

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
)

// ELF32 field offsets, for tests that corrupt a built image.
const (
	offClass     = elf.EI_CLASS
	offData      = elf.EI_DATA
	offType      = 16
	offMachine   = 18
	offEntry     = 24
	offPhoff     = 28
	offShoff     = 32
	offPhnum     = 44
	offShentsize = 46
	offShnum     = 48
	offShstrndx  = 50
	phdrOffset   = 52 // where build puts the program header table
	phdrSize     = 32
	offPOffset   = 4  // p_offset within a program header
	offPFilesz   = 16 // p_filesz within a program header
)

// testSegment is one program header of a test image.
type testSegment struct {
	typ   elf.ProgType // 0 means PT_LOAD
	paddr uint32
	vaddr uint32 // 0 means paddr
	flags elf.ProgFlag
	data  []byte // the file bytes
	memsz uint32 // 0 means len(data)
}

// testImage describes an ELF32 i386 executable: ELF header, program
// headers, the multiboot header, then each segment's bytes.
type testImage struct {
	entry       uint32
	segments    []testSegment
	multiboot   []byte // placed right after the program headers; nil means multibootHeader(0x3)
	noMultiboot bool   // put no multiboot header after the program headers
}

// multibootHeader returns a multiboot v1 header with a correct checksum.
func multibootHeader(flags uint32) []byte {
	b := make([]byte, 12)
	binary.LittleEndian.PutUint32(b[0:], 0x1BADB002)
	binary.LittleEndian.PutUint32(b[4:], flags)
	binary.LittleEndian.PutUint32(b[8:], -(0x1BADB002 + flags))
	return b
}

// build assembles the image.
func (im testImage) build() []byte {
	le := binary.LittleEndian
	align := func(n, a int) int { return (n + a - 1) &^ (a - 1) }

	off := phdrOffset + phdrSize*len(im.segments)
	var mb []byte
	if !im.noMultiboot {
		mb = im.multiboot
		if mb == nil {
			mb = multibootHeader(0x3)
		}
	}
	mbOff := align(off, 4)
	off = mbOff + len(mb)
	dataOff := make([]int, len(im.segments))
	for i, s := range im.segments {
		off = align(off, 16)
		dataOff[i] = off
		off += len(s.data)
	}

	b := make([]byte, off)
	copy(b, elf.ELFMAG)
	b[elf.EI_CLASS] = byte(elf.ELFCLASS32)
	b[elf.EI_DATA] = byte(elf.ELFDATA2LSB)
	b[elf.EI_VERSION] = byte(elf.EV_CURRENT)
	le.PutUint16(b[offType:], uint16(elf.ET_EXEC))
	le.PutUint16(b[offMachine:], uint16(elf.EM_386))
	le.PutUint32(b[20:], uint32(elf.EV_CURRENT))
	le.PutUint32(b[offEntry:], im.entry)
	le.PutUint32(b[offPhoff:], phdrOffset)
	le.PutUint16(b[40:], 52) // e_ehsize
	le.PutUint16(b[42:], phdrSize)
	le.PutUint16(b[offPhnum:], uint16(len(im.segments)))
	for i, s := range im.segments {
		p := b[phdrOffset+phdrSize*i:]
		typ := s.typ
		if typ == 0 {
			typ = elf.PT_LOAD
		}
		vaddr := s.vaddr
		if vaddr == 0 {
			vaddr = s.paddr
		}
		memsz := s.memsz
		if memsz == 0 {
			memsz = uint32(len(s.data))
		}
		le.PutUint32(p[0:], uint32(typ))
		le.PutUint32(p[offPOffset:], uint32(dataOff[i]))
		le.PutUint32(p[8:], vaddr)
		le.PutUint32(p[12:], s.paddr)
		le.PutUint32(p[offPFilesz:], uint32(len(s.data)))
		le.PutUint32(p[20:], memsz)
		le.PutUint32(p[24:], uint32(s.flags))
		le.PutUint32(p[28:], 0x1000)
		copy(b[dataOff[i]:], s.data)
	}
	copy(b[mbOff:], mb)
	return b
}

// text is a small stand-in for code: the bytes only need to be recognisable.
var text = []byte{0xFA, 0xFC, 0x89, 0xC6, 0x89, 0xDD, 0xF4, 0xEB, 0xFD} // cli; cld; mov esi,eax; mov ebp,ebx; hlt; jmp $-1

// simpleImage is a valid image with one executable segment at 1 MiB.
func simpleImage() testImage {
	return testImage{
		entry:    0x100000,
		segments: []testSegment{{paddr: 0x100000, flags: elf.PF_R | elf.PF_X, data: text}},
	}
}

// realisticImage is laid out as gcc and the SDK's link.ld lay out an image:
// a text segment at 1 MiB starting with the multiboot header, then a
// data segment whose memory size covers .bss, linked for the higher half
// but loaded by physical address.
func realisticImage() testImage {
	code := append(multibootHeader(0x3), text...)
	data := []byte("hello, preemptlab\x00\x01\x02\x03")
	return testImage{
		entry:       0x10000C,
		noMultiboot: true,
		segments: []testSegment{
			{paddr: 0x100000, vaddr: 0xC0100000, flags: elf.PF_R | elf.PF_X, data: code},
			{paddr: 0x101000, vaddr: 0xC0101000, flags: elf.PF_R | elf.PF_W, data: data, memsz: 0x3000},
			{typ: elf.PT_GNU_STACK, flags: elf.PF_R | elf.PF_W},
		},
	}
}

// addressHeader returns a multiboot v1 header with flag bit 16 set in
// addition to flags, carrying the given address fields, with a correct
// checksum.
func addressHeader(flags, headerAddr, loadAddr, loadEndAddr, bssEndAddr, entryAddr uint32) []byte {
	b := multibootHeader(flags | 1<<16)
	for _, v := range []uint32{headerAddr, loadAddr, loadEndAddr, bssEndAddr, entryAddr} {
		b = binary.LittleEndian.AppendUint32(b, v)
	}
	return b
}

// rawImage returns a raw binary (not ELF): pad bytes of 0x90, a multiboot
// header with address fields, then text. load_addr..entry_addr are
// relative to a file loaded whole at base, with the header at
// base+pad: the loaded bytes are the whole file, no BSS, entry at text.
func rawImage(base uint32, pad int) []byte {
	b := bytes.Repeat([]byte{0x90}, pad)
	size := uint32(pad + 32 + len(text))
	b = append(b, addressHeader(0x3, base+uint32(pad), base, base+size, 0, base+uint32(pad)+32)...)
	return append(b, text...)
}
