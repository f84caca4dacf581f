// Command preemptlab boots images on an emulated SMP PC and measures what
// each kernel preemption design does to realtime latency.
//
// Usage:
//
//	preemptlab run [IMAGE.elf|NAME] [flags] boot a multiboot image (or a built-in one; default cyclictest)
//	preemptlab compare [IMAGE] [flags]      the workload under every preemption model, one table
//	preemptlab images                       list the built-in images
//	preemptlab version
//	preemptlab help [COMMAND]
//
// Run "preemptlab run --help" for the flags.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"preemptlab/boot/images"
)

func main() {
	os.Exit(realMain(os.Args[1:], os.Stdout, os.Stderr))
}

// usageError is a command-line mistake: exit status 2, the message and a
// one-line hint at the help of cmd (the top level when cmd is "").
type usageError struct{ cmd, msg string }

func (e usageError) Error() string { return e.msg }

// errHelp is what a command returns when --help or -h asked for its
// usage, which it has printed to stdout: exit status 0.
var errHelp = errors.New("help requested")

// command is one subcommand.
type command struct {
	name     string
	synopsis string // the arguments after "preemptlab NAME"
	summary  string
	about    string                 // a paragraph for --help ("" for none)
	flags    func(fs *flag.FlagSet) // defines the command's flags, if it has any
	run      func([]string, io.Writer, io.Writer) (int, error)
}

// commands are the subcommands, in the order usage lists them.
var commands []command

func init() {
	commands = []command{
		{name: "run", synopsis: "[IMAGE.elf|NAME] [flags]", summary: "boot a multiboot image, or a built-in one by name (default: the cyclictest workload)",
			about: runAbout, flags: func(fs *flag.FlagSet) { defineRunFlags(fs) }, run: cmdRun},
		{name: "compare", synopsis: "[IMAGE] [flags]", summary: "boot the workload (cyclictest by default) under every preemption model and compare them",
			about: compareAbout, flags: func(fs *flag.FlagSet) { defineCompareFlags(fs) }, run: cmdCompare},
		{name: "images", summary: "list the built-in images (run one by name: preemptlab run hash)", run: cmdImages},
		{name: "version", summary: "print the version", run: cmdVersion},
		{name: "help", synopsis: "[COMMAND]", summary: "print this usage, or a command's", run: cmdHelp},
	}
}

func lookupCommand(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

func realMain(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		printUsage(stderr)
		return 2
	}
	name := args[0]
	if name == "-h" || name == "--help" || name == "-help" {
		name = "help"
	}
	var status int
	var err error
	if c, ok := lookupCommand(name); ok {
		status, err = c.run(args[1:], stdout, stderr)
	} else {
		err = usageError{"", fmt.Sprintf("unknown command %q", name)}
	}
	var ue usageError
	switch {
	case err == nil:
		return status
	case errors.Is(err, errHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "preemptlab: %v\n", err)
		if c, ok := lookupCommand(ue.cmd); ok && c.flags != nil {
			fmt.Fprintf(stderr, "run 'preemptlab %s --help' for the flags\n", ue.cmd)
		} else if ok {
			fmt.Fprintf(stderr, "run 'preemptlab %s --help' for its usage\n", ue.cmd)
		} else {
			fmt.Fprintln(stderr, "run 'preemptlab help' for the commands")
		}
		return 2
	default:
		fmt.Fprintf(stderr, "preemptlab: %v\n", err)
		return 2
	}
}

// printUsage prints the list of commands.
func printUsage(w io.Writer) {
	fmt.Fprintln(w, "usage:")
	for _, c := range commands {
		line := "preemptlab " + c.name
		if c.synopsis != "" {
			line += " " + c.synopsis
		}
		fmt.Fprintf(w, "  %-40s %s\n", line, c.summary)
	}
	fmt.Fprintln(w, "Run 'preemptlab COMMAND --help' for a command's flags.")
}

// printCommandUsage prints the usage of one command: its synopsis, what
// it does and its flags.
func printCommandUsage(w io.Writer, c command) {
	line := "preemptlab " + c.name
	if c.synopsis != "" {
		line += " " + c.synopsis
	}
	fmt.Fprintf(w, "usage: %s\n\n%s.\n", line, upperFirst(c.summary))
	if c.about != "" {
		fmt.Fprintf(w, "\n%s", c.about)
	}
	if c.flags == nil {
		return
	}
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	c.flags(fs)
	fmt.Fprintln(w, "\nFlags:")
	fs.VisitAll(func(f *flag.Flag) {
		value, usage := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if value != "" {
			line += " " + value
		}
		if f.DefValue != "" && f.DefValue != "false" {
			usage += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		fmt.Fprintf(w, "%s\n      %s\n", line, usage)
	})
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// parseArgs parses a command's flags and returns its other arguments.
// Flags may come before, between or after the other arguments, as the
// flag package's own rules read them (a flag that is not boolean takes
// the next argument as its value); "--" ends the flags. --help and -h
// print the command's usage to stdout and return errHelp. A mistake is a
// usageError, reported once: the flag package's own printing is off.
func parseArgs(c command, args []string, stdout io.Writer) (*flag.FlagSet, []string, error) {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	if c.flags != nil {
		c.flags(fs)
	}
	var flagArgs, rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			rest = append(rest, a)
			continue
		}
		flagArgs = append(flagArgs, a)
		name := strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
		if strings.Contains(name, "=") {
			continue
		}
		if f := fs.Lookup(name); f != nil && !isBoolFlag(f) && i+1 < len(args) {
			i++
			flagArgs = append(flagArgs, args[i])
		}
	}
	if err := fs.Parse(flagArgs); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printCommandUsage(stdout, c)
			return nil, nil, errHelp
		}
		return nil, nil, usageError{c.name, fmt.Sprintf("%s: %v", c.name, err)}
	}
	return fs, rest, nil
}

func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// noArgs parses the arguments of a command that takes none but --help.
func noArgs(name string, args []string, stdout io.Writer) error {
	c, _ := lookupCommand(name)
	_, rest, err := parseArgs(c, args, stdout)
	if err == nil && len(rest) > 0 {
		err = usageError{name, fmt.Sprintf("%s takes no arguments, not %q", name, strings.Join(rest, " "))}
	}
	return err
}

func cmdImages(args []string, stdout, stderr io.Writer) (int, error) {
	if err := noArgs("images", args, stdout); err != nil {
		return 0, err
	}
	for _, n := range images.Names() {
		img, _ := images.Lookup(n)
		kind := "bare image (runs as on hardware and QEMU)"
		if img.Kernel {
			kind = "kernel image (runs on the preemptlab kernel: --model and the knobs apply)"
		}
		fmt.Fprintf(stdout, "%-10s %s\n", n, kind)
	}
	return 0, nil
}

func cmdVersion(args []string, stdout, stderr io.Writer) (int, error) {
	if err := noArgs("version", args, stdout); err != nil {
		return 0, err
	}
	fmt.Fprintln(stdout, "preemptlab (development)")
	return 0, nil
}

func cmdHelp(args []string, stdout, stderr io.Writer) (int, error) {
	c, _ := lookupCommand("help")
	_, rest, err := parseArgs(c, args, stdout)
	switch {
	case err != nil:
		return 0, err
	case len(rest) == 0:
		printUsage(stdout)
	case len(rest) > 1:
		return 0, usageError{"help", fmt.Sprintf("help: one command at a time, not %q", strings.Join(rest, " "))}
	default:
		sub, ok := lookupCommand(rest[0])
		if !ok {
			return 0, usageError{"", fmt.Sprintf("help: unknown command %q", rest[0])}
		}
		printCommandUsage(stdout, sub)
	}
	return 0, nil
}
