package httpapi

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/ipledger/ipledger/gateway"
)

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func testKeyring(t *testing.T, keys ...gateway.KeyRecord) *gateway.Keyring {
	t.Helper()
	k, err := gateway.NewKeyring("Bank1MSP", []gateway.IdentityConfig{{Name: "officer1", Role: "loan-officer"}}, keys...)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// serve answers one request without a network and returns its status.
func serve(s *Server, method, path string, header ...string) int {
	return serveBody(s, method, path, header...).Code
}

func serveBody(s *Server, method, path string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec
}

// Each state of a key answers as it should: a valid key is served; an expired, a revoked, an unknown
// key, and a key whose identity the gateway no longer serves, are refused with 401, each with its
// own message, and the expired and revoked ones with a reason.
func TestAuth_EachKeyStateHasItsAnswer(t *testing.T) {
	now := time.Now()
	past, future := now.Add(-time.Minute), now.Add(time.Hour)
	rec := func(key, identity string, expires *time.Time, revoked bool) gateway.KeyRecord {
		r := gateway.RecordOf(key, identity, "issued", now, expires)
		r.Revoked = revoked
		return r
	}
	keys := testKeyring(t,
		rec("ipl_valid", "officer1", nil, false),
		rec("ipl_valid-until-later", "officer1", &future, false),
		rec("ipl_expired", "officer1", &past, false),
		rec("ipl_revoked", "officer1", nil, true),
		rec("ipl_revoked-and-expired", "officer1", &past, true),
		rec("ipl_gone", "officer9", nil, false))
	s, err := New(Options{Ledger: &fakeLedger{}, Keyring: keys, MSPID: "Bank1MSP", Logger: discard()})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		key, reason, message string
		status               int
	}{
		// Admitted: the empty fake ledger then has no CN-1.
		{"ipl_valid", "", "", 404},
		{"ipl_valid-until-later", "", "", 404},
		{"ipl_expired", "expired", "the API key has expired: ask your organization's operator for a new one (scripts/ipledger key issue or rotate)", 401},
		{"ipl_revoked", "revoked", "the API key has been revoked: ask your organization's operator for a new one (scripts/ipledger key issue)", 401},
		{"ipl_revoked-and-expired", "revoked", "the API key has been revoked: ask your organization's operator for a new one (scripts/ipledger key issue)", 401},
		{"ipl_gone", "revoked", "the API key has been revoked: ask your organization's operator for a new one (scripts/ipledger key issue)", 401},
		{"ipl_never-issued", "", "the API key is not valid", 401},
	} {
		r := serveBody(s, "GET", "/v1/assets/CN-1", "Authorization", "Bearer "+tc.key)
		if r.Code != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.key, r.Code, r.Body, tc.status)
			continue
		}
		if tc.status != http.StatusUnauthorized {
			continue
		}
		var body errorBody
		if err := json.Unmarshal(r.Body.Bytes(), &body); err != nil {
			t.Fatal(err)
		}
		if body.Error.Code != "UNAUTHENTICATED" || body.Error.Message != tc.message || body.Error.Details["reason"] != tc.reason {
			t.Errorf("%s: %s, want message %q reason %q", tc.key, r.Body, tc.message, tc.reason)
		}
	}
}
