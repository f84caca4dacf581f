/*
 * smp_entry.S — the assembly half of smp.c: interrupt entry stubs for
 * vectors 32-255, and the real-mode trampoline an application processor
 * starts in after a start-up IPI.
 */
	.file	"smp_entry.S"

#define KERNEL_CS	0x08
#define KERNEL_DS	0x10
#define TRAMPOLINE_ADDR	0x8000	/* smp.h; the start-up IPI's vector is 0x08 */

/*
 * Interrupt stubs: one every 16 bytes from irq_stubs, for vector 32 at
 * irq_stubs, 33 at irq_stubs + 16, and so on (smp.c relies on the stride).
 * Each pushes its vector and joins irq_common, which saves the general
 * registers, calls irq_dispatch(struct irq_frame *) and returns with iret.
 */
	.section .text.irq_stubs, "ax"
	.p2align 4
	.globl	irq_stubs
irq_stubs:
	.set	vector, 32
	.rept	224
	.p2align 4
	pushl	$vector
	jmp	irq_common
	.set	vector, vector + 1
	.endr
	.p2align 4
	.globl	irq_stubs_end
irq_stubs_end:

irq_common:
	pushal
	cld
	pushl	%esp			/* struct irq_frame * */
	call	irq_dispatch
	addl	$4, %esp
	popal
	addl	$4, %esp		/* the vector */
	iret

/*
 * The trampoline. smp_start_ap copies trampoline_start..trampoline_end to
 * TRAMPOLINE_ADDR; a start-up IPI with vector 0x08 starts the processor
 * there in real mode with CS = 0x0800, IP = 0. It sets DS, notes CS, loads
 * a GDT that lies inside the copy, sets CR0.PE and far-jumps to
 * ap_protected_entry (linked at its own address in the image) with the flat
 * code selector. Everything in the copy is addressed relative to
 * trampoline_start, so it runs wherever it was copied to within the segment.
 */
	.section .rodata.trampoline, "a"
	.p2align 4
	.code16
	.globl	trampoline_start
trampoline_start:
	cli
	cld
	movw	%cs, %ax
	movw	%ax, %ds
	movw	%ax, trampoline_cs - trampoline_start
	lgdtl	trampoline_gdt_descriptor - trampoline_start
	movl	%cr0, %eax
	orl	$1, %eax		/* PE */
	movl	%eax, %cr0
	ljmpl	$KERNEL_CS, $ap_protected_entry

	.p2align 3
trampoline_gdt:
	.quad	0x0000000000000000	/* null */
	.quad	0x00CF9B000000FFFF	/* 0x08: code, base 0, limit 4 GiB, 32-bit */
	.quad	0x00CF93000000FFFF	/* 0x10: data, base 0, limit 4 GiB, 32-bit */
trampoline_gdt_end:
trampoline_gdt_descriptor:
	.word	trampoline_gdt_end - trampoline_gdt - 1
	.long	TRAMPOLINE_ADDR + trampoline_gdt - trampoline_start
trampoline_cs:
	.word	0
	.p2align 2
	.globl	trampoline_end
trampoline_end:

/*
 * 32-bit protected mode, still on the trampoline's GDT: load the data
 * segments, move to the image's own GDT (so nothing depends on the low
 * copy any more), take the stack smp_start_ap set up, record the start in
 * trampoline_report and go on in C (ap_boot in smp.c, which does not
 * return).
 */
	.section .text.ap_protected_entry, "ax"
	.code32
ap_protected_entry:
	movw	$KERNEL_DS, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %fs
	movw	%ax, %gs
	movw	%ax, %ss
	lgdt	smp_gdt_descriptor
	ljmp	$KERNEL_CS, $1f
1:	movl	ap_stack_top, %esp
	xorl	%ebp, %ebp
	pushl	$0x00000002		/* EFLAGS: IF = 0, DF = 0 */
	popfl
	lock incl trampoline_report	/* .entries */
	movzwl	TRAMPOLINE_ADDR + trampoline_cs - trampoline_start, %eax
	movl	%eax, trampoline_report + 4	/* .real_mode_cs */
	call	ap_boot
2:	cli
	hlt
	jmp	2b

	.section .note.GNU-stack, "", @progbits
