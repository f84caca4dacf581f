/*
 * preemptlab.c — the C half of the kernel SDK: formatted output (printk,
 * printf, snprintf), syscall(), the command line helpers, and the memory
 * and string functions GCC expects. See preemptlab.h.
 *
 * Everything here runs in kernel or user mode alike: it only calls the
 * kernel through int $0x80.
 */
#include "preemptlab.h"

/* ---- Memory and strings ------------------------------------------------- */

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	if (d < s) {
		while (n--)
			*d++ = *s++;
	} else {
		while (n--)
			d[n] = s[n];
	}
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	for (; n--; x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n > 0; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (*a == '\0')
			return 0;
	}
	return 0;
}

/* ---- Formatting ---------------------------------------------------------- */

/* out appends to a bounded buffer, counting what would have been written. */
struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static char *format_unsigned(char *end, u64 v, unsigned base, int upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char *p = end;
	if (v <= 0xFFFFFFFFu) {
		u32 w = (u32)v;
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

static void field(struct out *o, const char *s, int n, int prefix, int width, int left, char pad)
{
	int fill = width > n ? width - n : 0, i;
	if (!left && pad == ' ')
		for (i = 0; i < fill; i++)
			put(o, ' ');
	for (i = 0; i < prefix; i++)
		put(o, s[i]);
	if (!left && pad == '0')
		for (i = 0; i < fill; i++)
			put(o, '0');
	for (i = prefix; i < n; i++)
		put(o, s[i]);
	if (left)
		for (i = 0; i < fill; i++)
			put(o, ' ');
}

int vsnprintf(char *buf, size_t size, const char *f, va_list args)
{
	struct out o = { buf, size, 0 };
	char num[24];
	char *end = num + sizeof num;

	for (; *f; f++) {
		int left = 0, width = 0, longs = 0;
		char pad = ' ';
		u64 u;
		s64 s;
		char *p;
		const char *str;

		if (*f != '%') {
			put(&o, *f);
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
			s = longs >= 2 ? va_arg(args, s64) : va_arg(args, s32);
			u = s < 0 ? -(u64)s : (u64)s;
			p = format_unsigned(end, u, 10, 0);
			if (s < 0)
				*--p = '-';
			field(&o, p, end - p, s < 0, width, left, pad);
			break;
		case 'u':
		case 'x':
		case 'X':
			u = longs >= 2 ? va_arg(args, u64) : va_arg(args, u32);
			p = format_unsigned(end, u, *f == 'u' ? 10 : 16, *f == 'X');
			field(&o, p, end - p, 0, width, left, pad);
			break;
		case 'p':
			p = format_unsigned(end, (uintptr_t)va_arg(args, void *), 16, 0);
			while (p > end - 8)
				*--p = '0';
			*--p = 'x';
			*--p = '0';
			field(&o, p, end - p, 2, width, left, pad);
			break;
		case 'c':
			num[0] = (char)va_arg(args, int);
			field(&o, num, 1, 0, width, left, ' ');
			break;
		case 's':
			str = va_arg(args, const char *);
			if (str == NULL)
				str = "(null)";
			field(&o, str, (int)strlen(str), 0, width, left, ' ');
			break;
		case '%':
			put(&o, '%');
			break;
		case '\0':
			put(&o, '%');
			f--;
			break;
		default:
			put(&o, '%');
			put(&o, *f);
			break;
		}
	}
	if (size > 0)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int snprintf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	int r;
	va_start(ap, fmt);
	r = vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return r;
}

/* One line of output at most this long is written whole (Linux's printk
 * has LOG_LINE_MAX 1024). */
#define LINE_MAX 1024

int printk(const char *fmt, ...)
{
	char buf[LINE_MAX];
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof buf)
		n = sizeof buf - 1;
	__pl_call2(__PL_console_write, (long)buf, n);
	return n;
}

int printf(const char *fmt, ...)
{
	char buf[LINE_MAX];
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof buf)
		n = sizeof buf - 1;
	return write(1, buf, n);
}

long syscall(long nr, ...)
{
	va_list ap;
	long a, b, c, d, e;
	va_start(ap, nr);
	a = va_arg(ap, long);
	b = va_arg(ap, long);
	c = va_arg(ap, long);
	d = va_arg(ap, long);
	e = va_arg(ap, long);
	va_end(ap);
	return __pl_call5(nr, a, b, c, d, e);
}

/* ---- The command line ---------------------------------------------------- */

static char cmdline[512];
static int cmdline_read;

static const char *the_cmdline(void)
{
	if (!cmdline_read) {
		get_cmdline(cmdline, sizeof cmdline);
		cmdline_read = 1;
	}
	return cmdline;
}

/* find returns where word (followed by '=' if eq) starts a word of the
 * command line, or NULL. */
static const char *find(const char *word, int eq)
{
	const char *s = the_cmdline();
	size_t n = strlen(word);
	while (*s) {
		while (*s == ' ')
			s++;
		if (strncmp(s, word, n) == 0 && (eq ? s[n] == '=' : (s[n] == ' ' || s[n] == '\0')))
			return s + n + eq;
		while (*s && *s != ' ')
			s++;
	}
	return NULL;
}

int cmdline_has(const char *word)
{
	return find(word, 0) != NULL;
}

long cmdline_int(const char *key, long def)
{
	const char *v = find(key, 1);
	long n = 0;
	int neg = 0;
	if (v == NULL || *v == '\0' || *v == ' ')
		return def;
	if (*v == '-')
		neg = 1, v++;
	while (*v >= '0' && *v <= '9')
		n = n * 10 + (*v++ - '0');
	return neg ? -n : n;
}
