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
	Dur  float64 `json:"dur"`
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
	type slice struct {
		name       string
		start, end float64
	}
	slices := map[int][]slice{} // per track, in file order
	runs := map[int][]slice{}   // the tasks' slices (named comm-pid)
	var instants []traceEvent
	flows := map[int]float64{}
	last := -1.0
	for i, e := range events {
		if e.Ph == "M" {
			continue
		}
		if e.Ts < last {
			t.Fatalf("event %d (%s %s) at %.3f µs comes after one at %.3f", i, e.Ph, e.Name, e.Ts, last)
		}
		last = e.Ts
		switch e.Ph {
		case "X":
			slices[e.Tid] = append(slices[e.Tid], slice{e.Name, e.Ts, e.Ts + e.Dur})
			if e.Args.PID != nil {
				runs[e.Tid] = append(runs[e.Tid], slice{e.Name, e.Ts, e.Ts + e.Dur})
			}
		case "i":
			if e.S != "t" {
				t.Errorf("instant %s is not thread-scoped", e.Name)
			}
			instants = append(instants, e)
		case "s":
			flows[e.ID] = e.Ts
		case "f":
			start, ok := flows[e.ID]
			if !ok || start > e.Ts || e.BP != "e" {
				t.Errorf("flow end %d at %.3f: start %v at %.3f, bp %q", e.ID, e.Ts, ok, start, e.BP)
			}
		default:
			t.Errorf("event %d has phase %q", i, e.Ph)
		}
	}
	// Strict nesting: on each track a slice either lies inside the open
	// one or begins after it ended (slices of one start come longest
	// first). Times are µs with three decimals: compare in whole ns.
	ns := func(us float64) int64 { return int64(us*1000 + 0.5) }
	for tid, ss := range slices {
		var stack []slice
		for _, s := range ss {
			for len(stack) > 0 && ns(stack[len(stack)-1].end) <= ns(s.start) && !(ns(s.start) == ns(s.end) && ns(stack[len(stack)-1].start) == ns(s.start)) {
				stack = stack[:len(stack)-1]
			}
			if n := len(stack); n > 0 && ns(s.end) > ns(stack[n-1].end) {
				t.Errorf("track %d: slice %s [%.3f, %.3f] overlaps %s [%.3f, %.3f]", tid, s.name, s.start, s.end, stack[n-1].name, stack[n-1].start, stack[n-1].end)
			}
			stack = append(stack, s)
		}
	}
	// The same events as the ftrace trace, in the same order per CPU.
	type line struct {
		cpu               int
		ns                int64
		task, flags, what string
	}
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
	// Each instant belongs to the task the CPU's switches say ran then;
	// each track's task slices follow one another without gaps, one per
	// switch.
	var got []line
	curr := map[int]string{}
	next := map[int]int{} // per track, the next task slice
	for tid, rs := range runs {
		curr[tid] = rs[0].name
		next[tid] = 1
	}
	sw := regexp.MustCompile(`prev_comm=(.*) prev_pid=(\d+) .* next_comm=(.*) next_pid=(\d+) `)
	for _, e := range instants {
		got = append(got, line{e.Tid - 1, ns(e.Ts), curr[e.Tid], e.Args.Flags, e.Name + ": " + e.Args.Fields})
		if e.Name != "sched_switch" {
			continue
		}
		m := sw.FindStringSubmatch(e.Args.Fields)
		if m == nil {
			t.Fatalf("sched_switch fields %q", e.Args.Fields)
		}
		rs, i := runs[e.Tid], next[e.Tid]
		switch {
		case i >= len(rs):
			t.Errorf("track %d: no task slice after the switch at %.3f", e.Tid, e.Ts)
		case ns(rs[i].start) != ns(e.Ts) || ns(rs[i-1].end) != ns(e.Ts) || rs[i].name != m[3]+"-"+m[4] || rs[i-1].name != m[1]+"-"+m[2]:
			t.Errorf("track %d: the switch at %.3f (%s) is not between task slices %v and %v", e.Tid, e.Ts, e.Args.Fields, rs[i-1], rs[i])
		}
		curr[e.Tid] = m[3] + "-" + m[4]
		next[e.Tid] = i + 1
	}
	for tid, rs := range runs {
		if next[tid] != len(rs) {
			t.Errorf("track %d: %d task slices for %d switches", tid, len(rs), next[tid]-1)
		}
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
