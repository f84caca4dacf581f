package cpu

// This file tests real mode: a SIPI trampoline that switches to protected
// mode, the way back to real mode, segment arithmetic, far transfers, and
// interrupts through the IVT.

import "testing"

// trampoline is an AP start-up trampoline as SMP kernels write it: it runs
// at 0800:0000 (SIPI vector 8), loads a GDT, sets CR0.PE and jumps far to
// 32-bit code that reports on port 0x80 and halts.
const trampoline = `
	.code16
_start:
	cli
	mov %cs, %ax
	mov %ax, %ds
	lgdtl gdtdesc - _start
	mov %cr0, %eax
	or $1, %al
	mov %eax, %cr0
	ljmpl $0x08, $(0x8000 + pm - _start)
	.code32
pm:
	mov $0x10, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov $0x7000, %esp
	push $0x41
	pop %eax
	add %ebx, %eax
	out %al, $0x80
	hlt
	.p2align 3
gdt:
	.quad 0
	.quad 0x00CF9A000000FFFF
	.quad 0x00CF92000000FFFF
gdtdesc:
	.word gdtdesc - gdt - 1
	.long 0x8000 + gdt - _start
`

func TestSIPITrampoline(t *testing.T) {
	code := asm(t, trampoline)
	c, bus := newTestCPU(t, nil)
	copy(c.ram[0x8000:], code)
	for round := uint32(0); round < 2; round++ {
		// The second round runs the cached real-mode blocks again.
		c.INIT()
		if r := c.Run(c.Cycles + 100); r != StopWaitSIPI {
			t.Fatalf("after INIT: stop = %v, want wait for SIPI", r)
		}
		c.StartUp(8)
		c.R[EBX] = round
		if r := runToHalt(t, c, 10000); r != StopHalt {
			t.Fatalf("trampoline round %d: stop = %v\n%v", round, r, c.Fault)
		}
		if c.realMode || !c.mode32 || c.Seg[CS].Sel != 0x08 || c.Seg[SS].Sel != 0x10 || c.R[ESP] != 0x7000 {
			t.Errorf("trampoline round %d: %s, CS %#x SS %#x ESP %#x; want 32-bit protected mode, 0x08, 0x10, 0x7000", round, c.Mode(), c.Seg[CS].Sel, c.Seg[SS].Sel, c.R[ESP])
		}
		if c.GDTR.Base != 0x8000+0x38 || c.GDTR.Limit != 23 {
			t.Errorf("trampoline round %d: GDTR = %#x/%d, want %#x/23", round, c.GDTR.Base, c.GDTR.Limit, 0x8000+0x38)
		}
		if len(bus.out) != int(round)+1 || bus.out[round] != (portWrite{0x80, 1, 0x41 + round}) {
			t.Errorf("trampoline round %d: port writes %v, want {0x80 1 %#x} last", round, bus.out, 0x41+round)
		}
	}
}

func TestBackToRealMode(t *testing.T) {
	c, _ := newSysCPU(t, asm(t, `
	_start:
		ljmp $0x40, $(pm16 - _start)
		.code16
	pm16:
		mov $0x68, %ax
		mov %ax, %ds
		mov %ax, %ss
		mov %cr0, %eax
		and $0xfe, %al
		mov %eax, %cr0
		ljmp $0x1000, $(rm - _start)
	rm:
		mov $0x1234, %ax
		mov %ax, %ds
		movb $0x77, 0x10
		mov %cs, %bx
		hlt`))
	if r := runToHalt(t, c, 10000); r != StopHalt {
		t.Fatalf("stop = %v\n%v", r, c.Fault)
	}
	if !c.realMode || c.mode32 || c.Seg[CS].Base != 0x10000 || c.R[EBX]&0xFFFF != 0x1000 {
		t.Errorf("after clearing PE and JMP 1000:rm: %s, CS base %#x, BX %#x; want real mode, 0x10000, 0x1000", c.Mode(), c.Seg[CS].Base, c.R[EBX]&0xFFFF)
	}
	if c.ram[0x12350] != 0x77 {
		t.Errorf("real mode MOV BYTE [0x10], 0x77 with DS = 0x1234: linear 0x12350 = %#x, want 0x77", c.ram[0x12350])
	}
}

// newRealCPU returns a processor in real mode at 1000:0000 (linear
// testCodeBase) with SS:SP = 0000:7000.
func newRealCPU(t *testing.T, code []byte) (*CPU, *fakeBus) {
	t.Helper()
	c, bus := newTestCPU(t, code)
	c.Reset()
	c.loadRealSeg(CS, 0x1000)
	c.EIP = 0
	c.loadRealSeg(SS, 0)
	c.R[ESP] = 0x7000
	return c, bus
}

// setIVT points real-mode vector v at seg:off.
func setIVT(c *CPU, v uint8, seg, off uint16) {
	a := uint32(v) * 4
	c.ram[a], c.ram[a+1], c.ram[a+2], c.ram[a+3] = byte(off), byte(off>>8), byte(seg), byte(seg>>8)
}

func TestRealModeInterrupts(t *testing.T) {
	c, _ := newRealCPU(t, asm(t, `
		.code16
	_start:
		mov $0x11, %bl
		int $0x21
		mov %ax, %dx
		int $0x22
		ud2
		.org 0x40
	handler:
		pushf
		pop %cx
		mov %sp, %si
		mov $0x99, %ax
		iret
		.org 0x60
	ud:
		hlt`))
	setIVT(c, 0x21, 0x1000, 0x40)
	setIVT(c, excUD, 0x1000, 0x60)
	c.SetEFLAGS(FlagIF | FlagCF)
	var hooked bool
	c.SetKernel(kernelFunc(func(c *CPU, e Entry) {
		if e.Kind == EntrySoftware && e.Vector == 0x22 {
			hooked = true
			return
		}
		c.Deliver(e)
	}))
	if r := runToHalt(t, c, 10000); r != StopHalt {
		t.Fatalf("stop = %v\n%v", r, c.Fault)
	}
	if c.R[EDX]&0xFFFF != 0x99 || c.R[ESI]&0xFFFF != 0x7000-6 {
		t.Errorf("INT 0x21 through the IVT: DX = %#x, handler SP = %#x; want 0x99, %#x", c.R[EDX]&0xFFFF, c.R[ESI]&0xFFFF, 0x7000-6)
	}
	if c.R[ECX]&(FlagIF|FlagCF) != FlagCF {
		t.Errorf("in the INT 0x21 handler: FLAGS = %#x, want IF clear and CF kept", c.R[ECX]&0xFFFF)
	}
	if !hooked {
		t.Errorf("INT 0x22 in real mode was not taken by the kernel")
	}
	// UD2 raised #UD through the IVT: frame IP, CS, FLAGS (IF restored by IRET).
	if c.Seg[CS].Base+c.EIP != testCodeBase+0x61 {
		t.Fatalf("UD2 in real mode: halted at %#x, want in the #UD handler", c.Seg[CS].Base+c.EIP)
	}
	sp := c.R[ESP] & 0xFFFF
	ip, cs, fl := le16(c.ram[sp:]), le16(c.ram[sp+2:]), le16(c.ram[sp+4:])
	if ip != 0x08 || cs != 0x1000 || fl&FlagIF == 0 {
		t.Errorf("#UD frame in real mode: IP %#x CS %#x FLAGS %#x, want 0x08, 0x1000, IF set", ip, cs, fl)
	}
}

func le16(b []byte) uint32 { return uint32(b[0]) | uint32(b[1])<<8 }

func TestRealModeSegmentsAndFarCalls(t *testing.T) {
	c, _ := newRealCPU(t, asm(t, `
		.code16
	_start:
		mov $0x2000, %ax
		mov %ax, %es
		movw $0xbeef, %es:0x10
		movl $0x12345678, %es:0x20
		mov $0x30, %esi
		addr32 movl $0xcafe, %es:(%esi)
		lcall $0x1006, $0 # sub, at linear 0x10060
		mov %ax, %di
		les 0x40, %bx
		hlt
		.org 0x40
		.word 0x5678, 0x3000
		.org 0x60
	sub:
		mov %cs, %ax
		lret`))
	c.loadRealSeg(DS, 0x1000)
	if r := runToHalt(t, c, 10000); r != StopHalt {
		t.Fatalf("stop = %v\n%v", r, c.Fault)
	}
	if v := le16(c.ram[0x20010:]); v != 0xbeef {
		t.Errorf("MOV WORD ES:[0x10] with ES = 0x2000: linear 0x20010 = %#x, want 0xbeef", v)
	}
	if v := le32(c.ram[0x20020:]); v != 0x12345678 {
		t.Errorf("MOV DWORD (0x66) ES:[0x20]: %#x, want 0x12345678", v)
	}
	if v := le32(c.ram[0x20030:]); v != 0xcafe {
		t.Errorf("MOV DWORD ES:[ESI] (0x67): %#x, want 0xcafe", v)
	}
	if c.R[EDI]&0xFFFF != 0x1006 || c.R[ESP] != 0x7000 || c.Seg[CS].Sel != 0x1000 {
		t.Errorf("CALL FAR 1006:0000 and RETF: CS in the callee %#x, SP %#x, CS after %#x; want 0x1006, 0x7000, 0x1000", c.R[EDI]&0xFFFF, c.R[ESP], c.Seg[CS].Sel)
	}
	if c.R[EBX]&0xFFFF != 0x5678 || c.Seg[ES].Sel != 0x3000 || c.Seg[ES].Base != 0x30000 {
		t.Errorf("LES BX, [0x40]: BX %#x ES %#x base %#x, want 0x5678, 0x3000, 0x30000", c.R[EBX]&0xFFFF, c.Seg[ES].Sel, c.Seg[ES].Base)
	}
}

// TestFarCallSameOffsetOtherSegment calls far, from one call site, two
// routines (one twice) at the same offset in different segments: the block at the
// target must be the one for the current CS base.
func TestFarCallSameOffsetOtherSegment(t *testing.T) {
	c, _ := newRealCPU(t, asm(t, `
		.code16
	_start:
		mov $ptrs - _start, %si
		mov $3, %cx
	1:	lcall *(%si)
		add $4, %si
		loop 1b
		hlt
		.p2align 2
	ptrs:
		.word 0, 0x2000
		.word 0, 0x3000
		.word 0, 0x2000`))
	c.loadRealSeg(DS, 0x1000)
	copy(c.ram[0x20000:], []byte{0x40, 0xCB}) // inc ax; retf
	copy(c.ram[0x30000:], []byte{0x43, 0xCB}) // inc bx; retf
	if r := runToHalt(t, c, 10000); r != StopHalt {
		t.Fatalf("stop = %v\n%v", r, c.Fault)
	}
	if c.R[EAX]&0xFFFF != 2 || c.R[EBX]&0xFFFF != 1 {
		t.Errorf("CALL FAR 2000:0000, 3000:0000, 2000:0000 from one call site: AX = %d, BX = %d; want 2, 1", c.R[EAX]&0xFFFF, c.R[EBX]&0xFFFF)
	}
}
