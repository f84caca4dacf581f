package kernel

// This file implements the lock census: a run's lock objects and the lock
// operations executed on them, by how each lock was backed, in the form
// of the table Molnar printed for each PREEMPT_REALTIME kernel ("spinlock
// API calls 491 (6.0%) … all mutex API calls 7678 (93.9%) … lock API
// calls 8169 (100.0%)") — but counting operations executed, not call
// sites — and by lock name.

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
)

// Backings of the census.
const (
	censusRaw      = iota // raw_spinlock_t: spinning in every model
	censusSpinning        // spinlock_t/rwlock_t the model kept spinning
	censusSleeping        // a sleeping lock (converted or declared so)
	censusKinds
)

// censusBackings name the backings in the census's per-lock rows and in
// its JSON.
var censusBackings = [censusKinds]string{"raw", "spinning", "sleeping"}

var censusNames = [censusKinds]string{
	"raw spinlock API calls", "spinlock API calls (kept spinning)", "all mutex API calls (sleeping)",
}

// censusOf returns o's backing, or -1 for what is not a lock.
func censusOf(o *lockObj) int {
	switch {
	case o.kind == LockKindRawSpinlock:
		return censusRaw
	case o.spin != nil:
		return censusSpinning
	case o.mutex != nil || o.rwsem != nil || o.sem != nil:
		return censusSleeping
	}
	return -1
}

// Census is the run's lock census.
type Census struct {
	// Objects and Ops count lock objects and executed lock operations
	// by backing (raw, kept spinning, sleeping).
	Objects, Ops [censusKinds]uint64
	// Locks lists each lock class (name and type) with its operations,
	// most used first.
	Locks []CensusLock
}

// CensusLock is one lock class of the census.
type CensusLock struct {
	Name    string `json:"name"`
	Type    string `json:"type"`
	Backing string `json:"backing"`
	Objects uint64 `json:"objects"`
	Ops     uint64 `json:"operations"`
}

// MarshalJSON writes the census as objects keyed by backing ("raw",
// "spinning", "sleeping") for the operations and the objects, and the
// per-lock rows.
func (c Census) MarshalJSON() ([]byte, error) {
	by := func(n [censusKinds]uint64) map[string]uint64 {
		m := make(map[string]uint64, censusKinds)
		for b := range censusKinds {
			m[censusBackings[b]] = n[b]
		}
		return m
	}
	return json.Marshal(struct {
		Ops     map[string]uint64 `json:"operations"`
		Objects map[string]uint64 `json:"objects"`
		Locks   []CensusLock      `json:"locks"`
	}{by(c.Ops), by(c.Objects), c.Locks})
}

// Census counts the run's locks.
func (k *Kernel) Census() Census {
	var c Census
	byName := map[[2]string]*CensusLock{}
	var order [][2]string
	for _, o := range k.locks {
		if o == nil {
			continue
		}
		b := censusOf(o)
		if b < 0 {
			continue
		}
		c.Objects[b]++
		c.Ops[b] += o.ops
		key := [2]string{o.name, lockKindNames[o.kind]}
		l := byName[key]
		if l == nil {
			l = &CensusLock{Name: o.name, Type: key[1], Backing: censusBackings[b]}
			byName[key] = l
			order = append(order, key)
		}
		l.Objects++
		l.Ops += o.ops
	}
	for _, key := range order {
		c.Locks = append(c.Locks, *byName[key])
	}
	sort.SliceStable(c.Locks, func(i, j int) bool { return c.Locks[i].Ops > c.Locks[j].Ops })
	return c
}

// WriteCensus prints the census.
func (k *Kernel) WriteCensus(w io.Writer) {
	c := k.Census()
	var objs, ops uint64
	for b := range censusKinds {
		objs += c.Objects[b]
		ops += c.Ops[b]
	}
	pct := func(n uint64) float64 {
		if ops == 0 {
			return 0
		}
		return 100 * float64(n) / float64(ops)
	}
	fmt.Fprintf(w, "lock census (model %s): operations executed\n", k.model.PresetName())
	for b := range censusKinds {
		fmt.Fprintf(w, "  %-36s %9d (%5.1f%%)  %d objects\n", censusNames[b], c.Ops[b], pct(c.Ops[b]), c.Objects[b])
	}
	fmt.Fprintf(w, "  %-36s %9d (%5.1f%%)  %d objects\n", "lock API calls", ops, pct(ops), objs)
	fmt.Fprintf(w, "%9s %8s  %-9s %-20s %s\n", "OPS", "OBJECTS", "BACKING", "TYPE", "LOCK")
	for _, l := range c.Locks {
		fmt.Fprintf(w, "%9d %8d  %-9s %-20s %s\n", l.Ops, l.Objects, l.Backing, l.Type, l.Name)
	}
}
