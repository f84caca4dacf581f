package cpu

import "testing"

// BenchmarkLoop runs a tight register/memory loop (the shape of compiled
// inner loops: load, ALU, store, compare, branch) and reports emulated MIPS.
func BenchmarkLoop(b *testing.B) {
	code := asm(b, `
		mov $0x20000, %esi
	outer:
		mov $1000, %ecx
		xor %eax, %eax
	1:	mov (%esi), %edx
		add %ecx, %eax
		add %edx, %eax
		mov %eax, 4(%esi)
		sub $1, %ecx
		jnz 1b
		jmp outer`)
	c, _ := newTestCPU(b, code)
	b.ResetTimer()
	start := c.Instructions
	for b.Loop() {
		c.Run(c.Cycles + 1_000_000)
	}
	b.ReportMetric(float64(c.Instructions-start)/b.Elapsed().Seconds()/1e6, "MIPS")
}
