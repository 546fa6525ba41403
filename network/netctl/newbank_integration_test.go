//go:build integration

package netctl_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ipledger/ipledger/network/itest"
	"github.com/ipledger/ipledger/network/netctl"
)

// bank3Org is a bank that the code names nowhere, added to the repository's topology.
const bank3Org = `
  - name: bank3
    mspId: Bank3MSP
    kind: bank
    host: 127.0.0.1
    ca: {port: 70, opsPort: 71}
    peer: {name: peer0, port: 72, chaincodePort: 73, opsPort: 74, ccServerPort: 76}
    gateway: {port: 75, opsPort: 78}
    users:
      - {name: admin, role: admin}
      - {name: officer1, role: loan-officer}
`

// A network whose topology has a third bank: netctl gives Bank3MSP its terms collection and a place in
// the definition's endorsement policy, and through Bank3's own gateway Bank3 files a pledge that the IP
// office registers (its rights' keys endorsed by the regulator as well, which the chaincode's plan
// names), reads its private terms, which Bank1 may not, and releases it. It brings up a network of its
// own, in its own directory at its own port base (the test network's base + 200, or
// IPLEDGER_NEWBANK_PORT_BASE), with the test network's programs.
func TestUp_ABankAddedToTheTopologyFilesThroughItsGateway(t *testing.T) {
	n := newBankNetwork(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	sys, err := n.Up(ctx)
	if err != nil {
		t.Fatalf("up with Bank3 in the topology: %v", err)
	}
	if !slices.Contains(sys.Chaincode.Collections, "termsBank3MSP") || !strings.Contains(sys.Chaincode.EndorsementPolicy, "'Bank3MSP.peer'") {
		t.Fatalf("the definition: collections %v, policy %s", sys.Chaincode.Collections, sys.Chaincode.EndorsementPolicy)
	}
	as := func(msp, user string) *itest.Caller {
		t.Helper()
		url, key, err := sys.APIKey(msp, user)
		if err != nil {
			t.Fatal(err)
		}
		o, err := sys.Org(msp)
		if err != nil {
			t.Fatal(err)
		}
		hc, err := itest.HTTPClient(o.GatewayCACert)
		if err != nil {
			t.Fatal(err)
		}
		return &itest.Caller{T: t, Base: url, Key: key, Org: msp, User: user, HTTP: hc}
	}
	examiner, bank3, bank1, auditor := as("IPOfficeMSP", "examiner1"), as("Bank3MSP", "officer1"),
		as("Bank1MSP", "officer1"), as("RegulatorMSP", "auditor1")
	asset := itest.Uniq("NB")
	want := func(r itest.Reply, status int, what string) itest.Reply {
		t.Helper()
		if r.Status != status {
			t.Fatalf("%s: %s, want %d", what, r, status)
		}
		return r
	}
	// Each step goes through another organization's gateway: it names the block of the step before
	// (IPLedger-After-Block), so that its peer has it before it answers.
	after := func(r itest.Reply) string { return strconv.FormatUint(r.Block(), 10) }
	registered := want(examiner.Do(http.MethodPost, "/v1/assets", itest.Patent(asset)), http.StatusCreated, "register the patent")
	app := itest.Application(asset)
	app["pledgeeName"] = "Bank Three Wuhan"
	filed := want(bank3.Do(http.MethodPost, "/v1/pledges", app, "IPLedger-After-Block", after(registered)), http.StatusCreated, "Bank3 files")
	pledge := filed.Str(t, "id")
	reg := want(examiner.Do(http.MethodPost, "/v1/pledges/"+pledge+"/register", map[string]any{"registrationNumber": "Y-" + asset},
		"IPLedger-After-Block", after(filed)), http.StatusOK, "the IP office registers Bank3's pledge")
	tx := want(auditor.Do(http.MethodGet, "/v1/transactions/"+reg.Str(t, "txId"), nil, "IPLedger-After-Block", after(reg)),
		http.StatusOK, "the registration's transaction").Obj(t)
	var endorsers []string
	for _, o := range tx["endorsingOrgs"].([]any) {
		endorsers = append(endorsers, o.(string))
	}
	slices.Sort(endorsers)
	if tx["valid"] != true || !slices.Equal(endorsers, []string{"Bank3MSP", "IPOfficeMSP", "RegulatorMSP"}) {
		t.Fatalf("the registration's transaction: %v", tx)
	}
	t.Logf("Bank3's pledge %s registered in block %d, endorsed by %v", pledge, reg.Block(), endorsers)
	got := want(auditor.Do(http.MethodGet, "/v1/pledges/"+pledge, nil, "IPLedger-After-Block", after(reg)), http.StatusOK, "the regulator reads it").Obj(t)
	if got["status"] != "registered" || got["termsCollection"] != "termsBank3MSP" || got["pledgee"].(map[string]any)["msp"] != "Bank3MSP" {
		t.Fatalf("Bank3's pledge: %v", got)
	}
	if terms := want(bank3.Do(http.MethodGet, "/v1/pledges/"+pledge, nil, "IPLedger-After-Block", after(reg)), http.StatusOK, "Bank3 reads it").Obj(t)["privateTerms"]; terms == nil {
		t.Fatal("Bank3 does not read its own terms")
	}
	if terms := want(bank1.Do(http.MethodGet, "/v1/pledges/"+pledge, nil, "IPLedger-After-Block", after(reg)), http.StatusOK, "Bank1 reads it").Obj(t)["privateTerms"]; terms != nil {
		t.Fatalf("Bank1 reads Bank3's terms: %v", terms)
	}
	page := want(auditor.Do(http.MethodGet, "/v1/pledges?pledgee=Bank3MSP", nil, "IPLedger-After-Block", after(reg)), http.StatusOK, "Bank3's pledges").Obj(t)
	if page["count"] != float64(1) {
		t.Fatalf("Bank3's pledges: %v", page)
	}
	want(bank1.Do(http.MethodPost, "/v1/pledges/"+pledge+"/release", map[string]any{"reason": "repaid"}, "IPLedger-After-Block", after(reg)), http.StatusForbidden,
		"Bank1 releases Bank3's pledge")
	want(bank3.Do(http.MethodPost, "/v1/pledges/"+pledge+"/release", map[string]any{"reason": "repaid"}, "IPLedger-After-Block", after(reg)), http.StatusOK,
		"Bank3 releases its pledge")
}

// newBankNetwork places the repository's topology with bank3 added in a new directory at a port base of
// its own, with the programs of the running test network, and deletes it at the end of the test.
func newBankNetwork(t *testing.T) *netctl.Network {
	t.Helper()
	return netctl.ScratchNetwork(t, 200, "IPLEDGER_NEWBANK_PORT_BASE", func(base int) *netctl.Topology {
		raw, err := os.ReadFile(filepath.Join("..", "topology.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "topology.yaml")
		if err := os.WriteFile(path, append(raw, bank3Org...), 0o644); err != nil {
			t.Fatal(err)
		}
		top, err := netctl.LoadTopology(path, base)
		if err != nil {
			t.Fatal(err)
		}
		return top
	})
}
