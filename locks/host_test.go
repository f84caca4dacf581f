package locks

import (
	"fmt"
	"strings"
)

// ptask is a task of the tests: a name, a normal and an effective
// priority, and the lock layer's state.
type ptask struct {
	name         string
	normal, prio int
	st           TaskState
}

func (t *ptask) String() string        { return t.name }
func (t *ptask) LockState() *TaskState { return &t.st }

func newTask(name string, prio int) *ptask { return &ptask{name: name, normal: prio, prio: prio} }

// host records what the locks ask of the kernel.
type host struct {
	spun, granted, blocked, woken []string
	boosts                        []string
	steps                         int
	reports                       []string
}

func (h *host) Spin(w *Waiter)  { h.spun = append(h.spun, w.Task.String()) }
func (h *host) Grant(w *Waiter) { h.granted = append(h.granted, w.Task.String()) }
func (h *host) Block(w *Waiter) { h.blocked = append(h.blocked, w.Task.String()) }
func (h *host) Wake(w *Waiter)  { h.woken = append(h.woken, w.Task.String()) }
func (h *host) Boost(t Task, p int) {
	t.(*ptask).prio = p
	h.boosts = append(h.boosts, fmt.Sprintf("%s=%d", t, p))
}
func (h *host) Prio(t Task) int       { return t.(*ptask).prio }
func (h *host) NormalPrio(t Task) int { return t.(*ptask).normal }
func (h *host) Burn(c Cost) {
	if c == CostPIStep {
		h.steps++
	}
}
func (h *host) Report(msg string) { h.reports = append(h.reports, msg) }

func join(s []string) string { return strings.Join(s, " ") }
