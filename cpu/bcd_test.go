package cpu

// This file tests the decimal adjustments on the SDM's worked examples and
// AAM's divide error; TestDiffHostBCD checks them exhaustively against the
// host where it can run 32-bit code.

import "testing"

func TestBCD(t *testing.T) {
	runOpTests(t, []opTest{
		{name: "daa after 79+35", src: "add $0x35, %al; daa", in: regVals{EAX: 0x79},
			want: regVals{EAX: 0x14}, wantF: FlagCF | FlagAF, fmask: FlagCF | FlagAF | FlagZF | FlagSF},
		{name: "das after 35-47", src: "sub $0x47, %al; das", in: regVals{EAX: 0x35},
			want: regVals{EAX: 0x88}, wantF: FlagCF | FlagAF | FlagSF, fmask: FlagCF | FlagAF | FlagZF | FlagSF},
		{name: "aaa after 5+6", src: "add $6, %al; aaa", in: regVals{EAX: 0x05},
			want: regVals{EAX: 0x0101}, wantF: FlagCF | FlagAF, fmask: FlagCF | FlagAF},
		{name: "aaa carries from AL into AH", src: "aaa", in: regVals{EAX: 0x01FA},
			want: regVals{EAX: 0x0300}, wantF: FlagCF | FlagAF, fmask: FlagCF | FlagAF},
		{name: "aas after 5-6", src: "sub $6, %al; aas", in: regVals{EAX: 0x0105},
			want: regVals{EAX: 0x0009}, wantF: FlagCF | FlagAF, fmask: FlagCF | FlagAF},
		{name: "aam", src: "aam", in: regVals{EAX: 0x1234003F}, want: regVals{EAX: 0x12340603}, fmask: FlagZF | FlagSF},
		{name: "aam base 16", src: "aam $16", in: regVals{EAX: 0xAB}, want: regVals{EAX: 0x0A0B}},
		{name: "aam 0 raises #DE", src: "aam $0", in: regVals{EAX: 0x3F}, exc: "#DE", want: regVals{EAX: 0x3F}},
		{name: "aad", src: "aad", in: regVals{EAX: 0x0603}, want: regVals{EAX: 0x3F}, wantF: FlagPF, fmask: FlagZF | FlagSF | FlagPF},
		{name: "aad base 0", src: "aad $0", in: regVals{EAX: 0x0607}, want: regVals{EAX: 0x07}},
	})
}
