package tests

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// compareArgs is the short compare run of the golden table.
var compareArgs = []string{"compare", "--duration", "300ms", "--models", "none,voluntary,preempt,rt,preempt+lockbreak=off"}

// runCompare runs compare with GOMAXPROCS procs and returns its stdout.
func runCompare(t *testing.T, procs string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(preemptlabBin, append(append([]string{}, compareArgs...), args...)...)
	cmd.Env = append(os.Environ(), "GOMAXPROCS="+procs)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("preemptlab %v: %v\n%s", compareArgs, err, errb.String())
	}
	return out.Bytes()
}

// TestCompareGolden checks compare's table on a short run of the
// built-in workload against tests/golden/compare.table: every figure of
// it comes from the runs, and the runs are deterministic.
func TestCompareGolden(t *testing.T) {
	got := runCompare(t, "2")
	path := filepath.Join("golden", "compare.table")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./tests -run TestCompareGolden -update writes it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("compare's table differs from %s:\n%s", path, lineDiff(path, "compare", want, got))
	}
}

// TestCompareSameOnAnyCores checks that the table is the same bytes
// whether the runs go one at a time or all at once.
func TestCompareSameOnAnyCores(t *testing.T) {
	one := runCompare(t, "1", "--jobs", "1")
	many := runCompare(t, "4", "--jobs", "5")
	if !bytes.Equal(one, many) {
		t.Errorf("compare printed different tables on 1 and 4 cores:\n%s", lineDiff("1 core", "4 cores", one, many))
	}
}

// TestCyclictestLayouts checks run's cyclictest output against golden
// files: the -h histogram layout with the break report, and the --json
// file (cyclictest's structure, preemptlab's keys added).
func TestCyclictestLayouts(t *testing.T) {
	dir := t.TempDir()
	jsonPath := filepath.Join(dir, "ct.json")
	cmd := exec.Command(preemptlabBin, "run", "--model", "voluntary", "--loops", "60", "--histogram", "40", "--breaktrace", "900", "--blame", "2", "--json", "ct.json")
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	js, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string][]byte{"cyclictest-h40.txt": out.Bytes(), "cyclictest-h40.json": js} {
		path := filepath.Join("golden", name)
		if *update {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (-update writes it)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs:\n%s", path, lineDiff(path, "run", want, got))
		}
	}
}
