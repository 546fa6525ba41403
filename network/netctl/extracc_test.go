package netctl

import (
	"strings"
	"testing"
	"time"

	"github.com/hyperledger/fabric-config/configtx"
)

func TestSparePortIsPastEveryPortOfTheTopology(t *testing.T) {
	top, err := LoadTopology("../topology.yaml", 36000)
	if err != nil {
		t.Fatal(err)
	}
	used := map[int]bool{}
	for _, o := range top.Organizations {
		used[o.CA.Port], used[o.CA.OpsPort] = true, true
		if o.Peer != nil {
			used[o.Peer.CCServerAltPort], used[o.Peer.OpsPort] = true, true
		}
		if o.Gateway != nil {
			used[o.Gateway.OpsPort] = true
			if o.Gateway.ReadModel != nil {
				used[o.Gateway.ReadModel.Port] = true // the regulator's PostgreSQL, 36069
			}
		}
	}
	for k := range 10 {
		if p := top.SparePort(k); used[p] || p <= 36128 {
			t.Errorf("spare port %d is %d: taken or not past the topology's highest (36128, the fund's gateway's operations)", k, p)
		}
	}
	if top.SparePort(0) != 36129 || top.SparePort(5) != 36134 {
		t.Errorf("spare ports %d, %d; want 36129, 36134", top.SparePort(0), top.SparePort(5))
	}
}

func TestBatchTimeoutUpdateNeedsTheOrdererAdmin(t *testing.T) {
	tc := newTestChannel(t)
	upd, err := ProposeBatchTimeout(tc.cfg, "ipledger", 25*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	// The peer organizations' admins, even all of them, do not change the orderer section.
	_, err = CheckUpdate(tc.cfg, "ipledger", upd, tc.sign(t, upd, testPeerOrgs...))
	wantErr(t, err, "/Channel/Orderer/Admins")
	check, err := CheckUpdate(tc.cfg, "ipledger", upd, tc.sign(t, upd, "OrdererMSP"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(check.Policies, " ") != "/Channel/Orderer/Admins" {
		t.Fatalf("policies %v", check.Policies)
	}
	after := tc.apply(t, func(c *configtx.ConfigTx) {
		if err := c.Orderer().SetBatchTimeout(25 * time.Millisecond); err != nil {
			t.Fatal(err)
		}
	})
	if d, err := BatchTimeout(after); err != nil || d != 25*time.Millisecond {
		t.Fatalf("BatchTimeout after the update: %v, %v", d, err)
	}
	if _, err := ProposeBatchTimeout(tc.cfg, "ipledger", 100*time.Millisecond); err == nil {
		t.Fatal("an update to the value the channel has was proposed")
	}
	if _, err := ProposeBatchTimeout(tc.cfg, "ipledger", 0); err == nil || !strings.Contains(err.Error(), "from 1ms to 1m") {
		t.Fatalf("a BatchTimeout of 0: %v", err)
	}
}
