package bench

import (
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func sampleResult() *Result {
	s := func(ps, p50, p99 float64) Summary {
		return Summary{Count: 10, PerSecond: ps, P50Millis: p50, P99Millis: p99}
	}
	return &Result{Started: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC), Machine: Machine{CPUs: 2},
		Settings: Settings{BatchTimeout: "100ms", MaxMessageCount: 100, Duration: "10s"},
		Submit: []Pair{{Operation: "submit", Concurrency: 1, Bare: s(8, 120, 150), HTTP: s(7.5, 125, 160), Ratio: 0.938},
			{Operation: "submit", Concurrency: 10, Bare: s(60, 150, 300), HTTP: s(57, 160, 320), Ratio: 0.95}},
		Read: []Pair{{Operation: "verify", Concurrency: 1, Bare: s(300, 3, 5), HTTP: s(280, 3.3, 6), Ratio: 0.933},
			{Operation: "verify", Concurrency: 10, Bare: s(900, 10, 20), HTTP: s(800, 11, 24), Ratio: 0.889}},
		Packages: []PackagePoint{{Rights: 500, Path: "bare", PayloadBytes: 19000, Apply: s(2, 150, 200), Register: s(2, 400, 500),
			ApplyRegister: s(1, 560, 700), BlockBytes: 812345}},
		Memory: []ProcessMem{{Name: "peer0.bank1", Kind: "peer", RSSMiB: 100, PSSMiB: 70}},
		Scale: []ScalePoint{{Rights: 1000000, Driver: "sqlite", Writes: 15000000, BuildSeconds: 1500, FileMiB: 4000,
			ByName: s(0, 2.5, 9), ByID: s(0, 0.5, 1.5), Statement: s(0, 0.3, 0.9)}}}
}

func TestMarkdown_HasEveryFigure(t *testing.T) {
	md := sampleResult().Markdown()
	for _, want := range []string{"| submit | 10 | 60.0 | 150.0 | 300.0 | 57.0 | 160.0 | 320.0 | 0.950 |", "| verify | 1 |", "BatchTimeout 100ms", "| **all** | | **100** | **70** |",
		"| 500 | bare | 19000 | 150.0 | 400.0 | 560.0 | 700.0 | 812345 |",
		"| 1000000 | sqlite | 15000000 | 1500 | 4000 | 2.5 | 9.0 | 0.5 | 1.5 | 0.3 | 0.9 | 0 |"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}

func TestChart_WritesAPNG(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chart.png")
	if err := sampleResult().Chart(path); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() < 600 || b.Dy() < 400 {
		t.Errorf("chart is %v", b)
	}
	if err := (&Result{}).Chart(path); err == nil {
		t.Error("an empty result made a chart")
	}
}
