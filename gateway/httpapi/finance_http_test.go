package httpapi

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/gateway"
)

// accreditedValuer records the IP office's accreditation of ValuerMSP (F1).
func (o *orgs) accreditedValuer() {
	o.t.Helper()
	o.must("ipoffice/examiner1", http.MethodPost, "/v1/accreditations/ValuerMSP",
		`{"name":"Hubei Zhongxin Assets Appraisal Co.","filingNumber":"HB-PG-1","validFrom":"2025-01-01","validUntil":"2030-12-31"}`, http.StatusOK)
}

// valuationBody is a report of assetID for Bank1 whose private value is 5,000,000.00 CNY.
func valuationBody(assetID string) string {
	return `{"assetIds":["` + assetID + `"],"clientBank":"Bank1MSP","method":"income","reportNumber":"ZX-1",` +
		`"reportHash":"` + strings.Repeat("b", 64) + `","valuationDate":"2025-03-01","validUntil":"2025-12-31",` +
		`"valuation":{"value":"5000000.00","currency":"CNY"}}`
}

// TestHTTP_F2_TheValueTravelsInTheTransientMapAndIsShownOnlyToTheEntitled: a valuation report's value
// leaves the body for the transient map under "valuation", salted by the gateway, never in the
// submission's arguments (which go into the block); GET /v1/valuations/{id} adds it as privateValue for
// the agency, the client bank, the IP office and the regulator, and for no one else.
func TestHTTP_F2_TheValueTravelsInTheTransientMapAndIsShownOnlyToTheEntitled(t *testing.T) {
	o := newOrgs(t)
	o.accreditedValuer()
	id := o.created("valuer/appraiser1", "/v1/valuations", valuationBody(o.helper("new_asset", nil)))

	w := o.ledgers["valuer"].w
	i := slices.IndexFunc(w.subs, func(s gateway.Submission) bool { return s.Function == api.IssueValuationReport.Name })
	if i < 0 {
		t.Fatal("no IssueValuationReport submission")
	}
	sub := w.subs[i]
	if strings.Contains(strings.Join(sub.Args, " "), "5000000") {
		t.Errorf("the value is in the arguments: %q", sub.Args)
	}
	var v api.ValuationValue
	if err := json.Unmarshal(sub.Transient[api.TransientValuationKey], &v); err != nil || v.Value != "5000000.00" || len(v.Salt) != 64 {
		t.Errorf("transient %q: %+v %v", sub.Transient, v, err)
	}

	for _, as := range []string{"valuer/appraiser1", "bank1/officer1", "ipoffice/examiner1", "regulator/auditor1"} {
		got := o.must(as, http.MethodGet, "/v1/valuations/"+id, "", http.StatusOK)
		pv, _ := got["privateValue"].(map[string]any)
		value, _ := pv["value"].(map[string]any)
		if value["value"] != "5000000.00" || pv["verified"] != true {
			t.Errorf("%s: privateValue %v", as, got["privateValue"])
		}
	}
	for _, as := range []string{"bank2/officer1", "exchange/trader1", "insurer/underwriter1", "fund/manager1"} {
		got := o.must(as, http.MethodGet, "/v1/valuations/"+id, "", http.StatusOK)
		if _, has := got["privateValue"]; has || got["id"] != id {
			t.Errorf("%s: %v", as, got)
		}
		if raw, _ := json.Marshal(got); strings.Contains(string(raw), "5000000") {
			t.Errorf("%s sees the value: %s", as, raw)
		}
	}
}

// The API's valuation-agency and insurer MSP patterns are the chaincode's.
func TestOpenAPI_ValuerAndInsurerMSPAreTheChaincodesPatterns(t *testing.T) {
	doc, _ := docOperations(t)
	for name, want := range map[string]string{"ValuerMSP": api.ValuerMSPPattern, "InsurerMSP": api.InsurerMSPPattern} {
		s := doc.Components.Schemas[name].Value
		if s.Pattern != want || s.MaxLength == nil || *s.MaxLength != api.MaxBankMSPLen {
			t.Errorf("%s %q %v, chaincode %q %d", name, s.Pattern, s.MaxLength, want, api.MaxBankMSPLen)
		}
	}
}

// payloadOf moves only the operation's transient field, keeps a salt the client chose, and leaves a
// body alone for an operation without one.
func TestPayloadOf_MovesOnlyTheOperationsTransientField(t *testing.T) {
	body := `{"assetIds":["A"],"valuation":{"value":"1.00","currency":"CNY","salt":"` + strings.Repeat("ab", 16) + `"},"terms":{"amount":"2.00"}}`
	payload, tr, err := payloadOf(body, api.IssueValuationReport.TransientField(), "drawn-salt")
	if err != nil || strings.Contains(payload, "valuation") || !strings.Contains(payload, `"terms"`) || len(tr) != 1 {
		t.Fatalf("valuation: %s %q %v", payload, tr, err)
	}
	if v := string(tr[api.TransientValuationKey]); !strings.Contains(v, strings.Repeat("ab", 16)) || strings.Contains(v, "drawn-salt") {
		t.Errorf("the client's salt is not kept: %s", v)
	}
	payload, tr, err = payloadOf(body, api.RecordCover.TransientField(), "drawn-salt")
	if err != nil || tr != nil || !strings.Contains(payload, `"valuation"`) || !strings.Contains(payload, `"terms"`) {
		t.Fatalf("no transient field: %s %q %v", payload, tr, err)
	}
	if api.ApplyPledge.TransientField() != api.TransientTermsKey || api.GetPledgeTerms.TransientField() != "" {
		t.Error("terms are the transient field of a submission with private terms only")
	}
}
