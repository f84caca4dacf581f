package main

// This file starts the gops agent, so that `gops` can inspect a running
// emulator (stack traces, memory and GC statistics, profiles).

import (
	"fmt"
	"io"

	"github.com/google/gops/agent"
)

// startGops starts the agent on a loopback port chosen by the kernel. The
// emulated machine never sees it: it changes no result.
func startGops(addr string, stderr io.Writer) func() {
	if addr == "" || addr == "off" {
		return func() {}
	}
	if err := agent.Listen(agent.Options{Addr: addr}); err != nil {
		fmt.Fprintf(stderr, "preemptlab: warning: gops agent not started: %v\n", err)
		return func() {}
	}
	return agent.Close
}
