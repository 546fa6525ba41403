package httpapi

import (
	"slices"
	"testing"

	"github.com/ipledger/ipledger/chaincode/api"
)

// A court's freeze is recorded on its right's route and lifted by its number (C1, C2): the path
// parameters reach the chaincode in the catalogue's order, the body as the payload; a number that is
// no measure's, a freeze without its court, and a freeze patched as before are refused before the
// chaincode.
func TestSubmit_C1C2_FreezesAreRoutedWithTheRightAndTheMeasure(t *testing.T) {
	l := &fakeLedger{}
	ts := newServerFor(t, l, "IPOfficeMSP", Options{})
	if r := do(t, ts, "POST", "/v1/assets/CN-1/freezes", `{"court":"武汉市中级人民法院","ref":"(2026)鄂01执保1号"}`); r.status != 200 {
		t.Fatalf("freeze: %d %s", r.status, r.body)
	}
	if r := do(t, ts, "POST", "/v1/assets/CN-1/freezes/2/lift", `{"ref":"(2026)鄂01执保1号之一"}`); r.status != 200 {
		t.Fatalf("lift: %d %s", r.status, r.body)
	}
	subs := l.Submitted()
	if len(subs) != 2 || subs[0].Function != api.RecordFreeze.Name || subs[0].Args[0] != "CN-1" ||
		subs[1].Function != api.LiftFreeze.Name || !slices.Equal(subs[1].Args[:2], []string{"CN-1", "2"}) {
		t.Fatalf("submissions %+v", subs)
	}
	for _, bad := range []struct{ method, path, body string }{
		{"POST", "/v1/assets/CN-1/freezes/0/lift", `{"ref":"r"}`},
		{"POST", "/v1/assets/CN-1/freezes/x/lift", `{"ref":"r"}`},
		{"POST", "/v1/assets/CN-1/freezes/1/lift", `{}`},
		{"POST", "/v1/assets/CN-1/freezes", `{"ref":"r"}`},
		{"POST", "/v1/assets/CN-1/freezes", `{"court":"c","ref":"r","active":true}`},
		{"PATCH", "/v1/assets/CN-1", `{"freeze":{"active":true,"ref":"r"}}`},
		{"POST", "/v1/transfers", `{"assetId":"CN-1","kind":"assignment","origin":"court-seizure","newOwners":[{"id":"B1","name":"B","share":10000}]}`},
	} {
		if r := do(t, ts, bad.method, bad.path, bad.body); r.status != 422 {
			t.Fatalf("%s %s %s: %d %s", bad.method, bad.path, bad.body, r.status, r.body)
		}
	}
	if len(l.Submitted()) != 2 {
		t.Fatalf("a refused request reached the chaincode: %+v", l.Submitted())
	}
}
