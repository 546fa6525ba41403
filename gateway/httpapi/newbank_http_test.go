package httpapi

import (
	"net/http"
	"strings"
	"testing"

	"github.com/ipledger/ipledger/chaincode/api"
)

// bank3PledgeBody is an application on assetID with its private terms, as a bank's system posts it.
func bank3PledgeBody(assetID string) string {
	return `{"assetIds":["` + assetID + `"],"pledgors":[{"id":"91420100MA4K0001","name":"Wuhan Optics Co."}],` +
		`"pledgeeName":"Bank Three","debtKind":"loan","debtTermStart":"2025-01-01","debtTermEnd":"2027-12-31",` +
		`"contractHash":"` + strings.Repeat("0", 63) + `1","terms":{"amount":"1000000.00","currency":"CNY","interestRate":"3.85","scope":"principal"}}`
}

// TestHTTP_P1_ABankThatJoinsLaterFilesThroughItsGateway: Bank3MSP's gateway, over the real rules, files a
// pledge that the IP office registers; the pledgee query takes its MSP id (the API's pattern, not a
// list) and refuses one that is not a bank's. A bank whose collection the definition lacks gets 409 P1
// no-terms-collection, not 500.
func TestHTTP_P1_ABankThatJoinsLaterFilesThroughItsGateway(t *testing.T) {
	o := newOrgs(t)
	w := o.ledgers["bank1"].w
	o.addOrg(w, "bank3", "Bank3MSP")
	o.addOrg(w, "bank4", "HubeiBank4MSP")
	a := o.helper("new_asset", nil)
	p := o.created("bank3/officer1", "/v1/pledges", bank3PledgeBody(a))
	o.must("ipoffice/examiner1", http.MethodPost, "/v1/pledges/"+p+"/register", `{"registrationNumber":"Y-B3"}`, http.StatusOK)
	if got := o.pledgeRecord(p); got.Pledgee.MSP != "Bank3MSP" || got.Status != api.PledgeRegistered || got.TermsCollection != "termsBank3MSP" {
		t.Fatalf("Bank3's pledge: %+v", got)
	}
	if page := o.must("regulator/auditor1", http.MethodGet, "/v1/pledges?pledgee=Bank3MSP", "", http.StatusOK); page["count"] != float64(1) {
		t.Fatalf("Bank3's pledges: %v", page)
	}
	for _, bad := range []string{"IPOfficeMSP", "Guarantor1MSP", "Bank%203MSP"} {
		o.must("regulator/auditor1", http.MethodGet, "/v1/pledges?pledgee="+bad, "", http.StatusUnprocessableEntity)
	}
	o.must("regulator/auditor1", http.MethodGet, "/v1/transfers?requestedBy=Bank3MSP", "", http.StatusOK)

	w.mem.Undefined["termsHubeiBank4MSP"] = true
	a2 := o.helper("new_asset", nil)
	e, _ := o.must("bank4/officer1", http.MethodPost, "/v1/pledges", bank3PledgeBody(a2), http.StatusConflict)["error"].(map[string]any)
	if e["code"] != "P1" || e["details"].(map[string]any)["reason"] != "no-terms-collection" {
		t.Fatalf("Bank4 without its collection: %v", e)
	}
}

// The API's bank MSP pattern is the chaincode's.
func TestOpenAPI_BankMSPIsTheChaincodesPattern(t *testing.T) {
	doc, _ := docOperations(t)
	s := doc.Components.Schemas["BankMSP"].Value
	if s.Pattern != api.BankMSPPattern || s.MaxLength == nil || *s.MaxLength != api.MaxBankMSPLen {
		t.Fatalf("BankMSP %q %v, chaincode %q %d", s.Pattern, s.MaxLength, api.BankMSPPattern, api.MaxBankMSPLen)
	}
	if m := doc.Components.Schemas["MemberMSP"].Value.Pattern; !strings.Contains(m, strings.Trim(api.BankMSPPattern, "^$")) {
		t.Fatalf("MemberMSP %q", m)
	}
}
