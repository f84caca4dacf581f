package cpu

// This file implements the block loop's inline dispatch: the commonest
// handlers of compiled C run as cases of one switch in runBlock instead of
// through an indirect call, and only on their fast path: flat segments,
// RAM wholly inside bounds, no translated code written. Anything else (a
// fault to raise, a device, self-modifying code) falls back to the
// instruction's own handler, which does everything the case would have
// done and more, so a case never changes state before it knows it can
// finish. None of the fast paths can set brk, so no brk test follows them.
//
// An instruction's fast code is derived from its handler when a block is
// translated (fastCodeOf), so a case always implements exactly the handler
// it stands for.

import (
	"encoding/binary"
	"reflect"
	"unsafe"
)

// instSize is the size of an inst, the stride of runBlock's loop.
const instSize = unsafe.Sizeof(inst{})

// Fast codes, kept in inst.code; xCall (0) runs in.fn.
const (
	xCall uint8 = iota
	xMovRR32
	xMovRI32
	xMovRM32
	xMovRM32B
	xMovMR32
	xMovMR32B
	xMovMI32B
	xMovzxM8
	xMovzxM8B
	xMovzxR8
	xMovsxM8
	xLea32
	xLea32B
	xIncR32
	xDecR32
	xAddRR32
	xAddRI32
	xSubRR32
	xSubRI32
	xAndRI32
	xCmpRR32
	xCmpRI32
	xTestRR32
	xALURR32
	xALURI32
	xShlRI32
	xShrRI32
	xSetccR
	xCmovRR32
	xPushR32
	xPopR32
	xJccExit
	xCmpRRJccExit
	xCmpRIJccExit
	xTestRRJccExit
	xExitRM32
	xExitMR32
	xExitMI32
	xExitRI32
	xExitRR8
	xExitRI8
	xExitRM8
	xExitMI8
	xExitMR8
	xExitAddRI32
	xExitSubRI32
	xExitDecR32
	xExitIncR32
	xMovzxM16
	xMovsxM16
	xMovzxR16
	xMovsxR16
	xMovMR8
	xMovRR8
	xALURR8
	xALURI8
	xImulRR32
	xImulRRI32
	xSarRI32
	xCwde
	xZeroR32
	xNop
	xCall32
	xALUMR32
	xMul
	xUnary
	xShift
	xALU
	xJmpIndirect
	xRet32
	// xEnd marks a block's last entry, which runBlock runs after its
	// loop by the code in block.endCode.
	xEnd
)

// fastCodes maps the entry point of each handler with a case in runBlock
// to its fast code.
var fastCodes = func() map[uintptr]uint8 {
	m := map[uintptr]uint8{}
	for code, fn := range map[uint8]handler{
		xMovRR32: opMovRR32, xMovRI32: opMovRI32, xMovRM32: opMovRM32, xMovRM32B: opMovRM32B,
		xMovMR32: opMovMR32, xMovMR32B: opMovMR32B, xMovMI32B: opMovMI32B,
		xMovzxM8: opMovzxM8, xMovzxM8B: opMovzxM8B, xMovzxR8: opMovzxR8, xMovsxM8: opMovsxM8,
		xLea32: opLea32, xLea32B: opLea32B, xIncR32: opIncR32, xDecR32: opDecR32,
		xAddRR32: opAddRR32, xAddRI32: opAddRI32, xSubRR32: opSubRR32, xSubRI32: opSubRI32,
		xAndRI32: opAndRI32, xCmpRR32: opCmpRR32, xCmpRI32: opCmpRI32, xTestRR32: opTestRR32,
		xALURR32: opALURR32, xALURI32: opALURI32, xShlRI32: opShlRI32, xShrRI32: opShrRI32,
		xSetccR: opSetccR, xCmovRR32: opCmovRR32, xPushR32: opPushR32, xPopR32: opPopR32,
		xJccExit: opJccExit, xCmpRRJccExit: opCmpRRJccExit, xCmpRIJccExit: opCmpRIJccExit,
		xTestRRJccExit: opTestRRJccExit, xExitRM32: opExitRM32, xExitMR32: opExitMR32,
		xExitMI32: opExitMI32, xExitRI32: opExitRI32, xExitRR8: opExitRR8, xExitRI8: opExitRI8,
		xExitRM8: opExitRM8, xExitMI8: opExitMI8, xExitMR8: opExitMR8,
		xExitAddRI32: opExitAddRI32, xExitSubRI32: opExitSubRI32,
		xExitDecR32: opExitDecR32, xExitIncR32: opExitIncR32,
		xMovzxM16: opMovzxM16, xMovsxM16: opMovsxM16, xMovzxR16: opMovzxR16, xMovsxR16: opMovsxR16,
		xMovMR8: opMovMR8, xMovRR8: opMovRR8, xALURR8: opALURR8, xALURI8: opALURI8,
		xImulRR32: opImulRR32, xImulRRI32: opImulRRI32, xSarRI32: opSarRI32, xCwde: opCwde,
		xZeroR32: opZeroR32, xNop: opNop, xCall32: opCall32, xALUMR32: opALUMR32,
		xMul: opMul, xUnary: opUnary, xShift: opShift, xALU: opALU,
		xJmpIndirect: opJmpIndirect, xRet32: opRet32,
	} {
		m[reflect.ValueOf(fn).Pointer()] = code
	}
	return m
}()

// fastCode returns the fast code of in's handler, xCall if it has none
// or if in's memory operand is addressed through CS, FS or GS or with
// 16-bit addressing.
func fastCode(in *inst) uint8 {
	code := fastCodes[reflect.ValueOf(in.fn).Pointer()]
	if in.dstKind == argMem || in.srcKind == argMem {
		if in.seg != ES && in.seg != SS && in.seg != DS || in.flags&fAddr16 != 0 {
			return xCall
		}
	}
	return code
}

// The fast paths reach memory through ram, which is RAM when the data
// segments ES, SS and DS are all flat and nil otherwise (see dataRAM): an
// offset is then a RAM index, and one bound check stands for the segment
// check and the RAM check. Instructions addressing through CS, FS or GS
// have no fast code (see fastCode). line is the cache's code map.

// ea32 is ea for 32-bit addressing: the fast codes of instructions with
// 16-bit addressing are xCall (see fastCode).
func (c *CPU) ea32(in *inst) uint32 { return in.disp + c.R[in.base] + c.R[in.index]<<(in.scale&3) }

// dataRAM returns the ram the fast paths use.
func (c *CPU) dataRAM() []byte {
	if c.Seg[ES].flat && c.Seg[SS].flat && c.Seg[DS].flat {
		return c.ram
	}
	return nil
}

// load32 returns the dword at off if it lies wholly in ram; ok is false
// otherwise (the handler must run).
func load32(ram []byte, off uint32) (v uint32, ok bool) {
	if i := int(off); i >= 0 && i <= len(ram)-4 {
		return binary.LittleEndian.Uint32(ram[i : i+4]), true
	}
	return 0, false
}

// load16 is load32 for a word.
func load16(ram []byte, off uint32) (v uint32, ok bool) {
	if i := int(off); i >= 0 && i <= len(ram)-2 {
		return uint32(binary.LittleEndian.Uint16(ram[i : i+2])), true
	}
	return 0, false
}

// load8 is load32 for a byte.
func load8(ram []byte, off uint32) (v uint32, ok bool) {
	if i := int(off); i >= 0 && i < len(ram) {
		return uint32(ram[i]), true
	}
	return 0, false
}

// writable32 reports whether store32 would write a dword at off: it lies
// wholly in ram and no translated code is in its lines.
func writable32(ram []byte, line []uint16, off uint32) bool {
	i := int(off)
	return i >= 0 && i <= len(ram)-4 && line[off>>lineShift]|line[(off+3)>>lineShift] == 0
}

// store32 writes the dword v at off and reports true if writable32 says
// it can; otherwise it writes nothing (the handler must run).
func store32(ram []byte, line []uint16, off, v uint32) bool {
	if i := int(off); i >= 0 && i <= len(ram)-4 && line[off>>lineShift]|line[(off+3)>>lineShift] == 0 {
		binary.LittleEndian.PutUint32(ram[i:i+4], v)
		return true
	}
	return false
}

// store8 is store32 for a byte.
func store8(ram []byte, line []uint16, off, v uint32) bool {
	if i := int(off); i >= 0 && i < len(ram) && line[off>>lineShift] == 0 {
		ram[i] = uint8(v)
		return true
	}
	return false
}

// carryIn returns CF as 0 or 1, as cf does. The INC and DEC cases of
// runBlock evaluate the commonest case (after CMP or SUB) before calling it.
func (c *CPU) carryIn() uint32 {
	switch l := &c.lazy; l.op {
	case lazyNone:
		return c.flags & FlagCF
	case lazyLogic:
		return 0
	case lazyInc, lazyDec, lazyShift:
		if l.cin != 0 {
			return 1
		}
		return 0
	}
	return c.cf()
}

// bit returns 1 for true, 0 for false.
func bit(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}

// exitAt leaves the block at the taken branch in: EIP is its target and
// the instructions up to it are charged.
func (c *CPU) exitAt(in *inst) {
	c.EIP = in.target
	c.Cycles += uint64(in.cycStart + in.cycles)
	c.Instructions += uint64(in.idx) + uint64(in.count)
}

// runBlock executes block b whole, then the blocks that follow while
// nothing waits at their boundaries and each fits before the limit, found
// as runBlocks finds them (it would run them next, the same way; a branch
// inside a block is never taken with brk set). It returns the last
// block it ran and the exit it left that one by when a branch inside it was
// taken, nil when it ran to its end or stopped after an instruction that
// set brk: what runBlocks needs to find the next block.
func (c *CPU) runBlock(b *block) (*block, *inst) {
	c.stepped = false
	c.cur = nil
	// A handler that loads a segment register sets brk (see loadSeg), so
	// ram is looked at only here and after a block's last instruction.
	ram, line := c.dataRAM(), c.cache.line
	for {
		c.blk = b
		insts := b.fast
		n := len(insts) - 1
		// The loop steps a pointer through insts[:n] rather than an
		// index: one induction variable, no bounds check, no index to
		// scale.
		first := unsafe.Pointer(unsafe.SliceData(insts))
		var exit *inst
		// The last entry's code is xEnd, so the loop needs no bound.
	entries:
		for in := (*inst)(first); ; in = (*inst)(unsafe.Add(unsafe.Pointer(in), instSize)) {
			// x and y are the operands of a compare of size bytes, whose
			// sign bit is sign, for the shared tails below.
			var x, y, sign uint32
			var size uint8
			switch in.code {
			case xCall:
				// The handler, below.
			case xEnd:
				break entries
			case xMovRR32:
				c.R[in.dst] = c.R[in.src]
				continue
			case xMovRI32:
				c.R[in.dst] = in.imm
				continue
			case xMovRM32:
				if v, ok := load32(ram, c.ea32(in)); ok {
					c.R[in.dst] = v
					continue
				}
			case xMovRM32B:
				if v, ok := load32(ram, c.eaB(in)); ok {
					c.R[in.dst] = v
					continue
				}
			case xMovMR32:
				if store32(ram, line, c.ea32(in), c.R[in.src]) {
					continue
				}
			case xMovMR32B:
				if store32(ram, line, c.eaB(in), c.R[in.src]) {
					continue
				}
			case xMovMI32B:
				if store32(ram, line, c.eaB(in), in.imm) {
					continue
				}
			case xMovzxM8:
				if v, ok := load8(ram, c.ea32(in)); ok {
					c.R[in.dst] = v
					continue
				}
			case xMovzxM8B:
				if v, ok := load8(ram, c.eaB(in)); ok {
					c.R[in.dst] = v
					continue
				}
			case xMovzxR8:
				c.R[in.dst] = c.reg8(in.src)
				continue
			case xMovsxM8:
				if v, ok := load8(ram, c.ea32(in)); ok {
					c.R[in.dst] = uint32(int32(int8(v)))
					continue
				}
			case xLea32:
				c.R[in.dst] = c.ea32(in)
				continue
			case xLea32B:
				c.R[in.dst] = c.eaB(in)
				continue
			case xIncR32, xExitIncR32:
				var cin uint32
				if l := &c.lazy; l.op == lazySub && l.a&sizeMask(l.size) < l.b&sizeMask(l.size) {
					cin = 1
				} else if l.op != lazySub {
					cin = c.carryIn()
				}
				a := c.R[in.dst]
				c.R[in.dst] = a + 1
				l := &c.lazy
				l.op, l.size, l.cin, l.a, l.b, l.res = lazyInc, 4, cin, a, 1, a+1
				if in.code == xExitIncR32 {
					goto condExit
				}
				continue
			case xDecR32, xExitDecR32:
				var cin uint32
				if l := &c.lazy; l.op == lazySub && l.a&sizeMask(l.size) < l.b&sizeMask(l.size) {
					cin = 1
				} else if l.op != lazySub {
					cin = c.carryIn()
				}
				a := c.R[in.dst]
				c.R[in.dst] = a - 1
				l := &c.lazy
				l.op, l.size, l.cin, l.a, l.b, l.res = lazyDec, 4, cin, a, 1, a-1
				if in.code == xExitDecR32 {
					goto condExit
				}
				continue
			case xMovzxM16:
				if v, ok := load16(ram, c.ea32(in)); ok {
					c.R[in.dst] = v
					continue
				}
			case xMovsxM16:
				if v, ok := load16(ram, c.ea32(in)); ok {
					c.R[in.dst] = uint32(int32(int16(v)))
					continue
				}
			case xMovzxR16:
				c.R[in.dst] = c.R[in.src] & 0xFFFF
				continue
			case xMovsxR16:
				c.R[in.dst] = uint32(int32(int16(c.R[in.src])))
				continue
			case xMovMR8:
				if store8(ram, line, c.ea32(in), c.reg8(in.src)) {
					continue
				}
			case xMovRR8:
				c.setReg8(in.dst, c.reg8(in.src))
				continue
			case xALURR8:
				opALURR8(c, in)
				continue
			case xALURI8:
				opALURI8(c, in)
				continue
			case xImulRR32, xImulRRI32:
				// opImulRR32 and opImulRRI32 (whose second factor is imm2).
				b := c.R[in.src]
				a := c.R[in.dst]
				if in.code == xImulRRI32 {
					a, b = b, in.imm2
				}
				p := int64(int32(a)) * int64(int32(b))
				r := uint32(p)
				c.R[in.dst] = r
				c.setLazyShift(4, bit(p != int64(int32(r))), bit(p != int64(int32(r))), r)
				continue
			case xSarRI32:
				opSarRI32(c, in)
				continue
			case xCwde:
				c.R[EAX] = uint32(int16(c.R[EAX]))
				continue
			case xZeroR32:
				c.R[in.dst] = 0
				c.setLazy32(lazyLogic, 0, 0, 0)
				continue
			case xNop:
				continue
			case xCall32:
				if sp := c.R[ESP] - 4; in.target <= c.Seg[CS].Limit && store32(ram, line, sp, in.next) {
					c.R[ESP] = sp
					c.EIP = in.target
					continue
				}
			case xALUMR32:
				if off := c.ea32(in); writable32(ram, line, off) {
					ram := c.ram[off : off+4]
					binary.LittleEndian.PutUint32(ram, c.alu(in.aux, 4, binary.LittleEndian.Uint32(ram), c.R[in.src]))
					continue
				}
			case xMul:
				if in.dstKind == argReg {
					opMul(c, in)
					continue
				}
			case xUnary:
				if in.dstKind == argReg {
					opUnary(c, in)
					continue
				}
			case xShift:
				if in.dstKind == argReg {
					opShift(c, in)
					continue
				}
			case xALU:
				if in.dstKind != argMem && in.srcKind != argMem {
					opALU(c, in)
					continue
				}
			case xAddRR32:
				opAddRR32(c, in)
				continue
			case xAddRI32:
				opAddRI32(c, in)
				continue
			case xSubRR32:
				opSubRR32(c, in)
				continue
			case xSubRI32:
				opSubRI32(c, in)
				continue
			case xAndRI32:
				opAndRI32(c, in)
				continue
			case xCmpRR32:
				opCmpRR32(c, in)
				continue
			case xCmpRI32:
				opCmpRI32(c, in)
				continue
			case xTestRR32:
				opTestRR32(c, in)
				continue
			case xALURR32:
				c.R[in.dst] = c.alu(in.aux, 4, c.R[in.dst], c.R[in.src])
				continue
			case xALURI32:
				c.R[in.dst] = c.alu(in.aux, 4, c.R[in.dst], in.imm)
				continue
			case xShlRI32:
				opShlRI32(c, in)
				continue
			case xShrRI32:
				opShrRI32(c, in)
				continue
			case xSetccR:
				opSetccR(c, in)
				continue
			case xCmovRR32:
				opCmovRR32(c, in)
				continue
			case xPushR32:
				if sp := c.R[ESP] - 4; store32(ram, line, sp, c.R[in.dst]) {
					c.R[ESP] = sp
					continue
				}
			case xPopR32:
				if v, ok := load32(ram, c.R[ESP]); ok {
					c.R[ESP] += 4
					c.R[in.dst] = v
					continue
				}
			case xJccExit:
				// After a compare or a logical operation, the shared
				// tails below evaluate the condition as cond does.
				switch l := &c.lazy; l.op {
				case lazySub:
					x, y, sign = l.a, l.b, signBit(l.size)
					goto cmpExit
				case lazyLogic:
					x, sign = l.res, signBit(l.size)
					goto testExit
				}
				if c.cond(in.aux) {
					exit = in
					goto left
				}
				continue
			case xCmpRRJccExit:
				x, y, sign = c.R[in.dst], c.R[in.src], 1<<31
				c.setLazy32(lazySub, x, y, x-y)
				goto cmpExit
			case xCmpRIJccExit:
				x, y, sign = c.R[in.dst], in.imm, 1<<31
				c.setLazy32(lazySub, x, y, x-y)
				goto cmpExit
			case xTestRRJccExit:
				x = c.R[in.dst] & c.R[in.src]
				c.setLazy32(lazyLogic, x, x, x)
				sign = 1 << 31
				goto testExit
			case xExitRM32:
				if v, ok := load32(ram, c.ea32(in)); ok {
					x, y, sign = c.R[in.dst], v, 1<<31
					size = 4
					goto aluExit
				}
			case xExitMR32:
				if v, ok := load32(ram, c.ea32(in)); ok {
					x, y, sign = v, c.R[in.src], 1<<31
					size = 4
					goto aluExit
				}
			case xExitMI32:
				if v, ok := load32(ram, c.ea32(in)); ok {
					x, y, sign = v, in.imm, 1<<31
					size = 4
					goto aluExit
				}
			case xExitRI32:
				x, y, sign = c.R[in.dst], in.imm, 1<<31
				size = 4
				goto aluExit
			case xExitRR8:
				x, y, sign = c.reg8(in.dst), c.reg8(in.src), 0x80
				size = 1
				goto aluExit
			case xExitRI8:
				x, y, sign = c.reg8(in.dst), in.imm, 0x80
				size = 1
				goto aluExit
			case xExitRM8:
				if v, ok := load8(ram, c.ea32(in)); ok {
					x, y, sign = c.reg8(in.dst), v, 0x80
					size = 1
					goto aluExit
				}
			case xExitMI8:
				if v, ok := load8(ram, c.ea32(in)); ok {
					x, y, sign = v, in.imm, 0x80
					size = 1
					goto aluExit
				}
			case xExitMR8:
				if v, ok := load8(ram, c.ea32(in)); ok {
					x, y, sign = v, c.reg8(in.src), 0x80
					size = 1
					goto aluExit
				}
			case xExitAddRI32:
				opAddRI32(c, in)
				goto condExit
			case xExitSubRI32:
				opSubRI32(c, in)
				goto condExit
			}
			// The general path: the handler itself.
			c.k = uint32((uintptr(unsafe.Pointer(in)) - uintptr(first)) / instSize)
			in.fn(c, in)
			if c.brk {
				c.Cycles += uint64(in.cycStart + in.cycles)
				c.Instructions += uint64(in.idx) + uint64(in.count)
				if c.exit {
					c.exit, c.brk = false, false
					return b, in
				}
				c.EIP = in.next
				return b, nil
			}
			continue
		aluExit:
			// A fused CMP or TEST (the ALU operation in imm2) of a and b,
			// then the branch: the flags are recorded as alu records them.
			if in.imm2 == uint32(aluTest) {
				c.setLazy(lazyLogic, size, x, y, x&y)
				x &= y
				goto testExit
			}
			c.setLazy(lazySub, size, x, y, x-y)
		cmpExit:
			// The condition after a - b, as cond evaluates it for
			// lazySub, written out here: a call costs more than it.
			{
				m := sign<<1 - 1
				a, b := x&m, y&m
				var t bool
				switch in.aux >> 1 {
				case condO >> 1:
					t = (a^b)&(a^(a-b))&sign != 0
				case condB >> 1:
					t = a < b
				case condE >> 1:
					t = a == b
				case condBE >> 1:
					t = a <= b
				case condS >> 1:
					t = (a-b)&sign != 0
				case condP >> 1:
					t = parity(a-b) != 0
				case condL >> 1:
					t = a^sign < b^sign
				case condLE >> 1:
					t = a^sign <= b^sign
				}
				if t != (in.aux&1 != 0) {
					exit = in
					goto left
				}
			}
			continue
		testExit:
			// The condition after a logical operation: CF = OF = 0.
			{
				r := x & (sign<<1 - 1)
				var t bool
				switch in.aux >> 1 {
				case condE >> 1, condBE >> 1:
					t = r == 0
				case condS >> 1, condL >> 1:
					t = r&sign != 0
				case condP >> 1:
					t = parity(r) != 0
				case condLE >> 1:
					t = r == 0 || r&sign != 0
				}
				if t != (in.aux&1 != 0) {
					exit = in
					goto left
				}
			}
			continue
		condExit:
			// After arithmetic: ZF is whether the result is 0.
			if in.aux>>1 == condE>>1 {
				if (c.lazy.res == 0) != (in.aux&1 != 0) {
					exit = in
					goto left
				}
			} else if c.cond(in.aux) {
				exit = in
				goto left
			}
		}
		{
			// The block's last instruction, which ends it: the
			// commonest indirect branches inline, as above.
			in := &insts[n]
			c.k = uint32(n)
			c.EIP = in.next
			switch b.endCode {
			case xJmpIndirect:
				if in.size == 4 {
					t, ok := c.R[in.dst], in.dstKind == argReg
					if in.dstKind == argMem {
						t, ok = load32(ram, c.ea32(in))
					}
					if ok && t <= c.Seg[CS].Limit {
						c.EIP = t
						goto ended
					}
				}
			case xRet32:
				if t, ok := load32(ram, c.R[ESP]); ok && t <= c.Seg[CS].Limit {
					c.R[ESP] += 4
					c.EIP = t
					goto ended
				}
			}
			in.fn(c, in)
			ram = c.dataRAM()
		ended:
			c.Cycles += b.cycles
			c.Instructions += b.ninsts
			// Go on at the next block, found as runBlocks finds it.
			if c.brk || c.shadow || c.Cycles >= c.limit {
				return b, nil
			}
			next := c.nextBlock(b)
			if c.Cycles+next.cycles > c.limit {
				return b, nil // runBlocks steps it
			}
			b = next
			continue
		}
	left:
		// A branch inside the block was taken: go on at its target's
		// block, linked from the branch, as runBlocks does.
		c.exitAt(exit)
		if c.Cycles >= c.limit {
			return b, exit
		}
		next := exit.link
		if next == nil || !next.valid {
			next = c.block()
			if b.valid && next.valid {
				exit.link = next
			}
		}
		if c.Cycles+next.cycles > c.limit {
			return b, exit // runBlocks steps it
		}
		b = next
	}
}
