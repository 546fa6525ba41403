//go:build integration

package chaincodetest

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/network/itest"
)

// TestF7_TwoApprovalsEndorsedOnOneStateOnlyOneCommits: the fund's rules for the year cap a bank at
// 150,000.00 and a loan at 100,000.00. Bank2 files two claims of 100,000.00; the fund's manager has
// both approvals endorsed first, each against the same state (neither counter written yet), and then
// submits both. Each read and wrote the year's and the bank's counters, so the peers let one commit and
// invalidate the other (a read conflict, or in the same block the key-level policy its predecessor
// set): the fund approved 100,000.00, not 200,000.00. Sent again, the second is decided against the
// first: the 50,000.00 left of Bank2's cap.
func TestF7_TwoApprovalsEndorsedOnOneStateOnlyOneCommits(t *testing.T) {
	n := connect(t)
	year := itest.FundYear(t, "Bank2MSP")
	pledges := []string{itest.SoldPledge(t, "Bank2MSP"), itest.SoldPledge(t, "Bank2MSP")}
	claims := itest.FiledClaims(t, "Bank2MSP", pledges...)

	contract := n.contract(string(api.MSPFund), "manager1")
	var txs []*client.Transaction
	for i, id := range claims {
		proposal, err := contract.NewProposal(api.ApproveFundClaim.Name,
			client.WithArguments(fmt.Sprintf("f7-race-%s-%d", runID(), i), id, `{"note":"race"}`),
			client.WithEndorsingOrganizations(string(api.MSPIPOffice), string(api.MSPFund), string(api.MSPRegulator), string(api.MSPBank2)))
		if err != nil {
			t.Fatal(err)
		}
		tx, err := proposal.Endorse()
		if err != nil {
			t.Fatalf("endorse the approval of %s: %s", id, errorDetails(err))
		}
		result, refusal := decision(tx.Result())
		var fc api.FundClaim
		if refusal != nil || json.Unmarshal(result, &fc) != nil || fc.Approved != "100000.00" {
			t.Fatalf("endorsed approval of %s: %s %v; want 100000.00, each against a state without the other", id, result, refusal)
		}
		txs = append(txs, tx)
	}
	var codes []string
	var last uint64
	for i, tx := range txs {
		commit, err := tx.Submit()
		if err != nil {
			t.Fatalf("submit the approval of %s: %s", claims[i], errorDetails(err))
		}
		st, err := commit.Status()
		if err != nil {
			t.Fatal(err)
		}
		codes = append(codes, st.Code.String())
		last = max(last, st.BlockNumber)
		t.Logf("F7: the approval of %s: %s in block %d", claims[i], st.Code, st.BlockNumber)
	}
	lost := slices.IndexFunc(codes, func(c string) bool { return c != "VALID" })
	if slices.Index(codes, "VALID") < 0 || lost < 0 || !slices.Contains([]string{"MVCC_READ_CONFLICT", "ENDORSEMENT_POLICY_FAILURE"}, codes[lost]) {
		t.Fatalf("validation codes %v; want one VALID and one invalidated by the other", codes)
	}
	n.waitBlock(last)

	fund := itest.As(t, string(api.MSPFund), "manager1")
	r := fund.Write(200, "approve again", "POST", "/v1/fund/claims/"+claims[lost]+"/approve", map[string]any{"note": "again"})
	if got, _ := r.Obj(t)["result"].(map[string]any); got["approved"] != "50000.00" {
		t.Fatalf("the approval sent again: %s; want the 50000.00 left of Bank2's cap", r)
	}
	u := fund.Do("GET", "/v1/fund/usage/"+year+"?bank=Bank2MSP", nil)
	if got := u.Obj(t); u.Status != 200 || got["approved"] != "150000.00" {
		t.Fatalf("Bank2's usage of the fund: %s", u)
	}
}
