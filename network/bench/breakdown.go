package bench

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/ipledger/ipledger/chaincode/api"
)

// Where the open-loop verification's latency goes: the load tool's lateness in sending (SendLag in
// RatePoint), the gateway's own time for the route (GatewayTime, from its request-duration
// histogram), and the CPU every process used during the point (PathCPU).

// GatewayTime is what a gateway's own metrics say about one route during a point: how many requests
// its handlers answered within 5 and 10 ms (the histogram's buckets, read before and after the point
// from its operations endpoint), and its garbage collections meanwhile.
type GatewayTime struct {
	Gateway    string  `json:"gateway"`
	Route      string  `json:"route"`
	Count      uint64  `json:"count"`
	Within5ms  uint64  `json:"within5ms"`
	Within10ms uint64  `json:"within10ms"`
	Seconds    float64 `json:"seconds"` // the handlers' total time
	GCCycles   uint64  `json:"gcCycles"`
	GCPauseMs  float64 `json:"gcPauseMs"` // the cycles' stop-the-world pauses, summed
}

// Over10ms is the number of requests the gateway's handlers took more than 10 ms to answer.
func (g GatewayTime) Over10ms() uint64 { return g.Count - g.Within10ms }

// readGatewayTime reads the route's histogram (the routes whose template contains route) and the Go
// collector's GC summary from a gateway's /metrics.
func readGatewayTime(ctx context.Context, client *http.Client, base, route string) (GatewayTime, error) {
	fams, err := scrape(ctx, client, base)
	if err != nil {
		return GatewayTime{}, err
	}
	return gatewayTimeOf(fams, route)
}

// gatewayTimeOf picks the figures out of parsed metric families.
func gatewayTimeOf(fams map[string]*dto.MetricFamily, route string) (GatewayTime, error) {
	var s GatewayTime
	h, ok := fams["ipledger_gateway_http_request_duration_seconds"]
	if !ok {
		return s, fmt.Errorf("no ipledger_gateway_http_request_duration_seconds")
	}
	for _, m := range h.GetMetric() {
		if !strings.Contains(label(m, "route"), route) {
			continue
		}
		s.Route = label(m, "route")
		hist := m.GetHistogram()
		s.Count += hist.GetSampleCount()
		s.Seconds += hist.GetSampleSum()
		for _, b := range hist.GetBucket() {
			switch b.GetUpperBound() {
			case 0.005:
				s.Within5ms += b.GetCumulativeCount()
			case 0.01:
				s.Within10ms += b.GetCumulativeCount()
			}
		}
	}
	if gc, ok := fams["go_gc_duration_seconds"]; ok {
		for _, m := range gc.GetMetric() {
			s.GCCycles += m.GetSummary().GetSampleCount()
			s.GCPauseMs += m.GetSummary().GetSampleSum() * 1000
		}
	}
	return s, nil
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

// since is what happened between an earlier reading of the counters and this one.
func (s GatewayTime) since(before GatewayTime) GatewayTime {
	return GatewayTime{Route: s.Route, Count: s.Count - before.Count, Within5ms: s.Within5ms - before.Within5ms,
		Within10ms: s.Within10ms - before.Within10ms, Seconds: s.Seconds - before.Seconds,
		GCCycles: s.GCCycles - before.GCCycles, GCPauseMs: s.GCPauseMs - before.GCPauseMs}
}

// ipofficeGateway is the IP office's gateway (the one the HTTP path's verifications go to): its
// name, its operations endpoint's base URL, and a client with the organization admin's TLS
// certificate, which its /metrics and /debug/pprof/ want.
func (r *Runner) ipofficeGateway() (name, base string, client *http.Client, err error) {
	var org string
	for _, o := range r.sys.Organizations {
		if o.MSPID == string(api.MSPIPOffice) {
			org = o.Name
		}
	}
	for _, p := range r.sys.Processes {
		if p.Kind != "gateway" || p.Org != org {
			continue
		}
		base, ok := strings.CutSuffix(p.Health, "/healthz")
		if !ok {
			return "", "", nil, fmt.Errorf("%s: no operations endpoint known (health %q)", p.Name, p.Health)
		}
		m, err := newMemSampler(r.sys)
		if err != nil {
			return "", "", nil, err
		}
		// No overall timeout: a CPU profile takes the seconds it is asked for (fetch sets a deadline).
		return p.Name, base, &http.Client{Transport: m.clients[org].Transport}, nil
	}
	return "", "", nil, fmt.Errorf("no gateway of %s in the system's processes", api.MSPIPOffice)
}

// ipofficeGatewayTime reads the verification route's figures from the IP office's gateway.
func (r *Runner) ipofficeGatewayTime(ctx context.Context) (GatewayTime, error) {
	name, base, client, err := r.ipofficeGateway()
	if err != nil {
		return GatewayTime{}, err
	}
	defer client.CloseIdleConnections()
	s, err := readGatewayTime(ctx, client, base, "/v1/verify/")
	s.Gateway = name
	return s, err
}

// startGatewayProfile asks the IP office's gateway for a CPU profile of the next Duration less a
// second, into ProfileDir (its operations listener serves one on a network started with
// IPLEDGER_PEER_PROFILE=1, as scripts/ipledger bench starts its own). Without a ProfileDir it
// answers nil.
func (r *Runner) startGatewayProfile(ctx context.Context, what string, c int) *profiling {
	if r.cfg.ProfileDir == "" {
		return nil
	}
	secs := max(1, int(r.cfg.Duration.Seconds())-1)
	pr := &profiling{p: PeerProfile{Path: what, Concurrency: c, Seconds: secs}, done: make(chan struct{}),
		cats: gatewayCategories, other: "other (the gateway's own code, gin's routing, the rules' reads)"}
	name, base, client, err := r.ipofficeGateway()
	if err != nil {
		pr.p.Error = err.Error()
		close(pr.done)
		return pr
	}
	pr.p.Process = name
	url := fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", base, secs)
	pr.p.File = filepath.Join(r.cfg.ProfileDir, fmt.Sprintf("cpu-%s-%s-c%d.pb.gz", name, what, c))
	go func() {
		defer close(pr.done)
		defer client.CloseIdleConnections()
		if err := fetch(ctx, client, url, pr.p.File, time.Duration(secs+30)*time.Second); err != nil {
			pr.p.Error = fmt.Sprintf("no profile from %s: %v (a gateway serves one only with operations.profile, "+
				"on a network started with IPLEDGER_PEER_PROFILE=1)", url, err)
			pr.p.File = ""
		}
	}()
	return pr
}

// rateBreakdownMarkdown renders where the open-loop points' time went: the load tool's send lag, the
// gateway's own time, and the CPU each kind of process used per answer.
func rateBreakdownMarkdown(points []RatePoint) string {
	var b strings.Builder
	b.WriteString("Where the time went: the load tool's send lag (from a request's scheduled time to its sending), the answering " +
		"gateway's handlers (its request-duration histogram: answers within 5 and 10 ms, and over 10 ms), its garbage " +
		"collections, and the CPU milliseconds per answer of each kind of process (all of them, out of " +
		fmt.Sprint(runtime.NumCPU()) + " CPUs' worth, in the last column).\n\n")
	b.WriteString("| path | send lag p50 ms | send lag p99 ms | gateway ≤ 5 ms | ≤ 10 ms | > 10 ms | gateway GC cycles, pauses ms | " +
		strings.Join(cpuGroups, " | ") + " | all | CPU busy % |\n")
	b.WriteString("| --- | ---: | ---: | ---: | ---: | ---: | ---: |" + strings.Repeat(" ---: |", len(cpuGroups)+2) + "\n")
	for _, p := range points {
		gw := "| – | – | – | –"
		if g := p.Gateway; g != nil {
			gw = fmt.Sprintf("| %d | %d | %d | %d, %.1f", g.Within5ms, g.Within10ms, g.Over10ms(), g.GCCycles, g.GCPauseMs)
		}
		fmt.Fprintf(&b, "| %s | %.1f | %.1f %s |", p.Path, p.SendLag.P50Millis, p.SendLag.P99Millis, gw)
		if p.CPU == nil {
			b.WriteString(strings.Repeat(" – |", len(cpuGroups)+2) + "\n")
			continue
		}
		byGroup := map[string]float64{}
		var secs float64
		for _, pr := range p.CPU.Processes {
			byGroup[pr.group()] += pr.Seconds
			secs += pr.Seconds
		}
		perAnswer := func(s float64) float64 { return 1000 * s / float64(max(p.CPU.Committed, 1)) }
		for _, g := range cpuGroups {
			fmt.Fprintf(&b, " %.3f |", perAnswer(byGroup[g]))
		}
		fmt.Fprintf(&b, " %.3f | %.0f |\n", perAnswer(secs), 100*secs/max(p.Seconds*float64(runtime.NumCPU()), 1e-9))
	}
	b.WriteString("\n")
	for _, p := range points {
		if p.Profile != nil {
			b.WriteString(p.Profile.markdown())
		}
	}
	return b.String()
}

// scrape reads and parses a process's /metrics (its operations endpoint at base).
func scrape(ctx context.Context, client *http.Client, base string) (map[string]*dto.MetricFamily, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s/metrics: %s", base, resp.Status)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s/metrics: %w", base, err)
	}
	return fams, nil
}
