package cpu

// This file implements the run loop: instruction boundaries, interrupt
// acceptance, whole-block and single-step execution, and unwinding.

// Run executes guest code until the processor's time reaches limit or it
// stops for another reason, which it returns:
//
//   - StopLimit: Cycles ≥ limit (the machine's next event or quantum end);
//   - StopHalt: HLT; Cycles is where it halted, and the machine advances
//     time until it calls Interrupt or NMI;
//   - StopRequested: the machine called Stop during a device access;
//   - StopShutdown, StopBusError: the processor cannot go on; Fault says why;
//   - StopWaitSIPI: the processor waits for a start-up IPI;
//   - StopWait: the processor waits for its kernel (Wait) and, like a
//     halted one, runs again on Resume or an interrupt;
//   - StopSync: the processor is about to enter its kernel or take an
//     interrupt, and SyncBeforeEntry said others must catch up first.
//
// An interrupt signalled with Interrupt is accepted at the first instruction
// boundary where EFLAGS.IF = 1, outside an STI or MOV SS shadow. A busy
// processor (Busy) returns StopLimit until its busy stretch is over.
func (c *CPU) Run(limit uint64) StopReason {
	c.ensureCache()
	c.limit = limit
	for {
		if r := c.runBlocks(); r != stopNone {
			return r
		}
	}
}

// runBlocks runs blocks until Run must return; an exception unwinds to its
// deferred recover, which delivers it and returns stopNone so Run goes on.
func (c *CPU) runBlocks() (r StopReason) {
	defer func() {
		if p := recover(); p != nil {
			r = c.unwind(p)
		}
	}()
	var prev *block // the block that just ran, if nothing else happened since
	var exit *inst  // the exit prev left by, if it left inside
	for {
		if c.brk || c.shadow {
			prev, exit = nil, nil
			if r := c.boundary(); r != stopNone {
				return r
			}
			if c.brk {
				continue // the boundary ran an instruction or took an interrupt: look again
			}
		}
		if c.Cycles >= c.limit {
			return StopLimit
		}
		var b *block
		switch {
		case exit != nil:
			// A taken branch inside prev: its target's block is
			// linked from the branch itself.
			if b = exit.link; b == nil || !b.valid {
				b = c.block()
				if prev.valid && b.valid {
					exit.link = b
				}
			}
		case prev != nil:
			b = c.nextBlock(prev)
		default:
			if r, k := c.resume, c.resumeIdx; r != nil {
				c.resume = nil
				if c.resumable(r, k) {
					// The last Run stopped inside r: finish it rather than
					// translate a block starting mid-way.
					c.stepBlock(r, k)
					continue
				}
			}
			b = c.block()
		}
		if c.Cycles+b.cycles <= c.limit {
			prev, exit = c.runBlock(b)
		} else {
			c.stepBlock(b, 0)
			prev, exit = nil, nil
		}
	}
}

// boundary handles what may happen between instructions: a stop request,
// an entry into the kernel, an NMI, a maskable interrupt, HLT, a wait, a
// busy stretch.
func (c *CPU) boundary() StopReason {
	c.brk = false
	c.between() // between instructions: Now is Cycles
	if c.stop != stopNone {
		r := c.stop
		c.stop = stopNone
		return r
	}
	if c.shadow {
		// The instruction after STI or MOV SS runs before any interrupt.
		c.shadow = false
		c.brk = true
		c.between()
		b := c.block()
		c.stepped = true
		c.stepOne(&b.insts[0])
		return stopNone
	}
	if c.entryPending || c.InterruptSignalled() {
		if c.SyncBeforeEntry != nil && c.SyncBeforeEntry() {
			// Others are behind this processor in time: they run up to
			// it first, so kernel entries and interrupts happen in
			// global-time order.
			c.brk = true
			return StopSync
		}
	}
	if c.entryPending {
		c.entryPending = false
		c.brk = true
		c.kernel.Enter(c, c.entry)
		return stopNone
	}
	if c.nmi && !c.nmiBlocked {
		c.nmi = false
		c.halted = false
		c.brk = true
		if c.kernel != nil {
			c.kernel.Enter(c, Entry{Kind: EntryNMI, Vector: excNMI})
			return stopNone
		}
		c.nmiBlocked = true
		c.leaveWaits()
		c.external(excNMI)
		return stopNone
	}
	if c.intr && c.flags&FlagIF != 0 {
		v, ok := c.bus.Acknowledge(c.ID)
		if !ok {
			c.intr = false
		} else {
			c.halted = false
			c.brk = true // look again: another may be pending
			if c.kernel != nil {
				c.kernel.Enter(c, Entry{Kind: EntryInterrupt, Vector: v})
				return stopNone
			}
			c.leaveWaits()
			c.external(v)
			return stopNone
		}
	}
	if c.halted {
		c.brk = true
		return StopHalt
	}
	if c.waitSIPI {
		c.brk = true
		return StopWaitSIPI
	}
	if c.waiting {
		c.brk = true
		return StopWait
	}
	if c.busyUntil > c.Cycles {
		// Busy: time passes up to the limit, where an event may bring
		// an interrupt, or to the end of the busy stretch.
		c.brk = true
		c.Cycles = max(c.Cycles, min(c.busyUntil, c.limit))
		if c.Cycles < c.busyUntil {
			return StopLimit
		}
		c.busyUntil = 0
	}
	return stopNone
}

// leaveWaits ends a busy stretch or a wait when an interrupt is delivered
// through the IDT: with no kernel to save them in a Context, the handler's
// IRET cannot bring them back.
func (c *CPU) leaveWaits() {
	c.busyUntil = 0
	c.waiting = false
}

// external delivers an external interrupt or NMI at the current boundary.
func (c *CPU) external(v uint8) {
	c.between()
	nested, ok := c.tryDeliver(v, 0, false, false)
	if !ok {
		if r := c.raise(nested); r != stopNone {
			panic(stopPanic{r})
		}
	}
	c.Cycles += costInterrupt
}

// stepBlock executes a block one instruction at a time, from its k-th,
// until the limit. Stopped by the limit inside the block, it remembers
// where, so the next Run can go on there (see resumable). A taken branch
// inside the block (an exit) ends it there.
func (c *CPU) stepBlock(b *block, k int) {
	c.stepped = true
	for ; k < len(b.insts); k++ {
		c.stepOne(&b.insts[k])
		if c.brk {
			return
		}
		if k+1 < len(b.insts) && c.EIP != b.insts[k+1].eip() {
			return // left by a taken branch
		}
		if c.Cycles >= c.limit {
			if k+1 < len(b.insts) {
				c.resume, c.resumeIdx = b, k+1
			}
			return
		}
	}
}

// resumable reports whether the next instruction is instruction k of
// block b, as translated for the current code segment and mode.
func (c *CPU) resumable(b *block, k int) bool {
	cs := &c.Seg[CS]
	return b.valid && c.EIP == b.insts[k].eip() && b.csBase == cs.Base && b.csLimit == cs.Limit &&
		b.mode32 == c.mode32 && b.realMode == c.realMode
}

// stepOne executes one instruction and charges it.
func (c *CPU) stepOne(in *inst) {
	c.cur = in
	c.EIP = in.next
	in.fn(c, in)
	c.Cycles += uint64(in.cycles)
	c.Instructions += uint64(in.count)
}

// unwind handles a panic from a handler: an exception to deliver or a
// reason to stop. Any other panic is a bug in the emulator and goes on.
func (c *CPU) unwind(p any) StopReason {
	in := c.current()
	if in != nil && !c.stepped {
		// Charge the block's instructions before the one that faulted.
		c.Cycles += uint64(in.cycStart)
		c.Instructions += uint64(in.idx)
	}
	c.brk = true
	switch e := p.(type) {
	case guestException:
		if in != nil {
			c.EIP = in.eip() // faults restart the instruction
		}
		if c.kernel != nil {
			c.entry = Entry{Kind: EntryException, Vector: e.vector, Code: e.code, HasCode: hasErrorCode(e.vector)}
			c.entryPending = true
			return stopNone
		}
		c.Cycles += costInterrupt // so a loop of faults cannot stop time
		return c.raiseOrStop(e)
	case stopPanic:
		if in != nil {
			c.EIP = in.eip()
		}
		return e.reason
	}
	panic(p)
}

// raiseOrStop delivers exception e; a bus error while delivering it (a
// stack or an IDT outside RAM) stops the processor instead of escaping Run.
func (c *CPU) raiseOrStop(e guestException) (r StopReason) {
	defer func() {
		if p := recover(); p != nil {
			s, ok := p.(stopPanic)
			if !ok {
				panic(p)
			}
			r = s.reason
		}
	}()
	return c.raise(e)
}
