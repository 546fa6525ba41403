package bench

import (
	"fmt"
	"image/color"
	"os"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Markdown renders the result as tables.
func (res *Result) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Run of %s on %d CPUs (%s), %s; BatchTimeout %s, MaxMessageCount %d, %s per point.\n\n",
		res.Started.Format("2006-01-02 15:04 MST"), res.Machine.CPUs, res.Machine.CPUModel, res.Machine.GoVersion,
		res.Settings.BatchTimeout, res.Settings.MaxMessageCount, res.Settings.Duration)
	pairs := func(title string, ps []Pair) {
		if len(ps) == 0 {
			return
		}
		fmt.Fprintf(&b, "### %s\n\n", title)
		b.WriteString("| operation | clients | bare /s | bare p50 ms | bare p99 ms | HTTP /s | HTTP p50 ms | HTTP p99 ms | HTTP / bare | failures bare, HTTP |\n")
		b.WriteString("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
		for _, p := range ps {
			fmt.Fprintf(&b, "| %s | %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.3f | %d, %d |\n", p.Operation, p.Concurrency,
				p.Bare.PerSecond, p.Bare.P50Millis, p.Bare.P99Millis, p.HTTP.PerSecond, p.HTTP.P50Millis, p.HTTP.P99Millis,
				p.Ratio, p.Bare.Failures, p.HTTP.Failures)
		}
		b.WriteString("\n")
	}
	pairs("Submissions (committed transactions of the pledge life cycle)", res.Submit)
	pairs("Reads", res.Read)
	if len(res.Growth) > 0 {
		b.WriteString("### Growth: latency against the number of IP rights on the ledger (sequential)\n\n")
		b.WriteString("| IP rights | path | register p50 ms | register p99 ms | verify p50 ms | verify p99 ms |\n| ---: | --- | ---: | ---: | ---: | ---: |\n")
		for _, g := range res.Growth {
			fmt.Fprintf(&b, "| %d | %s | %.1f | %.1f | %.1f | %.1f |\n", g.Rights, g.Path, g.Register.P50Millis, g.Register.P99Millis,
				g.Verify.P50Millis, g.Verify.P99Millis)
		}
		b.WriteString("\n")
	}
	if len(res.History) > 0 {
		b.WriteString("### History latency against history length (sequential)\n\n")
		b.WriteString("| changes | path | p50 ms | p99 ms |\n| ---: | --- | ---: | ---: |\n")
		for _, h := range res.History {
			fmt.Fprintf(&b, "| %d | %s | %.1f | %.1f |\n", h.Changes, h.Path, h.History.P50Millis, h.History.P99Millis)
		}
		b.WriteString("\n")
	}
	if len(res.Packages) > 0 {
		b.WriteString("### Packages: a pledge of many rights applied for and registered (sequential)\n\n")
		b.WriteString("| rights | path | payload B | apply p50 ms | register p50 ms | apply+register p50 ms | apply+register p99 ms | registration block B |\n")
		b.WriteString("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n")
		for _, p := range res.Packages {
			fmt.Fprintf(&b, "| %d | %s | %d | %.1f | %.1f | %.1f | %.1f | %d |\n", p.Rights, p.Path, p.PayloadBytes, p.Apply.P50Millis,
				p.Register.P50Millis, p.ApplyRegister.P50Millis, p.ApplyRegister.P99Millis, p.BlockBytes)
		}
		b.WriteString("\n")
	}
	b.WriteString(res.joinAndSubmissionsMarkdown())
	b.WriteString(res.readModelMarkdown())
	b.WriteString(res.Soak.markdown())
	if len(res.Memory) > 0 {
		b.WriteString("### Resident memory after the run\n\n| process | kind | RSS MiB | PSS MiB |\n| --- | --- | ---: | ---: |\n")
		var rss, pss float64
		for _, m := range res.Memory {
			fmt.Fprintf(&b, "| %s | %s | %.1f | %.1f |\n", m.Name, m.Kind, m.RSSMiB, m.PSSMiB)
			rss, pss = rss+m.RSSMiB, pss+m.PSSMiB
		}
		fmt.Fprintf(&b, "| **all** | | **%.0f** | **%.0f** |\n\n", rss, pss)
	}
	return b.String()
}

// Chart draws throughput and latency against concurrency for HTTP and bare, submissions and
// verification side by side, into a PNG.
func (res *Result) Chart(path string) error {
	submit, verify := filter(res.Submit, "submit"), filter(res.Read, "verify")
	if len(submit) == 0 && len(verify) == 0 {
		return fmt.Errorf("no submit or verify figures to chart")
	}
	// A column per operation: throughput in the first row, latency in the second.
	rows, cols := 2, 2
	plots := make([][]*plot.Plot, rows)
	for i := range plots {
		plots[i] = make([]*plot.Plot, cols)
	}
	for col, set := range []struct {
		name  string
		pairs []Pair
	}{{"submissions", submit}, {"verification", verify}} {
		tp, lp, err := chartOperation(set.name, set.pairs)
		if err != nil {
			return err
		}
		plots[0][col], plots[1][col] = tp, lp
	}
	return writePNG(path, plots)
}

// pathColors are the colours of the bare and the HTTP lines.
var pathColors = map[string]color.Color{
	"bare": color.RGBA{R: 31, G: 119, B: 180, A: 255},
	"http": color.RGBA{R: 214, G: 39, B: 40, A: 255},
}

// chartOperation makes the two plots of one operation against concurrent clients: throughput (a
// line per path, bare and http) and latency (p50 solid, p99 dashed, per path).
func chartOperation(name string, pairs []Pair) (tput, latency *plot.Plot, err error) {
	tput = newPlot(name+": throughput", "per second")
	latency = newPlot(name+": latency", "ms")
	for _, path := range []string{"bare", "http"} {
		perSecond, p50, p99 := series(pairs, path)
		c := pathColors[path]
		if err := addLine(tput, path, perSecond, c, false); err != nil {
			return nil, nil, err
		}
		if err := addLine(latency, path+" p50", p50, c, false); err != nil {
			return nil, nil, err
		}
		if err := addLine(latency, path+" p99", p99, c, true); err != nil {
			return nil, nil, err
		}
	}
	tput.Legend.Top, latency.Legend.Top = true, true
	return tput, latency, nil
}

// newPlot is an empty plot with concurrent clients on the x axis.
func newPlot(title, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text, p.Y.Label.Text = "concurrent clients", yLabel
	return p
}

// series are one path's (bare or http) figures against concurrency: throughput, p50 and p99 latency.
func series(pairs []Pair, path string) (perSecond, p50, p99 plotter.XYs) {
	for _, p := range pairs {
		s := p.Bare
		if path == "http" {
			s = p.HTTP
		}
		x := float64(p.Concurrency)
		perSecond = append(perSecond, plotter.XY{X: x, Y: s.PerSecond})
		p50 = append(p50, plotter.XY{X: x, Y: s.P50Millis})
		p99 = append(p99, plotter.XY{X: x, Y: s.P99Millis})
	}
	return perSecond, p50, p99
}

// writePNG draws the plots as aligned tiles (rows by columns, nil tiles left empty) on one
// 900×700 pt image and writes it to path.
func writePNG(path string, plots [][]*plot.Plot) error {
	img := vgimg.New(vg.Points(900), vg.Points(700))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: len(plots), Cols: len(plots[0]), PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 4,
		PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
	canvases := plot.Align(plots, tiles, dc)
	for r := range plots {
		for c := range plots[r] {
			if plots[r][c] != nil {
				plots[r][c].Draw(canvases[r][c])
			}
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = vgimg.PngCanvas{Canvas: img}.WriteTo(f)
	return err
}

func filter(ps []Pair, op string) []Pair {
	var out []Pair
	for _, p := range ps {
		if p.Operation == op {
			out = append(out, p)
		}
	}
	return out
}

func addLine(p *plot.Plot, name string, xys plotter.XYs, c color.Color, dashed bool) error {
	if len(xys) == 0 {
		return nil
	}
	l, s, err := plotter.NewLinePoints(xys)
	if err != nil {
		return err
	}
	l.Color, s.Color = c, c
	if dashed {
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	}
	p.Add(l, s)
	p.Legend.Add(name, l, s)
	return nil
}
