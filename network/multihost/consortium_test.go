//go:build integration

package multihost

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/network/itest"
)

// TestConsortiumAcrossHosts puts every organization on a host of its own (a network namespace, with
// its own data directory), bootstraps the consortium by the runbook's steps (only public files
// travel between the hosts' directories, with their sha256), and then on it: the pledge life across
// the hosts' gateways, 30 ms of delay on every link, Bank2's host cut off and healed, the Raft
// leader's host cut off and healed, and every acknowledged submission on every peer exactly once.
func TestConsortiumAcrossHosts(t *testing.T) {
	c := bootstrap(t)
	checkKeysStayHome(t, c)

	// The pledge life, each step at its own organization's gateway.
	c.pledgeLife(t)

	c.latency(t)

	c.cutBank2(t)
	c.cutRaftLeader(t)
	c.checkExactlyOnce(t)
}

// pledgeLife runs a right's registration, a pledge application, its registration, a transfer with the
// pledgee's consent and the release, each at the gateway of the organization that acts.
func (c *consortium) pledgeLife(t *testing.T) {
	asset := c.newRight(t)
	pledge := c.submit(t, "bank1", 201, "POST", "/v1/pledges", itest.Application(asset), "pledge", "")
	c.settle(t, pledge, "ipoffice")
	reg := c.submit(t, "ipoffice", 200, "POST", "/v1/pledges/"+pledge.id+"/register", map[string]any{"registrationNumber": "Y-" + pledge.id}, "pledge", pledge.id)
	c.settle(t, reg, "exchange")
	tr := c.submit(t, "exchange", 201, "POST", "/v1/transfers", itest.TradeTransfer(asset), "transfer", "")
	c.settle(t, tr, "bank1")
	consent := c.submit(t, "bank1", 200, "POST", "/v1/transfers/"+tr.id+"/consent", map[string]any{"pledgeId": pledge.id, "proceedsUse": "escrow"}, "transfer", tr.id)
	c.settle(t, consent, "ipoffice")
	rec := c.submit(t, "ipoffice", 200, "POST", "/v1/transfers/"+tr.id+"/record", nil, "transfer", tr.id)
	c.settle(t, rec, "bank1")
	rel := c.submit(t, "bank1", 200, "POST", "/v1/pledges/"+pledge.id+"/release", map[string]any{"reason": "repaid"}, "pledge", pledge.id)
	c.settle(t, rel, "regulator")
	r := c.as(t, "regulator").Do("GET", "/v1/pledges/"+pledge.id, nil)
	if r.Status != 200 || !strings.Contains(string(r.Body), `"released"`) {
		t.Fatalf("the regulator's gateway shows the pledge as %s, want released", r)
	}
	t.Logf("pledge life across five hosts: right %s, pledge %s registered, transfer %s recorded with consent, pledge released", asset, pledge.id, tr.id)
}

// latency measures the registration latency without and with 30 ms on every link, in this one run
// (netns.Lab.Delay: netem, or a switch in user space where the kernel has no netem).
func (c *consortium) latency(t *testing.T) {
	loopback := loopbackP50(t, 8)
	p50 := c.registrationP50(t, 8)
	t.Logf("FIGURE registration p50 on loopback (the test command's one-machine network): %v; across hosts, no added delay: %v",
		loopback.Round(time.Millisecond), p50.Round(time.Millisecond))
	t.Run("30ms", func(t *testing.T) {
		if err := c.lab.Delay(30 * time.Millisecond); err != nil {
			t.Fatal(err)
		}
		p50Delay := c.registrationP50(t, 8)
		if err := c.lab.Delay(0); err != nil {
			t.Fatal(err)
		}
		t.Logf("FIGURE registration p50 with 30 ms on every link: %v (%.1f times the p50 without)",
			p50Delay.Round(time.Millisecond), float64(p50Delay)/float64(p50))
		if p50Delay < p50+30*time.Millisecond {
			t.Errorf("with 30 ms on every link the registration took %v, not even 30 ms more than %v: was the delay applied?", p50Delay, p50)
		}
	})
}

// registrationP50 is the median time of a pledge registration at the IP office's gateway, over n
// registrations, each of its own application.
func (c *consortium) registrationP50(t *testing.T, n int) time.Duration {
	var took []time.Duration
	for range n {
		asset := c.newRight(t)
		p := c.submit(t, "bank1", 201, "POST", "/v1/pledges", itest.Application(asset), "pledge", "")
		c.settle(t, p, "ipoffice")
		begin := time.Now()
		c.submit(t, "ipoffice", 200, "POST", "/v1/pledges/"+p.id+"/register", map[string]any{"registrationNumber": "Y-" + p.id}, "pledge", p.id)
		took = append(took, time.Since(begin))
	}
	slices.Sort(took)
	return took[len(took)/2]
}

// loopbackP50 is the same measurement on the test command's one-machine network (every organization on
// 127.0.0.1), which runs beside the consortium: the loopback figure the others are compared with.
func loopbackP50(t *testing.T, n int) time.Duration {
	ipo, bank1 := itest.As(t, "IPOfficeMSP", "examiner1"), itest.As(t, "Bank1MSP", "officer1")
	settled := func(r itest.Reply, status int, what string) itest.Reply {
		t.Helper()
		if r.Status != status {
			t.Fatalf("%s on loopback: %s, want %d", what, r, status)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := itest.System(t).WaitForBlock(ctx, r.Block()); err != nil {
			t.Fatal(err)
		}
		return r
	}
	var took []time.Duration
	for range n {
		asset := settled(ipo.Do("POST", "/v1/assets", itest.Patent(itest.Uniq("LB"))), 201, "right").Str(t, "id")
		p := settled(bank1.Do("POST", "/v1/pledges", itest.Application(asset)), 201, "application").Str(t, "id")
		begin := time.Now()
		r := ipo.Do("POST", "/v1/pledges/"+p+"/register", map[string]any{"registrationNumber": "Y-" + p})
		took = append(took, time.Since(begin))
		settled(r, 200, "registration")
	}
	slices.Sort(took)
	return took[len(took)/2]
}

// cutBank2 cuts Bank2's host off: its gateway refuses a submission with 503 and the reason while the
// others go on; once healed, Bank2 catches up and its submissions from before the cut are there.
func (c *consortium) cutBank2(t *testing.T) {
	var before []ack
	for range 3 {
		asset := c.newRight(t)
		c.settle(t, c.acks[len(c.acks)-1], "bank2")
		app := itest.Application(asset)
		app["pledgeeName"] = "Bank Two Hubei"
		before = append(before, c.submit(t, "bank2", 201, "POST", "/v1/pledges", app, "pledge", ""))
	}
	asset := c.newRight(t)
	c.settle(t, c.acks[len(c.acks)-1], "bank2")
	if err := c.lab.Cut("bank2"); err != nil {
		t.Fatal(err)
	}
	cutAt := time.Now()
	app := itest.Application(asset)
	app["pledgeeName"] = "Bank Two Hubei"
	r := c.as(t, "bank2").Do("POST", "/v1/pledges", app)
	if r.Status != http.StatusServiceUnavailable || r.Err().Message == "" {
		t.Fatalf("Bank2's gateway, cut off from the others: %s, want 503 with the reason", r)
	}
	t.Logf("Bank2 cut off: its gateway answered %d %s: %s (after %v)", r.Status, r.Err().Code, r.Err().Message, time.Since(cutAt).Round(time.Millisecond))
	var during []ack
	for range 3 {
		a := c.newRight(t)
		p := c.submit(t, "bank1", 201, "POST", "/v1/pledges", itest.Application(a), "pledge", "")
		during = append(during, p)
	}
	if err := c.lab.Heal("bank2"); err != nil {
		t.Fatal(err)
	}
	healed := time.Now()
	c.settle(t, during[len(during)-1], "bank2")
	t.Logf("FIGURE Bank2 caught up %v after its host was healed (%d transactions committed while it was cut off)",
		time.Since(healed).Round(time.Millisecond), len(during)+1)
	for _, a := range before {
		if r := c.as(t, "bank2").Do("GET", "/v1/pledges/"+a.id, nil); r.Status != 200 {
			t.Errorf("Bank2's pledge %s acknowledged before the cut: %s", a.id, r)
		}
	}
}

// cutRaftLeader cuts the host of the Raft leader off: the others elect a leader and submissions go on
// (a submission may be refused with 503 during the election, and is retried with the same
// idempotency key); once healed, the old leader's orderer catches up.
func (c *consortium) cutRaftLeader(t *testing.T) {
	out, err := c.netctl(t, "orderer1", "leader")
	if err != nil {
		t.Fatal(err)
	}
	leader := strings.TrimSpace(out)
	if !strings.HasPrefix(leader, "orderer") {
		t.Fatalf("netctl leader: %q", out)
	}
	if err := c.lab.Cut(leader); err != nil {
		t.Fatal(err)
	}
	var during []ack
	for range 3 {
		during = append(during, c.newRightAck(t))
	}
	if err := c.lab.Heal(leader); err != nil {
		t.Fatal(err)
	}
	healed := time.Now()
	last := during[len(during)-1]
	// The old leader's orderer has caught up when its height reaches the block of the last
	// submission during the cut.
	err = retry(200, 100*time.Millisecond, func() error {
		out, err := c.netctl(t, leader, "heights")
		if err != nil {
			return err
		}
		var heights map[string]uint64
		if err := json.Unmarshal([]byte(out), &heights); err != nil {
			return fmt.Errorf("heights: %w: %s", err, out)
		}
		h := heights[leader]
		if h <= last.block {
			return fmt.Errorf("%s at height %d, block %d not yet", leader, h, last.block)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("FIGURE Raft leader %s cut off: %d submissions acknowledged by the others meanwhile; it caught up %v after healing",
		leader, len(during), time.Since(healed).Round(time.Millisecond))
}

// checkExactlyOnce checks every acknowledged submission on every peer organization's ledger, through
// that organization's own gateway (which evaluates on its own peer): each record the test wrote has
// in its history exactly one version by each acknowledged request (written by one of the transactions
// its answers named), and no version by a transaction no answer named (a submission applied twice
// would leave one).
func (c *consortium) checkExactlyOnce(t *testing.T) {
	told := map[string]bool{}
	var records []string // "kinds/id", in the order first written
	byRecord := map[string][]ack{}
	for _, a := range c.acks {
		for _, tx := range a.told {
			told[tx] = true
		}
		rec := a.kind + "s/" + a.id
		if byRecord[rec] == nil {
			records = append(records, rec)
		}
		byRecord[rec] = append(byRecord[rec], a)
	}
	checked := 0
	for _, org := range peerOrgs {
		c.settle(t, c.acks[len(c.acks)-1], org)
		for _, rec := range records {
			r := c.as(t, org).Do("GET", "/v1/"+rec+"/history", nil)
			var h api.History
			if r.Status != 200 || json.Unmarshal(r.Body, &h) != nil {
				t.Errorf("%s's history of %s: %s", org, rec, r)
				continue
			}
			for _, item := range h.Items {
				if !told[item.TxID] {
					t.Errorf("%s's ledger has %s written by %s, which no answer named", org, rec, item.TxID)
				}
			}
			for _, a := range byRecord[rec] {
				if n := len(slices.DeleteFunc(slices.Clone(h.Items), func(i api.HistoryItem) bool { return !slices.Contains(a.told, i.TxID) })); n != 1 {
					t.Errorf("%s's ledger has %s written %d times by the transactions %v of one request, want once", org, rec, n, a.told)
				}
				checked++
			}
		}
	}
	t.Logf("FIGURE %d acknowledged submissions checked on %d peers: %d checks, each applied once, and no version of their records by a transaction no answer named",
		len(c.acks), len(peerOrgs), checked)
}
