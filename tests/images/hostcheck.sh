#!/usr/bin/env bash
# hostcheck.sh — runs the built-in images' C code (boot/images) natively,
# as 32-bit Linux programs on this machine's CPU, and compares each
# transcript with QEMU's reference here (NAME.qemu, NAME.status). It checks
# the references themselves:
# QEMU is an emulator too, and a flag it got wrong would otherwise become
# the expected output. hosted/bare.h stands in for the SDK.
#
# Run it after qemu-reference.sh; it needs gcc with -m32 support. bench is
# left out (it only repeats the others' code).
set -uo pipefail
cd "$(dirname "$0")"
src_dir=../../boot/images

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

failed=0
for src in hash sort arith64 interp strings flags; do
	if ! gcc -m32 -march=i686 -O2 -std=gnu11 -fno-pie -no-pie \
		-mgeneral-regs-only -fno-tree-loop-distribute-patterns \
		-Wall -Wextra -Ihosted -o "$tmp/$src" hosted/main.c "$src_dir/lib.c" "$src_dir/$src.c"; then
		echo "hostcheck: $src: build failed" >&2
		failed=1
		continue
	fi
	code=0
	"$tmp/$src" >"$tmp/$src.out" || code=$?
	want_status=$(cat "$src.status")
	if ! cmp -s "$tmp/$src.out" "$src.qemu"; then
		echo "hostcheck: $src: the native run differs from QEMU's reference:" >&2
		diff "$src.qemu" "$tmp/$src.out" | head -n 40 >&2
		failed=1
	elif [ $((code * 2 + 1)) -ne "$want_status" ]; then
		echo "hostcheck: $src: native exit $code, QEMU status $want_status" >&2
		failed=1
	else
		echo "hostcheck: $src: same as QEMU"
	fi
done
exit "$failed"
