package apic_test

import (
	"slices"
	"testing"

	"preemptlab/apic"
)

// Redirection entry bits.
const (
	redLowest    = 1 << 8
	redNMI       = 4 << 8
	redINIT      = 5 << 8
	redExtINT    = 7 << 8
	redLogical   = 1 << 11
	redActiveLow = 1 << 13
	redRemoteIRR = 1 << 14
	redLevel     = 1 << 15
	redMasked    = 1 << 16
)

// ioRead and ioWrite reach an indirect IO-APIC register.
func ioRead(io *apic.IOAPIC, reg uint32) uint32 {
	io.Write(apic.IORegSel, reg)
	return io.Read(apic.IOWin)
}

func ioWrite(io *apic.IOAPIC, reg, v uint32) {
	io.Write(apic.IORegSel, reg)
	io.Write(apic.IOWin, v)
}

// route programs pin's redirection entry.
func route(io *apic.IOAPIC, pin int, low uint32, dest uint8) {
	ioWrite(io, 0x11+2*uint32(pin), uint32(dest)<<24)
	ioWrite(io, 0x10+2*uint32(pin), low)
}

func TestIOAPICRegisters(t *testing.T) {
	r := newRig(t, 2)
	io := r.sys.IOAPIC()
	tests := []struct {
		name  string
		reg   uint32
		write *uint32 // nil: read the reset value
		want  uint32
	}{
		{name: "ID reset", reg: 0x00, want: 0},
		{name: "version", reg: 0x01, want: 0x00170011},
		{name: "arbitration reset", reg: 0x02, want: 0},
		{name: "pin 0 low reset", reg: 0x10, want: 0x00010000},
		{name: "pin 0 high reset", reg: 0x11, want: 0},
		{name: "pin 23 low reset", reg: 0x3E, want: 0x00010000},
		{name: "pin 23 high reset", reg: 0x3F, want: 0},
		{name: "reserved 0x03", reg: 0x03, want: 0},
		{name: "reserved 0x0F", reg: 0x0F, want: 0},
		{name: "past the table", reg: 0x40, want: 0},
		{name: "0xFF", reg: 0xFF, want: 0},
		{name: "ID write", reg: 0x00, write: ptr(0xFFFFFFFF), want: 0x0F000000},
		{name: "version read only", reg: 0x01, write: ptr(0), want: 0x00170011},
		{name: "arbitration read only", reg: 0x02, write: ptr(0x05000000), want: 0x0F000000},
		{name: "reserved write", reg: 0x05, write: ptr(0xFFFFFFFF), want: 0},
		{name: "low entry writable bits", reg: 0x12, write: ptr(0xFFFFFFFF), want: 0x0001AFFF},
		{name: "low entry edge", reg: 0x14, write: ptr(0x000150A5), want: 0x000100A5},
		{name: "high entry writable bits", reg: 0x13, write: ptr(0xFFFFFFFF), want: 0xFF000000},
	}
	for _, tt := range tests {
		if tt.write != nil {
			ioWrite(io, tt.reg, *tt.write)
		}
		if got := ioRead(io, tt.reg); got != tt.want {
			t.Errorf("%s: register %#x = %#08x, want %#08x", tt.name, tt.reg, got, tt.want)
		}
	}
	ioWrite(io, 0x00, 0x0A000000)
	if got := ioRead(io, 0x02); got != 0x0A000000 {
		t.Errorf("arbitration ID = %#x, want the ID 0x0A000000", got)
	}
	io.Write(apic.IORegSel, 0xFFFFFF12)
	if got := io.Read(apic.IORegSel); got != 0x12 {
		t.Errorf("IOREGSEL reads %#x, want 0x12", got)
	}
	for _, off := range []uint32{0x04, 0x08, 0x14, 0x20, 0x40, 0x100, 0xFFC} {
		io.Write(off, 0xFFFFFFFF)
		if got := io.Read(off); got != 0 {
			t.Errorf("Read(%#x) = %#x, want 0", off, got)
		}
	}
	if got := io.Read(apic.IORegSel); got != 0x12 {
		t.Errorf("a write elsewhere changed IOREGSEL to %#x", got)
	}
}

func ptr(v uint32) *uint32 { return &v }

func TestIOAPICEdge(t *testing.T) {
	r := newRig(t, 2)
	r.enableAll()
	io := r.sys.IOAPIC()
	l := r.sys.LAPIC(1)
	route(io, 4, 0x41, 1)
	pending := func() []int { return vectors(l, apic.RegIRR) }

	io.SetIRQ(4, true)
	if got := pending(); !slices.Equal(got, []int{0x41}) {
		t.Fatalf("rising edge: IRR %#x", got)
	}
	if got := r.cpus.take(); !slices.Equal(got, []string{"kick 1"}) {
		t.Errorf("log %q", got)
	}
	if got := service(l); got != 0x41 {
		t.Errorf("vector %#x", got)
	}
	io.SetIRQ(4, true) // still high: no edge
	io.SetIRQ(4, false)
	if got := pending(); len(got) != 0 {
		t.Errorf("no rising edge, yet IRR %#x", got)
	}
	if got := ioRead(io, 0x18); got&redRemoteIRR != 0 {
		t.Errorf("edge entry has remote IRR")
	}
	// Masked: the edge is forgotten, unmasking sends nothing.
	route(io, 4, redMasked|0x41, 1)
	io.SetIRQ(4, true)
	route(io, 4, 0x41, 1)
	if got := pending(); len(got) != 0 {
		t.Errorf("masked edge remembered: IRR %#x", got)
	}
	io.SetIRQ(4, false)
	// Active low: the falling edge is the active one.
	route(io, 4, redActiveLow|0x42, 1)
	io.SetIRQ(4, true)
	if got := pending(); len(got) != 0 {
		t.Errorf("active-low pin fired on a rising edge")
	}
	io.SetIRQ(4, false)
	if got := pending(); !slices.Equal(got, []int{0x42}) {
		t.Errorf("active-low pin on its falling edge: IRR %#x", got)
	}
	// Out-of-range pins are ignored.
	for _, pin := range []int{-1, 24, 1000} {
		io.SetIRQ(pin, true)
	}
}

func TestIOAPICLevel(t *testing.T) {
	r := newRig(t, 2)
	r.enableAll()
	io := r.sys.IOAPIC()
	l := r.sys.LAPIC(0)
	route(io, 9, redLevel|0x51, 0)
	remoteIRR := func() bool { return ioRead(io, 0x10+2*9)&redRemoteIRR != 0 }

	io.SetIRQ(9, true)
	if !remoteIRR() || !slices.Equal(vectors(l, apic.RegIRR), []int{0x51}) {
		t.Fatalf("level assert: remote IRR %v, IRR %#x", remoteIRR(), vectors(l, apic.RegIRR))
	}
	if got := vectors(l, apic.RegTMR); !slices.Equal(got, []int{0x51}) {
		t.Errorf("TMR = %#x, want [0x51]", got)
	}
	if got := l.Acknowledge(); got != 0x51 {
		t.Fatalf("vector %#x", got)
	}
	// Writing the entry cannot clear remote IRR, nor resend.
	route(io, 9, redLevel|0x51, 0)
	io.SetIRQ(9, true)
	if !remoteIRR() || len(vectors(l, apic.RegIRR)) != 0 {
		t.Errorf("resent while remote IRR set")
	}
	// EOI with the line still asserted: remote IRR clears, and it is sent again.
	l.Write(apic.RegEOI, 0)
	if !remoteIRR() || !slices.Equal(vectors(l, apic.RegIRR), []int{0x51}) {
		t.Errorf("EOI with line high: remote IRR %v, IRR %#x", remoteIRR(), vectors(l, apic.RegIRR))
	}
	io.SetIRQ(9, false)
	if got := service(l); got != 0x51 {
		t.Errorf("vector %#x", got)
	}
	if remoteIRR() || len(vectors(l, apic.RegIRR)) != 0 {
		t.Errorf("EOI with line low: remote IRR %v, IRR %#x", remoteIRR(), vectors(l, apic.RegIRR))
	}
	// Masked while asserted: sent when unmasked.
	route(io, 9, redMasked|redLevel|0x51, 0)
	io.SetIRQ(9, true)
	if len(vectors(l, apic.RegIRR)) != 0 {
		t.Errorf("masked level pin sent")
	}
	route(io, 9, redLevel|0x51, 0)
	if !remoteIRR() || !slices.Equal(vectors(l, apic.RegIRR), []int{0x51}) {
		t.Errorf("unmasking an asserted level pin did not send")
	}
	// Becoming edge triggered clears remote IRR.
	route(io, 9, 0x51, 0)
	if remoteIRR() {
		t.Errorf("edge entry kept remote IRR")
	}
}

func TestIOAPICLevelActiveLow(t *testing.T) {
	r := newRig(t, 1)
	r.enableAll()
	io := r.sys.IOAPIC()
	l := r.sys.LAPIC(0)
	io.SetIRQ(11, true) // idle high
	route(io, 11, redActiveLow|redLevel|0x61, 0)
	if len(vectors(l, apic.RegIRR)) != 0 {
		t.Fatalf("active-low level pin sent while high")
	}
	io.SetIRQ(11, false)
	if got := service(l); got != 0x61 {
		t.Errorf("active-low level pin low: vector %#x", got)
	}
	// Still low after the EOI: sent again.
	if got := service(l); got != 0x61 {
		t.Errorf("no resend after EOI: %#x", got)
	}
	io.SetIRQ(11, true)
	service(l)
	if got := vectors(l, apic.RegIRR); len(got) != 0 {
		t.Errorf("IRR %#x after the line went idle", got)
	}
}

func TestEOIBroadcastOnlyForLevel(t *testing.T) {
	r := newRig(t, 1)
	r.enableAll()
	io := r.sys.IOAPIC()
	l := r.sys.LAPIC(0)
	route(io, 3, redLevel|0x41, 0)
	route(io, 5, redLevel|0x41, 0) // same vector, line low
	io.SetIRQ(3, true)
	if got := l.Acknowledge(); got != 0x41 {
		t.Fatalf("vector %#x", got)
	}
	selfIPI(l, 0x50) // edge, nests above
	if got := l.Acknowledge(); got != 0x50 {
		t.Fatalf("vector %#x", got)
	}
	l.Write(apic.RegEOI, 0) // ends 0x50: no broadcast
	if ioRead(io, 0x16)&redRemoteIRR == 0 {
		t.Errorf("an edge EOI cleared remote IRR")
	}
	io.SetIRQ(3, false)
	l.Write(apic.RegEOI, 0) // ends 0x41: broadcast
	if ioRead(io, 0x16)&redRemoteIRR != 0 {
		t.Errorf("a level EOI left remote IRR set")
	}
	if ioRead(io, 0x1A)&redRemoteIRR != 0 || len(vectors(l, apic.RegIRR)) != 0 {
		t.Errorf("the broadcast disturbed pin 5")
	}
}

func TestIOAPICDeliveryModes(t *testing.T) {
	tests := []struct {
		name  string
		low   uint32
		dest  uint8
		setup func(*rig)
		irr   []int // processors that get vector 0x70
		nmi   []int
		log   []string
		rirr  bool // remote IRR after a level assert
	}{
		{name: "fixed physical", low: 0x70, dest: 2, irr: []int{2}},
		{name: "fixed broadcast", low: 0x70, dest: 0xFF, irr: []int{0, 1, 2}},
		{name: "fixed nobody", low: redLevel | 0x70, dest: 5},
		{name: "logical flat", low: redLogical | 0x70, dest: 0x06, irr: []int{1, 2}, setup: func(r *rig) {
			for i := 0; i < 3; i++ {
				r.sys.LAPIC(i).Write(apic.RegLDR, 1<<(24+i))
			}
		}},
		{name: "lowest priority", low: redLowest | redLogical | redLevel | 0x70, dest: 0xFF, irr: []int{1}, rirr: true, setup: func(r *rig) {
			r.sys.LAPIC(0).Write(apic.RegTPR, 0x30)
		}},
		{name: "level to a disabled APIC", low: redLevel | 0x70, dest: 1, setup: func(r *rig) {
			r.sys.LAPIC(1).Write(apic.RegSVR, 0xFF)
		}},
		{name: "NMI", low: redNMI, dest: 1, nmi: []int{1}},
		{name: "NMI programmed level is edge", low: redNMI | redLevel, dest: 1, nmi: []int{1}},
		{name: "INIT", low: redINIT, dest: 2, log: []string{"init 2"}},
		{name: "ExtINT dropped", low: redExtINT | 0x70, dest: 0},
		{name: "SMI dropped", low: 2<<8 | 0x70, dest: 0},
		{name: "reserved 3 dropped", low: 3<<8 | 0x70, dest: 0},
		{name: "reserved 6 dropped", low: 6<<8 | 0x70, dest: 0},
		{name: "illegal vector", low: redLevel | 0x05, dest: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, 3)
			r.enableAll()
			if tt.setup != nil {
				tt.setup(r)
			}
			io := r.sys.IOAPIC()
			route(io, 7, tt.low, tt.dest)
			r.cpus.take()
			io.SetIRQ(7, true)
			var irr, nmi []int
			for i := 0; i < 3; i++ {
				if slices.Contains(vectors(r.sys.LAPIC(i), apic.RegIRR), 0x70) {
					irr = append(irr, i)
				}
				if r.sys.LAPIC(i).PendingNMI() {
					nmi = append(nmi, i)
				}
			}
			if !slices.Equal(irr, tt.irr) || !slices.Equal(nmi, tt.nmi) {
				t.Errorf("IRR 0x70 on %v, NMI on %v; want %v, %v", irr, nmi, tt.irr, tt.nmi)
			}
			var log []string
			for _, s := range r.cpus.take() {
				if s[:4] != "kick" {
					log = append(log, s)
				}
			}
			if !slices.Equal(log, tt.log) {
				t.Errorf("log %q, want %q", log, tt.log)
			}
			if got := ioRead(io, 0x1E)&redRemoteIRR != 0; got != tt.rirr {
				t.Errorf("remote IRR = %v, want %v", got, tt.rirr)
			}
		})
	}
}

func TestIOAPICIllegalVectorSetsReceiverESR(t *testing.T) {
	r := newRig(t, 1)
	r.enableAll()
	io := r.sys.IOAPIC()
	route(io, 1, 0x0E, 0)
	io.SetIRQ(1, true)
	l := r.sys.LAPIC(0)
	if l.PendingInterrupt() {
		t.Errorf("vector 14 delivered")
	}
	if got := latchESR(l); got != apic.ESRRecvIllegalVector {
		t.Errorf("ESR = %#x, want receive illegal vector", got)
	}
}
