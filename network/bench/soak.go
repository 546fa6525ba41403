package bench

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ipledger/ipledger/network/netctl"
)

// SoakConfig says how long and how hard the soak runs. It ends when Duration has passed or, when
// Cycles is set, after that many pledge life cycles (the count-bounded variant of the smoke test),
// whichever comes first.
type SoakConfig struct {
	Duration time.Duration // how long the life cycle runs (--soak)
	Cycles   int           // at most this many life cycles, when > 0 (--soak-cycles)
	Clients  int           // concurrent HTTP clients (--soak-clients)
	Every    time.Duration // between two memory samples (--soak-every)
	// Compare is the length of each path's run in the bare/HTTP comparisons at the start and at
	// the end (--soak-compare); the comparisons are skipped when it is 0.
	Compare time.Duration
}

// SoakResult is what a soak measured.
type SoakResult struct {
	Clients         int          `json:"clients"`
	EverySeconds    float64      `json:"everySeconds"`
	PlannedSeconds  float64      `json:"plannedSeconds"`
	PlannedCycles   int          `json:"plannedCycles,omitempty"`
	ElapsedSeconds  float64      `json:"elapsedSeconds"`
	Cycles          int64        `json:"cycles"`
	Commits         int          `json:"commits"`
	Failures        int          `json:"failures"`
	LastError       string       `json:"lastError,omitempty"`
	CommitsPerSec   float64      `json:"commitsPerSecond"`
	Start           *Pair        `json:"start,omitempty"` // bare/HTTP comparison before the soak
	End             *Pair        `json:"end,omitempty"`   // and after it
	RatioDrift      float64      `json:"ratioDrift,omitempty"`
	Samples         []SoakSample `json:"samples"`
	Kinds           []KindTrend  `json:"kinds"`
	MetricsWarnings []string     `json:"metricsWarnings,omitempty"`
}

// SoakSample is one reading of every process, with the submissions since the previous one.
type SoakSample struct {
	ElapsedSeconds float64       `json:"elapsedSeconds"`
	Commits        int           `json:"commits"`  // successful submissions in the interval that ended here
	Failures       int           `json:"failures"` // failed submissions in that interval
	Load1          float64       `json:"load1"`    // the machine's 1-minute load average
	Processes      []ProcessSoak `json:"processes"`
}

// ProcessSoak is one process's memory at one sample: RSS and PSS from /proc/<pid>/smaps_rollup and,
// where its operations endpoint serves Go's runtime metrics, its heap.
type ProcessSoak struct {
	Name   string  `json:"name"`
	Kind   string  `json:"kind"`
	Pid    int     `json:"pid"`
	RSSMiB float64 `json:"rssMiB"`
	PSSMiB float64 `json:"pssMiB"`
	// CPUSeconds is the CPU time the process has used since it started (user and system, from
	// /proc/<pid>/stat): the cost of collecting more often under a memory limit shows here.
	CPUSeconds float64 `json:"cpuSeconds"`
	// HeapInuseMiB is go_memstats_heap_inuse_bytes; HeapSysMiB go_memstats_heap_sys_bytes (heap
	// address space obtained from the OS, some returned); GoSysMiB go_memstats_sys_bytes (all the
	// Go runtime obtained from the OS). Zero where the process serves no metrics.
	HeapInuseMiB float64 `json:"heapInuseMiB,omitempty"`
	HeapSysMiB   float64 `json:"heapSysMiB,omitempty"`
	GoSysMiB     float64 `json:"goSysMiB,omitempty"`
	// NextGCMiB is go_memstats_next_gc_bytes, the heap size at which the next collection starts:
	// with GOGC=100 and no memory limit reached, twice the heap that was live after the last one.
	NextGCMiB float64 `json:"nextGcMiB,omitempty"`
	// MemLimitMiB is go_gc_gomemlimit_bytes, the process's GOMEMLIMIT (0: none).
	MemLimitMiB float64 `json:"memLimitMiB,omitempty"`
	Goroutines  int     `json:"goroutines,omitempty"`
}

// KindTrend sums up one kind of process (peer, orderer, gateway, …) over the soak: the mean per
// process of the kind at the first and the last sample, and the slope over the last half of the run.
type KindTrend struct {
	Kind                string  `json:"kind"`
	Processes           int     `json:"processes"`
	StartRSSMiB         float64 `json:"startRssMiB"`
	EndRSSMiB           float64 `json:"endRssMiB"`
	StartPSSMiB         float64 `json:"startPssMiB"`
	EndPSSMiB           float64 `json:"endPssMiB"`
	StartHeapMiB        float64 `json:"startHeapInuseMiB,omitempty"`
	EndHeapMiB          float64 `json:"endHeapInuseMiB,omitempty"`
	RSSSlopeMiBPerHour  float64 `json:"rssSlopeLastHalfMiBPerHour"`
	HeapSlopeMiBPerHour float64 `json:"heapSlopeLastHalfMiBPerHour,omitempty"`
	// CPUPercent is the CPU a process of the kind used between the first and the last sample, in
	// percent of one core (mean over the processes of the kind sampled at both).
	CPUPercent float64 `json:"cpuPercent"`
}

// windowRecorder is the recorder of the current interval, swapped at each sample.
type windowRecorder struct {
	mu  sync.Mutex
	cur *Recorder
}

func (w *windowRecorder) get() *Recorder { w.mu.Lock(); defer w.mu.Unlock(); return w.cur }

func (w *windowRecorder) swap() *Recorder {
	w.mu.Lock()
	defer w.mu.Unlock()
	old := w.cur
	w.cur = &Recorder{}
	return old
}

func (r *Runner) runSoak(ctx context.Context) error {
	sc := r.cfg.Soak
	if sc.Clients <= 0 || sc.Every <= 0 || (sc.Duration <= 0 && sc.Cycles <= 0) {
		return fmt.Errorf("the soak needs --soak-clients and --soak-every above 0 and --soak (a duration) or --soak-cycles")
	}
	res := &SoakResult{Clients: sc.Clients, EverySeconds: sc.Every.Seconds(), PlannedSeconds: sc.Duration.Seconds(), PlannedCycles: sc.Cycles}
	r.res.Soak = res
	sampler, err := newMemSampler(r.sys)
	if err != nil {
		return err
	}
	defer sampler.close()
	lifecycle := func(ctx context.Context, d Driver, rec *Recorder) error { return r.lifecycle(ctx, d, rec) }
	if sc.Compare > 0 {
		p := r.pairFor(ctx, "submit (soak start)", sc.Clients, sc.Compare, lifecycle)
		res.Start = &p
	}
	r.logf("soak: the pledge life cycle through HTTP at %d clients for %s%s, every process's memory every %s",
		sc.Clients, sc.Duration, map[bool]string{true: fmt.Sprintf(" or %d cycles", sc.Cycles)}[sc.Cycles > 0], sc.Every)

	start := time.Now()
	sample := func(rec *Recorder) {
		s := sampler.sample(time.Since(start))
		if rec != nil {
			sum := rec.Summarize(0)
			s.Commits, s.Failures = sum.Count, sum.Failures
		}
		res.Samples = append(res.Samples, s)
		r.logf("soak %6.0fs: %s", s.ElapsedSeconds, s.line())
	}
	sample(nil)

	total, cycles := r.driveSoak(ctx, sc, sample)
	elapsed := time.Since(start)
	sum := total.Summarize(elapsed)
	res.ElapsedSeconds = math.Round(elapsed.Seconds()*10) / 10
	res.Cycles = cycles
	res.Commits, res.Failures, res.LastError = sum.Count, sum.Failures, sum.LastError
	res.CommitsPerSec = math.Round(sum.PerSecond*10) / 10
	res.MetricsWarnings = sampler.warnings()
	res.Kinds = kindTrends(res.Samples)
	r.logf("soak: %d commits, %d failures in %.0fs (%.1f/s)", res.Commits, res.Failures, elapsed.Seconds(), sum.PerSecond)
	if sc.Compare > 0 && ctx.Err() == nil {
		p := r.pairFor(ctx, "submit (soak end)", sc.Clients, sc.Compare, lifecycle)
		res.End = &p
		if res.Start != nil && res.Start.Ratio > 0 {
			res.RatioDrift = math.Round(p.Ratio/res.Start.Ratio*1000) / 1000
		}
	}
	return ctx.Err()
}

// driveSoak runs the life cycle from sc.Clients HTTP clients until the soak's time is up or its
// cycles are spent, calling sample with each interval's recorder at every tick and once at the end.
// It answers the recorder of every submission and the number of cycles run.
func (r *Runner) driveSoak(ctx context.Context, sc SoakConfig, sample func(*Recorder)) (*Recorder, int64) {
	win := &windowRecorder{cur: &Recorder{}}
	total := &Recorder{}
	var started atomic.Int64
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	if sc.Duration > 0 {
		var stop context.CancelFunc
		runCtx, stop = context.WithTimeout(runCtx, sc.Duration)
		defer stop()
	}
	var wg sync.WaitGroup
	for range sc.Clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for runCtx.Err() == nil {
				if n := started.Add(1); sc.Cycles > 0 && n > int64(sc.Cycles) {
					return
				}
				// A cycle's submissions count in the interval it ends in. The cycle in flight when the
				// soak's time is up runs to its end under the parent context, not counted as a failure.
				cycle := &Recorder{}
				_ = r.lifecycle(ctx, r.http, cycle)
				win.get().merge(cycle)
				total.merge(cycle)
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	tick := time.NewTicker(sc.Every)
	defer tick.Stop()
loop:
	for {
		select {
		case <-tick.C:
			sample(win.swap())
		case <-done:
			break loop
		case <-ctx.Done():
			<-done
			break loop
		}
	}
	sample(win.swap())
	cycles := started.Load()
	if sc.Cycles > 0 {
		cycles = min(cycles, int64(sc.Cycles))
	}
	return total, cycles
}

// merge adds another recorder's observations.
func (r *Recorder) merge(o *Recorder) {
	o.mu.Lock()
	lat, fails, last := append([]time.Duration(nil), o.latencies...), o.failures, o.lastError
	o.mu.Unlock()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.latencies = append(r.latencies, lat...)
	r.failures += fails
	if last != "" {
		r.lastError = last
	}
}

// line is a sample's progress line: commits, and RSS and heap per kind.
func (s SoakSample) line() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d commits, %d failures, load %.2f |", s.Commits, s.Failures, s.Load1)
	for _, k := range kindsOf(s.Processes) {
		rss, _, heap, n := kindMeans(s.Processes, k)
		fmt.Fprintf(&b, " %s×%d RSS %.0f", k, n, rss)
		if heap > 0 {
			fmt.Fprintf(&b, " heap %.0f", heap)
		}
		b.WriteString(" MiB;")
	}
	return strings.TrimSuffix(b.String(), ";")
}

// memSampler reads every process's memory and, where it serves them, its Go runtime metrics.
type memSampler struct {
	sys     *netctl.System
	clients map[string]*http.Client // by organization name
	mu      sync.Mutex
	warned  map[string]string // process → the first error reading its metrics
}

func newMemSampler(sys *netctl.System) (*memSampler, error) {
	m := &memSampler{sys: sys, clients: map[string]*http.Client{}, warned: map[string]string{}}
	for _, o := range sys.Organizations {
		pool := x509.NewCertPool()
		if pem, err := os.ReadFile(o.CACert); err == nil {
			pool.AppendCertsFromPEM(pem)
		}
		cfg := &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
		if o.OpsClientCert != "" {
			pair, err := tls.LoadX509KeyPair(o.OpsClientCert, o.OpsClientKey)
			if err != nil {
				return nil, fmt.Errorf("%s: the admin's TLS certificate for the operations endpoints: %w", o.MSPID, err)
			}
			cfg.Certificates = []tls.Certificate{pair}
		}
		m.clients[o.Name] = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: cfg}}
	}
	return m, nil
}

func (m *memSampler) close() {
	for _, c := range m.clients {
		c.CloseIdleConnections()
	}
}

func (m *memSampler) warnings() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for name, w := range m.warned {
		out = append(out, name+": "+w)
	}
	sort.Strings(out)
	return out
}

// sample reads every running process of the description, in parallel.
func (m *memSampler) sample(elapsed time.Duration) SoakSample {
	s := SoakSample{ElapsedSeconds: math.Round(elapsed.Seconds()*10) / 10, Load1: load1()}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, p := range m.sys.Processes {
		pid := pidOf(p.PidFile)
		if pid == 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			mem, err := netctl.ReadMemory(pid)
			if err != nil {
				return // gone between the pid file and /proc
			}
			ps := ProcessSoak{Name: p.Name, Kind: p.Kind, Pid: pid, RSSMiB: mib(mem.RSSKiB * 1024), PSSMiB: mib(mem.PSSKiB * 1024),
				CPUSeconds: cpuSeconds(pid)}
			if p.Kind == "peer" || p.Kind == "orderer" || p.Kind == "gateway" {
				m.goMetrics(p, &ps)
			}
			mu.Lock()
			s.Processes = append(s.Processes, ps)
			mu.Unlock()
		}()
	}
	wg.Wait()
	sort.Slice(s.Processes, func(i, j int) bool { return s.Processes[i].Name < s.Processes[j].Name })
	return s
}

// goMetrics reads a process's Go runtime figures from its operations endpoint's /metrics.
func (m *memSampler) goMetrics(p netctl.ProcessInfo, ps *ProcessSoak) {
	warn := func(err error) {
		m.mu.Lock()
		defer m.mu.Unlock()
		if _, ok := m.warned[p.Name]; !ok {
			m.warned[p.Name] = err.Error()
		}
	}
	base, ok := strings.CutSuffix(p.Health, "/healthz")
	client := m.clients[p.Org]
	if !ok || client == nil {
		warn(fmt.Errorf("no operations endpoint known (health %q)", p.Health))
		return
	}
	fams, err := scrape(context.Background(), client, base)
	if err != nil {
		warn(err)
		return
	}
	value := func(name string) float64 {
		for _, mt := range fams[name].GetMetric() {
			switch {
			case mt.GetGauge() != nil:
				return mt.GetGauge().GetValue()
			case mt.GetUntyped() != nil:
				return mt.GetUntyped().GetValue()
			case mt.GetCounter() != nil:
				return mt.GetCounter().GetValue()
			}
		}
		return 0
	}
	if _, ok := fams["go_memstats_heap_inuse_bytes"]; !ok {
		warn(fmt.Errorf("%s/metrics serves no go_memstats_heap_inuse_bytes", base))
		return
	}
	ps.HeapInuseMiB = mib(int64(value("go_memstats_heap_inuse_bytes")))
	ps.HeapSysMiB = mib(int64(value("go_memstats_heap_sys_bytes")))
	ps.GoSysMiB = mib(int64(value("go_memstats_sys_bytes")))
	ps.NextGCMiB = mib(int64(value("go_memstats_next_gc_bytes")))
	if l := value("go_gc_gomemlimit_bytes"); l > 0 && l < 1<<50 {
		ps.MemLimitMiB = mib(int64(l))
	}
	ps.Goroutines = int(value("go_goroutines"))
}

func pidOf(pidFile string) int {
	raw, err := os.ReadFile(pidFile)
	if err != nil {
		return 0
	}
	f := strings.Fields(string(raw))
	if len(f) == 0 {
		return 0
	}
	pid, _ := strconv.Atoi(f[0])
	return pid
}

// cpuSeconds is a process's user and system time so far, from /proc/<pid>/stat (fields 14 and 15,
// in clock ticks of 1/100 s on Linux); 0 when it cannot be read.
func cpuSeconds(pid int) float64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	rest := string(raw)
	if i := strings.LastIndexByte(rest, ')'); i >= 0 {
		rest = rest[i+1:]
	}
	f := strings.Fields(rest) // f[0] is field 3 (state)
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseFloat(f[11], 64)
	stime, _ := strconv.ParseFloat(f[12], 64)
	return math.Round(utime+stime) / 100
}

func load1() float64 {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(raw))
	if len(f) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}

func mib(bytes int64) float64 { return math.Round(float64(bytes)/(1<<20)*10) / 10 }

// kindsOf lists the kinds of processes in a sample, in a fixed order: peer, orderer, gateway, then
// the others by name.
func kindsOf(ps []ProcessSoak) []string {
	seen := map[string]bool{}
	for _, p := range ps {
		seen[p.Kind] = true
	}
	var out []string
	for _, k := range []string{"peer", "orderer", "gateway"} {
		if seen[k] {
			out = append(out, k)
			delete(seen, k)
		}
	}
	var rest []string
	for k := range seen {
		rest = append(rest, k)
	}
	sort.Strings(rest)
	return append(out, rest...)
}

// kindMeans are the mean RSS, PSS and heap in use per process of a kind, and how many there are
// (the heap's mean over the processes that serve it).
func kindMeans(ps []ProcessSoak, kind string) (rss, pss, heap float64, n int) {
	var heaps int
	for _, p := range ps {
		if p.Kind != kind {
			continue
		}
		n++
		rss += p.RSSMiB
		pss += p.PSSMiB
		if p.HeapInuseMiB > 0 {
			heaps++
			heap += p.HeapInuseMiB
		}
	}
	if n > 0 {
		rss, pss = rss/float64(n), pss/float64(n)
	}
	if heaps > 0 {
		heap /= float64(heaps)
	}
	return round1(rss), round1(pss), round1(heap), n
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }

// kindTrends sums up each kind over the samples.
func kindTrends(samples []SoakSample) []KindTrend {
	if len(samples) == 0 {
		return nil
	}
	first, last := samples[0], samples[len(samples)-1]
	var out []KindTrend
	for _, k := range kindsOf(last.Processes) {
		t := KindTrend{Kind: k}
		t.StartRSSMiB, t.StartPSSMiB, t.StartHeapMiB, _ = kindMeans(first.Processes, k)
		t.EndRSSMiB, t.EndPSSMiB, t.EndHeapMiB, t.Processes = kindMeans(last.Processes, k)
		half := samples[len(samples)/2:]
		var rss, heap []point
		for _, s := range half {
			r, _, h, n := kindMeans(s.Processes, k)
			if n == 0 {
				continue
			}
			rss = append(rss, point{s.ElapsedSeconds / 3600, r})
			if h > 0 {
				heap = append(heap, point{s.ElapsedSeconds / 3600, h})
			}
		}
		t.RSSSlopeMiBPerHour, t.HeapSlopeMiBPerHour = round1(slope(rss)), round1(slope(heap))
		t.CPUPercent = cpuPercent(first, last, k)
		out = append(out, t)
	}
	return out
}

// cpuPercent is the mean CPU of the processes of a kind between two samples, in percent of a core
// (a process restarted in between, another pid, is left out).
func cpuPercent(first, last SoakSample, kind string) float64 {
	dt := last.ElapsedSeconds - first.ElapsedSeconds
	before := map[string]ProcessSoak{}
	for _, p := range first.Processes {
		before[p.Name] = p
	}
	var sum float64
	var n int
	for _, p := range last.Processes {
		if b, ok := before[p.Name]; ok && p.Kind == kind && b.Pid == p.Pid && dt > 0 {
			sum += (p.CPUSeconds - b.CPUSeconds) / dt * 100
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return round1(sum / float64(n))
}

type point struct{ x, y float64 }

// slope is the least-squares slope of y against x (0 with fewer than two distinct x).
func slope(ps []point) float64 {
	if len(ps) < 2 {
		return 0
	}
	var sx, sy, sxx, sxy float64
	for _, p := range ps {
		sx, sy, sxx, sxy = sx+p.x, sy+p.y, sxx+p.x*p.x, sxy+p.x*p.y
	}
	n := float64(len(ps))
	den := n*sxx - sx*sx
	if den == 0 {
		return 0
	}
	return (n*sxy - sx*sy) / den
}

// WriteJSON writes the soak's result alone.
func (s *SoakResult) WriteJSON(path string) error {
	raw, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(raw, '\n'), 0o644)
}
