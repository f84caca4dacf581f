/*
 * sipi — bringing up the second processor as the MP specification says.
 *
 * CPU 0 copies the real-mode trampoline (smp_entry.S) to 0x8000, sends
 * INIT (assert, de-assert), waits 10 ms, and sends a start-up IPI with
 * vector 0x08 twice, 200 µs apart (delays measured with PIT channel 2).
 * CPU 1 starts in real mode at 0800:0000, sets DS, loads a GDT, sets
 * CR0.PE, far-jumps to 32-bit code, loads its segments and stack and
 * enters C. It reads its APIC ID from its own local APIC (0xFEE00020),
 * prints what it sees and sets a flag; CPU 0 waits for the flag (1 s at
 * most) and prints last. Only one processor prints at a time.
 *
 * The second start-up IPI must be ignored: the processor has left the
 * wait-for-SIPI state (or both requests merge into one start), so the
 * trampoline runs exactly once.
 */
#include "smp.h"

static volatile uint32_t ap_done;

static uint32_t read_cr0(void)
{
	uint32_t v;

	__asm__ volatile("movl %%cr0, %0" : "=r"(v));
	return v;
}

static uint32_t cpuid_apic_id(void)
{
	uint32_t a, b, c, d;

	cpuid(1, &a, &b, &c, &d);
	return b >> 24;
}

/* What each processor says about itself. */
static void report(const char *who)
{
	uint32_t msr = (uint32_t)rdmsr(MSR_APIC_BASE);

	printf("%s: apic id %u (cpuid %u), apic base msr %08x: base %08x, "
	       "enabled %u, bsp %u\n", who, lapic_id(), cpuid_apic_id(), msr,
	       msr & 0xFFFFF000, (msr >> 11) & 1, (msr >> 8) & 1);
	printf("%s: protected mode %u, interrupts %s\n", who,
	       read_cr0() & 1, read_eflags() & 0x200 ? "on" : "off");
}

static void ap_main(void)
{
	printf("cpu1: started: trampoline ran %u time(s), real-mode cs %04x\n",
	       trampoline_report.entries, trampoline_report.real_mode_cs);
	report("cpu1");
	lapic_init();
	printf("cpu1: local apic enabled, svr %08x, ldr %08x\n",
	       lapic_read(LAPIC_SVR), lapic_read(LAPIC_LDR));
	ap_done = 1;
	for (;;)
		__asm__ volatile("cli; hlt");
}

int main(uint32_t magic, void *info)
{
	(void)info;
	puts("image sipi");
	if (magic != MULTIBOOT_BOOTLOADER_MAGIC)
		fail("multiboot magic");
	irq_init();
	pic_mask_all();
	lapic_init();
	report("cpu0");

	if (smp_start_ap(1, ap_main) != 0) {
		fail("cpu 1 did not start within 1 s");
		return smp_result();
	}
	if (!wait_flag(&ap_done, 1000)) {
		fail("cpu 1 did not finish within 1 s");
		return smp_result();
	}
	printf("cpu0: cpu 1 is up; trampoline ran %u time(s) after two "
	       "start-up IPIs\n", trampoline_report.entries);
	if (trampoline_report.entries != 1)
		fail("the trampoline ran more than once");
	return smp_result();
}
