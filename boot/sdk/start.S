/*
 * start.S — entry point of a bare preemptlab image.
 *
 * A multiboot v1 loader (QEMU's -kernel, or preemptlab's boot package)
 * enters _start in 32-bit protected mode with EAX = 0x2BADB002, EBX = the
 * physical address of the multiboot information structure, CS/DS flat,
 * paging off and interrupts disabled. Neither the GDT nor the IDT nor ESP is
 * defined, so _start:
 *
 *   1. switches to a 64 KiB stack in .bss and clears .bss;
 *   2. loads its own flat GDT (code 0x08, data 0x10), reloads CS with a far
 *      jump and every data segment register;
 *   3. initialises the COM1 serial port (serial_init in bare.c);
 *   4. calls main(magic, info);
 *   5. passes main's return value to QEMU's isa-debug-exit device (port
 *      0xF4: writing v ends the emulator with status (v << 1) | 1), and
 *      halts with interrupts off if no such device is there.
 *
 * It also holds the assembly half of the default exception handlers that
 * idt_install_exception_handlers() (bare.c) installs.
 */

/* Name the file symbol explicitly: when gcc assembles a .S through a
 * temporary file, the symbol would otherwise carry the temporary's random
 * name and the build would not be reproducible. */
	.file	"start.S"

#define MULTIBOOT_MAGIC		0x1BADB002
/* Flags: bit 0 = align modules on 4 KiB pages, bit 1 = provide memory
 * information (mem_lower/mem_upper and the memory map). The image is an ELF
 * file, so bit 16 (load addresses in the header) stays clear: the loader uses
 * the program headers. */
#define MULTIBOOT_FLAGS		0x00000003

#define KERNEL_CS		0x08
#define KERNEL_DS		0x10
#define STACK_SIZE		0x10000
#define DEBUG_EXIT_PORT		0xF4

/* The multiboot header must lie 4-byte aligned within the first 8 KiB of
 * the file; link.ld places this section first. */
	.section .multiboot, "a"
	.p2align 2
	.long	MULTIBOOT_MAGIC
	.long	MULTIBOOT_FLAGS
	.long	-(MULTIBOOT_MAGIC + MULTIBOOT_FLAGS)

	.section .text._start, "ax"
	.globl	_start
	.type	_start, @function
_start:
	cli
	cld
	movl	%eax, %esi		/* multiboot magic */
	movl	%ebx, %ebp		/* multiboot info */

	/* Clear .bss (which holds the stack) before anything uses it. */
	movl	$__bss_start, %edi
	movl	$__bss_end, %ecx
	subl	%edi, %ecx
	shrl	$2, %ecx		/* link.ld keeps .bss 4-byte aligned */
	xorl	%eax, %eax
	rep stosl
	movl	%ebp, %edi		/* ESI and EDI are callee-saved: they */
					/* survive serial_init for main */

	lgdt	gdt_descriptor
	ljmp	$KERNEL_CS, $1f
1:	movw	$KERNEL_DS, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %fs
	movw	%ax, %gs
	movw	%ax, %ss
	movl	$stack_top, %esp
	xorl	%ebp, %ebp		/* end of the frame-pointer chain */
	pushl	$0x00000002		/* EFLAGS: only the reserved bit 1 */
	popfl

	call	serial_init

	pushl	%edi			/* info */
	pushl	%esi			/* magic */
	call	main
	addl	$8, %esp

	outb	%al, $DEBUG_EXIT_PORT	/* exits QEMU with status (al << 1) | 1 */
2:	cli
	hlt
	jmp	2b
	.size	_start, . - _start

/*
 * Default exception handlers. Every stub leaves the same frame — vector,
 * error code (0 when the CPU pushes none), then what the CPU pushed — and
 * jumps to exception_common, which saves the general registers with pushal
 * and calls bare_exception(struct trap_frame *) in bare.c. That function
 * prints the frame and exits; it does not return.
 */
.macro EXCEPTION_NOERR vector
exception_stub_\vector:
	pushl	$0
	pushl	$\vector
	jmp	exception_common
.endm

.macro EXCEPTION_ERR vector
exception_stub_\vector:
	pushl	$\vector
	jmp	exception_common
.endm

	.section .text.exceptions, "ax"
	EXCEPTION_NOERR 0	/* #DE divide error */
	EXCEPTION_NOERR 1	/* #DB debug */
	EXCEPTION_NOERR 2	/* NMI */
	EXCEPTION_NOERR 3	/* #BP breakpoint */
	EXCEPTION_NOERR 4	/* #OF overflow */
	EXCEPTION_NOERR 5	/* #BR bound range */
	EXCEPTION_NOERR 6	/* #UD invalid opcode */
	EXCEPTION_NOERR 7	/* #NM device not available */
	EXCEPTION_ERR   8	/* #DF double fault */
	EXCEPTION_NOERR 9	/* coprocessor segment overrun */
	EXCEPTION_ERR   10	/* #TS invalid TSS */
	EXCEPTION_ERR   11	/* #NP segment not present */
	EXCEPTION_ERR   12	/* #SS stack fault */
	EXCEPTION_ERR   13	/* #GP general protection */
	EXCEPTION_ERR   14	/* #PF page fault */
	EXCEPTION_NOERR 15	/* reserved */
	EXCEPTION_NOERR 16	/* #MF x87 error */
	EXCEPTION_ERR   17	/* #AC alignment check */
	EXCEPTION_NOERR 18	/* #MC machine check */
	EXCEPTION_NOERR 19	/* #XM SIMD error */
	EXCEPTION_NOERR 20	/* #VE virtualisation */
	EXCEPTION_ERR   21	/* #CP control protection */
	EXCEPTION_NOERR 22
	EXCEPTION_NOERR 23
	EXCEPTION_NOERR 24
	EXCEPTION_NOERR 25
	EXCEPTION_NOERR 26
	EXCEPTION_NOERR 27
	EXCEPTION_NOERR 28
	EXCEPTION_NOERR 29
	EXCEPTION_NOERR 30
	EXCEPTION_NOERR 31

exception_common:
	pushal
	movw	$KERNEL_DS, %ax		/* the faulting code may have changed DS */
	movw	%ax, %ds
	movw	%ax, %es
	cld
	pushl	%esp			/* struct trap_frame * */
	call	bare_exception
3:	cli
	hlt
	jmp	3b

/* Addresses of the 32 stubs, in vector order, for bare.c. */
	.section .rodata.exception_stubs, "a"
	.p2align 2
	.globl	exception_stubs
exception_stubs:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.long	exception_stub_\v
	.endr
	.size	exception_stubs, . - exception_stubs

/*
 * The GDT: a null descriptor, then flat 4 GiB ring-0 code and data. The
 * access bytes (0x9B, 0x93) already have the "accessed" bit set, so loading
 * a selector never makes the CPU write to the table.
 */
	.section .rodata.gdt, "a"
	.p2align 3
gdt:
	.quad	0x0000000000000000	/* 0x00: null */
	.quad	0x00CF9B000000FFFF	/* 0x08: code, base 0, limit 4 GiB, 32-bit */
	.quad	0x00CF93000000FFFF	/* 0x10: data, base 0, limit 4 GiB, 32-bit */
gdt_end:

	.p2align 2
gdt_descriptor:
	.word	gdt_end - gdt - 1
	.long	gdt

	.section .bss.stack, "aw", @nobits
	.p2align 4
stack_bottom:
	.skip	STACK_SIZE
stack_top:

	.section .note.GNU-stack, "", @progbits
