// Package apiclient is a small Go client of the IPLedger gateway's HTTP API: a gateway's base URL
// and an API key, JSON bodies, and the gateway's error JSON decoded. The benchmark and the test suites
// use it; a bank's integration can too.
package apiclient

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

// Client calls one organization's gateway as the identity its API key is bound to.
type Client struct {
	BaseURL string
	Key     string
	HTTP    *http.Client
	// AutoIdempotencyKey gives every POST and PATCH that names no Idempotency-Key a fresh one. A
	// client that retries must send the same key again instead; tests that do not retry use this.
	AutoIdempotencyKey bool
}

// New returns a client of the gateway at baseURL with an API key. It trusts the system's root
// certificates only: for a gateway of `scripts/ipledger up` (https://127.0.0.1:7025, a certificate
// from the organization's own CA) use NewTLS; New suits plain-HTTP test servers.
func New(baseURL, key string) *Client {
	return &Client{BaseURL: baseURL, Key: key, HTTP: &http.Client{Timeout: 90 * time.Second}}
}

// NewTLS returns a client of the gateway at baseURL (e.g. https://127.0.0.1:7025) with an API key,
// trusting only the CA certificates in the PEM files caFiles: the gateway's organization's CA
// (system.json names it: gatewayCaCert).
func NewTLS(baseURL, key string, caFiles ...string) (*Client, error) {
	t, err := Transport(caFiles...)
	if err != nil {
		return nil, err
	}
	c := New(baseURL, key)
	c.HTTP.Transport = t
	return c, nil
}

// Transport is an HTTP transport that trusts only the CA certificates in the PEM files caFiles, with
// TLS 1.2 at least, for a client that sets its own http.Client (timeouts, connection limits).
func Transport(caFiles ...string) (*http.Transport, error) {
	pool, err := CertPool(caFiles...)
	if err != nil {
		return nil, err
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	// HTTP/1.1 with a pool of kept-alive connections, as over plain HTTP: concurrent requests do not
	// share one connection, and the benchmark measures what it did before TLS.
	t.Protocols = new(http.Protocols)
	t.Protocols.SetHTTP1(true)
	return t, nil
}

// CertPool reads the PEM certificates of files into a pool; every file must hold at least one.
func CertPool(files ...string) (*x509.CertPool, error) {
	if len(files) == 0 {
		return nil, errors.New("no CA certificate file to trust")
	}
	pool := x509.NewCertPool()
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		if !pool.AppendCertsFromPEM(raw) {
			return nil, fmt.Errorf("%s: no PEM certificate", f)
		}
	}
	return pool, nil
}

// Response is one answer of the gateway.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Error is the gateway's error JSON: {"error": {"code", "message", "txId"}}.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	TxID    string `json:"txId,omitempty"`
}

// OK tells whether the status is 2xx.
func (r *Response) OK() bool { return r.Status/100 == 2 }

// Err decodes the error JSON of an answer that is not 2xx; it is nil for a 2xx answer, and has an
// empty Code when the body is not the error JSON.
func (r *Response) Err() *Error {
	if r.OK() {
		return nil
	}
	var body struct {
		Error Error `json:"error"`
	}
	_ = json.Unmarshal(r.Body, &body)
	return &body.Error
}

// Decode decodes a JSON answer into v.
func (r *Response) Decode(v any) error {
	if err := json.Unmarshal(r.Body, v); err != nil {
		return fmt.Errorf("answer %d %.200s: %w", r.Status, r.Body, err)
	}
	return nil
}

// String is the status and body, for messages.
func (r *Response) String() string { return fmt.Sprintf("%d %s", r.Status, bytes.TrimSpace(r.Body)) }

// Do sends one request. A body that is a string or []byte is sent as it is (to send what no Go value
// would marshal to); anything else is marshaled to JSON. headers are name, value pairs, e.g.
// "Idempotency-Key", key. The error is only for a request that got no answer.
func (c *Client) Do(ctx context.Context, method, path string, body any, headers ...string) (*Response, error) {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewReader([]byte(b))
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, rd)
	if err != nil {
		return nil, err
	}
	if c.Key != "" {
		req.Header.Set("Authorization", "Bearer "+c.Key)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.AutoIdempotencyKey && (method == http.MethodPost || method == http.MethodPatch) && !names(headers, "Idempotency-Key") {
		headers = append(headers, "Idempotency-Key", NewIdempotencyKey())
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	res, err := c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	return &Response{Status: res.StatusCode, Header: res.Header, Body: raw}, nil
}

// NewIdempotencyKey is a fresh random Idempotency-Key.
func NewIdempotencyKey() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "k-" + hex.EncodeToString(b)
}

// names tells whether name/value pairs name a header (a "" value counts: it removes the header).
func names(headers []string, name string) bool {
	for i := 0; i+1 < len(headers); i += 2 {
		if http.CanonicalHeaderKey(headers[i]) == name {
			return true
		}
	}
	return false
}
