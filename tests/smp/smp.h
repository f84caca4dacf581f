/*
 * smp.h — what the SMP test images share on top of the bare-image SDK
 * (boot/sdk/bare.h): the local APIC and IO-APIC registers, the 8259s, the
 * 8254 PIT as a clock for delays and timeouts, interrupt entry stubs for
 * vectors 32-255 with C handlers, bringing up the second processor with
 * INIT and start-up IPIs, spinlocks, and an ordered event log.
 *
 * Every image runs unchanged on preemptlab and on
 * `qemu-system-i386 -smp 2` (qemu-reference.sh has the command line), and
 * must print the same bytes on both. QEMU's timing is not exact, so
 * nothing printed depends on how long something took: waits are bounded
 * by PIT time and only their outcome is printed.
 */
#ifndef SMP_H
#define SMP_H

#include "bare.h"

/* ---- Local APIC (xAPIC, MMIO at 0xFEE00000; each CPU sees its own) ----- */

#define LAPIC_BASE	0xFEE00000u

enum {
	LAPIC_ID = 0x020,
	LAPIC_VERSION = 0x030,
	LAPIC_TPR = 0x080,
	LAPIC_PPR = 0x0A0,
	LAPIC_EOI = 0x0B0,
	LAPIC_LDR = 0x0D0,
	LAPIC_DFR = 0x0E0,
	LAPIC_SVR = 0x0F0,
	LAPIC_ISR = 0x100,	/* eight registers, 0x10 apart */
	LAPIC_TMR = 0x180,
	LAPIC_IRR = 0x200,
	LAPIC_ESR = 0x280,
	LAPIC_ICR_LOW = 0x300,
	LAPIC_ICR_HIGH = 0x310,
	LAPIC_LVT_TIMER = 0x320,
	LAPIC_LVT_THERMAL = 0x330,
	LAPIC_LVT_PERF = 0x340,
	LAPIC_LVT_LINT0 = 0x350,
	LAPIC_LVT_LINT1 = 0x360,
	LAPIC_LVT_ERROR = 0x370,
	LAPIC_TIMER_INITIAL = 0x380,
	LAPIC_TIMER_CURRENT = 0x390,
	LAPIC_TIMER_DIVIDE = 0x3E0,
};

#define LAPIC_SVR_ENABLE	0x100
#define LAPIC_LVT_MASKED	0x10000
#define LAPIC_TIMER_ONESHOT	0x00000
#define LAPIC_TIMER_PERIODIC	0x20000
#define LAPIC_TIMER_TSC_DEADLINE 0x40000
#define SPURIOUS_VECTOR		0xFF

/* ICR low: delivery mode, destination mode, status, level, trigger and
 * destination shorthand. */
#define ICR_FIXED		0x00000
#define ICR_LOWEST		0x00100
#define ICR_INIT		0x00500
#define ICR_STARTUP		0x00600
#define ICR_LOGICAL		0x00800
#define ICR_BUSY		0x01000	/* delivery status: send pending */
#define ICR_ASSERT		0x04000
#define ICR_LEVEL		0x08000
#define ICR_SELF		0x40000
#define ICR_ALL		0x80000
#define ICR_ALL_BUT_SELF	0xC0000

#define MSR_APIC_BASE		0x1B
#define MSR_TSC_DEADLINE	0x6E0

static inline uint32_t lapic_read(uint32_t reg)
{
	return *(volatile uint32_t *)(LAPIC_BASE + reg);
}

static inline void lapic_write(uint32_t reg, uint32_t value)
{
	*(volatile uint32_t *)(LAPIC_BASE + reg) = value;
}

/* This processor's local APIC ID (bits 24-31 of the ID register). */
static inline uint32_t lapic_id(void)
{
	return lapic_read(LAPIC_ID) >> 24;
}

static inline void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

/* Whether vector's bit is set in the ISR, TMR or IRR bank at base. */
static inline int lapic_bit(uint32_t base, uint8_t vector)
{
	return (lapic_read(base + 0x10 * (vector >> 5)) >> (vector & 31)) & 1;
}

/*
 * Brings this processor's local APIC to a known state, whatever firmware
 * left (QEMU's SeaBIOS sets LINT0 to ExtINT and LINT1 to NMI on CPU 0):
 * every LVT entry masked, TPR 0, flat logical model with logical ID
 * 1 << apic_id, and software-enabled with spurious vector 0xFF.
 */
void lapic_init(void);

/* Sends an IPI: ICR high = destination << 24, then ICR low = low, and
 * waits (bounded) for the delivery status to clear. */
void ipi_send(uint32_t destination, uint32_t low);
/* Sends a fixed self-IPI with the "self" shorthand. */
void ipi_self(uint8_t vector);

/* ---- IO-APIC (MMIO at 0xFEC00000: IOREGSEL, then IOWIN at +0x10) ------- */

#define IOAPIC_BASE	0xFEC00000u
#define IOAPIC_REG_ID		0x00
#define IOAPIC_REG_VERSION	0x01
#define IOAPIC_REG_REDIR	0x10	/* pin n: 0x10 + 2n (low), +1 (high) */
#define IOAPIC_MASKED		0x10000
#define IOAPIC_LEVEL		0x08000
#define IOAPIC_REMOTE_IRR	0x04000
#define IOAPIC_DELIVERY_STATUS	0x01000

uint32_t ioapic_read(uint8_t reg);
void ioapic_write(uint8_t reg, uint32_t value);
/* Writes pin's redirection entry: high (destination) first, then low. */
void ioapic_set_entry(int pin, uint32_t low, uint32_t high);

/* Masks every input of both 8259s. QEMU's are live (SeaBIOS unmasks the
 * timer, and the PIT drives both the 8259 and IO-APIC pin 2), so the images
 * silence them; preemptlab's are not connected. */
void pic_mask_all(void);

/* ---- 8254 PIT channel 2 as a clock ------------------------------------- */

#define PIT_HZ 1193182u

/*
 * Busy-waits us microseconds (at most 54 ms) by running PIT channel 2 in
 * mode 0 and polling its output on port 0x61 bit 5. Channel 0 is left
 * alone. Interrupts may be taken meanwhile.
 */
void pit_delay_us(uint32_t us);

/*
 * A timeout in PIT time: deadline_start(&d, ms) arms channel 2, and
 * deadline_passed(&d) reports whether ms milliseconds have gone by (it
 * re-arms the channel in 1 ms steps). Only one deadline or delay may use
 * channel 2 at a time, and only CPU 0 uses it.
 */
struct deadline {
	uint32_t remaining_ms;
};
void deadline_start(struct deadline *d, uint32_t ms);
int deadline_passed(struct deadline *d);

/* Waits until *flag != 0 or ms milliseconds pass; returns whether the flag
 * was seen set. Runs with whatever IF the caller has. */
int wait_flag(volatile uint32_t *flag, uint32_t ms);
/* Waits until *counter >= target or ms milliseconds pass. */
int wait_count(volatile uint32_t *counter, uint32_t target, uint32_t ms);

/* ---- Interrupts -------------------------------------------------------- */

/* What an interrupt handler sees: the registers the stub saved, the vector,
 * and the CPU's frame (no error code: vectors 32-255 are interrupts). */
struct irq_frame {
	uint32_t edi, esi, ebp, esp_at_pushal, ebx, edx, ecx, eax;
	uint32_t vector;
	uint32_t eip, cs, eflags;
};

typedef void (*irq_handler)(struct irq_frame *frame);

/*
 * Installs the SDK's exception handlers (0-31) and interrupt gates for
 * vectors 32-255 that call the handler set with irq_set_handler, and loads
 * the IDT. Called once, on CPU 0; irq_load_idt loads the same table on
 * another processor. A vector with no handler prints a FAIL line and
 * exits. The gates are interrupt gates: handlers start with IF = 0 and may
 * sti. Handlers send their own EOI.
 */
void irq_init(void);
void irq_load_idt(void);
void irq_set_handler(uint8_t vector, irq_handler handler);

/* The spurious-interrupt vector's handler counts here (no EOI). */
extern volatile uint32_t spurious_count;

/* ---- The second processor ---------------------------------------------- */

#define TRAMPOLINE_ADDR		0x8000u	/* SIPI vector 0x08 */
#define TRAMPOLINE_VECTOR	(TRAMPOLINE_ADDR >> 12)

/* Filled in by the trampoline (smp_entry.S), read by the images. */
struct trampoline_report {
	uint32_t entries;	/* times the real-mode code ran */
	uint32_t real_mode_cs;	/* CS when it started */
};
extern volatile struct trampoline_report trampoline_report;

/*
 * Starts the processor whose APIC ID is apic_id at entry (which must not
 * return), as the MP specification says: copy the real-mode trampoline to
 * TRAMPOLINE_ADDR, send INIT (assert, then de-assert), wait 10 ms, send a
 * start-up IPI with vector TRAMPOLINE_VECTOR, wait 200 µs, send it again;
 * the delays are measured with the PIT. The new processor enters entry in
 * 32-bit protected mode on its own stack, with the flat GDT and the shared
 * IDT loaded and IF = 0. Returns 0 once entry has started running, or -1
 * if it did not within 1 s.
 */
int smp_start_ap(uint32_t apic_id, void (*entry)(void));

/* ---- Locks and counters ------------------------------------------------- */

typedef struct {
	volatile uint32_t next;		/* next ticket to hand out */
	volatile uint32_t owner;	/* ticket being served */
} ticket_lock;

static inline uint32_t atomic_xadd(volatile uint32_t *p, uint32_t v)
{
	__asm__ volatile("lock xaddl %0, %1" : "+r"(v), "+m"(*p) : : "memory");
	return v;
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" : : : "memory");
}

static inline void barrier(void)
{
	__asm__ volatile("" : : : "memory");
}

void ticket_lock_acquire(ticket_lock *l);
void ticket_lock_release(ticket_lock *l);

/* ---- Ordered event log ------------------------------------------------- */

/*
 * Handlers and the main code append short names to one log as things
 * happen; the image prints it afterwards as one line. Appending is done
 * with interrupts off, so a handler can log while interrupting a logger.
 */
void log_event(const char *name);
void log_print(const char *prefix);	/* "prefix: a b c\n" */
void log_clear(void);

/* ---- Misc --------------------------------------------------------------- */

static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b,
			 uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid"
			 : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
			 : "a"(leaf), "c"(0));
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v),
			 "d"((uint32_t)(v >> 32)) : "memory");
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* Counts a failed check: prints "FAIL what" and remembers it; smp_result
 * returns main's value (0 if nothing failed) and prints the final "OK" or
 * "FAILED n" line. */
void fail(const char *what);
int smp_result(void);

#endif /* SMP_H */
