// Package images embeds the built-in bare images (the CPU self-tests and
// the benchmark), so that "preemptlab run hash" works from go install
// alone. The C sources and the Makefile that builds the images are beside
// this file; QEMU's reference transcripts, which the tests compare the
// images' output with, are in tests/images.
package images

import (
	"embed"
	"sort"
	"strings"
)

//go:embed *.elf
var files embed.FS

// Image is a built-in image.
type Image struct {
	Name string
	ELF  []byte
}

// Lookup returns the built-in image called name ("hash", or "hash.elf").
func Lookup(name string) (Image, bool) {
	name = strings.TrimSuffix(name, ".elf")
	b, err := files.ReadFile(name + ".elf")
	if err != nil {
		return Image{}, false
	}
	return Image{Name: name, ELF: b}, true
}

// Names lists the built-in images in order.
func Names() []string {
	entries, _ := files.ReadDir(".")
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".elf"))
	}
	sort.Strings(names)
	return names
}
