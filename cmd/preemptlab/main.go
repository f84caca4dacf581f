// Command preemptlab boots images on an emulated SMP PC and measures what
// each kernel preemption design does to realtime latency.
//
// Usage:
//
//	preemptlab run IMAGE.elf [flags]   boot a multiboot image (or a built-in one by name)
//	preemptlab images                  list the built-in images
//	preemptlab version
//
// Run "preemptlab run -h" for the flags.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"preemptlab/boot/images"
)

func main() {
	os.Exit(realMain(os.Args[1:], os.Stdout, os.Stderr))
}

// usageError is a command-line mistake: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func realMain(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var status int
	var err error
	switch args[0] {
	case "run":
		status, err = cmdRun(args[1:], stdout, stderr)
	case "images":
		for _, n := range images.Names() {
			fmt.Fprintln(stdout, n)
		}
	case "version":
		fmt.Fprintln(stdout, "preemptlab (development)")
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		err = usageError{fmt.Sprintf("unknown command %q", args[0])}
	}
	if err != nil {
		fmt.Fprintf(stderr, "preemptlab: %v\n", err)
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprint(stderr, usage)
		}
		return 2
	}
	return status
}

const usage = `usage:
  preemptlab run IMAGE.elf|NAME [--cmdline S] [--cpus N] [--mem MiB] [--mhz N] [--max-cycles N] [--stats]
  preemptlab images      list the built-in images (run them by name: preemptlab run hash)
  preemptlab version
`
