//go:build integration

package e2e

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/network/itest"
)

// licenseRequest is the exchange's request to license a right after a trade, with its register
// details (L1).
func licenseRequest(assetID, typ, start, end string, territory ...string) map[string]any {
	return map[string]any{"assetId": assetID, "kind": "license", "origin": "trade", "tradeRef": itest.Uniq("WHIPE-LIC"),
		"newOwners": []any{map[string]any{"id": "91420100MA4K0003", "name": "Hankou Devices Co.", "share": 10000}},
		"license": map[string]any{"type": typ, "termStart": start, "termEnd": end, "territory": territory,
			"territoryNote": "the licensed territory as the contract states it", "filingNumber": itest.Uniq("BA")}}
}

// statementOf is the chaincode's statement of a right, read through the exchange's gateway.
func statementOf(t *testing.T, assetID string) api.Statement {
	t.Helper()
	r := as(t, "ExchangeMSP", "trader1").Do("GET", "/v1/verify/"+assetID, nil)
	if r.Status != 200 {
		t.Fatalf("verify %s: %s", assetID, r)
	}
	var v struct {
		Statement api.Statement `json:"statement"`
	}
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatalf("verify %s: %v", assetID, err)
	}
	return v.Statement
}

// TestE2E_L1L4_ExclusiveLicenceOfAPledgedRight: through the gateways, an exclusive licence of a
// pledged patent is requested by the exchange with its register details (L1), recorded by the IP
// office only once the pledgee bank consented (P7, T2), and then shown on verification as a licence in
// force and an obstacle (L4); an ordinary or another exclusive licence over it is refused (L2); the IP
// office records its early termination (L3), after which verification no longer shows it; a second
// termination is refused. Each refusal is a 409 that writes nothing but itself.
func TestE2E_L1L4_ExclusiveLicenceOfAPledgedRight(t *testing.T) {
	ipo, bank1, exch := as(t, "IPOfficeMSP", "examiner1"), as(t, "Bank1MSP", "officer1"), as(t, "ExchangeMSP", "trader1")
	asset := itest.Uniq("CN-E2E-LIC")
	registerAll(t, itest.Patent(asset)) // granted 2022-03-01, expires 2040-01-15
	pledge := bank1.write(201, "apply", "POST", "/v1/pledges", itest.Application(asset)).Str(t, "id")
	ipo.write(200, "register the pledge", "POST", "/v1/pledges/"+pledge+"/register", map[string]any{"registrationNumber": "Y-" + pledge})

	lic := exch.write(201, "request an exclusive licence", "POST", "/v1/transfers",
		licenseRequest(asset, "exclusive", "2026-01-01", "2035-12-31", "CN-HB")).Str(t, "id")
	refuseAll(t, "a licence of a pledged right without consent", []refusal{
		{name: "recorded without the pledgee's consent", rule: "T2", reason: "consent-missing", c: ipo, method: "POST",
			path: "/v1/transfers/" + lic + "/record", body: map[string]any{}},
	})
	bank1.write(200, "consent", "POST", "/v1/transfers/"+lic+"/consent", map[string]any{"pledgeId": pledge, "proceedsUse": "early-repayment"})
	ipo.write(200, "record the licence", "POST", "/v1/transfers/"+lic+"/record", map[string]any{})

	st := statementOf(t, asset)
	i := slices.IndexFunc(st.Licenses, func(l api.StatementLicense) bool { return l.TransferID == lic })
	if i < 0 || !st.Licensed || !slices.Contains(st.Obstacles, "exclusive-license:"+lic) {
		t.Fatalf("the statement does not show the exclusive licence: licensed %v, licences %+v, obstacles %v", st.Licensed, st.Licenses, st.Obstacles)
	}
	if l := st.Licenses[i]; l.Type != "exclusive" || l.Status != "in-force" || l.TermStart != "2026-01-01" || l.TermEnd != "2035-12-31" ||
		!slices.Equal(l.Territory, []string{"CN-HB"}) || l.FilingNumber == "" || len(l.Licensees) != 1 {
		t.Fatalf("the licence on the statement: %+v", l)
	}

	today := time.Now().In(time.FixedZone("UTC+8", 8*3600)).Format(time.DateOnly)
	terminate := "/v1/assets/" + asset + "/licenses/" + lic + "/terminate"
	stop := map[string]any{"date": today, "reason": "terminated early by agreement of the parties"}
	refuseAll(t, "licences within an exclusive one", []refusal{
		{name: "an ordinary licence in the exclusive territory", rule: "L2", reason: "exclusive-license-in-force", c: exch, method: "POST",
			path: "/v1/transfers", body: licenseRequest(asset, "ordinary", "2027-01-01", "2027-12-31", "CN")},
		{name: "a sole licence overlapping it", rule: "L2", reason: "exclusive-license-overlaps", c: exch, method: "POST",
			path: "/v1/transfers", body: licenseRequest(asset, "sole", "2030-01-01", "2036-12-31", "CN-HB-01")},
		{name: "a termination by the exchange", rule: "FORBIDDEN", c: exch, method: "POST", path: terminate, body: stop, status: 403},
	})

	ipo.write(200, "terminate the licence", "POST", terminate, stop)
	st = statementOf(t, asset)
	if slices.ContainsFunc(st.Licenses, func(l api.StatementLicense) bool { return l.TransferID == lic }) ||
		slices.Contains(st.Obstacles, "exclusive-license:"+lic) || st.Licensed {
		t.Fatalf("the statement still shows the terminated licence: licensed %v, licences %+v, obstacles %v", st.Licensed, st.Licenses, st.Obstacles)
	}
	refuseAll(t, "a second termination", []refusal{
		{name: "terminated twice", rule: "L3", reason: "already-terminated", c: ipo, method: "POST", path: terminate, body: stop},
	})
	// The territory is free again: an ordinary licence is recorded (no pledgee consent yet: requested only).
	exch.write(201, "request an ordinary licence", "POST", "/v1/transfers", licenseRequest(asset, "ordinary", "2027-01-01", "2027-12-31", "CN"))
}
