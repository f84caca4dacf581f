# Assembled into traffic.bin by: go generate ./emu
# Takes the traffic device's level-triggered interrupts through the
# IO-APIC (pin 11, vector 0x41, to CPU 0): the handler acknowledges every
# pending interrupt at port 0x300, counts them, and sends EOI, which
# clears the pin's remote IRR. Entered in flat 32-bit protected mode.
	.code32
	.include "setup.inc"
start:
	jmp begin
	.align 4
count:	.long 0				# interrupts taken: the dword at offset 4
begin:
	setup 0x41, handler
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
	tables 0x41
