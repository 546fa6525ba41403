package httpapi

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ipledger/ipledger/gateway"
)

var fuzzMethods = []string{http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete, http.MethodHead}

// FuzzRequestValidation sends arbitrary methods, paths, bodies, content types and credentials to the
// whole router over a fake ledger. Whatever arrives, the gateway must answer (no panic), never with a
// 5xx (the fake ledger is healthy, so any 5xx would be the gateway's own fault), with a JSON error
// document for every 4xx, and must not submit anything for a request it refuses. Seeds:
// testdata/fuzz/FuzzRequestValidation and the f.Add calls below.
func FuzzRequestValidation(f *testing.F) {
	l := &fakeLedger{LedgerHeight: 100}
	keys, err := gateway.NewKeyring("Bank1MSP", []gateway.IdentityConfig{
		{Name: "officer1", Role: "loan-officer", APIKeySHA256: hashOf(officerKey)},
	})
	if err != nil {
		f.Fatal(err)
	}
	s, err := New(Options{Ledger: l, Keyring: keys, MSPID: "Bank1MSP", Channel: "ipledger", MaxBodyBytes: 64 << 10,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(byte(1), "/v1/assets", []byte(`{"id":"CN-1","kind":"patent-invention","number":"ZL1","title":"t","owners":[{"id":"O1","name":"o","share":10000}],"applicationDate":"2020-01-01","grantDate":"2021-01-01","expiryDate":"2040-01-01","feesPaidThrough":"2030-01-01"}`), "application/json", byte(0))
	f.Add(byte(1), "/v1/pledges", []byte(`{"assetIds":["A"],"pledgors":[{"id":"O","name":"o"}],"pledgeeName":"B","debtKind":"loan","debtTermStart":"2025-01-01","debtTermEnd":"2026-01-01","contractHash":"`+strings.Repeat("a", 64)+`","terms":{"amount":"1","currency":"CNY","interestRate":"1","scope":"s"}}`), "application/json", byte(0))
	f.Add(byte(2), "/v1/assets/CN-1", []byte(`{"freeze":{"active":true,"ref":"x"}}`), "", byte(0))
	f.Add(byte(1), "/v1/pledges/P1/dispose", []byte(`{"method":"auction","buyers":[],"price":"1","currency":"CNY","proceeds":[{"pledgeId":"P1","amount":"1"}],"surplus":"0","saleRef":"r"}`), "application/json", byte(0))
	f.Add(byte(1), "/v1/transfers/T1/consent", []byte(`{"pledgeId":"P1","proceedsUse":"escrow","x":1}`), "application/json", byte(0))
	f.Add(byte(0), "/v1/pledges?assetId=A&pageSize=0&bookmark=%00", []byte(nil), "", byte(0))
	f.Add(byte(0), "/v1/assets/..%2F..%2Fetc", []byte(nil), "", byte(1))
	f.Add(byte(1), "/v1/assets", []byte("{\"title\":\"\xff\"}"), "text/plain", byte(2))
	f.Add(byte(0), "/v1/verify/%E2%80%AE", []byte(`[`), "application/json; charset=utf-16", byte(0))
	f.Add(byte(3), "/v1/transactions/"+strings.Repeat("f", 64), []byte(`null`), "application/json", byte(0))
	f.Fuzz(func(t *testing.T, m byte, path string, body []byte, contentType string, auth byte) {
		method := fuzzMethods[int(m)%len(fuzzMethods)]
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		if strings.HasPrefix(path, "/v1/events") || strings.HasPrefix(path, "//") {
			return // a stream, open until the client leaves; "//" is a host, not a path
		}
		req, err := http.NewRequest(method, "http://gateway"+path, strings.NewReader(string(body)))
		if err != nil {
			return // not a request a client could send
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		req = req.WithContext(ctx)
		if contentType != "" && utf8.ValidString(contentType) && !strings.ContainsAny(contentType, "\r\n") {
			req.Header.Set("Content-Type", contentType)
		}
		switch auth % 3 {
		case 0:
			req.Header.Set("Authorization", "Bearer "+officerKey)
		case 1:
			req.Header.Set("Authorization", "Bearer "+string(body[:min(len(body), 40)]))
		}
		before := len(l.Submitted())
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("%s %q (%q, %q): %d %s", method, path, body, contentType, w.Code, w.Body)
		}
		if w.Code >= 400 {
			if method != http.MethodHead && !strings.Contains(w.Body.String(), `"error"`) {
				t.Fatalf("%s %q: %d without an error document: %s", method, path, w.Code, w.Body)
			}
			if after := len(l.Submitted()); after != before {
				t.Fatalf("%s %q: refused %d but submitted", method, path, w.Code)
			}
		}
	})
}

// TestBodyMustBeUTF8: a body with invalid UTF-8 is refused, not recorded with U+FFFD in its place.
func TestBodyMustBeUTF8(t *testing.T) {
	l := &fakeLedger{}
	ts := newServer(t, l)
	r := do(t, ts, "POST", "/v1/pledges/P1/release", "{\"reason\":\"\xff\xfe\"}", "Authorization", "Bearer "+officerKey)
	if code, _, _ := r.errorCode(t); r.status != 400 || code != "MALFORMED" || len(l.Submitted()) != 0 {
		t.Fatalf("%d %s, submitted %d", r.status, r.body, len(l.Submitted()))
	}
}
