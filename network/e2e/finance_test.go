//go:build integration

package e2e

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/network/itest"
)

// TestE2E_F2F3_AValuationIsPrivateToItsFourMembersOnTheNetwork: on the real network, through each
// organization's own gateway, the IP office accredits the valuation agency (F1), the agency issues a
// report for Bank1 with its value in its collection valuation-ValuerMSP-Bank1MSP (F2), and Bank1 files
// a pledge citing it (F3). The report's public record is every member's; its value is shown, verified
// against the public hash, to the agency, Bank1, the IP office and the regulator, and to no other
// member (Bank2, the exchange, the insurer, the fund): their gateways answer the public record alone; Bank1 sees the
// loan-to-value in its pledge's private terms.
func TestE2E_F2F3_AValuationIsPrivateToItsFourMembersOnTheNetwork(t *testing.T) {
	ipo, valuer, bank1 := as(t, "IPOfficeMSP", "examiner1"), as(t, "ValuerMSP", "appraiser1"), as(t, "Bank1MSP", "officer1")
	asset := itest.Uniq("CN-E2E-F2")
	registerAll(t, itest.Patent(asset))
	ipo.write(200, "accredit the agency", "POST", "/v1/accreditations/ValuerMSP", map[string]any{
		"name": "Hubei Zhongxin Assets Appraisal Co.", "filingNumber": "HB-PG-E2E", "validFrom": "2025-01-01", "validUntil": "2035-12-31"})

	// Valid on the filing day, whatever the day the suite runs: valued 30 days ago, valid for 300 days.
	valued := time.Now().UTC().AddDate(0, 0, -30)
	report := map[string]any{"assetIds": []string{asset}, "clientBank": "Bank1MSP", "method": "income",
		"reportNumber": itest.Uniq("ZX"), "reportHash": strings.Repeat("c", 64),
		"valuationDate": valued.Format(time.DateOnly), "validUntil": valued.AddDate(0, 0, 300).Format(time.DateOnly),
		"valuation": map[string]any{"value": "8000000.00", "currency": "CNY"}}
	id := valuer.write(201, "issue the report", "POST", "/v1/valuations", report).Str(t, "id")

	entitled := map[string]bool{"ValuerMSP": true, "Bank1MSP": true, "IPOfficeMSP": true, "RegulatorMSP": true}
	seen := map[string]bool{}
	for _, o := range itest.System(t).Organizations {
		if o.Gateway == "" {
			continue
		}
		for _, u := range o.Users {
			if u.Role == string(api.RoleAdmin) {
				continue
			}
			r := as(t, o.MSPID, u.Name).Do("GET", "/v1/valuations/"+id, nil)
			got := r.Obj(t)
			if r.Status != 200 || got["id"] != id || got["clientBank"] != "Bank1MSP" {
				t.Fatalf("%s/%s: %s", o.MSPID, u.Name, r)
			}
			pv, has := got["privateValue"].(map[string]any)
			if !entitled[o.MSPID] {
				if has || strings.Contains(string(r.Body), "8000000") {
					t.Errorf("%s/%s sees the value: %s", o.MSPID, u.Name, r.Body)
				}
				continue
			}
			value, _ := pv["value"].(map[string]any)
			if value["value"] != "8000000.00" || pv["verified"] != true {
				t.Errorf("%s/%s: privateValue %v", o.MSPID, u.Name, got["privateValue"])
			}
			seen[o.MSPID] = true
		}
	}
	if len(seen) != len(entitled) {
		t.Fatalf("the value was read through the gateways of %v, want each of %v", seen, entitled)
	}

	application := itest.Application(asset)
	application["valuationReportId"] = id
	pledge := bank1.write(201, "apply citing the report", "POST", "/v1/pledges", application).Str(t, "id")
	r := bank1.Do("GET", "/v1/pledges/"+pledge, nil)
	var view struct {
		PrivateTerms *api.TermsView `json:"privateTerms"`
	}
	if err := json.Unmarshal(r.Body, &view); err != nil || r.Status != 200 || view.PrivateTerms == nil {
		t.Fatalf("Bank1's pledge: %s (%v)", r, err)
	}
	if cv := view.PrivateTerms.CitedValuation; cv == nil || cv.ReportID != id || cv.Value != "8000000.00" || cv.LoanToValue != "62.50" {
		t.Fatalf("Bank1's cited valuation: %+v", view.PrivateTerms.CitedValuation)
	}
}

// TestE2E_F7_TwoApprovalsAtOnceNeverPassTheBanksCap: the fund's rules for the year compensate 40 % of
// a net loss, at most 100,000.00 a loan and 150,000.00 a bank. Bank1 files two claims of 100,000.00
// each (a net loss of 400,000.00 each), and the fund's manager approves both at once through its own
// gateway. Each approval reads and writes the year's and the bank's counters, so however the two are
// endorsed and ordered one is decided against the other: 100,000.00 and the 50,000.00 left, never
// 200,000.00. (chaincode/chaincodetest races two approvals endorsed against one state, for Bank2.) The
// year's evaluation (F9) then holds them for the regulator, and not for Bank2.
func TestE2E_F7_TwoApprovalsAtOnceNeverPassTheBanksCap(t *testing.T) {
	fund := as(t, "FundMSP", "manager1")
	year := itest.FundYear(t, "Bank1MSP")
	var pledges [2]string
	parallel(func() { pledges[0] = itest.SoldPledge(t, "Bank1MSP") }, func() { pledges[1] = itest.SoldPledge(t, "Bank1MSP") })
	claims := itest.FiledClaims(t, "Bank1MSP", pledges[:]...)

	var replies [2]reply
	parallel(
		func() {
			replies[0] = fund.Do("POST", "/v1/fund/claims/"+claims[0]+"/approve", map[string]any{"note": "race"})
		},
		func() {
			replies[1] = fund.Do("POST", "/v1/fund/claims/"+claims[1]+"/approve", map[string]any{"note": "race"})
		},
	)
	var approved []string
	var last uint64
	for i, r := range replies {
		var res struct {
			Result   api.FundClaim `json:"result"`
			Attempts any           `json:"attempts"`
		}
		if err := json.Unmarshal(r.Body, &res); err != nil || r.Status != 200 || res.Result.Status != api.FundApproved {
			t.Fatalf("approval of %s: %s (%v)", claims[i], r, err)
		}
		approved = append(approved, res.Result.Approved)
		last = max(last, r.Block())
		t.Logf("F7: claim %s approved %s in block %d after %v attempt(s)", claims[i], res.Result.Approved, r.Block(), res.Attempts)
	}
	slices.Sort(approved)
	if !slices.Equal(approved, []string{"100000.00", "50000.00"}) {
		t.Fatalf("approved %v; want 100000.00 and the 50000.00 left of Bank1's cap", approved)
	}
	waitBlock(t, last)
	usage := fund.Do("GET", "/v1/fund/usage/"+year+"?bank=Bank1MSP", nil)
	if got := usage.Obj(t); usage.Status != 200 || got["approved"] != "150000.00" {
		t.Fatalf("Bank1's usage of the fund in %s: %s", year, usage)
	}

	// The evaluation of the year (F9) holds the two loans and the two approvals for the regulator,
	// only its own loans for Bank2, and nothing for the exchange.
	today := time.Now().In(itest.China).Format(time.DateOnly)
	var ev api.Evaluation
	r := as(t, "RegulatorMSP", "auditor1").Do("GET", "/v1/evaluation?to="+today, nil)
	if err := json.Unmarshal(r.Body, &ev); err != nil || r.Status != 200 || ev.Loans.Loans < 2 || ev.Fund.Approved < 2 ||
		ev.Loans.Defaulted < 2 || !slices.ContainsFunc(ev.ByBank, func(g api.EvaluationGroup) bool { return g.Key == "Bank1MSP" && g.Loans >= 2 }) {
		t.Fatalf("the regulator's evaluation: %s (%v)", r, err)
	}
	r = as(t, "Bank2MSP", "officer1").Do("GET", "/v1/evaluation?to="+today, nil)
	if err := json.Unmarshal(r.Body, &ev); err != nil || r.Status != 200 || ev.Pledgee != "Bank2MSP" ||
		slices.ContainsFunc(ev.ByBank, func(g api.EvaluationGroup) bool { return g.Key != "Bank2MSP" }) {
		t.Fatalf("Bank2's evaluation: %s (%v)", r, err)
	}
	refused(t, as(t, "ExchangeMSP", "trader1").Do("GET", "/v1/evaluation", nil), 403, "FORBIDDEN", "the exchange's evaluation")
}
