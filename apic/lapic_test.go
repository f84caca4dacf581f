package apic_test

import (
	"slices"
	"testing"

	"preemptlab/apic"
)

func TestLAPICResetValues(t *testing.T) {
	r := newRig(t, 2)
	tests := []struct {
		off  uint32
		cpu0 uint32
		cpu1 uint32
	}{
		{apic.RegID, 0x00000000, 0x01000000},
		{apic.RegVersion, 0x00050014, 0x00050014},
		{apic.RegTPR, 0, 0},
		{apic.RegAPR, 0, 0},
		{apic.RegPPR, 0, 0},
		{apic.RegEOI, 0, 0},
		{apic.RegRRD, 0, 0},
		{apic.RegLDR, 0, 0},
		{apic.RegDFR, 0xFFFFFFFF, 0xFFFFFFFF},
		{apic.RegSVR, 0x000000FF, 0x000000FF},
		{apic.RegISR, 0, 0},
		{apic.RegISR + 0x70, 0, 0},
		{apic.RegTMR, 0, 0},
		{apic.RegIRR + 0x70, 0, 0},
		{apic.RegESR, 0, 0},
		{apic.RegICRLow, 0, 0},
		{apic.RegICRHigh, 0, 0},
		{apic.RegLVTTimer, 0x10000, 0x10000},
		{apic.RegLVTThermal, 0x10000, 0x10000},
		{apic.RegLVTPerf, 0x10000, 0x10000},
		{apic.RegLVTLINT0, 0x10000, 0x10000},
		{apic.RegLVTLINT1, 0x10000, 0x10000},
		{apic.RegLVTError, 0x10000, 0x10000},
		{apic.RegTimerInitial, 0, 0},
		{apic.RegTimerCurrent, 0, 0},
		{apic.RegTimerDivide, 0, 0},
	}
	for _, tt := range tests {
		for cpu, want := range []uint32{tt.cpu0, tt.cpu1} {
			if got := r.sys.LAPIC(cpu).Read(tt.off); got != want {
				t.Errorf("cpu%d Read(%#x) = %#08x, want %#08x", cpu, tt.off, got, want)
			}
		}
	}
	for cpu, want := range []uint64{0xFEE00900, 0xFEE00800} {
		if got, ok := r.sys.LAPIC(cpu).ReadMSR(apic.MSRAPICBase); !ok || got != want {
			t.Errorf("cpu%d IA32_APIC_BASE = %#x, %v; want %#x", cpu, got, ok, want)
		}
	}
	if r.sys.LAPIC(2) != nil || r.sys.LAPIC(-1) != nil {
		t.Errorf("LAPIC of a missing processor is not nil")
	}
	if got := latchESR(r.sys.LAPIC(0)); got != 0 {
		t.Errorf("reading every register set ESR %#x", got)
	}
}

func TestLAPICRegisterWrites(t *testing.T) {
	tests := []struct {
		name  string
		off   uint32
		write uint32
		want  uint32
	}{
		{"ID", apic.RegID, 0xA5FFFFFF, 0xA5000000},
		{"version read only", apic.RegVersion, 0xFFFFFFFF, 0x00050014},
		{"TPR", apic.RegTPR, 0xFFFFFF5A, 0x5A},
		{"APR read only", apic.RegAPR, 0xFF, 0},
		{"PPR read only", apic.RegPPR, 0xFF, 0},
		{"RRD read only", apic.RegRRD, 0xFF, 0},
		{"LDR", apic.RegLDR, 0x81FFFFFF, 0x81000000},
		{"DFR cluster", apic.RegDFR, 0x00000000, 0x0FFFFFFF},
		{"DFR flat", apic.RegDFR, 0xF0000000, 0xFFFFFFFF},
		{"SVR", apic.RegSVR, 0xFFFFFF3F, 0x13F},
		{"SVR disabled", apic.RegSVR, 0x0000007F, 0x07F},
		{"ISR read only", apic.RegISR + 0x10, 0xFFFFFFFF, 0},
		{"TMR read only", apic.RegTMR + 0x20, 0xFFFFFFFF, 0},
		{"IRR read only", apic.RegIRR + 0x30, 0xFFFFFFFF, 0},
		{"ICR high", apic.RegICRHigh, 0xFFFFFFFF, 0xFF000000},
		{"LVT timer", apic.RegLVTTimer, 0xFFFFFFFF, 0x000700FF},
		{"LVT thermal", apic.RegLVTThermal, 0xFFFFFFFF, 0x000107FF},
		{"LVT perf", apic.RegLVTPerf, 0xFFFFFFFF, 0x000107FF},
		{"LVT LINT0", apic.RegLVTLINT0, 0xFFFFFFFF, 0x0001A7FF},
		{"LVT LINT1", apic.RegLVTLINT1, 0x0000E4FE, 0x0000A4FE},
		{"LVT error", apic.RegLVTError, 0xFFFFFFFF, 0x000100FF},
		{"LVT error unmasked", apic.RegLVTError, 0x000000F3, 0x000000F3},
		{"initial count", apic.RegTimerInitial, 0, 0},
		{"current count read only", apic.RegTimerCurrent, 1234, 0},
		{"divide", apic.RegTimerDivide, 0xFFFFFFFF, 0xB},
		{"EOI reads 0", apic.RegEOI, 0xFFFFFFFF, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, 2)
			r.enableAll()
			l := r.sys.LAPIC(1)
			l.Write(tt.off, tt.write)
			if got := l.Read(tt.off); got != tt.want {
				t.Errorf("Write(%#x, %#x); Read = %#08x, want %#08x", tt.off, tt.write, got, tt.want)
			}
			if got := latchESR(l); got != 0 {
				t.Errorf("ESR = %#x, want 0", got)
			}
		})
	}
}

func TestLAPICRegisterSlots(t *testing.T) {
	r := newRig(t, 2)
	l := r.sys.LAPIC(1)
	// Bits 0–3 of the offset are ignored: the whole 16-byte slot is the
	// register.
	for _, off := range []uint32{0x20, 0x24, 0x28, 0x2C, 0x2F} {
		if got := l.Read(off); got != 0x01000000 {
			t.Errorf("Read(%#x) = %#x, want the ID register", off, got)
		}
	}
	l.Write(apic.RegTPR+4, 0x33)
	if got := l.Read(apic.RegTPR); got != 0x33 {
		t.Errorf("Write(TPR+4) did not reach TPR: %#x", got)
	}
	// Offsets past the register range but inside the window: 0, no error.
	for _, off := range []uint32{0x400, 0x800, 0xFF0, 0xFFC} {
		l.Write(off, 0xFFFFFFFF)
		if got := l.Read(off); got != 0 {
			t.Errorf("Read(%#x) = %#x, want 0", off, got)
		}
	}
	if got := latchESR(l); got != 0 {
		t.Errorf("ESR after accesses past 0x3F0 = %#x, want 0", got)
	}
}

func TestLAPICIllegalRegister(t *testing.T) {
	unimplemented := []uint32{0x000, 0x010, 0x040, 0x050, 0x060, 0x070, 0x290, 0x2A0, 0x2E0, 0x2F0, 0x3A0, 0x3B0, 0x3C0, 0x3D0, 0x3F0}
	for _, off := range unimplemented {
		for _, write := range []bool{false, true} {
			r := newRig(t, 1)
			l := r.sys.LAPIC(0)
			if write {
				l.Write(off, 0xFFFFFFFF)
			} else if got := l.Read(off); got != 0 {
				t.Errorf("Read(%#x) = %#x, want 0", off, got)
			}
			if got := l.Read(apic.RegESR); got != 0 {
				t.Errorf("ESR before the latching write = %#x, want 0", got)
			}
			if got := latchESR(l); got != apic.ESRIllegalRegister {
				t.Errorf("offset %#x (write %v): ESR = %#x, want %#x", off, write, got, apic.ESRIllegalRegister)
			}
			if got := latchESR(l); got != 0 {
				t.Errorf("second ESR latch = %#x, want 0", got)
			}
		}
	}
}

func TestLAPICSoftwareDisable(t *testing.T) {
	r := newRig(t, 1)
	l := r.sys.LAPIC(0)
	// Disabled at reset: LVT writes cannot unmask.
	l.Write(apic.RegLVTTimer, 0x20)
	if got := l.Read(apic.RegLVTTimer); got != 0x10020 {
		t.Errorf("LVT timer while disabled = %#x, want masked 0x10020", got)
	}
	l.Write(apic.RegSVR, 0x1FF)
	l.Write(apic.RegLVTTimer, 0x20)
	l.Write(apic.RegLVTError, 0x21)
	l.Write(apic.RegLVTLINT0, 0x700)
	if got := l.Read(apic.RegLVTTimer); got != 0x20 {
		t.Errorf("LVT timer while enabled = %#x, want 0x20", got)
	}
	// Disabling masks every entry and keeps the rest.
	l.Write(apic.RegSVR, 0x0FF)
	for off, want := range map[uint32]uint32{apic.RegLVTTimer: 0x10020, apic.RegLVTError: 0x10021, apic.RegLVTLINT0: 0x10700} {
		if got := l.Read(off); got != want {
			t.Errorf("after disable, Read(%#x) = %#x, want %#x", off, got, want)
		}
	}
	// Enabling again leaves them masked.
	l.Write(apic.RegSVR, 0x1FF)
	if got := l.Read(apic.RegLVTTimer); got != 0x10020 {
		t.Errorf("after re-enable, LVT timer = %#x, want still masked", got)
	}
}

func TestLAPICSoftwareDisabledHoldsAndRejects(t *testing.T) {
	r := newRig(t, 2)
	r.enableAll()
	l := r.sys.LAPIC(1)
	send := func(icrLow uint32) {
		src := r.sys.LAPIC(0)
		src.Write(apic.RegICRHigh, 1<<24)
		src.Write(apic.RegICRLow, icrLow)
	}
	send(0x40) // fixed 0x40, accepted while enabled
	l.Write(apic.RegSVR, 0xFF)
	r.cpus.take()
	if l.PendingInterrupt() {
		t.Errorf("a disabled APIC presents a held interrupt")
	}
	if got := l.Acknowledge(); got != 0xFF {
		t.Errorf("Acknowledge while disabled = %#x, want spurious 0xFF", got)
	}
	send(0x50)         // fixed: dropped
	send(0x400)        // NMI: taken
	send(0x600 | 0x12) // SIPI: taken
	if got := vectors(l, apic.RegIRR); !slices.Equal(got, []int{0x40}) {
		t.Errorf("IRR of the disabled APIC = %#x, want [0x40] held", got)
	}
	if !l.PendingNMI() {
		t.Errorf("a disabled APIC refused an NMI")
	}
	if got := r.cpus.take(); !slices.Equal(got, []string{"kick 1", "sipi 1 0x12"}) {
		t.Errorf("CPU control log = %q", got)
	}
	// The fixed IPI reached an APIC, so the sender has no accept error.
	if got := latchESR(r.sys.LAPIC(0)); got != 0 {
		t.Errorf("sender ESR = %#x, want 0", got)
	}
	l.Write(apic.RegSVR, 0x1FF)
	if !l.PendingInterrupt() {
		t.Errorf("re-enabled APIC does not present the held interrupt")
	}
	if got := r.cpus.take(); !slices.Contains(got, "kick 1") {
		t.Errorf("re-enabling with a held interrupt did not kick: %q", got)
	}
	if got := service(l); got != 0x40 {
		t.Errorf("held vector = %#x, want 0x40", got)
	}
}

func TestPPR(t *testing.T) {
	tests := []struct {
		tpr  uint32
		isr  uint8 // 0: none
		want uint32
	}{
		{0x00, 0, 0x00},
		{0x35, 0, 0x35},
		{0x35, 0x40, 0x40},
		{0x45, 0x40, 0x45},
		{0x40, 0x4F, 0x40},
		{0x3F, 0x41, 0x40},
		{0xFF, 0xFE, 0xFF},
	}
	for _, tt := range tests {
		r := newRig(t, 1)
		r.enableAll()
		l := r.sys.LAPIC(0)
		if tt.isr != 0 {
			selfIPI(l, tt.isr)
			if got := l.Acknowledge(); got != tt.isr {
				t.Fatalf("Acknowledge = %#x, want %#x", got, tt.isr)
			}
		}
		l.Write(apic.RegTPR, tt.tpr)
		if got := l.Read(apic.RegPPR); got != tt.want {
			t.Errorf("TPR %#x, ISR %#x: PPR = %#x, want %#x", tt.tpr, tt.isr, got, tt.want)
		}
	}
}

func TestTPRBlocking(t *testing.T) {
	tests := []struct {
		tpr     uint32
		vector  uint8
		pending bool
	}{
		{0x00, 0x10, true},
		{0x00, 0x20, true},
		{0x20, 0x20, false},
		{0x20, 0x2F, false},
		{0x2F, 0x2F, false},
		{0x20, 0x30, true},
		{0x2F, 0x30, true},
		{0xEF, 0xFF, true},
		{0xF0, 0xFF, false},
	}
	for _, tt := range tests {
		r := newRig(t, 1)
		r.enableAll()
		l := r.sys.LAPIC(0)
		l.Write(apic.RegTPR, tt.tpr)
		r.cpus.take()
		selfIPI(l, tt.vector)
		if got := l.PendingInterrupt(); got != tt.pending {
			t.Errorf("TPR %#x, vector %#x: PendingInterrupt = %v, want %v", tt.tpr, tt.vector, got, tt.pending)
		}
		kicked := slices.Contains(r.cpus.take(), "kick 0")
		if kicked != tt.pending {
			t.Errorf("TPR %#x, vector %#x: kicked = %v, want %v", tt.tpr, tt.vector, kicked, tt.pending)
		}
		if !tt.pending {
			if got := l.Acknowledge(); got != 0xFF {
				t.Errorf("Acknowledge of a blocked vector = %#x, want spurious", got)
			}
			if got := vectors(l, apic.RegIRR); !slices.Equal(got, []int{int(tt.vector)}) {
				t.Errorf("spurious acknowledge changed IRR: %#x", got)
			}
			l.Write(apic.RegTPR, 0)
			if !l.PendingInterrupt() || !slices.Contains(r.cpus.take(), "kick 0") {
				t.Errorf("lowering TPR did not make %#x deliverable with a kick", tt.vector)
			}
		}
	}
}

func TestPriorityNesting(t *testing.T) {
	r := newRig(t, 1)
	r.enableAll()
	l := r.sys.LAPIC(0)
	step := func(what string, pending bool, irr, isr []int) {
		t.Helper()
		if got := l.PendingInterrupt(); got != pending {
			t.Errorf("%s: PendingInterrupt = %v, want %v", what, got, pending)
		}
		if got := vectors(l, apic.RegIRR); !slices.Equal(got, irr) {
			t.Errorf("%s: IRR = %#x, want %#x", what, got, irr)
		}
		if got := vectors(l, apic.RegISR); !slices.Equal(got, isr) {
			t.Errorf("%s: ISR = %#x, want %#x", what, got, isr)
		}
	}
	selfIPI(l, 0x50)
	selfIPI(l, 0x31)
	step("two requested", true, []int{0x31, 0x50}, nil)
	if got := l.Acknowledge(); got != 0x50 {
		t.Fatalf("first Acknowledge = %#x, want 0x50 (highest)", got)
	}
	step("0x50 in service", false, []int{0x31}, []int{0x50})
	selfIPI(l, 0x5A) // same class: waits
	step("same class waits", false, []int{0x31, 0x5A}, []int{0x50})
	selfIPI(l, 0x61) // higher class: nests
	step("higher class", true, []int{0x31, 0x5A, 0x61}, []int{0x50})
	if got := l.Acknowledge(); got != 0x61 {
		t.Fatalf("nested Acknowledge = %#x, want 0x61", got)
	}
	step("nested", false, []int{0x31, 0x5A}, []int{0x50, 0x61})
	if got := l.Read(apic.RegPPR); got != 0x60 {
		t.Errorf("PPR while nested = %#x, want 0x60", got)
	}
	l.Write(apic.RegEOI, 0)
	step("EOI of the nested one", false, []int{0x31, 0x5A}, []int{0x50})
	l.Write(apic.RegEOI, 0)
	step("EOI of 0x50", true, []int{0x31, 0x5A}, nil)
	if got := service(l); got != 0x5A {
		t.Errorf("then %#x, want 0x5A", got)
	}
	if got := service(l); got != 0x31 {
		t.Errorf("then %#x, want 0x31", got)
	}
	step("all done", false, nil, nil)
	l.Write(apic.RegEOI, 0) // EOI with nothing in service: nothing happens
	step("stray EOI", false, nil, nil)
	if got := l.Acknowledge(); got != 0xFF {
		t.Errorf("Acknowledge with nothing pending = %#x, want spurious 0xFF", got)
	}
}

func TestAPICBaseMSR(t *testing.T) {
	r := newRig(t, 2)
	l := r.sys.LAPIC(1)
	tests := []struct {
		write uint64
		ok    bool
		want  uint64
	}{
		{0xFEE00800, true, 0xFEE00800},
		{0xFEE00900, true, 0xFEE00800},  // BSP flag is read only
		{0xFEE00C00, false, 0xFEE00800}, // x2APIC enable: #GP
		{0xFEE00801, false, 0xFEE00800}, // reserved bit 0
		{0x10_FEE00800, false, 0xFEE00800},
		{0xF_FEB00800, true, 0xF_FEB00800}, // base bits 12–35
	}
	for _, tt := range tests {
		if ok := l.WriteMSR(apic.MSRAPICBase, tt.write); ok != tt.ok {
			t.Errorf("WriteMSR(IA32_APIC_BASE, %#x) = %v, want %v", tt.write, ok, tt.ok)
		}
		if got, _ := l.ReadMSR(apic.MSRAPICBase); got != tt.want {
			t.Errorf("after writing %#x, IA32_APIC_BASE = %#x, want %#x", tt.write, got, tt.want)
		}
	}
	if got := l.Base(); got != 0xF_FEB00000 {
		t.Errorf("Base = %#x", got)
	}
	if got, _ := r.sys.LAPIC(0).ReadMSR(apic.MSRAPICBase); got&apic.APICBaseBSP == 0 {
		t.Errorf("cpu0 is not the BSP")
	}
	for _, msr := range []uint32{0x10, 0x1A, 0x802, 0x80B, 0x6E1} {
		if _, ok := l.ReadMSR(msr); ok {
			t.Errorf("ReadMSR(%#x) ok", msr)
		}
		if l.WriteMSR(msr, 0) {
			t.Errorf("WriteMSR(%#x) ok", msr)
		}
	}
	if _, ok := r.sys.ReadMSR(5, apic.MSRAPICBase); ok {
		t.Errorf("System.ReadMSR of a missing processor ok")
	}
	if !r.sys.WriteMSR(0, apic.MSRAPICBase, 0xFEE00900) {
		t.Errorf("System.WriteMSR failed")
	}
}

func TestHardwareDisable(t *testing.T) {
	r := newRig(t, 2)
	r.enableAll()
	l := r.sys.LAPIC(1)
	l.Write(apic.RegID, 0x07000000)
	l.Write(apic.RegTPR, 0x20)
	l.Write(apic.RegLVTTimer, 0x20)
	l.Write(apic.RegTimerInitial, 1000)
	if !l.WriteMSR(apic.MSRAPICBase, 0xFEE00000) {
		t.Fatal("disabling failed")
	}
	if l.HardwareEnabled() || l.SoftwareEnabled() {
		t.Errorf("still enabled")
	}
	if len(r.clock.pending()) != 0 {
		t.Errorf("a disabled APIC's timer is still scheduled: %v", r.clock.pending())
	}
	for _, off := range []uint32{apic.RegID, apic.RegVersion, apic.RegSVR, apic.RegDFR} {
		if got := l.Read(off); got != 0 {
			t.Errorf("disabled Read(%#x) = %#x, want 0", off, got)
		}
	}
	l.Write(apic.RegSVR, 0x1FF)
	// No message reaches it, so a physical IPI to it is not accepted.
	src := r.sys.LAPIC(0)
	src.Write(apic.RegICRHigh, 0x01000000)
	src.Write(apic.RegICRLow, 0x400) // NMI
	if l.PendingNMI() {
		t.Errorf("a hardware-disabled APIC took an NMI")
	}
	if got := latchESR(src); got != apic.ESRSendAccept {
		t.Errorf("sender ESR = %#x, want send accept error", got)
	}
	// Enabling again: power-up state.
	l.WriteMSR(apic.MSRAPICBase, 0xFEE00800)
	for off, want := range map[uint32]uint32{apic.RegID: 0x01000000, apic.RegTPR: 0, apic.RegSVR: 0xFF, apic.RegLVTTimer: 0x10000, apic.RegTimerInitial: 0} {
		if got := l.Read(off); got != want {
			t.Errorf("re-enabled Read(%#x) = %#x, want %#x", off, got, want)
		}
	}
}

func TestErrorInterrupt(t *testing.T) {
	r := newRig(t, 1)
	r.enableAll()
	l := r.sys.LAPIC(0)
	l.Write(apic.RegLVTError, 0xE3)
	l.Write(apic.RegICRHigh, 0x05000000) // nobody
	l.Write(apic.RegICRLow, 0x40)
	if got := l.Acknowledge(); got != 0xE3 {
		t.Errorf("error interrupt vector = %#x, want 0xE3", got)
	}
	l.Write(apic.RegEOI, 0)
	// An error entry with an illegal vector records that too, without
	// looping.
	l.Write(apic.RegLVTError, 0x05)
	l.Write(apic.RegICRLow, 0x40)
	if got := latchESR(l); got != apic.ESRSendAccept|apic.ESRRecvIllegalVector {
		t.Errorf("ESR = %#x, want send accept and receive illegal vector", got)
	}
	if l.PendingInterrupt() {
		t.Errorf("illegal error vector delivered")
	}
}

func TestNMIAcknowledge(t *testing.T) {
	r := newRig(t, 1)
	l := r.sys.LAPIC(0)
	l.Write(apic.RegICRLow, 1<<18|0x400) // NMI to self, APIC still disabled
	if !l.PendingNMI() {
		t.Fatal("NMI not pending")
	}
	if got := r.cpus.take(); !slices.Equal(got, []string{"kick 0"}) {
		t.Errorf("log = %q", got)
	}
	l.AckNMI()
	if l.PendingNMI() {
		t.Errorf("NMI still pending after AckNMI")
	}
}
