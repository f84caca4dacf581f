#!/bin/sh
# Assembles every testdata/*.s into a flat binary loaded at 0x100000.
set -e
cd "$(dirname "$0")"
for s in *.s; do
	b=${s%.s}
	as --32 -o "$b.o" "$s"
	ld -m elf_i386 -e 0x100000 -Ttext 0x100000 --oformat binary -o "$b.bin" "$b.o"
	rm "$b.o"
done
