package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/gateway"
)

// fakeReadModel answers every operation with its name and every transaction from a table, at a
// height the test raises.
type fakeReadModel struct {
	ready   atomic.Bool
	version atomic.Value // string
	heights *gateway.Heights
	txs     map[string]*api.Transaction
	reads   atomic.Int64
	fail    atomic.Bool // Read fails as a database would
	defined atomic.Uint64
	// missing makes every read fail as one that met a private value the peer committed without.
	missing atomic.Bool
	// duringRead, when set, runs inside each read (a block applied meanwhile).
	duringRead func()
}

func (f *fakeReadModel) DefinitionHeight() uint64 { return f.defined.Load() }

func (f *fakeReadModel) Ready() bool          { return f.ready.Load() }
func (f *fakeReadModel) RulesVersion() string { return f.version.Load().(string) }
func (f *fakeReadModel) Height() uint64       { return f.heights.Height() }
func (f *fakeReadModel) AwaitHeight(ctx context.Context, h uint64) (uint64, error) {
	if h == 0 {
		return f.heights.Height(), nil
	}
	return f.heights.Await(ctx, h-1)
}

func (f *fakeReadModel) Read(_ context.Context, _ string, fn func(gateway.ReadView) error) (uint64, error) {
	f.reads.Add(1)
	if f.duringRead != nil {
		f.duringRead()
	}
	h := f.heights.Height()
	if f.fail.Load() {
		return h, errors.New("database is locked")
	}
	if f.missing.Load() {
		return h, fmt.Errorf("%w: collection termsBank1MSP", gateway.ErrPrivateMissing)
	}
	return h, fn(fakeView{f})
}

type fakeView struct{ f *fakeReadModel }

func (v fakeView) Evaluate(function string, _ ...string) ([]byte, error) {
	if function == api.GetStatement.Name {
		return []byte(`{"assetId":"CN-1","titleTxId":"t1","lastTxId":"t1","encumbrances":[]}`), nil
	}
	return []byte(`{"from":"read-model","op":"` + function + `"}`), nil
}

func (v fakeView) Transaction(txID string) (*api.Transaction, error) {
	if tx, ok := v.f.txs[txID]; ok {
		return tx, nil
	}
	return nil, &api.Error{Code: api.CodeNotFound, Message: "no such transaction"}
}

// A read is answered by the read model only while it is ready and the chaincode's version is the
// rules version it runs; each answer names its source and height; a client may ask for the chaincode;
// After-Block waits for the read model's own height.
func TestReads_FromTheReadModelOnlyWhenReadyAndSameRules(t *testing.T) {
	l := &fakeLedger{LedgerHeight: 7, OnEvaluate: func(_, function string, _ ...string) ([]byte, error) {
		return []byte(`{"from":"chaincode"}`), nil
	}}
	rm := &fakeReadModel{heights: gateway.NewHeights(),
		txs: map[string]*api.Transaction{"t1": {TxID: "t1", BlockNumber: 4, Valid: true, ValidationCode: "VALID", EndorsingOrgs: []string{"IPOfficeMSP"}}}}
	rm.version.Store("ipledger-cc/fake")
	rm.heights.Raise(7)
	ts := newServerFor(t, l, "Bank1MSP", Options{ReadModel: rm, AfterBlockTimeout: 2 * time.Second})

	r := do(t, ts, http.MethodGet, "/v1/assets/CN-1", "")
	if r.status != http.StatusOK || r.header.Get(HeaderReadSource) != "chaincode" {
		t.Fatalf("not ready: %d %s from %q", r.status, r.body, r.header.Get(HeaderReadSource))
	}
	rm.ready.Store(true)
	r = do(t, ts, http.MethodGet, "/v1/assets/CN-1", "")
	if r.header.Get(HeaderReadSource) != "read-model" || r.header.Get(HeaderLedgerHeight) != "7" || r.json(t)["op"] != "GetAsset" {
		t.Fatalf("ready: %s from %q at %q", r.body, r.header.Get(HeaderReadSource), r.header.Get(HeaderLedgerHeight))
	}
	r = do(t, ts, http.MethodGet, "/v1/assets/CN-1", "", HeaderReadSource, "chaincode")
	if r.header.Get(HeaderReadSource) != "chaincode" || r.json(t)["from"] != "chaincode" {
		t.Fatalf("asked for the chaincode: %s from %q", r.body, r.header.Get(HeaderReadSource))
	}
	// The proof's height is the read model's, and its transaction the read model's.
	r = do(t, ts, http.MethodGet, "/v1/verify/CN-1", "")
	proof, _ := r.json(t)["proof"].(map[string]any)
	if r.status != http.StatusOK || proof["ledgerHeight"] != float64(7) || proof["title"].(map[string]any)["blockNumber"] != float64(4) {
		t.Fatalf("verify: %d %s", r.status, r.body)
	}
	// After-Block 7 needs height 8: it waits for the read model's block.
	got := make(chan response, 1)
	go func() { got <- do(t, ts, http.MethodGet, "/v1/assets/CN-1", "", HeaderAfterBlock, "7") }()
	select {
	case r := <-got:
		t.Fatalf("answered before the read model had block 7: %d %s", r.status, r.body)
	case <-time.After(200 * time.Millisecond):
	}
	rm.heights.Raise(8)
	if r := <-got; r.status != http.StatusOK || r.header.Get(HeaderLedgerHeight) != "8" {
		t.Fatalf("after block 7: %d %s at %q", r.status, r.body, r.header.Get(HeaderLedgerHeight))
	}
	// Another rules version in the chaincode (an upgrade): the chaincode answers.
	rm.version.Store("ipledger-cc/other")
	r = do(t, ts, http.MethodGet, "/v1/assets/CN-1", "")
	if r.header.Get(HeaderReadSource) != "chaincode" {
		t.Fatalf("other rules: from %q", r.header.Get(HeaderReadSource))
	}
	t.Logf("FIGURE reads answered by the fake read model: %d", rm.reads.Load())
}

// A read model behind the blocks the gateway knows committed (its own submissions', its block
// events') is waited for, woken by its applied blocks, up to Options.ReadYourWrites; a read model that does
// not catch up in time is not asked: the chaincode answers. A failure of the read model's database
// (not a refusal by the rules) is answered by the chaincode too.
func TestReads_YourOwnWritesAndAFailedStoreGoToTheChaincode(t *testing.T) {
	l := &fakeLedger{LedgerHeight: 9, OnEvaluate: func(_, function string, _ ...string) ([]byte, error) {
		return []byte(`{"from":"chaincode"}`), nil
	}, OnSubmit: func(string, gateway.Submission) (*gateway.Receipt, error) {
		return &gateway.Receipt{TxID: "abc", BlockNumber: 12, Committed: true, Result: []byte(`{"id":"CN-1","version":1}`), Attempts: 1}, nil
	}}
	rm := &fakeReadModel{heights: gateway.NewHeights()}
	rm.version.Store("ipledger-cc/fake")
	rm.ready.Store(true)
	rm.heights.Raise(8)
	ts := newServerFor(t, l, "Bank1MSP", Options{ReadModel: rm, AfterBlockTimeout: 2 * time.Second, ReadYourWrites: 50 * time.Millisecond})
	r := do(t, ts, http.MethodGet, "/v1/assets/CN-1", "")
	if r.header.Get(HeaderReadSource) != "chaincode" {
		t.Fatalf("a read model a block behind the peer answered: from %q", r.header.Get(HeaderReadSource))
	}
	got := make(chan response, 1)
	go func() { got <- do(t, ts, http.MethodGet, "/v1/assets/CN-1", "") }()
	rm.heights.Raise(9)
	if r := <-got; r.header.Get(HeaderReadSource) != "read-model" || r.header.Get(HeaderLedgerHeight) != "9" {
		t.Fatalf("once the read model has the peer's blocks: from %q at %q", r.header.Get(HeaderReadSource), r.header.Get(HeaderLedgerHeight))
	}
	// A submission through this gateway committed in block 12, beyond what its block events said yet.
	if r := do(t, ts, http.MethodPost, "/v1/assets", assetBody, "Idempotency-Key", "req-rw"); r.status != http.StatusCreated {
		t.Fatalf("submit: %d %s", r.status, r.body)
	}
	if r := do(t, ts, http.MethodGet, "/v1/assets/CN-1", ""); r.header.Get(HeaderReadSource) != "chaincode" {
		t.Fatalf("a read after the gateway's own commit in block 12 came from a read model of height 9: %q", r.header.Get(HeaderReadSource))
	}
	rm.heights.Raise(13)
	rm.fail.Store(true)
	if r := do(t, ts, http.MethodGet, "/v1/assets/CN-1", ""); r.status != http.StatusOK || r.header.Get(HeaderReadSource) != "chaincode" {
		t.Fatalf("the read model's database failed: %d %s from %q", r.status, r.body, r.header.Get(HeaderReadSource))
	}
}
