//go:build integration

package e2e

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ipledger/ipledger/network/itest"
)

// registerAll registers the rights at once through the IP office's gateway.
func registerAll(t *testing.T, assets ...map[string]any) {
	t.Helper()
	ipo := as(t, "IPOfficeMSP", "examiner1")
	var steps []func()
	for _, a := range assets {
		steps = append(steps, func() { ipo.write(201, "register "+a["id"].(string), "POST", "/v1/assets", a) })
	}
	parallel(steps...)
}

// pledgesOn is the number of pledges, of any status, on the right.
func pledgesOn(t *testing.T, assetID string) int {
	t.Helper()
	r := as(t, "RegulatorMSP", "auditor1").Do("GET", "/v1/pledges?assetId="+assetID, nil)
	if r.Status != 200 {
		t.Fatalf("list pledges on %s: %s", assetID, r)
	}
	var page struct {
		Items []json.RawMessage `json:"items"`
	}
	_ = json.Unmarshal(r.Body, &page)
	return len(page.Items)
}

// refusal is one request the rules must refuse, with the rule id and reason expected.
type refusal struct {
	name, rule, reason string
	c                  *caller
	method, path       string
	body               any
	status             int // default 409
}

// refuseAll sends the requests, each of which must be refused as expected, and proves that together
// they wrote nothing but their refusals (each kept under its request id, I3).
func refuseAll(t *testing.T, what string, rs []refusal) {
	t.Helper()
	itest.KeepsOnlyRefusals(t, what, func() []itest.APIError {
		var kept []itest.APIError
		for _, r := range rs {
			status := r.status
			if status == 0 {
				status = 409
			}
			e := refused(t, r.c.Do(r.method, r.path, r.body), status, r.rule, r.name)
			if r.reason != "" && e.Details["reason"] != r.reason {
				t.Fatalf("%s: reason %q, want %q: %s", r.name, e.Details["reason"], r.reason, e.Message)
			}
			t.Logf("refused %-44s %d %-9s %-24s %s", r.name, status, r.rule, e.Details["reason"], e.Message)
			if status == 409 {
				kept = append(kept, e)
			}
		}
		return kept
	})
	t.Logf("%s: %d refusals, nothing written but the refusals", what, len(rs))
}

// TestE2E_P4_EveryRefusalGround: each ground on which the IP office must refuse a pledge (P1, P4, P5),
// through Bank1's gateway at filing, and one at registration: 409 with the rule id, nothing written.
func TestE2E_P4_EveryRefusalGround(t *testing.T) {
	ipo, bank1, bank2 := as(t, "IPOfficeMSP", "examiner1"), as(t, "Bank1MSP", "officer1"), as(t, "Bank2MSP", "officer1")
	id := func(s string) string { return itest.Uniq("CN-E2E-P4-" + s) }
	ok, co, lapsed, fees, frozen, disputed := id("OK"), id("CO"), id("LAPSED"), id("FEES"), id("FROZEN"), id("DISPUTED")
	short, inval, pledged, late := id("SHORT"), id("INVAL"), id("PLEDGED"), id("LATE")
	family := itest.Uniq("FAM")
	tmA, tmB := itest.Uniq("TM-E2E-A"), itest.Uniq("TM-E2E-B")

	coOwned := itest.Patent(co)
	coOwned["owners"] = []any{map[string]any{"id": itest.OwnerID, "name": itest.OwnerName, "share": 6000},
		map[string]any{"id": "91420100MA4K0077", "name": "Hankou Optics Co.", "share": 4000}}
	lapsedP := itest.Patent(lapsed)
	lapsedP["legalStatus"] = "lapsed"
	feesP := itest.Patent(fees)
	feesP["feesPaidThrough"] = "2025-01-15" // before today: unpaid
	shortP := itest.Patent(short)
	shortP["expiryDate"] = "2027-06-30" // before the debt term ends (2027-12-31)
	registerAll(t, itest.Patent(ok), coOwned, lapsedP, feesP, itest.Patent(frozen), itest.Patent(disputed), shortP, itest.Patent(inval),
		itest.Patent(pledged), itest.Patent(late), itest.Trademark(tmA, family), itest.Trademark(tmB, family))
	parallel(
		func() {
			ipo.write(200, "freeze", "POST", "/v1/assets/"+frozen+"/freezes", itest.Freeze(itest.Court, "(2026)E0102-1"))
		},
		func() {
			ipo.write(200, "dispute", "PATCH", "/v1/assets/"+disputed, map[string]any{"dispute": map[string]any{"active": true, "ref": "(2026)E0102-2"}})
		},
		func() {
			ipo.write(200, "invalidation", "PATCH", "/v1/assets/"+inval, map[string]any{"invalidation": map[string]any{"active": true, "ref": "4W112233"}})
		},
		func() {
			p := bank1.write(201, "apply", "POST", "/v1/pledges", itest.Application(pledged)).Str(t, "id")
			ipo.write(200, "register", "POST", "/v1/pledges/"+p+"/register", map[string]any{"registrationNumber": "Y-" + p})
		},
	)
	lateID := bank1.write(201, "apply", "POST", "/v1/pledges", itest.Application(late)).Str(t, "id")
	ipo.write(200, "freeze after filing", "POST", "/v1/assets/"+late+"/freezes", itest.Freeze(itest.Court, "(2026)E0102-3"))

	stranger := itest.Application(ok)
	stranger["pledgors"] = []any{map[string]any{"id": itest.OwnerID, "name": itest.OwnerName}, map[string]any{"id": "91420100MA4K0099", "name": "Stranger Co."}}
	apply := func(name, rule, reason string, body map[string]any, c *caller) refusal {
		return refusal{name: name, rule: rule, reason: reason, c: c, method: "POST", path: "/v1/pledges", body: body}
	}
	refuseAll(t, "P4 refusal grounds", []refusal{
		apply("a pledgor is not an owner", "P1", "not-owner", stranger, bank1),
		apply("a co-owner is missing", "P1", "owner-missing", itest.Application(co), bank1),
		apply("the right is not valid (lapsed)", "P4", "not-valid", itest.Application(lapsed), bank1),
		apply("the patent's fees are unpaid", "P4", "fees-unpaid", itest.Application(fees), bank1),
		apply("the right is frozen by a court", "P4", "frozen", itest.Application(frozen), bank1),
		apply("the ownership is disputed", "P4", "disputed", itest.Application(disputed), bank1),
		apply("the debt term ends after expiry", "P4", "term-after-expiry", itest.Application(short), bank1),
		apply("the patent already has a pledge", "P5", "patent-already-pledged", itest.Application(pledged), bank2),
		apply("invalidation pending, not acknowledged", "P4", "invalidation-pending", itest.Application(inval), bank1),
		apply("a similar mark is left out", "P4", "similar-marks-missing", itest.Application(tmA), bank1),
		{name: "frozen after filing, at registration", rule: "P4", reason: "frozen", c: ipo, method: "POST",
			path: "/v1/pledges/" + lateID + "/register", body: map[string]any{"registrationNumber": "Y-" + lateID}},
	})
	for _, a := range []string{ok, co, lapsed, fees, frozen, disputed, short, inval, tmA, tmB} {
		if n := pledgesOn(t, a); n != 0 {
			t.Fatalf("%s has %d pledges after refusals", a, n)
		}
	}
	if n := pledgesOn(t, pledged); n != 1 {
		t.Fatalf("%s has %d pledges, want its one", pledged, n)
	}
	// The acknowledged risk and the whole family are accepted.
	ack := itest.Application(inval)
	ack["acknowledgeInvalidationRisk"] = true
	bank1.write(201, "apply, risk acknowledged", "POST", "/v1/pledges", ack)
	bank1.write(201, "apply, family together", "POST", "/v1/pledges", itest.Application(tmA, tmB))
	t.Log("accepted: the pending invalidation with the risk acknowledged; the two marks of one family together")
}

// TestE2E_P5P8_TrademarkRanksAndDisposal: a trademark package carries several pledges ranked by
// registration (P5: 1, 2, 3); on Bank2's default the exchange disposes of it, and every wrong
// distribution of the price is refused before the right one, by rank with the surplus to the pledgor
// (P8), is recorded.
func TestE2E_P5P8_TrademarkRanksAndDisposal(t *testing.T) {
	ipo, bank1, bank2, exch := as(t, "IPOfficeMSP", "examiner1"), as(t, "Bank1MSP", "officer1"), as(t, "Bank2MSP", "officer1"),
		as(t, "ExchangeMSP", "trader1")
	family := itest.Uniq("FAM")
	tmA, tmB := itest.Uniq("TM-E2E-RA"), itest.Uniq("TM-E2E-RB")
	registerAll(t, itest.Trademark(tmA, family), itest.Trademark(tmB, family))

	// Three applications, registered in order: Bank1, Bank2, Bank1.
	var pledges []string
	for i, bank := range []*caller{bank1, bank2, bank1} {
		p := bank.write(201, "apply", "POST", "/v1/pledges", itest.Application(tmA, tmB)).Str(t, "id")
		r := ipo.write(200, "register", "POST", "/v1/pledges/"+p+"/register", map[string]any{"registrationNumber": "Y-" + p})
		var reg struct {
			Result struct {
				Ranks []struct {
					AssetID string `json:"assetId"`
					Rank    int    `json:"rank"`
				} `json:"ranks"`
			} `json:"result"`
		}
		_ = json.Unmarshal(r.Body, &reg)
		if len(reg.Result.Ranks) != 2 || reg.Result.Ranks[0].Rank != i+1 || reg.Result.Ranks[1].Rank != i+1 {
			t.Fatalf("pledge %d of %s: ranks %+v, want %d on both marks", i+1, bank.Org, reg.Result.Ranks, i+1)
		}
		t.Logf("P5: pledge %s of %s registered with rank %d on both marks", p, bank.Org, i+1)
		pledges = append(pledges, p)
	}
	var asset struct {
		Encumbrances []struct {
			PledgeID string `json:"pledgeId"`
			Rank     int    `json:"rank"`
		} `json:"encumbrances"`
	}
	_ = json.Unmarshal(exch.Do("GET", "/v1/assets/"+tmA, nil).Body, &asset)
	if len(asset.Encumbrances) != 3 {
		t.Fatalf("encumbrances %+v", asset.Encumbrances)
	}
	for i, e := range asset.Encumbrances {
		if e.PledgeID != pledges[i] || e.Rank != i+1 {
			t.Fatalf("encumbrances %+v, want %v ranked 1, 2, 3", asset.Encumbrances, pledges)
		}
	}
	p1, p2, p3 := pledges[0], pledges[1], pledges[2]

	claim := func(amount string) map[string]any { return map[string]any{"amount": amount, "currency": "CNY"} }
	bank2.write(200, "default", "POST", "/v1/pledges/"+p2+"/default", map[string]any{"reason": "missed payments", "claim": claim("3000000.00")})
	t.Logf("P8: Bank2 declares default on its rank-2 pledge %s, claiming 3000000.00", p2)
	bank1.write(200, "claim", "POST", "/v1/pledges/"+p1+"/claim", claim("4000000.00"))
	bank1.write(200, "claim", "POST", "/v1/pledges/"+p3+"/claim", claim("1500000.00"))
	t.Logf("P8: Bank1 states its claims: 4000000.00 on %s (rank 1), 1500000.00 on %s (rank 3)", p1, p3)
	type share struct {
		id, amount string
	}
	disposal := func(surplus string, shares ...share) map[string]any {
		var proceeds []any
		for _, s := range shares {
			proceeds = append(proceeds, map[string]any{"pledgeId": s.id, "amount": s.amount})
		}
		return map[string]any{"method": "auction", "price": "9000000.00", "currency": "CNY", "saleRef": itest.Uniq("AUC"),
			"buyers":   []any{map[string]any{"id": "91420100MA4K0009", "name": "Hubei Photonics", "share": 10000}},
			"proceeds": proceeds, "surplus": surplus}
	}
	dispose := func(name, reason, pledge string, body map[string]any) refusal {
		return refusal{name: name, rule: "P8", reason: reason, c: exch, method: "POST", path: "/v1/pledges/" + pledge + "/dispose", body: body}
	}
	refuseAll(t, "P8 wrong disposals", []refusal{
		dispose("a pledge not in default", "wrong-status", p1, disposal("0", share{p1, "9000000.00"})),
		dispose("proceeds to a pledge not on the right", "not-an-encumbrance", p2, disposal("0", share{p2, "4000000.00"}, share{"PL-NOT-ON-IT", "5000000.00"})),
		dispose("proceeds out of rank order", "out-of-rank-order", p2, disposal("0", share{p2, "4000000.00"}, share{p1, "5000000.00"})),
		dispose("the disposing pledge left out", "disposing-pledge-missing", p2, disposal("0", share{p1, "9000000.00"})),
		dispose("rank 1 left out", "pledge-not-listed", p2, disposal("0", share{p2, "9000000.00"})),
		dispose("rank 2 paid while rank 1 is not in full", "better-rank-unpaid", p2, disposal("3500000.00", share{p1, "1000000.00"}, share{p2, "3000000.00"}, share{p3, "1500000.00"})),
		dispose("a share above its claim", "share-above-claim", p2, disposal("0", share{p1, "4500000.00"}, share{p2, "3000000.00"}, share{p3, "1500000.00"})),
		dispose("surplus while rank 3 is unpaid", "surplus-before-creditors", p2, disposal("2000000.00", share{p1, "4000000.00"}, share{p2, "3000000.00"}, share{p3, "0"})),
		dispose("proceeds do not add up to the price", "proceeds-do-not-add-up", p2, disposal("0", share{p1, "4000000.00"}, share{p2, "3000000.00"}, share{p3, "1000000.00"})),
		{name: "the other bank defaults Bank1's pledge", rule: "FORBIDDEN", c: bank2, method: "POST", path: "/v1/pledges/" + p1 + "/default",
			body: map[string]any{"reason": "not mine", "claim": claim("1.00")}, status: 403},
	})

	r := exch.write(200, "dispose", "POST", "/v1/pledges/"+p2+"/dispose",
		disposal("500000.00", share{p1, "4000000.00"}, share{p2, "3000000.00"}, share{p3, "1500000.00"}))
	var res struct {
		Result struct {
			Status   string `json:"status"`
			Disposal struct {
				Proceeds []struct {
					PledgeID, Amount string
					Rank             int
				} `json:"proceeds"`
				Surplus   string `json:"surplus"`
				SurplusTo []struct {
					ID string `json:"id"`
				} `json:"surplusTo"`
				TransferIDs []string `json:"transferIds"`
			} `json:"disposal"`
		} `json:"result"`
	}
	_ = json.Unmarshal(r.Body, &res)
	d := res.Result.Disposal
	if res.Result.Status != "disposed" || len(d.Proceeds) != 3 || d.Proceeds[0].Rank != 1 || d.Proceeds[1].Rank != 2 ||
		d.Proceeds[2].Rank != 3 || d.Surplus != "500000.00" || len(d.SurplusTo) != 1 || d.SurplusTo[0].ID != itest.OwnerID ||
		len(d.TransferIDs) != 2 {
		t.Fatalf("disposal %s", r.Body)
	}
	t.Logf("P8: disposed: 9000000.00 applied by rank 1: %s, 2: %s, 3: %s; surplus %s to the pledgor %s; transfers to the buyer %v",
		d.Proceeds[0].Amount, d.Proceeds[1].Amount, d.Proceeds[2].Amount, d.Surplus, d.SurplusTo[0].ID, d.TransferIDs)
	_ = json.Unmarshal(exch.Do("GET", "/v1/assets/"+tmA, nil).Body, &asset)
	if len(asset.Encumbrances) != 0 {
		t.Fatalf("after the disposal the mark carries %+v; the sale purges every pledge", asset.Encumbrances)
	}
	for _, p := range []string{p1, p3} {
		if st := exch.Do("GET", "/v1/pledges/"+p, nil).Str(t, "status"); st != "discharged" {
			t.Fatalf("pledge %s is %s after the disposal, want discharged", p, st)
		}
	}
	t.Logf("P8: the sale purges the marks: %s disposed, %s and %s discharged with their shares", p2, p1, p3)
}

// TestE2E_P6_ChangeExtensionRevocation: the pledgee changes and extends its pledge, wrong changes are
// refused, the IP office revokes it, and nothing is done on a revoked pledge (P6).
func TestE2E_P6_ChangeExtensionRevocation(t *testing.T) {
	ipo, bank1, bank2, reg := as(t, "IPOfficeMSP", "examiner1"), as(t, "Bank1MSP", "officer1"), as(t, "Bank2MSP", "officer1"),
		as(t, "RegulatorMSP", "auditor1")
	a := itest.Uniq("CN-E2E-P6")
	registerAll(t, itest.Patent(a))
	p := bank1.write(201, "apply", "POST", "/v1/pledges", itest.Application(a)).Str(t, "id")
	ipo.write(200, "register", "POST", "/v1/pledges/"+p+"/register", map[string]any{"registrationNumber": "Y-" + p})

	// Filed by the pledgee, in force once the IP office records it.
	pending := func(r reply) string {
		id, _ := r.Obj(t)["result"].(map[string]any)["pendingChangeId"].(string)
		return id
	}
	amended := bank1.write(200, "amend", "POST", "/v1/pledges/"+p+"/amend", map[string]any{"pledgeeName": "Bank One Hubei",
		"contractHash": strings.Repeat("cd", 32), "terms": itest.Terms("4200000.00")})
	if r := reg.Do("GET", "/v1/pledges/"+p, nil); !strings.Contains(string(r.Body), `"pledgee":{"msp":"Bank1MSP","name":"Bank One Wuhan"}`) {
		t.Fatalf("a filed amendment changed the pledge: %s", r)
	}
	ipo.write(200, "record amendment", "POST", "/v1/pledges/"+p+"/changes/"+pending(amended)+"/record", map[string]any{})
	if r := reg.Do("GET", "/v1/pledges/"+p, nil); !strings.Contains(string(r.Body), "4200000.00") || !strings.Contains(string(r.Body), `"name":"Bank One Hubei"`) ||
		!strings.Contains(string(r.Body), `"verified":true`) {
		t.Fatalf("amendment not seen: %s", r)
	}
	t.Log("P6 change (变更): Bank1 files its new name and private terms (amount 4200000.00, with the supplementary contract), the IP office records them")
	extended := bank1.write(200, "extend", "POST", "/v1/pledges/"+p+"/extend", map[string]any{"debtTermEnd": "2029-12-31"})
	ipo.write(200, "record extension", "POST", "/v1/pledges/"+p+"/changes/"+pending(extended)+"/record", map[string]any{})
	t.Log("P6 extension (延期): filed and recorded, the debt term now ends 2029-12-31")

	changed := map[string]any{"pledgors": []any{map[string]any{"id": "91420100MA4K0055", "name": "Someone Else"}}}
	refuseAll(t, "P6 wrong changes", []refusal{
		{name: "a new amount without the supplementary contract", rule: "P6", reason: "contract-hash-required", c: bank1, method: "POST", path: "/v1/pledges/" + p + "/amend", body: map[string]any{"terms": itest.Terms("4300000.00")}},
		{name: "a change of who the pledgors are", rule: "P6", reason: "pledgors-changed", c: bank1, method: "POST", path: "/v1/pledges/" + p + "/amend", body: changed},
		{name: "an extension that is not later", rule: "P6", reason: "not-later", c: bank1, method: "POST", path: "/v1/pledges/" + p + "/extend", body: map[string]any{"debtTermEnd": "2028-01-01"}},
		{name: "an extension past the right's expiry", rule: "P4", reason: "term-after-expiry", c: bank1, method: "POST", path: "/v1/pledges/" + p + "/extend", body: map[string]any{"debtTermEnd": "2041-01-01"}},
		{name: "a change by the other bank", rule: "FORBIDDEN", c: bank2, method: "POST", path: "/v1/pledges/" + p + "/amend", body: map[string]any{"pledgeeName": "Bank Two"}, status: 403},
		{name: "a revocation by the pledgee", rule: "FORBIDDEN", c: bank1, method: "POST", path: "/v1/pledges/" + p + "/revoke", body: map[string]any{"reason": "mine"}, status: 403},
	})

	r := ipo.write(200, "revoke", "POST", "/v1/pledges/"+p+"/revoke", map[string]any{"reason": "registered on a forged contract"})
	if !strings.Contains(string(r.Body), `"status":"revoked"`) {
		t.Fatalf("revoke: %s", r)
	}
	t.Log("P6 revocation (撤销): the IP office revokes the improper registration")
	refuseAll(t, "P6 on a revoked pledge", []refusal{
		{name: "release of a revoked pledge", rule: "P6", reason: "wrong-status", c: bank1, method: "POST", path: "/v1/pledges/" + p + "/release", body: map[string]any{"reason": "repaid"}},
		{name: "extension of a revoked pledge", rule: "P6", reason: "wrong-status", c: bank1, method: "POST", path: "/v1/pledges/" + p + "/extend", body: map[string]any{"debtTermEnd": "2030-12-31"}},
		{name: "revocation of a revoked pledge", rule: "P6", reason: "wrong-status", c: ipo, method: "POST", path: "/v1/pledges/" + p + "/revoke", body: map[string]any{"reason": "again"}},
	})
	// The right is free again: a new pledge is accepted.
	bank2.write(201, "apply after revocation", "POST", "/v1/pledges", itest.Application(a))
	t.Log("after the revocation the patent is free: Bank2's application is accepted")
}
