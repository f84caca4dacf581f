package main

// This file draws compare's latency histograms the way the OSADL QA farm
// publishes them: sample counts on a log scale against 1 µs latency bins,
// one line per model.

import (
	"fmt"
	"image/color"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// plotColors are the lines' colours, in the models' order.
var plotColors = []color.RGBA{
	{0xd6, 0x27, 0x28, 0xff}, {0xff, 0x7f, 0x0e, 0xff}, {0x2c, 0xa0, 0x2c, 0xff}, {0x1f, 0x77, 0xb4, 0xff},
	{0x94, 0x67, 0xbd, 0xff}, {0x8c, 0x56, 0x4b, 0xff}, {0xe3, 0x77, 0xc2, 0xff}, {0x7f, 0x7f, 0x7f, 0xff},
}

// plotHistograms writes the histograms to path (.png or .svg).
func plotHistograms(path string, runs []*modelRun) error {
	ext := strings.ToLower(filepath.Ext(path))
	if ext != ".png" && ext != ".svg" {
		return fmt.Errorf("--plot %s: the file must end in .png or .svg", path)
	}
	p := plot.New()
	p.Title.Text = "Latency of the measurement threads, all CPUs (timer expiry to user mode)"
	p.X.Label.Text = "Latency (µs)"
	p.Y.Label.Text = "Number of samples"
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	p.Legend.Top = true
	for i, r := range runs {
		// One line per run of non-empty bins: an empty bin (a count of
		// zero, off the log scale) breaks the line.
		var runsOf []plotter.XYs
		var cur plotter.XYs
		for us, n := range r.histUS {
			if n == 0 {
				if len(cur) > 0 {
					runsOf, cur = append(runsOf, cur), nil
				}
				continue
			}
			cur = append(cur, plotter.XY{X: float64(us) + 0.5, Y: float64(n)})
		}
		if len(cur) > 0 {
			runsOf = append(runsOf, cur)
		}
		for j, pts := range runsOf {
			if len(pts) == 1 {
				pts = append(pts, plotter.XY{X: pts[0].X + 0.01, Y: pts[0].Y})
			}
			l, err := plotter.NewLine(pts)
			if err != nil {
				return err
			}
			l.Color = plotColors[i%len(plotColors)]
			l.Width = vg.Points(1)
			p.Add(l)
			if j == 0 {
				p.Legend.Add(fmt.Sprintf("%s (max %.0f µs)", r.Name, float64(r.ThreadMaxNS)/1000), l)
			}
		}
	}
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	p.X.Min = 1
	p.Y.Min = 0.8
	return p.Save(10*vg.Inch, 6*vg.Inch, path)
}
