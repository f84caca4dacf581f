package kernel

// This file implements the lock checks a kernel developer relies on, as
// lockdep makes them (kernel/locking/lockdep.c): the locks each task
// holds, the order in which lock classes were taken across the whole
// run, and a report, once per pair, when a task takes two classes in the
// order opposite to one seen before (a possible ABBA deadlock), with both
// acquisition chains. A class is a lock's name — the C expression its
// init macro passes, as lockdep names classes. Also: sleeping while
// holding a spinning lock.

import (
	"fmt"
	"strings"
)

// heldLock is a lock a task holds (or is acquiring), and where it took it.
type heldLock struct {
	o  *lockObj
	at uint32
}

// lockDep is the run's lock-order graph.
type lockDep struct {
	// after[a] lists the classes taken while a was held, in the order
	// first seen, each with the chain that first showed it.
	after map[string][]depEdge
	// reported holds the pairs already reported.
	reported map[[2]string]bool
}

// depEdge is one dependency a → to, and how it was first seen.
type depEdge struct {
	to    string
	chain string
}

// tracked reports whether lockdep follows o: locks with an owner, not
// semaphores, completions, wait queues or seqlocks.
func tracked(o *lockObj) bool {
	switch o.kind {
	case LockKindSemaphore, LockKindCompletion, LockKindWaitqueue, LockKindSeqlock:
		return false
	}
	return true
}

// lockdepAcquire records that t asks for o at call site at (lock_acquire):
// for every lock t holds, the dependency held → o; a dependency whose
// reverse path already exists is reported. A trylock (check false) adds
// no dependency, as lockdep's trylock does not.
func (k *Kernel) lockdepAcquire(p *percpu, t *Task, o *lockObj, at uint32, check bool) {
	if !tracked(o) {
		return
	}
	if check {
		for _, h := range t.held {
			k.lockdepOrder(p, t, h, o, at)
		}
	}
	t.held = append(t.held, heldLock{o, at})
}

// lockdepRelease records that t released o (the last hold of it).
func (k *Kernel) lockdepRelease(t *Task, o *lockObj) {
	for i := len(t.held) - 1; i >= 0; i-- {
		if t.held[i].o == o {
			t.held = append(t.held[:i], t.held[i+1:]...)
			return
		}
	}
}

// chainOf describes task t's acquisition chain ending in o.
func (k *Kernel) chainOf(t *Task, o *lockObj, at uint32) string {
	var parts []string
	for _, h := range t.held {
		parts = append(parts, fmt.Sprintf("%s at %s", h.o.name, k.syms.where(h.at)))
	}
	parts = append(parts, fmt.Sprintf("%s at %s", o.name, k.syms.where(at)))
	return fmt.Sprintf("%v: %s", t, strings.Join(parts, " -> "))
}

// lockdepOrder adds the dependency h → o and reports it if o already
// leads to h (check_noncircular's breadth-first search).
func (k *Kernel) lockdepOrder(p *percpu, t *Task, h heldLock, o *lockObj, at uint32) {
	d := &k.lockdep
	if d.after == nil {
		d.after = map[string][]depEdge{}
		d.reported = map[[2]string]bool{}
	}
	a, b := h.o.name, o.name
	if a == b {
		return // the same class nested (recursion is checked by the lock)
	}
	for _, e := range d.after[a] {
		if e.to == b {
			return // known already
		}
	}
	chain := k.chainOf(t, o, at)
	if path := d.path(b, a); path != nil && !d.reported[[2]string{a, b}] && !d.reported[[2]string{b, a}] {
		d.reported[[2]string{a, b}] = true
		k.bug(p, fmt.Sprintf("possible circular locking dependency detected: %s takes %s while holding %s, but %s was taken while holding %s before; chains: [%s] and [%s]",
			t, b, a, a, b, chain, strings.Join(path, "; ")))
	}
	d.after[a] = append(d.after[a], depEdge{b, chain})
}

// path returns the chains of a dependency path from class from to class
// to, or nil.
func (d *lockDep) path(from, to string) []string {
	type step struct {
		class string
		chain []string
	}
	seen := map[string]bool{from: true}
	queue := []step{{from, nil}}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for _, e := range d.after[s.class] {
			c := append(append([]string(nil), s.chain...), e.chain)
			if e.to == to {
				return c
			}
			if !seen[e.to] {
				seen[e.to] = true
				queue = append(queue, step{e.to, c})
			}
		}
	}
	return nil
}

// heldSpinning returns a spinning lock t holds, or nil: a task must not
// sleep holding one (in models where the preemption count does not show
// it).
func (t *Task) heldSpinning() *heldLock {
	for i := range t.held {
		if t.held[i].o.spin != nil {
			return &t.held[i]
		}
	}
	return nil
}
