package kernel

// This file implements device interrupts: request_irq's lines and their
// IO-APIC routing, the hard-IRQ handler chain, and IRQ threads.
//
// As in 2.6, a handler runs with interrupts enabled unless it asked for
// them off (IRQF_DISABLED, 2.6's SA_INTERRUPT): other lines and the local
// timer may interrupt it, while its own line waits, its vector in service
// at the local APIC until the EOI after the last handler. Under
// irq=threaded a line's handlers run in its thread, irq/N-name, at
// SCHED_FIFO 50; the hard part masks the line at the IO-APIC, sends the
// EOI and wakes the thread, which unmasks the line when its handlers have
// run (the one-shot scheme of threaded interrupts). IRQF_NO_THREAD keeps a
// handler in hard-IRQ context under every model. Device interrupts are
// delivered to CPU 0, as 2.6 without irqbalance left them.

import (
	"fmt"

	"preemptlab/apic"
)

// irqfDisabled is IRQF_DISABLED (SA_INTERRUPT): run the handler with
// interrupts off.
const irqfDisabled = 0x20

// irqLine is one interrupt line with its handlers.
type irqLine struct {
	irq     int
	actions []irqAction
	thread  *Task
	masked  bool
	count   uint64
}

// irqAction is one handler registered on a line.
type irqAction struct {
	handler, dev uint32
	flags        uint32
	name         string
	what         string // "interrupt handler NAME", for reports
	threaded     bool
}

// name is the line's name: its first handler's.
func (l *irqLine) name() string {
	if len(l.actions) > 0 {
		return l.actions[0].name
	}
	return "?"
}

// requestIRQ is request_irq(irq, handler, flags, name, dev).
func (k *Kernel) requestIRQ(p *percpu, irq, handler, flags, nameAddr, dev uint32) int64 {
	if irq == 0 || irq == 2 || irq >= ioapicPins {
		return -EINVAL // 0 is the PIT's (the kernel's timer is the local APIC's); 2 the cascade
	}
	if !k.inRAM(handler, 1) {
		return -EFAULT
	}
	name := k.name(nameAddr)
	if nameAddr != 0 && name == "" {
		if _, ok := k.readString(nameAddr); !ok {
			return -EFAULT // as kthread_run's name
		}
	}
	if name == "" {
		name = fmt.Sprintf("irq%d", irq)
	}
	l := k.irqs[irq]
	if l == nil {
		l = &irqLine{irq: int(irq)}
		k.irqs[irq] = l
	}
	for _, a := range l.actions {
		if a.dev == dev {
			return -EBUSY
		}
	}
	act := irqAction{handler: handler, dev: dev, flags: flags, name: name, what: "interrupt handler " + name,
		threaded: k.model.IRQ == IRQThreaded && flags&IRQFNoThread == 0}
	if act.threaded && l.thread == nil {
		// The thread, with its stack, before the action: a threaded
		// action on a line without its thread would be woken at the
		// line's next interrupt.
		kstack := k.allocStack(kstackSize)
		if kstack == 0 {
			return -ENOMEM
		}
		t := k.newTask(fmt.Sprintf("irq/%d-%s", irq, name), kindIRQ)
		t.policy, t.rtPrio = SchedFIFO, defaultIRQ
		t.prio = t.normalPrio()
		t.irq = l
		t.affinity = 1 // beside the line's CPU
		t.kstack = kstack
		t.kstackTop = t.kstack + kstackSize
		t.state = TaskInterruptible
		t.waitingOn = "its interrupt"
		t.resume = k.fnIRQThread
		l.thread = t
	}
	l.actions = append(l.actions, act)
	k.routeIRQ(p, l)
	return 0
}

// freeIRQ is free_irq(irq, dev).
func (k *Kernel) freeIRQ(p *percpu, irq, dev uint32) int64 {
	if irq >= ioapicPins || k.irqs[irq] == nil {
		return -EINVAL
	}
	l := k.irqs[irq]
	for i, a := range l.actions {
		if a.dev == dev {
			l.actions = append(l.actions[:i:i], l.actions[i+1:]...)
			k.routeIRQ(p, l)
			return 0
		}
	}
	return -EINVAL
}

// routeIRQ programs the line's IO-APIC pin: level-triggered, active high
// (PCI INTx, as the traffic device is), fixed delivery to CPU 0 on vector
// vecIRQ0+irq; masked when it has no handler.
func (k *Kernel) routeIRQ(p *percpu, l *irqLine) {
	low := uint32(vecIRQ0+l.irq) | 1<<15 // level
	if len(l.actions) == 0 || l.masked {
		low |= 1 << 16
	}
	io := k.m.IOAPIC()
	io.Write(apic.IORegSel, uint32(apic.IOAPICRegRedir+2*l.irq+1))
	io.Write(apic.IOWin, 0) // destination: APIC ID 0
	io.Write(apic.IORegSel, uint32(apic.IOAPICRegRedir+2*l.irq))
	io.Write(apic.IOWin, low)
	k.charge(p, k.costs.IOAPICMask)
}

// maskIRQ masks or unmasks a line at the IO-APIC.
func (k *Kernel) maskIRQ(p *percpu, l *irqLine, masked bool) {
	l.masked = masked
	k.routeIRQ(p, l)
}

// deviceInterrupt is do_IRQ for a device line, in frame f: the hard
// handlers in turn on the interrupted stack, the threaded part handed to
// the thread, the EOI, then irq_exit.
func (k *Kernel) deviceInterrupt(p *percpu, f *irqFrame, l *irqLine) {
	if l == nil || len(l.actions) == 0 {
		k.eoi(p)
		k.irqExit(p)
		return
	}
	l.count++
	f.line, f.action, f.threaded = l, 0, false
	k.deviceNextHandler(p, f)
}

// deviceNextHandler runs the frame's next hard handler, or ends the
// interrupt when there is none left.
func (k *Kernel) deviceNextHandler(p *percpu, f *irqFrame) {
	l := f.line
	for f.action < len(l.actions) && l.actions[f.action].threaded {
		f.threaded = true
		f.action++
	}
	if f.action == len(l.actions) {
		if f.threaded {
			k.maskIRQ(p, l, true)
			l.thread.irqPending = true
			k.wakeUp(p, l.thread)
		}
		f.line = nil
		k.eoi(p)
		k.irqExit(p)
		return
	}
	a := &l.actions[f.action]
	k.traceNum(p, EvIRQHandlerEntry, int64(l.irq), 0, a.name)
	k.callGuest(p, a.handler, []uint32{uint32(l.irq), a.dev}, f.sp, a.flags&irqfDisabled == 0, a.what, f.handlerRet)
}

// deviceHandlerDone goes on after a hard handler returned v.
func (k *Kernel) deviceHandlerDone(p *percpu, f *irqFrame, v uint32) {
	k.traceNum(p, EvIRQHandlerExit, int64(f.line.irq), int64(v), "")
	f.action++
	k.deviceNextHandler(p, f)
}

// irqThread is the body of an IRQ thread: whenever its line fired, run
// the line's threaded handlers, then unmask the line; else sleep.
func (k *Kernel) irqThread(p *percpu) {
	t := p.curr
	l := t.irq
	if !t.irqPending {
		t.state = TaskInterruptible
		t.waitingOn = "its interrupt"
		k.schedule(p, k.fnIRQThread)
		return
	}
	t.irqPending = false
	var run func(p *percpu, i int)
	run = func(p *percpu, i int) {
		for i < len(l.actions) && !l.actions[i].threaded {
			i++
		}
		if i == len(l.actions) {
			k.maskIRQ(p, l, false)
			k.irqThread(p)
			return
		}
		a := l.actions[i]
		k.traceNum(p, EvIRQHandlerEntry, int64(l.irq), 0, a.name)
		k.callGuest(p, a.handler, []uint32{uint32(l.irq), a.dev}, t.kstackTop, true, a.what, func(p *percpu, v uint32) {
			k.traceNum(p, EvIRQHandlerExit, int64(l.irq), int64(v), "")
			run(p, i+1)
		})
	}
	run(p, 0)
}

// irqThreadPID is irq_thread_pid(irq).
func (k *Kernel) irqThreadPID(irq uint32) int64 {
	if irq >= ioapicPins || k.irqs[irq] == nil || k.irqs[irq].thread == nil {
		return -ESRCH
	}
	return int64(k.irqs[irq].thread.PID)
}
