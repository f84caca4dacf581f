/*
 * hosted/main.c — the entry point of a test image built as a Linux program
 * (see hostcheck.sh): calls the image's main as start.S would and exits
 * with its return value.
 */
#include <stdint.h>
#include <stdio.h>

int image_main(uint32_t magic, void *info);

int main(void)
{
	int code = image_main(0x2BADB002u, NULL);

	fflush(stdout);
	return code;
}
