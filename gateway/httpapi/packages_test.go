package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/gateway"
)

// P2 through the HTTP layer: a package of api.MaxPackage rights passes the gateway's default body
// limit and the OpenAPI document's maxItems, and the real rules apply for and register it; one more
// right is refused by the document (422); a right not on the register is a 409 P4 naming it.
func TestPackageOfMaxRightsThroughTheGateway(t *testing.T) {
	o := newOrgs(t)
	ids := make([]string, api.MaxPackage)
	for start := 0; start < len(ids); start += api.MaxImportAssets {
		var batch []json.RawMessage
		for i := start; i < start+api.MaxImportAssets; i++ {
			ids[i] = fmt.Sprintf("CN-PKG-%04d", i)
			batch = append(batch, json.RawMessage(fmt.Sprintf(`{"id":%q,"kind":"patent-invention","number":"ZL-%s","title":"Package patent",`+
				`"owners":[{"id":"91420100MA4K0001","name":"Wuhan Optics Co.","share":10000}],"applicationDate":"2020-01-15",`+
				`"grantDate":"2022-03-01","expiryDate":"2040-01-15","feesPaidThrough":"2030-01-15"}`, ids[i], ids[i])))
		}
		payload, _ := json.Marshal(api.ImportInput{Assets: batch})
		if _, err := o.ledgers["ipoffice"].Submit(context.Background(), "examiner1", gateway.Submission{Function: api.ImportAssets.Name,
			RequestID: fmt.Sprintf("import-%d", start), Args: []string{string(payload)}}); err != nil {
			t.Fatal(err)
		}
	}
	application := func(ids []string) string {
		quoted, _ := json.Marshal(ids)
		return `{"assetIds":` + string(quoted) + `,"pledgors":[{"id":"91420100MA4K0001","name":"Wuhan Optics Co."}],` +
			`"pledgeeName":"Bank One Hubei Branch","debtKind":"loan","debtTermStart":"2025-01-01","debtTermEnd":"2027-12-31",` +
			`"contractHash":"` + strings.Repeat("ab", 32) + `","terms":{"amount":"80000000","currency":"CNY","interestRate":"3.85","scope":"principal"}}`
	}
	status, raw := o.send("bank1/officer1", http.MethodPost, "/v1/pledges", application(ids))
	var applied struct {
		ID     string     `json:"id"`
		Result api.Pledge `json:"result"`
	}
	if status != http.StatusCreated || json.Unmarshal(raw, &applied) != nil || len(applied.Result.AssetIDs) != len(ids) {
		t.Fatalf("a package of %d rights: %d %.300s", len(ids), status, raw)
	}
	status, raw = o.send("ipoffice/examiner1", http.MethodPost, "/v1/pledges/"+applied.ID+"/register", `{"registrationNumber":"Y2025-PKG"}`)
	var registered struct {
		Result api.Pledge `json:"result"`
	}
	if status != http.StatusOK || json.Unmarshal(raw, &registered) != nil || len(registered.Result.Ranks) != len(ids) {
		t.Fatalf("registering the package: %d %.300s", status, raw)
	}

	status, raw = o.send("bank1/officer1", http.MethodPost, "/v1/pledges", application(append(ids, "CN-ONE-MORE")))
	if status != http.StatusUnprocessableEntity || !strings.Contains(string(raw), "assetIds") {
		t.Fatalf("%d rights: %d %.300s", len(ids)+1, status, raw)
	}
	status, raw = o.send("bank1/officer1", http.MethodPost, "/v1/pledges", application([]string{"CN-PKG-0001", "CN-NOPE"}))
	var refused struct {
		Error struct {
			Code    string            `json:"code"`
			Details map[string]string `json:"details"`
		} `json:"error"`
	}
	if status != http.StatusConflict || json.Unmarshal(raw, &refused) != nil || refused.Error.Code != "P4" ||
		refused.Error.Details["reason"] != "not-registered" || refused.Error.Details["assetId"] != "CN-NOPE" || refused.Error.Details["index"] != "1" {
		t.Fatalf("an unknown right in the package: %d %s", status, raw)
	}
}
