/*
 * race — both processors update shared memory at once.
 *
 * After CPU 1 is up, the two processors meet at a start line and each
 * does the same work on the same variables:
 *
 *   plain        ITERATIONS x counter = counter + 1 (load, add, store: not
 *                atomic, so updates can be lost)
 *   lock xadd    ITERATIONS x lock xadd
 *   lock inc     ITERATIONS x lock incl
 *   cmpxchg8b    LOCKED x a 64-bit add by lock cmpxchg8b retry loop
 *   ticket lock  LOCKED x two counters bumped inside a ticket lock (lock
 *                xadd for the ticket), checking they stay equal
 *   xchg lock    LOCKED x a counter inside a test-and-set lock (xchg)
 *
 * Then CPU 1 sends MESSAGES numbers through a 16-slot ring that CPU 0
 * reads, checking order and sum (x86 stores are seen in order).
 *
 * Everything locked is exact. How many plain updates were lost depends on
 * how the processors interleave — on QEMU, on the host's scheduling — so
 * that total is printed only on a line beginning "nondeterministic:",
 * which the tests leave out of the comparison with QEMU. On preemptlab it
 * is still the same on every run (smp_test.go checks).
 */
#include "smp.h"

#define ITERATIONS	100000
#define LOCKED		1000
#define MESSAGES	1000
#define RING		16

static volatile uint32_t plain_counter, xadd_counter, inc_counter;
static volatile uint64_t wide_counter;
static ticket_lock ticket;
static volatile uint32_t guarded_a, guarded_b, invariant_broken;
static volatile uint32_t xchg_word, xchg_counter;

static volatile uint32_t ap_ready, go, ap_done, ring_done;
static volatile uint32_t ring[RING];
static volatile uint32_t ring_head, ring_tail;	/* written by CPU 1, CPU 0 */

static void wide_add(volatile uint64_t *p, uint64_t delta)
{
	uint64_t old = *p, new;
	uint8_t ok;

	do {
		new = old + delta;
		__asm__ volatile("lock cmpxchg8b %1; sete %0"
				 : "=q"(ok), "+m"(*p), "+A"(old)
				 : "b"((uint32_t)new), "c"((uint32_t)(new >> 32))
				 : "memory", "cc");
	} while (!ok);
}

static uint32_t xchg(volatile uint32_t *p, uint32_t v)
{
	__asm__ volatile("xchgl %0, %1" : "+r"(v), "+m"(*p) : : "memory");
	return v;
}

static void work(void)
{
	/* The plain loop has no locked instruction in it, so nothing in it
	 * orders the processors' memory accesses. */
	for (uint32_t i = 0; i < ITERATIONS; i++)
		plain_counter = plain_counter + 1;
	for (uint32_t i = 0; i < ITERATIONS; i++) {
		atomic_xadd(&xadd_counter, 1);
		__asm__ volatile("lock incl %0" : "+m"(inc_counter) : : "memory");
	}
	for (uint32_t i = 0; i < LOCKED; i++) {
		wide_add(&wide_counter, 0x100000001ull);

		ticket_lock_acquire(&ticket);
		uint32_t a = guarded_a;
		guarded_a = a + 1;
		if (guarded_b != a)
			invariant_broken++;
		guarded_b = a + 1;
		ticket_lock_release(&ticket);

		while (xchg(&xchg_word, 1) != 0)
			while (xchg_word != 0)
				cpu_relax();
		xchg_counter = xchg_counter + 1;
		barrier();
		xchg_word = 0;
	}
}

static void ap_main(void)
{
	lapic_init();
	ap_ready = 1;
	while (!go)
		cpu_relax();
	work();
	ap_done = 1;

	for (uint32_t n = 0; n < MESSAGES; n++) {
		while (ring_head - ring_tail == RING)
			cpu_relax();
		ring[ring_head % RING] = n;
		barrier();
		ring_head = ring_head + 1;
	}
	ring_done = 1;
	for (;;)
		__asm__ volatile("cli; hlt");
}

int main(uint32_t magic, void *info)
{
	(void)magic;
	(void)info;
	puts("image race");
	irq_init();
	pic_mask_all();
	lapic_init();
	if (smp_start_ap(1, ap_main) != 0 || !wait_flag(&ap_ready, 1000)) {
		fail("cpu 1 did not start within 1 s");
		return smp_result();
	}
	puts("cpu 1 is up; both processors start together");
	go = 1;
	work();
	if (!wait_flag(&ap_done, 10000)) {
		fail("cpu 1 did not finish within 10 s");
		return smp_result();
	}

	uint32_t want = 2 * ITERATIONS, want_locked = 2 * LOCKED;
	printf("lock xadd: %u (want %u)\n", xadd_counter, want);
	printf("lock inc: %u (want %u)\n", inc_counter, want);
	printf("lock cmpxchg8b: %08x %08x (want %08x %08x)\n",
	       (uint32_t)(wide_counter >> 32), (uint32_t)wide_counter,
	       want_locked, want_locked);
	printf("ticket lock: %u and %u (want %u), invariant broken %u times\n",
	       guarded_a, guarded_b, want_locked, invariant_broken);
	printf("xchg lock: %u (want %u)\n", xchg_counter, want_locked);
	if (xadd_counter != want || inc_counter != want ||
	    wide_counter != ((uint64_t)want_locked << 32 | want_locked) ||
	    guarded_a != want_locked || guarded_b != want_locked ||
	    invariant_broken || xchg_counter != want_locked)
		fail("a locked total is wrong");
	printf("nondeterministic: plain counter %u of %u (%u updates lost)\n",
	       plain_counter, want, want - plain_counter);
	printf("plain counter: at most %u: %s\n", want,
	       plain_counter <= want ? "yes" : "no");
	if (plain_counter > want)
		fail("the plain counter gained updates");

	uint32_t received = 0, out_of_order = 0, sum = 0;
	struct deadline d;
	deadline_start(&d, 10000);
	while (received < MESSAGES && !deadline_passed(&d)) {
		if (ring_tail == ring_head) {
			cpu_relax();
			continue;
		}
		uint32_t n = ring[ring_tail % RING];
		barrier();
		ring_tail = ring_tail + 1;
		if (n != received)
			out_of_order++;
		sum += n;
		received++;
	}
	printf("ring: %u messages from cpu 1, %u out of order, sum %u (want "
	       "%u)\n", received, out_of_order, sum,
	       MESSAGES * (MESSAGES - 1) / 2);
	if (received != MESSAGES || out_of_order ||
	    sum != MESSAGES * (MESSAGES - 1) / 2)
		fail("ring");
	return smp_result();
}
