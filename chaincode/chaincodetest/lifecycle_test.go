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

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/ipledger/ipledger/chaincode/rules"
)

func TestPledgeLifecycleAcrossOrganizations(t *testing.T) {
	n := connect(t)
	suffix := fmt.Sprint(time.Now().UnixNano())
	req := func(s string) string { return "it-" + suffix + "-" + s }
	assetID := "CN-IT-" + suffix

	// 1. The IP office registers a patent (IP office + one other organization endorse).
	asset, _ := json.Marshal(rules.AssetInput{ID: assetID, Kind: rules.KindPatentInvention, Number: assetID, Title: "Lifecycle test patent",
		Owners:          []rules.Owner{{ID: "91420100MA4K0001X", Name: "Wuhan Optics Co.", Share: 10000}},
		ApplicationDate: "2020-01-15", GrantDate: "2022-03-01", ExpiryDate: "2040-01-15", FeesPaidThrough: "2099-01-01"})
	_, orgs := n.submit(rules.MSPIPOffice, "examiner1", nil, "RegisterAsset", req("asset"), string(asset))
	if !slices.Contains(orgs, rules.MSPIPOffice) || len(orgs) < 2 {
		t.Fatalf("RegisterAsset endorsed by %v", orgs)
	}

	// 2. Bank1 applies; the private terms go in the transient map.
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	terms, _ := json.Marshal(rules.Terms{Amount: "5000000.00", Currency: "CNY", InterestRate: "3.85", Salt: hex.EncodeToString(salt), Scope: "principal and interest"})
	app, _ := json.Marshal(rules.PledgeApplication{AssetIDs: []string{assetID}, ContractHash: strings.Repeat("c", 64), DebtKind: "loan",
		DebtTermStart: "2025-03-01", DebtTermEnd: "2027-03-01", PledgeeName: "Bank One Wuhan",
		Pledgors: []rules.Party{{ID: "91420100MA4K0001X", Name: "Wuhan Optics Co."}}})
	withTerms := append(endorsers(rules.MSPIPOffice, rules.MSPBank1), client.WithTransient(map[string][]byte{"terms": terms}))
	out, orgs := n.submit(rules.MSPBank1, "officer1", withTerms, "ApplyPledge", req("apply"), string(app))
	var p rules.Pledge
	if err := json.Unmarshal(out, &p); err != nil || p.Status != rules.PledgeApplied {
		t.Fatalf("ApplyPledge: %s %v", out, err)
	}
	if !slices.Equal(orgs, []string{rules.MSPBank1, rules.MSPIPOffice}) {
		t.Fatalf("ApplyPledge endorsed by %v", orgs)
	}
	if strings.Contains(string(out), "5000000") {
		t.Fatal("the public record shows the amount")
	}

	// 3. The IP office registers it; the pledge key needs the IP office and Bank1.
	n.submit(rules.MSPIPOffice, "examiner1", endorsers(rules.MSPIPOffice, rules.MSPBank1), "RegisterPledge", req("register"), p.ID,
		`{"registrationNumber":"IT`+suffix+`"}`)

	// 4. Private terms: Bank1, the IP office and the regulator read them; Bank2 and the exchange cannot.
	for _, who := range [][2]string{{rules.MSPBank1, "officer1"}, {rules.MSPIPOffice, "examiner1"}, {rules.MSPRegulator, "auditor1"}} {
		got, err := n.contract(who[0], who[1]).EvaluateTransaction("GetPledgeTerms", p.ID)
		if err != nil || !strings.Contains(string(got), `"verified":true`) {
			t.Fatalf("GetPledgeTerms by %s: %s %v", who[0], got, err)
		}
	}
	for _, who := range [][2]string{{rules.MSPBank2, "officer1"}, {rules.MSPExchange, "trader1"}} {
		_, err := n.contract(who[0], who[1]).EvaluateTransaction("GetPledgeTerms", p.ID)
		if e, ok := rules.ParseError(errorDetails(err)); !ok || e.Code != rules.CodeForbidden {
			t.Fatalf("GetPledgeTerms by %s: %v", who[0], err)
		}
	}

	// 5. A second pledge of the patent is refused with P5, as JSON the gateway can parse.
	_, err := n.contract(rules.MSPBank2, "officer1").Submit("ApplyPledge", client.WithArguments(req("apply2"), strings.Replace(string(app), "Bank One", "Bank Two", 1)),
		client.WithEndorsingOrganizations(rules.MSPIPOffice, rules.MSPBank2), client.WithTransient(map[string][]byte{"terms": terms}))
	if e, ok := rules.ParseError(errorDetails(err)); !ok || e.Code != "P5" {
		t.Fatalf("second pledge: %v", err)
	}

	// 6. State-based endorsement: a release endorsed by the IP office and the exchange (enough for the
	// chaincode policy) fails validation, because the pledge key needs Bank1.
	_, commit, err := n.contract(rules.MSPBank1, "officer1").SubmitAsync("ReleasePledge",
		client.WithArguments(req("release-bad"), p.ID, `{"reason":"repaid"}`), client.WithEndorsingOrganizations(rules.MSPIPOffice, rules.MSPExchange))
	if err != nil {
		t.Fatal(err)
	}
	if st, err := commit.Status(); err != nil || st.Successful || st.Code.String() != "ENDORSEMENT_POLICY_FAILURE" {
		t.Fatalf("release without the pledgee's endorsement: %+v %v", st, err)
	}

	// 7. Default, disposal by the exchange, then the IP office records the buyer's title.
	n.submit(rules.MSPBank1, "officer1", endorsers(rules.MSPIPOffice, rules.MSPBank1), "DeclareDefault", req("default"), p.ID, `{"reason":"missed payments"}`)
	out, orgs = n.submit(rules.MSPExchange, "trader1", endorsers(rules.MSPIPOffice, rules.MSPBank1), "DisposePledge", req("dispose"), p.ID,
		`{"buyers":[{"id":"BUYER-`+suffix+`","name":"Buyer Ltd.","share":10000}],"currency":"CNY","method":"auction","price":"6000000","proceeds":[{"pledgeId":"`+p.ID+`","amount":"5200000"}],"saleRef":"WHIPE-`+suffix+`","surplus":"800000"}`)
	if !slices.Equal(orgs, []string{rules.MSPBank1, rules.MSPIPOffice}) {
		t.Fatalf("DisposePledge endorsed by %v", orgs)
	}
	if err := json.Unmarshal(out, &p); err != nil || p.Status != rules.PledgeDisposed || len(p.Disposal.TransferIDs) != 1 {
		t.Fatalf("DisposePledge: %s %v", out, err)
	}
	n.submit(rules.MSPIPOffice, "examiner1", endorsers(rules.MSPIPOffice, rules.MSPExchange), "RecordTransfer", req("record"), p.Disposal.TransferIDs[0], "{}")
	got, err := n.contract(rules.MSPRegulator, "auditor1").EvaluateTransaction("GetStatement", assetID)
	if err != nil || !strings.Contains(string(got), `"id":"BUYER-`+suffix+`"`) || !strings.Contains(string(got), `"unencumbered":true`) {
		t.Fatalf("statement after disposal: %s %v", got, err)
	}
	hist, err := n.contract(rules.MSPBank2, "officer1").EvaluateTransaction("GetPledgeHistory", p.ID)
	if err != nil || strings.Count(string(hist), `"txId"`) < 4 {
		t.Fatalf("history: %s %v", hist, err)
	}
}
