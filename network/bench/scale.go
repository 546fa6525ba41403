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
	dir, err := os.MkdirTemp(r.cfg.Scale.Dir, "ipledger-scale-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	p, err := buildScale(ctx, filepath.Join(dir, "readmodel.db"), n, r.cfg.Samples, r.logf)
	if err != nil {
		return err
	}
	r.res.Scale = append(r.res.Scale, *p)
	return nil
}

// buildScale builds a SQLite read model of n rights at path and times its reads, samples of each.
func buildScale(ctx context.Context, path string, n, samples int, logf func(string, ...any)) (*ScalePoint, error) {
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
	at := start.UTC().Add(-time.Hour)
	for have := 0; have < n; {
		p.Blocks++
		u := &readmodel.Update{Number: uint64(p.Blocks)}
		for t := 0; t < scaleTxsPerBlock && have < n; t++ {
			at = at.Add(time.Millisecond)
			k := min(scaleRightsPerTx, n-have)
			if err := scaleTx(u, t, have, k, at); err != nil {
				return nil, err
			}
			have += k
		}
		p.Transactions += len(u.Txs)
		p.Writes += len(u.Writes)
		if _, err := s.Apply(ctx, u); err != nil {
			return nil, err
		}
		if have%100000 < scaleRightsPerTx*scaleTxsPerBlock {
			logf("scale: %d of %d rights in the read model (%.0f key writes/s)", have, n, float64(p.Writes)/time.Since(start).Seconds())
		}
	}
	p.BuildSeconds = time.Since(start).Seconds()
	if fi, err := os.Stat(path); err == nil {
		p.FileMiB = float64(fi.Size()) / (1 << 20)
	}
	timeScaleReads(ctx, s, p, samples)
	logf("scale: %d rights, %d key writes in %.0f s (%.0f/s), %.0f MiB; by name p50 %.1fms p99 %.1fms | by code p50 %.1fms p99 %.1fms | statement p50 %.1fms p99 %.1fms",
		n, p.Writes, p.BuildSeconds, float64(p.Writes)/p.BuildSeconds, p.FileMiB, p.ByName.P50Millis, p.ByName.P99Millis,
		p.ByID.P50Millis, p.ByID.P99Millis, p.Statement.P50Millis, p.Statement.P99Millis)
	return p, nil
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
		fmt.Fprintf(&b, "| %d | %s | %d | %.0f | %.0f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %d |\n", p.Rights, p.Driver, p.Writes,
			p.BuildSeconds, p.FileMiB, p.ByName.P50Millis, p.ByName.P99Millis, p.ByID.P50Millis, p.ByID.P99Millis,
			p.Statement.P50Millis, p.Statement.P99Millis, p.ByName.Failures+p.ByID.Failures+p.Statement.Failures)
	}
	b.WriteString("\n")
	return b.String()
}
