//go:build integration

package e2e

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ipledger/ipledger/network/itest"
)

// TestE2E_P11P12P13_MaximumAmountThirdPartyDebtorDeregistration: Bank1 files a maximum-amount pledge
// (P11) securing a third party's debts (P12); the IP office registers it and the register shows its
// security type, period and debtor. A claim above the maximum amount, or of claims arisen outside the
// period, is refused; one above the credit line's amount but within the maximum is stated. Only the
// IP office deregisters (P13): the bank is 403, a pledge not active 409; on an arbitral award the
// pledge ends, deregistered, and leaves its right; a second ordinary pledge is deregistered on the
// pledgor's request.
func TestE2E_P11P12P13_MaximumAmountThirdPartyDebtorDeregistration(t *testing.T) {
	ipo, bank1 := as(t, "IPOfficeMSP", "examiner1"), as(t, "Bank1MSP", "officer1")
	maxRight, ordRight := itest.Uniq("PT-E2E-MAX"), itest.Uniq("PT-E2E-ORD")
	registerAll(t, itest.Patent(maxRight), itest.Patent(ordRight))

	debtor := map[string]any{"id": "91420100MA4K0123", "name": "Hanyang Components Co."}
	app := itest.Application(maxRight)
	app["securityType"] = "maximum-amount"
	app["claimPeriod"] = map[string]any{"start": "2020-01-01", "end": "2035-12-31"}
	app["debtor"] = debtor
	terms := itest.Terms("5000000.00")
	terms["maximumAmount"] = "8000000.00"
	app["terms"] = terms
	maxID := bank1.write(201, "apply (maximum amount, third-party debtor)", "POST", "/v1/pledges", app).Str(t, "id")
	ipo.write(200, "register", "POST", "/v1/pledges/"+maxID+"/register", map[string]any{"registrationNumber": "Y-" + maxID})
	ordID := bank1.write(201, "apply (ordinary)", "POST", "/v1/pledges", itest.Application(ordRight)).Str(t, "id")

	var pledge struct {
		ClaimPeriod  map[string]string   `json:"claimPeriod"`
		Debtors      []map[string]string `json:"debtors"`
		SecurityType string              `json:"securityType"`
		Status       string              `json:"status"`
	}
	r := as(t, "ExchangeMSP", "trader1").Do("GET", "/v1/pledges/"+maxID, nil)
	if err := json.Unmarshal(r.Body, &pledge); r.Status != 200 || err != nil || pledge.SecurityType != "maximum-amount" ||
		pledge.ClaimPeriod["end"] != "2035-12-31" || len(pledge.Debtors) != 1 || pledge.Debtors[0]["id"] != debtor["id"] {
		t.Fatalf("the public pledge: %s", r)
	}
	if v := as(t, "ExchangeMSP", "trader1").Do("GET", "/v1/verify/"+maxRight, nil); v.Status != 200 ||
		!strings.Contains(string(v.Body), `"debtors":[{"id":"91420100MA4K0123"`) || !strings.Contains(string(v.Body), `"securityType":"maximum-amount"`) {
		t.Fatalf("the statement shows the debtor and the security type: %s", v)
	}

	yesterday := time.Now().In(time.FixedZone("UTC+8", 8*3600)).AddDate(0, 0, -1).Format(time.DateOnly)
	claim := func(amount, from string) map[string]any {
		return map[string]any{"amount": amount, "currency": "CNY", "arisenFrom": from, "arisenTo": yesterday}
	}
	award := map[string]any{"basis": "arbitral-award", "documentHash": strings.Repeat("cd", 32), "reference": "WHAC (2025) 77"}
	refuseAll(t, "P11 and P13 refusals", []refusal{
		{name: "a claim above the maximum amount", rule: "P11", reason: "claim-above-maximum-amount", c: bank1, method: "POST",
			path: "/v1/pledges/" + maxID + "/claim", body: claim("8000000.01", "2021-01-01")},
		{name: "claims arisen before the period", rule: "P11", reason: "claim-outside-period", c: bank1, method: "POST",
			path: "/v1/pledges/" + maxID + "/claim", body: claim("1000000.00", "2019-12-31")},
		{name: "the pledgee bank does not deregister", rule: "FORBIDDEN", c: bank1, method: "POST", status: 403,
			path: "/v1/pledges/" + maxID + "/deregister", body: award},
		{name: "an application is not deregistered", rule: "P13", reason: "wrong-status", c: ipo, method: "POST",
			path: "/v1/pledges/" + ordID + "/deregister", body: award},
	})
	stated := bank1.write(200, "claim within the maximum amount", "POST", "/v1/pledges/"+maxID+"/claim", claim("6500000.00", "2021-01-01"))
	if !strings.Contains(string(stated.Body), `"amount":"6500000.00"`) {
		t.Fatalf("stated claim: %s", stated)
	}

	done := ipo.write(200, "deregister on an arbitral award", "POST", "/v1/pledges/"+maxID+"/deregister", award)
	if !strings.Contains(string(done.Body), `"status":"deregistered"`) || !strings.Contains(string(done.Body), `"basis":"arbitral-award"`) {
		t.Fatalf("deregistered: %s", done)
	}
	if a := ipo.Do("GET", "/v1/assets/"+maxRight, nil); a.Status != 200 || !strings.Contains(string(a.Body), `"encumbrances":[]`) {
		t.Fatalf("the right after the deregistration: %s", a)
	}
	ipo.write(200, "register the ordinary pledge", "POST", "/v1/pledges/"+ordID+"/register", map[string]any{"registrationNumber": "Y-" + ordID})
	ipo.write(200, "deregister on the pledgor's request", "POST", "/v1/pledges/"+ordID+"/deregister",
		map[string]any{"basis": "pledgor-request", "documentHash": strings.Repeat("ef", 32)})
	if n := pledgesOn(t, ordRight); n != 1 {
		t.Fatalf("%s has %d pledges", ordRight, n)
	}
}
