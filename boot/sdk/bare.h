/*
 * bare.h — what a bare preemptlab image needs: port I/O, a COM1 console with
 * a small printf, exit through QEMU's isa-debug-exit device, the memory and
 * string functions GCC expects, and a minimal IDT helper.
 *
 * A bare image is a multiboot ELF that runs on the emulated PC (or on
 * `qemu-system-i386 -kernel`) without the preemptlab kernel. start.S sets up
 * a stack and a flat GDT, initialises the serial port and calls
 *
 *	int main(uint32_t magic, void *info);
 *
 * whose return value becomes the exit status: QEMU (and preemptlab) exit
 * with status (value << 1) | 1, so returning 0 gives status 1.
 *
 * Everything here is freestanding C for gcc -m32 -march=i686
 * -mgeneral-regs-only: no floating point, no SSE, no libc. 64-bit division
 * comes from libgcc, which the image links with -lgcc.
 *
 * Output is byte-exact: '\n' is sent as one byte, with no '\r' added.
 */
#ifndef BARE_H
#define BARE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* EAX at entry, passed to main as magic, when a multiboot v1 loader ran. */
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002u

/* The start of the multiboot v1 information structure (the loader's view
 * of the machine); which fields are valid is said by the bits of flags. */
struct multiboot_info {
	uint32_t flags;
	uint32_t mem_lower;	/* KiB below 1 MiB, if flags bit 0 */
	uint32_t mem_upper;	/* KiB above 1 MiB, if flags bit 0 */
	uint32_t boot_device;	/* if flags bit 1 */
	uint32_t cmdline;	/* physical address of a C string, if bit 2 */
	uint32_t mods_count;	/* if flags bit 3 */
	uint32_t mods_addr;
	uint32_t syms[4];	/* if flags bit 4 or 5 */
	uint32_t mmap_length;	/* if flags bit 6 */
	uint32_t mmap_addr;
};

/* ---- Port I/O ---------------------------------------------------------- */

static inline void outb(uint16_t port, uint8_t value)
{
	__asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t value)
{
	__asm__ volatile("outw %0, %1" : : "a"(value), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t value)
{
	__asm__ volatile("outl %0, %1" : : "a"(value), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t value;
	__asm__ volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
	return value;
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t value;
	__asm__ volatile("inw %1, %0" : "=a"(value) : "Nd"(port));
	return value;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t value;
	__asm__ volatile("inl %1, %0" : "=a"(value) : "Nd"(port));
	return value;
}

/* ---- Processor --------------------------------------------------------- */

static inline void cli(void) { __asm__ volatile("cli" : : : "memory"); }
static inline void sti(void) { __asm__ volatile("sti" : : : "memory"); }
static inline void hlt(void) { __asm__ volatile("hlt" : : : "memory"); }

static inline uint32_t read_eflags(void)
{
	uint32_t flags;
	__asm__ volatile("pushfl; popl %0" : "=r"(flags));
	return flags;
}

/* ---- Console: COM1, a 16550 UART at 0x3F8, 115200 baud 8N1 ------------- */

#define COM1_PORT 0x3F8

void serial_init(void);		/* called by start.S before main */
int putchar(int c);		/* writes one byte; returns c */
int puts(const char *s);	/* writes s and a '\n', as C's puts */
int printf(const char *format, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *format, va_list args);

/*
 * printf understands: %d %i %u %x %X %c %s %p %%, the flags '-' and '0',
 * a field width (digits or '*'), the length modifiers l (32-bit, as int)
 * and ll (64-bit), e.g. %08x, %-6s, %lld, %llu, %016llx. %p prints 0x and
 * eight hex digits. Anything else is printed as written.
 */

/* ---- Exit -------------------------------------------------------------- */

#define DEBUG_EXIT_PORT 0xF4
/* Exit value used by the default exception handlers (status 255). */
#define EXIT_EXCEPTION 0x7F

/* Writes code to isa-debug-exit, so QEMU exits with status (code << 1) | 1;
 * halts forever if nothing is listening on the port. */
void exit_qemu(int code) __attribute__((noreturn));

/* ---- Memory and strings (GCC may also call these for struct copies) ----- */

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);

/* ---- Interrupt descriptor table ----------------------------------------- */

#define KERNEL_CS 0x08		/* the code selector of start.S's GDT */
#define KERNEL_DS 0x10		/* its data selector */

/* Gate types for idt_set_gate: present, DPL 0, 32-bit. An interrupt gate
 * clears IF on entry, a trap gate leaves it. OR in IDT_DPL3 to allow INT n
 * from ring 3. */
#define IDT_INTERRUPT_GATE 0x8E
#define IDT_TRAP_GATE 0x8F
#define IDT_DPL3 0x60

/* Points vector at handler (an assembly entry that ends in iret) through
 * selector KERNEL_CS. The table takes effect after idt_load. */
void idt_set_gate(uint8_t vector, void (*handler)(void), uint8_t type);
/* Loads the SDK's 256-entry IDT with lidt. */
void idt_load(void);

/*
 * Installs handlers for exceptions 0-31 that print the vector, error code,
 * registers and faulting EIP on the console and exit with EXIT_EXCEPTION,
 * then loads the IDT. Images call it first so that a fault is reported
 * rather than ending in a triple fault.
 */
void idt_install_exception_handlers(void);

/* What the default exception handlers see on the stack. */
struct trap_frame {
	uint32_t edi, esi, ebp, esp_at_pushal, ebx, edx, ecx, eax; /* pushal */
	uint32_t vector, error_code;	/* pushed by the stub */
	uint32_t eip, cs, eflags;	/* pushed by the CPU */
};

#endif /* BARE_H */
