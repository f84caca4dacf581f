package tests

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// traceEvent is one Chrome trace event as Perfetto reads it.
type traceEvent struct {
	Ph   string  `json:"ph"`
	Name string  `json:"name"`
	Ts   float64 `json:"ts"`
	Pid  int     `json:"pid"`
	Tid  int     `json:"tid"`
	ID   int     `json:"id"`
	BP   string  `json:"bp"`
	S    string  `json:"s"`
	Args struct {
		Name   string `json:"name"`
		Comm   string `json:"comm"`
		PID    *int   `json:"pid"`
		Flags  string `json:"flags"`
		Fields string `json:"fields"`
	} `json:"args"`
}

// ftraceLine matches a line of the golden traces (nanosecond timestamps).
var ftraceLine = regexp.MustCompile(`^\s*(.+)-(\d+)\s+\[(\d{3})\] (\S{4})\s+(\d+)\.(\d{9}): ([^:]+): (.*)$`)

// TestPerfettoTraceMatchesFtrace runs every golden scenario with a .json
// trace and checks it as Perfetto would read it — valid JSON, every track
// strictly nested, every flow end after its start — and that it holds the
// golden ftrace trace's events, one instant for each line, with the same
// CPU, time, flags and fields, each inside the slice of the task the
// ftrace line names.
func TestPerfettoTraceMatchesFtrace(t *testing.T) {
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			golden, err := os.ReadFile(filepath.Join("golden", s.name+".trace"))
			if err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(t.TempDir(), "trace.json")
			args := append([]string{"run", filepath.Join("kernel", s.image+".elf"), "--gops", "off", "--trace", file}, s.args...)
			cmd := exec.Command(preemptlabBin, args...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Run(); err != nil {
				if _, ok := err.(*exec.ExitError); !ok {
					t.Fatal(err)
				}
			}
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("no trace: %v\n%s", err, stderr.String())
			}
			var doc struct {
				TraceEvents []traceEvent `json:"traceEvents"`
			}
			if err := json.Unmarshal(data, &doc); err != nil {
				t.Fatalf("not JSON: %v", err)
			}
			checkPerfetto(t, doc.TraceEvents, string(golden))
		})
	}
}

func checkPerfetto(t *testing.T, events []traceEvent, golden string) {
	t.Helper()
	ns := func(us float64) int64 { return int64(us*1000 + 0.5) }
	type line struct {
		cpu               int
		ns                int64
		task, flags, what string
	}
	// Every track's slices nest strictly; the outermost slice on a track
	// is always a task's (comm-pid, with the task in its arguments), and
	// each instant lies inside one, which is the task its ftrace line
	// names.
	stacks := map[int][]string{}
	flows := map[int]float64{}
	var got []line
	last := -1.0
	for i, e := range events {
		if e.Ph == "M" {
			continue
		}
		if e.Ts < last {
			t.Fatalf("event %d (%s %s) at %.3f µs comes after one at %.3f", i, e.Ph, e.Name, e.Ts, last)
		}
		last = e.Ts
		st := stacks[e.Tid]
		switch e.Ph {
		case "B":
			if run := e.Args.PID != nil; run != (len(st) == 0) {
				t.Fatalf("event %d: slice %s at %.3f begins inside %v", i, e.Name, e.Ts, st)
			}
			stacks[e.Tid] = append(st, e.Name)
		case "E":
			if len(st) == 0 {
				t.Fatalf("event %d: an end at %.3f with no slice open on track %d", i, e.Ts, e.Tid)
			}
			stacks[e.Tid] = st[:len(st)-1]
		case "i":
			if e.S != "t" {
				t.Errorf("instant %s is not thread-scoped", e.Name)
			}
			if len(st) == 0 {
				t.Fatalf("event %d: instant %s at %.3f outside every task's slice", i, e.Name, e.Ts)
			}
			got = append(got, line{e.Tid - 1, ns(e.Ts), st[0], e.Args.Flags, e.Name + ": " + e.Args.Fields})
		case "s":
			flows[e.ID] = e.Ts
		case "f":
			start, ok := flows[e.ID]
			if !ok || start > e.Ts || e.BP != "e" || len(st) != 1 {
				t.Errorf("flow end %d at %.3f: start %v at %.3f, bp %q, inside %v", e.ID, e.Ts, ok, start, e.BP, st)
			}
		default:
			t.Errorf("event %d has phase %q", i, e.Ph)
		}
	}
	for tid, st := range stacks {
		if len(st) != 0 {
			t.Errorf("track %d ends inside %v", tid, st)
		}
	}
	// The same events as the ftrace trace, in the same order per CPU.
	var want []line
	for _, l := range strings.Split(golden, "\n") {
		m := ftraceLine.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		cpu, _ := strconv.Atoi(m[3])
		sec, _ := strconv.ParseInt(m[5], 10, 64)
		n, _ := strconv.ParseInt(m[6], 10, 64)
		want = append(want, line{cpu, sec*1e9 + n, m[1] + "-" + m[2], m[4], m[7] + ": " + m[8]})
	}
	byCPU := func(ls []line) {
		sort.SliceStable(ls, func(i, j int) bool { return ls[i].cpu < ls[j].cpu })
	}
	byCPU(want)
	byCPU(got)
	if len(got) != len(want) {
		t.Errorf("%d instants, the ftrace trace has %d lines", len(got), len(want))
	}
	for i := 0; i < min(len(got), len(want)); i++ {
		if got[i] != want[i] {
			t.Fatalf("event %d differs:\n json:   %s\n ftrace: %s", i, fmtLine(got[i].cpu, got[i].ns, got[i].task, got[i].flags, got[i].what),
				fmtLine(want[i].cpu, want[i].ns, want[i].task, want[i].flags, want[i].what))
		}
	}
}

func fmtLine(cpu int, ns int64, task, flags, what string) string {
	return fmt.Sprintf("%s [%03d] %s %d.%09d: %s", task, cpu, flags, ns/1e9, ns%1e9, what)
}
