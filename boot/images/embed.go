// Package images embeds the built-in images, so that "preemptlab run
// latency" works from go install alone: the bare CPU self-tests and
// benchmark (NAME.elf here, QEMU's reference transcripts of their output
// in tests/images) and the kernel images (kernel/NAME.elf, written against
// the kernel SDK, and cyclictest/cyclictest.elf, the measurement workload). The C sources and the Makefiles that build them are
// beside the images.
package images

import (
	"embed"
	"io/fs"
	"path"
	"sort"
	"strings"
)

//go:embed *.elf kernel/*.elf cyclictest/*.elf
var files embed.FS

// dirs are where images live in files: bare ones, then kernel ones.
var dirs = []string{".", "kernel", "cyclictest"}

// Image is a built-in image.
type Image struct {
	Name string
	ELF  []byte
	// Kernel is set for an image written against the kernel SDK.
	Kernel bool
}

// Lookup returns the built-in image called name ("latency", or
// "latency.elf").
func Lookup(name string) (Image, bool) {
	name = strings.TrimSuffix(name, ".elf")
	if strings.ContainsAny(name, "/\\") {
		return Image{}, false
	}
	for _, d := range dirs {
		if b, err := files.ReadFile(path.Join(d, name+".elf")); err == nil {
			return Image{Name: name, ELF: b, Kernel: d != "."}, true
		}
	}
	return Image{}, false
}

// Names lists the built-in images in order.
func Names() []string {
	var names []string
	for _, d := range dirs {
		entries, _ := fs.ReadDir(files, d)
		for _, e := range entries {
			if !e.IsDir() && strings.HasSuffix(e.Name(), ".elf") {
				names = append(names, strings.TrimSuffix(e.Name(), ".elf"))
			}
		}
	}
	sort.Strings(names)
	return names
}
