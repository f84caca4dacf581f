package apic_test

import (
	"fmt"
	"slices"
	"testing"

	"preemptlab/apic"
)

// ICR low fields.
const (
	icrLowest   = 1 << 8
	icrSMI      = 2 << 8
	icrNMI      = 4 << 8
	icrINIT     = 5 << 8
	icrStartUp  = 6 << 8
	icrExtINT   = 7 << 8
	icrLogical  = 1 << 11
	icrAssert   = 1 << 14
	icrLevel    = 1 << 15
	icrSelf     = 1 << 18
	icrAll      = 2 << 18
	icrAllButMe = 3 << 18
)

func TestIPIRouting(t *testing.T) {
	flat := func(r *rig) {
		for i := 0; i < 4; i++ {
			r.sys.LAPIC(i).Write(apic.RegLDR, 1<<(24+i))
		}
	}
	cluster := func(r *rig) {
		for i, ldr := range []uint32{0x11, 0x12, 0x21, 0x22} {
			l := r.sys.LAPIC(i)
			l.Write(apic.RegDFR, 0x0FFFFFFF)
			l.Write(apic.RegLDR, ldr<<24)
		}
	}
	tests := []struct {
		name   string
		setup  func(*rig)
		dest   uint32 // ICR high bits 24–31
		icr    uint32
		irr    []int    // processors that get the vector 0x30 in IRR
		log    []string // CPU control calls other than kicks
		nmi    []int    // processors with an NMI pending
		esr    uint32   // sender's ESR
		sender int
	}{
		{name: "physical", dest: 2, icr: 0x30, irr: []int{2}},
		{name: "physical self", dest: 0, icr: 0x30, irr: []int{0}},
		{name: "physical broadcast", dest: 0xFF, icr: 0x30, irr: []int{0, 1, 2, 3}},
		{name: "physical nobody", dest: 7, icr: 0x30, esr: apic.ESRSendAccept},
		{name: "physical after ID change", setup: func(r *rig) { r.sys.LAPIC(3).Write(apic.RegID, 0x07000000) }, dest: 7, icr: 0x30, irr: []int{3}},
		{name: "physical old ID", setup: func(r *rig) { r.sys.LAPIC(3).Write(apic.RegID, 0x07000000) }, dest: 3, icr: 0x30, esr: apic.ESRSendAccept},
		{name: "flat one", setup: flat, dest: 0x04, icr: icrLogical | 0x30, irr: []int{2}},
		{name: "flat set", setup: flat, dest: 0x0B, icr: icrLogical | 0x30, irr: []int{0, 1, 3}},
		{name: "flat broadcast", setup: flat, dest: 0xFF, icr: icrLogical | 0x30, irr: []int{0, 1, 2, 3}},
		{name: "flat broadcast, no LDR", dest: 0xFF, icr: icrLogical | 0x30, irr: []int{0, 1, 2, 3}},
		{name: "flat nobody", setup: flat, dest: 0x30, icr: icrLogical | 0x30, esr: apic.ESRSendAccept},
		{name: "flat, no LDR", dest: 0x01, icr: icrLogical | 0x30, esr: apic.ESRSendAccept},
		{name: "cluster both of 1", setup: cluster, dest: 0x13, icr: icrLogical | 0x30, irr: []int{0, 1}},
		{name: "cluster one of 2", setup: cluster, dest: 0x22, icr: icrLogical | 0x30, irr: []int{3}},
		{name: "cluster all clusters", setup: cluster, dest: 0xF1, icr: icrLogical | 0x30, irr: []int{0, 2}},
		{name: "cluster broadcast", setup: cluster, dest: 0xFF, icr: icrLogical | 0x30, irr: []int{0, 1, 2, 3}},
		{name: "cluster nobody", setup: cluster, dest: 0x34, icr: icrLogical | 0x30, esr: apic.ESRSendAccept},
		{name: "self", dest: 2, icr: icrSelf | 0x30, irr: []int{0}},
		{name: "self from 3", dest: 2, icr: icrSelf | 0x30, irr: []int{3}, sender: 3},
		{name: "all including self", dest: 2, icr: icrAll | 0x30, irr: []int{0, 1, 2, 3}},
		{name: "all excluding self", dest: 0, icr: icrAllButMe | 0x30, irr: []int{0, 2, 3}, sender: 1},
		{name: "illegal vector", dest: 1, icr: 0x0F, esr: apic.ESRSendIllegalVector},
		{name: "illegal vector lowest", dest: 1, icr: icrLowest | 0x01, esr: apic.ESRSendIllegalVector},
		{name: "NMI", dest: 1, icr: icrNMI | 0x30, nmi: []int{1}},
		{name: "NMI vector ignored", dest: 1, icr: icrNMI | 0x02, nmi: []int{1}},
		{name: "NMI all excluding self", icr: icrAllButMe | icrNMI, nmi: []int{1, 2, 3}},
		{name: "NMI nobody", dest: 9, icr: icrNMI, esr: apic.ESRSendAccept},
		{name: "INIT", dest: 2, icr: icrINIT | icrAssert, log: []string{"init 2"}},
		{name: "INIT edge, level bit clear", dest: 2, icr: icrINIT, log: []string{"init 2"}},
		{name: "INIT level de-assert ignored", dest: 2, icr: icrINIT | icrLevel},
		{name: "INIT all excluding self", icr: icrAllButMe | icrINIT | icrAssert, log: []string{"init 1", "init 2", "init 3"}},
		{name: "start-up", dest: 1, icr: icrStartUp | 0x9A, log: []string{"sipi 1 0x9a"}},
		{name: "start-up vector 0", dest: 3, icr: icrStartUp, log: []string{"sipi 3 0x0"}},
		{name: "start-up broadcast", dest: 0xFF, icr: icrStartUp | 0x10, log: []string{"sipi 0 0x10", "sipi 1 0x10", "sipi 2 0x10", "sipi 3 0x10"}},
		{name: "SMI dropped", dest: 1, icr: icrSMI},
		{name: "ExtINT dropped", dest: 1, icr: icrExtINT | 0x30},
		{name: "reserved mode dropped", dest: 1, icr: 3<<8 | 0x30},
		{name: "lowest, equal TPRs", dest: 0x0E, icr: icrLogical | icrLowest | 0x30, setup: flat, irr: []int{1}},
		{name: "lowest by TPR", dest: 0x0E, icr: icrLogical | icrLowest | 0x30, irr: []int{2}, setup: func(r *rig) {
			flat(r)
			for i, tpr := range []uint32{0, 0x20, 0x10, 0x18} {
				r.sys.LAPIC(i).Write(apic.RegTPR, tpr)
			}
		}},
		{name: "lowest skips disabled", dest: 0xFF, icr: icrLowest | 0x30, irr: []int{2}, setup: func(r *rig) {
			r.sys.LAPIC(0).Write(apic.RegSVR, 0xFF)
			r.sys.LAPIC(1).Write(apic.RegSVR, 0xFF)
		}},
		{name: "lowest all disabled", dest: 1, icr: icrLowest | 0x30, setup: func(r *rig) { r.sys.LAPIC(1).Write(apic.RegSVR, 0xFF) }},
		{name: "lowest nobody", dest: 6, icr: icrLowest | 0x30, esr: apic.ESRSendAccept},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, 4)
			r.enableAll()
			if tt.setup != nil {
				tt.setup(r)
			}
			r.cpus.take()
			src := r.sys.LAPIC(tt.sender)
			src.Write(apic.RegICRHigh, tt.dest<<24)
			src.Write(apic.RegICRLow, tt.icr)
			if got := src.Read(apic.RegICRLow); got != tt.icr {
				t.Errorf("ICR low reads %#x, want %#x", got, tt.icr)
			}
			var irr, nmi []int
			var kicks []string
			for i := 0; i < 4; i++ {
				l := r.sys.LAPIC(i)
				if slices.Contains(vectors(l, apic.RegIRR), 0x30) {
					irr = append(irr, i)
					kicks = append(kicks, fmt.Sprintf("kick %d", i))
				}
				if l.PendingNMI() {
					nmi = append(nmi, i)
					kicks = append(kicks, fmt.Sprintf("kick %d", i))
				}
				if got := vectors(l, apic.RegTMR); len(got) != 0 {
					t.Errorf("cpu%d TMR = %#x: IPIs are edge triggered", i, got)
				}
			}
			if !slices.Equal(irr, tt.irr) {
				t.Errorf("vector 0x30 reached %v, want %v", irr, tt.irr)
			}
			if !slices.Equal(nmi, tt.nmi) {
				t.Errorf("NMI reached %v, want %v", nmi, tt.nmi)
			}
			var log, gotKicks []string
			for _, s := range r.cpus.take() {
				if s[:4] == "kick" {
					gotKicks = append(gotKicks, s)
				} else {
					log = append(log, s)
				}
			}
			if !slices.Equal(log, tt.log) {
				t.Errorf("CPU control log %q, want %q", log, tt.log)
			}
			slices.Sort(gotKicks)
			slices.Sort(kicks)
			if !slices.Equal(gotKicks, kicks) {
				t.Errorf("kicks %q, want %q", gotKicks, kicks)
			}
			if got := latchESR(src); got != tt.esr {
				t.Errorf("sender ESR = %#x, want %#x", got, tt.esr)
			}
		})
	}
}

func TestIPILowestTieBreakDeterministic(t *testing.T) {
	// Equal priorities always go to the lowest CPU number, whatever the
	// order of sends.
	r := newRig(t, 3)
	r.enableAll()
	src := r.sys.LAPIC(2)
	src.Write(apic.RegICRHigh, 0xFF<<24)
	for i := 0; i < 5; i++ {
		src.Write(apic.RegICRLow, icrLowest|0x30+uint32(i))
	}
	if got := vectors(r.sys.LAPIC(0), apic.RegIRR); !slices.Equal(got, []int{0x30, 0x31, 0x32, 0x33, 0x34}) {
		t.Errorf("cpu0 IRR = %#x", got)
	}
}

func TestNewSystemPanicsOnMachineMistakes(t *testing.T) {
	for _, n := range []int{0, -1, 256} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewSystem(%d) did not panic", n)
				}
			}()
			apic.NewSystem(n, &fakeClock{t: t}, &fakeCPUs{}, 1)
		}()
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Errorf("NewSystem with a nil Clock did not panic")
			}
		}()
		apic.NewSystem(1, nil, &fakeCPUs{}, 1)
	}()
	s := apic.NewSystem(255, &fakeClock{t: t}, &fakeCPUs{}, 0)
	if s.NCPU() != 255 || s.LAPIC(254).Read(apic.RegID) != 0xFE000000 || s.LAPIC(254).CPU() != 254 {
		t.Errorf("a 255-processor system is wrong")
	}
	if s.WriteMSR(255, apic.MSRAPICBase, 0xFEE00800) {
		t.Errorf("System.WriteMSR of a missing processor ok")
	}
}
