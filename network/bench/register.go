package bench

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/network/netctl"
)

// The register workload: independent registrations (RegisterAsset of a new right, each its own
// request, no chaining, each waiting for its commit) at each concurrency, through the bare Fabric
// Gateway client and through HTTP, against Put of a new key in a trivial key-value chaincode (kvcc,
// network/bench/kvcc) deployed on the same network under its own name, with the same definition
// policy and the same two endorsing organizations (the IP office and Bank1) named by the client.

// KVName is the name the trivial chaincode is deployed under.
const KVName = "kvcc"

// RegisterPoint is one concurrency of the register workload: the trivial chaincode (bare), IPLedger
// bare and IPLedger through HTTP, measured back to back, with the CPU each process used meanwhile.
type RegisterPoint struct {
	Concurrency int     `json:"concurrency"`
	Trivial     Summary `json:"trivial"`
	Bare        Summary `json:"bare"`
	HTTP        Summary `json:"http"`
	// BareRatio and HTTPRatio are IPLedger's throughput over the trivial chaincode's.
	BareRatio float64 `json:"bareOverTrivial"`
	HTTPRatio float64 `json:"httpOverTrivial"`
	// CPU is the CPU seconds each process used during each path's measurement.
	CPU []PathCPU `json:"cpu"`
	// Profiles are the IP office's peer's CPU profiles taken during this point, by path.
	Profiles []PeerProfile `json:"profiles,omitempty"`
}

// RegisterResult is the register workload's measurement.
type RegisterResult struct {
	// ValueBytes is the size of the value the trivial chaincode writes: the size of a registered
	// right's record as GetAsset answers it.
	ValueBytes int `json:"valueBytes"`
	// Endorsers are the organizations that endorsed one committed transaction of each path, as the
	// ledger holds it.
	Endorsers map[string][]string `json:"endorsers"`
	Points    []RegisterPoint     `json:"points"`
}

// kvDriver submits Put to the trivial chaincode as the IP office's examiner, through the same
// connection the bare driver uses, naming the same endorsing organizations as a registration.
type kvDriver struct {
	contract *client.Contract
	value    string
}

// put writes a new key and answers its transaction.
func (k *kvDriver) put(ctx context.Context, key string) (string, error) {
	_, status, err := commitTx(ctx, k.contract, "Put", client.WithArguments(key, k.value),
		client.WithEndorsingOrganizations(string(api.MSPIPOffice), string(api.MSPBank1)))
	if err != nil {
		return "", err
	}
	if !status.Successful {
		return "", fmt.Errorf("kvcc Put: transaction %s committed as %s", status.TransactionID, status.Code)
	}
	return status.TransactionID, nil
}

// deployKV deploys the trivial chaincode on the network (once per run) and connects a driver to it,
// its value the size of a registered right's record.
func (r *Runner) deployKV(ctx context.Context) error {
	if r.kv != nil {
		return nil
	}
	if r.cfg.Network == nil || r.cfg.KVProgram == "" {
		return fmt.Errorf("the trivial chaincode needs the network's nodes and its program (--kv-program)")
	}
	start := time.Now()
	d, err := r.cfg.Network.DeployExtraChaincode(ctx, netctl.ExtraChaincode{Name: KVName, Version: "1.0", Program: r.cfg.KVProgram})
	if err != nil {
		return fmt.Errorf("deploying the trivial chaincode %s: %w", KVName, err)
	}
	r.kvDeployment = d
	r.logf("trivial chaincode %s deployed (sequence %d, policy %s, committed now: %v) in %.1fs", KVName, d.Sequence, d.Policy,
		d.Committed, time.Since(start).Seconds())
	// A new chaincode's commit busies every peer (its servers start, its definition is applied); wait
	// until every peer's gateway reaches every organization's peer again before the next endorsement.
	if err := r.sys.WaitEveryPeerReachesEveryOrg(ctx, 2*time.Minute); err != nil {
		return fmt.Errorf("after deploying the trivial chaincode: %w", err)
	}
	a := r.asset()
	if _, err := r.bare.RegisterAsset(ctx, r.next("req"), a); err != nil {
		return fmt.Errorf("registering a right to size the trivial chaincode's value: %w", err)
	}
	rec, err := r.bare.ipoffice.EvaluateWithContext(ctx, api.GetAsset.Name, client.WithArguments(a.ID))
	if err != nil {
		return err
	}
	r.kv = &kvDriver{contract: r.bare.gateway.GetNetwork(r.sys.Channel).GetContract(KVName), value: strings.Repeat("v", len(rec))}
	// The peers dial the new servers at the first transaction: wait for one, by count.
	var last error
	for range 30 {
		if _, last = r.kv.put(ctx, r.next("KV")); last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
	return fmt.Errorf("the trivial chaincode answers no Put: %w", last)
}

// registerBare is one independent registration through the bare client; it answers its transaction.
func (r *Runner) registerBare(ctx context.Context) (string, error) {
	tx, status, err := commitTx(ctx, r.bare.ipoffice, api.RegisterAsset.Name, client.WithArguments(r.next("req"), mustJSON(r.asset())),
		client.WithEndorsingOrganizations(string(api.MSPIPOffice), string(api.MSPBank1)))
	if err != nil {
		return "", err
	}
	if o, ok := api.ParseOutcome(tx.Result()); !status.Successful || !ok || o.Refusal != nil {
		return "", fmt.Errorf("RegisterAsset: transaction %s committed as %s: %.200s", status.TransactionID, status.Code, tx.Result())
	}
	return status.TransactionID, nil
}

// registerHTTP is one independent registration through the IP office's gateway.
func (r *Runner) registerHTTP(ctx context.Context) (string, error) {
	var res struct {
		TxID string `json:"txId"`
	}
	err := r.http.do(ctx, r.http.ipoffice, http.MethodPost, "/v1/assets", r.next("req"), r.asset(), &res)
	return res.TxID, err
}

// registerPaths are the register workload's three paths, in the order they are measured.
func (r *Runner) registerPaths() []struct {
	name string
	op   func(ctx context.Context) (string, error)
} {
	return []struct {
		name string
		op   func(ctx context.Context) (string, error)
	}{
		{"trivial", func(ctx context.Context) (string, error) { return r.kv.put(ctx, r.next("KV")) }},
		{"bare", r.registerBare},
		{"http", r.registerHTTP},
	}
}

// checkEndorsers reads one committed transaction of each path back from the ledger and records the
// organizations that endorsed it: the comparison is fair only if they are the same.
func (r *Runner) checkEndorsers(ctx context.Context, res *RegisterResult) error {
	res.Endorsers = map[string][]string{}
	for _, p := range r.registerPaths() {
		txID, err := p.op(ctx)
		if err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
		tx, err := r.bare.ledger.Transaction(txID)
		if err != nil {
			return fmt.Errorf("reading %s's transaction %s: %w", p.name, txID, err)
		}
		res.Endorsers[p.name] = tx.EndorsingOrgs
	}
	r.logf("endorsers: trivial %v, bare %v, http %v", res.Endorsers["trivial"], res.Endorsers["bare"], res.Endorsers["http"])
	return nil
}

func (r *Runner) runRegister(ctx context.Context) error {
	if err := r.deployKV(ctx); err != nil {
		return err
	}
	res := &RegisterResult{ValueBytes: len(r.kv.value)}
	r.res.Register = res
	if err := r.checkEndorsers(ctx, res); err != nil {
		return err
	}
	r.logf("register: independent registrations against the trivial chaincode's Put (%d-byte values), %s per point", res.ValueBytes, r.cfg.Duration)
	for _, c := range r.cfg.RegisterConcurrency {
		p := RegisterPoint{Concurrency: c}
		for _, path := range r.registerPaths() {
			var prof *profiling
			if c == r.cfg.ProfileAt && path.name != "http" {
				prof = r.startProfile(ctx, path.name, c)
			}
			before := r.cpuSample()
			s := r.load(ctx, c, func(ctx context.Context, rec *Recorder) error {
				start := time.Now()
				_, err := path.op(ctx)
				rec.Observe(time.Since(start), err)
				return err
			})
			p.CPU = append(p.CPU, r.cpuSince(before, path.name, s.Count))
			if prof != nil {
				p.Profiles = append(p.Profiles, prof.finish())
			}
			switch path.name {
			case "trivial":
				p.Trivial = s
			case "bare":
				p.Bare = s
			case "http":
				p.HTTP = s
			}
		}
		if p.Trivial.PerSecond > 0 {
			p.BareRatio = math.Round(p.Bare.PerSecond/p.Trivial.PerSecond*1000) / 1000
			p.HTTPRatio = math.Round(p.HTTP.PerSecond/p.Trivial.PerSecond*1000) / 1000
		}
		res.Points = append(res.Points, p)
		r.logf("register c=%-3d trivial %6.1f/s p50 %6.1fms | bare %6.1f/s p50 %6.1fms p99 %6.1fms | http %6.1f/s p50 %6.1fms p99 %6.1fms | bare/trivial %.3f http/trivial %.3f (failures %d, %d, %d)",
			c, p.Trivial.PerSecond, p.Trivial.P50Millis, p.Bare.PerSecond, p.Bare.P50Millis, p.Bare.P99Millis, p.HTTP.PerSecond,
			p.HTTP.P50Millis, p.HTTP.P99Millis, p.BareRatio, p.HTTPRatio, p.Trivial.Failures, p.Bare.Failures, p.HTTP.Failures)
	}
	return nil
}
