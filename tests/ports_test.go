package tests

import (
	"strings"
	"testing"

	"preemptlab/emu"
)

// nullPorts is a port device that reads zero and ignores writes.
type nullPorts struct{}

func (nullPorts) In(port uint16, size int) uint32     { return 0 }
func (nullPorts) Out(port uint16, size int, v uint32) {}

// TestMapPortsRefusesClaimedPorts checks that a device cannot be mapped
// over ports another device holds (the machine's own COM1 here), that
// the refused range claims nothing, and that the traffic devices stop
// below COM1 with an error naming the limit.
func TestMapPortsRefusesClaimedPorts(t *testing.T) {
	m, err := emu.New(emu.Config{MemMB: 1, CPUs: 1})
	if err != nil {
		t.Fatal(err)
	}
	err = m.MapPorts(0x3F0, 16, nullPorts{})
	if err == nil || !strings.Contains(err.Error(), "port 0x3f8 already belongs to another device") {
		t.Errorf("MapPorts over COM1: %v, want a refusal naming port 0x3f8", err)
	}
	// 0x3F0-0x3F7 were free and must still be: the refusal claimed nothing.
	if err := m.MapPorts(0x3F0, 8, nullPorts{}); err != nil {
		t.Errorf("MapPorts 0x3F0-0x3F7 after a refused range: %v", err)
	}
	if err := m.MapPorts(0xFFFF, 2, nullPorts{}); err == nil {
		t.Error("MapPorts past port 0xFFFF: no error")
	}

	m, err = emu.New(emu.Config{MemMB: 1, CPUs: 1})
	if err != nil {
		t.Fatal(err)
	}
	cfg := emu.TrafficConfig{IRQ: 11, Rate: 1000}
	for i := 0; i < emu.MaxTraffic; i++ {
		if err := m.AddTraffic(cfg, i); err != nil {
			t.Fatalf("traffic device %d: %v", i, err)
		}
	}
	if emu.MaxTraffic != 15 {
		t.Errorf("MaxTraffic = %d, want 15 (0x300-0x3EF, below COM1)", emu.MaxTraffic)
	}
	err = m.AddTraffic(cfg, emu.MaxTraffic)
	if err == nil || !strings.Contains(err.Error(), "at most 15 traffic devices") {
		t.Errorf("traffic device %d: %v, want the limit named", emu.MaxTraffic, err)
	}
	if err := m.AddTraffic(cfg, 0); err == nil {
		t.Error("traffic device 0 added twice: no error")
	}
}
