#!/usr/bin/env bash
# qemu-reference.sh — records what QEMU does with each built-in image
# (boot/images/NAME.elf), the reference preemptlab must match byte for
# byte, in this directory:
#
#	NAME.qemu	exactly the bytes the image writes to COM1
#	NAME.status	QEMU's exit status (isa-debug-exit: (value << 1) | 1)
#
# Usage:
#	./qemu-reference.sh		regenerate the reference of every image
#					in boot/images
#	./qemu-reference.sh A.elf ...	only these images (their references
#					are written here too, by base name)
#	./qemu-reference.sh --run IMG	run one image: its serial bytes to stdout,
#					QEMU's exit status as this script's (the
#					Go test runs QEMU through this, so the
#					command line lives in one place)
#
# The command line is
#
#	qemu-system-i386 -m 64 -kernel IMG -serial stdio
#		-device isa-debug-exit,iobase=0xf4,iosize=1
#		-display none -no-reboot -nodefaults
#
# -nodefaults leaves out the default VGA card, monitor and parallel port, so
# COM1 (-serial stdio) is the only thing writing to stdout. SeaBIOS and the
# multiboot option ROM write nothing to COM1 (checked with QEMU 7.2), so no
# banner needs stripping; as a guard, every test image prints "image NAME"
# as its first line and a transcript that does not begin with exactly that
# line is refused rather than recorded. -m 64 matches preemptlab's default
# memory size (no image prints it, but the multiboot information would
# otherwise differ). stdin is /dev/null so QEMU leaves the terminal alone.
set -euo pipefail

# Image paths are taken relative to where the script was started.
args=()
for a in "$@"; do
	case "$a" in
	-*) args+=("$a") ;;
	*) args+=("$(realpath "$a")") ;;
	esac
done
set -- ${args[@]+"${args[@]}"}
cd "$(dirname "$0")"

QEMU=${QEMU:-qemu-system-i386}
TIMEOUT=${QEMU_TIMEOUT:-120}	# seconds per image

run_qemu() {
	timeout --kill-after=5 "$TIMEOUT" "$QEMU" -m 64 -kernel "$1" -serial stdio \
		-device isa-debug-exit,iobase=0xf4,iosize=1 \
		-display none -no-reboot -nodefaults </dev/null
}

if [ "${1:-}" = "--run" ]; then
	[ $# -eq 2 ] || { echo "usage: $0 --run IMAGE" >&2; exit 2; }
	run_qemu "$2"	# exit status is QEMU's (or timeout's 124)
	exit 0		# not reached when QEMU exits non-zero (set -e)
fi

if [ $# -gt 0 ]; then
	images=("$@")
else
	images=(../../boot/images/*.elf)
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
	if [ "$(tail -n 1 "$tmp/out")" != "OK" ] || [ "$status" -ne 1 ]; then
		echo "qemu-reference: warning: $image did not end with OK and status 1 (status $status)" >&2
	fi
	cp "$tmp/out" "$name.qemu"
	echo "$status" >"$name.status"
	printf '%-12s status %s, %s bytes\n' "$name" "$status" "$(wc -c <"$name.qemu")"
done
exit "$failed"
