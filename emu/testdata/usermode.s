# Assembled into usermode.bin by: go generate ./emu
# Kernel calls from CPL 0 and from CPL 3, a privileged instruction at CPL
# 3, and an access to an address with nothing behind it.
	.code32
start:
	mov $5, %eax
	int $0x80		# the kernel loads the user context at user
	hlt
user:
	mov $6, %eax
	int $0x80		# a system call from CPL 3
	cli			# #GP at CPL 3
	.org 0x40
nothing:
	mov 0xF0000000, %eax	# nothing there: a bus error
	mov $7, %eax
	int $0x80
