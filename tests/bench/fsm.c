/*
 * fsm — state machines over bytes, as parsers and protocol code are: a
 * tokenizer for a C-like text (identifiers, numbers, operators, comments,
 * strings) driven by a character-class table and a switch on the state,
 * and run-length encoding and decoding of the text.
 */
#include "bench.h"

#define ROUNDS 25
#define LEN 8192

static char text[LEN];
static uint8_t packed[2 * LEN], unpacked[LEN];
static uint8_t cls[256];

enum { C_OTHER, C_ALPHA, C_DIGIT, C_SPACE, C_SLASH, C_STAR, C_QUOTE, C_OP };
enum { S_START, S_IDENT, S_NUMBER, S_SLASH, S_COMMENT, S_STAR, S_STRING };

static const char alphabet[] = "int x = y1 + 42; /* note */ while (a<b) s = \"str\"; f(3*z)/q;\n";

static void classes(void)
{
	for (int c = 0; c < 256; c++) {
		uint8_t k = C_OTHER;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
			k = C_ALPHA;
		else if (c >= '0' && c <= '9')
			k = C_DIGIT;
		else if (c == ' ' || c == '\n' || c == '\t')
			k = C_SPACE;
		else if (c == '/')
			k = C_SLASH;
		else if (c == '*')
			k = C_STAR;
		else if (c == '"')
			k = C_QUOTE;
		else if (c == '+' || c == '-' || c == '=' || c == '<' || c == ';' || c == '(' || c == ')')
			k = C_OP;
		cls[c] = k;
	}
}

/* tokens returns a checksum of the token kinds and lengths in text. */
static uint32_t tokens(const char *p, int n)
{
	uint32_t h = 0;
	int state = S_START, len = 0;

	for (int i = 0; i < n; i++) {
		uint8_t ch = (uint8_t)p[i], k = cls[ch];
		len++;
		switch (state) {
		case S_START:
			len = 1;
			if (k == C_ALPHA)
				state = S_IDENT;
			else if (k == C_DIGIT)
				state = S_NUMBER;
			else if (k == C_SLASH)
				state = S_SLASH;
			else if (k == C_QUOTE)
				state = S_STRING;
			else if (k == C_OP)
				h = h * 31 + ch;
			break;
		case S_IDENT:
			if (k != C_ALPHA && k != C_DIGIT) {
				h = h * 31 + 1000 + len;
				state = S_START, i--;
			}
			break;
		case S_NUMBER:
			if (k != C_DIGIT) {
				h = h * 31 + 2000 + len;
				state = S_START, i--;
			}
			break;
		case S_SLASH:
			if (k == C_STAR)
				state = S_COMMENT;
			else {
				h = h * 31 + '/';
				state = S_START, i--;
			}
			break;
		case S_COMMENT:
			if (k == C_STAR)
				state = S_STAR;
			break;
		case S_STAR:
			if (k == C_SLASH) {
				h = h * 31 + 3000 + len;
				state = S_START;
			} else if (k != C_STAR)
				state = S_COMMENT;
			break;
		case S_STRING:
			if (k == C_QUOTE) {
				h = h * 31 + 4000 + len;
				state = S_START;
			}
			break;
		}
	}
	return h;
}

static int rle_encode(const uint8_t *in, int n, uint8_t *out)
{
	int o = 0;
	for (int i = 0; i < n;) {
		uint8_t b = in[i];
		int run = 1;
		while (i + run < n && in[i + run] == b && run < 255)
			run++;
		out[o++] = (uint8_t)run;
		out[o++] = b;
		i += run;
	}
	return o;
}

static int rle_decode(const uint8_t *in, int n, uint8_t *out)
{
	int o = 0;
	for (int i = 0; i < n; i += 2)
		for (uint8_t k = 0; k < in[i]; k++)
			out[o++] = in[i + 1];
	return o;
}

int main(uint32_t magic, void *info)
{
	uint32_t seed = 4242, h = 0x811C9DC5u;

	int n = rounds(magic, info, ROUNDS);

	idt_install_exception_handlers();
	classes();
	for (int r = 0; r < n; r++) {
		for (int i = 0; i < LEN;) {
			int start = (int)(rnd(&seed) % (sizeof alphabet - 1));
			int n = (int)(rnd(&seed) % 24) + 1;
			for (int k = 0; k < n && i < LEN; k++, i++)
				text[i] = alphabet[(start + k) % (sizeof alphabet - 1)];
			for (int k = (int)(rnd(&seed) % 4); k > 0 && i < LEN; k--, i++)
				text[i] = ' ';
		}
		h = mix(h, tokens(text, LEN));
		int np = rle_encode((const uint8_t *)text, LEN, packed);
		int nu = rle_decode(packed, np, unpacked);
		h = mix(h, (uint32_t)np);
		h = mix(h, (uint32_t)nu ^ (memcmp(unpacked, text, LEN) != 0));
	}
	return report("fsm", h);
}
