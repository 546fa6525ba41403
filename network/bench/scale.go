package bench

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/chaincode/rules"
	"github.com/ipledger/ipledger/gateway"
	"github.com/ipledger/ipledger/gateway/readmodel"
)

// The scale workload measures the read model's reads at a size the ledger of this machine does not
// reach in a working day: seeding through the chaincode runs at some 60 rights a second on a fresh
// ledger and falls as the peers' LevelDB grows (docs/benchmarks.md), so a million rights take the
// better part of a day on two cores. Here the chaincode's own rules (rules.Service.ImportAssets,
// the code the chaincode runs) make each right's writes in this process, in transactions of 100
// rights and blocks of 4 as the growth workload's seeding, and the read model applies them as
// blocks (readmodel.Store.Apply, the code a gateway runs); then the reads a gateway answers from
// its read model are timed through the same code (readmodel.View.Evaluate): the search by party by
// name and by code, and a right's statement (what /v1/verify returns, without the proof's
// transaction lookups). No peer, no HTTP, no TLS: the figures are the read model's share of a read,
// beside the growth workload's, which are end to end on the real ledger.

// ScaleConfig is the scale workload's configuration.
type ScaleConfig struct {
	// Rights is the number of rights the read model is built with (default: the growth workload's
	// largest size).
	Rights int
	// Dir is where the read model's SQLite file is built and removed afterwards ("": a temporary
	// directory).
	Dir string
	// Keep keeps the read model in Dir (ipledger-scale-<rights>.db, with its build figures beside it
	// in ipledger-scale-<rights>.json) and times a model kept there before instead of building it
	// again: a million rights take about an hour to build, their reads seconds, so the reads can be
	// timed again on a quiet machine.
	Keep bool
}

// ScalePoint is the read model built with Rights rights, and its reads.
type ScalePoint struct {
	Rights       int     `json:"rights"`
	Driver       string  `json:"driver"`
	Blocks       int     `json:"blocks"`
	Transactions int     `json:"transactions"`
	Writes       int     `json:"writes"`
	BuildSeconds float64 `json:"buildSeconds"`
	FileMiB      float64 `json:"fileMiB"`
	ByName       Summary `json:"byName"`
	ByID         Summary `json:"byId"`
	Statement    Summary `json:"statement"`
	// Kept says the read model was built by an earlier run (Keep) and only its reads were timed in
	// this one; BuiltAt is when its build ended.
	Kept    bool      `json:"kept,omitempty"`
	BuiltAt time.Time `json:"builtAt"`
}

// scaleRightsPerTx and scaleTxsPerBlock shape the blocks as the growth workload's seeding does.
const scaleRightsPerTx, scaleTxsPerBlock = api.MaxImportAssets, 4

func (r *Runner) runScale(ctx context.Context) error {
	n := r.cfg.Scale.Rights
	if n <= 0 && len(r.cfg.GrowthSizes) > 0 {
		n = r.cfg.GrowthSizes[len(r.cfg.GrowthSizes)-1]
	}
	if n <= 0 {
		return fmt.Errorf("no size: give --scale-rights or --growth")
	}
	var path string
	if r.cfg.Scale.Keep {
		if r.cfg.Scale.Dir == "" {
			return fmt.Errorf("--scale-keep needs --scale-dir: where the read model is kept")
		}
		if err := os.MkdirAll(r.cfg.Scale.Dir, 0o755); err != nil {
			return err
		}
		path = filepath.Join(r.cfg.Scale.Dir, fmt.Sprintf("ipledger-scale-%d.db", n))
	} else {
		dir, err := os.MkdirTemp(r.cfg.Scale.Dir, "ipledger-scale-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		path = filepath.Join(dir, "readmodel.db")
	}
	p, err := scale(ctx, path, n, r.cfg.Samples, r.cfg.Scale.Keep, r.logf)
	if err != nil {
		return err
	}
	r.res.Scale = append(r.res.Scale, *p)
	return nil
}

// scale times the reads of a SQLite read model of n rights at path, samples of each: one kept there
// by an earlier run when keep and its build figures are beside it (path's .json), else one it builds
// (and, when keep, records the figures of).
func scale(ctx context.Context, path string, n, samples int, keep bool, logf func(string, ...any)) (*ScalePoint, error) {
	figures := strings.TrimSuffix(path, ".db") + ".json"
	if keep {
		if b, err := os.ReadFile(figures); err == nil {
			var p ScalePoint
			if err := json.Unmarshal(b, &p); err != nil {
				return nil, fmt.Errorf("%s: %w; remove it and %s to build again", figures, err, path)
			}
			if p.Rights != n {
				return nil, fmt.Errorf("%s: the figures of a read model of %d rights, not %d; remove it and %s to build again", figures, p.Rights, n, path)
			}
			s, err := readmodel.Open(ctx, gateway.ReadModelConfig{Driver: gateway.ReadModelSQLite, Path: path})
			if err != nil {
				return nil, err
			}
			defer s.Close()
			if h := s.Height(); h != uint64(p.Blocks+1) {
				return nil, fmt.Errorf("%s: height %d, its figures say %d blocks: remove both to build again", path, h, p.Blocks)
			}
			p.Kept = true
			logf("scale: timing the read model of %d rights kept in %s (built %s in %.0f s)", n, path, p.BuiltAt.Format(time.RFC3339), p.BuildSeconds)
			timeScaleReads(ctx, s, &p, samples)
			logScale(logf, &p)
			return &p, nil
		}
		os.Remove(path) // a build that did not finish: its figures are written last
	}
	return buildScale(ctx, path, n, samples, func(p *ScalePoint) error {
		if !keep {
			return nil
		}
		b, err := json.Marshal(p)
		if err != nil {
			return err
		}
		return os.WriteFile(figures, b, 0o644)
	}, logf)
}

// buildScale builds a SQLite read model of n rights at path, calls built with its build figures,
// and times its reads, samples of each. The chaincode's rules make the next block while the read
// model applies the last, so that both cores work.
func buildScale(ctx context.Context, path string, n, samples int, built func(*ScalePoint) error, logf func(string, ...any)) (*ScalePoint, error) {
	s, err := readmodel.Open(ctx, gateway.ReadModelConfig{Driver: gateway.ReadModelSQLite, Path: path})
	if err != nil {
		return nil, err
	}
	defer s.Close()
	if _, err := s.Apply(ctx, &readmodel.Update{Number: 0}); err != nil { // the genesis block: no writes of ours
		return nil, err
	}
	p := &ScalePoint{Rights: n, Driver: gateway.ReadModelSQLite}
	start := time.Now()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	blocks := scaleBlocks(ctx, n, start.UTC().Add(-time.Hour))
	for b := range blocks {
		if b.err != nil {
			return nil, b.err
		}
		p.Blocks++
		p.Transactions += len(b.u.Txs)
		p.Writes += len(b.u.Writes)
		if _, err := s.Apply(ctx, b.u); err != nil {
			return nil, err
		}
		if b.have%100000 < scaleRightsPerTx*scaleTxsPerBlock {
			logf("scale: %d of %d rights in the read model (%.0f key writes/s)", b.have, n, float64(p.Writes)/time.Since(start).Seconds())
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p.BuildSeconds = time.Since(start).Seconds()
	p.BuiltAt = time.Now().UTC()
	if fi, err := os.Stat(path); err == nil {
		p.FileMiB = float64(fi.Size()) / (1 << 20)
	}
	if err := built(p); err != nil {
		return nil, err
	}
	timeScaleReads(ctx, s, p, samples)
	logScale(logf, p)
	return p, nil
}

// scaleBlock is one block of the scale workload's read model, the rights it brings the model to, or
// the error that ended the blocks.
type scaleBlock struct {
	u    *readmodel.Update
	have int
	err  error
}

// scaleBlocks makes the blocks of n rights, from block 1 on, their transactions' times from at on,
// while the caller applies the last ones: two in hand at most. It ends after an error or when ctx
// ends.
func scaleBlocks(ctx context.Context, n int, at time.Time) <-chan scaleBlock {
	blocks := make(chan scaleBlock, 2)
	go func() {
		defer close(blocks)
		for have, number := 0, uint64(1); have < n; number++ {
			u := &readmodel.Update{Number: number}
			var err error
			for t := 0; t < scaleTxsPerBlock && have < n && err == nil; t++ {
				at = at.Add(time.Millisecond)
				k := min(scaleRightsPerTx, n-have)
				err = scaleTx(u, t, have, k, at)
				have += k
			}
			select {
			case blocks <- scaleBlock{u, have, err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return blocks
}

func logScale(logf func(string, ...any), p *ScalePoint) {
	logf("scale: %d rights, %d key writes in %.0f s (%.0f/s), %.0f MiB; by name p50 %.1fms p99 %.1fms | by code p50 %.1fms p99 %.1fms | statement p50 %.1fms p99 %.1fms",
		p.Rights, p.Writes, p.BuildSeconds, float64(p.Writes)/p.BuildSeconds, p.FileMiB, p.ByName.P50Millis, p.ByName.P99Millis,
		p.ByID.P50Millis, p.ByID.P99Millis, p.Statement.P50Millis, p.Statement.P99Millis)
}

// scaleExaminer is the IP office's examiner the rights are registered and read as.
var scaleExaminer = rules.Caller{MSP: api.MSPIPOffice, Role: api.RoleExaminer, Submitter: "x509::CN=examiner1,OU=client::CN=ca.ipoffice"}

// scaleID is the id of the i-th right of the scale workload.
func scaleID(i int) string { return fmt.Sprintf("SC%08d", i) }

// scaleTx adds to u the t-th transaction of its block: the rights from, from+k registered by the
// chaincode's rules (ImportAssets) on a ledger of their own, their writes as the peer would deliver
// them.
func scaleTx(u *readmodel.Update, t, from, k int, at time.Time) error {
	assets := make([]api.AssetInput, k)
	for i := range assets {
		id := scaleID(from + i)
		assets[i] = api.AssetInput{ID: id, Kind: api.KindPatentInvention, Number: "ZL" + id, Title: "Benchmark patent " + id,
			Owners: []api.Owner{seedOwner(from + i)}, ApplicationDate: "2020-01-15", GrantDate: "2022-03-01",
			ExpiryDate: "2040-01-15", FeesPaidThrough: "2035-01-15"}
	}
	payload, err := json.Marshal(map[string]any{"assets": assets})
	if err != nil {
		return err
	}
	sum := sha256.Sum256(fmt.Appendf(nil, "scale %d %d", u.Number, t))
	txID := hex.EncodeToString(sum[:])
	m := rules.NewMemLedger()
	m.Begin(txID, at)
	if _, err := rules.New(m, rules.Tx{ID: txID, Time: at, Caller: scaleExaminer}).ImportAssets("scale-"+txID[:16], string(payload)); err != nil {
		return fmt.Errorf("rights %d to %d: %w", from, from+k, err)
	}
	keys := m.Writes()
	m.Commit()
	for _, key := range keys {
		v, _ := m.GetState(key)
		u.Writes = append(u.Writes, readmodel.Write{Namespace: readmodel.Namespace, Key: key, Value: v, IsDelete: v == nil,
			TxID: txID, TxNum: t, Time: at})
	}
	u.Txs = append(u.Txs, readmodel.TxRecord{Num: t, Transaction: api.Transaction{TxID: txID, ValidationCode: "VALID", Valid: true,
		BlockNumber: u.Number, Time: at, CreatorMSP: string(api.MSPIPOffice), Chaincode: readmodel.Namespace,
		EndorsingOrgs: []string{string(api.MSPIPOffice), string(api.MSPBank1)}}})
	return nil
}

// timeScaleReads times, samples of each, sequentially, the reads a gateway answers from its read
// model: the search by party by a part of a name and by code, and a right's statement.
func timeScaleReads(ctx context.Context, s *readmodel.Store, p *ScalePoint, samples int) {
	read := func(function string, args ...string) error {
		_, err := s.Read(ctx, func(v *readmodel.View) error {
			_, err := v.Evaluate(scaleExaminer, function, args...)
			return err
		})
		return err
	}
	owners := min(p.Rights, searchOwners)
	p.ByName = sample(samples, func() error {
		name := []rune(seedOwner(mrand.IntN(owners)).Name)
		return read(api.SearchParties.Name, "", string(name[2:6]), "0", "") // the owner's two characters and "科技"
	})
	p.ByID = sample(samples, func() error { return read(api.SearchParties.Name, seedOwner(mrand.IntN(owners)).ID, "", "0", "") })
	p.Statement = sample(samples, func() error { return read(api.GetStatement.Name, scaleID(mrand.IntN(p.Rights))) })
}

// scaleMarkdown renders the scale workload's points.
func (res *Result) scaleMarkdown() string {
	if len(res.Scale) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("### The read model alone at scale (built in-process by the chaincode's rules; sequential reads)\n\n")
	b.WriteString("| IP rights | driver | key writes | build s | file MiB | by name p50 ms | by name p99 ms | by code p50 ms | by code p99 ms | statement p50 ms | statement p99 ms | failures |\n")
	b.WriteString("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, p := range res.Scale {
		build := fmt.Sprintf("%.0f", p.BuildSeconds)
		if p.Kept {
			build += " (an earlier run's, " + p.BuiltAt.Format("2006-01-02 15:04 UTC") + ")"
		}
		fmt.Fprintf(&b, "| %d | %s | %d | %s | %.0f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %d |\n", p.Rights, p.Driver, p.Writes,
			build, p.FileMiB, p.ByName.P50Millis, p.ByName.P99Millis, p.ByID.P50Millis, p.ByID.P99Millis,
			p.Statement.P50Millis, p.Statement.P99Millis, p.ByName.Failures+p.ByID.Failures+p.Statement.Failures)
	}
	b.WriteString("\n")
	return b.String()
}
