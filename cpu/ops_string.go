package cpu

// This file implements the string instructions MOVS, CMPS, SCAS, LODS,
// STOS, INS and OUTS, alone and with the REP, REPE and REPNE prefixes.
//
// Operands: the source is seg:(E)SI, where seg is DS or the segment
// override (in.seg); the destination is always ES:(E)DI. The address size
// chooses SI/DI/CX (16-bit, wrapping at 64 KiB) or ESI/EDI/ECX. EFLAGS.DF
// chooses the direction.
//
// A repeated instruction ends its block and runs its iterations in its
// handler. Each iteration is charged costStringIter cycles (costPortIO for
// INS and OUTS) on top of the instruction's static cost. Hardware takes
// interrupts between iterations, and so does the handler: when the CPU's
// time reaches the limit Run was given, or a device access during an
// iteration raised an interrupt, an NMI or a stop request, the handler stops
// with the registers describing the iterations done and EIP left at the
// instruction, which resumes when it runs again (paying its static cost
// again, as hardware pays to restart it). A fault in an iteration
// likewise leaves the registers as the completed iterations left them, and
// the instruction restarts when the exception handler returns. A count of zero
// does nothing (no access, no flag changes).
//
// REP MOVS and REP STOS through flat segments with 32-bit addressing whose
// whole range lies in RAM run as bulk copies and fills, element by element
// where an overlapping forward (or backward) copy must see its own writes,
// as the memset-by-overlap idiom relies on. REPNE SCASB runs as a byte
// search under the same conditions.
//
// Flags: CMPS and SCAS set the six arithmetic flags as CMP does (none
// undefined); the other string instructions leave the flags alone.

import (
	"bytes"
	"encoding/binary"

	"golang.org/x/arch/x86/x86asm"
)

func init() {
	register(translateString,
		x86asm.MOVSB, x86asm.MOVSW, x86asm.MOVSD,
		x86asm.CMPSB, x86asm.CMPSW, x86asm.CMPSD,
		x86asm.SCASB, x86asm.SCASW, x86asm.SCASD,
		x86asm.LODSB, x86asm.LODSW, x86asm.LODSD,
		x86asm.STOSB, x86asm.STOSW, x86asm.STOSD,
		x86asm.INSB, x86asm.INSW, x86asm.INSD,
		x86asm.OUTSB, x86asm.OUTSW, x86asm.OUTSD)
}

// strRepNE is in.aux of a CMPS or SCAS with the REPNE prefix (repeat
// while not equal); REPE repeats while equal.
const strRepNE = 1

// stringSize returns the element size of a string operation.
func stringSize(op x86asm.Op) uint8 {
	switch op {
	case x86asm.MOVSB, x86asm.CMPSB, x86asm.SCASB, x86asm.LODSB, x86asm.STOSB, x86asm.INSB, x86asm.OUTSB:
		return 1
	case x86asm.MOVSW, x86asm.CMPSW, x86asm.SCASW, x86asm.LODSW, x86asm.STOSW, x86asm.INSW, x86asm.OUTSW:
		return 2
	}
	return 4
}

// translateString chooses the handler of a string instruction. in.seg is
// the source segment (DS or the override), in.size the element size.
func translateString(x *x86asm.Inst, in *inst) bool {
	in.size = stringSize(x.Op)
	in.seg = DS
	for _, a := range x.Args {
		if m, ok := a.(x86asm.Mem); ok && (m.Base == x86asm.ESI || m.Base == x86asm.SI) && m.Segment != 0 {
			s, ok := segNumber(m.Segment)
			if !ok {
				return false
			}
			in.seg = s
		}
	}
	rep := in.flags&(fRep|fRepNE) != 0
	if rep {
		in.flags |= fEnd
	}
	switch x.Op {
	case x86asm.MOVSB, x86asm.MOVSW, x86asm.MOVSD:
		in.fn = repOr(rep, opRepMovs, opMovs)
	case x86asm.CMPSB, x86asm.CMPSW, x86asm.CMPSD:
		in.fn = repOr(rep, opRepCmps, opCmps)
	case x86asm.SCASB, x86asm.SCASW, x86asm.SCASD:
		in.fn = repOr(rep, opRepScas, opScas)
	case x86asm.LODSB, x86asm.LODSW, x86asm.LODSD:
		in.fn = repOr(rep, opRepLods, opLods)
	case x86asm.STOSB, x86asm.STOSW, x86asm.STOSD:
		in.fn = repOr(rep, opRepStos, opStos)
	case x86asm.INSB, x86asm.INSW, x86asm.INSD:
		in.fn = repOr(rep, opRepIns, opIns)
		in.flags |= fEnd
		if rep {
			in.cycles = costDefault // each transfer is charged costPortIO as it happens
		}
	case x86asm.OUTSB, x86asm.OUTSW, x86asm.OUTSD:
		in.fn = repOr(rep, opRepOuts, opOuts)
		in.flags |= fEnd
		if rep {
			in.cycles = costDefault
		}
	default:
		return false
	}
	if rep && in.flags&fRepNE != 0 && in.flags&fRep == 0 {
		in.aux = strRepNE
	}
	return true
}

// repOr returns the repeated form of a handler if rep, else the single one.
func repOr(rep bool, repeated, single handler) handler {
	if rep {
		return repeated
	}
	return single
}

// strMask returns the mask of the index and count registers: 0xFFFF with
// 16-bit addressing.
func strMask(in *inst) uint32 {
	if in.flags&fAddr16 != 0 {
		return 0xFFFF
	}
	return 0xFFFFFFFF
}

// strDelta returns what one iteration adds to the index registers.
func (c *CPU) strDelta(in *inst) uint32 {
	if c.flags&FlagDF != 0 {
		return -uint32(in.size)
	}
	return uint32(in.size)
}

// strStep adds d to index register r within mask m.
func (c *CPU) strStep(r uint8, d, m uint32) {
	c.R[r] = c.R[r]&^m | (c.R[r]+d)&m
}

// strPending returns the cycles that the block loop will charge after the
// current instruction returns: its own static cost and, when the block runs
// whole, the cost of the instructions before it.
func (c *CPU) strPending(in *inst) uint64 {
	p := uint64(in.cycles)
	if !c.stepped {
		p += uint64(in.cycStart)
	}
	return p
}

// strBudget returns how many iterations costing per cycles each fit before
// the CPU's time reaches the limit: the first instruction boundary at or
// after the limit. It is at least 1, so a repeated instruction always makes
// progress.
func (c *CPU) strBudget(pending, per uint64) uint64 {
	now := c.Cycles + pending
	if now >= c.limit {
		return 1
	}
	return (c.limit - now + per - 1) / per
}

// strYield reports whether a repeated instruction must stop between
// iterations: its time reached the limit, or a device access during the
// iteration asked for attention (brk) with a stop request or an interrupt
// the CPU would take.
func (c *CPU) strYield(pending uint64) bool {
	if c.Cycles+pending >= c.limit {
		return true
	}
	return c.brk && (c.stop != stopNone || c.intr && c.flags&FlagIF != 0 || c.nmi && !c.nmiBlocked)
}

// strSuspend leaves a repeated instruction unfinished: EIP stays at it so
// it resumes, and the block loop goes to the instruction boundary.
func (c *CPU) strSuspend(in *inst) {
	c.EIP = in.eip()
	c.brk = true
}

// setCount writes the count register (CX or ECX) within mask m.
func (c *CPU) setCount(n, m uint32) { c.R[ECX] = c.R[ECX]&^m | n&m }

// Single string operations.

func opMovs(c *CPU, in *inst) {
	m, d := strMask(in), c.strDelta(in)
	v := c.read(in.seg, c.R[ESI]&m, in.size)
	c.write(ES, c.R[EDI]&m, in.size, v)
	c.strStep(ESI, d, m)
	c.strStep(EDI, d, m)
}

func opStos(c *CPU, in *inst) {
	m := strMask(in)
	c.write(ES, c.R[EDI]&m, in.size, c.getReg(EAX, in.size))
	c.strStep(EDI, c.strDelta(in), m)
}

func opLods(c *CPU, in *inst) {
	m := strMask(in)
	v := c.read(in.seg, c.R[ESI]&m, in.size)
	c.setReg(EAX, in.size, v)
	c.strStep(ESI, c.strDelta(in), m)
}

func opCmps(c *CPU, in *inst) {
	m, d := strMask(in), c.strDelta(in)
	a := c.read(in.seg, c.R[ESI]&m, in.size)
	b := c.read(ES, c.R[EDI]&m, in.size)
	c.setLazy(lazySub, in.size, a, b, a-b)
	c.strStep(ESI, d, m)
	c.strStep(EDI, d, m)
}

func opScas(c *CPU, in *inst) {
	m := strMask(in)
	a := c.getReg(EAX, in.size)
	b := c.read(ES, c.R[EDI]&m, in.size)
	c.setLazy(lazySub, in.size, a, b, a-b)
	c.strStep(EDI, c.strDelta(in), m)
}

// insOnce reads a port into ES:(E)DI. The destination is checked before
// the port is read, so a fault does not lose the input.
func (c *CPU) insOnce(in *inst, m uint32) {
	off := c.R[EDI] & m
	if !c.Seg[ES].flat {
		c.segCheck(ES, off, uint32(in.size), true)
	}
	v := c.portIn(uint16(c.R[EDX]), int(in.size))
	c.write(ES, off, in.size, v)
	c.strStep(EDI, c.strDelta(in), m)
}

// outsOnce writes seg:(E)SI to a port.
func (c *CPU) outsOnce(in *inst, m uint32) {
	v := c.read(in.seg, c.R[ESI]&m, in.size)
	c.portOut(uint16(c.R[EDX]), int(in.size), v)
	c.strStep(ESI, c.strDelta(in), m)
}

func opIns(c *CPU, in *inst)  { c.insOnce(in, strMask(in)) }
func opOuts(c *CPU, in *inst) { c.outsOnce(in, strMask(in)) }

// Repeated string operations.

// repeat runs the single-iteration handler once per count in (E)CX,
// charging cost each time. For CMPS and SCAS (compares) REPE stops when
// the operands differ and REPNE when they are equal. Between iterations
// the instruction yields (EIP left on it, registers up to date) when it
// reaches the cycle limit or an interrupt is to be taken, as the hardware
// does; it then resumes where it stopped.
func (c *CPU) repeat(in *inst, once handler, cost uint64, compares bool) {
	m := strMask(in)
	n := c.R[ECX] & m
	if n == 0 {
		return
	}
	pending := c.strPending(in)
	whileEqual := in.aux != strRepNE
	for {
		once(c, in)
		n--
		c.setCount(n, m)
		c.Cycles += cost
		// once recorded CMP's lazy flags: res is 0 exactly when equal.
		if n == 0 || compares && (c.lazy.res == 0) != whileEqual {
			return
		}
		if c.strYield(pending) {
			c.strSuspend(in)
			return
		}
	}
}

func opRepMovs(c *CPU, in *inst) {
	m := strMask(in)
	if n := c.R[ECX] & m; n != 0 && m == 0xFFFFFFFF && c.Seg[in.seg].flat && c.Seg[ES].flat && c.fastMovs(in, n, c.strPending(in)) {
		return
	}
	c.repeat(in, opMovs, costStringIter, false)
}

func opRepStos(c *CPU, in *inst) {
	m := strMask(in)
	if n := c.R[ECX] & m; n != 0 && m == 0xFFFFFFFF && c.Seg[ES].flat && c.fastStos(in, n, c.strPending(in)) {
		return
	}
	c.repeat(in, opStos, costStringIter, false)
}

func opRepLods(c *CPU, in *inst) { c.repeat(in, opLods, costStringIter, false) }
func opRepCmps(c *CPU, in *inst) { c.repeat(in, opCmps, costStringIter, true) }

func opRepScas(c *CPU, in *inst) {
	m := strMask(in)
	if n := c.R[ECX] & m; n != 0 && in.aux == strRepNE && in.size == 1 && m == 0xFFFFFFFF && c.Seg[ES].flat && c.fastScasb(in, n, c.strPending(in)) {
		return
	}
	c.repeat(in, opScas, costStringIter, true)
}

func opRepIns(c *CPU, in *inst)  { c.repeat(in, opIns, costPortIO, false) }
func opRepOuts(c *CPU, in *inst) { c.repeat(in, opOuts, costPortIO, false) }

// Bulk paths. Each runs the iterations that fit before the limit at once
// when every byte they touch is RAM reached through flat segments with
// 32-bit addressing, and reports false (having changed nothing) otherwise,
// leaving the work to the per-iteration loop.

// strRange returns the lowest address and the length of the bytes n
// elements of size bytes touch from index reg, stepping by d, and whether
// they all lie in RAM without wrapping around 4 GiB.
func (c *CPU) strRange(reg, n uint32, size uint8, down bool) (lo uint32, length uint32, ok bool) {
	total := uint64(n) * uint64(size)
	start := uint64(reg)
	if down {
		span := total - uint64(size)
		if span > start {
			return 0, 0, false
		}
		start -= span
	}
	if start+total > uint64(c.ramTop) {
		return 0, 0, false
	}
	return uint32(start), uint32(total), true
}

// strInvalidate invalidates translated code in the length bytes at lo, which
// a bulk store is about to write. A page that no block covers is passed
// whole (a 16 KiB copy is four looks, not 256); only a page with code has
// its 64-byte lines looked at.
func (c *CPU) strInvalidate(lo, length uint32) {
	bc := c.cache
	end := lo + length - 1
	for pg := lo >> pageShift; pg <= end>>pageShift; pg++ {
		if pg >= uint32(len(bc.pages)) {
			break
		}
		if p := bc.pages[pg]; p == nil || len(p.blocks) == 0 {
			continue
		}
		first, last := max(lo, pg<<pageShift)>>lineShift, min(end, pg<<pageShift|(pageSize-1))>>lineShift
		for l := first; l <= last; l++ {
			if bc.line[l] != 0 {
				c.codeWritten(lo, int(length))
				return
			}
		}
	}
}

// strFinish commits n bulk iterations: index registers, count, cycles, and
// EIP left at the instruction if the count is not exhausted.
func (c *CPU) strFinish(in *inst, n, left uint32, src bool) {
	adv := n * uint32(in.size)
	if c.flags&FlagDF != 0 {
		adv = -adv
	}
	if src {
		c.R[ESI] += adv
	}
	c.R[EDI] += adv
	c.R[ECX] = left
	c.Cycles += uint64(n) * costStringIter
	if left != 0 {
		c.strSuspend(in)
	}
}

// fastMovs is the bulk REP MOVS.
func (c *CPU) fastMovs(in *inst, count uint32, pending uint64) bool {
	n := count
	if b := c.strBudget(pending, costStringIter); uint64(n) > b {
		n = uint32(b)
	}
	down := c.flags&FlagDF != 0
	src, slen, ok1 := c.strRange(c.R[ESI], n, in.size, down)
	dst, _, ok2 := c.strRange(c.R[EDI], n, in.size, down)
	if !ok1 || !ok2 {
		return false
	}
	c.strInvalidate(dst, slen)
	ram := c.ram
	// An element reads what an earlier one wrote when the destination is
	// ahead of the source in the direction of the copy and they overlap.
	hazard := !down && dst > src && dst < src+slen || down && dst < src && src < dst+slen
	switch {
	case !hazard:
		copy(ram[dst:dst+slen], ram[src:src+slen])
	case in.size == 1 && !down:
		s := ram[src : src+slen]
		t := ram[dst : dst+slen]
		for i := range t {
			t[i] = s[i]
		}
	default:
		sz := uint32(in.size)
		step, s, t := sz, c.R[ESI], c.R[EDI]
		if down {
			step = -sz
		}
		for i := uint32(0); i < n; i++ {
			copy(ram[t:t+sz], ram[s:s+sz])
			s += step
			t += step
		}
	}
	c.strFinish(in, n, count-n, true)
	return true
}

// fastStos is the bulk REP STOS.
func (c *CPU) fastStos(in *inst, count uint32, pending uint64) bool {
	n := count
	if b := c.strBudget(pending, costStringIter); uint64(n) > b {
		n = uint32(b)
	}
	dst, length, ok := c.strRange(c.R[EDI], n, in.size, c.flags&FlagDF != 0)
	if !ok {
		return false
	}
	c.strInvalidate(dst, length)
	t := c.ram[dst : dst+length]
	v := c.R[EAX]
	switch in.size {
	case 1:
		t[0] = uint8(v)
	case 2:
		binary.LittleEndian.PutUint16(t, uint16(v))
	default:
		binary.LittleEndian.PutUint32(t, v)
	}
	for k := int(in.size); k < len(t); k *= 2 {
		copy(t[k:], t[:k])
	}
	c.strFinish(in, n, count-n, false)
	return true
}

// fastScasb is the bulk REPNE SCASB (memchr, strlen) with DF = 0.
func (c *CPU) fastScasb(in *inst, count uint32, pending uint64) bool {
	if c.flags&FlagDF != 0 {
		return false
	}
	n := count
	if b := c.strBudget(pending, costStringIter); uint64(n) > b {
		n = uint32(b)
	}
	dst, length, ok := c.strRange(c.R[EDI], n, 1, false)
	if !ok {
		return false
	}
	a := c.R[EAX] & 0xFF
	i := bytes.IndexByte(c.ram[dst:dst+length], uint8(a))
	done := n // iterations run
	if i >= 0 {
		done = uint32(i) + 1
	}
	b := uint32(c.ram[dst+done-1])
	c.setLazy(lazySub, 1, a, b, a-b)
	c.R[EDI] += done
	c.R[ECX] = count - done
	c.Cycles += uint64(done) * costStringIter
	if i < 0 && count-done != 0 {
		c.strSuspend(in)
	}
	return true
}
