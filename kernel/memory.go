package kernel

// This file implements the kernel's access to guest memory: checked reads
// and writes of the pointers images pass, and strings.

import (
	"encoding/binary"
)

// maxString bounds the guest strings the kernel reads (names).
const maxString = 256

// nullGuard is where the memory an image may pass pointers to starts:
// the first page is never valid, as Linux never maps page 0, so that a
// NULL pointer (or a small offset from one) is -EFAULT, not a read or
// write of low memory.
const nullGuard = pageSize

// inRAM reports whether [addr, addr+n) lies in RAM, above the first page.
func (k *Kernel) inRAM(addr, n uint32) bool {
	return addr >= nullGuard && uint64(addr)+uint64(n) <= uint64(len(k.m.RAM()))
}

// writeGuest writes b at addr, invalidating translated code there; false
// if it does not fit in RAM (above the first page).
func (k *Kernel) writeGuest(addr uint32, b []byte) bool {
	return k.inRAM(addr, uint32(len(b))) && k.m.CPUs()[0].WriteRAM(addr, b)
}

// readU32 reads a 32-bit word.
func (k *Kernel) readU32(addr uint32) (uint32, bool) {
	if !k.inRAM(addr, 4) {
		return 0, false
	}
	return binary.LittleEndian.Uint32(k.m.RAM()[addr:]), true
}

// writeU32 writes a 32-bit word.
func (k *Kernel) writeU32(addr, v uint32) bool {
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], v)
	return k.writeGuest(addr, b[:])
}

// readBytes returns a copy of n bytes at addr.
func (k *Kernel) readBytes(addr, n uint32) ([]byte, bool) {
	if !k.inRAM(addr, n) {
		return nil, false
	}
	return append([]byte(nil), k.m.RAM()[addr:addr+n]...), true
}

// readString reads a NUL-terminated string of at most maxString bytes; ok
// is false if it runs out of RAM or has no NUL within the bound.
func (k *Kernel) readString(addr uint32) (string, bool) {
	ram := k.m.RAM()
	if addr < nullGuard {
		return "", false
	}
	for n := uint32(0); n < maxString; n++ {
		if uint64(addr)+uint64(n) >= uint64(len(ram)) {
			return "", false
		}
		if ram[addr+n] == 0 {
			return string(ram[addr : addr+n]), true
		}
	}
	return "", false
}

// name reads a name (a task's, a lock's, an IRQ's): strings the image
// passes once and the kernel keeps, read again only if unseen. A bad
// pointer gives a placeholder naming the address.
func (k *Kernel) name(addr uint32) string {
	if addr == 0 {
		return ""
	}
	if s, ok := k.names[addr]; ok {
		return s
	}
	s, ok := k.readString(addr)
	if !ok {
		return ""
	}
	k.names[addr] = s
	return s
}
