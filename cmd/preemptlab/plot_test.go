package main

import (
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPlotHistograms draws two models' histograms to PNG and SVG and
// checks the files are what their names say; other extensions are refused.
func TestPlotHistograms(t *testing.T) {
	runs := []*modelRun{
		{Name: "none", ThreadMaxNS: 5_000_000, histUS: []uint64{0, 3, 100, 5, 0, 0, 1}},
		{Name: "preempt", ThreadMaxNS: 40_000, histUS: []uint64{0, 0, 120, 7, 1}},
		{Name: "refused", Refused: "not built"},
	}
	dir := t.TempDir()
	pngPath := filepath.Join(dir, "h.png")
	if err := plotHistograms(pngPath, runs); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(pngPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := png.Decode(f); err != nil {
		t.Errorf("%s is not a PNG: %v", pngPath, err)
	}
	svgPath := filepath.Join(dir, "h.svg")
	if err := plotHistograms(svgPath, runs); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(svgPath)
	if !strings.Contains(string(b), "<svg") || !strings.Contains(string(b), "preempt (max 40 µs)") {
		t.Errorf("%s is not the SVG plot with its legend", svgPath)
	}
	if err := plotHistograms(filepath.Join(dir, "h.gif"), runs); err == nil {
		t.Error("a .gif plot was not refused")
	}
}
