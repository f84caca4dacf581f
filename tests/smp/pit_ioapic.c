/*
 * pit_ioapic — the 8254 PIT's channel 0 through the IO-APIC to CPU 0.
 *
 * On a PC, ISA IRQ 0 (the PIT) reaches IO-APIC pin 2 (the MADT's interrupt
 * source override). The image reads the IO-APIC's version register (24
 * redirection entries: the highest is 23), points pin 2 at vector 0x30
 * (fixed, physical destination APIC 0, edge, active high, unmasked),
 * enables the local APIC, programs channel 0 for mode 2 at about 1 kHz and
 * counts 10 interrupts with sti, sending EOI for each; the tenth handler
 * masks the pin. It then checks that no further interrupt arrives within
 * 5 ms (but one that was already requested in the local APIC when the
 * pin was masked, which happens when QEMU's host is slow), and reads
 * channel 0 back (a latched count and the read-back status).
 * Only counts and states are printed, never times.
 */
#include "smp.h"

#define PIT_PIN		2
#define PIT_VECTOR	0x30
#define PIT_COUNT	1193	/* 1193182 Hz / 1193 = 1000.15 Hz */
#define WANTED		10

static volatile uint32_t ticks, wrong_vector, wrong_cpu, not_in_service;
static volatile uint32_t interrupts_were_on, pending_at_mask;

static void pit_interrupt(struct irq_frame *f)
{
	if (f->vector != PIT_VECTOR)
		wrong_vector++;
	if (lapic_id() != 0)
		wrong_cpu++;
	if (!lapic_bit(LAPIC_ISR, PIT_VECTOR))
		not_in_service++;
	if (read_eflags() & 0x200)
		interrupts_were_on++;	/* an interrupt gate clears IF */
	if (++ticks == WANTED) {
		ioapic_set_entry(PIT_PIN, IOAPIC_MASKED | PIT_VECTOR, 0);
		/* If this handler came more than a PIT period late, the next
		 * interrupt is already requested and still comes. */
		pending_at_mask = lapic_bit(LAPIC_IRR, PIT_VECTOR);
	}
	lapic_eoi();
}

static void pit_channel0_rate(uint16_t count)
{
	outb(0x43, 0x34);		/* channel 0, lobyte/hibyte, mode 2 */
	outb(0x40, count & 0xFF);
	outb(0x40, count >> 8);
}

int main(uint32_t magic, void *info)
{
	(void)magic;
	(void)info;
	puts("image pit_ioapic");
	irq_init();
	pic_mask_all();
	lapic_init();
	irq_set_handler(PIT_VECTOR, pit_interrupt);

	uint32_t version = ioapic_read(IOAPIC_REG_VERSION);
	printf("ioapic: version register %08x: version 0x%x, max redirection "
	       "entry %u\n", version, version & 0xFF, (version >> 16) & 0xFF);
	if (((version >> 16) & 0xFF) != 23)
		fail("IO-APIC max redirection entry is not 23");
	printf("ioapic: pin %d at boot: %s\n", PIT_PIN,
	       ioapic_read(IOAPIC_REG_REDIR + 2 * PIT_PIN) & IOAPIC_MASKED ?
	       "masked" : "unmasked");

	cli();
	pit_channel0_rate(PIT_COUNT);
	ioapic_set_entry(PIT_PIN, PIT_VECTOR, 0 << 24);
	printf("ioapic: pin %d entry %08x %08x (vector 0x%x, fixed, physical, "
	       "edge, high, unmasked, apic 0)\n", PIT_PIN,
	       ioapic_read(IOAPIC_REG_REDIR + 2 * PIT_PIN + 1),
	       ioapic_read(IOAPIC_REG_REDIR + 2 * PIT_PIN), PIT_VECTOR);
	printf("lapic: svr %08x, tpr %u\n", lapic_read(LAPIC_SVR),
	       lapic_read(LAPIC_TPR));
	printf("pit: channel 0 mode 2, count %u (about 1 kHz)\n", PIT_COUNT);

	sti();
	int ok = wait_count(&ticks, WANTED, 1000);
	pit_delay_us(5000);	/* a stray interrupt would come now */
	cli();
	if (!ok) {
		printf("pit: only %u of %u interrupts within 1 s\n", ticks, WANTED);
		fail("PIT interrupts");
		return smp_result();
	}
	printf("pit: %u interrupts on vector 0x%x, all on cpu 0, each in service "
	       "in its handler with interrupts off, eoi each\n", WANTED,
	       PIT_VECTOR);
	if (wrong_vector)
		fail("an interrupt came on another vector");
	if (wrong_cpu)
		fail("an interrupt came to another cpu");
	if (not_in_service)
		fail("the vector was not in service in its handler");
	if (interrupts_were_on)
		fail("IF was set in an interrupt gate's handler");

	uint32_t entry = ioapic_read(IOAPIC_REG_REDIR + 2 * PIT_PIN);
	printf("ioapic: pin %d after the tenth: entry %08x (masked %u, remote irr "
	       "%u, delivery status %u)\n", PIT_PIN, entry,
	       !!(entry & IOAPIC_MASKED), !!(entry & IOAPIC_REMOTE_IRR),
	       !!(entry & IOAPIC_DELIVERY_STATUS));

	if (ticks == WANTED + pending_at_mask)
		puts("pit: masked: no interrupt in the next 5 ms");
	else
		fail("interrupts after the pin was masked");
	printf("lapic: vector 0x%x in service after: %u\n", PIT_VECTOR,
	       lapic_bit(LAPIC_ISR, PIT_VECTOR));

	/* Channel 0 keeps counting while the pin is masked. */
	outb(0x43, 0x00);			/* latch channel 0 */
	uint32_t count = inb(0x40);
	count |= (uint32_t)inb(0x40) << 8;
	if (count >= 1 && count <= PIT_COUNT)
		printf("pit: latched count within 1..%u\n", PIT_COUNT);
	else
		printf("pit: latched count %u outside 1..%u\n", count, PIT_COUNT);
	outb(0x43, 0xE2);			/* read-back: status of channel 0 */
	uint8_t status = inb(0x40);
	printf("pit: read-back status (without OUT) %02x: access %u, mode %u, "
	       "bcd %u, null count %u\n", status & 0x7F, (status >> 4) & 3,
	       (status >> 1) & 7, status & 1, (status >> 6) & 1);

	return smp_result();
}
