// Command genabi writes the numbers and constants of the kernel's
// hypercall ABI (kernel/abi.go) as a C header for the kernel SDK:
//
//	go run ./internal/genabi -o ../boot/sdk/preemptlab_abi.h
//
// It is run by go generate in package kernel; a test of that package
// checks that the committed header is what it writes.
package main

import (
	"flag"
	"fmt"
	"os"

	"preemptlab/kernel"
)

func main() {
	out := flag.String("o", "", "output file (default: standard output)")
	flag.Parse()
	b := kernel.ABIHeader()
	if *out == "" {
		os.Stdout.Write(b)
		return
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "genabi:", err)
		os.Exit(1)
	}
}
