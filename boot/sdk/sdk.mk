# sdk.mk — how to compile and link a bare preemptlab image.
#
# Include it from a Makefile after setting SDK to this directory, then build
# an image with
#
#	NAME.elf: NAME.c $(SDK_DEPS)
#		$(SDK_CC) $(SDK_CFLAGS) $(SDK_LDFLAGS) -o $@ $(SDK_SRCS) NAME.c $(SDK_LIBS)
#
# The flags make the build reproducible: no debug information (so no paths),
# no build-id note, no compiler identification string, nothing that depends
# on the time or the build directory. The same compiler and binutils give
# byte-identical images. They also pin the code generation that distribution
# compilers change by default (CET's ENDBR32, stack-clash probes, PIE).

SDK ?= $(dir $(lastword $(MAKEFILE_LIST)))

SDK_CC ?= gcc

SDK_CFLAGS = -m32 -march=i686 -O2 -std=gnu11 \
	-ffreestanding -fno-pic -fno-pie -fno-stack-protector -nostdlib \
	-mgeneral-regs-only -fno-asynchronous-unwind-tables -fno-unwind-tables \
	-fcf-protection=none -fno-stack-clash-protection \
	-fno-tree-loop-distribute-patterns \
	-fno-ident -ffunction-sections -fdata-sections \
	-Wall -Wextra -I$(SDK)

SDK_LDFLAGS = -nostdlib -static -no-pie \
	-Wl,--build-id=none -Wl,--gc-sections -Wl,-z,noexecstack \
	-Wl,-T,$(SDK)/link.ld

# start.S first: its sections are laid out first within each output section.
SDK_SRCS = $(SDK)/start.S $(SDK)/bare.c
SDK_LIBS = -lgcc
SDK_DEPS = $(SDK_SRCS) $(SDK)/bare.h $(SDK)/link.ld $(SDK)/sdk.mk
