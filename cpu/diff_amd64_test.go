package cpu

// This file is the differential test of the integer instructions against
// the host processor: every operation runs natively (diff_amd64.s) and in
// the emulator on the same operands and incoming flags, at 8, 16 and 32
// bits, and the results and the flags the SDM defines must agree. Flags
// the SDM leaves undefined for an operation are masked per case.
//
// The operands are edge values (0, 1, 0x7F…, 0x80…, 0xFF…, shift counts 0,
// 1, 31, 32, 33…) crossed with each other, then pseudo-random values from
// a fixed seed.

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// hostFunc executes one instruction natively on AX, BX, CX, DX = a, b, c,
// d with EFLAGS f, and returns the registers and EFLAGS after it.
type hostFunc func(a, b, c, d, f uint64) (ra, rb, rc, rd, rf uint64)

var hostFuncs = map[string]hostFunc{
	"ADD8": hostADD8, "ADD16": hostADD16, "ADD32": hostADD32, "ADC8": hostADC8,
	"ADC16": hostADC16, "ADC32": hostADC32, "SUB8": hostSUB8, "SUB16": hostSUB16,
	"SUB32": hostSUB32, "SBB8": hostSBB8, "SBB16": hostSBB16, "SBB32": hostSBB32,
	"AND8": hostAND8, "AND16": hostAND16, "AND32": hostAND32, "OR8": hostOR8,
	"OR16": hostOR16, "OR32": hostOR32, "XOR8": hostXOR8, "XOR16": hostXOR16,
	"XOR32": hostXOR32, "CMP8": hostCMP8, "CMP16": hostCMP16, "CMP32": hostCMP32,
	"TEST8": hostTEST8, "TEST16": hostTEST16, "TEST32": hostTEST32, "INC8": hostINC8,
	"INC16": hostINC16, "INC32": hostINC32, "DEC8": hostDEC8, "DEC16": hostDEC16,
	"DEC32": hostDEC32, "NEG8": hostNEG8, "NEG16": hostNEG16, "NEG32": hostNEG32,
	"NOT8": hostNOT8, "NOT16": hostNOT16, "NOT32": hostNOT32, "SHL8": hostSHL8,
	"SHL16": hostSHL16, "SHL32": hostSHL32, "SHR8": hostSHR8, "SHR16": hostSHR16,
	"SHR32": hostSHR32, "SAR8": hostSAR8, "SAR16": hostSAR16, "SAR32": hostSAR32,
	"ROL8": hostROL8, "ROL16": hostROL16, "ROL32": hostROL32, "ROR8": hostROR8,
	"ROR16": hostROR16, "ROR32": hostROR32, "RCL8": hostRCL8, "RCL16": hostRCL16,
	"RCL32": hostRCL32, "RCR8": hostRCR8, "RCR16": hostRCR16, "RCR32": hostRCR32,
	"SHLD16": hostSHLD16, "SHLD32": hostSHLD32, "SHRD16": hostSHRD16, "SHRD32": hostSHRD32,
	"MUL8": hostMUL8, "MUL16": hostMUL16, "MUL32": hostMUL32, "IMUL8": hostIMUL8,
	"IMUL16": hostIMUL16, "IMUL32": hostIMUL32, "DIV8": hostDIV8, "DIV16": hostDIV16,
	"DIV32": hostDIV32, "IDIV8": hostIDIV8, "IDIV16": hostIDIV16, "IDIV32": hostIDIV32,
	"IMUL2_16": hostIMUL2_16, "IMUL2_32": hostIMUL2_32, "BT16": hostBT16, "BT32": hostBT32,
	"BTS16": hostBTS16, "BTS32": hostBTS32, "BTR16": hostBTR16, "BTR32": hostBTR32,
	"BTC16": hostBTC16, "BTC32": hostBTC32, "BSF16": hostBSF16, "BSF32": hostBSF32,
	"BSR16": hostBSR16, "BSR32": hostBSR32, "BSWAP32": hostBSWAP32, "XADD8": hostXADD8,
	"XADD16": hostXADD16, "XADD32": hostXADD32, "CMPXCHG8": hostCMPXCHG8, "CMPXCHG16": hostCMPXCHG16,
	"CMPXCHG32": hostCMPXCHG32,
}

// diffKind says what the operands of a differential operation are.
type diffKind uint8

const (
	dkBin     diffKind = iota // dst EAX = a, src EBX = b
	dkUn                      // EAX = a
	dkShift                   // EAX = a, count CL = c
	dkShiftD                  // dst EAX = a, src EBX = b, count CL = c
	dkMul1                    // EAX = a times EBX = b, into EDX:EAX
	dkMul2                    // EAX = a times EBX = b, into EAX
	dkDiv                     // EDX:EAX = d:a divided by EBX = b
	dkBt                      // bit EBX = b of EAX = a
	dkBs                      // EAX = a (kept if the source is 0), source EBX = b
	dkXadd                    // dst EAX = a, src EBX = b
	dkCmpxchg                 // accumulator EAX = a, src EBX = b, dst ECX = c
)

// diffOp is one operation at one size.
type diffOp struct {
	name string // mnemonic, as in messages
	key  string // hostFuncs key
	size uint8
	kind diffKind
	code []byte // the instruction (with EAX, EBX, ECX, EDX as in kind)
	// undef returns the flags the SDM leaves undefined for the case, and
	// whether the whole result is undefined (the case is skipped).
	undef func(size uint8, k diffCase) (flags uint32, skip bool)
}

// Operation groups, by how many bits their operand has.
var (
	sizes8to32 = []uint8{1, 2, 4}
	sizes16up  = []uint8{2, 4}
)

// encode returns an instruction's bytes at a size: the 8-bit form uses
// op8, the others op (16-bit with a 0x66 prefix), followed by rest.
func encode(size uint8, op8, op []byte, rest ...byte) []byte {
	var b []byte
	switch size {
	case 1:
		b = append(b, op8...)
	case 2:
		b = append(append(b, 0x66), op...)
	default:
		b = append(b, op...)
	}
	return append(b, rest...)
}

func undefNone(uint8, diffCase) (uint32, bool) { return 0, false }

func undefAF(uint8, diffCase) (uint32, bool) { return FlagAF, false }

// undefShift: count 0 leaves all flags; otherwise AF is undefined, OF
// unless the count is 1, and for SHL and SHR CF when the count reaches the
// operand size.
func undefShift(cfBeyond bool) func(uint8, diffCase) (uint32, bool) {
	return func(size uint8, k diffCase) (uint32, bool) {
		n := k.c & 31
		var u uint32
		switch {
		case n == 0:
			return 0, false
		case n == 1:
			u = FlagAF
		default:
			u = FlagAF | FlagOF
		}
		if cfBeyond && n >= uint32(size)*8 {
			u |= FlagCF
		}
		return u, false
	}
}

// undefRotate: OF is undefined unless the count is 1.
func undefRotate(size uint8, k diffCase) (uint32, bool) {
	if n := k.c & 31; n > 1 {
		return FlagOF, false
	}
	return 0, false
}

// undefShiftD: as a shift; a 16-bit count above 16 makes everything undefined.
func undefShiftD(size uint8, k diffCase) (uint32, bool) {
	n := k.c & 31
	if size == 2 && n > 16 {
		return flagsArith, true
	}
	return undefShift(false)(size, k)
}

func undefMul(uint8, diffCase) (uint32, bool) {
	return FlagSF | FlagZF | FlagAF | FlagPF, false
}

func undefDiv(uint8, diffCase) (uint32, bool) { return flagsArith, false }

func undefBt(uint8, diffCase) (uint32, bool) {
	return FlagOF | FlagSF | FlagAF | FlagPF, false
}

func undefBs(uint8, diffCase) (uint32, bool) {
	return FlagCF | FlagOF | FlagSF | FlagAF | FlagPF, false
}

// diffOps lists every operation the differential test runs.
func diffOps() []diffOp {
	var ops []diffOp
	add := func(name, key string, size uint8, kind diffKind, code []byte,
		undef func(uint8, diffCase) (uint32, bool)) {
		ops = append(ops, diffOp{name: name, key: fmt.Sprintf("%s%d", key, size*8), size: size,
			kind: kind, code: code, undef: undef})
	}
	for _, s := range sizes8to32 {
		for i, name := range []string{"ADD", "OR", "ADC", "SBB", "AND", "SUB", "XOR", "CMP"} {
			u := undefNone
			if name == "AND" || name == "OR" || name == "XOR" {
				u = undefAF
			}
			op := byte(i << 3)
			add(name, name, s, dkBin, encode(s, []byte{op}, []byte{op + 1}, 0xD8), u)
		}
		add("TEST", "TEST", s, dkBin, encode(s, []byte{0x84}, []byte{0x85}, 0xD8), undefAF)
		for _, u := range []struct {
			name string
			op   byte
			n    byte
		}{{"INC", 0xFE, 0}, {"DEC", 0xFE, 1}, {"NOT", 0xF6, 2}, {"NEG", 0xF6, 3}} {
			add(u.name, u.name, s, dkUn, encode(s, []byte{u.op}, []byte{u.op + 1}, 0xC0|u.n<<3), undefNone)
		}
		for _, sh := range []struct {
			name string
			n    byte
		}{{"ROL", 0}, {"ROR", 1}, {"RCL", 2}, {"RCR", 3}, {"SHL", 4}, {"SHR", 5}, {"SAR", 7}} {
			var u func(uint8, diffCase) (uint32, bool)
			switch sh.name {
			case "SHL", "SHR":
				u = undefShift(true)
			case "SAR":
				u = undefShift(false)
			default:
				u = undefRotate
			}
			add(sh.name, sh.name, s, dkShift, encode(s, []byte{0xD2}, []byte{0xD3}, 0xC0|sh.n<<3), u)
		}
		for _, m := range []struct {
			name string
			n    byte
			kind diffKind
		}{{"MUL", 4, dkMul1}, {"IMUL", 5, dkMul1}, {"DIV", 6, dkDiv}, {"IDIV", 7, dkDiv}} {
			u := undefMul
			if m.kind == dkDiv {
				u = undefDiv
			}
			add(m.name, m.name, s, m.kind, encode(s, []byte{0xF6}, []byte{0xF7}, 0xC3|m.n<<3), u)
		}
		add("XADD", "XADD", s, dkXadd, encode(s, []byte{0x0F, 0xC0}, []byte{0x0F, 0xC1}, 0xD8), undefNone)
		add("CMPXCHG", "CMPXCHG", s, dkCmpxchg, encode(s, []byte{0x0F, 0xB0}, []byte{0x0F, 0xB1}, 0xD9), undefNone)
	}
	for _, s := range sizes16up {
		add("SHLD", "SHLD", s, dkShiftD, encode(s, nil, []byte{0x0F, 0xA5}, 0xD8), undefShiftD)
		add("SHRD", "SHRD", s, dkShiftD, encode(s, nil, []byte{0x0F, 0xAD}, 0xD8), undefShiftD)
		add("IMUL", "IMUL2_", s, dkMul2, encode(s, nil, []byte{0x0F, 0xAF}, 0xC3), undefMul)
		for i, name := range []string{"BT", "BTS", "BTR", "BTC"} {
			add(name, name, s, dkBt, encode(s, nil, []byte{0x0F, 0xA3 + byte(i)<<3}, 0xD8), undefBt)
		}
		add("BSF", "BSF", s, dkBs, encode(s, nil, []byte{0x0F, 0xBC}, 0xC3), undefBs)
		add("BSR", "BSR", s, dkBs, encode(s, nil, []byte{0x0F, 0xBD}, 0xC3), undefBs)
	}
	add("BSWAP", "BSWAP", 4, dkUn, []byte{0x0F, 0xC8}, undefNone)
	return ops
}

// edgeValues returns the edge values of an operand size.
func edgeValues(size uint8) []uint32 {
	m, s := sizeMask(size), signBit(size)
	return []uint32{0, 1, 2, 9, 0x0F, 0x10, 0x99 & m, s - 2, s - 1, s, s + 1, m - 1, m,
		0x55555555 & m, 0xAAAAAAAA & m}
}

// edgeCounts are the shift counts every shift is tried with.
var edgeCounts = []uint32{0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 18, 31, 32, 33, 63, 64, 255}

// diffGen makes the cases of one operation.
type diffGen struct {
	rng  *rand.Rand
	size uint8
}

// value returns an operand: an edge value with random upper bits, a
// small number, or a random one.
func (g *diffGen) value() uint32 {
	m := sizeMask(g.size)
	switch g.rng.Intn(8) {
	case 0, 1:
		ev := edgeValues(g.size)
		return ev[g.rng.Intn(len(ev))] | g.rng.Uint32()&^m
	case 2:
		return uint32(g.rng.Intn(40)) | g.rng.Uint32()&^m
	}
	return g.rng.Uint32()
}

// count returns a shift count in CL (with random upper bits in ECX).
func (g *diffGen) count() uint32 {
	hi := g.rng.Uint32() &^ 0xFF
	if g.rng.Intn(2) == 0 {
		return hi | edgeCounts[g.rng.Intn(len(edgeCounts))]
	}
	return hi | uint32(g.rng.Intn(256))
}

// flags returns random incoming arithmetic flags.
func (g *diffGen) flags() uint32 { return g.rng.Uint32() & flagsArith }

// random returns a pseudo-random case for an operation kind.
func (g *diffGen) random(kind diffKind) diffCase {
	k := diffCase{a: g.value(), b: g.value(), c: g.rng.Uint32(), d: g.rng.Uint32(), f: g.flags()}
	m := sizeMask(g.size)
	switch kind {
	case dkShift, dkShiftD:
		k.c = g.count()
	case dkDiv:
		// Most random dividends overflow; make half of them fit.
		if g.rng.Intn(2) == 0 {
			div := k.b & m
			if div == 0 {
				div = 1
			}
			switch g.size {
			case 1:
				k.a = k.a&^0xFF00 | (k.a>>8&0xFF%div)<<8
			case 2:
				k.d = k.d&^0xFFFF | k.d&0xFFFF%div
			default:
				k.d %= div
			}
		} else if g.rng.Intn(2) == 0 {
			// A sign-extended dividend: fits unless divided by -1.
			switch g.size {
			case 1:
				k.a = k.a&^0xFF00 | uint32(int32(int8(k.a))>>8)&0xFF00
			case 2:
				k.d = k.d&^0xFFFF | uint32(int32(int16(k.a))>>15)&0xFFFF
			default:
				k.d = uint32(int32(k.a) >> 31)
			}
		}
	case dkBs:
		switch g.rng.Intn(4) {
		case 0:
			k.b &^= m
		case 1:
			k.b = k.b&^m | 1<<g.rng.Intn(int(g.size)*8)
		}
	case dkCmpxchg:
		if g.rng.Intn(2) == 0 {
			k.c = k.c&^m | k.a&m
		}
	}
	return k
}

// cases returns the edge cases of an operation, then n random ones.
func (g *diffGen) cases(kind diffKind, n int) []diffCase {
	var ks []diffCase
	ev := edgeValues(g.size)
	for _, a := range ev {
		switch kind {
		case dkShift, dkShiftD:
			for _, cnt := range edgeCounts {
				for _, f := range []uint32{0, flagsArith} {
					ks = append(ks, diffCase{a: a, b: g.value(), c: cnt, d: g.rng.Uint32(), f: f})
				}
			}
		case dkUn:
			for _, f := range []uint32{0, flagsArith, g.flags()} {
				ks = append(ks, diffCase{a: a, b: g.rng.Uint32(), c: g.rng.Uint32(), d: g.rng.Uint32(), f: f})
			}
		default:
			for _, b := range ev {
				for _, f := range []uint32{0, flagsArith} {
					k := diffCase{a: a, b: b, c: g.rng.Uint32(), d: g.rng.Uint32(), f: f}
					switch kind {
					case dkDiv:
						k.d = 0
					case dkCmpxchg:
						k.c = b
						if f != 0 {
							k.c = a
						}
					}
					ks = append(ks, k)
				}
			}
		}
	}
	for i := 0; i < n; i++ {
		ks = append(ks, g.random(kind))
	}
	return ks
}

// divFaults reports whether DIV (or IDIV, signed) of the case raises #DE:
// the divisor is 0 or the quotient does not fit.
func divFaults(signed bool, size uint8, k diffCase) bool {
	m := sizeMask(size)
	if k.b&m == 0 {
		return true
	}
	var n uint64
	switch size {
	case 1:
		n = uint64(k.a & 0xFFFF)
	case 2:
		n = uint64(k.d&0xFFFF)<<16 | uint64(k.a&0xFFFF)
	default:
		n = uint64(k.d)<<32 | uint64(k.a)
	}
	if !signed {
		return n/uint64(k.b&m) > uint64(m)
	}
	w := uint(size) * 16 // dividend width
	sn := int64(n<<(64-w)) >> (64 - w)
	sd := int64(signExtend(k.b, size))
	if sn == -1<<63 && sd == -1 {
		return true
	}
	q := sn / sd
	lim := int64(1) << (uint(size)*8 - 1)
	return q < -lim || q >= lim
}

// host runs the case natively.
func (op *diffOp) host(k diffCase) (regs [4]uint32, flags uint32) {
	ra, rb, rc, rd, rf := hostFuncs[op.key](uint64(k.a), uint64(k.b), uint64(k.c), uint64(k.d), uint64(k.f|flagsFixed))
	return [4]uint32{uint32(ra), uint32(rb), uint32(rc), uint32(rd)}, uint32(rf) & flagsArith
}

// diffRegNames names EAX, EBX, ECX, EDX in the order of a diffCase.
var diffRegNames = [4]string{"EAX", "EBX", "ECX", "EDX"}

// outputs lists the registers an operation kind writes (indexes into
// EAX, EBX, ECX, EDX).
func (k diffKind) outputs() []int {
	switch k {
	case dkMul1, dkDiv:
		return []int{0, 3}
	case dkXadd:
		return []int{0, 1}
	case dkCmpxchg:
		return []int{0, 2}
	}
	return []int{0}
}

// describe formats an operation's inputs for a message.
func (op *diffOp) describe(k diffCase) string {
	m := sizeMask(op.size)
	a, b := k.a&m, k.b&m
	var s string
	switch op.kind {
	case dkBin, dkMul2, dkBt, dkXadd:
		s = fmt.Sprintf("%#x, %#x", a, b)
	case dkUn:
		s = fmt.Sprintf("%#x", a)
	case dkShift:
		s = fmt.Sprintf("%#x, cl=%d", a, k.c&0xFF)
	case dkShiftD:
		s = fmt.Sprintf("%#x, %#x, cl=%d", a, b, k.c&0xFF)
	case dkMul1:
		s = fmt.Sprintf("%#x, acc %#x", b, a)
	case dkDiv:
		s = fmt.Sprintf("%#x, dividend %#x:%#x", b, k.d&m, a)
		if op.size == 1 {
			s = fmt.Sprintf("%#x, dividend %#x", b, k.a&0xFFFF)
		}
	case dkBs:
		s = fmt.Sprintf("src %#x, dst %#x", b, a)
	case dkCmpxchg:
		s = fmt.Sprintf("dst %#x, src %#x, acc %#x", k.c&m, b, a)
	}
	return fmt.Sprintf("%s r%d %s, flags in %#x", op.name, op.size*8, s, k.f)
}

// formatResult formats the output registers (and any other register that
// differs from want) and the flags.
func formatResult(kind diffKind, regs, want [4]uint32, flags uint32) string {
	var b strings.Builder
	outs := kind.outputs()
	if len(outs) == 1 {
		fmt.Fprintf(&b, "res %#x", regs[outs[0]])
	} else {
		for _, i := range outs {
			fmt.Fprintf(&b, "%s=%#x ", diffRegNames[i], regs[i])
		}
	}
	for i := range regs {
		isOut := false
		for _, o := range outs {
			isOut = isOut || o == i
		}
		if !isOut && regs[i] != want[i] {
			fmt.Fprintf(&b, " %s=%#x", diffRegNames[i], regs[i])
		}
	}
	fmt.Fprintf(&b, " flags %#03x", flags)
	return strings.ReplaceAll(b.String(), "  ", " ")
}

// condNames names the condition codes.
var condNames = [16]string{"O", "NO", "B", "AE", "E", "NE", "BE", "A", "S", "NS", "P", "NP", "L", "GE", "LE", "G"}

// condFlags lists the flags each pair of condition codes reads.
var condFlags = [8]uint32{FlagOF, FlagCF, FlagZF, FlagCF | FlagZF, FlagSF, FlagPF, FlagSF | FlagOF, FlagZF | FlagSF | FlagOF}

// condHolds evaluates condition cc on flags f as the SDM defines it: 1 if
// it holds, else 0.
func condHolds(cc uint8, f uint32) byte {
	of, cf, zf, sf, pf := f&FlagOF != 0, f&FlagCF != 0, f&FlagZF != 0, f&FlagSF != 0, f&FlagPF != 0
	r := [8]bool{of, cf, zf, cf || zf, sf, pf, sf != of, zf || sf != of}[cc>>1]
	if r != (cc&1 != 0) {
		return 1
	}
	return 0
}

// diffRandomCases is the number of random cases per operation and size,
// after the edge cases.
const diffRandomCases = 10000

func TestDiffHost(t *testing.T) {
	for _, op := range diffOps() {
		t.Run(fmt.Sprintf("%s%d", op.name, op.size*8), func(t *testing.T) {
			t.Parallel()
			checkDiffOp(t, &op)
		})
	}
}

// checkDiffOp runs every case of one operation on the host and in the
// emulator and compares them.
func checkDiffOp(t *testing.T, op *diffOp) {
	// After the operation, SETcc for each of the 16 conditions stores
	// into [ESI+cc], so the conditions are evaluated from the lazy state
	// the operation left.
	code := append([]byte(nil), op.code...)
	for cc := byte(0); cc < 16; cc++ {
		code = append(code, 0x0F, 0x90+cc, 0x46, cc) // setcc cc(%esi)
	}
	d := newDiffCPU(t, code)
	d.c.R[ESI] = memAddr
	g := &diffGen{rng: rand.New(rand.NewSource(seedOf(op.key))), size: op.size}
	cases := g.cases(op.kind, diffRandomCases)
	fails, faults := 0, 0
	for _, k := range cases {
		undef, skip := op.undef(op.size, k)
		if skip {
			continue
		}
		if op.kind == dkDiv && divFaults(op.name == "IDIV", op.size, k) {
			// The host would fault: the emulator must raise #DE and
			// change nothing.
			faults++
			got, gotF := d.run(t, k)
			if d.exc != excDE || got != [4]uint32{k.a, k.b, k.c, k.d} || gotF != k.f {
				t.Errorf("%s: exception %d, registers %#x, flags %#x; want #DE and nothing changed",
					op.describe(k), d.exc, got, gotF)
				fails++
			}
			continue
		}
		want, wantF := op.host(k)
		got, gotF := d.run(t, k)
		mask := flagsArith &^ undef
		if d.exc >= 0 || got != want || gotF&mask != wantF&mask {
			t.Errorf("%s: got %s, want %s (mask %#03x, exception %d)", op.describe(k),
				formatResult(op.kind, got, want, gotF), formatResult(op.kind, want, want, wantF), mask, d.exc)
			fails++
		}
		for cc := uint8(0); cc < 16; cc++ {
			if condFlags[cc>>1]&^mask != 0 {
				continue // the condition reads an undefined flag
			}
			if g, w := d.c.ram[memAddr+uint32(cc)], condHolds(cc, wantF); g != w {
				t.Errorf("%s: SET%s after it stored %d, want %d (flags %#03x)", op.describe(k), condNames[cc], g, w, wantF)
				fails++
			}
		}
		if fails >= 10 {
			t.Fatalf("too many failures")
		}
	}
	if op.kind == dkDiv && faults == 0 {
		t.Errorf("no case raised #DE")
	}
	t.Logf("%d cases (%d #DE)", len(cases), faults)
}
