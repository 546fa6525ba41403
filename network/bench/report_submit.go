package bench

import (
	"cmp"
	"fmt"
	"image/color"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
)

// joinAndSubmissionsMarkdown renders the join, register and batchtimeout workloads' sections, in
// that order, those that ran.
func (res *Result) joinAndSubmissionsMarkdown() string {
	var s string
	if res.Join != nil {
		s = res.Join.markdown()
	}
	return s + res.registerMarkdown() + res.batchTimeoutMarkdown()
}

// registerMarkdown renders the register workload: throughput and latency of the three paths, the
// ratios, the CPU per committed transaction by process group, and the peer's profiles.
func (res *Result) registerMarkdown() string {
	rr := res.Register
	if rr == nil || len(rr.Points) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("### Independent registrations against a trivial key-value chaincode\n\n")
	fmt.Fprintf(&b, "RegisterAsset of a new right (IPLedger, bare and HTTP) against Put of a new key of %d bytes (kvcc, bare); "+
		"endorsed by: trivial %s, bare %s, HTTP %s.\n\n", rr.ValueBytes, strings.Join(rr.Endorsers["trivial"], "+"),
		strings.Join(rr.Endorsers["bare"], "+"), strings.Join(rr.Endorsers["http"], "+"))
	b.WriteString("| clients | trivial /s | trivial p50 ms | trivial p99 ms | bare /s | bare p50 ms | bare p99 ms | HTTP /s | HTTP p50 ms | HTTP p99 ms | bare / trivial | HTTP / trivial | failures trivial, bare, HTTP |\n")
	b.WriteString("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, p := range rr.Points {
		fmt.Fprintf(&b, "| %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.3f | %.3f | %d, %d, %d |\n", p.Concurrency,
			p.Trivial.PerSecond, p.Trivial.P50Millis, p.Trivial.P99Millis, p.Bare.PerSecond, p.Bare.P50Millis, p.Bare.P99Millis,
			p.HTTP.PerSecond, p.HTTP.P50Millis, p.HTTP.P99Millis, p.BareRatio, p.HTTPRatio, p.Trivial.Failures, p.Bare.Failures, p.HTTP.Failures)
	}
	b.WriteString("\nCPU milliseconds per committed transaction, by process (user and system time from /proc/<pid>/stat " +
		"before and after each path of each point; every process of the network and the load tool):\n\n")
	b.WriteString(cpuTable(rr.Points))
	b.WriteString("\n")
	for _, p := range rr.Points {
		for _, pr := range p.Profiles {
			b.WriteString(pr.markdown())
		}
	}
	return b.String()
}

// markdown renders a profile: what was profiled, its shares and its top entries.
func (pr PeerProfile) markdown() string {
	var b strings.Builder
	process := cmp.Or(pr.Process, "peer0.ipoffice")
	fmt.Fprintf(&b, "CPU profile of %s, %s at %d clients (%d s", process, pr.Path, pr.Concurrency, pr.Seconds)
	if pr.File != "" {
		fmt.Fprintf(&b, ", `%s`", baseName(pr.File))
	}
	b.WriteString("):\n\n")
	if pr.Error != "" {
		fmt.Fprintf(&b, "not taken: %s\n\n", pr.Error)
		return b.String()
	}
	var parts []string
	for _, sh := range pr.Shares {
		parts = append(parts, fmt.Sprintf("%s %.1f %%", sh.What, sh.Percent))
	}
	if len(parts) > 0 {
		fmt.Fprintf(&b, "By what it was spent on: %s.\n\n", strings.Join(parts, "; "))
	}
	b.WriteString("```\n")
	for _, l := range pr.Top {
		b.WriteString(l + "\n")
	}
	b.WriteString("```\n\n")
	return b.String()
}

func baseName(p string) string { return p[strings.LastIndexByte(p, '/')+1:] }

// batchTimeoutMarkdown renders the BatchTimeout curve and the value chosen from it.
func (res *Result) batchTimeoutMarkdown() string {
	bt := res.BatchTimeout
	if bt == nil || len(bt.Points) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("### BatchTimeout: sequential registration and throughput\n\n")
	fmt.Fprintf(&b, "Each value set by a channel update signed by the orderer organization's admin; %d sequential registrations, "+
		"then independent registrations at %d clients, bare and HTTP.\n\n", bt.Samples, bt.Clients)
	fmt.Fprintf(&b, "| BatchTimeout | sequential bare p50 ms | bare p99 ms | sequential HTTP p50 ms | HTTP p99 ms | %d clients bare /s | %d clients HTTP /s | HTTP p50 ms at %d | failures |\n",
		bt.Clients, bt.Clients, bt.Clients)
	b.WriteString("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, p := range bt.Points {
		fmt.Fprintf(&b, "| %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %d |\n", p.BatchTimeout, p.SeqBare.P50Millis, p.SeqBare.P99Millis,
			p.SeqHTTP.P50Millis, p.SeqHTTP.P99Millis, p.LoadBare.PerSecond, p.LoadHTTP.PerSecond, p.LoadHTTP.P50Millis,
			p.SeqBare.Failures+p.SeqHTTP.Failures+p.LoadBare.Failures+p.LoadHTTP.Failures)
	}
	if meds := bt.Medians(); len(meds) < len(bt.Points) {
		b.WriteString("\nThe medians over each value's repeats (the points above in the order measured):\n\n")
		fmt.Fprintf(&b, "| BatchTimeout | repeats | sequential bare p50 ms | sequential HTTP p50 ms | %d clients bare /s | %d clients HTTP /s | HTTP /s each |\n",
			bt.Clients, bt.Clients)
		b.WriteString("| ---: | ---: | ---: | ---: | ---: | ---: | --- |\n")
		for _, m := range meds {
			each := make([]string, len(m.LoadHTTPRates))
			for i, r := range m.LoadHTTPRates {
				each[i] = fmt.Sprintf("%.1f", r)
			}
			fmt.Fprintf(&b, "| %s | %d | %.1f | %.1f | %.1f | %.1f | %s |\n", m.BatchTimeout, m.Repeats, m.SeqBareP50, m.SeqHTTPP50,
				m.LoadBareRate, m.LoadHTTPRate, strings.Join(each, ", "))
		}
	}
	chosen := bt.Chosen
	if chosen == "" {
		chosen = "none"
	}
	fmt.Fprintf(&b, "\nChosen: **%s**: %s.\n\n", chosen, bt.Why)
	return b.String()
}

// SubmissionChart draws the register workload (throughput and p50 against clients, trivial, bare and
// HTTP) and the BatchTimeout curve (sequential p50 and throughput against BatchTimeout) into a PNG.
func (res *Result) SubmissionChart(path string) error {
	rr, bt := res.Register, res.BatchTimeout
	if (rr == nil || len(rr.Points) == 0) && (bt == nil || len(bt.Points) == 0) {
		return fmt.Errorf("no register or batchtimeout figures to chart")
	}
	plots := [][]*plot.Plot{{nil, nil}, {nil, nil}}
	trivialColor := color.RGBA{R: 44, G: 160, B: 44, A: 255}
	if rr != nil && len(rr.Points) > 0 {
		tput, lat := newPlot("registrations: throughput", "per second"), newPlot("registrations: p50", "ms")
		for _, s := range []struct {
			name string
			c    color.Color
			get  func(p RegisterPoint) Summary
		}{{"trivial", trivialColor, func(p RegisterPoint) Summary { return p.Trivial }},
			{"bare", pathColors["bare"], func(p RegisterPoint) Summary { return p.Bare }},
			{"http", pathColors["http"], func(p RegisterPoint) Summary { return p.HTTP }}} {
			var t, l plotter.XYs
			for _, p := range rr.Points {
				t = append(t, plotter.XY{X: float64(p.Concurrency), Y: s.get(p).PerSecond})
				l = append(l, plotter.XY{X: float64(p.Concurrency), Y: s.get(p).P50Millis})
			}
			if err := addLine(tput, s.name, t, s.c, false); err != nil {
				return err
			}
			if err := addLine(lat, s.name, l, s.c, false); err != nil {
				return err
			}
		}
		tput.Legend.Top, lat.Legend.Top = true, true
		plots[0][0], plots[0][1] = tput, lat
	}
	if bt != nil && len(bt.Points) > 0 {
		seq, tput, err := bt.curvePlots()
		if err != nil {
			return err
		}
		plots[1][0], plots[1][1] = seq, tput
	}
	if plots[0][0] == nil {
		plots = plots[1:]
	} else if plots[1][0] == nil {
		plots = plots[:1]
	}
	return writePNG(path, plots)
}

// curvePlots draws the BatchTimeout curve (each value's medians): sequential p50 and throughput.
func (bt *BatchTimeoutResult) curvePlots() (*plot.Plot, *plot.Plot, error) {
	seq, tput := newPlot("sequential registration p50", "ms"), newPlot(fmt.Sprintf("throughput at %d clients", bt.Clients), "per second")
	seq.X.Label.Text, tput.X.Label.Text = "BatchTimeout ms", "BatchTimeout ms"
	meds := bt.Medians()
	slices.SortFunc(meds, func(a, b BatchTimeoutMedian) int { return cmp.Compare(a.Millis, b.Millis) })
	for _, path := range []string{"bare", "http"} {
		var s, t plotter.XYs
		for _, m := range meds {
			sq, ld := m.SeqBareP50, m.LoadBareRate
			if path == "http" {
				sq, ld = m.SeqHTTPP50, m.LoadHTTPRate
			}
			s = append(s, plotter.XY{X: float64(m.Millis), Y: sq})
			t = append(t, plotter.XY{X: float64(m.Millis), Y: ld})
		}
		if err := addLine(seq, path, s, pathColors[path], false); err != nil {
			return nil, nil, err
		}
		if err := addLine(tput, path, t, pathColors[path], false); err != nil {
			return nil, nil, err
		}
	}
	seq.Legend.Top, tput.Legend.Top = true, true
	return seq, tput, nil
}
