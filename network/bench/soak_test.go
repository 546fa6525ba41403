package bench

import (
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// soakSamples are n samples a minute apart of two peers and an orderer: the peers grow by
// peerGrowth MiB a minute, the orderer stays at 100 MiB.
func soakSamples(n int, peerGrowth float64) []SoakSample {
	var out []SoakSample
	for i := range n {
		rss := 200 + peerGrowth*float64(i)
		out = append(out, SoakSample{ElapsedSeconds: float64(60 * i), Commits: 900, Load1: 1.5, Processes: []ProcessSoak{
			{Name: "peer0.a", Kind: "peer", RSSMiB: rss - 10, PSSMiB: rss - 40, HeapInuseMiB: rss / 2},
			{Name: "peer0.b", Kind: "peer", RSSMiB: rss + 10, PSSMiB: rss - 20, HeapInuseMiB: rss / 2},
			{Name: "orderer1", Kind: "orderer", Pid: 7, RSSMiB: 100, PSSMiB: 80, HeapInuseMiB: 40, CPUSeconds: float64(15 * i)},
		}})
	}
	return out
}

func TestKindTrends_SlopeOverTheLastHalf(t *testing.T) {
	trends := kindTrends(soakSamples(21, 2))
	if len(trends) != 2 || trends[0].Kind != "peer" || trends[1].Kind != "orderer" {
		t.Fatalf("trends %+v", trends)
	}
	peer, orderer := trends[0], trends[1]
	// 2 MiB a minute is 120 MiB an hour; the heap (half the RSS) 60.
	if math.Abs(peer.RSSSlopeMiBPerHour-120) > 0.1 || math.Abs(peer.HeapSlopeMiBPerHour-60) > 0.1 {
		t.Errorf("peer slopes %+v", peer)
	}
	if peer.Processes != 2 || peer.StartRSSMiB != 200 || peer.EndRSSMiB != 240 || peer.EndHeapMiB != 120 {
		t.Errorf("peer figures %+v", peer)
	}
	// 15 CPU seconds a minute: a quarter of a core.
	if orderer.RSSSlopeMiBPerHour != 0 || orderer.EndRSSMiB != 100 || orderer.CPUPercent != 25 {
		t.Errorf("orderer figures %+v", orderer)
	}
	if got := slope([]point{{1, 5}}); got != 0 {
		t.Errorf("slope of one point: %v", got)
	}
}

func TestSoakReport_MarkdownAndChart(t *testing.T) {
	s := &SoakResult{Clients: 10, EverySeconds: 60, ElapsedSeconds: 1200, Cycles: 4500, Commits: 18000, CommitsPerSec: 15,
		Samples:    soakSamples(21, 1),
		Start:      &Pair{Operation: "submit (soak start)", Concurrency: 10, Bare: Summary{PerSecond: 20}, HTTP: Summary{PerSecond: 18}, Ratio: 0.9},
		End:        &Pair{Operation: "submit (soak end)", Concurrency: 10, Bare: Summary{PerSecond: 20}, HTTP: Summary{PerSecond: 17}, Ratio: 0.85},
		RatioDrift: 0.944, MetricsWarnings: []string{"ca.bank1: no operations endpoint known"}}
	s.Kinds = kindTrends(s.Samples)
	md := (&Result{Soak: s}).Markdown()
	for _, want := range []string{"18000 commits (15.0/s), 0 failures", "| peer | 2 | 200.0 | 220.0 |", "| orderer | 1 | 100.0 | 100.0 |",
		"| submit (soak end) | 10 | 20.0 | 17.0 | 0.850 | 0, 0 |", "0.944", "Load average (1 min) during the soak: 1.5 to 1.5",
		"| 1200 | 900 | 0 | 1.5 | 220.0 | 110.0 | 100.0 | 40.0 |", "no Go heap figures for ca.bank1"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	path := filepath.Join(t.TempDir(), "soak.png")
	if err := s.Chart(path); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := png.Decode(f); err != nil {
		t.Fatal(err)
	}
	if err := (&SoakResult{Samples: soakSamples(1, 0)}).Chart(path); err == nil {
		t.Error("a soak of one sample made a chart")
	}
	if err := s.WriteJSON(filepath.Join(t.TempDir(), "soak.json")); err != nil {
		t.Fatal(err)
	}
}

func TestRecorderMerge(t *testing.T) {
	var total, a Recorder
	a.Observe(time.Millisecond, nil)
	a.Observe(time.Millisecond, os.ErrNotExist)
	total.merge(&a)
	total.merge(&a)
	if s := total.Summarize(time.Second); s.Count != 2 || s.Failures != 2 || s.LastError == "" {
		t.Errorf("merged %+v", s)
	}
}

func TestCPUSeconds_OfThisProcess(t *testing.T) {
	deadline := time.Now().Add(200 * time.Millisecond)
	for x := 0; time.Now().Before(deadline); x++ {
		_ = x * x
	}
	if s := cpuSeconds(os.Getpid()); s <= 0 || s > 3600 {
		t.Errorf("cpu seconds of this process: %v", s)
	}
	if s := cpuSeconds(-1); s != 0 {
		t.Errorf("cpu seconds of no process: %v", s)
	}
}
