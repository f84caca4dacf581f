package emu

// This file rebuilds the test programs in testdata/ (flat binaries loaded
// at 0x100000) from their assembly sources.

//go:generate sh testdata/build.sh
