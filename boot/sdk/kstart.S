/*
 * kstart.S — entry point of a kernel image (an image written against
 * preemptlab.h).
 *
 * A multiboot v1 loader enters _start in 32-bit protected mode with
 * EAX = 0x2BADB002, EBX = the multiboot information, interrupts off. The
 * code sets up a stack and a flat GDT, clears .bss and calls
 * main(magic, info), which registers the image's parts and calls
 * start_kernel(); should main return, the run ends with kernel_exit(its
 * value).
 *
 * The section .preemptlab_abi marks the image as one for the kernel:
 * preemptlab hosts its kernel only for images that carry it, so bare
 * images keep running as on hardware.
 */
	.file	"kstart.S"

#include "preemptlab_abi.h"

#define MULTIBOOT_MAGIC		0x1BADB002
#define MULTIBOOT_FLAGS		0x00000003
#define KERNEL_CS		0x08
#define KERNEL_DS		0x10
#define STACK_SIZE		0x4000

	.section .multiboot, "a"
	.p2align 2
	.long	MULTIBOOT_MAGIC
	.long	MULTIBOOT_FLAGS
	.long	-(MULTIBOOT_MAGIC + MULTIBOOT_FLAGS)

/* The ABI marker: magic "PLAB", then the ABI version. */
	.section .preemptlab_abi, "a"
	.p2align 2
	.ascii	"PLAB"
	.long	1

	.section .text._start, "ax"
	.globl	_start
	.type	_start, @function
_start:
	cli
	cld
	movl	%eax, %esi		/* multiboot magic */
	movl	%ebx, %ebp		/* multiboot info */
	movl	$__bss_start, %edi
	movl	$__bss_end, %ecx
	subl	%edi, %ecx
	shrl	$2, %ecx
	xorl	%eax, %eax
	rep stosl
	lgdt	gdt_descriptor
	ljmp	$KERNEL_CS, $1f
1:	movw	$KERNEL_DS, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %fs
	movw	%ax, %gs
	movw	%ax, %ss
	movl	$stack_top, %esp
	xorl	%eax, %eax
	pushl	%eax			/* end of the frame-pointer chain */
	movl	%esp, %eax
	andl	$-16, %esp		/* the i386 ABI's 16-byte alignment */
	subl	$8, %esp
	pushl	%ebp			/* info */
	pushl	%esi			/* magic */
	xorl	%ebp, %ebp
	call	main
	movl	%eax, %ebx		/* main returned: kernel_exit(its value) */
	movl	$__PL_kernel_exit, %eax
	int	$0x80
2:	hlt
	jmp	2b
	.size	_start, . - _start

	.section .rodata.gdt, "a"
	.p2align 3
gdt:
	.quad	0x0000000000000000
	.quad	0x00CF9B000000FFFF	/* 0x08: code, flat, 32-bit */
	.quad	0x00CF93000000FFFF	/* 0x10: data, flat */
gdt_end:
	.p2align 2
gdt_descriptor:
	.word	gdt_end - gdt - 1
	.long	gdt

	.section .bss.stack, "aw", @nobits
	.p2align 4
	.skip	STACK_SIZE
stack_top:

	.section .note.GNU-stack, "", @progbits
