package readmodel

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/chaincode/rules"
	"github.com/ipledger/ipledger/gateway"
)

// twoStores are a read model with a right and a pledge on it, and its copy: the copy plays the
// chaincode's state in the checker's tests.
func twoStores(t *testing.T) (s, ref *Store, assetID string) {
	t.Helper()
	dir := t.TempDir()
	cfg := gateway.ReadModelConfig{Driver: "sqlite", Path: filepath.Join(dir, "ref.db")}
	ref = openT(t, cfg)
	apply(t, ref, configBlock(0))
	c := &chain{t: t, s: ref, now: time.Date(2025, 3, 3, 2, 0, 0, 0, time.UTC)}
	owner := api.Owner{ID: "91420100MA4K0001X", Name: "Acme Optics Co.", Share: 10000}
	asset := api.AssetInput{ApplicationDate: "2020-01-10", ExpiryDate: "2040-01-10", FeesPaidThrough: "2026-01-10",
		GrantDate: "2022-06-01", ID: "CN-CHK-1", Kind: api.KindPatentInvention, Number: "ZLCHK1", Owners: []api.Owner{owner},
		Title: "Optical lens assembly"}
	c.submit(examiner, nil, func(string) bool { return true }, func(r *rules.Service) (string, error) { return r.RegisterAsset("req-1", js(asset)) })
	if _, err := ref.w.Exec(`VACUUM INTO $1`, filepath.Join(dir, "copy.db")); err != nil {
		t.Fatal(err)
	}
	return openT(t, gateway.ReadModelConfig{Driver: "sqlite", Path: filepath.Join(dir, "copy.db")}), ref, asset.ID
}

func evaluatorOf(s *Store) Evaluator {
	return func(ctx context.Context, function string, args ...string) ([]byte, error) {
		var out []byte
		_, err := s.Read(ctx, func(v *View) error {
			var err error
			out, err = v.Evaluate(auditor, function, args...)
			return err
		})
		return out, err
	}
}

// The checker finds a changed value, a missing key and an extra key, each once, on every key; a
// sample of the read model's keys finds what is in the read model (not what it lacks); an equal
// copy has no difference.
func TestCheck_FindsEveryKindOfDifference(t *testing.T) {
	s, ref, assetID := twoStores(t)
	ctx := context.Background()
	height := func(context.Context) (uint64, error) { return ref.Height(), nil }
	rep, err := Check(ctx, s, auditor, evaluatorOf(ref), height, CheckOptions{PageSize: 2})
	if err != nil || len(rep.Differences) != 0 || rep.Keys == 0 {
		t.Fatalf("an equal copy: %d keys, differences %+v, %v", rep.Keys, rep.Differences, err)
	}
	assetKey := rules.CompositeKey("asset", assetID)
	extraKey := rules.CompositeKey("asset", "CN-PLANTED")
	var indexKey []byte
	if err := s.w.QueryRow(`SELECT key FROM rm_state WHERE key >= $1 AND key < $2 LIMIT 1`,
		[]byte(rules.CompositeKey("asset-by-number")), []byte(rules.CompositeKey("asset-by-number")+"\xff")).Scan(&indexKey); err != nil {
		t.Fatal(err)
	}
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`UPDATE rm_state SET value = $1 WHERE key = $2`, []any{[]byte(`{}`), []byte(assetKey)}},
		{`DELETE FROM rm_state WHERE key = $1`, []any{indexKey}},
		{`INSERT INTO rm_state (ns, coll, key, value, block, txnum) VALUES ($1, '', $2, $3, 0, 0)`, []any{Namespace, []byte(extraKey), []byte(`{}`)}},
	} {
		if _, err := s.w.Exec(q.sql, q.args...); err != nil {
			t.Fatal(err)
		}
	}
	rep, err = Check(ctx, s, auditor, evaluatorOf(ref), height, CheckOptions{PageSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	want := []Difference{{Key: string(indexKey), Kind: Missing}, {Key: assetKey, Kind: Differs}, {Key: extraKey, Kind: Extra}}
	for _, w := range want {
		if !slices.ContainsFunc(rep.Differences, func(d Difference) bool { return d.Key == w.Key && d.Kind == w.Kind }) {
			t.Errorf("not found: %s %q in %+v", w.Kind, w.Key, rep.Differences)
		}
	}
	if len(rep.Differences) != len(want) {
		t.Errorf("%d differences, want %d: %+v", len(rep.Differences), len(want), rep.Differences)
	}
	rep, err = Check(ctx, s, auditor, evaluatorOf(ref), height, CheckOptions{Sample: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Sampled || len(rep.Differences) != 2 {
		t.Errorf("a sample of every key of the read model: %d differences, want 2 (the changed value and the extra key): %+v",
			len(rep.Differences), rep.Differences)
	}
}

// One writer: a second lock of the same store is refused until the first is released; a reset
// empties the store.
func TestLockAndReset(t *testing.T) {
	cfg := gateway.ReadModelConfig{Driver: "sqlite", Path: filepath.Join(t.TempDir(), "rm.db")}
	s := openT(t, cfg)
	apply(t, s, configBlock(0))
	ctx := context.Background()
	unlock, err := s.Lock(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Lock(ctx, cfg); !errors.Is(err, ErrHeld) {
		t.Errorf("a second lock: %v, want ErrHeld", err)
	}
	unlock()
	unlock, err = s.Lock(ctx, cfg)
	if err != nil {
		t.Fatalf("the lock released: %v", err)
	}
	defer unlock()
	if err := s.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Count(ctx, ""); err != nil || n != 0 || s.Height() != 0 {
		t.Errorf("after a reset: %d keys, height %d, %v", n, s.Height(), err)
	}
}

// The checker runs in a process of its own while the gateway applies blocks: it reads the height
// from the database, not from its own (never raised) memory.
func TestCheck_SeesTheHeightAnotherProcessApplied(t *testing.T) {
	cfg := gateway.ReadModelConfig{Driver: "sqlite", Path: filepath.Join(t.TempDir(), "rm.db")}
	gw := openT(t, cfg)
	apply(t, gw, configBlock(0))
	checkerStore := openT(t, cfg)
	apply(t, gw, configBlock(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := &checker{s: checkerStore, height: func(context.Context) (uint64, error) { return 2, nil }}
	if err := c.catchUp(ctx); err != nil {
		t.Fatalf("the checker did not see the height the gateway applied: %v (it has %d)", err, checkerStore.Height())
	}
}

// The checker compares a valuation report's private value in its collection (F2) when the collection
// is named (ValuationCollections), as it compares the terms for a pledge: a planted hash is found, with
// its collection, in a check of every key and in a sample; without the option it is not looked at.
func TestCheck_ComparesTheValuationReportsPrivateHashes(t *testing.T) {
	dir := t.TempDir()
	ref := openT(t, gateway.ReadModelConfig{Driver: "sqlite", Path: filepath.Join(dir, "ref.db")})
	apply(t, ref, configBlock(0))
	c := &chain{t: t, s: ref, now: time.Date(2025, 3, 3, 2, 0, 0, 0, time.UTC)}
	all := func(string) bool { return true }
	owner := api.Owner{ID: "91420100MA4K0001X", Name: "Acme Optics Co.", Share: 10000}
	asset := api.AssetInput{ApplicationDate: "2020-01-10", ExpiryDate: "2040-01-10", FeesPaidThrough: "2026-01-10",
		GrantDate: "2022-06-01", ID: "CN-VAL-1", Kind: api.KindPatentInvention, Number: "ZLVAL1", Owners: []api.Owner{owner},
		Title: "Optical lens assembly"}
	c.submit(examiner, nil, all, func(r *rules.Service) (string, error) { return r.RegisterAsset("req-1", js(asset)) })
	c.submit(examiner, nil, all, func(r *rules.Service) (string, error) {
		return r.RecordAccreditation("req-2", "ValuerMSP", js(api.AccreditationInput{FilingNumber: "42-2024-0017",
			Name: "Wuhan Zhongxin Asset Valuation Co.", ValidFrom: "2025-01-01", ValidUntil: "2027-12-31"}))
	})
	valuer := rules.Caller{MSP: api.MSPValuer, Role: api.RoleValuer, Submitter: "x509::CN=appraiser1::CN=ca.valuer"}
	value := map[string][]byte{api.TransientValuationKey: []byte(js(api.ValuationValue{Currency: "CNY",
		Salt: "8f1d2c3b4a5968778695a4b3c2d1e0f1", Value: "8000000"}))}
	c.submit(valuer, value, all, func(r *rules.Service) (string, error) {
		return r.IssueValuationReport("req-3", js(api.ValuationReportInput{AssetIDs: []string{asset.ID}, ClientBank: api.MSPBank1,
			Method: "income", ReportHash: strings.Repeat("b", 64), ReportNumber: "ZXPG[2025]017", ValidUntil: "2026-02-28",
			ValuationDate: "2025-03-01"}))
	})
	if _, err := ref.w.Exec(`VACUUM INTO $1`, filepath.Join(dir, "copy.db")); err != nil {
		t.Fatal(err)
	}
	s := openT(t, gateway.ReadModelConfig{Driver: "sqlite", Path: filepath.Join(dir, "copy.db")})
	coll := api.ValuationCollection(api.MSPValuer, api.MSPBank1)
	res, err := s.w.Exec(`UPDATE rm_pvt_hash SET valuehash = $1 WHERE coll = $2`, []byte(strings.Repeat("p", 32)), coll)
	if n, _ := res.RowsAffected(); err != nil || n != 1 {
		t.Fatalf("planting the value's hash: %d rows, %v", n, err)
	}
	ctx := context.Background()
	height := func(context.Context) (uint64, error) { return ref.Height(), nil }
	opt := CheckOptions{PageSize: 2, Collections: []string{"termsBank1MSP"}, Rechecks: 1}
	rep, err := Check(ctx, s, auditor, evaluatorOf(ref), height, opt)
	if err != nil || len(rep.Differences) != 0 {
		t.Fatalf("without the valuation collections: %+v %v", rep, err)
	}

	opt.ValuationCollections = []string{coll}
	for _, sample := range []int{0, 1000} {
		opt.Sample = sample
		rep, err = Check(ctx, s, auditor, evaluatorOf(ref), height, opt)
		// The read model holds the value (the regulator is a member): a value whose hash is not the one
		// the block recorded is not taken for it, and the report's value is reported missing there.
		if err != nil || len(rep.Differences) != 1 || rep.Differences[0].Collection != coll ||
			!strings.HasPrefix(rep.Differences[0].Key, rules.CompositeKey("valuation")) || rep.Differences[0].Kind == Extra {
			t.Fatalf("sample %d: %+v %v; want the report's value differing in %s", sample, rep, err, coll)
		}
	}
}
