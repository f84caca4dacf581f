//go:build ignore
/*
 * hash.c — CRC32, FNV-1a (32 and 64 bit) and SHA-256: first against known
 * answers, then over LCG-generated data of many lengths, hashed in one piece
 * and again in pieces of random length (which must agree), the table CRC
 * against the bitwise one.
 */
#include "lib.h"

static int failures;

static void check32(const char *what, uint32_t got, uint32_t want)
{
	printf("%-24s %08x %s\n", what, got, got == want ? "ok" : "MISMATCH");
	if (got != want)
		failures++;
}

static void check64(const char *what, uint64_t got, uint64_t want)
{
	printf("%-24s %016llx %s\n", what, got, got == want ? "ok" : "MISMATCH");
	if (got != want)
		failures++;
}

static int hexval(char c)
{
	return c <= '9' ? c - '0' : c - 'a' + 10;
}

static void check_sha256(const char *what, const char *message, size_t n,
			 const char *want_hex)
{
	uint8_t got[32];
	int ok = 1;

	sha256(message, n, got);
	for (int i = 0; i < 32; i++)
		if (got[i] != (hexval(want_hex[2 * i]) << 4 | hexval(want_hex[2 * i + 1])))
			ok = 0;
	printf("%-24s ", what);
	print_digest(got);
	printf(" %s\n", ok ? "ok" : "MISMATCH");
	if (!ok)
		failures++;
}

static void known_answers(void)
{
	static const char abc448[] =
		"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	static const char abc896[] =
		"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
		"hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";

	check32("crc32(\"\")", crc32("", 0), 0);
	check32("crc32(\"123456789\")", crc32("123456789", 9), 0xCBF43926);
	check32("crc32_bitwise(\"123...\")", crc32_bitwise(0, "123456789", 9), 0xCBF43926);
	check32("fnv1a32(\"\")", fnv1a32(FNV32_OFFSET, "", 0), 0x811C9DC5);
	check32("fnv1a32(\"a\")", fnv1a32(FNV32_OFFSET, "a", 1), 0xE40C292C);
	check32("fnv1a32(\"foobar\")", fnv1a32(FNV32_OFFSET, "foobar", 6), 0xBF9CF968);
	check64("fnv1a64(\"a\")", fnv1a64(FNV64_OFFSET, "a", 1), 0xAF63DC4C8601EC8Cull);
	check64("fnv1a64(\"foobar\")", fnv1a64(FNV64_OFFSET, "foobar", 6), 0x85944171F73967E8ull);
	check_sha256("sha256(\"\")", "", 0,
		     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	check_sha256("sha256(\"abc\")", "abc", 3,
		     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	check_sha256("sha256(448 bits)", abc448, sizeof abc448 - 1,
		     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	check_sha256("sha256(896 bits)", abc896, sizeof abc896 - 1,
		     "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static uint8_t data[65536];

/* Hashes data[0..n) in pieces of LCG-chosen length 1..97 and returns
 * whether every hash agrees with the one-piece results. */
static int agrees_in_pieces(size_t n, uint32_t seed, uint32_t crc, uint32_t fnv32,
			    uint64_t fnv64, const uint8_t digest[32])
{
	uint32_t c = 0, f32 = FNV32_OFFSET;
	uint64_t f64 = FNV64_OFFSET;
	struct sha256 s;
	uint8_t d[32];
	size_t at = 0;

	sha256_init(&s);
	while (at < n) {
		size_t piece = lcg32(&seed) % 97 + 1;
		if (piece > n - at)
			piece = n - at;
		c = crc32_update(c, data + at, piece);
		f32 = fnv1a32(f32, data + at, piece);
		f64 = fnv1a64(f64, data + at, piece);
		sha256_update(&s, data + at, piece);
		at += piece;
	}
	sha256_final(&s, d);
	return c == crc && f32 == fnv32 && f64 == fnv64 && memcmp(d, digest, 32) == 0;
}

static void generated_data(void)
{
	static const uint32_t lengths[] = {
		0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 55, 56, 57, 63, 64, 65,
		100, 119, 120, 127, 128, 129, 255, 256, 1000, 4095, 4096, 4097,
		65536,
	};
	uint32_t summary = FNV32_OFFSET;

	for (size_t i = 0; i < sizeof lengths / sizeof lengths[0]; i++) {
		uint32_t n = lengths[i];
		uint8_t digest[32];

		lcg_fill(data, n, n * 2654435761u + 1);
		uint32_t crc = crc32(data, n);
		uint32_t crc_bits = crc32_bitwise(0, data, n);
		uint32_t f32 = fnv1a32(FNV32_OFFSET, data, n);
		uint64_t f64 = fnv1a64(FNV64_OFFSET, data, n);
		sha256(data, n, digest);
		int pieces = agrees_in_pieces(n, n + 7, crc, f32, f64, digest);

		printf("len %5u crc32 %08x fnv32 %08x fnv64 %016llx sha256 ",
		       n, crc, f32, f64);
		print_digest(digest);
		printf("%s%s\n", crc_bits == crc ? "" : " BITWISE-MISMATCH",
		       pieces ? "" : " PIECES-MISMATCH");
		if (crc_bits != crc || !pieces)
			failures++;
		summary = fnv1a32(summary, digest, 32);
		summary = fnv1a32_word(summary, crc ^ f32 ^ (uint32_t)f64 ^ (uint32_t)(f64 >> 32));
	}
	printf("summary %08x\n", summary);
}

int main(uint32_t magic, void *info)
{
	(void)info;
	idt_install_exception_handlers();
	printf("image hash\n");
	printf("multiboot magic %08x\n", magic);

	known_answers();
	generated_data();

	if (failures != 0) {
		printf("FAIL %d mismatches\n", failures);
		return 1;
	}
	printf("OK\n");
	return 0;
}
