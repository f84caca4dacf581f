#!/usr/bin/env bash
# check-current.sh DIR — checks that the committed images of DIR, a
# directory of the repository with an image Makefile (boot/images, the
# built-in images, or tests/smp), are current: it rebuilds every image into
# a temporary directory and compares the bytes with the committed NAME.elf,
# naming each file that differs.
#
# The build is reproducible only with the same compiler and binutils, so
# the versions that built the committed images are recorded in TOOLCHAIN
# (`make TOOLCHAIN` rewrites it) and checked first.
#
# Exit status: 0 current; 1 an image differs or is missing; 2 the build
# failed; 3 the toolchain differs from TOOLCHAIN, so no comparison was made.
set -uo pipefail
dir=${1:?usage: check-current.sh DIR (boot/images, boot/images/kernel, boot/images/cyclictest, tests/smp, tests/kernel or tests/bench)}
cd "$(dirname "$0")/../$dir" || exit 2

have=$(make -s toolchain-versions) || exit 2
if [ "$have" != "$(cat TOOLCHAIN 2>/dev/null)" ]; then
	echo "check-current: the committed images were built with" >&2
	sed 's/^/	/' TOOLCHAIN >&2
	echo "check-current: but this machine has" >&2
	echo "$have" | sed 's/^/	/' >&2
	echo "check-current: a byte comparison would mean nothing; not checked" >&2
	exit 3
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! make -s OUT="$tmp" all >"$tmp/build.log" 2>&1; then
	echo "check-current: the build failed:" >&2
	cat "$tmp/build.log" >&2
	exit 2
fi

status=0
for built in "$tmp"/*.elf; do
	name=$(basename "$built")
	if [ ! -e "$name" ]; then
		echo "check-current: $dir/$name is missing (run make -C $dir)" >&2
		status=1
	elif ! cmp -s "$built" "$name"; then
		echo "check-current: $dir/$name differs from a fresh build (run make -C $dir)" >&2
		status=1
	fi
done
for committed in *.elf; do
	if [ ! -e "$tmp/$committed" ]; then
		echo "check-current: $dir/$committed is not built from any source here" >&2
		status=1
	fi
done
[ "$status" -eq 0 ] && echo "check-current: every image is current"
exit "$status"
