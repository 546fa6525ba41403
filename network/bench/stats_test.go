package bench

import (
	"errors"
	"path/filepath"
	"testing"
	"time"
)

func TestRecorder_PercentilesAndThroughput(t *testing.T) {
	var r Recorder
	for i := 1; i <= 100; i++ {
		r.Observe(time.Duration(i)*time.Millisecond, nil)
	}
	r.Observe(time.Second, errors.New("boom"))
	s := r.Summarize(10 * time.Second)
	if s.Count != 100 || s.Failures != 1 || s.LastError != "boom" {
		t.Errorf("counts %+v", s)
	}
	if s.P50Millis != 50 || s.P99Millis != 99 || s.MeanMillis != 50.5 {
		t.Errorf("p50 %v p99 %v mean %v; want 50, 99, 50.5", s.P50Millis, s.P99Millis, s.MeanMillis)
	}
	if s.PerSecond != 10 {
		t.Errorf("%v per second, want 10", s.PerSecond)
	}
}

func TestRecorder_Empty(t *testing.T) {
	var r Recorder
	if s := r.Summarize(0); s.Count != 0 || s.PerSecond != 0 || s.P99Millis != 0 {
		t.Errorf("%+v", s)
	}
}

// The growth workload's record of rights seeded on a ledger only grows, survives the run, and is read
// back by the next run on the same network; without a file nothing is kept.
func TestSeededRecord_GrowsAndIsReadBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bench-seeded.json")
	if n, err := readSeeded(path); err != nil || n != 0 {
		t.Fatalf("no record: %d, %v", n, err)
	}
	r := &Runner{cfg: Config{SeededFile: path}}
	for _, n := range []int{100, 300, 200} {
		if err := r.noteSeeded(n); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := readSeeded(path); err != nil || n != 300 {
		t.Fatalf("record %d (%v), want 300: batches commit out of order, the record only grows", n, err)
	}
	if err := (&Runner{}).noteSeeded(5); err != nil {
		t.Fatal(err)
	}
}
