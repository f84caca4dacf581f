package cpu

// This file implements the decimal-arithmetic adjustments: DAA, DAS, AAA,
// AAS, AAM and AAD, as the SDM's pseudo-code defines them (AAA adds 0x106
// to AX and AAS subtracts 6 from AX and 1 from AH, so a carry or borrow of
// AL reaches AH, as P6 and later processors do).
//
// Flags: DAA and DAS set CF, AF, SF, ZF and PF; OF is undefined (0 here).
// AAA and AAS set AF and CF; OF, SF, ZF and PF are undefined (here SF, ZF
// and PF follow AL and OF is 0). AAM and AAD set SF, ZF and PF from AL;
// OF, AF and CF are undefined (0 here). AAM with a zero base raises #DE.

import "golang.org/x/arch/x86/x86asm"

func init() {
	register(func(x *x86asm.Inst, in *inst) bool { in.fn = opDaa; return true }, x86asm.DAA)
	register(func(x *x86asm.Inst, in *inst) bool { in.fn = opDas; return true }, x86asm.DAS)
	register(func(x *x86asm.Inst, in *inst) bool { in.fn = opAaa; return true }, x86asm.AAA)
	register(func(x *x86asm.Inst, in *inst) bool { in.fn = opAas; return true }, x86asm.AAS)
	register(translateAamAad, x86asm.AAM, x86asm.AAD)
}

// bcdFlags returns SF, ZF and PF for the byte v.
func bcdFlags(v uint32) uint32 {
	f := parity(v) | v&0x80 // FlagSF is bit 7
	if v&0xFF == 0 {
		f |= FlagZF
	}
	return f
}

// opDaa adjusts AL after adding two packed BCD bytes.
func opDaa(c *CPU, in *inst) {
	f := c.arithFlags()
	al := c.R[EAX] & 0xFF
	var cf, af uint32
	r := al
	if al&0xF > 9 || f&FlagAF != 0 {
		r += 6
		af = FlagAF
	}
	if al > 0x99 || f&FlagCF != 0 {
		r += 0x60
		cf = FlagCF
	}
	r &= 0xFF
	c.R[EAX] = c.R[EAX]&^0xFF | r
	c.setArith(cf | af | bcdFlags(r))
}

// opDas adjusts AL after subtracting two packed BCD bytes.
func opDas(c *CPU, in *inst) {
	f := c.arithFlags()
	al := c.R[EAX] & 0xFF
	var cf, af uint32
	r := al
	if al&0xF > 9 || f&FlagAF != 0 {
		if r < 6 {
			cf = FlagCF // borrow
		}
		r -= 6
		af = FlagAF
	}
	if al > 0x99 || f&FlagCF != 0 {
		r -= 0x60
		cf = FlagCF
	}
	r &= 0xFF
	c.R[EAX] = c.R[EAX]&^0xFF | r
	c.setArith(cf | af | bcdFlags(r))
}

// opAaa adjusts AL (and AH) after adding two unpacked BCD digits.
func opAaa(c *CPU, in *inst) {
	f := c.arithFlags()
	ax := c.R[EAX] & 0xFFFF
	var adj uint32
	if ax&0xF > 9 || f&FlagAF != 0 {
		ax += 0x106
		adj = FlagAF | FlagCF
	}
	ax &= 0xFF0F
	c.R[EAX] = c.R[EAX]&^0xFFFF | ax
	c.setArith(adj | bcdFlags(ax))
}

// opAas adjusts AL (and AH) after subtracting two unpacked BCD digits.
func opAas(c *CPU, in *inst) {
	f := c.arithFlags()
	ax := c.R[EAX] & 0xFFFF
	var adj uint32
	if ax&0xF > 9 || f&FlagAF != 0 {
		ax = (ax - 6 - 0x100) & 0xFFFF // AX − 6 (AL's borrow reaches AH), then AH − 1
		adj = FlagAF | FlagCF
	}
	ax &= 0xFF0F
	c.R[EAX] = c.R[EAX]&^0xFFFF | ax
	c.setArith(adj | bcdFlags(ax))
}

// translateAamAad translates AAM imm8 and AAD imm8 (the base, 10 in the
// plain forms), kept in in.imm.
func translateAamAad(x *x86asm.Inst, in *inst) bool {
	if in.dstKind != argImm {
		return false
	}
	in.imm &= 0xFF
	in.fn = opAam
	if x.Op == x86asm.AAD {
		in.fn = opAad
	}
	return true
}

// opAam splits AL into AH = AL / base and AL = AL mod base.
func opAam(c *CPU, in *inst) {
	if in.imm == 0 {
		c.exception(excDE, 0)
	}
	al := c.R[EAX] & 0xFF
	q, r := al/in.imm, al%in.imm
	c.R[EAX] = c.R[EAX]&^0xFFFF | q<<8 | r
	c.setLazy(lazyLogic, 1, r, r, r)
}

// opAad folds AH into AL: AL = AL + AH × base, AH = 0.
func opAad(c *CPU, in *inst) {
	ax := c.R[EAX]
	r := (ax + (ax>>8&0xFF)*in.imm) & 0xFF
	c.R[EAX] = ax&^0xFFFF | r
	c.setLazy(lazyLogic, 1, r, r, r)
}
