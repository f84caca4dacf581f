#!/usr/bin/env bash
# blame-cost.sh — what latency blame costs: the instructions the host
# executes to run the default workload (two CPUs, 1 simulated second) with
# the kernel's blame off and on, counted by valgrind (callgrind), for each
# model given (default: preempt rt).
#
# Usage: tests/blame-cost.sh [MODEL ...]
#
# Instructions, not time: on a shared host time varies by more than the
# difference measured, while the instruction count of a run is the same
# every time. The garbage collector is off (GOGC=off) for the count, whose
# own work would vary with the host's timing; Go's asynchronous
# preemption is off because its signals upset callgrind.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "blame-cost: valgrind not found (apt-get install valgrind)" >&2; exit 2; }
models=("$@")
[ ${#models[@]} -gt 0 ] || models=(preempt rt)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go test -c -o "$tmp/kernel.test" ./kernel
count() {
	(cd kernel && GOGC=off GODEBUG=asyncpreemptoff=1 PREEMPTLAB_BLAMECOST=$2 PREEMPTLAB_BLAMECOST_MODEL=$1 \
		valgrind --tool=callgrind --callgrind-out-file=/dev/null "$tmp/kernel.test" -test.run '^TestBlameCostRun$' 2>&1) |
		awk '/Collected/ {print $4}'
}
printf "%-10s %16s %16s %8s\n" model "instr, blame off" "instr, blame on" cost
for m in "${models[@]}"; do
	off=$(count "$m" off)
	on=$(count "$m" on)
	awk -v m="$m" -v off="$off" -v on="$on" 'BEGIN { printf "%-10s %16.0f %16.0f %7.2f%%\n", m, off, on, 100 * (on - off) / off }'
done
