# Assembled into delayloop.bin by: go generate ./emu
# An executed delay loop of EDI iterations of two one-cycle instructions
# between two kernel calls, for the test that a busy stretch (cpu.Busy)
# is cycle-identical to it; busyfor.s is its counterpart.
	.code32
	mov $1, %eax
	int $0x80		# start
	mov %edi, %ecx		# 1 cycle
1:	dec %ecx		# 2 cycles an iteration, a boundary every cycle
	jnz 1b
	mov $2, %eax
	int $0x80		# end
