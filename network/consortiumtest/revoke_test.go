//go:build integration

// Package consortiumtest checks the procedures by which the consortium changes on the real network
// that `scripts/ipledger test` starts: here, an identity revoked. It enrols a user of its own (no other
// test's user is revoked). IPLEDGER_SYSTEM_FILE names the network's system.json.
package consortiumtest

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/network/itest"
	"github.com/ipledger/ipledger/network/netctl"
	"google.golang.org/grpc/status"
)

// ipledger runs the project's entry point against the test network (its data directory and ports
// come from the environment the test command set).
func ipledger(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command(filepath.Join("..", "..", "scripts", "ipledger"), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("ipledger %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// system reads the description again: identity commands rewrite it.
func system(t *testing.T) *netctl.System {
	t.Helper()
	itest.System(t) // fails the test without IPLEDGER_SYSTEM_FILE
	sys, err := netctl.LoadSystem(os.Getenv(itest.SystemEnv))
	if err != nil {
		t.Fatal(err)
	}
	return sys
}

func dial(t *testing.T, sys *netctl.System, mspID, user string) *client.Contract {
	t.Helper()
	gw, conn, err := sys.Dial(mspID, user, client.WithCommitStatusTimeout(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { gw.Close(); conn.Close() })
	return gw.GetNetwork(sys.Channel).GetContract(sys.Chaincode.Name)
}

// apiStatus is the HTTP status the organization's gateway answers a request with the API key.
func apiStatus(t *testing.T, sys *netctl.System, mspID, key string) int {
	t.Helper()
	o, err := sys.Org(mspID)
	if err != nil {
		t.Fatal(err)
	}
	hc, err := itest.HTTPClient(o.GatewayCACert)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, o.Gateway+"/v1/pledges/none", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// submitPing submits Ping (valid, read-only, endorsed as the chaincode's policy says) and returns the
// block it committed in.
func submitPing(t *testing.T, c *client.Contract) uint64 {
	t.Helper()
	_, commit, err := c.SubmitAsync(api.Ping.Name)
	if err != nil {
		t.Fatal(err)
	}
	st, err := commit.Status()
	if err != nil || !st.Successful {
		t.Fatalf("Ping: %v %+v", err, st)
	}
	return st.BlockNumber
}

// details is an error's text with the details the gateway reports of each endorser.
func details(err error) string {
	var b strings.Builder
	b.WriteString(strings.SplitN(err.Error(), "\n", 2)[0])
	for _, d := range status.Convert(err).Details() {
		fmt.Fprintf(&b, "; %v", d)
	}
	return b.String()
}

// Revocation: a user enrolled for this test submits; `scripts/ipledger revoke` revokes it at its CA
// and publishes the CRL in a config block B; from B on every peer refuses to endorse for it, a
// transaction it had endorsed before B is not committed valid, its API key answers 401; the other
// users go on.
func TestRevokedIdentityIsRefusedFromTheCRLBlock(t *testing.T) {
	user := fmt.Sprintf("revoked%d", time.Now().UnixNano()%1_000_000_000)
	ipledger(t, "identity", "add", user, "--org", "Bank1MSP", "--role", "loan-officer")
	sys := system(t)
	bank1, err := sys.Org("Bank1MSP")
	if err != nil {
		t.Fatal(err)
	}
	u, err := bank1.User(user)
	if err != nil {
		t.Fatal(err)
	}
	rawKey, err := os.ReadFile(u.APIKeyFile)
	if err != nil {
		t.Fatal(err)
	}
	key := strings.TrimSpace(string(rawKey))
	if got := apiStatus(t, sys, "Bank1MSP", key); got != http.StatusNotFound {
		t.Fatalf("the new user's API key: %d, want 404 (authenticated, no such pledge)", got)
	}
	c := dial(t, sys, "Bank1MSP", user)
	t.Logf("the new user's Ping committed in block %d", submitPing(t, c))
	// Endorsed before the revocation, submitted after it.
	early, err := c.NewProposal(api.Ping.Name)
	if err != nil {
		t.Fatal(err)
	}
	earlyTx, err := early.Endorse()
	if err != nil {
		t.Fatal(err)
	}

	began := time.Now()
	out := ipledger(t, "revoke", "Bank1MSP", user)
	took := time.Since(began)
	m := regexp.MustCompile(`config block (\d+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("revoke printed no config block:\n%s", out)
	}
	block, _ := strconv.ParseUint(m[1], 10, 64)
	t.Logf("FIGURE revoked-from-block %d", block)
	t.Logf("FIGURE revoke: scripts/ipledger revoke (CA revocation, CRL, its configuration update, the gateway's reload) took %v", took.Round(100*time.Millisecond))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := sys.WaitForBlock(ctx, block); err != nil {
		t.Fatal(err)
	}

	refusedByEveryPeer(t, sys, c)
	if commit, err := earlyTx.Submit(); err == nil {
		if st, err := commit.Status(); err == nil && st.Successful {
			t.Errorf("a transaction endorsed before the revocation committed valid in block %d (CRL in block %d)", st.BlockNumber, block)
		} else {
			t.Logf("endorsed before, submitted after: %v %+v", err, st)
		}
	} else {
		t.Logf("endorsed before, submitted after: refused by the orderer: %v", err)
	}
	if got := apiStatus(t, sys, "Bank1MSP", key); got != http.StatusUnauthorized {
		t.Errorf("the revoked user's API key: %d, want 401", got)
	}
	if o, err := system(t).Org("Bank1MSP"); err != nil || func() bool { _, err := o.User(user); return err == nil }() {
		t.Errorf("system.json still lists the revoked user")
	}
	// The others go on: another Bank1 user submits, through the peers and through the gateway.
	after := submitPing(t, dial(t, sys, "Bank1MSP", "officer1"))
	if after <= block {
		t.Errorf("officer1's Ping in block %d, not after the CRL's block %d", after, block)
	}
	if got := itest.As(t, "Bank1MSP", "officer1").Do(http.MethodGet, "/v1/pledges/none", nil).Status; got != http.StatusNotFound {
		t.Errorf("officer1's API key: %d, want 404", got)
	}
	t.Logf("officer1's Ping committed in block %d, after the CRL's block %d", after, block)
}

// refusedByEveryPeer endorses a Ping for the revoked user on each organization's peer alone: each
// must refuse it.
func refusedByEveryPeer(t *testing.T, sys *netctl.System, c *client.Contract) {
	t.Helper()
	peers := 0
	for _, o := range sys.Organizations {
		if o.Peer == "" {
			continue
		}
		peers++
		p, err := c.NewProposal(api.Ping.Name, client.WithEndorsingOrganizations(o.MSPID))
		if err != nil {
			t.Fatal(err)
		}
		_, err = p.Endorse()
		if err == nil {
			t.Errorf("%s's peer endorsed for the revoked user", o.MSPID)
			continue
		}
		d := details(err)
		if !strings.Contains(d, "access denied") && !strings.Contains(d, "revoked") {
			t.Errorf("%s's peer: %s, want access denied", o.MSPID, d)
			continue
		}
		t.Logf("%s's peer refuses: %s", o.MSPID, d[strings.Index(d, "; "):])
	}
	if peers != 8 {
		t.Errorf("%d peers, want 8", peers)
	}
}
