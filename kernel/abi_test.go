package kernel

import (
	"bytes"
	"os"
	"testing"
)

// TestABIHeaderCurrent checks that the SDK's generated header is what
// kernel/abi.go says (go generate ./kernel rewrites it).
func TestABIHeaderCurrent(t *testing.T) {
	got, err := os.ReadFile("../boot/sdk/preemptlab_abi.h")
	if err != nil {
		t.Fatal(err)
	}
	if want := ABIHeader(); !bytes.Equal(got, want) {
		t.Errorf("boot/sdk/preemptlab_abi.h is not current with kernel/abi.go: run go generate ./kernel")
	}
}

// TestCallNumbersUnique checks that no two calls share a number or a name,
// and that every service has a handler (or is reported as not built).
func TestCallNumbersUnique(t *testing.T) {
	nrs, names := map[uint32]string{}, map[string]bool{}
	for _, c := range Calls {
		if o, dup := nrs[c.Nr]; dup {
			t.Errorf("%s and %s share number %#x", o, c.Name, c.Nr)
		}
		if names[c.Name] {
			t.Errorf("%s is listed twice", c.Name)
		}
		nrs[c.Nr], names[c.Name] = c.Name, true
		internal := c.Nr == SvcUpcallReturn || c.Nr == SvcAPStarted || c.Nr == SvcUserTaskExit
		if callTable[c.Nr] == nil && !internal {
			t.Errorf("%s (%#x) has no handler", c.Name, c.Nr)
		}
	}
}
