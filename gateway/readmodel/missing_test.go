package readmodel

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/chaincode/rules"
	"github.com/ipledger/ipledger/gateway"
)

// twin endorses submissions over ref with the rules and commits each in a block of its own to both
// stores: ref gets every private value (it plays the chaincode's state), s those deliver says the
// peer had at commit. The blocks s got are kept, to be delivered again (a rebuild).
type twin struct {
	t      *testing.T
	ref, s *Store
	n      int
	now    time.Time
	blocks []*peer.BlockAndPrivateData // as ref got them: every private value
}

func (c *twin) submit(caller rules.Caller, transient map[string][]byte, deliver func(string) bool,
	fn func(*rules.Service) (string, error)) string {
	c.t.Helper()
	c.n++
	id := txid(200 + c.n)
	writes, out := endorse(c.t, c.ref, id, c.now, caller, transient, fn)
	txs := []txSpec{{id: id, creator: string(caller.MSP), endorsers: []string{"IPOfficeMSP"}, at: c.now, writes: writes}}
	full := block(c.ref.Height(), txs, nil)
	c.blocks = append(c.blocks, full)
	apply(c.t, c.ref, full)
	apply(c.t, c.s, block(c.s.Height(), txs, deliver))
	c.now = c.now.Add(time.Minute)
	return out
}

// A member peer may commit a block without its private value (requiredPeerCount 0). The read model
// then answers no read of it as if it were absent: GetPledgeTerms and the statistics, which count
// unreadable terms as unavailable, are ErrPrivateMissing (the gateway asks the chaincode); the
// checker lists the value missing; a later delivered write clears it; a rebuild from blocks
// delivered with the value repairs it. A collection of which nothing was delivered yet is not taken
// for one the organization is no member of while the blocks carry a hash of the key.
func TestMissingPrivateValue_AnsweredByTheChaincodeAndListedByTheChecker(t *testing.T) {
	dir := t.TempDir()
	ref := openT(t, gateway.ReadModelConfig{Driver: "sqlite", Path: filepath.Join(dir, "ref.db")})
	s := openT(t, gateway.ReadModelConfig{Driver: "sqlite", Path: filepath.Join(dir, "rm.db")})
	apply(t, ref, configBlock(0))
	apply(t, s, configBlock(0))
	c := &twin{t: t, ref: ref, s: s, now: time.Date(2025, 3, 3, 2, 0, 0, 0, time.UTC), blocks: []*peer.BlockAndPrivateData{configBlock(0)}}
	all, none := func(string) bool { return true }, func(string) bool { return false }
	owner := api.Owner{ID: "91420100MA4K0001X", Name: "Acme Optics Co.", Share: 10000}
	pledge := func(n string, deliver func(string) bool) api.Pledge {
		t.Helper()
		asset := api.AssetInput{ApplicationDate: "2020-01-10", ExpiryDate: "2040-01-10", FeesPaidThrough: "2026-01-10",
			GrantDate: "2022-06-01", ID: "CN-MISS-" + n, Kind: api.KindPatentInvention, Number: "ZLMISS" + n, Owners: []api.Owner{owner},
			Title: "Optical lens assembly"}
		c.submit(examiner, nil, all, func(r *rules.Service) (string, error) { return r.RegisterAsset("asset-"+n, js(asset)) })
		app := api.PledgeApplication{AssetIDs: []string{asset.ID}, ContractHash: strings.Repeat("a", 64), DebtKind: "loan",
			DebtTermEnd: "2027-03-01", DebtTermStart: "2025-03-01", PledgeeName: "Bank One Wuhan Branch",
			Pledgors: []api.Party{{ID: owner.ID, Name: owner.Name}}}
		terms := map[string][]byte{api.TransientTermsKey: []byte(js(api.Terms{Amount: "5000000.00", Currency: "CNY",
			InterestRate: "3.85", Salt: "705c367a1a77d424319c090b86b8a5ff", Scope: "principal"}))}
		var p api.Pledge
		out := c.submit(officer1, terms, deliver, func(r *rules.Service) (string, error) { return r.ApplyPledge("apply-"+n, js(app)) })
		if err := json.Unmarshal([]byte(out), &p); err != nil || p.ID == "" {
			t.Fatalf("apply: %s %v", out, err)
		}
		c.submit(examiner, nil, all, func(r *rules.Service) (string, error) {
			return r.RegisterPledge("register-"+n, p.ID, `{"registrationNumber":"R`+n+`"}`)
		})
		return p
	}
	ctx := context.Background()
	eval := func(st *Store, function string, args ...string) ([]byte, error) {
		var out []byte
		_, err := st.Read(ctx, func(v *View) error {
			var err error
			out, err = v.Evaluate(auditor, function, args...)
			return err
		})
		return out, err
	}
	stats := []string{"2025-01-01", "2025-12-31", "year", "", ""}

	// The first pledge's terms came without their value, before the read model held the collection.
	p1 := pledge("1", none)
	if _, err := eval(s, api.GetPledgeTerms.Name, p1.ID); !errors.Is(err, gateway.ErrPrivateMissing) {
		t.Fatalf("terms whose value never came, of a collection not held yet: %v, want ErrPrivateMissing", err)
	}
	if _, err := readPrivate(s, "termsBank1MSP", "no such key"); err == nil || !strings.Contains(err.Error(), "read access") {
		t.Errorf("a key of a collection not held, whose hash no block carried: %v, want the non-member error", err)
	}
	// The second pledge's came with theirs: the collection is held, and the first's recorded missing.
	p2 := pledge("2", all)
	if n, err := s.MissingPrivate(ctx); err != nil || n != 1 {
		t.Fatalf("missing values once the collection is held: %d %v, want 1", n, err)
	}
	if out, err := eval(s, api.GetPledgeTerms.Name, p2.ID); err != nil || !strings.Contains(string(out), "5000000.00") {
		t.Fatalf("terms delivered: %s %v", out, err)
	}
	// The third's came without again: missing, and every read of them goes to the chaincode.
	p3 := pledge("3", none)
	if n, _ := s.MissingPrivate(ctx); n != 2 {
		t.Fatalf("missing values: %d, want 2", n)
	}
	for _, id := range []string{p1.ID, p3.ID} {
		if out, err := eval(s, api.GetPledgeTerms.Name, id); !errors.Is(err, gateway.ErrPrivateMissing) {
			t.Errorf("terms of %s, missing at commit: %s %v, want ErrPrivateMissing (the chaincode answers them)", id, out, err)
		}
	}
	if out, err := eval(s, api.GetStatistics.Name, stats...); !errors.Is(err, gateway.ErrPrivateMissing) {
		t.Errorf("statistics over missing terms: %s %v, want ErrPrivateMissing, not terms counted unavailable", out, err)
	}
	if out, err := eval(ref, api.GetStatistics.Name, stats...); err != nil || !strings.Contains(string(out), `"read":3`) {
		t.Fatalf("the chaincode's statistics: %s %v", out, err)
	}

	// The checker compares the hash of what the read model serves: the two values it lacks are missing.
	height := func(context.Context) (uint64, error) { return ref.Height(), nil }
	rep, err := Check(ctx, s, auditor, evaluatorOf(ref), height, CheckOptions{Collections: []string{"termsBank1MSP"}})
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for _, d := range rep.Differences {
		if d.Collection == "termsBank1MSP" && d.Kind == Missing {
			missing = append(missing, d.Key)
		}
	}
	if len(missing) != 2 || len(rep.Differences) != 2 || rep.Private < 3 {
		t.Errorf("the checker: %d private compared, differences %+v, want the terms of %s and %s missing", rep.Private, rep.Differences, p1.ID, p3.ID)
	}
	t.Logf("FIGURE missing private values: %d recorded, %d listed missing by the checker over %d private hashes", 2, len(missing), rep.Private)

	// A later delivered write of the key clears it (here a planted one, as reconciliation never
	// delivers a block again); a rebuild from the blocks with every value repairs the store.
	key := rules.CompositeKey("pledge", p3.ID)
	if got, err := readPrivate(ref, "termsBank1MSP", key); err != nil || got == nil {
		t.Fatalf("the pledge's private key %q in the reference: %q %v", key, got, err)
	}
	value, _ := readPrivate(ref, "termsBank1MSP", key)
	apply(t, s, block(s.Height(), []txSpec{{id: txid(299), creator: "Bank1MSP", at: c.now,
		writes: []kv{{coll: "termsBank1MSP", key: key, value: value}}}}, all))
	if n, _ := s.MissingPrivate(ctx); n != 1 {
		t.Errorf("after a delivered write of one of them: %d missing, want 1", n)
	}
	if out, err := eval(s, api.GetPledgeTerms.Name, p3.ID); err != nil || !strings.Contains(string(out), "5000000.00") {
		t.Errorf("terms delivered later: %s %v", out, err)
	}
	rebuilt := openT(t, gateway.ReadModelConfig{Driver: "sqlite", Path: filepath.Join(dir, "rebuilt.db")})
	for _, b := range c.blocks {
		apply(t, rebuilt, b)
	}
	if n, _ := rebuilt.MissingPrivate(ctx); n != 0 {
		t.Errorf("a rebuild with every value: %d missing", n)
	}
	a, err1 := eval(rebuilt, api.GetStatistics.Name, stats...)
	b, err2 := eval(ref, api.GetStatistics.Name, stats...)
	if err1 != nil || err2 != nil || withoutAsOf(a) != withoutAsOf(b) || !strings.Contains(string(a), `"complete":true`) {
		t.Errorf("statistics after a rebuild: %s %v; the chaincode's: %s %v", a, err1, b, err2)
	}
}

// A held key whose update or delete came without its value: the old value is never served; after
// the delete it reads absent (the block's hashes say so), as on the peer.
func TestMissingPrivateValue_UpdateAndDeleteWithoutTheValue(t *testing.T) {
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			all, none := func(string) bool { return true }, func(string) bool { return false }
			w := func(n int, deliver func(string) bool, writes ...kv) {
				apply(t, s, block(s.Height(), []txSpec{{id: txid(300 + n), creator: "Bank1MSP", at: t0, writes: writes}}, deliver))
			}
			w(0, all, kv{coll: "termsBank1MSP", key: "p", value: []byte("v1")}, kv{coll: "termsBank1MSP", key: "q", value: []byte("q1")})
			w(1, none, kv{coll: "termsBank1MSP", key: "p", value: []byte("v2")})
			if _, err := readPrivate(s, "termsBank1MSP", "p"); !errors.Is(err, gateway.ErrPrivateMissing) {
				t.Errorf("an update without its value: %v, want ErrPrivateMissing (never the old value)", err)
			}
			if h := privateHash(t, s, "termsBank1MSP", "p"); h != nil {
				t.Errorf("the hash of a value the read model lacks: %x, want none (the checker lists it missing)", h)
			}
			want := sha256.Sum256([]byte("q1"))
			if h := privateHash(t, s, "termsBank1MSP", "q"); string(h) != string(want[:]) {
				t.Errorf("the hash of a value held: %x, want %x", h, want)
			}
			w(2, none, kv{coll: "termsBank1MSP", key: "p", del: true}, kv{coll: "termsBank1MSP", key: "q", del: true})
			for _, k := range []string{"p", "q"} {
				if v, err := readPrivate(s, "termsBank1MSP", k); err != nil || v != nil {
					t.Errorf("%s deleted without its private data: %q %v, want absent", k, v, err)
				}
			}
			w(3, all, kv{coll: "termsBank1MSP", key: "p", value: []byte("v3")})
			if v, err := readPrivate(s, "termsBank1MSP", "p"); err != nil || string(v) != "v3" {
				t.Errorf("written again with its value: %q %v", v, err)
			}
		})
	}
}

func readPrivate(s *Store, coll, key string) ([]byte, error) {
	var out []byte
	_, err := s.Read(context.Background(), func(v *View) error {
		var err error
		out, err = (&ledger{ctx: v.ctx, tx: v.tx, ns: v.ns}).GetPrivate(coll, key)
		return err
	})
	return out, err
}

func privateHash(t *testing.T, s *Store, coll, key string) []byte {
	t.Helper()
	var h []byte
	if _, err := s.Read(context.Background(), func(v *View) error {
		var err error
		h, err = (&ledger{ctx: v.ctx, tx: v.tx, ns: v.ns}).GetPrivateHash(coll, key)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return h
}

// withoutAsOf is a statistics answer without its time of answer.
func withoutAsOf(raw []byte) string {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return string(raw)
	}
	delete(m, "asOf")
	out, _ := json.Marshal(m)
	return string(out)
}
