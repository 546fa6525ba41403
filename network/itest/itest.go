// Package itest is the harness the integration test packages share (build tag "integration", run by
// `scripts/ipledger test integration` against a throwaway network): the network's description, a
// caller of one organization's HTTP gateway and its replies, the authorization matrix both layers
// prove, and the ordered list of the integration packages.
//
// The package itself has no build tag, so that `go vet ./...` checks it and its unit test runs
// without a network.
package itest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/ipledger/ipledger/gateway/apiclient"
	"github.com/ipledger/ipledger/network/netctl"
)

// SystemEnv names the environment variable that holds the path of the network's system.json
// (written by `scripts/ipledger up`).
const SystemEnv = "IPLEDGER_SYSTEM_FILE"

var (
	sysOnce sync.Once
	sys     *netctl.System
	sysErr  error
)

// System is the description of the network under test, loaded once per test binary from the file
// IPLEDGER_SYSTEM_FILE names. It fails the test (never skips it) when the variable is unset or the
// file does not load: an integration test built with the tag is meant to run against a network, and
// a skip would turn a misconfigured run green.
func System(t testing.TB) *netctl.System {
	t.Helper()
	sysOnce.Do(func() {
		path := os.Getenv(SystemEnv)
		if path == "" {
			sysErr = fmt.Errorf("%s is not set: run these tests with scripts/ipledger test integration", SystemEnv)
			return
		}
		if sys, sysErr = netctl.LoadSystem(path); sysErr != nil {
			return
		}
		// The package before this one may have loaded the machine (scratch networks, faults): wait until
		// every peer knows every organization's peer again before the first test endorses.
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		if err := sys.WaitEveryPeerReachesEveryOrg(ctx, 3*time.Minute); err != nil {
			sysErr = fmt.Errorf("the test network's peers do not all reach each other: %w", err)
		}
	})
	if sysErr != nil {
		t.Fatal(sysErr)
	}
	return sys
}

// Reply is one answer of a gateway.
type Reply struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r Reply) String() string { return fmt.Sprintf("%d %.300s", r.Status, r.Body) }

// Obj is the body as a JSON object; the test fails when it is not one.
func (r Reply) Obj(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("not a JSON object (%d): %s", r.Status, r.Body)
	}
	return m
}

// Str is the string member key of the body's object ("" when absent or not a string).
func (r Reply) Str(t testing.TB, key string) string {
	t.Helper()
	s, _ := r.Obj(t)[key].(string)
	return s
}

// APIError is the gateway's error document.
type APIError struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Details map[string]string `json:"details"`
	TxID    string            `json:"txId,omitempty"` // the transaction a 504 (or 503) names, to poll, or a 409 committed
	// BlockNumber is the block a refusal under a rule (409) committed in: it is kept (I3).
	BlockNumber uint64 `json:"blockNumber,omitempty"`
}

// Err is the reply's error document (zero when the body holds none).
func (r Reply) Err() APIError {
	var e struct {
		Error APIError `json:"error"`
	}
	_ = json.Unmarshal(r.Body, &e)
	return e.Error
}

// Block is the block a submission committed in (0 when absent).
func (r Reply) Block() uint64 {
	var s struct {
		BlockNumber uint64 `json:"blockNumber"`
	}
	_ = json.Unmarshal(r.Body, &s)
	return s.BlockNumber
}

// Caller calls one organization's gateway as one of its users.
type Caller struct {
	T    testing.TB
	Base string // the gateway's URL (https://…)
	Key  string // the user's API key
	Org  string
	User string
	// HTTP trusts only the organization's CA, which issued the gateway's certificate.
	HTTP *http.Client
}

// As is a caller of mspID's gateway acting as user, with that user's API key.
func As(t testing.TB, mspID, user string) *Caller {
	t.Helper()
	url, key, err := System(t).APIKey(mspID, user)
	if err != nil {
		t.Fatal(err)
	}
	o, err := System(t).Org(mspID)
	if err != nil {
		t.Fatal(err)
	}
	hc, err := HTTPClient(o.GatewayCACert)
	if err != nil {
		t.Fatal(err)
	}
	return &Caller{T: t, Base: url, Key: key, Org: mspID, User: user, HTTP: hc}
}

var httpClients sync.Map // CA certificate file → *http.Client

// HTTPClient is an HTTP client that trusts only the CA certificate in caFile, one per file for the
// test binary, so that callers of one gateway share its connections.
func HTTPClient(caFile string) (*http.Client, error) {
	if c, ok := httpClients.Load(caFile); ok {
		return c.(*http.Client), nil
	}
	t, err := apiclient.Transport(caFile)
	if err != nil {
		return nil, err
	}
	c, _ := httpClients.LoadOrStore(caFile, &http.Client{Timeout: 90 * time.Second, Transport: t})
	return c.(*http.Client), nil
}

// Do sends one request and fails the test when it gets no answer. body is sent as is when a string,
// else as its JSON; headers are name, value pairs (a Content-Type among them replaces
// application/json). Submissions get an idempotency key unless headers set one.
func (c *Caller) Do(method, path string, body any, headers ...string) Reply {
	c.T.Helper()
	api := &apiclient.Client{BaseURL: c.Base, Key: c.Key, HTTP: c.HTTP, AutoIdempotencyKey: true}
	r, err := api.Do(context.Background(), method, path, body, headers...)
	if err != nil {
		c.T.Fatal(err)
	}
	return Reply{Status: r.Status, Header: r.Header, Body: r.Body}
}
