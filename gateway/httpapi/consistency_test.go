package httpapi

import (
	"net/http"
	"strings"
	"testing"
	"time"
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

func TestTermsSalt_SameForARepeatSecretAndDistinct(t *testing.T) {
	s := &Server{opts: Options{MSPID: "Bank1MSP", SaltKey: []byte("0123456789abcdef0123456789abcdef")}}
	a, b, c := s.termsSalt("officer1", "req-1"), s.termsSalt("officer1", "req-1"), s.termsSalt("officer1", "req-2")
	if a != b || a == c || len(a) != 64 {
		t.Errorf("salts %q %q %q", a, b, c)
	}
	other := &Server{opts: Options{MSPID: "Bank1MSP", SaltKey: []byte("another key, another gateway....")}}
	if other.termsSalt("officer1", "req-1") == a {
		t.Error("the salt does not depend on the secret key")
	}
}
