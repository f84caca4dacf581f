package apic

// This file implements the 82093AA IO-APIC: its indirect register window,
// the redirection table, edge and level input pins, remote IRR and the EOI
// broadcast.

// IO-APIC window offsets and registers.
const (
	IORegSel = 0x00 // IOREGSEL: selects the register IOWIN reaches (bits 0–7)
	IOWin    = 0x10 // IOWIN: the selected register

	IOAPICRegID      = 0x00 // IOAPICID: ID in bits 24–27
	IOAPICRegVersion = 0x01 // IOAPICVER (read only)
	IOAPICRegArb     = 0x02 // IOAPICARB: arbitration ID in bits 24–27 (read only)
	IOAPICRegRedir   = 0x10 // redirection table: pin p at 0x10+2p (low) and 0x11+2p (high)

	// IOAPICVersion is what IOAPICVER reads: version 0x11 (82093AA),
	// highest redirection entry 23.
	IOAPICVersion = 0x00170011

	// NumPins is the number of IO-APIC input pins.
	NumPins = 24
)

// Redirection table entry bits.
const (
	redVector    = 0xFF
	redLogical   = 1 << 11
	redStatus    = 1 << 12 // delivery status: always 0 (idle), read only
	redActiveLow = 1 << 13
	redRemoteIRR = 1 << 14 // read only
	redLevel     = 1 << 15
	redMasked    = 1 << 16

	// Writable bits of each half of an entry; the rest is reserved and
	// reads 0, and delivery status and remote IRR are read only.
	redLowBits  = 0x0001AFFF
	redHighBits = 0xFF000000
)

// IOAPIC is the 82093AA IO-APIC: 24 input pins, each routed by its
// redirection table entry to the local APICs.
//
// All fields are owned by the machine's run goroutine.
type IOAPIC struct {
	sys *System

	regSel uint8
	id     uint8 // 4 bits
	redir  [NumPins]uint64
	line   [NumPins]bool // the input lines' levels, before polarity
}

// newIOAPIC returns an IO-APIC in its reset state: ID 0 (as QEMU), every
// pin masked and every other entry bit 0.
func newIOAPIC(s *System) *IOAPIC {
	io := &IOAPIC{sys: s}
	for i := range io.redir {
		io.redir[i] = redMasked
	}
	return io
}

// Read returns the dword at offset off in the IO-APIC window: IOREGSEL at
// 0x00 or, at 0x10, the register IOREGSEL selects. IOREGSEL reads back its
// 8-bit value. Registers that do not exist (0x03–0x0F, 0x40–0xFF) read 0,
// as does every other offset in the window: the 82093AA decodes only
// these two (no EOI register: that came with version 0x20). The machine
// calls with aligned dwords; the datasheet allows no other access.
func (io *IOAPIC) Read(off uint32) uint32 {
	switch off {
	case IORegSel:
		return uint32(io.regSel)
	case IOWin:
		return io.readReg(io.regSel)
	}
	return 0
}

// Write writes the dword v at offset off in the IO-APIC window: IOREGSEL
// takes bits 0–7, IOWIN writes the selected register. Writes to the
// version and arbitration registers, to registers that do not exist and
// to other offsets are ignored, as are the reserved and read-only bits of
// the ID register and of redirection entries.
func (io *IOAPIC) Write(off uint32, v uint32) {
	switch off {
	case IORegSel:
		io.regSel = uint8(v)
	case IOWin:
		io.writeReg(io.regSel, v)
	}
}

// readReg reads indirect register r.
func (io *IOAPIC) readReg(r uint8) uint32 {
	switch {
	case r == IOAPICRegID, r == IOAPICRegArb:
		// The arbitration ID follows the ID (the datasheet loads it from
		// the ID; QEMU reads the ID here too).
		return uint32(io.id) << 24
	case r == IOAPICRegVersion:
		return IOAPICVersion
	case r >= IOAPICRegRedir && r < IOAPICRegRedir+2*NumPins:
		e := io.redir[(r-IOAPICRegRedir)/2]
		if r&1 != 0 {
			return uint32(e >> 32)
		}
		return uint32(e)
	}
	return 0
}

// writeReg writes indirect register r.
func (io *IOAPIC) writeReg(r uint8, v uint32) {
	switch {
	case r == IOAPICRegID:
		io.id = uint8(v>>24) & 0xF
	case r >= IOAPICRegRedir && r < IOAPICRegRedir+2*NumPins:
		pin := int(r-IOAPICRegRedir) / 2
		io.writeEntry(pin, r&1 != 0, v)
	}
}

// writeEntry writes one half of pin's redirection entry. Remote IRR reads
// 0 for an edge-triggered entry (it is cleared when the entry becomes
// edge triggered, as QEMU does and as Linux's EOI emulation expects). A
// level-triggered entry that is now unmasked with its line asserted and
// remote IRR clear is sent at once. An edge entry is not sent by a write,
// even one that flips its polarity.
func (io *IOAPIC) writeEntry(pin int, high bool, v uint32) {
	e := io.redir[pin]
	if high {
		e = e&0xFFFFFFFF | uint64(v&redHighBits)<<32
	} else {
		e = e&^0xFFFFFFFF | uint64(v&redLowBits) | e&redRemoteIRR
	}
	if !levelTriggered(e) {
		e &^= redRemoteIRR
	}
	io.redir[pin] = e
	io.service(pin)
}

// levelTriggered reports whether an entry is level triggered: its trigger
// bit is set and it is fixed or lowest priority. The datasheet treats
// every other delivery mode as edge triggered.
func levelTriggered(e uint64) bool {
	mode := uint8(e>>8) & 7
	return e&redLevel != 0 && (mode == DeliveryFixed || mode == DeliveryLowest)
}

// asserted reports whether pin's input is active after polarity.
func (io *IOAPIC) asserted(pin int) bool {
	return io.line[pin] != (io.redir[pin]&redActiveLow != 0)
}

// SetIRQ sets the level of input pin pin (0..NumPins-1; any other pin is
// ignored). An edge-triggered pin sends one message when its input becomes
// active (a rising edge, or a falling one if the pin is active low) while
// unmasked; an edge while masked is forgotten. A level-triggered pin sends
// while its input is active, unmasked and remote IRR is clear.
func (io *IOAPIC) SetIRQ(pin int, level bool) {
	if pin < 0 || pin >= NumPins {
		return
	}
	was := io.asserted(pin)
	io.line[pin] = level
	e := io.redir[pin]
	switch {
	case levelTriggered(e):
		io.service(pin)
	case !was && io.asserted(pin) && e&redMasked == 0:
		io.sendEntry(pin)
	}
}

// service sends a level-triggered pin's interrupt if it is due: input
// active, unmasked, remote IRR clear.
func (io *IOAPIC) service(pin int) {
	e := io.redir[pin]
	if levelTriggered(e) && io.asserted(pin) && e&(redMasked|redRemoteIRR) == 0 {
		io.sendEntry(pin)
	}
}

// sendEntry sends pin's interrupt message. The destination field is the
// full 8 bits (xAPIC; the 82093AA's physical mode used 4). The reserved
// delivery modes (011b, 110b) send nothing. A level-triggered message that
// some local APIC accepted sets remote IRR; it is set before sending, so
// that an EOI the machine might process during the send finds it.
func (io *IOAPIC) sendEntry(pin int) {
	e := io.redir[pin]
	m := message{
		mode:    uint8(e>>8) & 7,
		vector:  uint8(e & redVector),
		level:   levelTriggered(e),
		logical: e&redLogical != 0,
		dest:    uint8(e >> 56),
	}
	if m.mode == deliveryReserved || m.mode == DeliveryStartUp {
		return
	}
	if m.level {
		io.redir[pin] |= redRemoteIRR
	}
	if _, accepted := io.sys.send(nil, shorthandNone, m); m.level && !accepted {
		io.redir[pin] &^= redRemoteIRR
	}
}

// eoi is the EOI broadcast for vector: every level-triggered entry with
// that vector and remote IRR set has remote IRR cleared, and is sent again
// if its input is still active and it is unmasked. Pins are visited in
// increasing order.
func (io *IOAPIC) eoi(vector uint8) {
	for pin := range io.redir {
		e := io.redir[pin]
		if uint8(e&redVector) != vector || !levelTriggered(e) || e&redRemoteIRR == 0 {
			continue
		}
		io.redir[pin] = e &^ redRemoteIRR
		io.service(pin)
	}
}
