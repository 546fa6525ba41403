package apiclient

import (
	"context"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

func TestDo_SendsKeyBodyAndHeaders_DecodesErrors(t *testing.T) {
	var got *http.Request
	var body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		b, _ := io.ReadAll(r.Body)
		body = string(b)
		w.WriteHeader(http.StatusConflict)
		_, _ = w.Write([]byte(`{"error":{"code":"P5","message":"patent already pledged","txId":"tx1"}}`))
	}))
	defer srv.Close()
	c := New(srv.URL, "ipl_key")
	r, err := c.Do(context.Background(), http.MethodPost, "/v1/pledges", map[string]int{"a": 1}, "Idempotency-Key", "k1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Header.Get("Authorization") != "Bearer ipl_key" || got.Header.Get("Idempotency-Key") != "k1" ||
		got.Header.Get("Content-Type") != "application/json" || body != `{"a":1}` {
		t.Errorf("request: %v %q", got.Header, body)
	}
	if r.OK() || r.Err().Code != "P5" || r.Err().TxID != "tx1" {
		t.Errorf("response %s: %+v", r, r.Err())
	}
	if _, err := c.Do(context.Background(), http.MethodPost, "/x", `{"raw":`); err != nil || body != `{"raw":` {
		t.Errorf("raw body sent as %q (%v)", body, err)
	}
}

func TestDo_AutoIdempotencyKey(t *testing.T) {
	var keys []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		keys = append(keys, r.Header.Get("Idempotency-Key"))
	}))
	defer srv.Close()
	c := New(srv.URL, "k")
	c.AutoIdempotencyKey = true
	ctx := context.Background()
	for _, call := range []struct {
		method  string
		headers []string
	}{{http.MethodPost, nil}, {http.MethodPatch, nil}, {http.MethodGet, nil},
		{http.MethodPost, []string{"Idempotency-Key", "mine"}}, {http.MethodPost, []string{"idempotency-key", ""}}} {
		if _, err := c.Do(ctx, call.method, "/x", nil, call.headers...); err != nil {
			t.Fatal(err)
		}
	}
	if keys[0] == "" || keys[1] == "" || keys[0] == keys[1] || keys[2] != "" || keys[3] != "mine" || keys[4] != "" {
		t.Errorf("keys sent: %q", keys)
	}
}

// NewTLS trusts the CA files it is given, and only them.
func TestNewTLS_TrustsOnlyTheGivenCA(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	defer srv.Close()
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := NewTLS(srv.URL, "k", ca)
	if err != nil {
		t.Fatal(err)
	}
	if r, err := c.Do(context.Background(), http.MethodGet, "/healthz", nil); err != nil || r.Status != http.StatusNoContent {
		t.Fatalf("%v %v", r, err)
	}
	if _, err := New(srv.URL, "k").Do(context.Background(), http.MethodGet, "/healthz", nil); err == nil {
		t.Fatal("New trusted a certificate of an unknown authority")
	}
	other := filepath.Join(dir, "other.pem")
	_ = os.WriteFile(other, []byte("not a certificate"), 0o644)
	if _, err := NewTLS(srv.URL, "k", other); err == nil {
		t.Fatal("NewTLS accepted a file without a certificate")
	}
	if _, err := NewTLS(srv.URL, "k"); err == nil {
		t.Fatal("NewTLS without a CA")
	}
}
