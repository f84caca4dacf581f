package boot_test

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"strings"
	"testing"

	"preemptlab/boot"
)

// headerELF is an ELF image with one executable segment at 1 MiB (memory
// size 0x1000) whose bytes start with a multiboot header with flag bit 16
// whose address fields agree with the program header: header and loaded
// bytes at 0x100000, BSS to 0x101000, entry just after the header.
func headerELF() testImage {
	data := append(addressHeader(0x3, 0x100000, 0x100000, 0x100000+32+uint32(len(text)), 0x101000, 0x100020), text...)
	return testImage{
		entry:       0x100020,
		noMultiboot: true,
		segments:    []testSegment{{paddr: 0x100000, flags: elf.PF_R | elf.PF_X, data: data, memsz: 0x1000}},
	}
}

// headerOffset returns the file offset of the multiboot header in image.
func headerOffset(image []byte) int {
	return bytes.Index(image, []byte{0x02, 0xB0, 0xAD, 0x1B})
}

// setFields rewrites the address fields of the multiboot header in image
// (the checksum does not cover them).
func setFields(image []byte, headerAddr, loadAddr, loadEndAddr, bssEndAddr, entryAddr uint32) []byte {
	off := headerOffset(image)
	for i, v := range []uint32{headerAddr, loadAddr, loadEndAddr, bssEndAddr, entryAddr} {
		binary.LittleEndian.PutUint32(image[off+12+4*i:], v)
	}
	return image
}

// addressELF is headerELF with address fields that disagree with its
// program header: the whole file is loaded at base, BSS to base+0x3000,
// entry just after the header.
func addressELF(base uint32) []byte {
	b := headerELF().build()
	off := uint32(headerOffset(b))
	return setFields(b, base+off, base, 0, base+0x3000, base+off+32)
}

func TestLoadAddressFields(t *testing.T) {
	agree := headerELF().build()
	agreeOff := headerOffset(agree)
	disagree := addressELF(0x200000)
	disagreeOff := uint32(headerOffset(disagree))
	raw := rawImage(0x100000, 16)

	// A raw binary whose first 0x40 bytes (a prefix the image does not
	// want loaded) precede the loaded bytes and whose last 0x20 bytes
	// (trailing junk) follow them, loaded at 0x10000 with BSS to 0x18000.
	skip := append(bytes.Repeat([]byte{0xCC}, 0x40), addressHeader(0x3, 0x10000, 0x10000, 0x10000+32+uint32(len(text)), 0x18000, 0x10020)...)
	skip = append(append(skip, text...), bytes.Repeat([]byte{0xDD}, 0x20)...)

	tests := []struct {
		name      string
		image     []byte
		entry     uint32
		seg       boot.Segment
		fileStart int // file offset of the loaded bytes
	}{
		{"ELF, fields agree with the program headers", agree, 0x100020,
			boot.Segment{Addr: 0x100000, FileSize: 32 + uint32(len(text)), MemSize: 0x1000}, agreeOff},
		{"ELF, fields disagree with the program headers: the fields win", disagree, 0x200000 + disagreeOff + 32,
			boot.Segment{Addr: 0x200000, FileSize: uint32(len(disagree)), MemSize: 0x3000}, 0},
		{"ELF with broken program headers: not read", mutate(headerELF(), func(b []byte) {
			put32(b, offPhoff, 0xFFFFFF00)
			put16(b, offMachine, uint16(elf.EM_X86_64))
		}), 0x100020, boot.Segment{Addr: 0x100000, FileSize: 32 + uint32(len(text)), MemSize: 0x1000}, agreeOff},
		{"raw binary", raw, 0x100000 + 16 + 32,
			boot.Segment{Addr: 0x100000, FileSize: uint32(len(raw)), MemSize: uint32(len(raw))}, 0},
		{"raw binary, load_end_addr 0: to the end of the file", setFields(rawImage(0x100000, 16), 0x100010, 0x100000, 0, 0, 0x100000),
			0x100000, boot.Segment{Addr: 0x100000, FileSize: uint32(len(raw)), MemSize: uint32(len(raw))}, 0},
		{"raw binary, prefix and trailer not loaded, BSS", skip, 0x10020,
			boot.Segment{Addr: 0x10000, FileSize: 32 + uint32(len(text)), MemSize: 0x8000}, 0x40},
		{"raw binary, entry in BSS", setFields(rawImage(0x100000, 0), 0x100000, 0x100000, 0, 0x100100, 0x1000FF),
			0x1000FF, boot.Segment{Addr: 0x100000, FileSize: 32 + uint32(len(text)), MemSize: 0x100}, 0},
		{"raw binary, only BSS past load_addr", setFields(rawImage(0x100000, 0), 0x100000, 0x100000, 0x100000, 0x100100, 0x100000),
			0x100000, boot.Segment{Addr: 0x100000, FileSize: 0, MemSize: 0x100}, 0},
		{"raw binary, video flag ignored", append(addressHeader(0x7, 0x100000, 0x100000, 0, 0, 0x100020), text...),
			0x100020, boot.Segment{Addr: 0x100000, FileSize: 32 + uint32(len(text)), MemSize: 32 + uint32(len(text))}, 0},
		{"raw binary, ends at end of RAM", setFields(rawImage(0xFFFFC0, 0), 0xFFFFC0, 0xFFFFC0, 0, 0x1000000, 0xFFFFE0),
			0xFFFFE0, boot.Segment{Addr: 0xFFFFC0, FileSize: 32 + uint32(len(text)), MemSize: 0x40}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ram := bytes.Repeat([]byte{0xAA}, 16*mib)
			l, err := boot.Load(tt.image, ram, boot.Options{Cmdline: "fields", Windows: pcWindows})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if l.Entry != tt.entry || l.Magic != 0x2BADB002 {
				t.Errorf("Entry %#x, Magic %#x; want %#x, 0x2badb002", l.Entry, l.Magic, tt.entry)
			}
			if len(l.Segments) != 1 || l.Segments[0] != tt.seg {
				t.Fatalf("Segments = %+v, want [%+v]", l.Segments, tt.seg)
			}
			s := tt.seg
			want := tt.image[tt.fileStart : tt.fileStart+int(s.FileSize)]
			if got := ram[s.Addr : s.Addr+s.FileSize]; !bytes.Equal(got, want) {
				t.Errorf("RAM at %#x = % x, want % x", s.Addr, got, want)
			}
			if i := firstNot(ram[s.Addr+s.FileSize:s.Addr+s.MemSize], 0); i >= 0 {
				t.Errorf("BSS not zeroed at %#x", s.Addr+s.FileSize+uint32(i))
			}
			if ram[s.Addr-1] != 0xAA || (s.Addr+s.MemSize < uint32(len(ram)) && ram[s.Addr+s.MemSize] != 0xAA) {
				t.Errorf("Load wrote next to the image [%#x, %#x)", s.Addr, s.Addr+s.MemSize)
			}
			if l.InfoAddr < s.Addr+s.MemSize && s.Addr < l.InfoAddr+0x100 {
				t.Errorf("information at %#x overlaps the image", l.InfoAddr)
			}
			checkInfo(t, ram, l.InfoAddr, 0x1000, 16*mib, "fields")
		})
	}
}

func TestLoadAddressFieldsRefuses(t *testing.T) {
	raw := func(f func(b []byte) []byte) []byte { return f(rawImage(0x100000, 0)) } // header at 0, 0x29 bytes
	far := func() []byte {
		// A header with address fields at 0x1FF0: its fields end past 8 KiB.
		b := append(bytes.Repeat([]byte{0x90}, 0x1FF0), addressHeader(0x3, 0x101FF0, 0x100000, 0, 0, 0x100000)...)
		return append(b, make([]byte, 0x100)...)
	}
	tests := []struct {
		name  string
		image []byte
		ram   int
		want  string // a substring of the error
	}{
		{"address fields cut off by the end of the file", rawImage(0x100000, 0)[:20], 0,
			"multiboot header at file offset 0x0 sets flag bit 16 (load by its address fields), but its address fields [0xc, 0x20) are cut off: the file ends at 20 bytes"},
		{"address fields past 8 KiB", far(), 0, "its address fields [0x1ffc, 0x2010) are cut off: that is past the first 8 KiB"},
		{"load_addr above header_addr", raw(func(b []byte) []byte { return setFields(b, 0x100000, 0x100100, 0, 0, 0x100100) }), 0,
			"but load_addr 0x100100 is above header_addr 0x100000: the loaded bytes must start at or before the header"},
		{"header_addr too far above load_addr", raw(func(b []byte) []byte { return setFields(b, 0x100100, 0x100000, 0, 0, 0x100000) }), 0,
			"but header_addr 0x100100 is 0x100 bytes above load_addr 0x100000 while the header is only 0x0 bytes into the file: the loaded bytes would start before the file does"},
		{"ELF, header_addr too far above load_addr", setFields(headerELF().build(), 0x100061, 0x100000, 0, 0, 0x100000), 0,
			"multiboot header at file offset 0x60 sets flag bit 16 (load by its address fields), but header_addr 0x100061 is 0x61 bytes above load_addr 0x100000 while the header is only 0x60 bytes into the file"},
		{"load_end_addr below load_addr", raw(func(b []byte) []byte { return setFields(b, 0x100000, 0x100000, 0xFFFFF, 0, 0x100000) }), 0,
			"but load_end_addr 0xfffff is below load_addr 0x100000"},
		{"load_end_addr past the end of the file", raw(func(b []byte) []byte { return setFields(b, 0x100000, 0x100000, 0x100030, 0, 0x100000) }), 0,
			"but load_end_addr 0x100030 lies past the end of the file: [load_addr, load_end_addr) = [0x100000, 0x100030) is file range [0x0, 0x30) but the file has 41 bytes"},
		{"load to the end of the file past 4 GiB", raw(func(b []byte) []byte { return setFields(b, 0xFFFFFFE0, 0xFFFFFFE0, 0, 0, 0xFFFFFFE0) }), 0,
			"but load_end_addr is 0 (load to the end of the file) and the 0x29 bytes from file offset 0x0 loaded at load_addr 0xffffffe0 run past 4 GiB"},
		{"bss_end_addr below load_end_addr", raw(func(b []byte) []byte { return setFields(b, 0x100000, 0x100000, 0x100020, 0x100010, 0x100000) }), 0,
			"but bss_end_addr 0x100010 is below 0x100020, the end of the loaded bytes (load_end_addr): the BSS follows them"},
		{"bss_end_addr below the end of the file", raw(func(b []byte) []byte { return setFields(b, 0x100000, 0x100000, 0, 0x100010, 0x100000) }), 0,
			"but bss_end_addr 0x100010 is below 0x100029, the end of the loaded bytes (load_addr plus the bytes to the end of the file, load_end_addr being 0)"},
		{"empty image", raw(func(b []byte) []byte { return setFields(b, 0x100000, 0x100000, 0x100000, 0, 0x100000) }), 0,
			"but they describe an empty image: load_end_addr equals load_addr 0x100000 and bss_end_addr is 0: nothing to load"},
		{"ELF with nonsense address fields", func() []byte {
			im := simpleImage()
			im.multiboot = append(multibootHeader(0x3|1<<16|1<<31), bytes.Repeat([]byte{0xEE}, 20)...)
			return im.build()
		}(), 0, "multiboot header at file offset 0x54 sets flag bit 16 (load by its address fields), but they describe an empty image"},
		{"entry_addr outside the image", raw(func(b []byte) []byte { return setFields(b, 0x100000, 0x100000, 0, 0, 0x100029) }), 0,
			"boot: entry_addr 0x100029 in the multiboot header is not inside the image it loads, [0x100000, 0x100029) (load_addr to the end of the loaded bytes)"},
		{"entry_addr outside the image and BSS", raw(func(b []byte) []byte { return setFields(b, 0x100000, 0x100000, 0, 0x102000, 0xFFFFF) }), 0,
			"entry_addr 0xfffff in the multiboot header is not inside the image it loads, [0x100000, 0x102000) (load_addr to bss_end_addr)"},
		{"ELF, entry_addr outside the image though e_entry is inside", setFields(headerELF().build(), 0x100000, 0x100000, 0, 0, 0x200000), 0,
			"entry_addr 0x200000 in the multiboot header is not inside the image it loads"},
		{"image outside RAM", rawImage(0x100000, 0), 1 * mib,
			"boot: image [0x100000, 0x100029) placed by the multiboot header's address fields lies outside RAM (1 MiB, addresses [0, 0x100000))"},
		{"BSS outside RAM", raw(func(b []byte) []byte { return setFields(b, 0x100000, 0x100000, 0, 0x1000001, 0x100000) }), 0,
			"image [0x100000, 0x1000001) placed by the multiboot header's address fields lies outside RAM (16 MiB"},
		{"image over the IO-APIC", raw(func(b []byte) []byte { return setFields(b, 0xFEBFF000, 0xFEBFF000, 0, 0xFEC00800, 0xFEBFF000) }), 0,
			"image [0xfebff000, 0xfec00800) placed by the multiboot header's address fields overlaps the IO-APIC MMIO window [0xfec00000, 0xfec01000)"},
		{"image over the local APIC", raw(func(b []byte) []byte { return setFields(b, 0xFEE00FF0, 0xFEE00FF0, 0, 0, 0xFEE00FF0) }), 0,
			"overlaps the local APIC MMIO window"},
		{"unsupported required flag with bit 16", append(addressHeader(0x3|1<<3, 0x100000, 0x100000, 0, 0, 0x100020), text...), 0,
			"multiboot header at file offset 0x0 requires features preemptlab does not provide (flags 0x0001000b, unsupported required bits 0x0008"},
		{"raw binary without bit 16", append(multibootHeader(0x3), text...), 0,
			"boot: not an ELF file: starts with 02 b0 ad 1b, want 7f 45 4c 46 (\"\\x7fELF\"); nor is it an image loaded by the multiboot header's address fields: its multiboot header at file offset 0x0 leaves flag bit 16 (load by address fields) clear"},
		{"raw binary without a header", []byte("MZ\x90\x00 this is a PE file"), 0,
			"not an ELF file: starts with 4d 5a 90 00, want 7f 45 4c 46 (\"\\x7fELF\"); nor is it an image loaded by the multiboot header's address fields: no multiboot header"},
		{"raw binary with a bad checksum", func() []byte {
			b := rawImage(0x100000, 0)
			b[8]++
			return b
		}(), 0, "nor is it an image loaded by the multiboot header's address fields: multiboot header at file offset 0x0 has a bad checksum"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ramSize := tt.ram
			if ramSize == 0 {
				ramSize = 16 * mib
			}
			ram := bytes.Repeat([]byte{0xAA}, ramSize)
			l, err := boot.Load(tt.image, ram, boot.Options{Windows: pcWindows})
			if err == nil {
				t.Fatalf("Load = %+v, nil; want error containing %q", l, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "boot: ") || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Load error = %q, want it to start \"boot: \" and contain %q", err, tt.want)
			}
			if l != nil {
				t.Errorf("Load = %+v with an error, want nil", l)
			}
			if i := firstNot(ram, 0xAA); i >= 0 {
				t.Errorf("Load failed but changed RAM at %#x", i)
			}
		})
	}
}
