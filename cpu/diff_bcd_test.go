//go:build linux && (amd64 || 386)

package cpu

// This file tests the decimal adjustments (DAA, DAS, AAA, AAS, AAM, AAD)
// against the host processor. They do not exist in 64-bit mode, so a small
// static 32-bit Linux program (assembled with GNU as) executes them: it
// reads 8-byte records (operation, immediate, AX, EFLAGS) from stdin,
// executes each operation and writes the records back with AX and EFLAGS
// replaced. The test is skipped when binutils is missing or the kernel
// cannot run 32-bit programs.

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// bcdHelperSource is the 32-bit host program.
const bcdHelperSource = `
	.text
	.globl _start
_start:
	mov $buf, %esi
1:	mov $3, %eax		# read(0, esi, bufend - esi)
	xor %ebx, %ebx
	mov %esi, %ecx
	mov $bufend, %edx
	sub %esi, %edx
	int $0x80
	test %eax, %eax
	jle 2f
	add %eax, %esi
	jmp 1b
2:	mov %esi, %ebp		# end of the records
	mov $buf, %esi
3:	cmp %ebp, %esi
	jae 4f
	movzbl (%esi), %edi
	movzbl 1(%esi), %ecx
	movzwl 2(%esi), %eax
	pushl 4(%esi)
	popfl
	call *ops(,%edi,4)
	pushfl
	popl 4(%esi)
	mov %ax, 2(%esi)
	add $8, %esi
	jmp 3b
4:	mov $buf, %esi		# write(1, esi, ebp - esi)
5:	cmp %ebp, %esi
	jae 6f
	mov $4, %eax
	mov $1, %ebx
	mov %esi, %ecx
	mov %ebp, %edx
	sub %esi, %edx
	int $0x80
	test %eax, %eax
	jle 7f
	add %eax, %esi
	jmp 5b
6:	mov $1, %eax		# exit(0)
	xor %ebx, %ebx
	int $0x80
7:	mov $1, %eax		# exit(1)
	mov $1, %ebx
	int $0x80

op_daa:	daa
	ret
op_das:	das
	ret
op_aaa:	aaa
	ret
op_aas:	aas
	ret
op_aam:	lea aam_table(,%ecx,4), %edx
	jmp *%edx
op_aad:	lea aad_table(,%ecx,4), %edx
	jmp *%edx

	.balign 4
aam_table:
	.set k, 0
	.rept 256
	aam $k
	ret
	nop
	.set k, k+1
	.endr
aad_table:
	.set k, 0
	.rept 256
	aad $k
	ret
	nop
	.set k, k+1
	.endr

	.data
	.balign 4
ops:	.long op_daa, op_das, op_aaa, op_aas, op_aam, op_aad

	.bss
	.balign 4
buf:	.space 4194304
bufend:
`

// bcdOps are the operations in the helper's order, with the flags the SDM
// leaves undefined for each.
var bcdOps = []struct {
	name  string
	undef uint32
}{
	{"DAA", FlagOF},
	{"DAS", FlagOF},
	{"AAA", FlagOF | FlagSF | FlagZF | FlagPF},
	{"AAS", FlagOF | FlagSF | FlagZF | FlagPF},
	{"AAM", FlagOF | FlagAF | FlagCF},
	{"AAD", FlagOF | FlagAF | FlagCF},
}

// bcdRecord is one case: operation, immediate (AAM, AAD), AX and EFLAGS.
type bcdRecord struct {
	op, imm uint8
	ax      uint16
	flags   uint32
}

// bcdHelper builds the helper program, or skips the test (fails it under
// CI) when binutils cannot.
func bcdHelper(t *testing.T) string {
	for _, tool := range []string{"as", "ld"} {
		if _, err := exec.LookPath(tool); err != nil {
			missingTool(t, "GNU "+tool, "binutils", err)
		}
	}
	dir := t.TempDir()
	src, obj, bin := filepath.Join(dir, "bcd.s"), filepath.Join(dir, "bcd.o"), filepath.Join(dir, "bcd")
	if err := os.WriteFile(src, []byte(bcdHelperSource), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"as", "--32", "-o", obj, src}, {"ld", "-m", "elf_i386", "-static", "-o", bin, obj}} {
		if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			missingTool(t, args[0]+" for 32-bit x86", "binutils", fmt.Errorf("%v: %s", err, bytes.TrimSpace(out)))
		}
	}
	return bin
}

// bcdCases lists the cases: every AL with every CF/AF combination for
// DAA, DAS, AAA, AAS (and several AH), every AL with every non-zero base
// for AAM, and every AX with a set of bases for AAD.
func bcdCases(rng *rand.Rand) []bcdRecord {
	var rs []bcdRecord
	randFlags := func() uint32 { return rng.Uint32()&flagsArith | flagsFixed }
	for op := uint8(0); op < 4; op++ {
		for al := 0; al < 256; al++ {
			for _, ah := range []int{0, 5, 9, 0x7F, 0x80, 0xFF, rng.Intn(256)} {
				for cfaf := 0; cfaf < 4; cfaf++ {
					f := randFlags() &^ (FlagCF | FlagAF)
					if cfaf&1 != 0 {
						f |= FlagCF
					}
					if cfaf&2 != 0 {
						f |= FlagAF
					}
					rs = append(rs, bcdRecord{op: op, ax: uint16(ah<<8 | al), flags: f})
				}
			}
		}
	}
	for imm := 1; imm < 256; imm++ {
		for al := 0; al < 256; al++ {
			rs = append(rs, bcdRecord{op: 4, imm: uint8(imm), ax: uint16(rng.Intn(256)<<8 | al), flags: randFlags()})
		}
	}
	for _, imm := range []int{0, 1, 2, 7, 10, 16, 0x7F, 0x80, 0xFF, rng.Intn(256)} {
		for ax := 0; ax < 0x10000; ax += 1 + rng.Intn(4) {
			rs = append(rs, bcdRecord{op: 5, imm: uint8(imm), ax: uint16(ax), flags: randFlags()})
		}
	}
	return rs
}

// bcdCode is the emulator's code: DAA, DAS, AAA, AAS each followed by HLT
// at offsets 0, 4, 8, 12; AAM n; HLT at 0x100 + 4n and AAD n; HLT at
// 0x600 + 4n.
func bcdCode() []byte {
	code := make([]byte, 0xA00)
	for i, op := range []byte{0x27, 0x2F, 0x37, 0x3F} {
		copy(code[4*i:], []byte{op, 0xF4})
	}
	for n := 0; n < 256; n++ {
		copy(code[0x100+4*n:], []byte{0xD4, byte(n), 0xF4})
		copy(code[0x600+4*n:], []byte{0xD5, byte(n), 0xF4})
	}
	return code
}

// bcdOffset returns where a record's instruction is in bcdCode.
func bcdOffset(r bcdRecord) uint32 {
	switch r.op {
	case 4:
		return 0x100 + 4*uint32(r.imm)
	case 5:
		return 0x600 + 4*uint32(r.imm)
	}
	return 4 * uint32(r.op)
}

func TestDiffHostBCD(t *testing.T) {
	bin := bcdHelper(t)
	rng := rand.New(rand.NewSource(seedOf("BCD")))
	recs := bcdCases(rng)
	in := make([]byte, 0, 8*len(recs))
	for _, r := range recs {
		in = append(in, r.op, r.imm)
		in = binary.LittleEndian.AppendUint16(in, r.ax)
		in = binary.LittleEndian.AppendUint32(in, r.flags)
	}
	cmd := exec.Command(bin)
	cmd.Stdin = bytes.NewReader(in)
	out, err := cmd.Output()
	if err != nil {
		t.Skipf("the 32-bit helper does not run here: %v", err)
	}
	if len(out) != 8*len(recs) {
		t.Fatalf("helper returned %d bytes, want %d", len(out), 8*len(recs))
	}
	d := newDiffCPU(t, bcdCode())
	fails := 0
	for i, r := range recs {
		want := bcdRecord{ax: binary.LittleEndian.Uint16(out[8*i+2:]), flags: binary.LittleEndian.Uint32(out[8*i+4:])}
		upper := rng.Uint32() &^ 0xFFFF
		got, gotF := d.runAt(t, testCodeBase+bcdOffset(r), diffCase{a: upper | uint32(r.ax), b: 1, c: 2, d: 3, f: r.flags & flagsArith})
		mask := flagsArith &^ bcdOps[r.op].undef
		wantF := want.flags & flagsArith
		name := bcdOps[r.op].name
		if r.op >= 4 {
			name += fmt.Sprintf(" %d", r.imm)
		}
		if d.exc >= 0 || got != [4]uint32{upper | uint32(want.ax), 1, 2, 3} || gotF&mask != wantF&mask {
			t.Errorf("%s AX=%#04x, flags in %#03x: got AX %#04x flags %#03x, want AX %#04x flags %#03x (mask %#03x, exception %d)",
				name, r.ax, r.flags&flagsArith, got[0]&0xFFFF, gotF, want.ax, wantF, mask, d.exc)
			if fails++; fails >= 20 {
				t.Fatal("too many failures")
			}
		}
	}
	t.Logf("%d cases", len(recs))
}
