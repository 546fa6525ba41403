package httpapi

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ipledger/ipledger/gateway"
	"github.com/ipledger/ipledger/gateway/metrics"
)

// versionLedger is a fake ledger whose chaincode's Ping answers a version the test changes (an
// upgrade), counted.
type versionLedger struct {
	*fakeLedger
	version atomic.Pointer[string]
	pings   atomic.Int64
}

func (l *versionLedger) Ping(context.Context) (string, error) {
	l.pings.Add(1)
	return *l.version.Load(), nil
}

func (l *versionLedger) set(v string) { l.version.Store(&v) }

// newServerOver is newServerFor over any ledger.
func newServerOver(t *testing.T, l gateway.Ledger, msp string, o Options) *httptest.Server {
	t.Helper()
	keys, err := gateway.NewKeyring(msp, []gateway.IdentityConfig{{Name: "officer1", Role: "loan-officer", APIKeySHA256: hashOf(officerKey)}})
	if err != nil {
		t.Fatal(err)
	}
	o.Ledger, o.Keyring, o.MSPID, o.Channel = l, keys, msp, "ipledger"
	o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return ts
}

// deferredCount is a reason's count of reads the chaincode answered for the read model, as scraped.
func deferredCount(t *testing.T, m *metrics.Metrics, reason string) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	for _, line := range strings.Split(rec.Body.String(), "\n") {
		if strings.HasPrefix(line, "ipledger_gateway_read_model_deferred_total{") && strings.Contains(line, `reason="`+reason+`"`) {
			return line[strings.LastIndexByte(line, ' ')+1:]
		}
	}
	t.Fatalf("no deferred reads metric of reason %s", reason)
	return ""
}

// After the read model applied a block that commits a new chaincode definition (an upgrade), reads
// go to the chaincode until a Ping begun after that block confirms the rules version: the probe pings
// at once, not at the end of its interval; a definition applied while a read runs sends that read to
// the chaincode when it read at or above it. Each is counted by reason.
func TestReads_AfterAnUpgradeTheChaincodeAnswersUntilAPingConfirms(t *testing.T) {
	l := &versionLedger{fakeLedger: &fakeLedger{LedgerHeight: 7, OnEvaluate: func(_, function string, _ ...string) ([]byte, error) {
		return []byte(`{"from":"chaincode"}`), nil
	}}}
	l.set("ipledger-cc/fake")
	rm := &fakeReadModel{heights: gateway.NewHeights()}
	rm.version.Store("ipledger-cc/fake")
	rm.heights.Raise(7)
	rm.ready.Store(true)
	m := metrics.New("Bank1MSP")
	ts := newServerOver(t, l, "Bank1MSP", Options{ReadModel: rm, Metrics: m, ReadyInterval: time.Hour})
	source := func(step string) string {
		t.Helper()
		r := do(t, ts, http.MethodGet, "/v1/assets/CN-1", "")
		if r.status != http.StatusOK {
			t.Fatalf("%s: %d %s", step, r.status, r.body)
		}
		return r.header.Get(HeaderReadSource)
	}
	if src := source("before the upgrade"); src != sourceReadModel || l.pings.Load() != 1 {
		t.Fatalf("before the upgrade: from %q after %d Pings", src, l.pings.Load())
	}
	// The upgrade commits at block 7; the chaincode now runs other rules. Once the read model applied
	// block 7, the cached Ping (of an hour's interval) no longer counts: a new one is made at once.
	l.set("ipledger-cc/other")
	rm.defined.Store(8)
	for i := range 3 {
		if src := source("after the upgrade"); src != sourceChaincode {
			t.Fatalf("read %d after the upgrade block was applied: from %q, want the chaincode", i, src)
		}
	}
	if n := l.pings.Load(); n != 2 {
		t.Errorf("%d Pings, want 2 (one more at once after the upgrade, none per read)", n)
	}
	// A definition that keeps the rules (its Ping, made after it, says so): the read model again.
	l.set("ipledger-cc/fake")
	rm.defined.Store(9)
	rm.heights.Raise(9)
	if src := source("after a definition keeping the rules"); src != sourceReadModel || l.pings.Load() != 3 {
		t.Fatalf("after a definition that keeps the rules: from %q after %d Pings", src, l.pings.Load())
	}
	// A definition applied while a read runs, which read at or above it: the chaincode answers it.
	rm.duringRead = func() { rm.defined.Store(10); rm.heights.Raise(10) }
	if src := source("a definition applied during the read"); src != sourceChaincode {
		t.Errorf("a read that met a new definition: from %q, want the chaincode", src)
	}
	rm.duringRead = nil
	// The reads after the upgrade went to the chaincode because its fresh Ping named other rules (the
	// version guard); the one that met a definition during its read is the one deferred.
	if got := deferredCount(t, m, deferDefinition); got != "1" {
		t.Errorf("reads deferred for a new definition: %s, want 1", got)
	}
	t.Logf("FIGURE upgrade window: %d chaincode Pings over 6 reads around 3 definition changes", l.pings.Load())
}

// A read that met a private value the peer committed without is answered by the chaincode, counted.
func TestReads_AMissingPrivateValueIsAnsweredByTheChaincode(t *testing.T) {
	l := &fakeLedger{LedgerHeight: 7, OnEvaluate: func(_, function string, _ ...string) ([]byte, error) {
		return []byte(`{"from":"chaincode"}`), nil
	}}
	rm := &fakeReadModel{heights: gateway.NewHeights()}
	rm.version.Store("ipledger-cc/fake")
	rm.heights.Raise(7)
	rm.ready.Store(true)
	m := metrics.New("Bank1MSP")
	ts := newServerFor(t, l, "Bank1MSP", Options{ReadModel: rm, Metrics: m})
	rm.missing.Store(true)
	r := do(t, ts, http.MethodGet, "/v1/assets/CN-1", "")
	if r.status != http.StatusOK || r.header.Get(HeaderReadSource) != sourceChaincode || r.json(t)["from"] != "chaincode" {
		t.Fatalf("a missing private value: %d %s from %q", r.status, r.body, r.header.Get(HeaderReadSource))
	}
	if got := deferredCount(t, m, deferPrivateMissing); got != "1" {
		t.Errorf("reads deferred for a missing private value: %s, want 1", got)
	}
	rm.missing.Store(false)
	if r := do(t, ts, http.MethodGet, "/v1/assets/CN-1", ""); r.header.Get(HeaderReadSource) != sourceReadModel {
		t.Errorf("the value there: from %q", r.header.Get(HeaderReadSource))
	}
}
