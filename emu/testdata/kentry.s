# Assembled into kentry.bin by: go generate ./emu
# A loop of EDX iterations between system calls (INT 0x80), so that the
# calls fall at different points of the processors' quanta, for the test
# that others catch up before a kernel entry.
	.code32
start:
	mov %edx, %ecx
1:	add $1, %eax
	add $2, %ebx
	dec %ecx
	jnz 1b
	int $0x80
	jmp start
