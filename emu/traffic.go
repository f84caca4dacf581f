package emu

// This file implements the traffic device: a seeded source of interrupts
// at a configured rate with jitter, standing in for a NIC or a disk.

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// TrafficPortBase is the first port of the first traffic device; device
// i (in the order they were added) has its ports at TrafficPortBase+16·i,
// for i below MaxTraffic.
//
// Port interface (32-bit accesses):
//
//	base+0  read: interrupts raised and not yet acknowledged
//	        write: acknowledge one (the line drops when none is left)
//	base+4  read: low 32 bits of the cycle the oldest unacknowledged one was raised
//	base+8  read: high 32 bits of that cycle
//	base+12 read: total interrupts raised so far (low 32 bits)
//
// The interrupt line is level-triggered: it is high while any interrupt is
// unacknowledged, as a PCI device's INTx is.
const TrafficPortBase = 0x300

// MaxTraffic is how many traffic devices fit between TrafficPortBase and
// COM1 (0x3F8): 15, at 0x300-0x3EF. A 16th would take COM1's ports.
const MaxTraffic = (comPort - TrafficPortBase) / trafficPorts

const (
	trafficPorts = 16    // ports per traffic device
	comPort      = 0x3F8 // COM1, the first port the traffic devices must not reach
)

// TrafficConfig configures the traffic device, as --traffic gives it.
type TrafficConfig struct {
	IRQ    int     // ISA IRQ line (IO-APIC pin, IRQ 0 excepted)
	Rate   float64 // mean interrupts per simulated second
	Jitter float64 // each interval is uniform in [1-Jitter, 1+Jitter] × the mean
}

// ParseTraffic parses "irq=11,rate=2000,jitter=20%".
func ParseTraffic(s string) (TrafficConfig, error) {
	t := TrafficConfig{IRQ: -1}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return t, fmt.Errorf("--traffic %q: %q is not key=value", s, kv)
		}
		var err error
		switch k {
		case "irq":
			t.IRQ, err = strconv.Atoi(v)
			if err == nil && (t.IRQ < 1 || t.IRQ > 23 || t.IRQ == 2) {
				err = fmt.Errorf("must be 1-23 and not 2 (the PIT's IO-APIC pin)")
			}
		case "rate":
			t.Rate, err = strconv.ParseFloat(v, 64)
			if err == nil && (t.Rate <= 0 || t.Rate > 1e7) {
				err = fmt.Errorf("must be above 0 and at most 10,000,000 per second")
			}
		case "jitter":
			pct := strings.HasSuffix(v, "%")
			t.Jitter, err = strconv.ParseFloat(strings.TrimSuffix(v, "%"), 64)
			if pct {
				t.Jitter /= 100
			}
			if err == nil && (t.Jitter < 0 || t.Jitter >= 1) {
				err = fmt.Errorf("must be at least 0 and below 100%%")
			}
		default:
			err = fmt.Errorf("unknown key (want irq, rate, jitter)")
		}
		if err != nil {
			return t, fmt.Errorf("--traffic %s: %v", kv, err)
		}
	}
	if t.IRQ < 0 || t.Rate == 0 {
		return t, fmt.Errorf("--traffic %q: irq and rate are required", s)
	}
	return t, nil
}

// traffic is the device.
type traffic struct {
	m       *Machine
	cfg     TrafficConfig
	base    uint16
	rng     *rand.Rand
	period  float64 // mean interval in cycles
	pending []uint64
	total   uint64
	fire    func()
}

// AddTraffic attaches traffic device number i (0 to MaxTraffic-1) to the
// machine. Its intervals come from a generator seeded with the machine's
// seed and i, so runs repeat exactly.
func (m *Machine) AddTraffic(cfg TrafficConfig, i int) error {
	if i < 0 {
		return fmt.Errorf("traffic device number %d: the first is 0", i)
	}
	if i >= MaxTraffic {
		return fmt.Errorf("--traffic: at most %d traffic devices (their ports, %d each from %#x, must stay below COM1 at %#x); this is number %d",
			MaxTraffic, trafficPorts, TrafficPortBase, comPort, i+1)
	}
	base := uint16(TrafficPortBase + trafficPorts*i)
	t := &traffic{
		m:      m,
		cfg:    cfg,
		base:   base,
		rng:    rand.New(rand.NewPCG(m.cfg.Seed, 0x7472616666696300+uint64(i))),
		period: float64(m.cfg.MHz) * 1e6 / cfg.Rate,
	}
	t.fire = t.raise
	if err := m.MapPorts(base, trafficPorts, t); err != nil {
		return fmt.Errorf("--traffic: traffic device %d: %v", i, err)
	}
	t.schedule()
	return nil
}

func (t *traffic) schedule() {
	f := 1 + t.cfg.Jitter*(2*t.rng.Float64()-1)
	d := uint64(t.period * f)
	if d == 0 {
		d = 1
	}
	t.m.Schedule(t.m.Now()+d, t.fire)
}

func (t *traffic) raise() {
	t.pending = append(t.pending, t.m.Now())
	t.total++
	t.m.SetIRQ(t.cfg.IRQ, true)
	t.schedule()
}

func (t *traffic) In(port uint16, size int) uint32 {
	switch port - t.base {
	case 0:
		return uint32(len(t.pending))
	case 4:
		if len(t.pending) > 0 {
			return uint32(t.pending[0])
		}
	case 8:
		if len(t.pending) > 0 {
			return uint32(t.pending[0] >> 32)
		}
	case 12:
		return uint32(t.total)
	}
	return 0
}

func (t *traffic) Out(port uint16, size int, v uint32) {
	if port-t.base != 0 || len(t.pending) == 0 {
		return
	}
	t.pending = t.pending[1:]
	if len(t.pending) == 0 {
		t.m.SetIRQ(t.cfg.IRQ, false)
	}
}
