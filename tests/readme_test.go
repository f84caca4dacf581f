package tests

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// readmeCode matches a `code span` with no space in it: a path, a flag,
// a name.
var readmeCode = regexp.MustCompile("`([^`\\s]+)`")

// readmeLink matches the target of a Markdown link.
var readmeLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// TestREADMEPaths checks that every repository path the README names (a
// code span or a link with a slash in it, or a Markdown file) exists, so
// that moving a file cannot leave the README pointing at nothing.
func TestREADMEPaths(t *testing.T) {
	text, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, m := range readmeCode.FindAllStringSubmatch(string(text), -1) {
		paths = append(paths, m[1])
	}
	for _, m := range readmeLink.FindAllStringSubmatch(string(text), -1) {
		paths = append(paths, m[1])
	}
	checked := 0
	for _, p := range paths {
		if !strings.Contains(p, "/") && !strings.HasSuffix(p, ".md") {
			continue // a flag, a value, a name
		}
		first, _, _ := strings.Cut(strings.TrimPrefix(p, "./"), "/")
		if strings.Contains(p, "://") || strings.HasPrefix(p, "$") || strings.HasPrefix(p, "/") ||
			(strings.Contains(first, ".") && !strings.HasSuffix(p, ".md")) {
			continue // a URL, a shell variable, a host path, a Go module path (golang.org/x/...)
		}
		checked++
		if _, err := os.Stat(filepath.Join("..", filepath.FromSlash(p))); err != nil {
			t.Errorf("README.md names %s, which is not in the repository", p)
		}
	}
	if checked == 0 {
		t.Fatal("found no paths in README.md: the test is broken")
	}
}
