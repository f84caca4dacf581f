package tests

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// bareImage builds a multiboot ELF32 image whose one segment, loaded at
// addr, holds a multiboot header followed by code; the entry point is the
// first byte of code.
func bareImage(addr uint32, code []byte) []byte {
	const ehsize, phsize = 52, 32
	var seg bytes.Buffer
	le := binary.LittleEndian
	magic := uint32(0x1BADB002)
	binary.Write(&seg, le, []uint32{magic, 0, -magic})
	seg.Write(code)
	off := uint32(ehsize + phsize)
	var f bytes.Buffer
	f.Write([]byte{0x7F, 'E', 'L', 'F', 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	binary.Write(&f, le, []uint16{2, 3})                       // ET_EXEC, EM_386
	binary.Write(&f, le, []uint32{1, addr + 12, ehsize, 0, 0}) // version, entry, phoff, shoff, flags
	binary.Write(&f, le, []uint16{ehsize, phsize, 1, 40, 0, 0})
	binary.Write(&f, le, []uint32{1, off, addr, addr, uint32(seg.Len()), uint32(seg.Len()), 7, 4})
	f.Write(seg.Bytes())
	return f.Bytes()
}

// elf64 is the header of a 64-bit x86-64 executable.
func elf64() []byte {
	b := make([]byte, 64)
	copy(b, []byte{0x7F, 'E', 'L', 'F', 2, 1, 1})
	binary.LittleEndian.PutUint16(b[16:], 2)
	binary.LittleEndian.PutUint16(b[18:], 62)
	binary.LittleEndian.PutUint32(b[20:], 1)
	return b
}

// badInputTimeout bounds one run of TestBadInput in host time: every case
// ends within a second, unless the command hangs (reading /dev/zero).
const badInputTimeout = 60 * time.Second

// TestBadInput runs the command on images that are wrong or that go
// wrong, and checks each gets a clear message and a non-zero status, never
// a Go panic or a hang.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	endOfRAM := uint32(2<<20) - 16
	big := write("big.elf", nil) // one byte more than 1 MiB, sparse
	if err := os.Truncate(big, 1<<20+1); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		image  string
		flags  []string
		status int
		want   []string // in stderr
	}{
		{"empty file", write("empty.elf", nil), nil, 2, []string{"not an ELF"}},
		{"text file", write("text.elf", []byte("hello, world\n")), nil, 2, []string{"not an ELF"}},
		{"64-bit ELF", write("elf64.elf", elf64()), nil, 2, []string{"64-bit"}},
		{"missing file", filepath.Join(dir, "nope.elf"), nil, 2, []string{"no such file", "no built-in image"}},
		{"segment outside RAM", builtinDir + "/hash.elf", []string{"--mem", "1"}, 2, []string{"outside", "--mem"}},
		{"bad flag", builtinDir + "/hash.elf", []string{"--cpus", "9"}, 2, []string{"1 to 8"}},
		{"undefined opcode, no IDT", write("ud2.elf", bareImage(0x100000, []byte{0x0F, 0x0B})), nil, 4,
			[]string{"triple fault", "#UD", "ud2", "EIP="}},
		{"jump into MMIO", write("mmio.elf", bareImage(0x100000, []byte{0xB8, 0, 0, 0xE0, 0xFE, 0xFF, 0xE0})), nil, 4,
			[]string{"instruction fetch at linear address 0xfee00000"}},
		{"stack overflow into nothing", write("stack.elf", bareImage(0x100000, []byte{
			0xBC, 0x10, 0, 0, 0, // mov esp, 0x10
			0x50, 0xEB, 0xFD, // 1: push eax; jmp 1b
		})), nil, 4, []string{"write of 4 byte(s) at physical address 0xfffffffc: nothing is there", "push eax"}},
		{"truncated instruction at the end of RAM", write("trunc.elf", bareImage(endOfRAM, []byte{0x90, 0xB8})),
			[]string{"--mem", "2"}, 4, []string{"instruction fetch", "runs outside RAM"}},
		{"runaway guest", write("spin.elf", bareImage(0x100000, []byte{0xEB, 0xFE})), []string{"--max-cycles", "100000"}, 6,
			[]string{"cycle budget of 100000 cycles", "jmp"}},
		{"file larger than RAM", big, []string{"--mem", "1"}, 2, []string{"1048577 bytes, more than the machine's 1 MiB of RAM"}},
		{"endless device", "/dev/zero", []string{"--mem", "1"}, 2, []string{"/dev/zero is not a regular file", "more than the machine's 1 MiB of RAM"}},
		{"directory", dir, nil, 2, []string{"is a directory"}},
		{"halt with interrupts off", write("halt.elf", bareImage(0x100000, []byte{0xFA, 0xF4})), nil, 0,
			[]string{"all processors halted with interrupts disabled"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"run", "--gops", "off", tc.image}, tc.flags...)
			ctx, cancel := context.WithTimeout(context.Background(), badInputTimeout)
			defer cancel()
			cmd := exec.CommandContext(ctx, preemptlabBin, args...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			if ctx.Err() != nil {
				t.Fatalf("preemptlab %s: no exit within %v (host time)\nstderr:\n%s", strings.Join(args, " "), badInputTimeout, stderr.String())
			}
			status := 0
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				status = exit.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if status != tc.status {
				t.Errorf("preemptlab %s: status %d, want %d\nstderr:\n%s", strings.Join(args, " "), status, tc.status, stderr.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("preemptlab %s: stderr lacks %q:\n%s", strings.Join(args, " "), w, stderr.String())
				}
			}
			if strings.Contains(stderr.String(), "goroutine ") || strings.Contains(stderr.String(), "panic:") {
				t.Errorf("a Go panic:\n%s", stderr.String())
			}
		})
	}
}
