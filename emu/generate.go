package emu

//go:generate sh -c "as --32 -o testdata/idle.o testdata/idle.s && ld -m elf_i386 -e 0x100000 -Ttext 0x100000 --oformat binary -o testdata/idle.bin testdata/idle.o && rm testdata/idle.o"
//go:generate sh -c "as --32 -o testdata/busy.o testdata/busy.s && ld -m elf_i386 -e 0x100000 -Ttext 0x100000 --oformat binary -o testdata/busy.bin testdata/busy.o && rm testdata/busy.o"
//go:generate sh -c "as --32 -o testdata/selfipi.o testdata/selfipi.s && ld -m elf_i386 -e 0x100000 -Ttext 0x100000 --oformat binary -o testdata/selfipi.bin testdata/selfipi.o && rm testdata/selfipi.o"
//go:generate sh -c "as --32 -o testdata/traffic.o testdata/traffic.s && ld -m elf_i386 -e 0x100000 -Ttext 0x100000 --oformat binary -o testdata/traffic.bin testdata/traffic.o && rm testdata/traffic.o"
