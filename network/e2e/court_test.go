//go:build integration

package e2e

import (
	"encoding/json"
	"testing"

	"github.com/ipledger/ipledger/network/itest"
)

// measures is the court measures of a right as its gateway shows them.
type measures struct {
	CourtMeasures []struct {
		Court              string `json:"court"`
		EffectiveFrom      string `json:"effectiveFrom"`
		LiftedByTransferID string `json:"liftedByTransferId"`
		N                  int    `json:"n"`
		Priority           int    `json:"priority"`
		Status             string `json:"status"`
	} `json:"courtMeasures"`
	Freeze struct {
		Active bool   `json:"active"`
		Court  string `json:"court"`
	} `json:"freeze"`
}

// states is "n:status:priority" for each measure, in order of arrival.
func (m measures) states() []string {
	var out []string
	for _, x := range m.CourtMeasures {
		out = append(out, string(rune('0'+x.N))+":"+x.Status+":"+string(rune('0'+x.Priority)))
	}
	return out
}

func measuresOf(t *testing.T, c *caller, assetID string) measures {
	t.Helper()
	r := c.Do("GET", "/v1/assets/"+assetID, nil)
	if r.Status != 200 {
		t.Fatalf("get %s: %s", assetID, r)
	}
	var m measures
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func wantStates(t *testing.T, what string, m measures, want ...string) {
	t.Helper()
	got := m.states()
	if len(got) != len(want) {
		t.Fatalf("%s: measures %v, want %v", what, got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("%s: measures %v, want %v", what, got, want)
		}
	}
}

// TestE2E_C1C3_SuccessiveFreezesAndAJudicialAuction: through the gateways, two courts freeze a pledged
// trademark (the second waits, C1); a pledge, a trade and a transfer by the waiting court are refused
// (P4, T2 frozen; C3 another-court-freeze-effective); lifting the first freeze makes the second
// effective (C2) and a waiting third, lifted, leaves the queue; the exchange then records the judicial
// auction of the court in effect: no consent, the pledge discharged with the court's decision, every
// measure ended (C3).
func TestE2E_C1C3_SuccessiveFreezesAndAJudicialAuction(t *testing.T) {
	ipo, bank1, exch, reg := as(t, "IPOfficeMSP", "examiner1"), as(t, "Bank1MSP", "officer1"), as(t, "ExchangeMSP", "trader1"),
		as(t, "RegulatorMSP", "auditor1")
	tm := itest.Uniq("TM-E2E-C")
	registerAll(t, itest.Trademark(tm, ""))
	p := bank1.write(201, "apply", "POST", "/v1/pledges", itest.Application(tm)).Str(t, "id")
	ipo.write(200, "register", "POST", "/v1/pledges/"+p+"/register", map[string]any{"registrationNumber": "Y-" + p})

	const second, third = "武汉市武昌区人民法院", "武汉市汉阳区人民法院"
	freezes := "/v1/assets/" + tm + "/freezes"
	ipo.write(200, "first freeze", "POST", freezes, itest.Freeze(itest.Court, "(2026)鄂01执保21号"))
	ipo.write(200, "second freeze", "POST", freezes, itest.Freeze(second, "(2026)鄂0106执保7号"))
	ipo.write(200, "third freeze", "POST", freezes, itest.Freeze(third, "(2026)鄂0105执保3号"))
	m := measuresOf(t, reg, tm)
	wantStates(t, "three freezes", m, "1:effective:1", "2:waiting:2", "3:waiting:3")
	if !m.Freeze.Active || m.Freeze.Court != itest.Court {
		t.Fatalf("the freeze flag is not the first court's: %+v", m.Freeze)
	}
	t.Logf("C1: %s's freeze in effect, %s and %s waiting", itest.Court, second, third)

	other := itest.Application(tm)
	other["pledgeeName"] = "Bank One Hankou"
	refuseAll(t, "refusals while frozen", []refusal{
		{name: "the same decision twice", rule: "C1", reason: "freeze-already-recorded", c: ipo, method: "POST", path: freezes,
			body: itest.Freeze(second, "(2026)鄂0106执保7号")},
		{name: "a pledge of a frozen right", rule: "P4", reason: "frozen", c: bank1, method: "POST", path: "/v1/pledges", body: other},
		{name: "a trade of a frozen right", rule: "T2", reason: "frozen", c: exch, method: "POST", path: "/v1/transfers", body: itest.TradeTransfer(tm)},
		{name: "an auction of the waiting court", rule: "C3", reason: "another-court-freeze-effective", c: exch, method: "POST",
			path: "/v1/transfers", body: itest.CourtTransfer(tm, "judicial-auction", second, "(2026)鄂0106执12号", true)},
		{name: "a bank records a freeze", rule: "FORBIDDEN", c: bank1, method: "POST", path: freezes,
			body: itest.Freeze(second, "(2026)鄂0106执保8号"), status: 403},
	})

	ipo.write(200, "lift the third (waiting)", "POST", freezes+"/3/lift", map[string]any{"ref": "(2026)鄂0105执保3号之一"})
	ipo.write(200, "lift the first (in effect)", "POST", freezes+"/1/lift", map[string]any{"ref": "(2026)鄂01执保21号之一"})
	m = measuresOf(t, reg, tm)
	wantStates(t, "after the lifts", m, "1:lifted:0", "2:effective:1", "3:lifted:0")
	if m.Freeze.Court != second || m.CourtMeasures[1].EffectiveFrom == "" {
		t.Fatalf("the second freeze did not take effect: %+v", m)
	}
	refuseAll(t, "a lifted freeze", []refusal{
		{name: "lifted twice", rule: "C2", reason: "already-lifted", c: ipo, method: "POST", path: freezes + "/1/lift",
			body: map[string]any{"ref": "again"}},
	})
	t.Logf("C2: the first lifted, %s's freeze in effect since %s; the third left the queue", second, m.CourtMeasures[1].EffectiveFrom)

	tr := exch.write(201, "request the auction's transfer", "POST", "/v1/transfers",
		itest.CourtTransfer(tm, "judicial-auction", second, "(2026)鄂0106执12号", false)).Str(t, "id")
	ipo.write(200, "record the auction's transfer", "POST", "/v1/transfers/"+tr+"/record", map[string]any{})
	m = measuresOf(t, reg, tm)
	wantStates(t, "after the auction", m, "1:lifted:0", "2:lifted:0", "3:lifted:0")
	if m.Freeze.Active || m.CourtMeasures[1].LiftedByTransferID != tr {
		t.Fatalf("the auction did not end the freezes: %+v", m)
	}
	var pledge struct {
		Status    string `json:"status"`
		Discharge struct {
			Court      string `json:"court"`
			CourtRef   string `json:"courtRef"`
			TransferID string `json:"transferId"`
		} `json:"discharge"`
	}
	_ = json.Unmarshal(reg.Do("GET", "/v1/pledges/"+p, nil).Body, &pledge)
	if pledge.Status != "discharged" || pledge.Discharge.Court != second || pledge.Discharge.CourtRef != "(2026)鄂0106执12号" ||
		pledge.Discharge.TransferID != tr {
		t.Fatalf("the pledge after the auction: %+v", pledge)
	}
	var st struct {
		Statement struct {
			Owners []struct {
				ID string `json:"id"`
			} `json:"owners"`
			Unencumbered  bool  `json:"unencumbered"`
			CourtMeasures []any `json:"courtMeasures"`
		} `json:"statement"`
	}
	_ = json.Unmarshal(exch.Do("GET", "/v1/verify/"+tm, nil).Body, &st)
	if !st.Statement.Unencumbered || len(st.Statement.CourtMeasures) != 0 || len(st.Statement.Owners) != 1 ||
		st.Statement.Owners[0].ID != itest.BuyerID {
		t.Fatalf("the statement after the auction: %+v", st.Statement)
	}
	t.Logf("C3: the judicial auction %s recorded without consent; pledge %s discharged by %s's decision; no measure left", tr, p, second)
}
