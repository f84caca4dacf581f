#!/usr/bin/env bash
# pgo.sh — regenerates default.pgo, the CPU profile that "go build" and
# "go install" use for profile-guided optimisation of preemptlab (it
# devirtualises the interpreter's hot handler calls: about +15% emulated
# MIPS). The profile comes from the emulator running the test images and
# the built-in workload on the kernel.
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -pgo=off -o "$tmp/preemptlab" ./cmd/preemptlab
run() { "$tmp/preemptlab" run --gops off --cpuprofile "$tmp/$1.prof" "${@:2}" >/dev/null || true; }
for r in 1 2 3 4 5 6; do run bench$r boot/images/bench.elf; done
for r in 1 2; do
	for i in hash sort interp flags strings arith64; do run $i$r boot/images/$i.elf; done
	for i in race ipi apic_timer; do run smp_$i$r tests/smp/$i.elf; done
	# The main job: the built-in workload on the kernel.
	for m in preempt rt; do run workload_$m$r --model $m --duration 2s; done
done
go tool pprof -proto "$tmp"/*.prof > cmd/preemptlab/default.pgo
echo "wrote cmd/preemptlab/default.pgo"
