package bench

import (
	"math"
	"sort"
	"sync"
	"time"
)

// Recorder collects the latencies of successful operations and counts failures. Safe for concurrent use.
type Recorder struct {
	mu        sync.Mutex
	latencies []time.Duration
	failures  int
	lastError string
}

// Observe records one operation.
func (r *Recorder) Observe(d time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.failures++
		r.lastError = err.Error()
		return
	}
	r.latencies = append(r.latencies, d)
}

// Summary is what a measurement found.
type Summary struct {
	Count      int     `json:"count"`
	Failures   int     `json:"failures"`
	LastError  string  `json:"lastError,omitempty"`
	Seconds    float64 `json:"seconds"`
	PerSecond  float64 `json:"perSecond"`
	P50Millis  float64 `json:"p50Ms"`
	P99Millis  float64 `json:"p99Ms"`
	MeanMillis float64 `json:"meanMs"`
}

// Summarize computes throughput over the elapsed time and latency percentiles.
func (r *Recorder) Summarize(elapsed time.Duration) Summary {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := Summary{Count: len(r.latencies), Failures: r.failures, LastError: r.lastError, Seconds: elapsed.Seconds()}
	if elapsed > 0 {
		s.PerSecond = float64(s.Count) / elapsed.Seconds()
	}
	if len(r.latencies) == 0 {
		return s
	}
	sorted := append([]time.Duration(nil), r.latencies...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	s.P50Millis = millis(percentile(sorted, 0.50))
	s.P99Millis = millis(percentile(sorted, 0.99))
	var sum time.Duration
	for _, d := range sorted {
		sum += d
	}
	s.MeanMillis = millis(sum / time.Duration(len(sorted)))
	return s
}

// percentile is the nearest-rank percentile of sorted latencies.
func percentile(sorted []time.Duration, p float64) time.Duration {
	rank := int(math.Ceil(p*float64(len(sorted)))) - 1
	if rank < 0 {
		rank = 0
	}
	return sorted[rank]
}

func millis(d time.Duration) float64 { return math.Round(float64(d.Microseconds())/10) / 100 }
