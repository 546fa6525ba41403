package bench

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/ipledger/ipledger/network/netctl"
)

// The batchtimeout workload: for each BatchTimeout, the channel's value is set by a configuration
// update signed by the orderer organization's admin (netctl SetBatchTimeout; no node restarts), then
// sequential registrations (one client, Samples of them) and independent registrations at
// BatchClients clients are measured, through the bare client and through HTTP. The channel's value is
// set back at the end, also after a failure.

// BatchTimeoutPoint is one BatchTimeout's figures.
type BatchTimeoutPoint struct {
	BatchTimeout string  `json:"batchTimeout"`
	Millis       int64   `json:"batchTimeoutMs"`
	ConfigBlock  uint64  `json:"configBlock"`
	SeqBare      Summary `json:"sequentialBare"`
	SeqHTTP      Summary `json:"sequentialHttp"`
	LoadBare     Summary `json:"loadBare"`
	LoadHTTP     Summary `json:"loadHttp"`
}

// BatchTimeoutResult is the curve and the value chosen from it.
type BatchTimeoutResult struct {
	Clients int                 `json:"clients"`
	Samples int                 `json:"samples"`
	Points  []BatchTimeoutPoint `json:"points"`
	// Reference is the BatchTimeout the throughput is compared with: the channel's value before the
	// workload (the repository's default on a network the benchmark started).
	Reference string `json:"reference"`
	// Chosen is the largest BatchTimeout whose sequential registration p50 through HTTP is at most
	// GoalP50Millis and whose HTTP throughput at Clients is at least 0.9 of the reference's; "" when
	// none is; Why says how it was chosen.
	Chosen string `json:"chosen"`
	Why    string `json:"why"`
}

// GoalP50Millis is the goal for a sequential registration's time to commit on loopback.
const GoalP50Millis = 60

// DefaultBatchTimeouts are the values the batchtimeout workload measures unless told others.
var DefaultBatchTimeouts = []time.Duration{10 * time.Millisecond, 25 * time.Millisecond, 50 * time.Millisecond,
	100 * time.Millisecond, 250 * time.Millisecond}

func (r *Runner) runBatchTimeout(ctx context.Context) (err error) {
	n := r.cfg.Network
	if n == nil {
		return fmt.Errorf("the batchtimeout workload changes the channel's configuration: it needs the network's nodes")
	}
	cfg, _, err := n.ChannelConfig(n.Top.Org("IPOfficeMSP"))
	if err != nil {
		return err
	}
	ref, err := netctl.BatchTimeout(cfg)
	if err != nil {
		return err
	}
	defer func() {
		// A cancelled run still sets the value back.
		if _, rerr := n.SetBatchTimeout(context.WithoutCancel(ctx), ref); rerr != nil {
			err = fmt.Errorf("%w; setting BatchTimeout back to %s: %w (set it with a channel update)", err, ref, rerr)
		} else {
			r.logf("BatchTimeout set back to %s", ref)
		}
	}()
	clients := r.cfg.BatchClients
	res := &BatchTimeoutResult{Clients: clients, Samples: r.cfg.Samples, Reference: ref.String()}
	r.res.BatchTimeout = res
	r.logf("batchtimeout: BatchTimeout %v, %d sequential registrations and %s at %d clients each, bare and HTTP", r.cfg.BatchTimeouts,
		r.cfg.Samples, r.cfg.Duration, clients)
	for _, bt := range r.cfg.BatchTimeouts {
		block, err := n.SetBatchTimeout(ctx, bt)
		if err != nil {
			return fmt.Errorf("setting BatchTimeout %s: %w", bt, err)
		}
		// Every peer has the config block before the measurement starts.
		if err := r.sys.WaitForBlock(ctx, block); err != nil {
			return err
		}
		p := BatchTimeoutPoint{BatchTimeout: bt.String(), Millis: bt.Milliseconds(), ConfigBlock: block}
		p.SeqBare = sample(r.cfg.Samples, func() error { _, err := r.registerBare(ctx); return err })
		p.SeqHTTP = sample(r.cfg.Samples, func() error { _, err := r.registerHTTP(ctx); return err })
		reg := func(op func(context.Context) (string, error)) func(ctx context.Context, rec *Recorder) error {
			return func(ctx context.Context, rec *Recorder) error {
				start := time.Now()
				_, err := op(ctx)
				rec.Observe(time.Since(start), err)
				return err
			}
		}
		p.LoadBare = r.load(ctx, clients, reg(r.registerBare))
		p.LoadHTTP = r.load(ctx, clients, reg(r.registerHTTP))
		res.Points = append(res.Points, p)
		r.logf("BatchTimeout %-6s sequential p50 bare %6.1fms http %6.1fms (p99 %6.1f, %6.1f) | %d clients bare %6.1f/s http %6.1f/s (failures %d, %d, %d, %d)",
			bt, p.SeqBare.P50Millis, p.SeqHTTP.P50Millis, p.SeqBare.P99Millis, p.SeqHTTP.P99Millis, clients, p.LoadBare.PerSecond,
			p.LoadHTTP.PerSecond, p.SeqBare.Failures, p.SeqHTTP.Failures, p.LoadBare.Failures, p.LoadHTTP.Failures)
	}
	res.choose(ref)
	r.logf("BatchTimeout chosen: %q: %s", res.Chosen, res.Why)
	return nil
}

// BatchTimeoutMedian is one BatchTimeout's figures over its repeats (a value listed more than once
// in --batch-timeouts is measured once per listing; interleaving them spreads the machine's drift
// over every value): the median of each figure.
type BatchTimeoutMedian struct {
	BatchTimeout  string    `json:"batchTimeout"`
	Millis        int64     `json:"batchTimeoutMs"`
	Repeats       int       `json:"repeats"`
	SeqBareP50    float64   `json:"sequentialBareP50Ms"`
	SeqHTTPP50    float64   `json:"sequentialHttpP50Ms"`
	LoadBareRate  float64   `json:"loadBarePerSecond"`
	LoadHTTPRate  float64   `json:"loadHttpPerSecond"`
	LoadHTTPRates []float64 `json:"loadHttpPerSecondEach"`
}

// Medians groups the points by BatchTimeout, in the order the values were first measured.
func (res *BatchTimeoutResult) Medians() []BatchTimeoutMedian {
	var out []BatchTimeoutMedian
	idx := map[int64]int{}
	var seqBare, seqHTTP, bare [][]float64
	for _, p := range res.Points {
		i, ok := idx[p.Millis]
		if !ok {
			i = len(out)
			idx[p.Millis] = i
			out = append(out, BatchTimeoutMedian{BatchTimeout: p.BatchTimeout, Millis: p.Millis})
			seqBare, seqHTTP, bare = append(seqBare, nil), append(seqHTTP, nil), append(bare, nil)
		}
		out[i].Repeats++
		out[i].LoadHTTPRates = append(out[i].LoadHTTPRates, p.LoadHTTP.PerSecond)
		seqBare[i] = append(seqBare[i], p.SeqBare.P50Millis)
		seqHTTP[i] = append(seqHTTP[i], p.SeqHTTP.P50Millis)
		bare[i] = append(bare[i], p.LoadBare.PerSecond)
	}
	for i := range out {
		out[i].SeqBareP50, out[i].SeqHTTPP50 = median(seqBare[i]), median(seqHTTP[i])
		out[i].LoadBareRate, out[i].LoadHTTPRate = median(bare[i]), median(out[i].LoadHTTPRates)
	}
	return out
}

// median of a non-empty list (the mean of the middle two of an even one).
func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// choose picks the default from the curve by the goal: sequential registration p50 through HTTP at
// most GoalP50Millis, HTTP throughput at Clients at least 0.9 of the reference value's; each the
// median over the value's repeats. Of those that meet both, the largest (the most batching under
// load).
func (res *BatchTimeoutResult) choose(ref time.Duration) {
	var refTput float64
	found := false
	meds := res.Medians()
	for _, m := range meds {
		if m.Millis == ref.Milliseconds() {
			refTput, found = m.LoadHTTPRate, true
		}
	}
	if !found {
		res.Why = fmt.Sprintf("the curve holds no point at the reference %s, whose throughput the goal compares with", ref)
		return
	}
	floor := math.Round(0.9*refTput*10) / 10
	res.Chosen = ""
	for _, m := range meds {
		if m.SeqHTTPP50 > 0 && m.SeqHTTPP50 <= GoalP50Millis && m.LoadHTTPRate >= floor &&
			(res.Chosen == "" || m.Millis > mustMillis(res.Chosen)) {
			res.Chosen = m.BatchTimeout
		}
	}
	of := ""
	if slices.ContainsFunc(meds, func(m BatchTimeoutMedian) bool { return m.Repeats > 1 }) {
		of = "the median "
	}
	if res.Chosen == "" {
		res.Why = fmt.Sprintf("no BatchTimeout has both %sa sequential HTTP registration p50 <= %d ms and %sHTTP throughput at %d clients >= %.1f/s (0.9 of %s's %.1f/s)",
			of, GoalP50Millis, of, res.Clients, floor, ref, refTput)
		return
	}
	res.Why = fmt.Sprintf("the largest with %sa sequential HTTP registration p50 <= %d ms and %sHTTP throughput at %d clients >= %.1f/s (0.9 of %s's %.1f/s)",
		of, GoalP50Millis, of, res.Clients, floor, ref, refTput)
}

func mustMillis(s string) int64 {
	d, _ := time.ParseDuration(s)
	return d.Milliseconds()
}
