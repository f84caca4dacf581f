/*
 * startup — does nothing: timed by qemu-compare.sh to measure what starting
 * an emulator and booting an image costs, which it subtracts from the
 * other images' times.
 */
#include "bench.h"

int main(uint32_t magic, void *info)
{
	(void)magic, (void)info;
	return report("startup", 0);
}
