package httpapi

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ipledger/ipledger/chaincode/api"
)

func TestAfterBlock_WaitsForThePeerToHaveTheBlock(t *testing.T) {
	l := &fakeLedger{LedgerHeight: 8, OnEvaluate: func(_, _ string, _ ...string) ([]byte, error) {
		return []byte(`{"id":"CN1"}`), nil
	}}
	ts := newServerFor(t, l, "Bank1MSP", Options{AfterBlockTimeout: 200 * time.Millisecond})

	// Block 7 is the eighth block: the peer has it, the request is served.
	if r := do(t, ts, http.MethodGet, "/v1/assets/CN1", "", HeaderAfterBlock, "7"); r.status != http.StatusOK {
		t.Errorf("peer has block 7: %d %s", r.status, r.body)
	}
	// Block 8 is not there yet: after the wait, a 503 that says why.
	start := time.Now()
	r := do(t, ts, http.MethodGet, "/v1/assets/CN1", "", HeaderAfterBlock, "8")
	if r.status != http.StatusServiceUnavailable {
		t.Fatalf("peer lacks block 8: %d %s", r.status, r.body)
	}
	if _, msg, _ := r.errorCode(t); !strings.Contains(msg, "block 8") {
		t.Errorf("message %q does not name the block", msg)
	}
	if waited := time.Since(start); waited < 200*time.Millisecond {
		t.Errorf("answered after %v, before the wait was over", waited)
	}
	// Not a number: 400.
	if r := do(t, ts, http.MethodGet, "/v1/assets/CN1", "", HeaderAfterBlock, "-1"); r.status != http.StatusBadRequest {
		t.Errorf("bad header: %d %s", r.status, r.body)
	}
}

func TestFindAssets_ByOfficialNumber(t *testing.T) {
	var got []string
	l := &fakeLedger{OnEvaluate: func(_, function string, args ...string) ([]byte, error) {
		got = append([]string{function}, args...)
		return []byte(`{"count":0,"items":[]}`), nil
	}}
	ts := newServer(t, l)
	if r := do(t, ts, http.MethodGet, "/v1/assets?number=ZL2021", ""); r.status != http.StatusOK || strings.Join(got, " ") != "FindAssetsByNumber ZL2021" {
		t.Errorf("%d %s; evaluated %v", r.status, r.body, got)
	}
	if r := do(t, ts, http.MethodGet, "/v1/assets", ""); r.status/100 != 4 {
		t.Errorf("without a number: %d %s", r.status, r.body)
	}
}

// A request id is the organization's (I3): whichever of its users repeats a request, through whichever
// of its gateways (holding the organization's salt key), the terms carry the same salt, so the repeat
// is the same request and answers the first decision instead of an I3 refusal.
func TestTermsSalt_SameForARepeatByAnyUserSecretAndDistinct(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	s := &Server{opts: Options{MSPID: "Bank1MSP", SaltKey: key}}
	a, c := s.termsSalt("req-1"), s.termsSalt("req-2")
	if a == c || len(a) != 64 {
		t.Errorf("salts %q %q", a, c)
	}
	body := `{"assetIds":["P1"],"terms":{"amount":"1.00"}}`
	first, _, err := payloadOf(body, api.TransientTermsKey, s.termsSalt("req-1"))
	if err != nil {
		t.Fatal(err)
	}
	_, t1, _ := payloadOf(body, api.TransientTermsKey, s.termsSalt("req-1"))
	_, t2, _ := payloadOf(body, api.TransientTermsKey, (&Server{opts: Options{MSPID: "Bank1MSP", SaltKey: key}}).termsSalt("req-1"))
	if string(t1["terms"]) != string(t2["terms"]) || first == "" {
		t.Errorf("another gateway of the organization salts the same request otherwise: %s %s", t1["terms"], t2["terms"])
	}
	other := &Server{opts: Options{MSPID: "Bank1MSP", SaltKey: []byte("another key, another gateway....")}}
	if other.termsSalt("req-1") == a {
		t.Error("the salt does not depend on the secret key")
	}
	if (&Server{opts: Options{MSPID: "Bank2MSP", SaltKey: key}}).termsSalt("req-1") == a {
		t.Error("the salt does not depend on the organization")
	}
}
