//go:build integration

// Package networktest checks the real network that `scripts/ipledger test` starts on its own ports
// and directory: every process healthy, cross-organization endorsement as the policy says, a refused
// endorsement that breaks the policy, and a ledger that survives down and up. IPLEDGER_SYSTEM_FILE
// names the network's system.json.
package networktest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ipledger/ipledger/chaincode/api"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/ipledger/ipledger/gateway/fabric/qscc"
	"github.com/ipledger/ipledger/network/itest"
	"github.com/ipledger/ipledger/network/netctl"
)

func dial(t *testing.T, sys *netctl.System, mspID, user string) *client.Gateway {
	t.Helper()
	gw, conn, err := sys.Dial(mspID, user, client.WithCommitStatusTimeout(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { gw.Close(); conn.Close() })
	return gw
}

// newAsset is a valid IP right payload with a fresh id.
func newAsset(t *testing.T) (string, string) {
	t.Helper()
	id := fmt.Sprintf("CN-NET-%d", time.Now().UnixNano())
	in := api.AssetInput{
		ID: id, Kind: "patent-invention", Number: id, Title: "Network test patent",
		Owners:          []api.Owner{{ID: "91420100MA4K0001", Name: "Wuhan Optics Co.", Share: 10000}},
		ApplicationDate: "2020-01-15", GrantDate: "2022-03-01", ExpiryDate: "2040-01-15",
		FeesPaidThrough: "2030-01-15", LegalStatus: "valid",
	}
	raw, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	return id, string(raw)
}

func TestNetwork_EveryProcessHealthy(t *testing.T) {
	sys := itest.System(t)
	pool := x509.NewCertPool()
	for _, o := range sys.Organizations {
		pem, err := os.ReadFile(o.CACert)
		if err != nil {
			t.Fatal(err)
		}
		pool.AppendCertsFromPEM(pem)
	}
	hc := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	kinds := map[string]int{}
	for _, p := range sys.Processes {
		kinds[p.Kind]++
		if p.Health == "" {
			// The chaincode server has no operations endpoint: it must accept connections.
			conn, err := net.DialTimeout("tcp", sys.Chaincode.Server, 2*time.Second)
			if err != nil {
				t.Errorf("%s: %v", p.Name, err)
				continue
			}
			conn.Close()
			t.Logf("%-16s accepting connections at %s", p.Name, sys.Chaincode.Server)
			continue
		}
		resp, err := hc.Get(p.Health)
		if err != nil {
			t.Errorf("%s: %v", p.Name, err)
			continue
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %s answered %s", p.Name, p.Health, resp.Status)
			continue
		}
		t.Logf("%-16s healthy at %s", p.Name, p.Health)
	}
	want := map[string]int{"ca": 6, "orderer": 3, "peer": 5, "chaincode": 1}
	for k, n := range want {
		if kinds[k] != n {
			t.Errorf("%d processes of kind %s, want %d", kinds[k], k, n)
		}
	}
}

func TestNetwork_CrossOrgTransactionEndorsedAsPolicyNames(t *testing.T) {
	sys := itest.System(t)
	gw := dial(t, sys, "IPOfficeMSP", "examiner1")
	id, payload := newAsset(t)
	contract := gw.GetNetwork(sys.Channel).GetContract(sys.Chaincode.Name)
	_, commit, err := contract.SubmitAsync(api.RegisterAsset.Name, client.WithArguments("net-"+id, payload))
	if err != nil {
		t.Fatalf("RegisterAsset: %v", err)
	}
	status, err := commit.Status()
	if err != nil || !status.Successful {
		t.Fatalf("RegisterAsset did not commit: %v %+v", err, status)
	}
	// Read the transaction back from another organization's peer, once it has the block: the ledger,
	// not the submitter, says who endorsed it.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := sys.WaitForBlock(ctx, status.BlockNumber); err != nil {
		t.Fatal(err)
	}
	tx, err := qscc.NewReader(dial(t, sys, "RegulatorMSP", "auditor1"), sys.Channel).Transaction(commit.TransactionID())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("tx %s in block %d: %s, endorsed by %v", tx.TxID, tx.BlockNumber, tx.ValidationCode, tx.EndorsingOrgs)
	if !tx.Valid || tx.BlockNumber != status.BlockNumber {
		t.Errorf("ledger says %s in block %d; commit status said block %d", tx.ValidationCode, tx.BlockNumber, status.BlockNumber)
	}
	// The policy: AND('IPOfficeMSP.peer', OR(any other member's peer)).
	if !slices.Contains(tx.EndorsingOrgs, "IPOfficeMSP") || len(tx.EndorsingOrgs) < 2 {
		t.Errorf("endorsed by %v; the policy needs IPOfficeMSP and one more organization", tx.EndorsingOrgs)
	}
	got, err := contract.EvaluateTransaction(api.GetAsset.Name, id)
	if err != nil || !strings.Contains(string(got), id) {
		t.Errorf("GetAsset(%s) = %s, %v", id, got, err)
	}
}

func TestNetwork_EndorsementViolatingPolicyIsRejected(t *testing.T) {
	sys := itest.System(t)
	gw := dial(t, sys, "IPOfficeMSP", "examiner1")
	contract := gw.GetNetwork(sys.Channel).GetContract(sys.Chaincode.Name)
	id, payload := newAsset(t)
	// Only the IP office endorses: the chaincode runs and would allow it, but the policy wants a second
	// organization, so the peers must mark the transaction invalid and write nothing.
	_, commit, err := contract.SubmitAsync(api.RegisterAsset.Name, client.WithArguments("net-"+id, payload),
		client.WithEndorsingOrganizations("IPOfficeMSP"))
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	status, err := commit.Status()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("tx %s committed in block %d with %s", status.TransactionID, status.BlockNumber, status.Code)
	if status.Successful || status.Code.String() != "ENDORSEMENT_POLICY_FAILURE" {
		t.Fatalf("a single-organization endorsement committed as %s, want ENDORSEMENT_POLICY_FAILURE", status.Code)
	}
	if got, err := contract.EvaluateTransaction(api.GetAsset.Name, id); err == nil {
		t.Errorf("the refused transaction wrote the asset: %s", got)
	}
	// The ledger keeps the invalid transaction, marked as such: qscc reads its code from the block.
	tx, err := qscc.NewReader(gw, sys.Channel).Transaction(status.TransactionID)
	if err != nil {
		t.Fatal(err)
	}
	if tx.Valid || tx.ValidationCode != "ENDORSEMENT_POLICY_FAILURE" || tx.BlockNumber != status.BlockNumber {
		t.Errorf("ledger records %+v", tx)
	}
}

// TestNetwork_DownUpKeepsLedger runs last: it restarts the whole test network.
func TestNetwork_DownUpKeepsLedger(t *testing.T) {
	sys := itest.System(t)
	id, payload := newAsset(t)
	{
		gw := dial(t, sys, "IPOfficeMSP", "examiner1")
		_, commit, err := gw.GetNetwork(sys.Channel).GetContract(sys.Chaincode.Name).SubmitAsync(api.RegisterAsset.Name, client.WithArguments("net-"+id, payload))
		if err != nil {
			t.Fatal(err)
		}
		status, err := commit.Status()
		if err != nil || !status.Successful {
			t.Fatalf("RegisterAsset: %v %+v", err, status)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := sys.WaitForBlock(ctx, status.BlockNumber); err != nil {
			t.Fatal(err)
		}
	}
	before, err := qscc.NewReader(dial(t, sys, "Bank1MSP", "officer1"), sys.Channel).Height()
	if err != nil {
		t.Fatal(err)
	}
	script := filepath.Join("..", "..", "scripts", "ipledger")
	run := func(args ...string) {
		t.Helper()
		start := time.Now()
		out, err := exec.Command(script, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("ipledger %v: %v\n%s", args, err, out)
		}
		t.Logf("ipledger %s took %.1fs", strings.Join(args, " "), time.Since(start).Seconds())
	}
	run("down")
	for _, p := range sys.Processes {
		if raw, err := os.ReadFile(p.PidFile); err == nil {
			t.Errorf("%s still has a pid file after down: %s", p.Name, raw)
		}
	}
	conn, err := net.DialTimeout("tcp", sys.Organizations[1].Peer, time.Second)
	if err == nil {
		conn.Close()
		t.Errorf("a peer still accepts connections after down")
	}
	run("up")
	gw := dial(t, sys, "Bank1MSP", "officer1")
	after, err := qscc.NewReader(gw, sys.Channel).Height()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("ledger height %d before down, %d after up", before, after)
	if after < before {
		t.Errorf("ledger height fell from %d to %d", before, after)
	}
	got, err := gw.GetNetwork(sys.Channel).GetContract(sys.Chaincode.Name).EvaluateTransaction(api.GetAsset.Name, id)
	if err != nil || !strings.Contains(string(got), id) {
		t.Errorf("the asset registered before down is gone: %s, %v", got, err)
	}
	// A second up changes nothing.
	out, err := exec.Command(script, "up").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "already running") {
		t.Errorf("up on a running network: %v\n%s", err, out)
	}
}
