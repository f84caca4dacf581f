package kernel

// This file implements the image's symbol table, so that reports name the
// function an address lies in.

import (
	"bytes"
	"debug/elf"
	"fmt"
	"sort"
)

// symbols are the image's function symbols, sorted by address.
type symbols struct {
	addr []uint32
	size []uint32
	name []string
}

// readSymbols reads the function symbols of an ELF image (none if it has
// no symbol table, or is not ELF).
func readSymbols(image []byte) *symbols {
	s := &symbols{}
	f, err := elf.NewFile(bytes.NewReader(image))
	if err != nil {
		return s
	}
	syms, err := f.Symbols()
	if err != nil {
		return s
	}
	sort.SliceStable(syms, func(i, j int) bool { return syms[i].Value < syms[j].Value })
	for _, y := range syms {
		if elf.ST_TYPE(y.Info) != elf.STT_FUNC || y.Value == 0 {
			continue
		}
		s.addr = append(s.addr, uint32(y.Value))
		s.size = append(s.size, uint32(y.Size))
		s.name = append(s.name, y.Name)
	}
	return s
}

// lookup returns "func+0xoff" for an address inside a function.
func (s *symbols) lookup(a uint32) (string, bool) {
	i := sort.Search(len(s.addr), func(i int) bool { return s.addr[i] > a }) - 1
	if i < 0 || (s.size[i] != 0 && a >= s.addr[i]+s.size[i]) {
		return "", false
	}
	return fmt.Sprintf("%s+%#x", s.name[i], a-s.addr[i]), true
}

// where formats an address with its symbol: "0x00101234 (main+0x24)".
func (s *symbols) where(a uint32) string {
	if n, ok := s.lookup(a); ok {
		return fmt.Sprintf("%#08x (%s)", a, n)
	}
	return fmt.Sprintf("%#08x", a)
}

// ps formats an address as the kernel's %pS does: "func+0x24/0x40", or
// the bare address when no symbol holds it.
func (s *symbols) ps(a uint32) string {
	i := sort.Search(len(s.addr), func(i int) bool { return s.addr[i] > a }) - 1
	if i < 0 || (s.size[i] != 0 && a >= s.addr[i]+s.size[i]) {
		return fmt.Sprintf("%#08x", a)
	}
	return fmt.Sprintf("%s+%#x/%#x", s.name[i], a-s.addr[i], s.size[i])
}

// function returns the name of the function at address a exactly, or "".
func (s *symbols) function(a uint32) string {
	i := sort.Search(len(s.addr), func(i int) bool { return s.addr[i] >= a })
	if i < len(s.addr) && s.addr[i] == a {
		return s.name[i]
	}
	return ""
}
