package kernel

import (
	"bytes"
	"os"
	"testing"

	"preemptlab/emu"
)

// TestSameTraceTwiceInOneProcess boots the same image twice in one
// process: the two traces must be the same, byte for byte, as two runs
// of the command are (nothing in the kernel may be shared between
// kernels, as a package-level counter would be).
func TestSameTraceTwiceInOneProcess(t *testing.T) {
	image, err := os.ReadFile("../tests/kernel/hello.elf")
	if err != nil {
		t.Fatal(err)
	}
	run := func() string {
		m, err := emu.New(emu.Config{CPUs: 2})
		if err != nil {
			t.Fatal(err)
		}
		l, err := m.LoadMultiboot(image, "")
		if err != nil {
			t.Fatal(err)
		}
		var trace bytes.Buffer
		ft := NewFtrace(&trace, m.Config().MHz, len(m.CPUs()), true)
		if _, err := New(m, l, image, Config{Tracer: ft}); err != nil {
			t.Fatal(err)
		}
		if res := m.Run(); res.Status != 0 {
			t.Fatalf("status %d: %s", res.Status, res.Message)
		}
		if err := ft.Close(); err != nil {
			t.Fatal(err)
		}
		return trace.String()
	}
	first, second := run(), run()
	if first != second {
		t.Errorf("the second run's trace differs from the first's:\n--- first\n%s\n--- second\n%s", first, second)
	}
}
