/*
 * ipi — interprocessor interrupts between the two processors.
 *
 * After bringing up CPU 1 (as sipi does), CPU 0:
 *
 *   ping-pong   sends fixed IPI 0x50 to APIC 1 (physical destination) 100
 *               times; CPU 1, halted in between, wakes and its handler
 *               answers each with 0x51 to APIC 0, and CPU 0 waits for the
 *               answer before the next ping. All 100 round trips must fit
 *               in 1 s of PIT time (a few microseconds each on QEMU, but a
 *               wake-up that waited for some unrelated event would not).
 *   shorthands  self (0x52), all-but-self (0x53), all-including-self (0x54)
 *   logical     flat model (DFR all ones, LDR 1 << (24 + APIC ID)):
 *               destination 0x02 (0x55), 0x03 (0x56), 0x01 (0x57)
 *   broadcast   physical destination 0xFF (0x5A)
 *   lowest      lowest-priority delivery to logical 0x03 with both TPRs 0
 *               (0x5B): the tie goes to CPU 0. (With unequal TPRs QEMU
 *               still picks the first processor of the set, against the
 *               SDM, so that case is not tested.)
 *   from cpu 1  asks CPU 1 (with 0x59) to send all-but-self 0x58
 *
 * Each handler counts (processor, vector) and sends EOI. After each step
 * CPU 0 waits until the expected interrupts have arrived (bounded), then
 * 2 ms more so that a stray one would be counted, and prints the counts.
 * Only CPU 0 prints.
 */
#include "smp.h"

#define PING		0x50
#define PONG		0x51
#define SELF		0x52
#define ALL_BUT_SELF	0x53
#define ALL		0x54
#define LOGICAL_2	0x55
#define LOGICAL_3	0x56
#define LOGICAL_1	0x57
#define FROM_CPU1	0x58
#define ASK_CPU1	0x59
#define BROADCAST	0x5A
#define LOWEST		0x5B
#define ROUNDS		100

static volatile uint32_t counts[2][256];
static volatile uint32_t ap_ready;

static void count_interrupt(struct irq_frame *f)
{
	uint32_t cpu = lapic_id() & 1;
	uint8_t v = f->vector;

	counts[cpu][v]++;
	if (v == PING && cpu == 1)
		ipi_send(0, ICR_FIXED | PONG);
	if (v == ASK_CPU1 && cpu == 1)
		ipi_send(0, ICR_ALL_BUT_SELF | ICR_FIXED | FROM_CPU1);
	lapic_eoi();
}

static void ap_main(void)
{
	lapic_init();
	ap_ready = 1;
	for (;;)
		__asm__ volatile("sti; hlt");
}

/* Sends one IPI from CPU 0 and reports where vector went. */
static void step(const char *what, uint32_t destination, uint32_t icr,
		 uint8_t vector, uint32_t want0, uint32_t want1)
{
	ipi_send(destination, icr | vector);
	int ok = wait_count(&counts[0][vector], want0, 1000) &&
		 wait_count(&counts[1][vector], want1, 1000);
	pit_delay_us(2000);
	printf("%s: vector 0x%x: cpu0 %u, cpu1 %u\n", what, vector,
	       counts[0][vector], counts[1][vector]);
	if (!ok || counts[0][vector] != want0 || counts[1][vector] != want1)
		fail(what);
}

int main(uint32_t magic, void *info)
{
	(void)magic;
	(void)info;
	puts("image ipi");
	irq_init();
	pic_mask_all();
	lapic_init();
	for (int v = PING; v <= LOWEST; v++)
		irq_set_handler(v, count_interrupt);

	if (smp_start_ap(1, ap_main) != 0 || !wait_flag(&ap_ready, 1000)) {
		fail("cpu 1 did not start within 1 s");
		return smp_result();
	}
	puts("cpu 1 is up");
	sti();

	/* CPU 1 waits in hlt: each ping must wake it at once. */
	uint32_t round;
	struct deadline d;
	deadline_start(&d, 1000);
	for (round = 1; round <= ROUNDS; round++) {
		ipi_send(1, ICR_FIXED | PING);
		while (counts[0][PONG] < round && !deadline_passed(&d))
			cpu_relax();
		if (counts[0][PONG] < round)
			break;
	}
	pit_delay_us(2000);
	printf("ping-pong: %u round trips within 1 s: cpu1 took %u x 0x%x, cpu0 "
	       "took %u x 0x%x; cpu0 took %u x 0x%x, cpu1 %u x 0x%x\n", round - 1,
	       counts[1][PING], PING, counts[0][PONG], PONG,
	       counts[0][PING], PING, counts[1][PONG], PONG);
	if (round - 1 != ROUNDS || counts[1][PING] != ROUNDS ||
	    counts[0][PONG] != ROUNDS || counts[0][PING] || counts[1][PONG])
		fail("ping-pong");

	step("self (shorthand)", 0, ICR_SELF, SELF, 1, 0);
	step("all-but-self (shorthand)", 0, ICR_ALL_BUT_SELF, ALL_BUT_SELF, 0, 1);
	step("all-including-self (shorthand)", 0, ICR_ALL, ALL, 1, 1);

	printf("logical: cpu0 dfr %08x ldr %08x\n", lapic_read(LAPIC_DFR),
	       lapic_read(LAPIC_LDR));
	step("logical destination 0x02", 0x02, ICR_LOGICAL, LOGICAL_2, 0, 1);
	step("logical destination 0x03", 0x03, ICR_LOGICAL, LOGICAL_3, 1, 1);
	step("logical destination 0x01 (self)", 0x01, ICR_LOGICAL, LOGICAL_1, 1, 0);
	step("physical destination 0xff (broadcast)", 0xFF, 0, BROADCAST, 1, 1);
	step("lowest priority to logical 0x03, tprs equal", 0x03,
	     ICR_LOGICAL | ICR_LOWEST, LOWEST, 1, 0);

	ipi_send(1, ICR_FIXED | ASK_CPU1);
	int ok = wait_count(&counts[0][FROM_CPU1], 1, 1000);
	pit_delay_us(2000);
	printf("all-but-self from cpu1: vector 0x%x: cpu0 %u, cpu1 %u\n",
	       FROM_CPU1, counts[0][FROM_CPU1], counts[1][FROM_CPU1]);
	if (!ok || counts[0][FROM_CPU1] != 1 || counts[1][FROM_CPU1] != 0)
		fail("all-but-self from cpu1");

	uint32_t total0 = 0, total1 = 0;
	for (int v = 0; v < 256; v++) {
		total0 += counts[0][v];
		total1 += counts[1][v];
	}
	printf("totals: cpu0 %u interrupts, cpu1 %u\n", total0, total1);
	lapic_write(LAPIC_ESR, 0);
	printf("cpu0: error status %08x\n", lapic_read(LAPIC_ESR));
	cli();
	return smp_result();
}
