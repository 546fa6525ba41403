//go:build integration

package bench

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/ipledger/ipledger/network/itest"
)

// TestBenchSmoke runs the benchmark tool briefly against the test network: both paths commit the
// pledge life cycle, answer verifications and apply for and register a package, and the report's three
// outputs are written.
func TestBenchSmoke(t *testing.T) {
	sys := itest.System(t)
	cfg := Config{Workloads: []string{"submit", "read", "packages", "memory"}, Concurrency: []int{2}, Duration: 2 * time.Second,
		Samples: 3, PackageSizes: []int{3}, Out: testWriter{t}}
	r, err := NewRunner(cfg, sys, Settings{BatchTimeout: "100ms"})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	res, err := r.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Submit) != 1 || len(res.Read) != 2 || len(res.Packages) != 2 || len(res.Memory) == 0 {
		t.Fatalf("figures missing: %d submit, %d read, %d packages, %d memory", len(res.Submit), len(res.Read), len(res.Packages), len(res.Memory))
	}
	for _, p := range res.Packages {
		if p.Rights != 3 || p.ApplyRegister.Count != 3 || p.ApplyRegister.Failures != 0 || p.BlockBytes < 1000 {
			t.Errorf("package figures of %s: %+v", p.Path, p)
		}
	}
	for _, p := range append(res.Submit, res.Read...) {
		for path, s := range map[string]Summary{"bare": p.Bare, "http": p.HTTP} {
			if s.Count == 0 || s.Failures != 0 || s.P50Millis <= 0 {
				t.Errorf("%s %s: %+v", p.Operation, path, s)
			}
		}
		if p.Ratio <= 0 {
			t.Errorf("%s: ratio %v", p.Operation, p.Ratio)
		}
	}
	dir := t.TempDir()
	if err := res.WriteJSON(filepath.Join(dir, "bench.json")); err != nil {
		t.Fatal(err)
	}
	if err := res.Chart(filepath.Join(dir, "bench.png")); err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", res.Markdown())
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) { w.t.Log(string(p)); return len(p), nil }
