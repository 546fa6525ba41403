//go:build integration

// Package e2e is the end-to-end suite through the HTTP gateways of a real network: every
// refusal ground of the domain rules, the authorization matrix (itest.AuthzMatrix) and bad input,
// each organization acting through its own gateway with its own API keys. The whole life of a pledge
// is gateway/gatewaytest's TestGateway_PledgeAndTransferLifecycle. IPLEDGER_SYSTEM_FILE names the
// network's system.json.
package e2e

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ipledger/ipledger/network/itest"
)

// caller calls one organization's gateway as one of its users.
type caller struct{ itest.Caller }

type reply = itest.Reply

func as(t *testing.T, mspID, user string) *caller { return &caller{*itest.As(t, mspID, user)} }

// write sends a submission, fails unless it answers status, and waits until every organization's peer
// has committed its block, so that the next step may go through any gateway.
func (c *caller) write(status int, what, method, path string, body any) reply {
	c.T.Helper()
	begin := time.Now()
	r := c.Do(method, path, body)
	took := time.Since(begin)
	if r.Status != status {
		c.T.Fatalf("%s (%s %s as %s/%s): %s, want %d", what, method, path, c.Org, c.User, r, status)
	}
	waitBlock(c.T, r.Block())
	if os.Getenv("E2E_TIMING") != "" {
		c.T.Logf("timing %s: answered in %v, settled in %v, attempts %v", what, took, time.Since(begin)-took, r.Obj(c.T)["attempts"])
	}
	return r
}

// refused fails unless the reply is an error with the status and code and a message.
func refused(t *testing.T, r reply, status int, code, what string) itest.APIError {
	t.Helper()
	e := r.Err()
	if r.Status != status || e.Code != code || e.Message == "" {
		t.Fatalf("%s: %s, want %d %s with a message", what, r, status, code)
	}
	return e
}

// waitBlock waits until every organization's peer has committed block.
func waitBlock(t testing.TB, block uint64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := itest.System(t).WaitForBlock(ctx, block); err != nil {
		t.Fatal(err)
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
