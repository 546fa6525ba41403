//go:build integration

package fabric_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/gateway/fabric"
	"github.com/ipledger/ipledger/gateway/fabric/qscc"
	"github.com/ipledger/ipledger/network/itest"
)

// Each text of fabric.PeerTexts is provoked here from the real peer of the network under test (the
// chaincode server's absence is provoked by network/faulttest), so that a Fabric upgrade that rewords
// one fails a test instead of silently changing what the gateway answers.

func dial(t *testing.T, msp api.MSPID, user string) *client.Gateway {
	t.Helper()
	gw, conn, err := itest.System(t).Dial(string(msp), user)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { gw.Close(); conn.Close() })
	return gw
}

func TestPeerText_CollectFailed(t *testing.T) {
	sys := itest.System(t)
	gw := dial(t, api.MSPBank1, "officer1")
	// A bank may not register an IP right: every named organization's chaincode refuses alike.
	proposal, err := gw.GetNetwork(sys.Channel).GetContract(sys.Chaincode.Name).NewProposal(api.RegisterAsset.Name,
		client.WithArguments("peertext-collect", `{}`),
		client.WithEndorsingOrganizations(string(api.MSPIPOffice), string(api.MSPBank1)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = proposal.EndorseWithContext(ctx)
	var endorse *client.EndorseError
	if !errors.As(err, &endorse) {
		t.Fatalf("want an EndorseError, got %v", err)
	}
	if !fabric.CollectFailed.In(endorse.GRPCStatus().Message()) {
		t.Fatalf("the peer's message %q no longer matches %s", endorse.GRPCStatus().Message(), fabric.CollectFailed.Pattern)
	}
}

func TestPeerText_NoSuchTransaction(t *testing.T) {
	sys := itest.System(t)
	_, err := qscc.NewReader(dial(t, api.MSPRegulator, "auditor1"), sys.Channel).Transaction("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
	if err == nil {
		t.Fatal("qscc found a transaction that was never submitted")
	}
	if !fabric.NoSuchTransaction.In(err.Error()) {
		t.Fatalf("the peer's message %q no longer matches %s", err, fabric.NoSuchTransaction.Pattern)
	}
}
