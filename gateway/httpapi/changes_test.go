package httpapi

import (
	"slices"
	"testing"

	"github.com/ipledger/ipledger/chaincode/api"
)

// The IP office's decisions on a filed change of a pledge (P6) are routed with both path parameters,
// in the catalogue's order, and the body as the payload; a change id that is no id is refused before
// the chaincode.
func TestSubmit_P6_ChangeDecisionsNameThePledgeAndTheChange(t *testing.T) {
	l := &fakeLedger{OnEvaluate: func(_, fn string, args ...string) ([]byte, error) {
		if fn == api.GetPledge.Name && args[0] == "PL-9" {
			return []byte(`{"id":"PL-9","pledgee":{"msp":"Bank2MSP","name":"Bank Two"}}`), nil
		}
		return nil, api.NotFound("pledge", args[0])
	}}
	ts := newServerFor(t, l, "IPOfficeMSP", Options{})
	if r := do(t, ts, "POST", "/v1/pledges/PL-9/changes/CH-1/record", `{}`); r.status != 200 || r.json(t)["id"] != "PL-9" {
		t.Fatalf("record: %d %s", r.status, r.body)
	}
	if r := do(t, ts, "POST", "/v1/pledges/PL-9/changes/CH-1/refuse", `{"reasons":["P6-contract-unsigned"]}`); r.status != 200 {
		t.Fatalf("refuse: %d %s", r.status, r.body)
	}
	subs := l.Submitted()
	if len(subs) != 2 || subs[0].Function != api.RecordPledgeChange.Name || !slices.Equal(subs[0].Args, []string{"PL-9", "CH-1", "{}"}) ||
		subs[1].Function != api.RefusePledgeChange.Name || !slices.Equal(subs[1].Args[:2], []string{"PL-9", "CH-1"}) {
		t.Fatalf("submissions %+v", subs)
	}
	for _, bad := range []struct{ path, body string }{
		{"/v1/pledges/PL-9/changes/-x/record", `{}`},
		{"/v1/pledges/PL-9/changes/CH-1/refuse", `{"reasons":[]}`},
		{"/v1/pledges/PL-9/changes/CH-1/record", `{"x":1}`},
	} {
		if r := do(t, ts, "POST", bad.path, bad.body); r.status != 422 {
			t.Fatalf("%s %s: %d %s", bad.path, bad.body, r.status, r.body)
		}
	}
	if r := do(t, ts, "POST", "/v1/pledges/PL-9/amend", `{"contractHash":"abc"}`); r.status != 422 {
		t.Fatalf("a contract hash that is no hash: %d %s", r.status, r.body)
	}
}
