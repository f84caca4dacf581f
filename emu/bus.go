package emu

// This file implements the port and MMIO buses the processors reach
// through cpu.Bus, and the report of an access with nothing behind it.

import (
	"fmt"
)

// PortDevice is a device on the I/O port bus.
type PortDevice interface {
	// In reads size (1, 2 or 4) bytes at port.
	In(port uint16, size int) uint32
	// Out writes size bytes at port.
	Out(port uint16, size int, v uint32)
}

// MMIODevice is a device in a memory-mapped window.
type MMIODevice interface {
	// Read reads size bytes at offset off of the window, for processor cpu.
	Read(cpu int, off uint32, size int) uint32
	// Write writes size bytes at offset off of the window.
	Write(cpu int, off uint32, size int, v uint32)
}

// mmioWindow is a claimed range of physical addresses.
type mmioWindow struct {
	base, size uint32
	name       string
	dev        MMIODevice
}

// MapPorts claims ports [first, first+n) for dev. It refuses, claiming
// none of them, a range that runs past port 0xFFFF or that holds a port
// another device has already claimed: a device mapped over another would
// silently take its ports away (a 16th traffic device took COM1's, and
// the console went quiet).
func (m *Machine) MapPorts(first uint16, n int, dev PortDevice) error {
	last := int(first) + n - 1
	if n < 1 || last > 0xFFFF {
		return fmt.Errorf("ports %#x+%d: not a range of the 64 Ki I/O ports", first, n)
	}
	for p := int(first); p <= last; p++ {
		if m.ports[p] != nil {
			return fmt.Errorf("ports %#x-%#x: port %#x already belongs to another device", first, last, p)
		}
	}
	for p := int(first); p <= last; p++ {
		m.ports[p] = dev
	}
	return nil
}

// MapMMIO claims the physical window [base, base+size) for dev.
func (m *Machine) MapMMIO(base, size uint32, name string, dev MMIODevice) {
	m.mmio = append(m.mmio, mmioWindow{base: base, size: size, name: name, dev: dev})
}

// ByteDevice is a port device with byte-wide registers; wider accesses
// are split into bytes at consecutive ports, as the ISA bus does.
type ByteDevice interface {
	InByte(port uint16) uint8
	OutByte(port uint16, v uint8)
}

// bytePorts adapts a ByteDevice to PortDevice.
type bytePorts struct{ d ByteDevice }

func (b bytePorts) In(port uint16, size int) uint32 {
	var v uint32
	for i := 0; i < size; i++ {
		v |= uint32(b.d.InByte(port+uint16(i))) << (8 * i)
	}
	return v
}

func (b bytePorts) Out(port uint16, size int, v uint32) {
	for i := 0; i < size; i++ {
		b.d.OutByte(port+uint16(i), uint8(v>>(8*i)))
	}
}

// busAdapter is what one processor sees as its cpu.Bus.
type busAdapter struct{ m *Machine }

func (b busAdapter) window(addr uint32, size int) (*mmioWindow, bool) {
	for i := range b.m.mmio {
		w := &b.m.mmio[i]
		if addr >= w.base && uint64(addr)+uint64(size) <= uint64(w.base)+uint64(w.size) {
			return w, true
		}
	}
	return nil, false
}

func (b busAdapter) ReadPhys(cpu int, addr uint32, size int) (uint32, bool) {
	w, ok := b.window(addr, size)
	if !ok {
		return 0, false
	}
	return w.dev.Read(cpu, addr-w.base, size), true
}

func (b busAdapter) WritePhys(cpu int, addr uint32, size int, v uint32) bool {
	w, ok := b.window(addr, size)
	if !ok {
		return false
	}
	w.dev.Write(cpu, addr-w.base, size, v)
	return true
}

func (b busAdapter) In(cpu int, port uint16, size int) (uint32, bool) {
	if d := b.m.ports[port]; d != nil {
		return d.In(port, size), true
	}
	b.m.unclaimedPort("in", port, size)
	return uint32(1)<<(8*size) - 1, true // an ISA bus with nothing on it reads all ones
}

func (b busAdapter) Out(cpu int, port uint16, size int, v uint32) bool {
	if d := b.m.ports[port]; d != nil {
		d.Out(port, size, v)
		return true
	}
	b.m.unclaimedPort("out", port, size)
	return true
}

// ReadMSR and WriteMSR reach the local APICs' MSRs, the only ones the
// machine has.
func (b busAdapter) ReadMSR(cpu int, msr uint32) (uint64, bool) {
	return b.m.apic.ReadMSR(cpu, msr)
}

func (b busAdapter) WriteMSR(cpu int, msr uint32, v uint64) bool {
	return b.m.apic.WriteMSR(cpu, msr, v)
}

func (b busAdapter) Acknowledge(cpu int) (uint8, bool) { return b.m.acknowledge(cpu) }

// unclaimedPort reports, once per port, an access with no device behind
// it. Reads return all ones and writes are dropped, as on a PC's ISA bus,
// because real kernels probe for devices that may be absent.
func (m *Machine) unclaimedPort(what string, port uint16, size int) {
	if m.warnedPorts[port] {
		return
	}
	m.warnedPorts[port] = true
	m.logf("warning: cpu%d: %s of %d byte(s) at port %#04x: no device there (reads all ones, writes dropped)",
		m.running.ID, what, size, port)
}

func (m *Machine) logf(format string, args ...any) {
	if m.cfg.Log != nil {
		fmt.Fprintf(m.cfg.Log, "preemptlab: "+format+"\n", args...)
	}
}
