/*
 * matrix — fixed-point matrix arithmetic on short, as signal-processing and
 * control code does it: Q8.8 products of 32×32 matrices with rounding and
 * saturation back to 16 bits, a transpose, and a 5-tap FIR filter over a
 * short signal.
 */
#include "bench.h"

#define ROUNDS 30
#define N 32
#define SIG 2048

static short a[N][N], b[N][N], c[N][N], t[N][N];
static short sig[SIG], out[SIG];
static const short taps[5] = {-31, 128, 301, 128, -31};

static short sat16(int v)
{
	if (v > 32767)
		return 32767;
	if (v < -32768)
		return -32768;
	return (short)v;
}

static void matmul(void)
{
	for (int i = 0; i < N; i++)
		for (int j = 0; j < N; j++) {
			int acc = 0;
			for (int k = 0; k < N; k++)
				acc += a[i][k] * b[k][j];
			c[i][j] = sat16((acc + 128) >> 8);
		}
}

static void transpose(void)
{
	for (int i = 0; i < N; i++)
		for (int j = 0; j < N; j++)
			t[j][i] = c[i][j];
}

static void fir(void)
{
	for (int i = 4; i < SIG; i++) {
		int acc = 0;
		for (int k = 0; k < 5; k++)
			acc += sig[i - k] * taps[k];
		out[i] = sat16(acc >> 9);
	}
}

int main(uint32_t magic, void *info)
{
	uint32_t seed = 777, h = 0x811C9DC5u;

	int n = rounds(magic, info, ROUNDS);

	idt_install_exception_handlers();
	for (int i = 0; i < N; i++)
		for (int j = 0; j < N; j++) {
			a[i][j] = (short)(rnd(&seed) % 1024 - 512);
			b[i][j] = (short)(rnd(&seed) % 1024 - 512);
		}
	for (int i = 0; i < SIG; i++)
		sig[i] = (short)rnd(&seed);
	for (int r = 0; r < n; r++) {
		matmul();
		transpose();
		for (int i = 0; i < N; i++)
			for (int j = 0; j < N; j++)
				a[i][j] = (short)((t[i][j] >> 2) + b[j][i] / 4);
		fir();
		for (int i = 0; i < SIG; i++)
			sig[i] = (short)(out[i] ^ (short)i);
		for (int i = 0; i < N; i++)
			h = mix(h, (uint16_t)c[i][(i * 7) % N]);
		h = mix(h, (uint16_t)out[r * 97 % SIG]);
	}
	return report("matrix", h);
}
