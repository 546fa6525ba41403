//go:build integration

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ipledger/ipledger/chaincode/api"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/ipledger/ipledger/gateway/apiclient"
	"github.com/ipledger/ipledger/gateway/fabric/qscc"
	"github.com/ipledger/ipledger/network/netctl"
)

var (
	sysOnce sync.Once
	sys     *netctl.System
	sysErr  error
	// height reads the channel's ledger height through the regulator's peer (qscc); it never writes.
	heightOnce sync.Once
	heightRd   *qscc.Reader
	heightErr  error
)

func system(t *testing.T) *netctl.System {
	t.Helper()
	sysOnce.Do(func() {
		path := os.Getenv("IPLEDGER_SYSTEM_FILE")
		if path == "" {
			sysErr = fmt.Errorf("IPLEDGER_SYSTEM_FILE is not set: run these tests with scripts/ipledger test integration")
			return
		}
		sys, sysErr = netctl.LoadSystem(path)
	})
	if sysErr != nil {
		t.Skip(sysErr)
	}
	return sys
}

// client calls one organization's gateway as one of its users.
type caller struct {
	t    *testing.T
	base string
	key  string
	org  string
	user string
}

type reply struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r reply) String() string { return fmt.Sprintf("%d %.300s", r.Status, r.Body) }

func (r reply) obj(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("not a JSON object (%d): %s", r.Status, r.Body)
	}
	return m
}

// apiError is the gateway's error document.
type apiError struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Details map[string]string `json:"details"`
}

func (r reply) err() apiError {
	var e struct {
		Error apiError `json:"error"`
	}
	_ = json.Unmarshal(r.Body, &e)
	return e.Error
}

func (r reply) str(t *testing.T, key string) string {
	t.Helper()
	s, _ := r.obj(t)[key].(string)
	return s
}

// block is the block a submission committed in (0 when absent).
func (r reply) block() uint64 {
	var s struct {
		BlockNumber uint64 `json:"blockNumber"`
	}
	_ = json.Unmarshal(r.Body, &s)
	return s.BlockNumber
}

func as(t *testing.T, mspID, user string) *caller {
	t.Helper()
	url, key, err := system(t).APIKey(mspID, user)
	if err != nil {
		t.Fatal(err)
	}
	return &caller{t: t, base: url, key: key, org: mspID, user: user}
}

var httpClient = &http.Client{Timeout: 90 * time.Second}

// do sends one request. body is sent as is when a string, else as its JSON; headers are name, value
// pairs (a Content-Type among them replaces application/json).
func (c *caller) do(method, path string, body any, headers ...string) reply {
	c.t.Helper()
	api := &apiclient.Client{BaseURL: c.base, Key: c.key, HTTP: httpClient, AutoIdempotencyKey: true}
	r, err := api.Do(context.Background(), method, path, body, headers...)
	if err != nil {
		c.t.Fatal(err)
	}
	return reply{Status: r.Status, Header: r.Header, Body: r.Body}
}

// write sends a submission, fails unless it answers status, and waits until every organization's peer
// has committed its block, so that the next step may go through any gateway.
func (c *caller) write(status int, what, method, path string, body any) reply {
	c.t.Helper()
	begin := time.Now()
	r := c.do(method, path, body)
	took := time.Since(begin)
	if r.Status != status {
		c.t.Fatalf("%s (%s %s as %s/%s): %s, want %d", what, method, path, c.org, c.user, r, status)
	}
	waitBlock(c.t, r.block())
	if os.Getenv("E2E_TIMING") != "" {
		c.t.Logf("timing %s: answered in %v, settled in %v, attempts %v", what, took, time.Since(begin)-took, r.obj(c.t)["attempts"])
	}
	return r
}

// refused fails unless the reply is an error with the status and code and a message.
func refused(t *testing.T, r reply, status int, code, what string) apiError {
	t.Helper()
	e := r.err()
	if r.Status != status || e.Code != code || e.Message == "" {
		t.Fatalf("%s: %s, want %d %s with a message", what, r, status, code)
	}
	return e
}

// waitBlock waits until every organization's peer has committed block.
func waitBlock(t *testing.T, block uint64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := system(t).WaitForBlock(ctx, block); err != nil {
		t.Fatal(err)
	}
}

// ledgerHeight is the channel's height on the regulator's peer, read through qscc.
func ledgerHeight(t *testing.T) uint64 {
	t.Helper()
	heightOnce.Do(func() {
		gw, _, err := system(t).Dial(string(api.MSPRegulator), "auditor1", client.WithEvaluateTimeout(10*time.Second))
		if err != nil {
			heightErr = err
			return
		}
		heightRd = qscc.NewReader(gw, sys.Channel)
	})
	if heightErr != nil {
		t.Fatal(heightErr)
	}
	h, err := heightRd.Height()
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// writesNothing runs f, which must only be refused, and fails if the ledger grew meanwhile. Tests of
// this package run one at a time and `scripts/ipledger test` runs one package at a time, so no other
// client writes meanwhile.
func writesNothing(t *testing.T, what string, f func()) {
	t.Helper()
	before := ledgerHeight(t)
	f()
	// A refused submission is never sent for ordering; give a stray one time to show up all the same.
	time.Sleep(300 * time.Millisecond)
	if after := ledgerHeight(t); after != before {
		t.Fatalf("%s: the ledger grew from %d to %d blocks", what, before, after)
	}
}

var uniqMu sync.Mutex
var uniqN int

// uniq makes ids unique to one run, so the suite can run again on the same network.
func uniq(prefix string) string {
	uniqMu.Lock()
	defer uniqMu.Unlock()
	uniqN++
	return fmt.Sprintf("%s-%d-%d", prefix, time.Now().UnixNano()%1e12, uniqN)
}

// Payloads. Every right belongs to ownerID unless said otherwise.
const (
	ownerID   = "91420100MA4K0001"
	ownerName = "Wuhan Optics Co."
	buyerID   = "91420100MA4K0002"
)

var owner = map[string]any{"id": ownerID, "name": ownerName, "share": 10000}

func patent(id string) map[string]any {
	return map[string]any{"id": id, "kind": "patent-invention", "number": "ZL-" + id, "title": "E2E patent " + id,
		"owners": []any{owner}, "applicationDate": "2020-01-15", "grantDate": "2022-03-01", "expiryDate": "2040-01-15",
		"feesPaidThrough": "2030-01-15"}
}

func trademark(id, family string) map[string]any {
	return map[string]any{"id": id, "kind": "trademark", "number": "TM-" + id, "title": "E2E mark " + id,
		"owners": []any{owner}, "applicationDate": "2019-05-01", "grantDate": "2020-05-01", "expiryDate": "2035-05-01",
		"niceClass": 9, "markFamily": family}
}

func terms(amount string) map[string]any {
	return map[string]any{"amount": amount, "currency": "CNY", "interestRate": "3.85", "scope": "principal and interest"}
}

func application(assetIDs ...string) map[string]any {
	return map[string]any{"assetIds": assetIDs, "pledgors": []any{map[string]any{"id": ownerID, "name": ownerName}},
		"pledgeeName": "Bank One Wuhan", "debtKind": "loan", "debtTermStart": "2025-01-01", "debtTermEnd": "2027-12-31",
		"contractHash": strings.Repeat("ab", 32), "terms": terms("5000000.00")}
}

func tradeTransfer(assetID string) map[string]any {
	return map[string]any{"assetId": assetID, "kind": "assignment", "origin": "trade", "tradeRef": uniq("WHIPE"),
		"newOwners": []any{map[string]any{"id": buyerID, "name": "Jiangcheng Lasers Co.", "share": 10000}}}
}

// parallel runs the steps at once and waits for all of them.
func parallel(steps ...func()) {
	var wg sync.WaitGroup
	for _, s := range steps {
		wg.Add(1)
		go func() { defer wg.Done(); s() }()
	}
	wg.Wait()
}

func contains(xs []string, x string) bool {
	for _, s := range xs {
		if s == x {
			return true
		}
	}
	return false
}
