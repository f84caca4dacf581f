/*
 * hosted/bare.h — stands in for the SDK's bare.h when hostcheck.sh builds a
 * test image as an ordinary 32-bit Linux program: the C library provides
 * printf and the memory functions, main becomes image_main (called by
 * hosted/main.c), and the bare-metal calls do nothing or exit.
 */
#ifndef BARE_H
#define BARE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002u

static inline void idt_install_exception_handlers(void)
{
}

static inline void exit_qemu(int code)
{
	fflush(stdout);
	exit(code);
}

#define main image_main
int image_main(uint32_t magic, void *info);

#endif /* BARE_H */
