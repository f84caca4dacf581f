# kernel.mk — how to compile and link a kernel image (preemptlab.h).
#
# Include it from a Makefile after setting SDK to this directory, then build
# an image with
#
#	NAME.elf: NAME.c $(KSDK_DEPS)
#		$(SDK_CC) $(SDK_CFLAGS) $(SDK_LDFLAGS_KERNEL) -o $@ $(KSDK_SRCS) NAME.c $(SDK_LIBS)
#
# The compiler flags are the bare SDK's (sdk.mk): reproducible builds, no
# floating point. Function symbols are kept (no --strip), so the kernel's
# reports and the blame name image functions.

SDK ?= $(dir $(lastword $(MAKEFILE_LIST)))
include $(SDK)/sdk.mk

SDK_LDFLAGS_KERNEL = -nostdlib -static -no-pie \
	-Wl,--build-id=none -Wl,--gc-sections -Wl,-z,noexecstack \
	-Wl,-T,$(SDK)/kernel.ld

# kstart.S first: its sections are laid out first within each output section.
KSDK_SRCS = $(SDK)/kstart.S $(SDK)/preemptlab.c
KSDK_DEPS = $(KSDK_SRCS) $(SDK)/preemptlab.h $(SDK)/preemptlab_abi.h $(SDK)/kernel.ld $(SDK)/kernel.mk $(SDK)/sdk.mk
