# Assembled into idle.bin by: go generate ./emu
# Idle loop with a 1 kHz local APIC timer, for the idle fast-forward
# benchmark. Entered in flat 32-bit protected mode at 0x100000 with the
# GDT of SetProtectedFlat; ESP set by the benchmark.
	.code32
	.org 0
start:
	lgdt gdtr
	lidt idtr
	mov $0xFF, %al			# mask the 8259s, as every APIC kernel does
	out %al, $0x21
	out %al, $0xA1
	# IDT entry 0x40 -> handler (interrupt gate, selector 0x08)
	mov $handler, %eax
	mov %ax, idt+0x40*8
	movw $0x08, idt+0x40*8+2
	movw $0x8E00, idt+0x40*8+4
	shr $16, %eax
	mov %ax, idt+0x40*8+6
	# enable the local APIC: SVR = 0x1FF
	movl $0x1FF, 0xFEE000F0
	# divide by 1, periodic timer vector 0x40, initial count = 1 ms of 1 GHz bus
	movl $0xB, 0xFEE003E0
	movl $0x20040, 0xFEE00320
	movl $1000000, 0xFEE00380
	sti
1:	hlt
	jmp 1b
handler:
	incl ticks
	movl $0, 0xFEE000B0
	iret
	.align 8
gdt:	.quad 0
	.quad 0x00CF9A000000FFFF	# 0x08 flat code
	.quad 0x00CF92000000FFFF	# 0x10 flat data
gdtr:	.word 3*8-1
	.long gdt
idtr:	.word 0x41*8-1
	.long idt
ticks:	.long 0
	.align 8
idt:	.fill 0x41*8, 1, 0
