package kernel

import (
	"fmt"
	"testing"

	"preemptlab/locks"
)

// TestPropertiesPIChain runs the seeded random workload under rt with
// pi=chain, where its spinlock_t are rt_mutexes, on 2 and 4 CPUs, and
// checks after every sleeping-lock operation and priority change that
// every task's priority is the most urgent of its own and those of the
// tasks waiting on the mutexes it holds, and that each waiter is queued
// at its task's priority; and that the census of sleeping-lock
// operations adds up to what the locks counted. (The workload nests its
// locks little, so its chains are mostly one owner long: longer chains
// are the locks package's tests and the pichain golden traces.)
func TestPropertiesPIChain(t *testing.T) {
	m, _ := LookupPreset("rt")
	m.PI = PIChain
	for _, cpus := range []int{2, 4} {
		for _, seed := range propSeeds() {
			cfg := propConfigFor(propModel{name: "rt-chain", m: m}, cpus, seed)
			t.Run(cfg.String(), func(t *testing.T) {
				t.Parallel()
				var bad []string
				checks := 0
				cfg.hook = func(k *Kernel) {
					k.afterLockOp = func(p *percpu, what string) {
						checks++
						if len(bad) < 5 {
							bad = append(bad, piViolations(k, what)...)
						}
					}
				}
				r := runWorkload(t, cfg, false)
				if len(bad) > 0 {
					t.Errorf("%s: %d checks:\n%v", cfg, checks, bad)
				}
				if checks == 0 {
					t.Errorf("%s: no sleeping-lock operation ran", cfg)
				}
				var acquired, ops uint64
				for _, o := range r.k.locks[1:] {
					if o.mutex != nil {
						acquired += o.mutex.Acquired
						ops += o.ops
					}
				}
				if acquired == 0 || ops < acquired {
					t.Errorf("%s: census: %d operations for %d acquisitions", cfg, ops, acquired)
				}
			})
		}
	}
}

// piViolations lists the tasks whose priority breaks the PI invariant.
func piViolations(k *Kernel, what string) []string {
	var bad []string
	for _, t := range k.tasks {
		if t.state == taskDead {
			continue
		}
		want := t.normalPrio()
		for _, m := range t.lk.HeldMutexes() {
			if m.PI != locks.PIChain {
				continue
			}
			for _, w := range m.Waiters() {
				want = min(want, w.(*Task).prio)
			}
		}
		if t.prio != want {
			bad = append(bad, fmt.Sprintf("after %s: %v at %d, its own and its waiters' priorities give %d", what, t, t.prio, want))
		}
		if w := t.lk.Blocked; w != nil && w.Prio != t.prio && !w.Granted {
			bad = append(bad, fmt.Sprintf("after %s: %v waits on %s at %d but runs at %d", what, t, w.LockName, w.Prio, t.prio))
		}
	}
	return bad
}
