# Assembled into traffic.bin by: go generate ./emu
# Takes the traffic device's level-triggered interrupts through the
# IO-APIC (pin 11, vector 0x41, to CPU 0): the handler acknowledges every
# pending interrupt at port 0x300, counts them, and sends EOI, which
# clears the pin's remote IRR. Entered in flat 32-bit protected mode.
	.code32
start:
	jmp begin
	.align 4
count:	.long 0				# interrupts taken: the dword at offset 4
begin:
	lgdt gdtr
	lidt idtr
	mov $0xFF, %al			# mask the 8259s, as every APIC kernel does
	out %al, $0x21
	out %al, $0xA1
	mov $handler, %eax
	mov %ax, idt+0x41*8
	movw $0x08, idt+0x41*8+2
	movw $0x8E00, idt+0x41*8+4
	shr $16, %eax
	mov %ax, idt+0x41*8+6
	movl $0x1FF, 0xFEE000F0		# local APIC on, spurious vector 0xFF
	movl $0x10+2*11+1, 0xFEC00000	# redirection entry 11, high dword
	movl $0, 0xFEC00010		# destination APIC 0
	movl $0x10+2*11, 0xFEC00000	# low dword
	movl $0x8041, 0xFEC00010	# level, active high, fixed, vector 0x41
	sti
1:	hlt
	jmp 1b
handler:
	push %eax
	push %edx
	mov $0x300, %dx
2:	in %dx, %eax			# pending interrupts
	test %eax, %eax
	jz 3f
	out %eax, %dx			# acknowledge one
	incl count
	jmp 2b
3:	movl $0, 0xFEE000B0		# EOI: broadcast to the IO-APIC (level)
	pop %edx
	pop %eax
	iret
	.align 8
gdt:	.quad 0
	.quad 0x00CF9A000000FFFF
	.quad 0x00CF92000000FFFF
gdtr:	.word 3*8-1
	.long gdt
idtr:	.word 0x42*8-1
	.long idt
	.align 8
idt:	.fill 0x42*8, 1, 0
