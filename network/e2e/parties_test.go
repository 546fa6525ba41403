//go:build integration

package e2e

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/network/itest"
)

// chineseUniq is a run-unique string of Chinese numerals, so that a name query finds this run's party
// only, however often the suite ran on the same network.
func chineseUniq() string {
	digits := []rune("〇一二三四五六七八九")
	var b strings.Builder
	for _, r := range itest.Uniq("") {
		if r >= '0' && r <= '9' {
			b.WriteRune(digits[r-'0'])
		}
	}
	return b.String()
}

// TestE2E_S1_S2_PartySearchAndExtract: a party is found through the gateways by its unified social
// credit code and by a part of its Chinese name, with the rights it owns and the pledges it gave; a
// right it sold leaves its list; its extract comes with the proof of every record from the ledger,
// for the querying organization.
func TestE2E_S1_S2_PartySearchAndExtract(t *testing.T) {
	ipo, bank1, exchange := as(t, "IPOfficeMSP", "examiner1"), as(t, "Bank1MSP", "officer1"), as(t, "ExchangeMSP", "trader1")
	uniq := chineseUniq()
	partyID := itest.Uniq("91420100S1")
	name := "武汉" + uniq + "光谷光电科技有限公司"
	owner := []any{map[string]any{"id": partyID, "name": name, "share": 10000}}
	kept, sold := itest.Uniq("CN-E2E-S1-KEPT"), itest.Uniq("CN-E2E-S1-SOLD")
	a, b := itest.Patent(kept), itest.Patent(sold)
	a["owners"], b["owners"] = owner, owner
	registerAll(t, a, b)
	app := itest.Application(kept)
	app["pledgors"] = []any{map[string]any{"id": partyID, "name": name}}
	pledgeID := bank1.write(201, "apply", "POST", "/v1/pledges", app).Str(t, "id")
	ipo.write(200, "register", "POST", "/v1/pledges/"+pledgeID+"/register", map[string]any{"registrationNumber": "Y-" + pledgeID})

	var page api.PartyPage
	get(t, exchange, "/v1/parties?id="+url.QueryEscape(partyID), &page)
	if page.Count != 1 || page.Items[0].ID != partyID || len(page.Items[0].Rights) != 2 || len(page.Items[0].Pledges) != 1 ||
		page.Items[0].Pledges[0].RegistrationNumber != "Y-"+pledgeID {
		t.Fatalf("by id: %+v", page)
	}
	get(t, as(t, "Bank2MSP", "officer1"), "/v1/parties?name="+url.QueryEscape(uniq+"光谷"), &page)
	if page.Count != 1 || page.Items[0].ID != partyID || !slices.Equal(page.Items[0].Names, []string{name}) {
		t.Fatalf("by name: %+v", page)
	}

	tr := exchange.write(201, "request transfer", "POST", "/v1/transfers", itest.TradeTransfer(sold)).Str(t, "id")
	ipo.write(200, "record transfer", "POST", "/v1/transfers/"+tr+"/record", map[string]any{})
	var view api.PartyView
	get(t, as(t, "RegulatorMSP", "auditor1"), "/v1/parties/"+url.PathEscape(partyID), &view)
	if len(view.Rights) != 1 || view.Rights[0].ID != kept || view.Rights[0].Encumbrances != 1 || len(view.Pledges) != 1 {
		t.Fatalf("after the sale: %+v", view)
	}

	var x struct {
		Extract api.PartyExtract `json:"extract"`
		Proof   api.ExtractProof `json:"proof"`
	}
	get(t, exchange, "/v1/parties/"+url.PathEscape(partyID)+"/extract", &x)
	if x.Extract.QueriedBy != api.MSPExchange || x.Extract.AsOf == "" || len(x.Extract.Rights) != 1 || len(x.Proof.Rights) != 1 ||
		len(x.Proof.Pledges) != 1 || x.Proof.VerifiedBy != api.MSPExchange || x.Proof.LedgerHeight == 0 {
		t.Fatalf("extract: %+v", x)
	}
	for _, p := range append(x.Proof.Rights, x.Proof.Pledges...) {
		if p.Registration == nil || !p.Registration.Valid || p.Registration.BlockNumber == 0 ||
			!slices.Contains(p.Registration.EndorsingOrgs, string(api.MSPIPOffice)) || p.LastChange == nil || !p.LastChange.Valid {
			t.Fatalf("proof of %s: %+v", p.ID, p)
		}
	}
	if pl := x.Proof.Pledges[0]; !slices.Contains(pl.Registration.EndorsingOrgs, string(api.MSPBank1)) {
		t.Fatalf("the pledge's registration was not endorsed by its pledgee: %+v", pl.Registration)
	}

	refused(t, exchange.Do("GET", "/v1/parties?name="+url.QueryEscape("光"), nil), 422, "INVALID_ARGUMENT", "a one-character name")
	refused(t, exchange.Do("GET", "/v1/parties/"+itest.Uniq("91420100NOBODY"), nil), 404, "NOT_FOUND", "an unknown party")
}

// get reads path as c and decodes the 200 answer into v.
func get(t *testing.T, c *caller, path string, v any) {
	t.Helper()
	r := c.Do("GET", path, nil)
	if r.Status != 200 {
		t.Fatalf("GET %s as %s/%s: %s", path, c.Org, c.User, r)
	}
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}
