package emu

// This file attaches the 8254 PIT to the machine.

import "preemptlab/pit"

// pitPorts adapts the PIT's byte-wide ports to the port bus.
type pitPorts struct{ p *pit.PIT }

func (a pitPorts) InByte(port uint16) uint8     { return a.p.In(port) }
func (a pitPorts) OutByte(port uint16, v uint8) { a.p.Out(port, v) }

// attachPIT puts the PIT on ports 0x40–0x43 and 0x61 with channel 0's OUT
// on ISA IRQ 0, and programs channel 0 as a PC's firmware leaves it (mode
// 3, count 65536: 18.2 Hz), which is what a guest booted by QEMU finds.
func (m *Machine) attachPIT() {
	p := pit.New(m, m.cfg.MHz*1_000_000, func(level bool) { m.SetIRQ(0, level) })
	for _, port := range p.Ports() {
		m.MapPorts(port, 1, bytePorts{pitPorts{p}})
	}
	p.Out(pit.PortControl, 0x36) // channel 0, lobyte/hibyte, mode 3, binary
	p.Out(pit.PortChannel0, 0)
	p.Out(pit.PortChannel0, 0)
	m.pit = p
}
