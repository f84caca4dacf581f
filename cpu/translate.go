package cpu

// This file implements translation: decoding guest bytes with x86asm once
// and turning each instruction into the internal form (operands resolved,
// handler chosen) that the block loop executes.

import (
	"encoding/binary"
	"fmt"

	"golang.org/x/arch/x86/x86asm"
)

// translateFunc completes the translation of one instruction: it chooses
// the handler (in.fn) from the instruction and its resolved operands, and
// sets fBranch or fEnd if the instruction ends a block. It returns false if
// the operand combination is not one the instruction has, which makes the
// instruction raise #UD.
type translateFunc func(x *x86asm.Inst, in *inst) bool

// translators maps each supported operation to its translateFunc. The
// files that implement instruction groups fill it in their init functions.
var translators = map[x86asm.Op]translateFunc{}

// register adds fn as the translator of ops.
func register(fn translateFunc, ops ...x86asm.Op) {
	for _, op := range ops {
		if _, dup := translators[op]; dup {
			panic(fmt.Sprintf("cpu: %v registered twice", op))
		}
		translators[op] = fn
	}
}

// isENDBR32 reports whether b starts with ENDBR32 (F3 0F 1E FB), which
// x86asm does not decode; it executes as a 4-byte NOP.
func isENDBR32(b []byte) bool {
	return len(b) >= 4 && b[0] == 0xF3 && b[1] == 0x0F && b[2] == 0x1E && b[3] == 0xFB
}

// translate decodes the block starting at linear address lin (= CS.base+EIP).
//
// With a code segment of 4 GiB limit in 32-bit protected mode, the block is
// a superblock: it goes on at the target of a direct JMP or CALL (which
// cannot fault there) and past a conditional branch, which leaves the block
// when taken. Each instruction's cycStart and idx count what runs before it
// on the block's one path, so leaving at any instruction charges exactly
// the instructions that ran.
func (c *CPU) translate(lin uint32) *block {
	b := &block{start: lin, csBase: c.Seg[CS].Base, csLimit: c.Seg[CS].Limit, mode32: c.mode32, realMode: c.realMode}
	mode := 16
	if c.mode32 {
		mode = 32
	}
	super := b.csLimit == 0xFFFFFFFF && b.mode32 && !b.realMode
	eip := c.EIP
	runStart := lin // start of the current run of contiguous code
	var cycles uint32
	k := 0 // instructions in c.scratch, copied out to b.insts below
	for k < maxBlockInsts {
		var buf [15]byte
		n := 0
		if lin < c.ramTop {
			n = copy(buf[:], c.ram[lin:])
		}
		in := &c.scratch[k]
		if n == 0 {
			if k > 0 {
				break // the next block will report it
			}
			*in = inst{fn: opFetchFault, len: 0, flags: fEnd}
		} else {
			c.decodeCached(&buf, n, mode, in)
		}
		in.next = eip + uint32(in.len)
		if !c.mode32 {
			in.next &= 0xFFFF
		}
		if in.flags&fRel != 0 {
			in.target += in.next
			if in.size == 2 {
				in.target &= 0xFFFF
			}
		}
		in.idx = uint8(k)
		in.count = 1
		in.cycStart = cycles
		cycles += in.cycles
		lin += uint32(in.len)
		eip += uint32(in.len)
		k++
		if super && in.flags&fEnd == 0 && in.flags&fBranch != 0 && in.flags&fRel != 0 && k < maxBlockInsts {
			switch {
			case isJcc(in):
				in.flags = in.flags&^fBranch | fExit
				continue
			case in.op == x86asm.JMP || in.op == x86asm.CALL && in.size == 4:
				if t := b.csBase + in.target; t < c.ramTop {
					b.addRange(runStart, lin)
					lin, eip, runStart = t, in.target, t
					continue
				}
			}
		}
		if in.flags&(fBranch|fEnd) != 0 {
			break
		}
	}
	b.insts = append([]inst(nil), c.scratch[:k]...)
	if last := &b.insts[len(b.insts)-1]; last.flags&fExit != 0 {
		// The block ends at a conditional branch after all (RAM ends
		// behind it): it is the block's last instruction, not an exit.
		last.flags = last.flags&^fExit | fBranch
	}
	b.addRange(runStart, lin)
	b.cycles = uint64(cycles)
	b.ninsts = uint64(len(b.insts))
	b.fast = b.insts
	if b.csLimit == 0xFFFFFFFF {
		// No branch target can be beyond the limit, so the fused
		// branch needs no limit check (see fuse.go).
		b.fast = fuse(b.insts)
	}
	for k := range b.fast {
		if in := &b.fast[k]; in.count == 2 || in.flags&fExit != 0 {
			in.code = fastCode(in) // fuse changed its handler
		}
	}
	last := &b.fast[len(b.fast)-1]
	b.endCode, last.code = last.code, xEnd
	return b
}

// addRange records that the block's code includes [start, end): the first
// range is start and end, later ones (after a jump) are in more.
func (b *block) addRange(start, end uint32) {
	if end == start {
		end = start + 1
	}
	if b.end == 0 && b.start == start {
		b.end = end
		return
	}
	b.more = append(b.more, codeRange{start, end})
}

// isJcc reports whether in is a conditional branch to a relative target.
func isJcc(in *inst) bool {
	return int(in.op) < len(isCondOp) && isCondOp[in.op] && in.flags&fRel != 0
}

// isCondOp is condOps as a table indexed by operation.
var isCondOp = func() []bool {
	var t []bool
	for op := range condOps {
		for int(op) >= len(t) {
			t = append(t, false)
		}
		t[op] = true
	}
	return t
}()

// decodeCache remembers the translation of recently decoded byte windows,
// in a direct-mapped table: the translation of an instruction depends only
// on its bytes and the code size (relative targets are fixed by translate),
// so code that repeats, such as zero-filled RAM, is decoded once.
type decodeCache struct {
	e []decodeEntry
}

// decodeEntry is one slot of the decode cache.
type decodeEntry struct {
	key decodeKey
	in  inst
}

// decodeKey is a 15-byte window (zero-padded), its length and the code size.
type decodeKey struct {
	code [15]byte
	n    uint8
	mode uint8
	ok   bool // the slot is in use
}

// decodeCacheBits sets the size of the decode cache (2^bits slots).
const decodeCacheBits = 10

// decodeCached translates the instruction at the start of buf[:n].
func (c *CPU) decodeCached(buf *[15]byte, n, mode int, in *inst) {
	if c.decoded.e == nil {
		c.decoded.e = make([]decodeEntry, 1<<decodeCacheBits)
	}
	key := decodeKey{code: *buf, n: uint8(n), mode: uint8(mode), ok: true}
	h := binary.LittleEndian.Uint64(buf[0:8])*0x9E3779B97F4A7C15 ^ binary.LittleEndian.Uint64(buf[7:15])*0xC2B2AE3D27D4EB4F
	e := &c.decoded.e[(h^uint64(n)<<8^uint64(mode))>>(64-decodeCacheBits)]
	if e.key == key {
		*in = e.in
		return
	}
	*in = inst{}
	c.translateOne(buf[:n], mode, in)
	in.code = fastCode(in)
	e.key, e.in = key, *in
}

// translateOne decodes and translates the instruction at the start of code.
func (c *CPU) translateOne(code []byte, mode int, in *inst) {
	if isENDBR32(code) {
		*in = inst{fn: opNop, op: x86asm.NOP, len: 4, cycles: 1}
		return
	}
	x, err := x86asm.Decode(code, mode)
	if err != nil || x.Op == 0 {
		if len(code) < 15 && err == nil || err == x86asm.ErrTruncated {
			// The instruction runs past the end of RAM.
			*in = inst{fn: opFetchFault, len: 1, flags: fEnd}
			return
		}
		*in = inst{fn: opUndefined, len: uint8(max(x.Len, 1)), flags: fEnd, cycles: 1}
		return
	}
	in.len = uint8(x.Len)
	in.op = x.Op
	in.cycles = costOf(&x)
	fn, ok := translators[x.Op]
	if hasInvalidPrefix(&x) {
		// LOCK on an instruction that cannot take it, and the like.
		in.fn = opUndefined
		in.flags |= fEnd
	} else if !ok {
		// A real instruction this processor model does not have (x87,
		// MMX, SSE, 64-bit only…).
		in.fn = opUnsupported
		in.flags |= fEnd
	} else if !resolveOperands(&x, in) || !fn(&x, in) {
		in.fn = opUndefined
		in.flags |= fEnd
	}
	if x.Prefix[0]&0xFF == 0xF0 || hasPrefix(&x, x86asm.PrefixLOCK) {
		in.flags |= fLock
	}
}

// hasInvalidPrefix reports whether x86asm marked a prefix as making the
// whole instruction invalid (LOCK on a register destination or on an
// instruction that is not a read-modify-write of memory).
func hasInvalidPrefix(x *x86asm.Inst) bool {
	for _, q := range x.Prefix {
		if q == 0 {
			break
		}
		if q&x86asm.PrefixInvalid != 0 {
			return true
		}
	}
	return false
}

// hasPrefix reports whether the instruction carries prefix p (ignoring the
// implicit/ignored/invalid marks).
func hasPrefix(x *x86asm.Inst, p x86asm.Prefix) bool {
	for _, q := range x.Prefix {
		if q == 0 {
			break
		}
		if q&0xFFF == p&0xFFF && q&x86asm.PrefixIgnored == 0 {
			return true
		}
	}
	return false
}

// resolveOperands fills the operand fields of in from the decoded
// arguments: up to two register/memory/immediate operands (dst, src), a
// third immediate or register (IMUL, SHLD), and the branch target.
func resolveOperands(x *x86asm.Inst, in *inst) bool {
	in.base, in.index = regZero, regZero
	if x.AddrSize == 16 {
		in.flags |= fAddr16
	}
	if hasPrefix(x, x86asm.PrefixREP) {
		in.flags |= fRep
	}
	if hasPrefix(x, x86asm.PrefixREPN) {
		in.flags |= fRepNE
	}
	in.size = uint8(x.DataSize / 8)
	n := 0
	for i, a := range x.Args {
		if a == nil {
			break
		}
		kind, r := argNone, uint8(0)
		switch a := a.(type) {
		case x86asm.Reg:
			num, size, ok := regNumber(a)
			if !ok {
				kind = argNone // segment, control and other registers: the handler reads x.Args
			} else {
				kind, r = argReg, num
				if i == 0 {
					in.size = size
				}
			}
		case x86asm.Mem:
			if !resolveMem(x, a, in) {
				return false
			}
			kind = argMem
			if i == 0 && x.MemBytes > 0 && x.MemBytes <= 4 {
				in.size = uint8(x.MemBytes)
			}
		case x86asm.Imm:
			kind = argImm
			if n < 2 {
				in.imm = uint32(int64(a))
			} else {
				in.imm2 = uint32(int64(a))
			}
		case x86asm.Rel:
			in.target = uint32(int32(a)) // made absolute by translate
			in.flags |= fBranch | fRel
			continue
		}
		switch n {
		case 0:
			in.dstKind, in.dst = kind, r
		case 1:
			in.srcKind, in.src = kind, r
		default:
			in.src2Kind = kind
			if kind == argReg {
				in.aux = r
			}
		}
		n++
	}
	if in.size == 0 {
		in.size = 4
	}
	return true
}

// regNumber maps a general register to its encoding number and size.
func regNumber(r x86asm.Reg) (num, size uint8, ok bool) {
	switch {
	case r >= x86asm.AL && r <= x86asm.BH:
		return uint8(r - x86asm.AL), 1, true
	case r >= x86asm.AX && r <= x86asm.DI:
		return uint8(r - x86asm.AX), 2, true
	case r >= x86asm.EAX && r <= x86asm.EDI:
		return uint8(r - x86asm.EAX), 4, true
	}
	return 0, 0, false
}

// segNumber maps a segment register to its number.
func segNumber(r x86asm.Reg) (uint8, bool) {
	if r >= x86asm.ES && r <= x86asm.GS {
		return uint8(r - x86asm.ES), true
	}
	return 0, false
}

// resolveMem fills the memory operand fields.
func resolveMem(x *x86asm.Inst, m x86asm.Mem, in *inst) bool {
	in.disp = uint32(m.Disp)
	in.base, in.index = regZero, regZero
	if m.Base != 0 {
		num, _, ok := regNumber(m.Base)
		if !ok {
			return false
		}
		in.base = num
	}
	if m.Index != 0 && m.Scale != 0 {
		num, _, ok := regNumber(m.Index)
		if !ok {
			return false
		}
		in.index = num
		switch m.Scale {
		case 1:
			in.scale = 0
		case 2:
			in.scale = 1
		case 4:
			in.scale = 2
		case 8:
			in.scale = 3
		}
	}
	if m.Segment != 0 {
		s, ok := segNumber(m.Segment)
		if !ok {
			return false
		}
		in.seg = s
	} else if in.base == ESP || in.base == EBP {
		in.seg = SS
	} else {
		in.seg = DS
	}
	return true
}

// opNop does nothing.
func opNop(c *CPU, in *inst) {}

// opUndefined raises #UD: an opcode the processor does not have, or one
// preemptlab does not emulate (x87, MMX, SSE…).
func opUndefined(c *CPU, in *inst) { c.undefined() }

// opUnsupported raises #UD for an instruction that exists on later x86
// processors but not on the emulated one, and tells the user once.
func opUnsupported(c *CPU, in *inst) {
	if c.Warn != nil {
		lin := c.Seg[CS].Base + in.eip()
		if c.warned == nil {
			c.warned = map[uint32]bool{}
		}
		if !c.warned[lin] {
			c.warned[lin] = true
			c.Warn(fmt.Sprintf("cpu%d: #UD at %04x:%08x: %s is not emulated (preemptlab's processor has no x87, MMX or SSE)",
				c.ID, c.Seg[CS].Sel, in.eip(), c.Disassemble(in.eip())))
		}
	}
	c.undefined()
}

// opFetchFault stops the processor: its next instruction lies (partly)
// outside RAM.
func opFetchFault(c *CPU, in *inst) {
	lin := c.Seg[CS].Base + in.eip()
	c.Fault = c.report(fmt.Sprintf("instruction fetch at linear address %#08x runs outside RAM (%d bytes of RAM): nothing is there to execute", lin, c.ramTop), -1, 0)
	panic(stopPanic{StopBusError})
}
