# Assembled into waitresume.bin by: go generate ./emu
# Processor 0 waits for the kernel at its first call (cpu.Wait) and makes
# a second call once resumed; processor 1 loops EDI times, then asks the
# kernel to resume processor 0, then halts.
	.code32
cpu0:
	mov $3, %eax
	int $0x80		# wait
	mov $2, %eax
	int $0x80		# end
cpu1:
	mov %edi, %ecx
1:	dec %ecx
	jnz 1b
	mov $4, %eax
	int $0x80		# resume processor 0
2:	hlt
	jmp 2b
