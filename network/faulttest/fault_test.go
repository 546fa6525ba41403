//go:build integration

// Package faulttest injects faults into the real test network under a bounded load through the HTTP
// gateways, then checks every acknowledged (2xx) submission on the ledger: none missing, none twice.
// scripts/ipledger test runs it last, after the other integration packages: it kills and restarts
// processes of the test network.
package faulttest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/network/itest"
)

// loadWindow is how long each fault's load runs (IPLEDGER_FAULT_LOAD, default 20s).
func loadWindow() time.Duration {
	if d, err := time.ParseDuration(os.Getenv("IPLEDGER_FAULT_LOAD")); err == nil && d > 0 {
		return d
	}
	return 20 * time.Second
}

// underLoad runs the load while fault runs, then checks every acknowledged submission.
func underLoad(t *testing.T, fault func(elapsed func() time.Duration)) *loadResult {
	t.Helper()
	sys := itest.System(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	stop := make(chan struct{})
	done := make(chan *loadResult)
	start := time.Now()
	go func() { done <- runLoad(ctx, t, sys, 6, stop) }()
	fault(func() time.Duration { return time.Since(start) })
	if rest := loadWindow() - time.Since(start); rest > 0 {
		time.Sleep(rest)
	}
	close(stop)
	res := <-done
	t.Logf("load of %.0fs: %s", time.Since(start).Seconds(), res.summary())
	if len(res.acked.assets) == 0 {
		t.Fatal("nothing was acknowledged under load")
	}
	checkAcked(ctx, t, sys, res.acked)
	return res
}

func sleepUntil(elapsed func() time.Duration, at time.Duration) {
	if d := at - elapsed(); d > 0 {
		time.Sleep(d)
	}
}

func TestFault_RaftLeaderKilledAndRestarted(t *testing.T) {
	var leader string
	underLoad(t, func(elapsed func() time.Duration) {
		sleepUntil(elapsed, 4*time.Second)
		leader = ipledger(t, "leader")
		ipledger(t, "kill", leader)
		t.Logf("%4.1fs killed the Raft leader %s", elapsed().Seconds(), leader)
		if err := waitFor(20*time.Second, func() error {
			next, err := leaderNow(t)
			if err != nil {
				return err
			}
			if next == leader {
				return fmt.Errorf("%s still reported as leader", leader)
			}
			t.Logf("%4.1fs %s leads now", elapsed().Seconds(), next)
			return nil
		}); err != nil {
			t.Error(err)
		}
		sleepUntil(elapsed, 12*time.Second)
		ipledger(t, "up")
		t.Logf("%4.1fs restarted %s", elapsed().Seconds(), leader)
	})
	// The restarted orderer catches up with the others.
	if err := waitFor(30*time.Second, func() error {
		h := heights(t)
		if h[leader] == 0 || h[leader] < h["orderer1"] || h[leader] < h["orderer2"] || h[leader] < h["orderer3"] {
			return fmt.Errorf("heights %v", h)
		}
		t.Logf("%s caught up: heights %v", leader, h)
		return nil
	}); err != nil {
		t.Errorf("%s did not catch up: %v", leader, err)
	}
}

func TestFault_GatewayKilledWhileClientsRetry(t *testing.T) {
	res := underLoad(t, func(elapsed func() time.Duration) {
		sleepUntil(elapsed, 4*time.Second)
		ipledger(t, "kill", "gateway.ipoffice")
		t.Logf("%4.1fs killed gateway.ipoffice; its clients retry with their Idempotency-Keys", elapsed().Seconds())
		sleepUntil(elapsed, 8*time.Second)
		ipledger(t, "up")
		t.Logf("%4.1fs restarted gateway.ipoffice", elapsed().Seconds())
	})
	if res.errors.Load() == 0 {
		t.Errorf("no request failed while the gateway was down: the fault did not happen (%s)", res.summary())
	}
}

// The IP office's chaincode server is killed: its peer dials only its own organization's chaincode
// server, and every submission needs the IP office's endorsement, so submissions fail with a 503 that
// says why. Reads may go on: the peer gateway evaluates on another organization's peer when its own
// fails, and that peer has its own chaincode server.
func TestFault_ChaincodeServerKilled(t *testing.T) {
	sys := itest.System(t)
	ipoffice, err := sys.Org(string(api.MSPIPOffice))
	if err != nil || ipoffice.ChaincodeServer == nil {
		t.Fatalf("the IP office's chaincode server is not in the description: %v", err)
	}
	server := ipoffice.ChaincodeServer.Component
	c := newClient(t, sys, string(api.MSPIPOffice), "examiner1")
	// register submits one new right, once, without retrying.
	register := func() response {
		id := fmt.Sprintf("CN-CCKILL-%d", time.Now().UnixNano())
		a := api.AssetInput{ID: id, Kind: api.KindPatentInvention, Number: "ZL" + id, Title: "Chaincode server fault patent",
			Owners:          []api.Owner{{ID: "91420100MA4K0001", Name: "Wuhan Optics Co.", Share: 10000}},
			ApplicationDate: "2020-01-15", GrantDate: "2022-03-01", ExpiryDate: "2040-01-15", FeesPaidThrough: "2035-01-15"}
		return c.do(context.Background(), http.MethodPost, "/v1/assets", "cckill-"+id, a)
	}
	var during, readyDuring response
	var recovered time.Duration
	res := underLoad(t, func(elapsed func() time.Duration) {
		sleepUntil(elapsed, 4*time.Second)
		ipledger(t, "kill", server)
		t.Logf("%4.1fs killed %s, the IP office's chaincode server (kill returns once it is gone)", elapsed().Seconds(), server)
		during = register()
		t.Logf("while it is down, POST /v1/assets answers: %s", during)
		read := c.do(context.Background(), http.MethodGet, "/v1/assets/no-such-right", "", nil)
		t.Logf("while it is down, GET /v1/assets answers (evaluated on another organization's peer): %s", read)
		readyDuring = c.do(context.Background(), http.MethodGet, "/readyz", "", nil)
		t.Logf("while it is down, the IP office's /readyz answers: %s", readyDuring)
		sleepUntil(elapsed, 10*time.Second)
		ipledger(t, "up")
		t.Logf("%4.1fs restarted %s", elapsed().Seconds(), server)
		if err := waitFor(30*time.Second, func() error {
			if r := register(); r.status != http.StatusCreated && r.status != http.StatusOK {
				return fmt.Errorf("POST /v1/assets: %s", r)
			}
			return nil
		}); err != nil {
			t.Errorf("no submission commits after %s restarted: %v", server, err)
		}
		recovered = elapsed()
	})
	if during.status != http.StatusServiceUnavailable || !strings.Contains(strings.ToLower(string(during.body)), "chaincode") {
		t.Errorf("with %s down, want a 503 that says so; got %s", server, during)
	}
	// Readiness asks the organization's own peer, hence its own chaincode server: not ready.
	if readyDuring.status != http.StatusServiceUnavailable {
		t.Errorf("with %s down, the IP office's /readyz answers %s; want 503", server, readyDuring)
	}
	t.Logf("a submission committed again %.1fs into the load; %s", recovered.Seconds(), res.summary())
}

func TestFault_Bank2PeerStopped(t *testing.T) {
	sys := itest.System(t)
	bank2 := newClient(t, sys, string(api.MSPBank2), "officer1")
	var ready, call response
	underLoad(t, func(elapsed func() time.Duration) {
		sleepUntil(elapsed, 3*time.Second)
		ipledger(t, "stop", "peer0.bank2")
		t.Logf("%4.1fs stopped peer0.bank2; the IP office and Bank1 go on", elapsed().Seconds())
		time.Sleep(2 * time.Second)
		ready = bank2.do(context.Background(), http.MethodGet, "/readyz", "", nil)
		call = bank2.do(context.Background(), http.MethodGet, "/v1/pledges?pledgee=Bank2MSP", "", nil)
		t.Logf("Bank2's gateway: /readyz %s; GET /v1/pledges %s", ready, call)
		sleepUntil(elapsed, 14*time.Second)
		ipledger(t, "up")
		t.Logf("%4.1fs restarted peer0.bank2", elapsed().Seconds())
	})
	if ready.status != http.StatusServiceUnavailable || call.status != http.StatusServiceUnavailable {
		t.Errorf("Bank2's gateway with its peer down: /readyz %s, call %s; want 503 from both", ready, call)
	}
	var body struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if json.Unmarshal(call.body, &body) != nil || body.Error.Message == "" {
		t.Errorf("Bank2's gateway does not say why it cannot serve: %s", call)
	}
	if err := waitFor(30*time.Second, func() error {
		if r := bank2.do(context.Background(), http.MethodGet, "/readyz", "", nil); r.status != http.StatusOK {
			return fmt.Errorf("readyz %s", r)
		}
		return nil
	}); err != nil {
		t.Errorf("Bank2's gateway is not ready after its peer restarted: %v", err)
	}
}

func leaderNow(t *testing.T) (string, error) {
	t.Helper()
	out, err := execIpledger("leader")
	return strings.TrimSpace(out), err
}

func heights(t *testing.T) map[string]uint64 {
	t.Helper()
	var h map[string]uint64
	if err := json.Unmarshal([]byte(ipledger(t, "heights")), &h); err != nil {
		t.Fatal(err)
	}
	return h
}
