package contract

import (
	"crypto/ecdsa"
	"encoding/json"
	"strings"
	"testing"

	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/chaincode/seal"
)

// openStatistics opens a sealed GetStatistics answer of who's, bound to the arguments sent.
func (h *harness) openStatistics(who, out string, args ...string) api.Statistics {
	h.t.Helper()
	s, ok := seal.Parse([]byte(out))
	if !ok {
		h.t.Fatalf("GetStatistics by %s: not a sealed answer: %s", who, out)
	}
	key, _ := creatorKeys.Load(string(h.ids[who]))
	plain, err := seal.Open(key.(*ecdsa.PrivateKey), s, seal.Context(api.GetStatistics.Name, args...))
	if err != nil {
		h.t.Fatalf("GetStatistics%q by %s does not open with the arguments sent: %v", args, who, err)
	}
	var st api.Statistics
	if err := json.Unmarshal(plain, &st); err != nil {
		h.t.Fatal(err)
	}
	return st
}

// TestContract_ACallerOfOlderRulesLeavesOutTheOptionalArguments: during an upgrade a gateway of the
// older rules calls GetStatistics with from, to and interval only, and ListTransfers without kind and
// consentOf: the contract answers as before (no filter), and the sealed answer opens with the
// arguments that caller sent. A caller of the newer rules gets the filters applied and named. An
// argument that is not optional is still required.
func TestContract_ACallerOfOlderRulesLeavesOutTheOptionalArguments(t *testing.T) {
	h := newHarness(t)
	h.ok("examiner", nil, "RegisterAsset", "r1", patentP1)
	h.ok("bank1", terms(), "ApplyPledge", "p1", application())

	old := []string{"2020-01-01", "2030-12-31", "year"}
	st := h.openStatistics("auditor", h.ok("auditor", nil, api.GetStatistics.Name, old...), old...)
	if st.PledgesRead != 1 || st.Pledgee != "" || st.Kind != "" {
		t.Fatalf("the older call: %d pledges read, filters %q %q", st.PledgesRead, st.Pledgee, st.Kind)
	}
	filtered := append(old, "Bank2MSP", "")
	st = h.openStatistics("auditor", h.ok("auditor", nil, api.GetStatistics.Name, filtered...), filtered...)
	if st.PledgesRead != 0 || st.Pledgee != api.MSPBank2 {
		t.Fatalf("filtered by Bank2: %d pledges read, pledgee %q", st.PledgesRead, st.Pledgee)
	}

	h.ok("trader", nil, api.RequestTransfer.Name, "t1", `{"assetId":"P1","kind":"assignment","origin":"trade","tradeRef":"T-1","newOwners":[{"id":"91420100MA4K0002","name":"Buyer","share":10000}]}`)
	var page api.TransferPage
	if err := json.Unmarshal([]byte(h.ok("bank1", nil, api.ListTransfers.Name, "", "", "", "0", "")), &page); err != nil || page.Count != 1 || page.Kind != "" {
		t.Fatalf("the older ListTransfers: %+v %v", page, err)
	}
	if err := json.Unmarshal([]byte(h.ok("bank1", nil, api.ListTransfers.Name, "", "", "", "0", "", "license")), &page); err != nil || page.Count != 0 || page.Kind != "license" {
		t.Fatalf("ListTransfers of licences, consentOf left out: %+v %v", page, err)
	}

	resp := h.invoke("auditor", nil, api.GetStatistics.Name, "2020-01-01", "2030-12-31")
	if resp.GetStatus() == 200 || !strings.Contains(resp.GetMessage(), "incorrect number of params") {
		t.Fatalf("GetStatistics without its interval: %d %s", resp.GetStatus(), resp.GetMessage())
	}
}
