package boot_test

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"

	"preemptlab/boot"
)

// FuzzLoad feeds arbitrary bytes to Load: it must never panic, every error
// must carry the package's context, and whatever it accepts must be
// enterable (entry, segments and information inside RAM).
//
// Seeds: testdata/fuzz/FuzzLoad, plus the images the tests build.
func FuzzLoad(f *testing.F) {
	f.Add(simpleImage().build())
	f.Add(realisticImage().build())
	f.Add(mutate(simpleImage(), func(b []byte) { b[offClass] = 2 }))
	f.Add([]byte("\x7fELF"))
	f.Add(rawImage(0x100000, 16))
	f.Add(addressELF(0x200000))

	// One RAM for every input: Load's result does not depend on what RAM
	// held, and allocating 4 MiB an input would slow the fuzzer down.
	ram := make([]byte, 4<<20)
	f.Fuzz(func(t *testing.T, image []byte) {
		l, err := boot.Load(image, ram, boot.Options{Cmdline: "fuzz", Windows: pcWindows})
		if err != nil {
			if l != nil {
				t.Errorf("Load returned %+v and error %v", l, err)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "boot: ") || strings.Contains(msg, "internal error") {
				t.Fatalf("Load error %q", msg)
			}
			return
		}
		if l.Magic != 0x2BADB002 || len(l.Segments) == 0 {
			t.Fatalf("Load = %+v", l)
		}
		entryOK := false
		for _, s := range l.Segments {
			end := uint64(s.Addr) + uint64(s.MemSize)
			if end > uint64(len(ram)) || s.FileSize > s.MemSize {
				t.Fatalf("segment %+v outside RAM or inconsistent", s)
			}
			if l.Entry >= s.Addr && uint64(l.Entry) < end {
				entryOK = true
			}
			// The information structure overlaps no segment.
			if l.InfoAddr < s.Addr+s.MemSize && s.Addr < l.InfoAddr+128 {
				t.Fatalf("information at %#x overlaps segment %+v", l.InfoAddr, s)
			}
		}
		if !entryOK {
			t.Fatalf("entry %#x outside every segment %+v", l.Entry, l.Segments)
		}
		if uint64(l.InfoAddr)+128 > uint64(len(ram)) {
			t.Fatalf("information at %#x outside RAM", l.InfoAddr)
		}
		if got := cString(ram, binary.LittleEndian.Uint32(ram[l.InfoAddr+16:])); got != "fuzz" {
			t.Fatalf("cmdline = %q", got)
		}
		if mmap := binary.LittleEndian.Uint32(ram[l.InfoAddr+48:]); !bytes.Equal(ram[mmap:mmap+4], []byte{20, 0, 0, 0}) {
			t.Fatalf("memory map entry size field = % x", ram[mmap:mmap+4])
		}
	})
}
