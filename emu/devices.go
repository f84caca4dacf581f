package emu

// This file implements the small PC devices: the COM1 16550 UART, QEMU's
// isa-debug-exit port, and the POST diagnostic port.

import "io"

// UART is a 16550 serial port whose transmitter writes to an io.Writer.
// It has no receiver input and raises no interrupts: the line status
// register always reports the transmitter empty, so a guest that polls
// LSR before each byte never waits.
type UART struct {
	out io.Writer
	err error // the first write error, reported at the end of the run

	ier, lcr, mcr, scr uint8
	dll, dlm           uint8
}

// 16550 register offsets from the base port.
const (
	uartTHR = 0 // transmit holding (write) / receive buffer (read); DLL when DLAB
	uartIER = 1 // interrupt enable; DLM when DLAB
	uartIIR = 2 // interrupt identification (read) / FIFO control (write)
	uartLCR = 3
	uartMCR = 4
	uartLSR = 5
	uartMSR = 6
	uartSCR = 7
)

// InByte reads a UART register.
func (u *UART) InByte(port uint16) uint8 {
	dlab := u.lcr&0x80 != 0
	switch port & 7 {
	case uartTHR:
		if dlab {
			return u.dll
		}
		return 0 // no received data
	case uartIER:
		if dlab {
			return u.dlm
		}
		return u.ier
	case uartIIR:
		return 0xC1 // FIFOs enabled, no interrupt pending
	case uartLCR:
		return u.lcr
	case uartMCR:
		return u.mcr
	case uartLSR:
		return 0x60 // THR empty, transmitter empty
	case uartMSR:
		if u.mcr&0x10 != 0 { // loopback: outputs appear on inputs
			return (u.mcr & 0x0F) << 4
		}
		return 0xB0 // CTS, DSR, DCD
	default:
		return u.scr
	}
}

// OutByte writes a UART register; a byte written to THR is transmitted.
func (u *UART) OutByte(port uint16, v uint8) {
	dlab := u.lcr&0x80 != 0
	switch port & 7 {
	case uartTHR:
		if dlab {
			u.dll = v
			return
		}
		if u.mcr&0x10 != 0 {
			return // loopback mode: nothing leaves the chip
		}
		if _, err := u.out.Write([]byte{v}); err != nil && u.err == nil {
			u.err = err
		}
	case uartIER:
		if dlab {
			u.dlm = v
		} else {
			u.ier = v & 0x0F
		}
	case uartLCR:
		u.lcr = v
	case uartMCR:
		u.mcr = v & 0x1F
	case uartSCR:
		u.scr = v
	}
}

// debugExit is QEMU's isa-debug-exit device: writing v ends the run with
// exit status (v<<1)|1.
type debugExit struct{ m *Machine }

func (d debugExit) In(port uint16, size int) uint32 { return uint32(1)<<(8*size) - 1 }

func (d debugExit) Out(port uint16, size int, v uint32) {
	d.m.exit(ExitGuest, int(v<<1|1), "")
}

// postPort is port 0x80, where firmware and kernels write progress codes
// (and which Linux uses for I/O delays). The last code is kept.
type postPort struct{ last *uint8 }

func (p postPort) In(port uint16, size int) uint32 { return uint32(*p.last) }

func (p postPort) Out(port uint16, size int, v uint32) { *p.last = uint8(v) }
