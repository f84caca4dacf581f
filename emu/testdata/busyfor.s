# Assembled into busyfor.bin by: go generate ./emu
# The counterpart of delayloop.s: the kernel makes the processor busy for
# the cycles of the loop (1 + 2·EDI) at the first call.
	.code32
	mov $1, %eax
	int $0x80		# start: busy
	mov $2, %eax
	int $0x80		# end
