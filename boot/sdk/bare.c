/*
 * bare.c — the C half of the bare-image SDK: console, printf, exit, memory
 * and string functions, IDT. See bare.h for the interface.
 */
#include "bare.h"

/* ---- Console ------------------------------------------------------------ */

/* 16550 registers, as offsets from the base port. */
enum {
	UART_DATA = 0,		/* THR on write, RBR on read; DLL when DLAB=1 */
	UART_IER = 1,		/* interrupt enable; DLM when DLAB=1 */
	UART_FCR = 2,		/* FIFO control (write) */
	UART_LCR = 3,		/* line control */
	UART_MCR = 4,		/* modem control */
	UART_LSR = 5,		/* line status */
};

#define UART_LCR_DLAB 0x80	/* divisor latch access */
#define UART_LCR_8N1 0x03	/* 8 data bits, no parity, 1 stop bit */
#define UART_LSR_THRE 0x20	/* transmit holding register empty */

void serial_init(void)
{
	outb(COM1_PORT + UART_IER, 0x00);		/* no interrupts */
	outb(COM1_PORT + UART_LCR, UART_LCR_DLAB);
	outb(COM1_PORT + UART_DATA, 1);			/* divisor 1: 115200 baud */
	outb(COM1_PORT + UART_IER, 0);
	outb(COM1_PORT + UART_LCR, UART_LCR_8N1);	/* also clears DLAB */
	outb(COM1_PORT + UART_FCR, 0xC7);	/* FIFOs on and cleared, 14-byte trigger */
	outb(COM1_PORT + UART_MCR, 0x03);	/* DTR, RTS; OUT2 off: no IRQ line */
}

int putchar(int c)
{
	while ((inb(COM1_PORT + UART_LSR) & UART_LSR_THRE) == 0)
		;
	outb(COM1_PORT + UART_DATA, (uint8_t)c);
	return (uint8_t)c;
}

int puts(const char *s)
{
	while (*s)
		putchar(*s++);
	putchar('\n');
	return 0;
}

/* ---- printf ------------------------------------------------------------- */

/*
 * Writes v in base 10 or 16 backwards from end and returns where the digits
 * start. Values that fit in 32 bits are converted with 32-bit arithmetic;
 * larger decimal values use libgcc's __udivdi3/__umoddi3.
 */
static char *format_unsigned(char *end, uint64_t v, unsigned base, int upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char *p = end;

	if (v <= 0xFFFFFFFFu) {
		uint32_t w = (uint32_t)v;
		do {
			*--p = digits[w % base];
			w /= base;
		} while (w != 0);
	} else if (base == 16) {
		do {
			*--p = digits[v & 15];
			v >>= 4;
		} while (v != 0);
	} else {
		do {
			*--p = digits[v % 10];
			v /= 10;
		} while (v != 0);
	}
	return p;
}

/* Writes n bytes of s, padded to width with pad (zeros go after the sign
 * prefix of length prefix_len, spaces before it or, if left, after all). */
static int emit_field(const char *s, int n, int prefix_len, int width,
		      int left, char pad)
{
	int fill = width > n ? width - n : 0;
	int i;

	if (!left && pad == ' ')
		for (i = 0; i < fill; i++)
			putchar(' ');
	for (i = 0; i < prefix_len; i++)
		putchar(s[i]);
	if (!left && pad == '0')
		for (i = 0; i < fill; i++)
			putchar('0');
	for (i = prefix_len; i < n; i++)
		putchar(s[i]);
	if (left)
		for (i = 0; i < fill; i++)
			putchar(' ');
	return n + fill;
}

int vprintf(const char *f, va_list args)
{
	char buf[24];			/* "-" and 20 decimal digits fit */
	char *end = buf + sizeof buf;
	int count = 0;

	for (; *f != '\0'; f++) {
		int left = 0, width = 0, longs = 0;
		char pad = ' ';
		uint64_t u;
		int64_t s;
		char *p;
		const char *str;

		if (*f != '%') {
			putchar(*f);
			count++;
			continue;
		}
		f++;
		for (;; f++) {
			if (*f == '-')
				left = 1;
			else if (*f == '0')
				pad = '0';
			else
				break;
		}
		if (*f == '*') {
			width = va_arg(args, int);
			if (width < 0) {
				left = 1;
				width = -width;
			}
			f++;
		}
		while (*f >= '0' && *f <= '9')
			width = width * 10 + (*f++ - '0');
		while (*f == 'l') {
			longs++;
			f++;
		}
		if (left)
			pad = ' ';

		switch (*f) {
		case 'd':
		case 'i':
			s = longs >= 2 ? va_arg(args, int64_t) : va_arg(args, int32_t);
			u = s < 0 ? -(uint64_t)s : (uint64_t)s;
			p = format_unsigned(end, u, 10, 0);
			if (s < 0)
				*--p = '-';
			count += emit_field(p, end - p, s < 0, width, left, pad);
			break;
		case 'u':
		case 'x':
		case 'X':
			u = longs >= 2 ? va_arg(args, uint64_t) : va_arg(args, uint32_t);
			p = format_unsigned(end, u, *f == 'u' ? 10 : 16, *f == 'X');
			count += emit_field(p, end - p, 0, width, left, pad);
			break;
		case 'p':
			p = format_unsigned(end, (uintptr_t)va_arg(args, void *), 16, 0);
			while (p > end - 8)
				*--p = '0';
			*--p = 'x';
			*--p = '0';
			count += emit_field(p, end - p, 2, width, left, pad);
			break;
		case 'c':
			buf[0] = (char)va_arg(args, int);
			count += emit_field(buf, 1, 0, width, left, ' ');
			break;
		case 's':
			str = va_arg(args, const char *);
			if (str == NULL)
				str = "(null)";
			count += emit_field(str, (int)strlen(str), 0, width, left, ' ');
			break;
		case '%':
			putchar('%');
			count++;
			break;
		case '\0':		/* a lone '%' ends the format */
			putchar('%');
			return count + 1;
		default:		/* unknown: print it as written */
			putchar('%');
			putchar(*f);
			count += 2;
			break;
		}
	}
	return count;
}

int printf(const char *format, ...)
{
	va_list args;
	int n;

	va_start(args, format);
	n = vprintf(format, args);
	va_end(args);
	return n;
}

/* ---- Exit --------------------------------------------------------------- */

void exit_qemu(int code)
{
	outb(DEBUG_EXIT_PORT, (uint8_t)code);
	for (;;)
		__asm__ volatile("cli; hlt");
}

/* ---- Memory and strings ------------------------------------------------- */

/*
 * The copies and fills use REP MOVSB/STOSB: one instruction for the whole
 * block, which an emulator can run as a loop of its own. start.S leaves the
 * direction flag clear; memmove sets it only for the duration of a
 * backward copy.
 */

void *memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;

	__asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	if ((uintptr_t)dst - (uintptr_t)src >= n)
		return memcpy(dst, src, n);	/* no harmful overlap */

	/* dst lies inside [src, src+n): copy from the last byte down. */
	void *d = (char *)dst + n - 1;
	const void *s = (const char *)src + n - 1;
	__asm__ volatile("std\n\trep movsb\n\tcld"
			 : "+D"(d), "+S"(s), "+c"(n) : : "memory", "cc");
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	void *d = dst;

	__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	for (; n != 0; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p != '\0')
		p++;
	return p - s;
}

int strcmp(const char *a, const char *b)
{
	while (*a != '\0' && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

/* ---- Interrupt descriptor table ----------------------------------------- */

struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t zero;
	uint8_t type;
	uint16_t offset_high;
} __attribute__((packed));

static struct idt_gate idt[256] __attribute__((aligned(8)));

void idt_set_gate(uint8_t vector, void (*handler)(void), uint8_t type)
{
	uint32_t offset = (uint32_t)handler;

	idt[vector].offset_low = offset & 0xFFFF;
	idt[vector].selector = KERNEL_CS;
	idt[vector].zero = 0;
	idt[vector].type = type;
	idt[vector].offset_high = offset >> 16;
}

void idt_load(void)
{
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) descriptor = {
		sizeof idt - 1, (uint32_t)idt
	};

	__asm__ volatile("lidt %0" : : "m"(descriptor));
}

/* The 32 entry stubs of start.S, in vector order. */
extern void (*const exception_stubs[32])(void);

void idt_install_exception_handlers(void)
{
	for (int v = 0; v < 32; v++)
		idt_set_gate(v, exception_stubs[v], IDT_INTERRUPT_GATE);
	idt_load();
}

static const char *const exception_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint",
	"#OF overflow", "#BR bound range", "#UD invalid opcode",
	"#NM device not available", "#DF double fault",
	"coprocessor segment overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack fault",
	"#GP general protection", "#PF page fault", "reserved",
	"#MF x87 error", "#AC alignment check", "#MC machine check",
	"#XM SIMD error", "#VE virtualisation", "#CP control protection",
};

/* Called by start.S's exception_common; prints the frame and exits. */
void bare_exception(struct trap_frame *f) __attribute__((noreturn));

void bare_exception(struct trap_frame *f)
{
	const char *name = f->vector < 32 ? exception_names[f->vector] : NULL;

	printf("\nEXCEPTION %u (%s) error=%08x at %04x:%08x eflags=%08x\n",
	       f->vector, name != NULL ? name : "reserved", f->error_code,
	       f->cs, f->eip, f->eflags);
	printf("eax=%08x ebx=%08x ecx=%08x edx=%08x\n",
	       f->eax, f->ebx, f->ecx, f->edx);
	printf("esi=%08x edi=%08x ebp=%08x esp=%08x\n",
	       f->esi, f->edi, f->ebp, f->esp_at_pushal + 20);
	printf("FAIL exception %u\n", f->vector);
	exit_qemu(EXIT_EXCEPTION);
}
