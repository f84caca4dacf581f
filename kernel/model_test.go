package kernel

import (
	"strings"
	"testing"
)

func TestPresetsAndKnobs(t *testing.T) {
	m, err := LookupPreset("preempt")
	if err != nil {
		t.Fatal(err)
	}
	if m.Preempt != PreemptFull || !m.Lockbreak || m.IRQ != IRQHard {
		t.Errorf("preempt preset = %v", m)
	}
	if err := m.Set("irq", "threaded"); err != nil || m.IRQ != IRQThreaded {
		t.Errorf("--irq threaded: %v, %v", err, m)
	}
	if got := m.String(); got != "preempt=full irq=threaded softirq=irq-exit spinlock=spin pi=none lockbreak=on rcu=classic domain=single" {
		t.Errorf("String() = %q", got)
	}
	if err := m.Set("preempt", "fully"); err == nil || !strings.Contains(err.Error(), "none, voluntary, full, lazy") {
		t.Errorf("unknown value: %v, want the list of values", err)
	}
	if err := m.Set("frobnicate", "x"); err == nil || !strings.Contains(err.Error(), "preempt, irq, softirq") {
		t.Errorf("unknown knob: %v, want the list of knobs", err)
	}
	if _, err := LookupPreset("rt2"); err == nil || !strings.Contains(err.Error(), "mvista-rt") {
		t.Errorf("unknown preset: %v, want the list of presets", err)
	}
	for _, p := range Presets {
		if p.Model.PresetName() != p.Name {
			t.Errorf("preset %s's model names itself %s", p.Name, p.Model.PresetName())
		}
	}
	dual := Model{Domain: DomainDual}
	if err := dual.Check(); err == nil || !strings.Contains(err.Error(), "not built yet") {
		t.Errorf("domain=dual: Check() = %v, want it missing", err)
	}
	for _, name := range []string{"none", "voluntary", "preempt", "mvista-rt", "mmlinux", "rt"} {
		m, _ := LookupPreset(name)
		if err := m.Check(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestParseCosts(t *testing.T) {
	c := DefaultCosts
	if err := ParseCosts(strings.NewReader("# a comment\nirq_entry = 500\n\ncontext_switch=900 # inline\n"), &c); err != nil {
		t.Fatal(err)
	}
	if c.IRQEntry != 500 || c.ContextSwitch != 900 || c.IRQExit != DefaultCosts.IRQExit {
		t.Errorf("parsed %+v", c)
	}
	for _, bad := range []string{"irq_entry 500", "no_such = 1", "irq_entry = -3", "irq_entry = lots"} {
		if err := ParseCosts(strings.NewReader(bad), &c); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	var b strings.Builder
	WriteCosts(&b, DefaultCosts)
	var back Costs
	if err := ParseCosts(strings.NewReader(b.String()), &back); err != nil || back != DefaultCosts {
		t.Errorf("WriteCosts does not read back: %v", err)
	}
	for _, n := range CostNames() {
		if strings.ToLower(n) != n || strings.Contains(n, "__") {
			t.Errorf("cost name %q", n)
		}
	}
}
