//go:build integration

// Package chaincodetest runs one full pledge lifecycle on the real network across organizations and
// checks, from the ledger (qscc), which organizations endorsed each step. IPLEDGER_SYSTEM_FILE names
// the network's system.json (written by `scripts/ipledger up`).
package chaincodetest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ipledger/ipledger/chaincode/api"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/ipledger/ipledger/network/itest"
)

func TestPledgeLifecycleAcrossOrganizations(t *testing.T) {
	n := connect(t)
	suffix := fmt.Sprint(time.Now().UnixNano())
	req := func(s string) string { return "it-" + suffix + "-" + s }
	assetID := "CN-IT-" + suffix

	// 1. The IP office registers a patent (IP office + one other organization endorse).
	asset, _ := json.Marshal(api.AssetInput{ID: assetID, Kind: api.KindPatentInvention, Number: assetID, Title: "Lifecycle test patent",
		Owners:          []api.Owner{{ID: "91420100MA4K0001X", Name: "Wuhan Optics Co.", Share: 10000}},
		ApplicationDate: "2020-01-15", GrantDate: "2022-03-01", ExpiryDate: "2040-01-15", FeesPaidThrough: "2099-01-01"})
	_, orgs := n.submit(string(api.MSPIPOffice), "examiner1", nil, api.RegisterAsset.Name, req("asset"), string(asset))
	if !slices.Contains(orgs, string(api.MSPIPOffice)) || len(orgs) < 2 {
		t.Fatalf("RegisterAsset endorsed by %v", orgs)
	}

	// 2. Bank1 applies; the private terms go in the transient map.
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	terms, _ := json.Marshal(api.Terms{Amount: "5000000.00", Currency: "CNY", InterestRate: "3.85", Salt: hex.EncodeToString(salt), Scope: "principal and interest"})
	app, _ := json.Marshal(api.PledgeApplication{AssetIDs: []string{assetID}, ContractHash: strings.Repeat("c", 64), DebtKind: "loan",
		DebtTermStart: "2025-03-01", DebtTermEnd: "2027-03-01", PledgeeName: "Bank One Wuhan",
		Pledgors: []api.Party{{ID: "91420100MA4K0001X", Name: "Wuhan Optics Co."}}})
	withTerms := append(endorsers(string(api.MSPIPOffice), string(api.MSPBank1)), client.WithTransient(map[string][]byte{"terms": terms}))
	out, orgs := n.submit(string(api.MSPBank1), "officer1", withTerms, api.ApplyPledge.Name, req("apply"), string(app))
	var p api.Pledge
	if err := json.Unmarshal(out, &p); err != nil || p.Status != api.PledgeApplied {
		t.Fatalf("ApplyPledge: %s %v", out, err)
	}
	if !slices.Equal(orgs, []string{string(api.MSPBank1), string(api.MSPIPOffice)}) {
		t.Fatalf("ApplyPledge endorsed by %v", orgs)
	}
	if strings.Contains(string(out), "5000000") {
		t.Fatal("the public record shows the amount")
	}

	// 3. The IP office registers it; the pledge key needs the IP office and Bank1.
	n.submit(string(api.MSPIPOffice), "examiner1", endorsers(string(api.MSPIPOffice), string(api.MSPBank1)), api.RegisterPledge.Name, req("register"), p.ID,
		`{"registrationNumber":"IT`+suffix+`"}`)

	// 4. Private terms: Bank1, the IP office and the regulator read them; Bank2 and the exchange cannot.
	for _, who := range [][2]string{{string(api.MSPBank1), "officer1"}, {string(api.MSPIPOffice), "examiner1"}, {string(api.MSPRegulator), "auditor1"}} {
		got, err := n.contract(who[0], who[1]).EvaluateTransaction(api.GetPledgeTerms.Name, p.ID)
		if err != nil || strings.Contains(string(got), "5000000") {
			t.Fatalf("GetPledgeTerms by %s: %s %v", who[0], got, err)
		}
		if v := itest.OpenTerms(t, who[0], who[1], p.ID, got); !v.Verified || v.Terms.Amount != "5000000.00" {
			t.Fatalf("GetPledgeTerms by %s: %+v", who[0], v)
		}
	}
	for _, who := range [][2]string{{string(api.MSPBank2), "officer1"}, {string(api.MSPExchange), "trader1"}} {
		_, err := n.contract(who[0], who[1]).EvaluateTransaction(api.GetPledgeTerms.Name, p.ID)
		if e, ok := api.ParseError(errorDetails(err)); !ok || e.Code != api.CodeForbidden {
			t.Fatalf("GetPledgeTerms by %s: %v", who[0], err)
		}
	}

	// 5. A second pledge of the patent is refused with P5: a decision, committed under its request id.
	res, err := n.contract(string(api.MSPBank2), "officer1").Submit(api.ApplyPledge.Name, client.WithArguments(req("apply2"), strings.Replace(string(app), "Bank One", "Bank Two", 1)),
		client.WithEndorsingOrganizations(string(api.MSPIPOffice), string(api.MSPBank2)), client.WithTransient(map[string][]byte{"terms": terms}))
	if _, refusal := decision(res); err != nil || refusal == nil || refusal.Code != "P5" {
		t.Fatalf("second pledge: %s %v", res, errorDetails(err))
	}

	// 6. State-based endorsement: a release endorsed by the IP office and the exchange (enough for the
	// chaincode policy) fails validation, because the pledge key needs Bank1.
	_, commit, err := n.contract(string(api.MSPBank1), "officer1").SubmitAsync(api.ReleasePledge.Name,
		client.WithArguments(req("release-bad"), p.ID, `{"reason":"repaid"}`), client.WithEndorsingOrganizations(string(api.MSPIPOffice), string(api.MSPExchange)))
	if err != nil {
		t.Fatal(err)
	}
	if st, err := commit.Status(); err != nil || st.Successful || st.Code.String() != "ENDORSEMENT_POLICY_FAILURE" {
		t.Fatalf("release without the pledgee's endorsement: %+v %v", st, err)
	}

	// 7. Default, disposal by the exchange, then the IP office records the buyer's title.
	n.submit(string(api.MSPBank1), "officer1", endorsers(string(api.MSPIPOffice), string(api.MSPBank1)), api.DeclareDefault.Name, req("default"), p.ID, `{"reason":"missed payments","claim":{"amount":"5000000.00","currency":"CNY"}}`)
	out, orgs = n.submit(string(api.MSPExchange), "trader1", endorsers(string(api.MSPIPOffice), string(api.MSPBank1)), api.DisposePledge.Name, req("dispose"), p.ID,
		`{"buyers":[{"id":"BUYER-`+suffix+`","name":"Buyer Ltd.","share":10000}],"currency":"CNY","method":"auction","price":"6000000","proceeds":[{"pledgeId":"`+p.ID+`","amount":"5000000"}],"saleRef":"WHIPE-`+suffix+`","surplus":"1000000"}`)
	if !slices.Equal(orgs, []string{string(api.MSPBank1), string(api.MSPIPOffice)}) {
		t.Fatalf("DisposePledge endorsed by %v", orgs)
	}
	if err := json.Unmarshal(out, &p); err != nil || p.Status != api.PledgeDisposed || len(p.Disposal.TransferIDs) != 1 {
		t.Fatalf("DisposePledge: %s %v", out, err)
	}
	n.submit(string(api.MSPIPOffice), "examiner1", endorsers(string(api.MSPIPOffice), string(api.MSPExchange)), api.RecordTransfer.Name, req("record"), p.Disposal.TransferIDs[0], "{}")
	got, err := n.contract(string(api.MSPRegulator), "auditor1").EvaluateTransaction(api.GetStatement.Name, assetID)
	if err != nil || !strings.Contains(string(got), `"id":"BUYER-`+suffix+`"`) || !strings.Contains(string(got), `"unencumbered":true`) {
		t.Fatalf("statement after disposal: %s %v", got, err)
	}
	hist, err := n.contract(string(api.MSPBank2), "officer1").EvaluateTransaction(api.GetPledgeHistory.Name, p.ID)
	if err != nil || strings.Count(string(hist), `"txId"`) < 4 {
		t.Fatalf("history: %s %v", hist, err)
	}
}
