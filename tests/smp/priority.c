/*
 * priority — the local APIC's priority rules on CPU 0, all with self-IPIs
 * (the "self" shorthand).
 *
 *   nesting   0x31 is raised with IF = 0 and taken at sti. Its handler
 *             sets IF and raises 0x51 (a higher class), which must nest
 *             before 0x31's EOI. The 0x51 handler sets IF and raises 0x21
 *             (a lower class): it must wait through 0x51's EOI (0x31 is
 *             still in service, class 3 > 2) until 0x31's EOI.
 *   class     with 0x32 in service, 0x3a (same class, higher vector) waits
 *             for the EOI.
 *   order     0x41, 0x61 and 0x45 raised with IF = 0 are taken highest
 *             first at sti.
 *   tpr       with TPR 0x40, 0x35 stays requested; with TPR 0x30 (same
 *             class) still; with TPR 0x20 it arrives.
 *
 * Handlers and the main code append to an event log, printed in order.
 * Every wait is bounded by PIT time; the order printed depends only on the
 * priority rules, never on how long anything took. (A nested handler's
 * pit_delay_us reprograms PIT channel 2 under the interrupted code's
 * wait_flag deadline, which can only end that wait up to 1 ms early or
 * late: the bounds are 1 s.)
 */
#include "smp.h"

static volatile uint32_t taken[256];	/* times each vector was taken */
static char names[256][5];		/* "0x31" */

static const char *name(uint8_t v)
{
	return names[v];
}

static void make_names(void)
{
	static const char hex[] = "0123456789abcdef";

	for (int v = 0; v < 256; v++) {
		names[v][0] = '0';
		names[v][1] = 'x';
		names[v][2] = hex[v >> 4];
		names[v][3] = hex[v & 15];
		names[v][4] = '\0';
	}
}

/* What the handlers saw, printed after each test. */
static volatile uint32_t ppr_in[256];
static volatile uint32_t nested_isr;	/* 0x31 still in service inside 0x51 */

/* A plain handler: logs the vector, counts it, EOI. */
static void plain(struct irq_frame *f)
{
	uint8_t v = f->vector;

	log_event(name(v));
	ppr_in[v] = lapic_read(LAPIC_PPR);
	taken[v]++;
	lapic_eoi();
}

static void handler_0x31(struct irq_frame *f)
{
	(void)f;
	log_event("0x31");
	ppr_in[0x31] = lapic_read(LAPIC_PPR);
	taken[0x31]++;
	sti();
	ipi_self(0x51);
	if (!wait_flag(&taken[0x51], 1000))
		log_event("(0x51-never-came)");
	log_event("back-in-0x31");
	log_event("eoi-0x31");
	lapic_eoi();
	if (!wait_flag(&taken[0x21], 1000))
		log_event("(0x21-never-came)");
	log_event("end-0x31");
}

static void handler_0x51(struct irq_frame *f)
{
	(void)f;
	log_event("0x51");
	ppr_in[0x51] = lapic_read(LAPIC_PPR);
	nested_isr = lapic_bit(LAPIC_ISR, 0x31) && lapic_bit(LAPIC_ISR, 0x51);
	sti();
	ipi_self(0x21);
	pit_delay_us(1000);
	if (!taken[0x21])
		log_event("0x21-held");
	log_event("eoi-0x51");
	lapic_eoi();
	pit_delay_us(1000);
	if (!taken[0x21])
		log_event("0x21-still-held");
	taken[0x51]++;
	log_event("end-0x51");
}

static void handler_0x32(struct irq_frame *f)
{
	(void)f;
	log_event("0x32");
	taken[0x32]++;
	sti();
	ipi_self(0x3A);
	pit_delay_us(1000);
	if (!taken[0x3A])
		log_event("0x3a-held");
	log_event("eoi-0x32");
	lapic_eoi();
	if (!wait_flag(&taken[0x3A], 1000))
		log_event("(0x3a-never-came)");
	log_event("end-0x32");
}

static void test_nesting(void)
{
	log_clear();
	cli();
	ipi_self(0x31);
	if (lapic_bit(LAPIC_IRR, 0x31) && !taken[0x31])
		log_event("0x31-requested-with-if-0");
	log_event("sti");
	sti();
	if (!wait_flag(&taken[0x21], 1000))
		log_event("(timeout)");
	cli();
	log_print("nesting");
	printf("nesting: ppr 0x%02x in 0x31's handler, 0x%02x in 0x51's, 0x%02x "
	       "in 0x21's; 0x31 and 0x51 both in service in 0x51's: %s\n",
	       ppr_in[0x31], ppr_in[0x51], ppr_in[0x21],
	       nested_isr ? "yes" : "no");
	if (taken[0x31] != 1 || taken[0x51] != 1 || taken[0x21] != 1)
		fail("nesting: each vector once");
}

static void test_same_class(void)
{
	log_clear();
	cli();
	ipi_self(0x32);
	sti();
	if (!wait_flag(&taken[0x3A], 1000))
		log_event("(timeout)");
	cli();
	log_print("same class");
}

static void test_order(void)
{
	log_clear();
	cli();
	ipi_self(0x41);
	ipi_self(0x61);
	ipi_self(0x45);
	log_event("sti");
	sti();
	if (!wait_flag(&taken[0x41], 1000))
		log_event("(timeout)");
	cli();
	log_print("order");
}

static void test_tpr(void)
{
	log_clear();
	lapic_write(LAPIC_TPR, 0x40);
	sti();
	ipi_self(0x35);
	pit_delay_us(2000);
	cli();
	printf("tpr 0x%02x: 0x35 taken %u, requested %u, ppr 0x%02x\n",
	       lapic_read(LAPIC_TPR), taken[0x35], lapic_bit(LAPIC_IRR, 0x35),
	       lapic_read(LAPIC_PPR));

	lapic_write(LAPIC_TPR, 0x30);
	sti();
	pit_delay_us(2000);
	cli();
	printf("tpr 0x%02x: 0x35 taken %u, requested %u, ppr 0x%02x\n",
	       lapic_read(LAPIC_TPR), taken[0x35], lapic_bit(LAPIC_IRR, 0x35),
	       lapic_read(LAPIC_PPR));

	log_event("tpr-0x20");
	lapic_write(LAPIC_TPR, 0x20);
	sti();
	if (!wait_flag(&taken[0x35], 1000))
		log_event("(timeout)");
	cli();
	printf("tpr 0x%02x: 0x35 taken %u, requested %u, ppr 0x%02x in its "
	       "handler, 0x%02x now\n", lapic_read(LAPIC_TPR), taken[0x35],
	       lapic_bit(LAPIC_IRR, 0x35), ppr_in[0x35],
	       lapic_read(LAPIC_PPR));
	log_print("tpr");
	lapic_write(LAPIC_TPR, 0);
}

int main(uint32_t magic, void *info)
{
	(void)magic;
	(void)info;
	puts("image priority");
	make_names();
	irq_init();
	pic_mask_all();
	lapic_init();
	irq_set_handler(0x21, plain);
	irq_set_handler(0x31, handler_0x31);
	irq_set_handler(0x51, handler_0x51);
	irq_set_handler(0x32, handler_0x32);
	irq_set_handler(0x3A, plain);
	irq_set_handler(0x41, plain);
	irq_set_handler(0x45, plain);
	irq_set_handler(0x61, plain);
	irq_set_handler(0x35, plain);

	test_nesting();
	test_same_class();
	test_order();
	test_tpr();

	uint32_t in_service = 0;
	for (int i = 0; i < 8; i++)
		in_service |= lapic_read(LAPIC_ISR + 0x10 * i);
	printf("end: in service %s, ppr 0x%02x\n", in_service ? "some" : "none",
	       lapic_read(LAPIC_PPR));
	return smp_result();
}
