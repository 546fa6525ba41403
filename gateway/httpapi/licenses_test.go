package httpapi

import (
	"slices"
	"testing"

	"github.com/ipledger/ipledger/chaincode/api"
)

// The termination of a licence (L3) is routed with the right and the licence's transfer id, in the
// catalogue's order, and the body as the payload; a licence request carries its register details (L1)
// and is refused before the chaincode when they do not fit the OpenAPI document.
func TestSubmit_L3_TerminationNamesTheRightAndTheLicence(t *testing.T) {
	l := &fakeLedger{}
	ts := newServerFor(t, l, "IPOfficeMSP", Options{})
	body := `{"date":"2025-03-03","reason":"terminated early by agreement"}`
	if r := do(t, ts, "POST", "/v1/assets/P1/licenses/TR-1/terminate", body); r.status != 200 {
		t.Fatalf("terminate: %d %s", r.status, r.body)
	}
	lic := `{"assetId":"P1","kind":"license","origin":"owner-request","newOwners":[{"id":"L1","name":"Licensee","share":10000}],` +
		`"license":{"type":"exclusive","termStart":"2025-03-01","termEnd":"2027-12-31","territory":["CN-HB"],"filingNumber":"2025420000000001"}}`
	if r := do(t, ts, "POST", "/v1/transfers", lic); r.status != 201 && r.status != 200 {
		t.Fatalf("request a licence: %d %s", r.status, r.body)
	}
	subs := l.Submitted()
	if len(subs) != 2 || subs[0].Function != api.TerminateLicense.Name || !slices.Equal(subs[0].Args, []string{"P1", "TR-1", body}) ||
		subs[1].Function != api.RequestTransfer.Name {
		t.Fatalf("submissions %+v", subs)
	}
	for _, bad := range []struct{ path, body string }{
		{"/v1/assets/P1/licenses/-x/terminate", body},
		{"/v1/assets/P1/licenses/TR-1/terminate", `{"date":"3 March","reason":"x"}`},
		{"/v1/assets/P1/licenses/TR-1/terminate", `{"date":"2025-03-03"}`},
		{"/v1/transfers", `{"assetId":"P1","kind":"license","origin":"owner-request","newOwners":[{"id":"L1","name":"L","share":10000}],` +
			`"license":{"type":"exclusive","termStart":"2025-03-01","termEnd":"2027-12-31","territory":["Hubei"],"filingNumber":"1"}}`},
		{"/v1/transfers", `{"assetId":"P1","kind":"license","origin":"owner-request","newOwners":[{"id":"L1","name":"L","share":10000}],` +
			`"license":{"type":"semi","termStart":"2025-03-01","termEnd":"2027-12-31","territory":["CN"],"filingNumber":"1"}}`},
	} {
		if r := do(t, ts, "POST", bad.path, bad.body); r.status != 422 {
			t.Fatalf("%s %s: %d %s", bad.path, bad.body, r.status, r.body)
		}
	}
}
