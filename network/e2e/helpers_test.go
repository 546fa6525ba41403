//go:build integration

// Package e2e is the end-to-end suite through the HTTP gateways of a real network: every
// refusal ground of the domain rules, the authorization matrix (itest.AuthzMatrix) and bad input,
// each organization acting through its own gateway with its own API keys. The whole life of a pledge
// is gateway/gatewaytest's TestGateway_PledgeAndTransferLifecycle. IPLEDGER_SYSTEM_FILE names the
// network's system.json.
package e2e

import (
	"context"
	"os"
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
// has committed its block and every gateway reads with it, so that the next step may go through any
// gateway.
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
	// The gateways read from their read models, a moment behind their peers.
	itest.AwaitGateways(t, block)
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
