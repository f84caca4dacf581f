package emu

// This file implements the legacy 8259A programmable interrupt controller
// pair at ports 0x20–0x21 (master) and 0xA0–0xA1 (slave, cascaded on the
// master's IRQ 2), as a PC's firmware leaves it and as kernels program it.
//
// ISA interrupt lines reach both the 8259s and the IO-APIC, as on a PC.
// The master's INTR output drives the bootstrap processor's local APIC
// LINT0 pin: when LINT0 is unmasked in ExtINT mode (the virtual-wire mode
// the firmware leaves) or the APIC is hardware-disabled, the processor
// takes the 8259's interrupt and the 8259 supplies the vector (INTA).
//
// Emulated: ICW1–ICW4 (edge or level triggering, single or cascade, auto
// EOI), OCW1 (mask), OCW2 non-specific and specific EOI, OCW3 (read IRR
// or ISR), fixed priority (IRQ 0 highest) with full nesting. Not emulated:
// priority rotation, special mask mode and poll mode (accepted, ignored),
// and buffered or special fully nested modes.

// pic8259 is one 8259A.
type pic8259 struct {
	imr      uint8 // interrupt mask (OCW1)
	irr      uint8 // interrupt requests
	isr      uint8 // interrupts in service
	level    uint8 // the input lines' levels, for edge detection
	vector   uint8 // ICW2: vector base
	cascade  uint8 // ICW3
	icw4     uint8
	initStep int  // 0 ready; 2, 3, 4: expecting that ICW
	needICW4 bool // ICW1 bit 0
	single   bool // ICW1 bit 1
	ltim     bool // ICW1 bit 3: level-triggered inputs
	readISR  bool // OCW3: reads of the command port return ISR
}

func newPIC() *pic8259 { return &pic8259{imr: 0xFF} }

// setLine sets the level of input line n (0–7).
func (p *pic8259) setLine(n int, high bool) {
	bit := uint8(1) << n
	switch {
	case high && (p.ltim || p.level&bit == 0):
		p.irr |= bit // a rising edge, or a high level in level mode
	case !high && p.ltim:
		p.irr &^= bit
	}
	if high {
		p.level |= bit
	} else {
		p.level &^= bit
	}
}

// pending returns the highest-priority unmasked request that is above
// every interrupt in service (full nesting), or -1.
func (p *pic8259) pending() int {
	req := p.irr &^ p.imr
	for n := 0; n < 8; n++ {
		bit := uint8(1) << n
		if p.isr&bit != 0 {
			return -1 // an interrupt of higher or equal priority is in service
		}
		if req&bit != 0 {
			return n
		}
	}
	return -1
}

// ack is the interrupt acknowledge of request n: it moves it to service
// (unless auto-EOI) and returns its vector.
func (p *pic8259) ack(n int) uint8 {
	bit := uint8(1) << n
	if !p.ltim {
		p.irr &^= bit
	}
	if p.icw4&2 == 0 {
		p.isr |= bit
	}
	return p.vector | uint8(n)
}

// InByte reads the command (even: IRR or ISR, per OCW3) or data (odd:
// the mask) port.
func (p *pic8259) InByte(port uint16) uint8 {
	if port&1 != 0 {
		return p.imr
	}
	if p.readISR {
		return p.isr
	}
	return p.irr
}

// OutByte writes an initialisation or operation command word.
func (p *pic8259) OutByte(port uint16, v uint8) {
	if port&1 == 0 {
		switch {
		case v&0x10 != 0: // ICW1: start initialisation
			p.needICW4 = v&1 != 0
			p.single = v&2 != 0
			p.ltim = v&8 != 0
			p.imr, p.isr, p.irr = 0, 0, 0
			p.readISR = false
			p.initStep = 2
			p.icw4 = 0
		case v&0x18 == 0x08: // OCW3
			if v&2 != 0 {
				p.readISR = v&1 != 0
			}
		default: // OCW2
			switch v >> 5 {
			case 1: // non-specific EOI: the highest-priority in service
				for n := 0; n < 8; n++ {
					if p.isr&(1<<n) != 0 {
						p.isr &^= 1 << n
						break
					}
				}
			case 3: // specific EOI
				p.isr &^= 1 << (v & 7)
			}
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

// picPair is the master and the slave, the slave's output on the
// master's IRQ 2.
type picPair struct {
	master, slave *pic8259
	changed       func() // called after anything that may change INTR
}

// newPICPair returns the pair as a PC's firmware (SeaBIOS, as QEMU runs
// it) leaves it for a multiboot kernel: vector bases 0x08 and 0x70,
// cascade on IRQ 2, and IRQs 0, 1, 2, 6, 8, 12, 13 and 14 unmasked.
func newPICPair(changed func()) *picPair {
	pp := &picPair{master: newPIC(), slave: newPIC(), changed: changed}
	for _, w := range []struct {
		p *pic8259
		v []uint8
	}{
		{pp.master, []uint8{0x11, 0x08, 0x04, 0x01}},
		{pp.slave, []uint8{0x11, 0x70, 0x02, 0x01}},
	} {
		w.p.OutByte(0, w.v[0])
		for _, b := range w.v[1:] {
			w.p.OutByte(1, b)
		}
	}
	pp.master.imr, pp.slave.imr = 0xB8, 0x8E
	pp.master.level = 0
	return pp
}

// setIRQ sets ISA line irq (0–15).
func (pp *picPair) setIRQ(irq int, level bool) {
	if irq < 8 {
		pp.master.setLine(irq, level)
	} else {
		pp.slave.setLine(irq-8, level)
	}
	pp.update()
}

// update mirrors the slave's output on the master's IRQ 2 request and
// reports a possible change of INTR.
func (pp *picPair) update() {
	if pp.slave.pending() >= 0 {
		pp.master.irr |= 1 << 2
	} else {
		pp.master.irr &^= 1 << 2
	}
	pp.changed()
}

// intr reports the master's INTR output.
func (pp *picPair) intr() bool { return pp.master.pending() >= 0 }

// acknowledge runs the INTA cycle: the vector of the highest-priority
// request, through the slave for IRQ 2. With no request (it went away)
// the 8259 answers IRQ 7's vector, the spurious interrupt.
func (pp *picPair) acknowledge() uint8 {
	n := pp.master.pending()
	if n < 0 {
		return pp.master.vector | 7
	}
	if n == 2 && pp.master.cascade&4 != 0 && !pp.master.single {
		pp.master.ack(2)
		v := pp.slave.vector | 7
		if s := pp.slave.pending(); s >= 0 {
			v = pp.slave.ack(s)
		}
		pp.update()
		return v
	}
	return pp.master.ack(n)
}

// master and slave ports: writes may change INTR (EOI, mask).
type picPorts struct {
	pp *picPair
	p  *pic8259
}

func (a picPorts) InByte(port uint16) uint8 { return a.p.InByte(port) }
func (a picPorts) OutByte(port uint16, v uint8) {
	a.p.OutByte(port, v)
	a.pp.update()
}
