/*
 * smp.c — the C half of the SMP images' library: APIC and IO-APIC access,
 * PIT delays and timeouts, interrupt dispatch, processor bring-up, locks,
 * the event log and the result line. See smp.h for the interface.
 */
#include "smp.h"

/* ---- Results ------------------------------------------------------------ */

static uint32_t failures;

void fail(const char *what)
{
	failures++;
	printf("FAIL %s\n", what);
}

int smp_result(void)
{
	if (failures != 0) {
		printf("FAILED %u\n", failures);
		return 1;
	}
	puts("OK");
	return 0;
}

/* ---- Local APIC --------------------------------------------------------- */

void lapic_init(void)
{
	uint32_t id = lapic_id();

	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_TIMER_INITIAL, 0);
	lapic_write(LAPIC_LVT_THERMAL, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_LVT_PERF, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT0, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT1, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_LVT_ERROR, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_DFR, 0xFFFFFFFF);		/* flat model */
	lapic_write(LAPIC_LDR, (1u << id) << 24);
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_SVR, LAPIC_SVR_ENABLE | SPURIOUS_VECTOR);
	lapic_write(LAPIC_ESR, 0);	/* back-to-back writes clear it */
	lapic_write(LAPIC_ESR, 0);
}

/* Waits for the ICR's delivery status to show idle. An xAPIC sends at once
 * (QEMU and preemptlab always read idle), so a bounded spin is enough. */
static void icr_wait_idle(void)
{
	for (uint32_t i = 0; i < 1000000; i++)
		if ((lapic_read(LAPIC_ICR_LOW) & ICR_BUSY) == 0)
			return;
	fail("ICR delivery status stays busy");
}

void ipi_send(uint32_t destination, uint32_t low)
{
	uint32_t flags = read_eflags();

	cli();		/* ICR high and low must not be split by a handler's IPI */
	icr_wait_idle();
	lapic_write(LAPIC_ICR_HIGH, destination << 24);
	lapic_write(LAPIC_ICR_LOW, low);
	icr_wait_idle();
	if (flags & 0x200)
		sti();
}

void ipi_self(uint8_t vector)
{
	ipi_send(0, ICR_SELF | ICR_FIXED | vector);
}

/* ---- IO-APIC ------------------------------------------------------------ */

uint32_t ioapic_read(uint8_t reg)
{
	*(volatile uint32_t *)IOAPIC_BASE = reg;
	return *(volatile uint32_t *)(IOAPIC_BASE + 0x10);
}

void ioapic_write(uint8_t reg, uint32_t value)
{
	*(volatile uint32_t *)IOAPIC_BASE = reg;
	*(volatile uint32_t *)(IOAPIC_BASE + 0x10) = value;
}

void ioapic_set_entry(int pin, uint32_t low, uint32_t high)
{
	ioapic_write(IOAPIC_REG_REDIR + 2 * pin + 1, high);
	ioapic_write(IOAPIC_REG_REDIR + 2 * pin, low);
}

/* ---- 8259s ---------------------------------------------------------------- */

void pic_mask_all(void)
{
	outb(0xA1, 0xFF);
	outb(0x21, 0xFF);
}

/* ---- PIT channel 2 -------------------------------------------------------- */

enum {
	PIT_CHANNEL2 = 0x42,
	PIT_CONTROL = 0x43,
	SYSTEM_B = 0x61,	/* bit 0 gate 2, bit 1 speaker, bit 5 OUT2 */
};

/* Starts channel 2 counting count ticks in mode 0 (OUT2 low until the
 * count reaches 0, then high). The gate is raised before the count is
 * written, so counting starts with the count whichever way the PIT treats
 * the gate in mode 0. */
static void pit2_start(uint32_t count)
{
	uint8_t b = inb(SYSTEM_B) & 0x0C;	/* keep bits 2-3; speaker off */

	if (count == 0)
		count = 1;
	if (count > 0xFFFF)
		count = 0xFFFF;
	outb(SYSTEM_B, b | 0x01);
	outb(PIT_CONTROL, 0xB0);	/* channel 2, lobyte/hibyte, mode 0 */
	outb(PIT_CHANNEL2, count & 0xFF);
	outb(PIT_CHANNEL2, count >> 8);
}

static int pit2_out(void)
{
	return (inb(SYSTEM_B) >> 5) & 1;
}

void pit_delay_us(uint32_t us)
{
	pit2_start((uint32_t)((uint64_t)us * PIT_HZ / 1000000));
	while (!pit2_out())
		cpu_relax();
}

#define PIT_TICKS_PER_MS ((PIT_HZ + 500) / 1000)

void deadline_start(struct deadline *d, uint32_t ms)
{
	d->remaining_ms = ms;
	pit2_start(PIT_TICKS_PER_MS);
}

int deadline_passed(struct deadline *d)
{
	if (d->remaining_ms == 0)
		return 1;
	if (!pit2_out())
		return 0;
	if (--d->remaining_ms == 0)
		return 1;
	pit2_start(PIT_TICKS_PER_MS);
	return 0;
}

int wait_flag(volatile uint32_t *flag, uint32_t ms)
{
	return wait_count(flag, 1, ms);
}

int wait_count(volatile uint32_t *counter, uint32_t target, uint32_t ms)
{
	struct deadline d;

	deadline_start(&d, ms);
	for (;;) {
		if (*counter >= target)
			return 1;
		if (deadline_passed(&d))
			return *counter >= target;
		cpu_relax();
	}
}

/* ---- Interrupts ----------------------------------------------------------- */

extern const char irq_stubs[], irq_stubs_end[];
#define IRQ_STUB_STRIDE 16

static irq_handler handlers[256];
volatile uint32_t spurious_count;

static void spurious(struct irq_frame *f)
{
	(void)f;
	spurious_count++;	/* a spurious interrupt takes no EOI */
}

void irq_init(void)
{
	idt_install_exception_handlers();
	if (irq_stubs_end - irq_stubs != 224 * IRQ_STUB_STRIDE)
		fail("interrupt stubs are not 16 bytes apart");
	for (int v = 32; v < 256; v++)
		idt_set_gate(v, (void (*)(void))(irq_stubs +
			     IRQ_STUB_STRIDE * (v - 32)), IDT_INTERRUPT_GATE);
	handlers[SPURIOUS_VECTOR] = spurious;
	idt_load();
}

void irq_load_idt(void)
{
	idt_load();
}

void irq_set_handler(uint8_t vector, irq_handler handler)
{
	handlers[vector] = handler;
}

/* Called by irq_common (smp_entry.S). */
void irq_dispatch(struct irq_frame *f);

void irq_dispatch(struct irq_frame *f)
{
	irq_handler h = handlers[f->vector & 0xFF];

	if (h == NULL) {
		printf("FAIL unexpected interrupt 0x%x on cpu %u at %08x\n",
		       f->vector, lapic_id(), f->eip);
		exit_qemu(1);
	}
	h(f);
}

/* ---- The second processor -------------------------------------------------- */

extern const char trampoline_start[], trampoline_end[];

/* The image's own flat GDT, which ap_protected_entry loads (start.S's is
 * private to it). Accessed bits set: loading never writes the table. */
static const uint64_t smp_gdt[3] __attribute__((aligned(8))) = {
	0x0000000000000000ull,
	0x00CF9B000000FFFFull,		/* 0x08: code */
	0x00CF93000000FFFFull,		/* 0x10: data */
};

struct gdt_descriptor {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));

extern const struct gdt_descriptor smp_gdt_descriptor;
const struct gdt_descriptor smp_gdt_descriptor = {
	sizeof smp_gdt - 1, (uint32_t)smp_gdt
};

volatile struct trampoline_report trampoline_report;

/* Read by ap_protected_entry. */
extern uint32_t ap_stack_top;
uint32_t ap_stack_top;

static uint8_t ap_stack[16384] __attribute__((aligned(16)));
static void (*volatile ap_entry)(void);
static volatile uint32_t ap_running;

/* Called by ap_protected_entry on the new processor's stack. */
void ap_boot(void) __attribute__((noreturn));

void ap_boot(void)
{
	irq_load_idt();
	ap_running = 1;
	ap_entry();
	for (;;)
		__asm__ volatile("cli; hlt");
}

int smp_start_ap(uint32_t apic_id, void (*entry)(void))
{
	memcpy((void *)TRAMPOLINE_ADDR, trampoline_start,
	       trampoline_end - trampoline_start);
	ap_stack_top = (uint32_t)(ap_stack + sizeof ap_stack);
	ap_entry = entry;
	ap_running = 0;

	ipi_send(apic_id, ICR_INIT | ICR_ASSERT | ICR_LEVEL);
	ipi_send(apic_id, ICR_INIT | ICR_LEVEL);	/* de-assert */
	pit_delay_us(10000);
	for (int i = 0; i < 2; i++) {
		ipi_send(apic_id, ICR_STARTUP | ICR_ASSERT | TRAMPOLINE_VECTOR);
		pit_delay_us(200);
	}
	return wait_flag(&ap_running, 1000) ? 0 : -1;
}

/* ---- Locks ----------------------------------------------------------------- */

void ticket_lock_acquire(ticket_lock *l)
{
	uint32_t ticket = atomic_xadd(&l->next, 1);

	while (l->owner != ticket)
		cpu_relax();
	barrier();
}

void ticket_lock_release(ticket_lock *l)
{
	barrier();
	l->owner = l->owner + 1;
}

/* ---- Event log ------------------------------------------------------------- */

#define LOG_MAX 64

static const char *log_events[LOG_MAX];
static volatile uint32_t log_length;
static ticket_lock log_lock;

void log_event(const char *name)
{
	uint32_t flags = read_eflags();

	cli();
	ticket_lock_acquire(&log_lock);
	if (log_length < LOG_MAX)
		log_events[log_length] = name;
	log_length++;
	ticket_lock_release(&log_lock);
	if (flags & 0x200)
		sti();
}

void log_print(const char *prefix)
{
	printf("%s:", prefix);
	for (uint32_t i = 0; i < log_length && i < LOG_MAX; i++)
		printf(" %s", log_events[i]);
	if (log_length > LOG_MAX)
		printf(" ... (%u events)", log_length);
	putchar('\n');
}

void log_clear(void)
{
	log_length = 0;
}
