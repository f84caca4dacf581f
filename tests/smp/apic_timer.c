/*
 * apic_timer — the local APIC timer of CPU 0 in its three modes.
 *
 *   version     the APIC version register (0x00050014: version 0x14, six
 *               LVT entries, as QEMU's)
 *   divide      what the divide configuration register reads back for each
 *               value written, and that the counter runs at the bus clock
 *               (1 GHz on both machines) over the divisor, within a factor
 *               of two, measured against PIT channel 2 over 10 ms
 *   one-shot    counts down, interrupts once, then reads 0
 *   masked      a masked one-shot counts down to 0 without an interrupt
 *   periodic    10 interrupts, then stopped by writing initial count 0
 *               (from the tenth handler; if that handler ran more than a
 *               period late, the next period's interrupt was already
 *               requested and is not counted as one after the stop)
 *   tsc-deadline only if CPUID.1:ECX bit 24 says the mode exists; neither
 *               QEMU's default CPU (qemu32, under TCG) nor preemptlab's
 *               reports it, so both print "unsupported"
 *
 * Only counts and states are printed, never times.
 */
#include "smp.h"

#define ONESHOT_VECTOR	0x40
#define PERIODIC_VECTOR	0x41
#define MASKED_VECTOR	0x42
#define DEADLINE_VECTOR	0x43
#define PERIODS		10

#define DIVIDE_BY_1	0xB
#define DIVIDE_BY_16	0x3

static volatile uint32_t oneshot_count, oneshot_current_in_handler;
static volatile uint32_t periodic_count, deadline_count, masked_count;
static volatile uint32_t periodic_pending_at_stop;

static void oneshot_interrupt(struct irq_frame *f)
{
	(void)f;
	oneshot_count++;
	oneshot_current_in_handler = lapic_read(LAPIC_TIMER_CURRENT);
	lapic_eoi();
}

static void periodic_interrupt(struct irq_frame *f)
{
	(void)f;
	if (++periodic_count == PERIODS) {
		lapic_write(LAPIC_TIMER_INITIAL, 0);	/* stops the timer */
		/* If this handler came more than a period late, the next
		 * period's interrupt is already requested and still comes. */
		periodic_pending_at_stop = lapic_bit(LAPIC_IRR, PERIODIC_VECTOR);
	}
	lapic_eoi();
}

static void masked_interrupt(struct irq_frame *f)
{
	(void)f;
	masked_count++;
	lapic_eoi();
}

static void deadline_interrupt(struct irq_frame *f)
{
	(void)f;
	deadline_count++;
	lapic_eoi();
}

static uint32_t divisor(uint32_t config)
{
	uint32_t v = (config & 3) | ((config >> 1) & 4);

	return v == 7 ? 1 : 2u << v;
}

/* Runs PIT channel 2 in mode 2 with count 65536, its gate high if on:
 * a free-running counter that wraps every 55 ms. The 8254 loads a count
 * on the CLK pulse after it is written, and what the counter reads before
 * then is undefined (preemptlab returns the old count, QEMU the new), so
 * this waits for the read-back status to clear "null count". */
static void pit2_free_run(int on)
{
	outb(0x61, (inb(0x61) & 0x0C) | (on ? 0x01 : 0x00));
	outb(0x43, 0xB4);		/* channel 2, lobyte/hibyte, mode 2 */
	outb(0x42, 0);
	outb(0x42, 0);
	if (!on)
		return;
	for (int i = 0; i < 100000; i++) {
		outb(0x43, 0xE8);	/* read-back: status of channel 2 */
		if ((inb(0x42) & 0x40) == 0)
			return;
	}
	fail("PIT channel 2 never loaded its count");
}

static uint32_t pit2_count(void)
{
	outb(0x43, 0x80);		/* latch channel 2 */
	uint32_t v = inb(0x42);
	return v | (uint32_t)inb(0x42) << 8;
}

/*
 * Measures the timer's rate with divide configuration config against PIT
 * channel 2 over about 10 ms, reading the two clocks back to back at each
 * end, and reports whether it is 1 GHz / div within a factor of 2.
 */
static int rate_within_factor_2(uint32_t config, uint32_t div)
{
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED | MASKED_VECTOR);
	lapic_write(LAPIC_TIMER_DIVIDE, config);
	lapic_write(LAPIC_TIMER_INITIAL, 0xFFFFFFFF);
	pit2_free_run(1);

	uint32_t p0 = pit2_count();
	uint32_t a0 = lapic_read(LAPIC_TIMER_CURRENT);
	while (((p0 - pit2_count()) & 0xFFFF) < PIT_HZ / 100)
		cpu_relax();
	uint32_t a1 = lapic_read(LAPIC_TIMER_CURRENT);
	uint32_t p1 = pit2_count();
	lapic_write(LAPIC_TIMER_INITIAL, 0);

	/* apic ticks · div / 1e9 s against pit ticks / PIT_HZ s */
	uint64_t apic_ns = (uint64_t)(a0 - a1) * div * PIT_HZ;
	uint64_t pit_ns = (uint64_t)((p0 - p1) & 0xFFFF) * 1000000000u;
	return apic_ns >= pit_ns / 2 && apic_ns <= pit_ns * 2;
}

static void test_divide(void)
{
	printf("divide: written->read:");
	for (uint32_t v = 0; v < 16; v++) {
		lapic_write(LAPIC_TIMER_DIVIDE, v);
		printf(" %x->%x", v, lapic_read(LAPIC_TIMER_DIVIDE));
	}
	putchar('\n');

	static const uint32_t configs[] = { DIVIDE_BY_1, 0x0, DIVIDE_BY_16, 0xA };
	for (unsigned i = 0; i < sizeof configs / sizeof configs[0]; i++) {
		uint32_t div = divisor(configs[i]);
		int ok = 0;

		/* A host that stalls QEMU between the readings of the two
		 * clocks skews one measurement; a few tries make that
		 * harmless. */
		for (int attempt = 0; attempt < 10 && !ok; attempt++)
			ok = rate_within_factor_2(configs[i], div);
		if (ok)
			printf("divide: config %x divides by %u: the count falls at "
			       "1 GHz / %u (within a factor of 2, against the PIT "
			       "over 10 ms)\n", configs[i], div, div);
		else {
			printf("divide: config %x: the count does not fall at 1 GHz "
			       "/ %u\n", configs[i], div);
			fail("timer rate");
		}
	}
	pit2_free_run(0);
}

static void test_oneshot(void)
{
	/* Counting down, seen with the interrupt masked and a count too long
	 * to run out between the readings. */
	lapic_write(LAPIC_TIMER_DIVIDE, DIVIDE_BY_1);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED | LAPIC_TIMER_ONESHOT |
		    ONESHOT_VECTOR);
	lapic_write(LAPIC_TIMER_INITIAL, 0xFFFFFFFF);
	uint32_t first = lapic_read(LAPIC_TIMER_CURRENT);
	pit_delay_us(1000);
	uint32_t second = lapic_read(LAPIC_TIMER_CURRENT);
	if (second < first && first <= 0xFFFFFFFF && second > 0)
		puts("one-shot: the current count falls after the initial count "
		     "is written");
	else
		fail("one-shot: the current count does not fall");
	if (lapic_read(LAPIC_TIMER_INITIAL) != 0xFFFFFFFF)
		fail("initial count does not read back");
	lapic_write(LAPIC_TIMER_INITIAL, 0);

	lapic_write(LAPIC_LVT_TIMER, LAPIC_TIMER_ONESHOT | ONESHOT_VECTOR);
	printf("one-shot: lvt timer %08x, divide by 1, initial count 1000000 "
	       "(1 ms)\n", lapic_read(LAPIC_LVT_TIMER));
	lapic_write(LAPIC_TIMER_INITIAL, 1000000);
	sti();
	int ok = wait_count(&oneshot_count, 1, 1000);
	pit_delay_us(5000);		/* a second interrupt would come now */
	cli();
	if (!ok) {
		fail("one-shot: no interrupt within 1 s");
		return;
	}
	printf("one-shot: %u interrupt on vector 0x%x; current count %u in the "
	       "handler, %u after; initial count still %u\n", oneshot_count,
	       ONESHOT_VECTOR, oneshot_current_in_handler,
	       lapic_read(LAPIC_TIMER_CURRENT),
	       lapic_read(LAPIC_TIMER_INITIAL));
}

static void test_masked(void)
{
	lapic_write(LAPIC_TIMER_DIVIDE, DIVIDE_BY_1);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED | LAPIC_TIMER_ONESHOT |
		    MASKED_VECTOR);
	lapic_write(LAPIC_TIMER_INITIAL, 100000);	/* 100 µs */
	sti();
	pit_delay_us(2000);
	cli();
	printf("masked: lvt timer %08x; after 2 ms: current count %u, %u "
	       "interrupts, vector 0x%x requested %u\n",
	       lapic_read(LAPIC_LVT_TIMER), lapic_read(LAPIC_TIMER_CURRENT),
	       masked_count, MASKED_VECTOR, lapic_bit(LAPIC_IRR, MASKED_VECTOR));
	lapic_write(LAPIC_TIMER_INITIAL, 0);
}

static void test_periodic(void)
{
	lapic_write(LAPIC_TIMER_DIVIDE, DIVIDE_BY_16);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_TIMER_PERIODIC | PERIODIC_VECTOR);
	printf("periodic: lvt timer %08x, divide by 16, initial count 62500 "
	       "(1 ms)\n", lapic_read(LAPIC_LVT_TIMER));
	lapic_write(LAPIC_TIMER_INITIAL, 62500);
	sti();
	int ok = wait_count(&periodic_count, PERIODS, 1000);
	pit_delay_us(5000);
	cli();
	if (!ok) {
		printf("periodic: %u interrupts within 1 s\n", periodic_count);
		fail("periodic interrupts");
		return;
	}
	uint32_t after = periodic_count - PERIODS;
	printf("periodic: %u interrupts on vector 0x%x, then initial count 0 "
	       "stopped it: %s in the next 5 ms; current count %u\n", PERIODS,
	       PERIODIC_VECTOR, after == periodic_pending_at_stop ? "none" :
	       "more", lapic_read(LAPIC_TIMER_CURRENT));
	if (after != periodic_pending_at_stop)
		fail("periodic: interrupts after the stop");
}

static void test_tsc_deadline(void)
{
	uint32_t a, b, c, d;

	cpuid(1, &a, &b, &c, &d);
	if ((c & (1u << 24)) == 0) {
		puts("tsc-deadline: unsupported (cpuid.1:ecx bit 24 clear)");
		return;
	}
	lapic_write(LAPIC_LVT_TIMER, LAPIC_TIMER_TSC_DEADLINE | DEADLINE_VECTOR);
	wrmsr(MSR_TSC_DEADLINE, rdtsc() + 1000000);
	sti();
	int ok = wait_count(&deadline_count, 1, 1000);
	pit_delay_us(5000);
	cli();
	if (!ok) {
		fail("tsc-deadline: no interrupt within 1 s");
		return;
	}
	printf("tsc-deadline: %u interrupt on vector 0x%x, deadline msr %u "
	       "after\n", deadline_count, DEADLINE_VECTOR,
	       (uint32_t)rdmsr(MSR_TSC_DEADLINE));
}

int main(uint32_t magic, void *info)
{
	uint32_t a, b, c, d;

	(void)magic;
	(void)info;
	puts("image apic_timer");
	irq_init();
	pic_mask_all();
	lapic_init();
	irq_set_handler(ONESHOT_VECTOR, oneshot_interrupt);
	irq_set_handler(PERIODIC_VECTOR, periodic_interrupt);
	irq_set_handler(MASKED_VECTOR, masked_interrupt);
	irq_set_handler(DEADLINE_VECTOR, deadline_interrupt);

	/* Only what QEMU's qemu32 model and preemptlab's CPU agree on. */
	cpuid(1, &a, &b, &c, &d);
	printf("cpuid: signature %03x, apic %u, tsc %u, msr %u\n", a & 0xFFF,
	       (d >> 9) & 1, (d >> 4) & 1, (d >> 5) & 1);

	uint32_t version = lapic_read(LAPIC_VERSION);
	printf("lapic: version register %08x: version 0x%x, max lvt entry %u\n",
	       version, version & 0xFF, (version >> 16) & 0xFF);
	printf("lapic: lvt timer at reset of the test %08x, initial %u, "
	       "current %u\n", lapic_read(LAPIC_LVT_TIMER),
	       lapic_read(LAPIC_TIMER_INITIAL), lapic_read(LAPIC_TIMER_CURRENT));

	test_divide();
	test_oneshot();
	test_masked();
	test_periodic();
	test_tsc_deadline();
	return smp_result();
}
