#!/usr/bin/env bash
# qemu-reference.sh — records what QEMU does with each SMP test image, the
# reference preemptlab must match:
#
#	NAME.qemu	exactly the bytes the image writes to COM1
#	NAME.status	QEMU's exit status (isa-debug-exit: (value << 1) | 1)
#
# Usage:
#	./qemu-reference.sh		regenerate the reference of every *.elf here
#	./qemu-reference.sh A.elf ...	only these images
#	./qemu-reference.sh --check [A.elf ...]
#					run QEMU again and compare with the
#					committed references (lines beginning
#					"nondeterministic:" left out, as the Go
#					test does); nothing is written
#	./qemu-reference.sh --run IMG	run one image: its serial bytes to stdout,
#					QEMU's exit status as this script's
#
# The command line (the only place it is written down) is
#
#	qemu-system-i386 -machine pc -accel tcg -cpu qemu32 -smp 2 -m 64
#		-global ioapic.version=0x11
#		-kernel IMG -serial stdio
#		-device isa-debug-exit,iobase=0xf4,iosize=1
#		-display none -no-reboot -nodefaults
#
# As tests/images/qemu-reference.sh, plus:
#   -smp 2			the two processors of preemptlab's default machine
#   -cpu qemu32			QEMU's default i386 model, named so that a change
#				of default cannot change the references. Its
#				CPUID.1 signature (0x663) and the APIC/TSC/MSR
#				bits are what preemptlab reports; it has no
#				TSC-deadline timer (ECX bit 24 clear, and TCG
#				could not provide one), nor does preemptlab, so
#				apic_timer prints "unsupported" on both. The
#				images print no other CPUID bit (qemu32 also has
#				SSE3, PSE, PAE, ... which preemptlab leaves out).
#   -accel tcg			never KVM: the host CPU must not leak in
#   -global ioapic.version=0x11	the 82093AA's version register, which
#				preemptlab's IO-APIC emulates (QEMU's default is
#				0x20, the later ICH version with an EOI register)
# -m 64 matches preemptlab's default memory. QEMU's firmware (SeaBIOS) has
# already run when the image starts: it left the 8259s live with the timer
# unmasked, LINT0 as ExtINT and the application processor halted, so every
# image masks the 8259s and sets up each local APIC itself (smp.c).
#
# Every image prints "image NAME" as its first line; a transcript that does
# not begin with that line is refused. stdin is /dev/null so QEMU leaves
# the terminal alone.
set -euo pipefail
cd "$(dirname "$0")"

QEMU=${QEMU:-qemu-system-i386}
TIMEOUT=${QEMU_TIMEOUT:-60}	# seconds per image

run_qemu() {
	timeout --kill-after=5 "$TIMEOUT" "$QEMU" -machine pc -accel tcg \
		-cpu qemu32 -smp 2 -m 64 -global ioapic.version=0x11 \
		-kernel "$1" -serial stdio \
		-device isa-debug-exit,iobase=0xf4,iosize=1 \
		-display none -no-reboot -nodefaults </dev/null
}

# What the comparison looks at: everything but the nondeterministic lines.
comparable() {
	grep -v '^nondeterministic:' "$1" || true
}

if [ "${1:-}" = "--run" ]; then
	[ $# -eq 2 ] || { echo "usage: $0 --run IMAGE" >&2; exit 2; }
	run_qemu "$2"	# exit status is QEMU's (or timeout's 124)
	exit 0		# not reached when QEMU exits non-zero (set -e)
fi

check=0
if [ "${1:-}" = "--check" ]; then
	check=1
	shift
fi
if [ $# -gt 0 ]; then
	images=("$@")
else
	images=(*.elf)
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

failed=0
for image in "${images[@]}"; do
	name=$(basename "$image" .elf)
	status=0
	run_qemu "$image" >"$tmp/out" 2>"$tmp/err" || status=$?
	if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
		echo "qemu-reference: $image: QEMU timed out after ${TIMEOUT}s" >&2
		failed=1
		continue
	fi
	if [ -s "$tmp/err" ]; then
		echo "qemu-reference: $image: QEMU wrote to stderr:" >&2
		cat "$tmp/err" >&2
		failed=1
		continue
	fi
	if [ "$(head -n 1 "$tmp/out")" != "image $name" ]; then
		echo "qemu-reference: $image: output does not begin with the line \"image $name\":" >&2
		head -c 200 "$tmp/out" | od -c | head -n 5 >&2
		failed=1
		continue
	fi
	if [ "$check" -eq 1 ]; then
		if ! diff <(comparable "$name.qemu") <(comparable "$tmp/out") >"$tmp/diff" ||
			[ "$status" != "$(cat "$name.status")" ]; then
			echo "qemu-reference: $image: QEMU now differs from $name.qemu (status $status, want $(cat "$name.status")):" >&2
			cat "$tmp/diff" >&2
			failed=1
		else
			printf '%-12s same as the reference\n' "$name"
		fi
		continue
	fi
	if [ "$(tail -n 1 "$tmp/out")" != "OK" ] || [ "$status" -ne 1 ]; then
		echo "qemu-reference: warning: $image did not end with OK and status 1 (status $status)" >&2
	fi
	cp "$tmp/out" "$name.qemu"
	echo "$status" >"$name.status"
	printf '%-12s status %s, %s bytes\n' "$name" "$status" "$(wc -c <"$name.qemu")"
done
exit "$failed"
