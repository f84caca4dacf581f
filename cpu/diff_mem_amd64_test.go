package cpu

// This file runs the instruction groups of the differential test in their
// other forms — a memory operand as destination or source, an immediate
// (imm8, sign-extended imm8, full-size, the implicit 1 of the D0/D1
// shifts), the short accumulator forms — at 8, 16 and 32 bits. Each form
// is a table row that says which register of the host's register form the
// memory operand or the immediate stands for; the host's register result
// is the expected memory or register result.

import (
	"fmt"
	"math/rand"
	"testing"
)

// Immediate kinds of a form.
const (
	immNone = iota
	immFull // an immediate of the operand size
	immS8   // an 8-bit immediate, sign-extended to the operand size
	immU8   // an 8-bit immediate taken as is (shift count, bit offset)
	immOne  // no immediate byte: the count 1 of D0/D1
)

// memForm is one instruction form, tested at its sizes.
type memForm struct {
	op    string // the diffOps name (IMUL2 for the two- and three-operand IMUL)
	form  string // the operands, for messages: "m, r", "r, imm8"…
	sizes []uint8
	code  []byte // at size 4; encode adds 0x66 for size 2 and uses code8 for size 1
	code8 []byte
	// mem is the host register (0–3: EAX, EBX, ECX, EDX) the memory
	// operand stands for, or -1; memToReg says its result goes to that
	// register, not to memory (IMUL r, m, imm). imm is the register the
	// immediate stands for, or -1.
	mem      int
	memToReg bool
	imm      int
	immKind  int
	// offsetInOperand limits a BT register offset to the operand, where
	// the register and memory forms agree.
	offsetInOperand bool
}

// modrmM is the ModRM byte of [ESI] with reg field r.
func modrmM(r byte) byte { return r<<3 | 6 }

// modrmR is the ModRM byte of register EAX (AL, AX) with reg field r.
func modrmR(r byte) byte { return 0xC0 | r<<3 }

// memForms lists the forms.
func memForms() []memForm {
	var fs []memForm
	add := func(f memForm) { fs = append(fs, f) }
	all := sizes8to32
	for i, name := range []string{"ADD", "OR", "ADC", "SBB", "AND", "SUB", "XOR", "CMP"} {
		op, n := byte(i<<3), byte(i)
		add(memForm{op: name, form: "m, r", sizes: all, code8: []byte{op, modrmM(EBX)}, code: []byte{op + 1, modrmM(EBX)}, mem: 0, imm: -1})
		add(memForm{op: name, form: "r, m", sizes: all, code8: []byte{op + 2, modrmM(EAX)}, code: []byte{op + 3, modrmM(EAX)}, mem: 1, imm: -1})
		add(memForm{op: name, form: "m, imm", sizes: all, code8: []byte{0x80, modrmM(n)}, code: []byte{0x81, modrmM(n)}, mem: 0, imm: 1, immKind: immFull})
		add(memForm{op: name, form: "m, imm8", sizes: sizes16up, code: []byte{0x83, modrmM(n)}, mem: 0, imm: 1, immKind: immS8})
		add(memForm{op: name, form: "r, imm", sizes: all, code8: []byte{0x80, modrmR(n)}, code: []byte{0x81, modrmR(n)}, mem: -1, imm: 1, immKind: immFull})
		add(memForm{op: name, form: "r, imm8", sizes: sizes16up, code: []byte{0x83, modrmR(n)}, mem: -1, imm: 1, immKind: immS8})
		add(memForm{op: name, form: "acc, imm", sizes: all, code8: []byte{op + 4}, code: []byte{op + 5}, mem: -1, imm: 1, immKind: immFull})
	}
	add(memForm{op: "TEST", form: "m, r", sizes: all, code8: []byte{0x84, modrmM(EBX)}, code: []byte{0x85, modrmM(EBX)}, mem: 0, imm: -1})
	add(memForm{op: "TEST", form: "m, imm", sizes: all, code8: []byte{0xF6, modrmM(0)}, code: []byte{0xF7, modrmM(0)}, mem: 0, imm: 1, immKind: immFull})
	add(memForm{op: "TEST", form: "r, imm", sizes: all, code8: []byte{0xF6, modrmR(0)}, code: []byte{0xF7, modrmR(0)}, mem: -1, imm: 1, immKind: immFull})
	add(memForm{op: "TEST", form: "acc, imm", sizes: all, code8: []byte{0xA8}, code: []byte{0xA9}, mem: -1, imm: 1, immKind: immFull})
	for _, u := range []struct {
		name string
		op   byte
		n    byte
	}{{"INC", 0xFE, 0}, {"DEC", 0xFE, 1}, {"NOT", 0xF6, 2}, {"NEG", 0xF6, 3}} {
		add(memForm{op: u.name, form: "m", sizes: all, code8: []byte{u.op, modrmM(u.n)}, code: []byte{u.op + 1, modrmM(u.n)}, mem: 0, imm: -1})
	}
	add(memForm{op: "INC", form: "r (40+r)", sizes: sizes16up, code: []byte{0x40}, mem: -1, imm: -1})
	add(memForm{op: "DEC", form: "r (48+r)", sizes: sizes16up, code: []byte{0x48}, mem: -1, imm: -1})
	for _, sh := range []struct {
		name string
		n    byte
	}{{"ROL", 0}, {"ROR", 1}, {"RCL", 2}, {"RCR", 3}, {"SHL", 4}, {"SHR", 5}, {"SAR", 7}} {
		n := sh.n
		add(memForm{op: sh.name, form: "m, cl", sizes: all, code8: []byte{0xD2, modrmM(n)}, code: []byte{0xD3, modrmM(n)}, mem: 0, imm: -1})
		add(memForm{op: sh.name, form: "m, imm8", sizes: all, code8: []byte{0xC0, modrmM(n)}, code: []byte{0xC1, modrmM(n)}, mem: 0, imm: 2, immKind: immU8})
		add(memForm{op: sh.name, form: "m, 1", sizes: all, code8: []byte{0xD0, modrmM(n)}, code: []byte{0xD1, modrmM(n)}, mem: 0, imm: 2, immKind: immOne})
		add(memForm{op: sh.name, form: "r, imm8", sizes: all, code8: []byte{0xC0, modrmR(n)}, code: []byte{0xC1, modrmR(n)}, mem: -1, imm: 2, immKind: immU8})
		add(memForm{op: sh.name, form: "r, 1", sizes: all, code8: []byte{0xD0, modrmR(n)}, code: []byte{0xD1, modrmR(n)}, mem: -1, imm: 2, immKind: immOne})
	}
	for i, name := range []string{"SHLD", "SHRD"} {
		op := byte(0xA4 + 8*i)
		add(memForm{op: name, form: "m, r, cl", sizes: sizes16up, code: []byte{0x0F, op + 1, modrmM(EBX)}, mem: 0, imm: -1})
		add(memForm{op: name, form: "m, r, imm8", sizes: sizes16up, code: []byte{0x0F, op, modrmM(EBX)}, mem: 0, imm: 2, immKind: immU8})
		add(memForm{op: name, form: "r, r, imm8", sizes: sizes16up, code: []byte{0x0F, op, 0xD8}, mem: -1, imm: 2, immKind: immU8})
	}
	for i, name := range []string{"MUL", "IMUL", "DIV", "IDIV"} {
		n := byte(4 + i)
		add(memForm{op: name, form: "m", sizes: all, code8: []byte{0xF6, modrmM(n)}, code: []byte{0xF7, modrmM(n)}, mem: 1, imm: -1})
	}
	add(memForm{op: "IMUL2", form: "r, m", sizes: sizes16up, code: []byte{0x0F, 0xAF, modrmM(EAX)}, mem: 1, imm: -1})
	add(memForm{op: "IMUL2", form: "r, m, imm", sizes: sizes16up, code: []byte{0x69, modrmM(EAX)}, mem: 0, memToReg: true, imm: 1, immKind: immFull})
	add(memForm{op: "IMUL2", form: "r, m, imm8", sizes: sizes16up, code: []byte{0x6B, modrmM(EAX)}, mem: 0, memToReg: true, imm: 1, immKind: immS8})
	add(memForm{op: "IMUL2", form: "r, r, imm", sizes: sizes16up, code: []byte{0x69, 0xC0}, mem: -1, imm: 1, immKind: immFull})
	add(memForm{op: "IMUL2", form: "r, r, imm8", sizes: sizes16up, code: []byte{0x6B, 0xC0}, mem: -1, imm: 1, immKind: immS8})
	for i, name := range []string{"BT", "BTS", "BTR", "BTC"} {
		n := byte(4 + i)
		add(memForm{op: name, form: "m, r", sizes: sizes16up, code: []byte{0x0F, 0xA3 + byte(i)<<3, modrmM(EBX)}, mem: 0, imm: -1, offsetInOperand: true})
		add(memForm{op: name, form: "m, imm8", sizes: sizes16up, code: []byte{0x0F, 0xBA, modrmM(n)}, mem: 0, imm: 1, immKind: immU8})
		add(memForm{op: name, form: "r, imm8", sizes: sizes16up, code: []byte{0x0F, 0xBA, modrmR(n)}, mem: -1, imm: 1, immKind: immU8})
	}
	add(memForm{op: "BSF", form: "r, m", sizes: sizes16up, code: []byte{0x0F, 0xBC, modrmM(EAX)}, mem: 1, imm: -1})
	add(memForm{op: "BSR", form: "r, m", sizes: sizes16up, code: []byte{0x0F, 0xBD, modrmM(EAX)}, mem: 1, imm: -1})
	add(memForm{op: "XADD", form: "m, r", sizes: all, code8: []byte{0x0F, 0xC0, modrmM(EBX)}, code: []byte{0x0F, 0xC1, modrmM(EBX)}, mem: 0, imm: -1})
	add(memForm{op: "CMPXCHG", form: "m, r", sizes: all, code8: []byte{0x0F, 0xB0, modrmM(EBX)}, code: []byte{0x0F, 0xB1, modrmM(EBX)}, mem: 2, imm: -1})
	return fs
}

// immediate returns an immediate's encoded bytes and the value the host's
// register form sees for it.
func immediate(kind int, size uint8, g *diffGen) ([]byte, uint32) {
	switch kind {
	case immFull:
		v := g.value() & sizeMask(size)
		b := []byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)}
		return b[:size], v
	case immS8:
		v := byte(g.value())
		return []byte{v}, uint32(int32(int8(v)))
	case immU8:
		v := byte(g.count())
		return []byte{v}, uint32(v)
	case immOne:
		return nil, 1
	}
	return nil, 0
}

// memFormCases is the number of cases per form and size.
const memFormCases = 400

func TestDiffHostForms(t *testing.T) {
	ops := map[string]*diffOp{}
	for _, op := range diffOps() {
		key := fmt.Sprintf("%s%d", op.name, op.size*8)
		if op.key == fmt.Sprintf("IMUL2_%d", op.size*8) {
			key = fmt.Sprintf("IMUL2%d", op.size*8)
		}
		ops[key] = &op
	}
	for _, f := range memForms() {
		for _, size := range f.sizes {
			op := ops[fmt.Sprintf("%s%d", f.op, size*8)]
			if op == nil {
				t.Fatalf("no differential operation %s%d", f.op, size*8)
			}
			t.Run(fmt.Sprintf("%s %s/%d", f.op, f.form, size*8), func(t *testing.T) {
				t.Parallel()
				checkMemForm(t, &f, op, size)
			})
		}
	}
}

// checkMemForm runs the cases of one form at one size.
func checkMemForm(t *testing.T, f *memForm, op *diffOp, size uint8) {
	var d *diffCPU
	rng := rand.New(rand.NewSource(seedOf(f.op + f.form + op.key)))
	g := &diffGen{rng: rng, size: size}
	m := sizeMask(size)
	fails := 0
	for i := 0; i < memFormCases; i++ {
		k := g.random(op.kind)
		if f.offsetInOperand {
			k.b &= uint32(size)*8 - 1
		}
		immBytes, immVal := immediate(f.immKind, size, g)
		if f.imm >= 0 {
			setCaseReg(&k, f.imm, immVal)
		}
		undef, skip := op.undef(size, k)
		if skip || op.kind == dkDiv && divFaults(op.name == "IDIV", size, k) {
			continue
		}
		code := encode(size, f.code8, f.code)
		code = append(code, immBytes...)
		if d == nil {
			d = newDiffCPU(t, code)
		} else {
			d.setCode(code)
		}
		want, wantF := op.host(k)

		// The emulator's registers: those the memory operand and the
		// immediate stand for hold garbage, which must survive.
		in := k
		var garbage [4]uint32
		for r := range garbage {
			garbage[r] = rng.Uint32()
		}
		if f.mem >= 0 {
			setCaseReg(&in, f.mem, garbage[f.mem])
		}
		if f.imm >= 0 {
			setCaseReg(&in, f.imm, garbage[f.imm])
		}
		var guard [12]byte
		rng.Read(guard[:])
		copy(d.c.ram[memAddr-4:], guard[:])
		memIn := caseReg(k, max(f.mem, 0)) & m
		if f.mem >= 0 {
			for j := uint8(0); j < size; j++ {
				d.c.ram[memAddr+uint32(j)] = byte(memIn >> (8 * j))
			}
		}
		d.c.R[ESI] = memAddr
		got, gotF := d.run(t, in)

		// What to expect.
		exp := want
		expMem := memIn
		switch {
		case f.mem >= 0 && f.memToReg:
			// The register's bits above the operand size are the
			// emulator's, not the host's.
			exp[f.mem] = want[f.mem]&m | garbage[f.mem]&^m
		case f.mem >= 0:
			exp[f.mem] = garbage[f.mem]
			expMem = want[f.mem] & m
		}
		if f.imm >= 0 {
			exp[f.imm] = garbage[f.imm]
		}
		var gotMem uint32
		for j := uint8(0); j < size; j++ {
			gotMem |= uint32(d.c.ram[memAddr+uint32(j)]) << (8 * j)
		}
		guardOK := true
		for j, b := range guard {
			if a := memAddr - 4 + uint32(j); (a < memAddr || a >= memAddr+uint32(size) || f.mem < 0) && d.c.ram[a] != b {
				guardOK = false
			}
		}
		mask := flagsArith &^ undef
		if d.exc >= 0 || got != exp || gotF&mask != wantF&mask || f.mem >= 0 && gotMem != expMem || !guardOK {
			where := ""
			if f.mem >= 0 {
				where = fmt.Sprintf(" m=%#x", memIn)
			}
			t.Errorf("%s %s (%d-bit), %s%s: got %s m=%#x, want %s m=%#x (mask %#03x, exception %d, bytes around the operand intact: %v)",
				op.name, f.form, size*8, op.describe(k), where,
				formatResult(op.kind, got, exp, gotF), gotMem, formatResult(op.kind, exp, exp, wantF), expMem,
				mask, d.exc, guardOK)
			if fails++; fails >= 5 {
				t.Fatal("too many failures")
			}
		}
	}
}

// caseReg returns register r (0–3: EAX, EBX, ECX, EDX) of a case.
func caseReg(k diffCase, r int) uint32 {
	return [4]uint32{k.a, k.b, k.c, k.d}[r]
}

// setCaseReg sets register r of a case.
func setCaseReg(k *diffCase, r int, v uint32) {
	switch r {
	case 0:
		k.a = v
	case 1:
		k.b = v
	case 2:
		k.c = v
	default:
		k.d = v
	}
}
