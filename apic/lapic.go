package apic

// This file implements the local APIC: its registers and MSRs, interrupt
// acceptance, priority and EOI, the interrupt command register, and the
// processor side (pending interrupt, acknowledge, NMI).

import "math/bits"

// Local APIC register offsets within the 4 KiB window (SDM table 11-1).
const (
	RegID           = 0x020 // local APIC ID, bits 24–31
	RegVersion      = 0x030 // version (read only)
	RegTPR          = 0x080 // task priority
	RegAPR          = 0x090 // arbitration priority (read only; reads 0)
	RegPPR          = 0x0A0 // processor priority (read only)
	RegEOI          = 0x0B0 // end of interrupt (write only)
	RegRRD          = 0x0C0 // remote read (read only; reads 0)
	RegLDR          = 0x0D0 // logical destination
	RegDFR          = 0x0E0 // destination format
	RegSVR          = 0x0F0 // spurious interrupt vector
	RegISR          = 0x100 // in-service, 8 registers 0x100–0x170
	RegTMR          = 0x180 // trigger mode, 8 registers 0x180–0x1F0
	RegIRR          = 0x200 // interrupt request, 8 registers 0x200–0x270
	RegESR          = 0x280 // error status
	RegICRLow       = 0x300 // interrupt command, bits 0–31 (a write sends)
	RegICRHigh      = 0x310 // interrupt command, bits 32–63
	RegLVTTimer     = 0x320 // LVT timer
	RegLVTThermal   = 0x330 // LVT thermal sensor
	RegLVTPerf      = 0x340 // LVT performance monitoring counters
	RegLVTLINT0     = 0x350 // LVT LINT0
	RegLVTLINT1     = 0x360 // LVT LINT1
	RegLVTError     = 0x370 // LVT error
	RegTimerInitial = 0x380 // timer initial count
	RegTimerCurrent = 0x390 // timer current count (read only)
	RegTimerDivide  = 0x3E0 // timer divide configuration
)

// Model specific registers of the local APIC.
const (
	MSRAPICBase    = 0x1B  // IA32_APIC_BASE
	MSRTSCDeadline = 0x6E0 // IA32_TSC_DEADLINE
)

// IA32_APIC_BASE bits.
const (
	APICBaseBSP    = 1 << 8  // this processor is the bootstrap processor (read only)
	APICBaseEnable = 1 << 11 // APIC global enable
)

// apicBaseAddr is the writable base address field of IA32_APIC_BASE, bits
// 12–35 (MAXPHYADDR 36, as an i686 with PAE reports). Bit 10, the x2APIC
// enable, is not supported: setting it is #GP like any reserved bit.
const apicBaseAddr = 0x0000000F_FFFFF000

// Error status register bits (SDM figure 11-9).
const (
	ESRSendChecksum      = 1 << 0 // P6 APIC bus only: never set here
	ESRReceiveChecksum   = 1 << 1 // P6 APIC bus only: never set here
	ESRSendAccept        = 1 << 2 // an IPI reached no local APIC
	ESRReceiveAccept     = 1 << 3 // P6 APIC bus only: never set here
	ESRRedirectableIPI   = 1 << 4 // lowest-priority IPIs are supported: never set
	ESRSendIllegalVector = 1 << 5 // a fixed or lowest-priority IPI with vector < 16
	ESRRecvIllegalVector = 1 << 6 // a fixed interrupt with vector < 16 arrived
	ESRIllegalRegister   = 1 << 7 // an access to an unimplemented register
)

// LAPICVersion is what the version register reads: version 0x14, highest
// LVT entry 5 (timer, thermal, perf, LINT0, LINT1, error), no EOI broadcast
// suppression — as QEMU's.
const LAPICVersion = 0x00050014

// Register bits and masks.
const (
	svrEnable = 1 << 8 // APIC software enable
	// svrMask holds the writable SVR bits: the vector (all 8 bits, as on
	// the Pentium 4) and the software enable. Focus-processor checking
	// (bit 9) and EOI-broadcast suppression (bit 12) are not supported and
	// read 0.
	svrMask    = 0x1FF
	dfrFlat    = 0xF // DFR model field: flat
	lvtMasked  = 1 << 16
	lvtVecMask = 0xFF

	// Writable bits of each LVT entry. Delivery status (bit 12) always
	// reads 0 (idle) and remote IRR (bit 14) is read only.
	lvtTimerBits = 0x000700FF // vector, mask, timer mode (17–18)
	lvtLocalBits = 0x000107FF // vector, delivery mode, mask (thermal, perf)
	lvtLINTBits  = 0x0001A7FF // vector, delivery mode, polarity, trigger, mask
	lvtErrorBits = 0x000100FF // vector, mask

	// Writable bits of the ICR: vector, delivery mode, destination mode,
	// level, trigger mode, shorthand. Delivery status (bit 12) reads 0:
	// a message is delivered at once.
	icrLowBits  = 0x000CCFFF
	icrHighBits = 0xFF000000

	divideBits = 0xB // bits 0, 1 and 3 of the divide configuration
)

// Indexes into LAPIC.lvt, in register order.
const (
	lvtTimer = iota
	lvtThermal
	lvtPerf
	lvtLINT0
	lvtLINT1
	lvtError
	numLVT
)

// lvtWritable holds the writable bits of each LVT entry.
var lvtWritable = [numLVT]uint32{lvtTimerBits, lvtLocalBits, lvtLocalBits, lvtLINTBits, lvtLINTBits, lvtErrorBits}

// LAPIC is the local APIC of one processor. Its MMIO window is reached
// through Read and Write, its MSRs through ReadMSR and WriteMSR, and the
// processor asks it for interrupts with PendingInterrupt, Acknowledge,
// PendingNMI and AckNMI.
//
// All fields are owned by the machine's run goroutine.
type LAPIC struct {
	sys *System
	cpu int // processor number, also the APIC ID at power-up

	apicBase uint64 // IA32_APIC_BASE

	id       uint8 // APIC ID register bits 24–31
	tpr      uint8
	ldr      uint8 // logical APIC ID, LDR bits 24–31
	dfrModel uint8 // DFR bits 28–31
	svr      uint32

	isr, tmr, irr [8]uint32

	esr        uint32 // the error status register as software reads it
	esrPending uint32 // errors seen since the last write to the ESR

	icrLow, icrHigh uint32
	lvt             [numLVT]uint32

	nmiPending bool

	timer timer
	// timerEvent is onTimerEvent as a func value, made once.
	timerEvent func()
}

// newLAPIC returns processor cpu's local APIC in its power-up state.
func newLAPIC(s *System, cpu int) *LAPIC {
	l := &LAPIC{sys: s, cpu: cpu}
	l.powerUp()
	return l
}

// powerUp puts the APIC in its power-up/reset state (SDM 11.4.7.1),
// IA32_APIC_BASE included.
func (l *LAPIC) powerUp() {
	l.apicBase = LAPICBase | APICBaseEnable
	if l.cpu == 0 {
		l.apicBase |= APICBaseBSP
	}
	l.id = uint8(l.cpu)
	l.initReset()
}

// initReset is the INIT reset (SDM 11.4.7.3): the state after power-up,
// except that the APIC ID and IA32_APIC_BASE keep their values.
func (l *LAPIC) initReset() {
	l.timerReset()
	l.tpr = 0
	l.ldr = 0
	l.dfrModel = dfrFlat
	l.svr = 0xFF
	l.isr = [8]uint32{}
	l.tmr = [8]uint32{}
	l.irr = [8]uint32{}
	l.esr = 0
	l.esrPending = 0
	l.icrLow, l.icrHigh = 0, 0
	for i := range l.lvt {
		l.lvt[i] = lvtMasked
	}
	l.nmiPending = false
}

// CPU returns the number of the processor this APIC belongs to.
func (l *LAPIC) CPU() int { return l.cpu }

// Base returns the physical address of the register window as
// IA32_APIC_BASE says (LAPICBase unless software moved it); a machine that
// supports relocation maps the window there.
func (l *LAPIC) Base() uint64 { return l.apicBase & apicBaseAddr }

// HardwareEnabled reports IA32_APIC_BASE bit 11: when it is clear the
// processor behaves as if it had no local APIC.
func (l *LAPIC) HardwareEnabled() bool { return l.hardwareEnabled() }

// SoftwareEnabled reports SVR bit 8 (and the hardware enable).
func (l *LAPIC) SoftwareEnabled() bool { return l.softwareEnabled() }

func (l *LAPIC) hardwareEnabled() bool { return l.apicBase&APICBaseEnable != 0 }
func (l *LAPIC) softwareEnabled() bool { return l.hardwareEnabled() && l.svr&svrEnable != 0 }

// now returns global time.
func (l *LAPIC) now() uint64 { return l.sys.clock.Now() }

// Read returns the register at offset off in the window.
//
// The register is chosen by bits 4–11 of off; bits 0–3 are ignored, so any
// offset inside a register's 16-byte slot reads that register (as QEMU
// decodes). The machine calls with aligned dwords; a sub-dword access is
// model specific on hardware (SDM 11.4.1) and QEMU answers it with 0, so
// a machine that sees one should do the same rather than call Read.
// Write-only EOI reads 0. An unimplemented offset below 0x400 (0x000,
// 0x010, 0x040–0x070, 0x290–0x2F0, 0x3A0–0x3D0, 0x3F0) reads 0 and sets
// the ESR illegal-register-address error (bit 7), as on the Pentium 4 and
// in QEMU; offsets 0x400–0xFFF are outside the register range and read 0
// with no error. A hardware-disabled APIC reads 0 everywhere.
func (l *LAPIC) Read(off uint32) uint32 {
	if !l.hardwareEnabled() {
		return 0
	}
	off &= (WindowSize - 1) &^ 0xF
	switch {
	case off == RegID:
		return uint32(l.id) << 24
	case off == RegVersion:
		return LAPICVersion
	case off == RegTPR:
		return uint32(l.tpr)
	case off == RegAPR:
		// The P6 arbitration priority is not modelled (QEMU reads 0 too);
		// lowest-priority arbitration uses the TPR.
		return 0
	case off == RegPPR:
		return uint32(l.ppr())
	case off == RegEOI, off == RegRRD:
		return 0
	case off == RegLDR:
		return uint32(l.ldr) << 24
	case off == RegDFR:
		return uint32(l.dfrModel)<<28 | 0x0FFFFFFF
	case off == RegSVR:
		return l.svr
	case off >= RegISR && off < RegTMR:
		return l.isr[(off-RegISR)>>4]
	case off >= RegTMR && off < RegIRR:
		return l.tmr[(off-RegTMR)>>4]
	case off >= RegIRR && off < RegESR:
		return l.irr[(off-RegIRR)>>4]
	case off == RegESR:
		return l.esr
	case off == RegICRLow:
		return l.icrLow
	case off == RegICRHigh:
		return l.icrHigh
	case off >= RegLVTTimer && off <= RegLVTError:
		return l.lvt[(off-RegLVTTimer)>>4]
	case off == RegTimerInitial:
		return l.timer.initial
	case off == RegTimerCurrent:
		return l.currentCount()
	case off == RegTimerDivide:
		return l.timer.divide
	case off < 0x400:
		l.raiseError(ESRIllegalRegister)
	}
	return 0
}

// Write writes v to the register at offset off in the window.
//
// Decoding is as for Read. Writes to read-only registers (version, APR,
// PPR, RRD, ISR, TMR, IRR, current count) are ignored without error, as an
// xAPIC does; writes to unimplemented offsets below 0x400 set the ESR
// illegal-register-address error; reserved bits of every register are
// ignored (they read 0, except DFR bits 0–27, which read 1). The value
// written to EOI and ESR does not matter. Sub-dword writes should be
// dropped by the machine (QEMU ignores them). A hardware-disabled APIC
// ignores all writes.
func (l *LAPIC) Write(off uint32, v uint32) {
	if !l.hardwareEnabled() {
		return
	}
	off &= (WindowSize - 1) &^ 0xF
	switch {
	case off == RegID:
		l.id = uint8(v >> 24)
	case off == RegTPR:
		l.tpr = uint8(v)
		l.kickIfPending()
	case off == RegEOI:
		l.eoi()
	case off == RegLDR:
		l.ldr = uint8(v >> 24)
	case off == RegDFR:
		l.dfrModel = uint8(v >> 28)
	case off == RegSVR:
		l.writeSVR(v)
	case off == RegESR:
		l.esr = l.esrPending
		l.esrPending = 0
	case off == RegICRLow:
		l.icrLow = v & icrLowBits
		l.sendIPI()
	case off == RegICRHigh:
		l.icrHigh = v & icrHighBits
	case off >= RegLVTTimer && off <= RegLVTError:
		l.writeLVT(int(off-RegLVTTimer)>>4, v)
	case off == RegTimerInitial:
		l.writeInitialCount(v)
	case off == RegTimerDivide:
		l.writeDivide(v)
	case off == RegVersion, off == RegAPR, off == RegPPR, off == RegRRD,
		off >= RegISR && off < RegESR, off == RegTimerCurrent:
		// Read only.
	case off < 0x400:
		l.raiseError(ESRIllegalRegister)
	}
}

// writeSVR sets the spurious interrupt vector register. Clearing the
// software enable masks every LVT entry (SDM 11.4.7.2); setting it leaves
// them masked until software unmasks them.
func (l *LAPIC) writeSVR(v uint32) {
	l.svr = v & svrMask
	if l.svr&svrEnable == 0 {
		for i := range l.lvt {
			l.setLVT(i, l.lvt[i]|lvtMasked)
		}
	}
	l.kickIfPending()
}

// writeLVT writes LVT entry i: only its writable bits, and the mask bit
// stays set while the APIC is software disabled.
func (l *LAPIC) writeLVT(i int, v uint32) {
	v &= lvtWritable[i]
	if l.svr&svrEnable == 0 {
		v |= lvtMasked
	}
	l.setLVT(i, v)
}

// setLVT stores LVT entry i, letting the timer follow its entry.
func (l *LAPIC) setLVT(i int, v uint32) {
	if i == lvtTimer {
		l.setTimerLVT(v)
		return
	}
	l.lvt[i] = v
}

// ReadMSR reads a model specific register of this APIC: IA32_APIC_BASE
// (0x1B) or IA32_TSC_DEADLINE (0x6E0). ok is false for any other MSR (the
// x2APIC range 0x800–0x8FF included: x2APIC is not supported), meaning #GP.
// IA32_TSC_DEADLINE reads the armed deadline, or 0 when it is disarmed,
// has fired, or the timer is not in TSC-deadline mode.
func (l *LAPIC) ReadMSR(msr uint32) (v uint64, ok bool) {
	switch msr {
	case MSRAPICBase:
		return l.apicBase, true
	case MSRTSCDeadline:
		return l.readDeadline(), true
	}
	return 0, false
}

// WriteMSR writes a model specific register of this APIC; false means the
// processor raises #GP.
//
// IA32_APIC_BASE: the base address (bits 12–35) and the enable bit (11)
// are writable; the BSP flag (bit 8) is read only and ignored, as QEMU
// does. Setting a reserved bit (0–7, 9, 36–63) or the x2APIC enable (bit
// 10) is #GP. Clearing bit 11 disables the APIC (it takes no messages and
// its registers read 0; SDM 11.4.3); setting it again brings the APIC back
// in its power-up state with its power-up APIC ID (QEMU instead refuses to
// re-enable it until reset).
//
// IA32_TSC_DEADLINE: in TSC-deadline timer mode, arms the timer to fire
// when global time reaches v (at once if v is not in the future); 0
// disarms it. In other timer modes the write is ignored (SDM 11.5.4.1).
func (l *LAPIC) WriteMSR(msr uint32, v uint64) bool {
	switch msr {
	case MSRAPICBase:
		if v&^(apicBaseAddr|APICBaseEnable|APICBaseBSP) != 0 {
			return false
		}
		was := l.hardwareEnabled()
		bsp := l.apicBase & APICBaseBSP
		switch {
		case was && v&APICBaseEnable == 0:
			l.powerUp()
		case !was && v&APICBaseEnable != 0:
			l.powerUp()
		}
		l.apicBase = v&(apicBaseAddr|APICBaseEnable) | bsp
		return true
	case MSRTSCDeadline:
		l.writeDeadline(v)
		return true
	}
	return false
}

// highest returns the highest vector set in a 256-bit register, or -1.
func highest(r *[8]uint32) int {
	for i := 7; i >= 0; i-- {
		if r[i] != 0 {
			return i*32 + bits.Len32(r[i]) - 1
		}
	}
	return -1
}

func setBit(r *[8]uint32, v uint8)       { r[v>>5] |= 1 << (v & 31) }
func clearBit(r *[8]uint32, v uint8)     { r[v>>5] &^= 1 << (v & 31) }
func testBit(r *[8]uint32, v uint8) bool { return r[v>>5]&(1<<(v&31)) != 0 }

// ppr computes the processor priority (SDM 11.8.3.1): the TPR if its
// class is at least the class of the highest in-service vector, else that
// class.
func (l *LAPIC) ppr() uint8 {
	isrv := highest(&l.isr)
	if isrv < 0 {
		isrv = 0
	}
	if l.tpr>>4 >= uint8(isrv)>>4 {
		return l.tpr
	}
	return uint8(isrv) & 0xF0
}

// deliverable returns the vector the processor would take now, or -1: the
// highest requested vector, if the APIC is enabled and that vector's
// priority class is above the processor priority class.
func (l *LAPIC) deliverable() int {
	if !l.softwareEnabled() {
		return -1
	}
	v := highest(&l.irr)
	if v < 0 || uint8(v)>>4 <= l.ppr()>>4 {
		return -1
	}
	return v
}

// PendingInterrupt reports whether a fixed interrupt is deliverable now:
// the APIC is enabled and the highest IRR vector's priority class is above
// the PPR's. The caller also checks EFLAGS.IF.
func (l *LAPIC) PendingInterrupt() bool { return l.deliverable() >= 0 }

// Acknowledge is the interrupt acknowledge cycle: the highest deliverable
// IRR vector moves to ISR and is returned. If none is deliverable (the TPR
// rose, or nothing is pending) it returns the spurious vector from the SVR
// and changes nothing (SDM 11.9).
func (l *LAPIC) Acknowledge() uint8 {
	v := l.deliverable()
	if v < 0 {
		return uint8(l.svr)
	}
	clearBit(&l.irr, uint8(v))
	setBit(&l.isr, uint8(v))
	return uint8(v)
}

// PendingNMI reports whether an NMI has been delivered and not yet taken.
func (l *LAPIC) PendingNMI() bool { return l.nmiPending }

// AckNMI tells the APIC that the processor has taken the pending NMI.
func (l *LAPIC) AckNMI() { l.nmiPending = false }

// kickIfPending tells the machine when an interrupt or NMI is deliverable.
func (l *LAPIC) kickIfPending() {
	if l.nmiPending || l.PendingInterrupt() {
		l.sys.ctl.Kick(l.cpu)
	}
}

// acceptFixed takes a fixed interrupt into IRR and reports whether it was
// accepted: not by a software-disabled APIC, and not with a vector below
// 16 (receive illegal vector error). TMR records the trigger mode.
func (l *LAPIC) acceptFixed(vector uint8, level bool) bool {
	if !l.softwareEnabled() {
		return false
	}
	if vector < 16 {
		l.raiseError(ESRRecvIllegalVector)
		return false
	}
	setBit(&l.irr, vector)
	if level {
		setBit(&l.tmr, vector)
	} else {
		clearBit(&l.tmr, vector)
	}
	l.kickIfPending()
	return true
}

// eoi ends the highest in-service interrupt. If it was level triggered the
// EOI is broadcast to the IO-APIC.
func (l *LAPIC) eoi() {
	v := highest(&l.isr)
	if v < 0 {
		return
	}
	clearBit(&l.isr, uint8(v))
	if testBit(&l.tmr, uint8(v)) {
		l.sys.eoiBroadcast(uint8(v))
	}
	l.kickIfPending()
}

// raiseError records errors in the ESR and, if the LVT error entry is
// unmasked, raises its interrupt (SDM 11.5.3). An error entry with a
// vector below 16 records the receive-illegal-vector error without a
// further interrupt.
func (l *LAPIC) raiseError(e uint32) {
	l.esrPending |= e
	lvt := l.lvt[lvtError]
	if lvt&lvtMasked != 0 || !l.softwareEnabled() {
		return
	}
	vec := uint8(lvt & lvtVecMask)
	if vec < 16 {
		l.esrPending |= ESRRecvIllegalVector
		return
	}
	l.acceptFixed(vec, false)
}

// localInterrupt raises the fixed, edge-triggered interrupt of LVT entry i
// (timer or error) unless it is masked.
func (l *LAPIC) localInterrupt(i int) {
	lvt := l.lvt[i]
	if lvt&lvtMasked != 0 {
		return
	}
	l.acceptFixed(uint8(lvt&lvtVecMask), false)
}

// sendIPI sends the interrupt the ICR describes (SDM 11.6.1).
func (l *LAPIC) sendIPI() {
	lo := l.icrLow
	m := message{
		mode:    uint8(lo>>8) & 7,
		vector:  uint8(lo),
		logical: lo&(1<<11) != 0,
		dest:    uint8(l.icrHigh >> 24),
	}
	shorthand := uint8(lo>>18) & 3
	switch m.mode {
	case DeliveryFixed, DeliveryLowest:
		if m.vector < 16 {
			l.raiseError(ESRSendIllegalVector)
			return
		}
	case DeliveryINIT:
		// INIT level de-assert (level 0, trigger level) only synchronises
		// P6 arbitration IDs; the Pentium 4 ignores it.
		if lo&(1<<14) == 0 && lo&(1<<15) != 0 {
			return
		}
	}
	if present, _ := l.sys.send(l, shorthand, m); !present {
		l.raiseError(ESRSendAccept)
	}
}
