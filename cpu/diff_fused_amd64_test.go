package cpu

// This file checks the fused flag-setter and conditional branch against
// the host processor: compiled code's commonest pair runs as one entry,
// and the block loop evaluates its condition inline, apart from cond (see
// dispatch.go). Every condition after every fused form, at the sizes the
// block loop handles, must branch as the host's flags say.

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// fusedConds are the Jcc mnemonics in encoding order (condition n is bit
// n of the mask the test program builds).
var fusedConds = []string{"o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"}

// hostCond evaluates condition n on EFLAGS f as the SDM defines it.
func hostCond(n int, f uint64) bool {
	cf, pf, zf, sf, of := f&FlagCF != 0, f&FlagPF != 0, f&FlagZF != 0, f&FlagSF != 0, f&FlagOF != 0
	var r bool
	switch n >> 1 {
	case 0:
		r = of
	case 1:
		r = cf
	case 2:
		r = zf
	case 3:
		r = cf || zf
	case 4:
		r = sf
	case 5:
		r = pf
	case 6:
		r = sf != of
	case 7:
		r = zf || sf != of
	}
	return r != (n&1 != 0)
}

// TestDiffHostFusedBranch runs, for each fused form, a program that sets
// the flags by it and then tries every condition — a superblock of
// compare-and-branch exits — and checks the mask of the branches taken
// against the host's flags after the same operation, over edge and
// random operands. For INC and DEC the carry comes from a compare before
// them, as compiled loops have it.
func TestDiffHostFusedBranch(t *testing.T) {
	edge := []uint32{0, 1, 2, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0x80000001, 0xFFFFFFFE, 0xFFFFFFFF, 0x12345678}
	rng := rand.New(rand.NewSource(9))
	var pairs [][2]uint32
	for _, a := range edge {
		for _, b := range edge {
			pairs = append(pairs, [2]uint32{a, b})
		}
	}
	for range 300 {
		pairs = append(pairs, [2]uint32{rng.Uint32(), rng.Uint32()})
	}
	type form struct {
		name, insn string
		host       hostFunc
		imm        bool // the second operand is an immediate: one program per value
	}
	forms := []form{
		{"CMP32 r,r", "cmpl %ebx, %eax", hostCMP32, false},
		{"CMP16 r,r", "cmpw %bx, %ax", hostCMP16, false},
		{"CMP8 r,r", "cmpb %bl, %al", hostCMP8, false},
		{"CMP32 r,imm", "cmpl $%d, %%eax", hostCMP32, true},
		{"TEST32 r,r", "testl %ebx, %eax", hostTEST32, false},
		{"ADD32 r,r", "addl %ebx, %eax", hostADD32, false},
		{"SUB32 r,r", "subl %ebx, %eax", hostSUB32, false},
		{"ADD32 r,imm", "addl $%d, %%eax", hostADD32, true},
		{"SUB32 r,imm", "subl $%d, %%eax", hostSUB32, true},
		{"AND32 r,imm", "andl $%d, %%eax", hostAND32, true},
		{"INC32", "incl %eax", hostINC32, false},
		{"DEC32", "decl %eax", hostDEC32, false},
	}
	program := func(insn string) []byte {
		var b strings.Builder
		b.WriteString("xor %edx, %edx\n")
		for n, cc := range fusedConds {
			// ESI is the first operand; EBP < EDI sets the carry INC and
			// DEC keep.
			fmt.Fprintf(&b, "mov %%esi, %%eax\ncmp %%edi, %%ebp\n%s\nj%s 1f\njmp 2f\n1:\nor $%d, %%edx\n2:\n", insn, cc, 1<<n)
		}
		b.WriteString("hlt")
		return asm(t, b.String())
	}
	for _, f := range forms {
		t.Run(f.name, func(t *testing.T) {
			var imms []uint32
			if f.imm {
				imms = edge
			} else {
				imms = []uint32{0}
			}
			for _, imm := range imms {
				insn := f.insn
				if f.imm {
					insn = fmt.Sprintf(f.insn, int32(imm))
				}
				c, _ := newTestCPU(t, program(insn))
				for i, p := range pairs {
					a, b := p[0], p[1]
					if f.imm {
						b = imm
					}
					carry := uint32(i & 1)
					c.R[ESI], c.R[EBX], c.R[EDI], c.R[EBP] = a, b, carry, 0
					c.EIP, c.halted = testCodeBase, false
					if r := c.Run(c.Cycles + 10_000); r != StopHalt {
						t.Fatalf("%s: stopped with %v at EIP %#x", insn, r, c.EIP)
					}
					_, _, _, _, hf := f.host(uint64(a), uint64(b), 0, 0, uint64(flagsFixed|carry))
					var want uint32
					for n := range fusedConds {
						if hostCond(n, hf) {
							want |= 1 << n
						}
					}
					if got := c.R[EDX]; got != want {
						t.Fatalf("%s with %#x, %#x (CF in %d): branches taken %016b, the host's flags say %016b", insn, a, b, carry, got, want)
					}
				}
			}
		})
	}
}
