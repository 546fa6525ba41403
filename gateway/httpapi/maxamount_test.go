package httpapi

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/ipledger/ipledger/chaincode/api"
)

// The IP office's deregistration of a pledge (P13) is routed with the pledge id and the body as the
// payload; a body outside the OpenAPI schema is refused before the chaincode.
func TestSubmit_P13_DeregistrationIsRoutedAndValidated(t *testing.T) {
	l := &fakeLedger{}
	ts := newServerFor(t, l, "IPOfficeMSP", Options{})
	body := `{"basis":"arbitral-award","documentHash":"` + strings.Repeat("b", 64) + `","reference":"WHAC 2025-77"}`
	if r := do(t, ts, "POST", "/v1/pledges/PL-9/deregister", body); r.status != 200 {
		t.Fatalf("deregister: %d %s", r.status, r.body)
	}
	subs := l.Submitted()
	if len(subs) != 1 || subs[0].Function != api.DeregisterPledge.Name || !slices.Equal(subs[0].Args, []string{"PL-9", body}) {
		t.Fatalf("submissions %+v", subs)
	}
	for _, bad := range []string{
		`{"basis":"settlement","documentHash":"` + strings.Repeat("b", 64) + `"}`,
		`{"basis":"pledgor-request"}`,
		`{"basis":"pledgor-request","documentHash":"xyz"}`,
		`{"basis":"pledgor-request","documentHash":"` + strings.Repeat("b", 64) + `","court":"x"}`,
	} {
		if r := do(t, ts, "POST", "/v1/pledges/PL-9/deregister", bad); r.status != 422 {
			t.Fatalf("%s: %d %s", bad, r.status, r.body)
		}
	}
}

// A maximum-amount application with a third-party debtor (P11, P12) passes the OpenAPI document: the
// public fields go in the payload, the maximum amount stays in the transient terms.
func TestSubmit_P11P12_MaximumAmountApplicationWithADebtor(t *testing.T) {
	l := &fakeLedger{}
	ts := newServer(t, l)
	body := strings.Replace(pledgeBody, `"terms":{"amount":"5000000.00",`,
		`"securityType":"maximum-amount","claimPeriod":{"start":"2025-01-01","end":"2025-12-31"},`+
			`"debtor":{"id":"91420100MA4K0007D","name":"Delta Trading Co."},"terms":{"amount":"5000000.00","maximumAmount":"8000000.00",`, 1)
	if r := do(t, ts, "POST", "/v1/pledges", body); r.status != 201 {
		t.Fatalf("status %d %s", r.status, r.body)
	}
	sub := l.Submitted()[0]
	var app api.PledgeApplication
	if err := json.Unmarshal([]byte(sub.Args[0]), &app); err != nil || app.SecurityType != api.SecurityMaximumAmount ||
		app.ClaimPeriod == nil || app.Debtor == nil || app.Debtor.ID != "91420100MA4K0007D" || strings.Contains(sub.Args[0], "8000000") {
		t.Fatalf("payload %s (%v)", sub.Args[0], err)
	}
	if !strings.Contains(string(sub.Transient[api.TransientTermsKey]), `"maximumAmount":"8000000.00"`) {
		t.Fatalf("transient terms %s", sub.Transient[api.TransientTermsKey])
	}
	bad := strings.Replace(body, `"maximum-amount"`, `"floating"`, 1)
	if r := do(t, ts, "POST", "/v1/pledges", bad); r.status != 422 {
		t.Fatalf("unknown security type: %d %s", r.status, r.body)
	}
}
