package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/network/netctl"
)

// The read model's points (the `readmodel` workload and the search of the growth workload): reads a
// gateway answers from its read model, against the same calls made bare (the chaincode evaluated on
// the peer, the proof from qscc).

// RatePoint is an open-loop measurement: Clients send at a combined Target rate, each on its own
// schedule, and a request's latency counts from when the schedule said to send it (so a slow answer
// delays the next sends' measurements instead of hiding them: no coordinated omission).
type RatePoint struct {
	Operation string  `json:"operation"`
	Path      string  `json:"path"`
	Clients   int     `json:"clients"`
	Target    float64 `json:"targetPerSecond"`
	Summary
	// Sources counts the answers by the gateway's IPLedger-Read-Source header (HTTP only).
	Sources map[string]int `json:"sources,omitempty"`
	// SendLag is how late the load tool sent each request after its schedule said to: the load
	// tool's own share of the latency, on a machine it shares with the network.
	SendLag Summary `json:"sendLag"`
	// Gateway is the answering gateway's own time for the route, from its metrics (HTTP only).
	Gateway *GatewayTime `json:"gateway,omitempty"`
	// CPU is the CPU every process used during the point; Committed counts the answers.
	CPU *PathCPU `json:"cpu,omitempty"`
	// Profile is the answering gateway's CPU profile during the point (HTTP only).
	Profile *PeerProfile `json:"profile,omitempty"`
}

// SearchPoint is the latency of a search by party (name, and unified social credit code) with a
// number of IP rights on the ledger, sequential.
type SearchPoint struct {
	Rights int     `json:"rights"`
	Path   string  `json:"path"`
	ByName Summary `json:"byName"`
	ByID   Summary `json:"byId"`
}

// Searcher is a driver that searches parties.
type Searcher interface {
	SearchParties(ctx context.Context, id, name string) error
}

// paced runs op from clients workers at a combined rate for the run's duration, open loop. It returns
// the latencies (from each request's scheduled time to its answer) and the send lags (from the
// scheduled time to the moment the request was sent).
func (r *Runner) paced(ctx context.Context, clients int, rate float64, op func(ctx context.Context) error) (Summary, Summary) {
	var rec, lag Recorder
	interval := time.Duration(float64(time.Second) * float64(clients) / rate)
	start := time.Now()
	deadline := start.Add(r.cfg.Duration)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			next := start.Add(time.Duration(float64(interval) * float64(i) / float64(clients)))
			for next.Before(deadline) && ctx.Err() == nil {
				// Pacing the load, not waiting for a condition: the schedule is the point.
				if d := time.Until(next); d > 0 {
					time.Sleep(d)
				}
				lag.Observe(time.Since(next), nil)
				err := op(ctx)
				rec.Observe(time.Since(next), err)
				next = next.Add(interval)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	return rec.Summarize(elapsed), lag.Summarize(elapsed)
}

// runReadModel measures verification at --verify-rate (default 2,000 a second) from --verify-clients
// (default 50) clients, through HTTP (the read model) and bare, and reports where the HTTP answers
// came from.
func (r *Runner) runReadModel(ctx context.Context) error {
	ids, err := r.pledgedAssets(ctx, 20)
	if err != nil {
		return fmt.Errorf("preparing pledged rights: %w", err)
	}
	// The IP office's gateway answers once its read model has the last prepared block.
	if err := r.http.AwaitReadModel(ctx, r.maxBlock.Load()); err != nil {
		return err
	}
	clients, rate := r.cfg.VerifyClients, r.cfg.VerifyRate
	if clients <= 0 {
		clients = 50
	}
	if rate <= 0 {
		rate = 2000
	}
	pick := func() string { return ids[mrand.IntN(len(ids))] }
	for _, d := range []Driver{r.bare, r.http} {
		p := RatePoint{Operation: "verify", Path: d.Name(), Clients: clients, Target: rate}
		var mu sync.Mutex
		gwBefore, gwErr := r.ipofficeGatewayTime(ctx)
		var prof *profiling
		if _, ok := d.(*HTTP); ok {
			prof = r.startGatewayProfile(ctx, "verify", clients)
		}
		cpuBefore := r.cpuSample()
		p.Summary, p.SendLag = r.paced(ctx, clients, rate, func(ctx context.Context) error {
			if h, ok := d.(*HTTP); ok {
				src, err := h.VerifySource(ctx, pick())
				mu.Lock()
				if p.Sources == nil {
					p.Sources = map[string]int{}
				}
				p.Sources[src]++
				mu.Unlock()
				return err
			}
			return d.Verify(ctx, pick())
		})
		cpu := r.cpuSince(cpuBefore, d.Name(), p.Count)
		p.CPU = &cpu
		if prof != nil {
			pp := prof.finish()
			p.Profile = &pp
		}
		if _, ok := d.(*HTTP); ok {
			gwAfter, err := r.ipofficeGatewayTime(ctx)
			if err = errors.Join(gwErr, err); err != nil {
				r.logf("the IP office's gateway's metrics: %v (its own time is not reported)", err)
			} else {
				gt := gwAfter.since(gwBefore)
				gt.Gateway = gwAfter.Gateway
				p.Gateway = &gt
			}
		}
		r.res.ReadModel = append(r.res.ReadModel, p)
		r.logf("verify at %.0f/s from %d clients %-4s: %7.1f/s p50 %6.1fms p99 %6.1fms failures %d sources %v; send lag p50 %.1fms p99 %.1fms",
			rate, clients, d.Name(), p.PerSecond, p.P50Millis, p.P99Millis, p.Failures, p.Sources, p.SendLag.P50Millis, p.SendLag.P99Millis)
	}
	// The search by party on the ledger as it is (the growth workload measures it at its sizes).
	r.searchAt(ctx, 0, 0)
	return nil
}

// searchOwners is the number of distinct owners the growth workload's seeded rights are spread over:
// at a million rights, about 20 rights an owner.
const searchOwners = 50000

// Characters the seeded owners' names are made of: two of them name an owner (about 10,000 names),
// the rest of the name is common to all, as "科技有限公司" is to many real ones.
var nameChars = []rune("光电芯片智能汽车材料生物医药信息网络软件数据能源环境机械装备精密仪器通信电子半导体新型化工纺织食品农业海洋航空航天测绘建筑交通物流金融服务文化创意教育健康养老")

// seedOwner is the owner of the i-th seeded right.
func seedOwner(i int) api.Owner {
	k := i % searchOwners
	a, b := nameChars[k%len(nameChars)], nameChars[(k/len(nameChars))%len(nameChars)]
	return api.Owner{ID: fmt.Sprintf("91420100MA%08d", k), Name: fmt.Sprintf("武汉%c%c科技有限公司%d号", a, b, k), Share: 10000}
}

// searchAt measures the search by party with the ledger at its present size: by a part of an
// owner's name and by an owner's code, owners picked at random among those seeded.
func (r *Runner) searchAt(ctx context.Context, rights int, seeded int) {
	for _, d := range []Driver{r.bare, r.http} {
		s, ok := d.(Searcher)
		if !ok {
			continue
		}
		pick := func() api.Owner { return seedOwner(mrand.IntN(max(1, min(seeded, searchOwners)))) }
		p := SearchPoint{Rights: rights, Path: d.Name()}
		p.ByName = sample(r.cfg.Samples, func() error {
			o := pick()
			name := []rune(o.Name)
			return s.SearchParties(ctx, "", string(name[2:6])) // the owner's two characters and "科技"
		})
		p.ByID = sample(r.cfg.Samples, func() error { return s.SearchParties(ctx, pick().ID, "") })
		r.res.Search = append(r.res.Search, p)
		r.logf("search at %7d rights %-4s by name p50 %6.1fms p99 %6.1fms | by code p50 %6.1fms p99 %6.1fms",
			rights, d.Name(), p.ByName.P50Millis, p.ByName.P99Millis, p.ByID.P50Millis, p.ByID.P99Millis)
	}
}

// readModelMarkdown renders the open-loop verification, the search by party, the rebuilds and the
// read model alone at scale.
func (res *Result) readModelMarkdown() string {
	var b strings.Builder
	if len(res.ReadModel) > 0 {
		b.WriteString("### Verification at a set rate (open loop)\n\n")
		b.WriteString("| path | clients | target /s | achieved /s | p50 ms | p99 ms | failures | answered from |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n")
		for _, p := range res.ReadModel {
			var src []string
			for k, v := range p.Sources {
				src = append(src, fmt.Sprintf("%s %d", k, v))
			}
			sort.Strings(src)
			fmt.Fprintf(&b, "| %s | %d | %.0f | %.1f | %.1f | %.1f | %d | %s |\n", p.Path, p.Clients, p.Target, p.PerSecond,
				p.P50Millis, p.P99Millis, p.Failures, strings.Join(src, ", "))
		}
		b.WriteString("\n")
		b.WriteString(rateBreakdownMarkdown(res.ReadModel))
	}
	if len(res.Search) > 0 {
		b.WriteString("### Search by party against the number of IP rights (sequential)\n\n")
		b.WriteString("| IP rights | path | by name p50 ms | by name p99 ms | by code p50 ms | by code p99 ms |\n| ---: | --- | ---: | ---: | ---: | ---: |\n")
		for _, p := range res.Search {
			fmt.Fprintf(&b, "| %d | %s | %.1f | %.1f | %.1f | %.1f |\n", p.Rights, p.Path, p.ByName.P50Millis, p.ByName.P99Millis,
				p.ByID.P50Millis, p.ByID.P99Millis)
		}
		b.WriteString("\n")
	}
	if len(res.Rebuild) > 0 {
		b.WriteString("### Read model rebuilt from block 0 (catch-up)\n\n")
		b.WriteString("| organization | driver | blocks | transactions | key writes | seconds | transactions /s | key writes /s |\n| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n")
		for _, p := range res.Rebuild {
			fmt.Fprintf(&b, "| %s | %s | %d | %d | %d | %.1f | %.0f | %.0f |\n", p.Organization, p.Driver, p.Blocks, p.Transactions,
				p.Writes, p.Seconds, p.PerSecond, float64(p.Writes)/max(p.Seconds, 1e-9))
		}
		b.WriteString("\n")
	}
	b.WriteString(res.scaleMarkdown())
	return b.String()
}

// RebuildPoint is one gateway's read model rebuilt from its peer's first block (the rebuild
// workload, after the growth workload: the whole ledger the run made).
type RebuildPoint struct {
	Organization string  `json:"organization"`
	Driver       string  `json:"driver"`
	Blocks       uint64  `json:"blocks"`
	Transactions int64   `json:"transactions"`
	Writes       int64   `json:"writes"`
	Seconds      float64 `json:"seconds"`
	PerSecond    float64 `json:"transactionsPerSecond"`
}

// DefaultRebuildOrgs are the read models the rebuild workload rebuilds unless told otherwise: the IP
// office's (SQLite in the repository's topology) and the regulator's (PostgreSQL).
var DefaultRebuildOrgs = []string{string(api.MSPIPOffice), string(api.MSPRegulator)}

// runRebuild rebuilds each of Config.RebuildOrgs' read models as `scripts/ipledger readmodel rebuild` does
// (the gateway stopped, the read model emptied and built again from block 0, the gateway started),
// and measures transactions a second.
func (r *Runner) runRebuild(ctx context.Context) error {
	for _, msp := range r.cfg.RebuildOrgs {
		o := r.cfg.Network.Top.Org(msp)
		if o == nil || o.Gateway == nil {
			return fmt.Errorf("rebuild: %s is not an organization of the network with a gateway", msp)
		}
		out, err := r.cfg.Network.ReadModelCommand(ctx, o, "rebuild", "--json")
		if err != nil {
			return fmt.Errorf("rebuilding %s's read model: %w", msp, err)
		}
		var rb struct {
			Blocks       uint64        `json:"blocks"`
			Transactions int64         `json:"transactions"`
			Writes       int64         `json:"writes"`
			Duration     time.Duration `json:"durationNanos"`
			PerSecond    float64       `json:"transactionsPerSecond"`
		}
		if err := json.Unmarshal([]byte(out), &rb); err != nil {
			return fmt.Errorf("the rebuild's report %q: %w", out, err)
		}
		p := RebuildPoint{Organization: msp, Driver: netctl.ReadModelSQLite, Blocks: rb.Blocks, Transactions: rb.Transactions,
			Writes: rb.Writes, Seconds: rb.Duration.Seconds(), PerSecond: rb.PerSecond}
		if o.Postgres() {
			p.Driver = netctl.ReadModelPostgres
		}
		r.res.Rebuild = append(r.res.Rebuild, p)
		r.http.Close() // the restarted gateway's old connections are closed: dial afresh
		r.logf("rebuild %-12s (%s) %d blocks, %d transactions, %d key writes in %.1f s: %.0f transactions/s",
			msp, p.Driver, p.Blocks, p.Transactions, p.Writes, p.Seconds, p.PerSecond)
	}
	return nil
}
