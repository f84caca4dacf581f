# Assembled into idle.bin by: go generate ./emu
# Idle loop with a 1 kHz local APIC timer, for the idle fast-forward
# benchmark. Entered in flat 32-bit protected mode at 0x100000; it loads
# its own GDT and IDT (setup.inc); ESP set by the benchmark.
	.code32
	.org 0
	.include "setup.inc"
start:
	setup 0x40, handler
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
ticks:	.long 0
	tables 0x40
