package httpapi

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/ipledger/ipledger/chaincode/api"
)

// The party routes carry the search to the chaincode as the catalogue says: id or name, page size
// and bookmark from the query (S1), the party's id from the path; the OpenAPI document refuses a
// malformed id or an overlong name before any chaincode call.
func TestS1_PartyRoutesCallTheSearch(t *testing.T) {
	l := &fakeLedger{OnEvaluate: func(_, fn string, args ...string) ([]byte, error) {
		return []byte(`{"bookmark":"","count":0,"items":[]}`), nil
	}}
	ts := newServer(t, l)
	for _, tc := range []struct {
		path string
		fn   string
		args []string
	}{
		{"/v1/parties?name=" + url.QueryEscape("光谷") + "&pageSize=5", api.SearchParties.Name, []string{"", "光谷", "5", ""}},
		{"/v1/parties?id=91420100MA4K0001&bookmark=p", api.SearchParties.Name, []string{"91420100MA4K0001", "", "0", "p"}},
		{"/v1/parties/91420100MA4K0001?pageSize=3&bookmark=r1", api.GetParty.Name, []string{"91420100MA4K0001", "3", "r1"}},
	} {
		before := len(l.Evaluated())
		if r := do(t, ts, "GET", tc.path, ""); r.status != 200 {
			t.Fatalf("%s: %d %s", tc.path, r.status, r.body)
		}
		got := l.Evaluated()[before:]
		if len(got) != 1 || got[0].Function != tc.fn || !slices.Equal(got[0].Args, tc.args) {
			t.Fatalf("%s: evaluated %+v, want %s%q", tc.path, got, tc.fn, tc.args)
		}
	}
	before := len(l.Evaluated())
	for _, bad := range []string{"/v1/parties?id=bad%20id", "/v1/parties?name=" + strings.Repeat("x", 201),
		"/v1/parties?pageSize=500&name=ab", "/v1/parties/bad%20id/extract"} {
		if r := do(t, ts, "GET", bad, ""); r.status != 422 && r.status != 400 {
			t.Fatalf("%s: %d %s", bad, r.status, r.body)
		}
	}
	if n := len(l.Evaluated()) - before; n != 0 {
		t.Fatalf("invalid requests reached the chaincode %d times", n)
	}
}

// The extract comes with the proof of every record from the ledger (S2): a right's title and last
// change, a pledge's registration (none while it is applied or refused) and last change, each with
// its block and endorsing organizations; the ledger height; the organization whose peer answered.
// A refusal of the chaincode (S2) is a 409; a transaction the ledger does not have is never a proof.
func TestS2_ExtractWithTheProofOfEveryRecord(t *testing.T) {
	extract := `{"asOf":"2025-03-05T02:00:00Z","id":"91420100MA4K0001","names":["武汉光谷光电科技有限公司"],"queriedBy":"Bank1MSP",
		"rights":[{"id":"CN-1","titleTxId":"t-title","lastTxId":"t-last"}],
		"pledges":[{"id":"PL-1","status":"registered","registrationTxId":"t-reg","lastTxId":"t-reg"},
			{"id":"PL-2","status":"applied","lastTxId":"t-apply"}]}`
	tx := func(id string, block uint64) *api.Transaction {
		return &api.Transaction{TxID: id, BlockNumber: block, Valid: true, ValidationCode: "VALID", EndorsingOrgs: []string{"Bank1MSP", "IPOfficeMSP"}}
	}
	l := &fakeLedger{
		OnEvaluate: func(_, fn string, args ...string) ([]byte, error) {
			if fn != api.GetPartyExtract.Name || args[0] != "91420100MA4K0001" {
				return nil, &api.Error{Code: "S2", Message: "too many", Details: map[string]string{"reason": "too-many-records"}}
			}
			return []byte(extract), nil
		},
		Transactions: map[string]*api.Transaction{"t-title": tx("t-title", 3), "t-last": tx("t-last", 9), "t-reg": tx("t-reg", 5), "t-apply": tx("t-apply", 4)},
		LedgerHeight: 12,
	}
	ts := newServer(t, l)
	r := do(t, ts, "GET", "/v1/parties/91420100MA4K0001/extract", "")
	if r.status != 200 {
		t.Fatalf("status %d %s", r.status, r.body)
	}
	var v struct {
		Extract api.PartyExtract `json:"extract"`
		Proof   api.ExtractProof `json:"proof"`
	}
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatal(err)
	}
	p := v.Proof
	if v.Extract.QueriedBy != api.MSPBank1 || v.Extract.AsOf == "" || p.LedgerHeight != 12 || p.VerifiedBy != api.MSPBank1 || p.Channel != "ipledger" {
		t.Fatalf("extract %s", r.body)
	}
	if len(p.Rights) != 1 || p.Rights[0].ID != "CN-1" || p.Rights[0].Registration.BlockNumber != 3 || p.Rights[0].LastChange.BlockNumber != 9 ||
		len(p.Rights[0].Registration.EndorsingOrgs) != 2 {
		t.Fatalf("right proofs %+v", p.Rights)
	}
	if len(p.Pledges) != 2 || p.Pledges[0].Registration.BlockNumber != 5 || p.Pledges[1].Registration != nil || p.Pledges[1].LastChange.BlockNumber != 4 {
		t.Fatalf("pledge proofs %s", r.body)
	}
	if r := do(t, ts, "GET", "/v1/parties/91420100MA4K0009/extract", ""); r.status != 409 || !strings.Contains(string(r.body), "too-many-records") {
		t.Fatalf("refusal: %d %s", r.status, r.body)
	}
	delete(l.Transactions, "t-last")
	if r := do(t, ts, "GET", "/v1/parties/91420100MA4K0001/extract", ""); r.status != 500 {
		t.Fatalf("an unknown transaction: %d %s", r.status, r.body)
	}
}
