package tests

// This file implements the identity test of the interpreter: every built-in
// image, every SMP image, every kernel scenario and every benchmark image
// must execute exactly the number of instructions and cycles, per
// processor, recorded in testdata/identity.golden. A change to how the
// processor core runs code (block formation, fusion, caching) must leave
// these figures alone; only a deliberate change to an image or to the cost
// model may rewrite them (go test ./tests -run TestIdentity -update).

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
)

// identityGolden holds the recorded counts.
const identityGolden = "testdata/identity.golden"

// identityDirs are the image directories the identity test runs, with the
// flags each needs.
var identityDirs = []struct {
	dir   string
	flags []string
}{
	{"../boot/images", nil},
	{"../boot/images/kernel", nil},
	{"smp", []string{"--cpus", "2"}},
	{"kernel", nil},
	{"bench", nil},
}

// statsLine matches a per-processor line of --stats.
var statsLine = regexp.MustCompile(`(?m)^cpu[0-9]+: [0-9]+ instructions, [0-9]+ cycles$`)

// TestIdentity runs every image with --stats and compares each processor's
// instruction and cycle counts and the exit status with the golden file.
func TestIdentity(t *testing.T) {
	type job struct {
		name, image string
		flags       []string
	}
	var jobs []job
	for _, d := range identityDirs {
		elfs, err := filepath.Glob(filepath.Join(d.dir, "*.elf"))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range elfs {
			name := strings.TrimPrefix(filepath.ToSlash(e), "../")
			jobs = append(jobs, job{name, e, d.flags})
		}
	}
	if len(jobs) == 0 {
		t.Fatal("no images found")
	}
	results := make([]string, len(jobs))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	for i, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			args := append([]string{"run", j.image, "--stats", "--gops=off"}, j.flags...)
			out, status, stderr, err := runImageCommand(t, preemptlabBin, args...)
			if err != nil {
				results[i] = fmt.Sprintf("%s: error %v\n", j.name, err)
				return
			}
			var b strings.Builder
			fmt.Fprintf(&b, "%s: status %d\n", j.name, status)
			lines := statsLine.FindAll(append(append([]byte{}, out...), stderr...), -1)
			if len(lines) == 0 {
				fmt.Fprintf(&b, "%s: no --stats output\n", j.name)
			}
			for _, l := range lines {
				fmt.Fprintf(&b, "%s: %s\n", j.name, l)
			}
			results[i] = b.String()
		}()
	}
	wg.Wait()
	sort.Strings(results)
	got := []byte(strings.Join(results, ""))
	if *update {
		if err := os.WriteFile(identityGolden, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(identityGolden)
	if err != nil {
		t.Fatalf("%v (go test ./tests -run TestIdentity -update writes it)", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("instruction or cycle counts changed:\n%s", lineDiff(identityGolden, "this run", want, got))
	}
}
