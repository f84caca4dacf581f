# Assembled into selfipi.bin by: go generate ./emu
# Busy loop that interrupts itself with self-IPIs, for the test that
# others catch up before an interrupt is taken. Entered in flat 32-bit protected
# mode at 0x100000; ESP set by the test.
	.code32
	.org 0
	.include "setup.inc"
start:
	setup 0x40, handler
	sti
	# a self-IPI (shorthand self, fixed, vector 0x40) every few hundred cycles
1:	movl $0x40040, 0xFEE00300
	mov $100, %ecx
2:	dec %ecx
	jnz 2b
	jmp 1b
handler:
	incl ticks
	movl $0, 0xFEE000B0
	iret
ticks:	.long 0
	tables 0x40
