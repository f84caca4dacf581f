#!/usr/bin/env bash
# qemu-compare.sh — times the benchmark images of this directory under
# preemptlab, under QEMU's deterministic mode (qemu-system-i386 -icount
# shift=0: one instruction per virtual nanosecond, as exact and repeatable
# as preemptlab) and under plain QEMU TCG, on this machine, and prints
# emulated MIPS for each and the ratios.
#
# Usage: tests/bench/qemu-compare.sh [RUNS [SCALE]]
#
# Each image runs RUNS times (default 5) with SCALE times its usual work
# (default 20: the multiboot command line "scale=SCALE"), so that QEMU's
# runs last long beside its start-up.
#
# Times are CPU time (user + system) of the whole process, the median of
# RUNS runs. What starting the emulator and booting costs is measured on
# startup.elf (an image that does nothing) and subtracted, so the figures
# are those of running the code. The instruction count of each image is
# the one preemptlab reports (--stats); QEMU executes the same
# instructions.
set -euo pipefail
cd "$(dirname "$0")"
runs=${1:-5}
scale=${2:-20}
QEMU=${QEMU:-qemu-system-i386}
command -v "$QEMU" >/dev/null || { echo "qemu-compare: $QEMU not found (apt-get install qemu-system-x86)" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd ../.. && go build -o "$tmp/preemptlab" ./cmd/preemptlab)

# cputime CMD...: prints the CPU seconds (user + system) CMD took.
cputime() {
	local TIMEFORMAT='%U %S'
	{ time "$@" >/dev/null 2>&1; } 2>&1 | awk '{ printf "%.4f\n", $1 + $2 }'
}

# median: the median of the numbers on standard input.
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

qemu() { "$QEMU" -m 64 -kernel "$1" -append "scale=$scale" "${@:2}" -serial null -device isa-debug-exit,iobase=0xf4,iosize=1 -display none -no-reboot -nodefaults </dev/null || true; }
preemptlab() { "$tmp/preemptlab" run "$1" --cmdline "scale=$scale" --gops=off || true; }
qemu_icount() { qemu "$1" -icount shift=0; }
qemu_tcg() { qemu "$1"; }

# time_of KIND IMAGE: median CPU time of RUNS runs.
time_of() { for _ in $(seq "$runs"); do cputime "$1" "$2"; done | median; }

declare -A base
for k in preemptlab qemu_icount qemu_tcg; do base[$k]=$(time_of $k startup.elf); done
echo "start-up cost subtracted (s): preemptlab ${base[preemptlab]}, qemu -icount ${base[qemu_icount]}, qemu TCG ${base[qemu_tcg]}"
printf '%-10s %12s %12s %14s %12s %10s %10s\n' image instructions preemptlab "qemu -icount" "qemu TCG" "vs icount" "vs TCG"
for img in *.elf; do
	if [ "$img" = startup.elf ]; then continue; fi
	n=$({ "$tmp/preemptlab" run "$img" --cmdline "scale=$scale" --gops=off --stats 2>&1 >/dev/null || true; } | awk '/^total:/ { print $2 }')
	declare -A mips
	for k in preemptlab qemu_icount qemu_tcg; do
		t=$(time_of $k "$img")
		mips[$k]=$(awk -v n="$n" -v t="$t" -v b="${base[$k]}" 'BEGIN { d = t - b; printf "%.1f", (d > 0 ? n / d / 1e6 : 0) }')
	done
	awk -v img="${img%.elf}" -v n="$n" -v p="${mips[preemptlab]}" -v i="${mips[qemu_icount]}" -v g="${mips[qemu_tcg]}" 'BEGIN {
		printf "%-10s %12d %12s %14s %12s %9.2fx %9.2fx\n", img, n, p, i, g, (i > 0 ? p / i : 0), (g > 0 ? p / g : 0) }'
done
echo "(MIPS: million emulated instructions per CPU second; the ratios are preemptlab's MIPS over QEMU's)"
