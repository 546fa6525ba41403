//go:build integration

// Package e2e is the end-to-end suite through the HTTP gateways of a real network: every
// refusal ground of the domain rules, the authorization matrix (itest.AuthzMatrix) and bad input,
// each organization acting through its own gateway with its own API keys. The whole life of a pledge
// is gateway/gatewaytest's TestGateway_PledgeAndTransferLifecycle. IPLEDGER_SYSTEM_FILE names the
// network's system.json.
package e2e

import (
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

// write is itest's Caller.Write (the submission answered with status, its block read by every
// gateway), timed when E2E_TIMING is set.
func (c *caller) write(status int, what, method, path string, body any) reply {
	c.T.Helper()
	begin := time.Now()
	r := c.Write(status, what, method, path, body)
	if os.Getenv("E2E_TIMING") != "" {
		c.T.Logf("timing %s: answered and settled in %v, attempts %v", what, time.Since(begin), r.Obj(c.T)["attempts"])
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

// parallel runs the steps at once and waits for all of them.
func parallel(steps ...func()) {
	var wg sync.WaitGroup
	for _, s := range steps {
		wg.Add(1)
		go func() { defer wg.Done(); s() }()
	}
	wg.Wait()
}
