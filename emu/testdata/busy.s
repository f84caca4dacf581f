# Assembled into busy.bin by: go generate ./emu
# A compute loop for the busy-CPU benchmark: loads, ALU, stores and
# branches on the processor's own stack, so two processors running it
# share no data. Entered in flat 32-bit protected mode with ESP set.
	.code32
start:
	sub $64, %esp
	mov %esp, %esi
outer:
	mov $1000, %ecx
	xor %eax, %eax
1:	mov (%esi), %edx
	add %ecx, %eax
	xor %edx, %eax
	mov %eax, 4(%esi)
	movzbl 8(%esi), %ebx
	add %ebx, %eax
	shl $1, %edx
	mov %edx, (%esi)
	cmp $3, %ecx
	jne 2f
	inc %eax
2:	dec %ecx
	jnz 1b
	jmp outer
