package boot_test

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"strings"
	"testing"

	"preemptlab/boot"
)

const mib = 1 << 20

// pcWindows are the MMIO windows emu passes to Load.
var pcWindows = []boot.Window{
	{Base: 0xFEC00000, Size: 0x1000, Name: "IO-APIC"},
	{Base: 0xFEE00000, Size: 0x1000, Name: "local APIC"},
}

// mutate returns a built image changed by f.
func mutate(im testImage, f func(b []byte)) []byte {
	b := im.build()
	f(b)
	return b
}

func put16(b []byte, off int, v uint16) { binary.LittleEndian.PutUint16(b[off:], v) }
func put32(b []byte, off int, v uint32) { binary.LittleEndian.PutUint32(b[off:], v) }

func TestLoadRefuses(t *testing.T) {
	exec := elf.PF_R | elf.PF_X
	withFlags := func(flags uint32) []byte {
		im := simpleImage()
		im.multiboot = multibootHeader(flags)
		return im.build()
	}
	farHeader := func() []byte {
		// The only header lies past the first 8 KiB.
		im := simpleImage()
		im.noMultiboot = true
		im.segments[0].data = append(make([]byte, 8192), multibootHeader(0x3)...)
		im.entry = 0x100000
		return im.build()
	}
	tests := []struct {
		name    string
		image   []byte
		ram     int
		cmdline string
		want    string // a substring of the error
	}{
		{"empty", nil, 0, "", "boot: empty file: not an ELF image"},
		{"not ELF", []byte("MZ\x90\x00 this is a PE file"), 0, "", "not an ELF file: starts with 4d 5a 90 00"},
		{"short garbage", []byte("ab"), 0, "", "not an ELF file: starts with 61 62"},
		{"truncated magic", []byte("\x7fEL"), 0, "", "truncated ELF file: 3 bytes"},
		{"truncated ident", []byte("\x7fELF\x01\x01"), 0, "", "truncated ELF file: 6 bytes"},
		{"truncated header", simpleImage().build()[:40], 0, "", "truncated ELF header: file is 40 bytes, an ELF32 header needs 52"},
		{"64-bit", mutate(simpleImage(), func(b []byte) { b[offClass] = byte(elf.ELFCLASS64) }), 0, "",
			"boot: 64-bit ELF; preemptlab runs 32-bit x86 images, build with -m32"},
		{"unknown class", mutate(simpleImage(), func(b []byte) { b[offClass] = 0 }), 0, "", "unknown ELF class 0, want ELFCLASS32"},
		{"big-endian", mutate(simpleImage(), func(b []byte) { b[offData] = byte(elf.ELFDATA2MSB) }), 0, "", "big-endian ELF"},
		{"unknown data", mutate(simpleImage(), func(b []byte) { b[offData] = 7 }), 0, "", "unknown ELF data encoding 7"},
		{"bad version", mutate(simpleImage(), func(b []byte) { b[elf.EI_VERSION] = 2 }), 0, "", "unknown ELF version 2"},
		{"x86-64 machine", mutate(simpleImage(), func(b []byte) { put16(b, offMachine, uint16(elf.EM_X86_64)) }), 0, "",
			"ELF machine is EM_X86_64, want EM_386"},
		{"ARM machine", mutate(simpleImage(), func(b []byte) { put16(b, offMachine, uint16(elf.EM_ARM)) }), 0, "",
			"ELF machine is EM_ARM, want EM_386"},
		{"PIE", mutate(simpleImage(), func(b []byte) { put16(b, offType, uint16(elf.ET_DYN)) }), 0, "",
			"ELF type is ET_DYN, want ET_EXEC (a position-independent executable"},
		{"object file", mutate(simpleImage(), func(b []byte) { put16(b, offType, uint16(elf.ET_REL)) }), 0, "",
			"ELF type is ET_REL, want ET_EXEC"},
		{"program headers outside file", mutate(simpleImage(), func(b []byte) { put32(b, offPhoff, 0x10000) }), 0, "",
			"ELF program header table [0x10000, 0x10020) (1 entries) lies outside the file"},
		{"truncated program headers", simpleImage().build()[:60], 0, "",
			"ELF program header table [0x34, 0x54) (1 entries) lies outside the file (60 bytes)"},
		{"no program headers", mutate(simpleImage(), func(b []byte) { put16(b, offPhnum, 0) }), 0, "",
			"ELF file has no PT_LOAD segments"},
		{"no PT_LOAD", testImage{entry: 0x100000, segments: []testSegment{{typ: elf.PT_NOTE, data: text}}}.build(), 0, "",
			"ELF file has no PT_LOAD segments"},
		{"empty PT_LOAD", testImage{entry: 0x100000, segments: []testSegment{{paddr: 0x100000, flags: exec}}}.build(), 0, "",
			"every PT_LOAD segment of the ELF file is empty"},
		{"segment outside file", mutate(simpleImage(), func(b []byte) { put32(b, phdrOffset+offPOffset, 0x7FFFFFF0) }), 0, "",
			"segment 0: file range [0x7ffffff0, 0x7ffffff9) lies outside the file"},
		{"segment file size too big", mutate(simpleImage(), func(b []byte) { put32(b, phdrOffset+offPFilesz, 0xFFFFFFFF) }), 0, "",
			"segment 0: memory size 0x9 is smaller than its file size 0xffffffff"},
		{"memsz < filesz", testImage{entry: 0x100000, segments: []testSegment{{paddr: 0x100000, flags: exec, data: make([]byte, 0x20), memsz: 0x10}}}.build(), 0, "",
			"segment 0: memory size 0x10 is smaller than its file size 0x20"},
		{"segment outside RAM", simpleImage().build(), 1 * mib, "",
			"segment 0 [0x100000, 0x100009) lies outside RAM (1 MiB, addresses [0, 0x100000)): give the machine more memory with --mem"},
		{"segment partly outside RAM", testImage{entry: 0x100000, segments: []testSegment{{paddr: 0x100000, flags: exec, data: text, memsz: 4 * mib}}}.build(), 4 * mib, "",
			"segment 0 [0x100000, 0x500000) lies outside RAM (4 MiB"},
		{"segment past 4 GiB", testImage{entry: 0xFFFFFFF0, segments: []testSegment{{paddr: 0xFFFFFFF0, flags: exec, data: text, memsz: 0x100}}}.build(), 0, "",
			"segment 0 [0xfffffff0, 0x1000000f0) runs past 4 GiB"},
		{"segment over IO-APIC", testImage{entry: 0xFEBFF000, segments: []testSegment{{paddr: 0xFEBFF000, flags: exec, data: text, memsz: 0x2000}}}.build(), 0, "",
			"segment 0 [0xfebff000, 0xfec01000) overlaps the IO-APIC MMIO window [0xfec00000, 0xfec01000)"},
		{"segment over local APIC", testImage{entry: 0x100000, segments: []testSegment{
			{paddr: 0x100000, flags: exec, data: text},
			{paddr: 0xFEE00800, flags: elf.PF_R, data: []byte{1}},
		}}.build(), 0, "", "segment 1 [0xfee00800, 0xfee00801) overlaps the local APIC MMIO window"},
		{"overlapping segments", testImage{entry: 0x100000, segments: []testSegment{
			{paddr: 0x100000, flags: exec, data: text, memsz: 0x2000},
			{paddr: 0x101000, flags: elf.PF_R | elf.PF_W, data: []byte{1, 2}},
		}}.build(), 0, "", "segment 0 [0x100000, 0x102000) and segment 1 [0x101000, 0x101002) overlap in physical memory"},
		{"overlapping segments, reverse order", testImage{entry: 0x100000, segments: []testSegment{
			{paddr: 0x200000, flags: elf.PF_R, data: []byte{1, 2}},
			{paddr: 0x300000, flags: elf.PF_R, data: []byte{1, 2}},
			{paddr: 0x100000, flags: exec, data: text, memsz: 0x100001},
		}}.build(), 0, "", "segment 0 [0x200000, 0x200002) and segment 2 [0x100000, 0x200001) overlap"},
		{"entry outside segments", mutate(simpleImage(), func(b []byte) { put32(b, offEntry, 0x200000) }), 0, "",
			"entry point 0x200000 is not inside any loaded executable segment (executable segments: segment 0 [0x100000, 0x100009))"},
		{"entry in data segment", testImage{entry: 0x100000, segments: []testSegment{{paddr: 0x100000, flags: elf.PF_R | elf.PF_W, data: text}}}.build(), 0, "",
			"entry point 0x100000 is not inside any loaded executable segment (there is no executable (PF_X) PT_LOAD segment)"},
		{"entry at virtual address", func() []byte {
			im := realisticImage()
			im.entry = 0xC010000C
			return im.build()
		}(), 0, "", "entry point 0xc010000c is not inside any loaded executable segment"},
		{"no multiboot header", func() []byte {
			im := simpleImage()
			im.noMultiboot = true
			return im.build()
		}(), 0, "", "no multiboot header: magic 0x1badb002 not found 4-byte aligned in the first 8192 bytes"},
		{"multiboot header past 8 KiB", farHeader(), 0, "", "no multiboot header"},
		{"multiboot header misaligned", func() []byte {
			im := simpleImage()
			im.multiboot = append([]byte{0, 0}, multibootHeader(0x3)...)
			return im.build()
		}(), 0, "", "no multiboot header"},
		{"bad checksum", func() []byte {
			im := simpleImage()
			im.multiboot = multibootHeader(0x3)
			im.multiboot[8]++
			return im.build()
		}(), 0, "", "multiboot header at file offset 0x54 has a bad checksum: magic+flags+checksum = 0x00000001, want 0"},
		{"unsupported required flag", withFlags(0x3 | 1<<3), 0, "",
			"multiboot header at file offset 0x54 requires features preemptlab does not provide (flags 0x0000000b, unsupported required bits 0x0008"},
		{"unsupported required flag 15", withFlags(1 << 15), 0, "", "unsupported required bits 0x8000"},
		{"NUL in command line", simpleImage().build(), 0, "a\x00b", "command line contains a NUL byte"},
		{"no room for info", testImage{entry: 0, segments: []testSegment{{paddr: 0, flags: exec, data: text, memsz: 0x10000}}}.build(), 0x10000, "",
			"no room for the multiboot information"},
		{"no room for long command line", simpleImage().build(), 0x100100, strings.Repeat("x", 0xA0000),
			"no room for the multiboot information (655548 bytes, command line included) in RAM (1048832 bytes)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ramSize := tt.ram
			if ramSize == 0 {
				ramSize = 16 * mib
			}
			ram := bytes.Repeat([]byte{0xAA}, ramSize)
			l, err := boot.Load(tt.image, ram, boot.Options{Cmdline: tt.cmdline, Windows: pcWindows})
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

func TestLoadAccepts(t *testing.T) {
	tests := []struct {
		name  string
		image []byte
	}{
		{"simple", simpleImage().build()},
		{"video mode flag ignored", func() []byte {
			im := simpleImage()
			im.multiboot = multibootHeader(0x7)
			return im.build()
		}()},
		{"optional flags ignored", func() []byte {
			im := simpleImage()
			im.multiboot = multibootHeader(0x3 | 1<<17 | 1<<31)
			return im.build()
		}()},
		{"bad checksum before a good header", func() []byte {
			im := simpleImage()
			bad := multibootHeader(0x3)
			bad[8]++
			im.multiboot = append(bad, multibootHeader(0x3)...)
			return im.build()
		}()},
		{"malformed section headers ignored", mutate(simpleImage(), func(b []byte) {
			put32(b, offShoff, 0xFFFFFF00)
			put16(b, offShentsize, 3)
			put16(b, offShnum, 7)
			put16(b, offShstrndx, 9)
		})},
		{"segments touching", testImage{entry: 0x100000, segments: []testSegment{
			{paddr: 0x100000, flags: elf.PF_R | elf.PF_X, data: text, memsz: 0x1000},
			{paddr: 0x101000, flags: elf.PF_R, data: []byte{1}},
		}}.build()},
		{"segment ends at end of RAM", testImage{entry: 0x100000, segments: []testSegment{
			{paddr: 0x100000, flags: elf.PF_R | elf.PF_X, data: text, memsz: 63 * mib},
		}}.build()},
		{"entry in BSS of executable segment", mutate(simpleImage(), func(b []byte) {
			put32(b, phdrOffset+20, 0x100) // p_memsz
			put32(b, offEntry, 0x1000FF)
		})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ram := make([]byte, 64*mib)
			if _, err := boot.Load(tt.image, ram, boot.Options{Windows: pcWindows}); err != nil {
				t.Fatalf("Load: %v", err)
			}
		})
	}
}

// TestLoadRealistic loads an image laid out as gcc lays one out (text, then
// data+bss) and checks what lands in memory.
func TestLoadRealistic(t *testing.T) {
	im := realisticImage()
	image := im.build()
	ram := bytes.Repeat([]byte{0xAA}, 64*mib)
	l, err := boot.Load(image, ram, boot.Options{Cmdline: "console=ttyS0 model=rt", Windows: pcWindows})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if l.Entry != 0x10000C || l.Magic != 0x2BADB002 {
		t.Errorf("Load: Entry %#x Magic %#x, want 0x10000c 0x2badb002", l.Entry, l.Magic)
	}
	wantSegs := []boot.Segment{
		{Addr: 0x100000, FileSize: uint32(len(im.segments[0].data)), MemSize: uint32(len(im.segments[0].data))},
		{Addr: 0x101000, FileSize: uint32(len(im.segments[1].data)), MemSize: 0x3000},
	}
	if len(l.Segments) != len(wantSegs) {
		t.Fatalf("Segments = %+v, want %+v", l.Segments, wantSegs)
	}
	for i := range wantSegs {
		if l.Segments[i] != wantSegs[i] {
			t.Errorf("Segments[%d] = %+v, want %+v", i, l.Segments[i], wantSegs[i])
		}
	}

	for _, s := range im.segments[:2] {
		if got := ram[s.paddr : s.paddr+uint32(len(s.data))]; !bytes.Equal(got, s.data) {
			t.Errorf("RAM at %#x = % x, want % x", s.paddr, got, s.data)
		}
	}
	bss := ram[0x101000+len(im.segments[1].data) : 0x104000]
	if i := firstNot(bss, 0); i >= 0 {
		t.Errorf("BSS not zeroed at %#x", 0x101000+len(im.segments[1].data)+i)
	}
	if ram[0x104000] != 0xAA || ram[0xFFFFF] != 0xAA {
		t.Errorf("Load wrote outside its segments: ram[0xfffff] = %#x, ram[0x104000] = %#x", ram[0xFFFFF], ram[0x104000])
	}

	checkInfo(t, ram, l.InfoAddr, 0x1000, 64*mib, "console=ttyS0 model=rt")
}

// TestLoadInfo checks the information structure for several RAM sizes and
// image layouts.
func TestLoadInfo(t *testing.T) {
	exec := elf.PF_R | elf.PF_X
	tests := []struct {
		name     string
		image    testImage
		ram      int
		cmdline  string
		wantAddr uint32
	}{
		{"64 MiB", simpleImage(), 64 * mib, "", 0x1000},
		{"segment at 0x1000", testImage{entry: 0x1000, segments: []testSegment{{paddr: 0x1000, flags: exec, data: text, memsz: 0x1800}}}, 4 * mib, "x", 0x3000},
		{"segment at 0x1040", testImage{entry: 0x1040, segments: []testSegment{{paddr: 0x1040, flags: exec, data: text}}}, 4 * mib, "", 0x2000},
		{"segment at 0x1800", testImage{entry: 0x1800, segments: []testSegment{{paddr: 0x1800, flags: exec, data: text}}}, 4 * mib, "", 0x1000},
		{"low memory full", testImage{entry: 0x1000, segments: []testSegment{
			{paddr: 0x1000, flags: exec, data: text, memsz: 0x9E000},
			{paddr: 0x200000, flags: elf.PF_R, data: []byte{1}, memsz: 0x1001},
		}}, 4 * mib, "cmd", 0x202000},
		{"long command line", simpleImage(), 4 * mib, strings.Repeat("abc ", 300), 0x1000},
		{"command line too long for low memory", simpleImage(), 4 * mib, strings.Repeat("y", 0xA0000), 0x101000},
		{"under 1 MiB", testImage{entry: 0x10000, segments: []testSegment{{paddr: 0x10000, flags: exec, data: text}}}, 512 << 10, "small", 0x1000},
		{"between 640 KiB and 1 MiB", testImage{entry: 0x10000, segments: []testSegment{{paddr: 0x10000, flags: exec, data: text}}}, 0xC0000, "", 0x1000},
		{"odd RAM size", simpleImage(), 3*mib + 1000, "", 0x1000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ram := make([]byte, tt.ram)
			l, err := boot.Load(tt.image.build(), ram, boot.Options{Cmdline: tt.cmdline, Windows: pcWindows})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			checkInfo(t, ram, l.InfoAddr, tt.wantAddr, uint64(tt.ram), tt.cmdline)
			// The information must not overlap the image.
			end := l.InfoAddr + 192 + uint32(len(tt.cmdline)) + 1
			for _, s := range l.Segments {
				if l.InfoAddr < s.Addr+s.MemSize && s.Addr < end {
					t.Errorf("information [%#x, %#x) overlaps segment %+v", l.InfoAddr, end, s)
				}
			}
		})
	}
}

// checkInfo checks the multiboot information structure at addr.
func checkInfo(t *testing.T, ram []byte, addr, wantAddr uint32, ramSize uint64, cmdline string) {
	t.Helper()
	if addr != wantAddr {
		t.Errorf("InfoAddr = %#x, want %#x", addr, wantAddr)
	}
	if addr%4 != 0 || uint64(addr)+88 > uint64(len(ram)) {
		t.Fatalf("InfoAddr %#x misaligned or outside RAM", addr)
	}
	le := binary.LittleEndian
	u32 := func(a uint32) uint32 { return le.Uint32(ram[a:]) }
	field := func(off uint32) uint32 { return u32(addr + off) }

	if got, want := field(0), uint32(1<<0|1<<2|1<<6|1<<9); got != want {
		t.Errorf("flags = %#x, want %#x", got, want)
	}
	wantLower, wantUpper := uint32(640), uint32(0)
	if ramSize >= mib {
		wantUpper = uint32((ramSize - mib) / 1024)
	} else {
		wantLower = uint32(min(ramSize/1024, 640))
	}
	if got := field(4); got != wantLower {
		t.Errorf("mem_lower = %d, want %d", got, wantLower)
	}
	if got := field(8); got != wantUpper {
		t.Errorf("mem_upper = %d, want %d", got, wantUpper)
	}
	if got := field(20); got != 0 {
		t.Errorf("mods_count = %d, want 0", got)
	}
	if got := cString(ram, field(16)); got != cmdline {
		t.Errorf("cmdline = %q, want %q", got, cmdline)
	}
	if got := cString(ram, field(64)); got != "preemptlab" {
		t.Errorf("boot_loader_name = %q, want \"preemptlab\"", got)
	}

	type entry struct {
		base, length uint64
		typ          uint32
	}
	want := []entry{{0, min(ramSize, 0x9FC00), 1}}
	if ramSize > mib {
		want = append(want, entry{mib, ramSize - mib, 1})
	}
	mmapLen, mmapAddr := field(44), field(48)
	var got []entry
	for a := mmapAddr; a < mmapAddr+mmapLen; {
		size := u32(a)
		got = append(got, entry{le.Uint64(ram[a+4:]), le.Uint64(ram[a+12:]), u32(a + 20)})
		if size != 20 {
			t.Errorf("mmap entry at %#x: size %d, want 20", a, size)
			break
		}
		a += size + 4
	}
	if len(got) != len(want) {
		t.Fatalf("mmap = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("mmap[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
}

// cString returns the NUL-terminated string at addr.
func cString(ram []byte, addr uint32) string {
	if uint64(addr) >= uint64(len(ram)) {
		return "<outside RAM>"
	}
	s := ram[addr:]
	if i := bytes.IndexByte(s, 0); i >= 0 {
		return string(s[:i])
	}
	return "<unterminated>"
}

// firstNot returns the index of the first byte of b that is not v, or -1.
func firstNot(b []byte, v byte) int {
	for i, c := range b {
		if c != v {
			return i
		}
	}
	return -1
}
