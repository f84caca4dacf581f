//go:build ignore
/*
 * pic.c — the legacy 8259 pair as the firmware leaves it and as a kernel
 * without APIC support programs it: the masks and the bootstrap APIC's
 * LINT0/LINT1 set-up left by the firmware, then the PIT at 1 kHz on IRQ 0
 * through the remapped master 8259 and LINT0's virtual wire, with EOIs.
 */
#include "bare.h"

static volatile int ticks;
extern void pic_tick(void);
__asm__(".globl pic_tick\n"
	"pic_tick:\n"
	"	pushl %eax\n"
	"	incl ticks\n"
	"	movb $0x20, %al\n"
	"	outb %al, $0x20\n"	/* non-specific EOI */
	"	popl %eax\n"
	"	iret\n");

int main(uint32_t magic, void *info)
{
	volatile uint32_t *apic = (volatile uint32_t *)0xFEE00000;

	(void)magic;
	(void)info;
	idt_install_exception_handlers();
	printf("image pic\n");
	printf("firmware: imr %02x %02x, lint0 %08x, lint1 %08x, svr %08x\n",
	       inb(0x21), inb(0xA1), apic[0x350 / 4], apic[0x360 / 4], apic[0xF0 / 4]);

	idt_set_gate(0x20, pic_tick, IDT_INTERRUPT_GATE);
	outb(0x20, 0x11); outb(0xA0, 0x11);	/* ICW1: edge, cascade, ICW4 */
	outb(0x21, 0x20); outb(0xA1, 0x28);	/* ICW2: vectors 0x20, 0x28 */
	outb(0x21, 0x04); outb(0xA1, 0x02);	/* ICW3: slave on IRQ 2 */
	outb(0x21, 0x01); outb(0xA1, 0x01);	/* ICW4: 8086 mode */
	outb(0x21, 0xFE); outb(0xA1, 0xFF);	/* only IRQ 0 */
	printf("remapped: imr %02x %02x\n", inb(0x21), inb(0xA1));

	outb(0x43, 0x34);			/* PIT channel 0, mode 2 */
	outb(0x40, 1193 & 0xFF);
	outb(0x40, 1193 >> 8);
	__asm__ volatile("sti");
	while (ticks < 10)
		__asm__ volatile("hlt");
	__asm__ volatile("cli");
	printf("pit through the 8259: %s\n", ticks >= 10 ? "10 ticks" : "too few");

	outb(0x20, 0x0B);			/* OCW3: read ISR */
	printf("in service after EOI: %02x\n", inb(0x20));
	outb(0x21, 0xFF);
	printf("OK\n");
	return 0;
}
