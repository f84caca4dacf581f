package emu

// This file implements the legacy 8259A programmable interrupt controller
// pair at ports 0x20–0x21 (master) and 0xA0–0xA1 (slave), enough for a
// guest to initialise and mask it as every kernel does at boot.
//
// The machine routes device interrupts through the IO-APIC, as an APIC
// kernel does; the 8259s' INTR output is not connected (the local APICs'
// LINT0 is never driven), so programming them changes no delivery. Reads
// return what the guest wrote: the mask (OCW1), and IRR or ISR (both 0:
// no line reaches the chips) as selected by OCW3.

// pic8259 is one 8259A.
type pic8259 struct {
	imr       uint8 // interrupt mask (OCW1); all masked at reset
	vector    uint8 // ICW2: vector base
	cascade   uint8 // ICW3
	icw4      uint8
	initStep  int  // 0 ready; 2, 3, 4: expecting that ICW
	needICW4  bool // ICW1 bit 0
	single    bool // ICW1 bit 1
	readISR   bool // OCW3: reads of the command port return ISR
	specialMM bool
}

func newPIC() *pic8259 { return &pic8259{imr: 0xFF} }

// InByte reads the command (even) or data (odd) port.
func (p *pic8259) InByte(port uint16) uint8 {
	if port&1 == 0 {
		return 0 // IRR or ISR: nothing is ever requested or in service
	}
	return p.imr
}

// OutByte writes an initialisation or operation command word.
func (p *pic8259) OutByte(port uint16, v uint8) {
	if port&1 == 0 {
		switch {
		case v&0x10 != 0: // ICW1: start initialisation
			p.needICW4 = v&1 != 0
			p.single = v&2 != 0
			p.imr = 0
			p.initStep = 2
			p.icw4 = 0
		case v&0x18 == 0x08: // OCW3
			if v&2 != 0 {
				p.readISR = v&1 != 0
			}
			if v&0x40 != 0 {
				p.specialMM = v&0x20 != 0
			}
		default: // OCW2: EOI and rotation commands; nothing is in service
		}
		return
	}
	switch p.initStep {
	case 2:
		p.vector = v & 0xF8
		switch {
		case !p.single:
			p.initStep = 3
		case p.needICW4:
			p.initStep = 4
		default:
			p.initStep = 0
		}
	case 3:
		p.cascade = v
		if p.needICW4 {
			p.initStep = 4
		} else {
			p.initStep = 0
		}
	case 4:
		p.icw4 = v
		p.initStep = 0
	default:
		p.imr = v // OCW1
	}
}
