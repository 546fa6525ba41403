//go:build integration

package upgradetest

import (
	"bufio"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ipledger/ipledger/gateway/httpapi"
	"github.com/ipledger/ipledger/network/itest"
)

// readSwitch builds the chaincode with another rules version than the gateways were built with.
const readSwitch = "-X github.com/ipledger/ipledger/chaincode/rules.Version=ipledger-cc/1.0.0-readsource"

// sourceOf reads path at c's gateway after block b until the answer comes from want (at most 100
// tries: a gateway sees the chaincode's version through its readiness Ping, at most readyInterval old).
func sourceOf(t *testing.T, c *itest.Caller, path string, b uint64, want string) itest.Reply {
	t.Helper()
	var r itest.Reply
	for range 100 {
		r = c.Do(http.MethodGet, path, nil, httpapi.HeaderAfterBlock, strconv.FormatUint(b, 10))
		if r.Header.Get(httpapi.HeaderReadSource) == want {
			return r
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s at %s's gateway: never from %s: %s (from %q)", path, c.Org, want, r, r.Header.Get(httpapi.HeaderReadSource))
	return r
}

func readModelHeight(t *testing.T, mspID string) float64 {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(itest.Metrics(t, mspID)))
	for sc.Scan() {
		if line := sc.Text(); strings.HasPrefix(line, "ipledger_gateway_read_model_height{") {
			f := strings.Fields(line)
			v, _ := strconv.ParseFloat(f[len(f)-1], 64)
			return v
		}
	}
	t.Fatalf("%s's gateway has no read model height", mspID)
	return 0
}

// An upgrade to a chaincode whose rules version is not the gateways': reads come from the chaincode
// while the versions differ, and the read model goes on following the blocks. (The next test of this
// package upgrades again to the gateways' version.)
func TestUpgrade_ReadsGoToTheChaincodeWhileItsRulesVersionDiffers(t *testing.T) {
	ipo, bank1 := itest.As(t, string("IPOfficeMSP"), "examiner1"), itest.As(t, "Bank1MSP", "officer1")
	register := func(id string) uint64 {
		r := ipo.Do(http.MethodPost, "/v1/assets", itest.Patent(id))
		if r.Status != http.StatusCreated {
			t.Fatalf("register %s: %s", id, r)
		}
		return r.Block()
	}
	before := itest.Uniq("UP-RS")
	sourceOf(t, bank1, "/v1/assets/"+before, register(before), "read-model")

	out, err := ipledger("chaincode", "upgrade", "--ldflags", readSwitch, "--json")
	if err != nil {
		t.Fatalf("chaincode upgrade: %v\n%s", err, out)
	}
	var rep upgradeReport
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &rep); err != nil || rep.CommitBlock == 0 {
		t.Fatalf("the upgrade's report: %v\n%s", err, out)
	}
	after := itest.Uniq("UP-RS")
	b := register(after)
	// The first read once Bank1's read model has the block (After-Block waits on it, woken by its
	// applied blocks) comes from the chaincode: the read model saw the definition committed, and the
	// Ping it asks for at once names other rules.
	r := bank1.Do(http.MethodGet, "/v1/assets/"+after, nil, httpapi.HeaderAfterBlock, strconv.FormatUint(b, 10))
	if r.Status != http.StatusOK || r.Str(t, "id") != after || r.Header.Get(httpapi.HeaderReadSource) != "chaincode" {
		t.Fatalf("the first read after the upgrade: %s from %q", r, r.Header.Get(httpapi.HeaderReadSource))
	}
	if v := bank1.Do(http.MethodGet, "/readyz", nil).Str(t, "chaincode"); v != "ipledger-cc/1.0.0-readsource" {
		t.Errorf("/readyz names chaincode %q", v)
	}
	// The read model goes on following while it does not answer: it had block b for the read above.
	h := readModelHeight(t, "Bank1MSP")
	if h <= float64(b) {
		t.Errorf("Bank1's read model stays at height %v, below block %d", h, b)
	}
	t.Logf("FIGURE upgrade to another rules version: committed in block %d; reads from the chaincode after it; read model height %v past block %d",
		rep.CommitBlock, h, b)
}
