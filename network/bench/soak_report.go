package bench

import (
	"fmt"
	"image/color"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
)

// markdown renders the soak: what ran, the trend of each kind of process, the bare/HTTP comparison
// at both ends and the samples.
func (s *SoakResult) markdown() string {
	if s == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString("### Soak: the pledge life cycle through HTTP, memory over time\n\n")
	fmt.Fprintf(&b, "%d clients for %.0f s (%d life cycles): %d commits (%.1f/s), %d failures; a sample every %.0f s, %d samples.\n\n",
		s.Clients, s.ElapsedSeconds, s.Cycles, s.Commits, s.CommitsPerSec, s.Failures, s.EverySeconds, len(s.Samples))
	if s.LastError != "" {
		fmt.Fprintf(&b, "Last failure: `%s`\n\n", s.LastError)
	}
	if len(s.Samples) > 0 {
		lo, hi := s.Samples[0].Load1, s.Samples[0].Load1
		for _, x := range s.Samples {
			lo, hi = min(lo, x.Load1), max(hi, x.Load1)
		}
		fmt.Fprintf(&b, "Load average (1 min) during the soak: %.1f to %.1f.\n\n", lo, hi)
	}
	b.WriteString("Per process of each kind (mean over the processes of the kind); slope: least squares over the last half of the samples.\n\n")
	b.WriteString("| kind | processes | RSS start MiB | RSS end MiB | PSS start MiB | PSS end MiB | Go heap in use start MiB | end MiB | RSS slope MiB/h | heap slope MiB/h | CPU % of a core |\n")
	b.WriteString("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, k := range s.Kinds {
		heapStart, heapEnd, heapSlope := "–", "–", "–"
		if k.EndHeapMiB > 0 {
			heapStart, heapEnd, heapSlope = fmt.Sprintf("%.1f", k.StartHeapMiB), fmt.Sprintf("%.1f", k.EndHeapMiB), fmt.Sprintf("%.1f", k.HeapSlopeMiBPerHour)
		}
		fmt.Fprintf(&b, "| %s | %d | %.1f | %.1f | %.1f | %.1f | %s | %s | %.1f | %s | %.1f |\n", k.Kind, k.Processes, k.StartRSSMiB, k.EndRSSMiB,
			k.StartPSSMiB, k.EndPSSMiB, heapStart, heapEnd, k.RSSSlopeMiBPerHour, heapSlope, k.CPUPercent)
	}
	b.WriteString("\n")
	if s.Start != nil || s.End != nil {
		b.WriteString("Bare against HTTP, the pledge life cycle, before and after the soak:\n\n")
		b.WriteString("| when | clients | bare /s | HTTP /s | HTTP / bare | failures bare, HTTP |\n| --- | ---: | ---: | ---: | ---: | ---: |\n")
		for _, p := range []*Pair{s.Start, s.End} {
			if p != nil {
				fmt.Fprintf(&b, "| %s | %d | %.1f | %.1f | %.3f | %d, %d |\n", p.Operation, p.Concurrency, p.Bare.PerSecond, p.HTTP.PerSecond,
					p.Ratio, p.Bare.Failures, p.HTTP.Failures)
			}
		}
		if s.RatioDrift > 0 {
			fmt.Fprintf(&b, "\nHTTP / bare at the end over HTTP / bare at the start: %.3f.\n", s.RatioDrift)
		}
		b.WriteString("\n")
	}
	b.WriteString(s.samplesMarkdown())
	for _, w := range s.MetricsWarnings {
		fmt.Fprintf(&b, "- no Go heap figures for %s\n", w)
	}
	if len(s.MetricsWarnings) > 0 {
		b.WriteString("\n")
	}
	return b.String()
}

// samplesMarkdown is the table of the samples: commits, failures, load, and RSS and heap per kind.
func (s *SoakResult) samplesMarkdown() string {
	if len(s.Samples) == 0 {
		return ""
	}
	var b strings.Builder
	kinds := kindsOf(s.Samples[len(s.Samples)-1].Processes)
	b.WriteString("| s | commits | failures | load |")
	sep := "| ---: | ---: | ---: | ---: |"
	for _, k := range kinds {
		fmt.Fprintf(&b, " %s RSS MiB |", k)
		sep += " ---: |"
		if k == "peer" || k == "orderer" || k == "gateway" {
			fmt.Fprintf(&b, " %s heap MiB |", k)
			sep += " ---: |"
		}
	}
	b.WriteString("\n" + sep + "\n")
	for _, x := range s.Samples {
		fmt.Fprintf(&b, "| %.0f | %d | %d | %.1f |", x.ElapsedSeconds, x.Commits, x.Failures, x.Load1)
		for _, k := range kinds {
			rss, _, heap, _ := kindMeans(x.Processes, k)
			fmt.Fprintf(&b, " %.1f |", rss)
			if k == "peer" || k == "orderer" || k == "gateway" {
				fmt.Fprintf(&b, " %.1f |", heap)
			}
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
	return b.String()
}

// kindColors are the lines' colours per kind of process.
var kindColors = map[string]color.Color{
	"peer":      color.RGBA{R: 31, G: 119, B: 180, A: 255},
	"orderer":   color.RGBA{R: 214, G: 39, B: 40, A: 255},
	"gateway":   color.RGBA{R: 44, G: 160, B: 44, A: 255},
	"chaincode": color.RGBA{R: 148, G: 103, B: 189, A: 255},
	"ca":        color.RGBA{R: 127, G: 127, B: 127, A: 255},
}

// Chart draws, against minutes of the soak, the RSS per process of each kind (solid) with its Go
// heap in use (dashed), and the commits per minute, into a PNG.
func (s *SoakResult) Chart(path string) error {
	if len(s.Samples) < 2 {
		return fmt.Errorf("fewer than two samples to chart")
	}
	mem := plot.New()
	mem.Title.Text = "memory per process: RSS (solid), Go heap in use (dashed)"
	mem.X.Label.Text, mem.Y.Label.Text = "minutes", "MiB"
	for _, k := range kindsOf(s.Samples[len(s.Samples)-1].Processes) {
		var rss, heap plotter.XYs
		for _, x := range s.Samples {
			r, _, h, n := kindMeans(x.Processes, k)
			if n == 0 {
				continue
			}
			rss = append(rss, plotter.XY{X: x.ElapsedSeconds / 60, Y: r})
			if h > 0 {
				heap = append(heap, plotter.XY{X: x.ElapsedSeconds / 60, Y: h})
			}
		}
		c, ok := kindColors[k]
		if !ok {
			c = color.Black
		}
		if err := addLine(mem, k+" RSS", rss, c, false); err != nil {
			return err
		}
		if err := addLine(mem, k+" heap", heap, c, true); err != nil {
			return err
		}
	}
	mem.Legend.Top, mem.Legend.Left = true, true
	rate := plot.New()
	rate.Title.Text = "commits per minute (HTTP, the pledge life cycle)"
	rate.X.Label.Text, rate.Y.Label.Text = "minutes", "commits per minute"
	var xys plotter.XYs
	for i, x := range s.Samples {
		if i == 0 {
			continue
		}
		dt := x.ElapsedSeconds - s.Samples[i-1].ElapsedSeconds
		if dt > 0 && dt >= s.EverySeconds/2 { // the short last interval would only add noise
			xys = append(xys, plotter.XY{X: x.ElapsedSeconds / 60, Y: float64(x.Commits) / dt * 60})
		}
	}
	if err := addLine(rate, "commits", xys, color.Black, false); err != nil {
		return err
	}
	rate.Y.Min = 0
	return writePNG(path, [][]*plot.Plot{{mem}, {rate}})
}
