package httpapi

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ipledger/ipledger/chaincode/api"
)

// The rules corrected in this register, each through the HTTP API over the real rules (the in-memory
// ledger behind every organization's gateway, as the documented examples run).

const buyerY = `[{"id":"91420100MA4K0002","name":"Jiangcheng Lasers Co.","share":10000}]`
const ownerX = `[{"id":"91420100MA4K0001","name":"Wuhan Optics Co.","share":10000}]`

func (o *orgs) must(as, method, path, body string, status int) map[string]any {
	o.t.Helper()
	got, raw := o.send(as, method, path, body)
	var out map[string]any
	if got != status || json.Unmarshal(raw, &out) != nil {
		o.t.Fatalf("%s %s: %d %s, want %d", method, path, got, raw, status)
	}
	return out
}

func (o *orgs) pledgeRecord(id string) api.Pledge {
	o.t.Helper()
	_, raw := o.send("regulator/auditor1", http.MethodGet, "/v1/pledges/"+id, "")
	var p api.Pledge
	if err := json.Unmarshal(raw, &p); err != nil {
		o.t.Fatalf("pledge %s: %s", id, raw)
	}
	return p
}

func (o *orgs) trade(assetID, to string) string {
	o.t.Helper()
	return o.created("exchange/trader1", "/v1/transfers", `{"assetId":"`+assetID+`","kind":"assignment","origin":"trade",`+
		`"tradeRef":"T-`+assetID+`","newOwners":`+to+`}`)
}

// T3: after X→Y→X a request made when X first owned the right is stale: 409 T3 title-changed.
func TestHTTP_T3_AStaleRequestIsRefusedAfterXToYToX(t *testing.T) {
	o := newOrgs(t)
	a := o.helper("new_asset", nil)
	stale := o.trade(a, buyerY)
	o.must("ipoffice/examiner1", http.MethodPost, "/v1/transfers/"+o.trade(a, buyerY)+"/record", `{}`, http.StatusOK)
	o.must("ipoffice/examiner1", http.MethodPost, "/v1/transfers/"+o.trade(a, ownerX)+"/record", `{}`, http.StatusOK)
	e := o.must("ipoffice/examiner1", http.MethodPost, "/v1/transfers/"+stale+"/record", `{}`, http.StatusConflict)["error"].(map[string]any)
	if e["code"] != "T3" || e["details"].(map[string]any)["reason"] != "title-changed" {
		t.Fatalf("stale request: %v", e)
	}
}

// P7 and P10: a consented assignment gives the pledge the new owners as pledgors; a lapse of the right
// is recorded on the pledge.
func TestHTTP_P7P10_ThePledgeFollowsTheRightAndRecordsItsLoss(t *testing.T) {
	o := newOrgs(t)
	a := o.helper("new_asset", nil)
	p := o.helper("registered_pledge", []string{a})
	tr := o.trade(a, buyerY)
	o.must("bank1/officer1", http.MethodPost, "/v1/transfers/"+tr+"/consent", `{"pledgeId":"`+p+`","proceedsUse":"escrow"}`, http.StatusOK)
	o.must("ipoffice/examiner1", http.MethodPost, "/v1/transfers/"+tr+"/record", `{}`, http.StatusOK)
	if got := o.pledgeRecord(p); len(got.Pledgors) != 1 || got.Pledgors[0].ID != "91420100MA4K0002" || got.Status != api.PledgeRegistered {
		t.Fatalf("the pledge after the assignment: %+v", got)
	}
	o.must("ipoffice/examiner1", http.MethodPatch, "/v1/assets/"+a, `{"legalStatus":"lapsed"}`, http.StatusOK)
	if got := o.pledgeRecord(p); len(got.CollateralLosses) != 1 || got.CollateralLosses[0].LegalStatus != api.LegalLapsed {
		t.Fatalf("the pledge after the lapse: %+v", got.CollateralLosses)
	}
}

// P8: the IP office refuses the buyer's title: the disposal is undone, the pledge is defaulted again
// with the failed sale kept, and the right is encumbered again.
func TestHTTP_P8_RefusingTheBuyersTitleUndoesTheDisposal(t *testing.T) {
	o := newOrgs(t)
	a := o.helper("new_asset", nil)
	p := o.helper("registered_pledge", []string{a})
	o.must("bank1/officer1", http.MethodPost, "/v1/pledges/"+p+"/default",
		`{"reason":"instalments overdue","claim":{"amount":"1000000.00","currency":"CNY"}}`, http.StatusOK)
	// Above the claim: refused, kept, nothing sold.
	o.must("exchange/trader1", http.MethodPost, "/v1/pledges/"+p+"/dispose", `{"method":"auction","buyers":`+buyerY+
		`,"price":"1500000","currency":"CNY","proceeds":[{"pledgeId":"`+p+`","amount":"1500000"}],"surplus":"0","saleRef":"S-1"}`, http.StatusConflict)
	d := o.must("exchange/trader1", http.MethodPost, "/v1/pledges/"+p+"/dispose", `{"method":"auction","buyers":`+buyerY+
		`,"price":"1500000","currency":"CNY","proceeds":[{"pledgeId":"`+p+`","amount":"1000000"}],"surplus":"500000","saleRef":"S-2"}`, http.StatusOK)
	tr := d["result"].(map[string]any)["disposal"].(map[string]any)["transferIds"].([]any)[0].(string)
	o.must("ipoffice/examiner1", http.MethodPost, "/v1/transfers/"+tr+"/refuse", `{"reasons":["buyer-not-eligible"]}`, http.StatusOK)
	got := o.pledgeRecord(p)
	if got.Status != api.PledgeDefaulted || len(got.FailedDisposals) != 1 || got.Disposal != nil {
		t.Fatalf("the pledge after the refusal: %s %+v", got.Status, got.FailedDisposals)
	}
	_, raw := o.send("exchange/trader1", http.MethodGet, "/v1/assets/"+a, "")
	if !strings.Contains(string(raw), `"pledgeId":"`+p+`"`) {
		t.Fatalf("the right is not encumbered again: %s", raw)
	}
}

// P9: an application filed on Tuesday 30 September 2025 is due by the end of Friday 10 October: the
// National Day holidays (1–8 October) do not count, Saturday 11 October (a working day) is not needed.
func TestHTTP_P9_TheExaminationTimeSkipsTheNationalDayHolidays(t *testing.T) {
	o := newOrgs(t)
	a := o.helper("new_asset", nil)
	o.ledgers["bank1"].w.now = time.Date(2025, 9, 30, 2, 0, 0, 0, time.UTC) // 10:00 UTC+8
	p := o.helper("new_pledge", []string{a})
	if got := o.pledgeRecord(p).ExaminationDueBy; got != "2025-10-10T16:00:00Z" {
		t.Fatalf("due by %s, want the end of 10 October (UTC+8)", got)
	}
}
