package httpapi

import (
	"strings"
	"testing"

	"github.com/ipledger/ipledger/chaincode/api"
)

// TestListPledges_P9_OverdueAsOf: GET /v1/pledges?overdue=true passes asOf to the chaincode's
// ListOverdueExaminations ("" for now); a time that is not RFC 3339 is refused 422 naming asOf before
// the chaincode is asked, and so is asOf with any other selection; the chaincode's own 422 (a
// bookmark of another instant) reaches the client as it is.
func TestListPledges_P9_OverdueAsOf(t *testing.T) {
	l := &fakeLedger{OnEvaluate: func(_, fn string, args ...string) ([]byte, error) {
		if fn == api.ListOverdueExaminations.Name && args[2] == "other" {
			return nil, api.Invalid("bookmark", "belongs to a listing as of another time")
		}
		return []byte(`{"bookmark":"","count":0,"items":[]}`), nil
	}}
	ts := newServer(t, l)
	for query, want := range map[string]string{
		"overdue=true&asOf=2025-10-09T00:00:00%2B08:00&pageSize=5": "2025-10-09T00:00:00+08:00|5|",
		"overdue=true&asOf=2025-10-08T16:00:00.5Z&bookmark=b1":     "2025-10-08T16:00:00.5Z|0|b1",
		"overdue=true": "|0|",
	} {
		n := len(l.Evaluated())
		if r := do(t, ts, "GET", "/v1/pledges?"+query, ""); r.status != 200 {
			t.Fatalf("%s: status %d %s", query, r.status, r.body)
		}
		ev := l.Evaluated()[n]
		if ev.Function != api.ListOverdueExaminations.Name || strings.Join(ev.Args, "|") != want {
			t.Fatalf("%s: evaluated %+v, want args %s", query, ev, want)
		}
	}
	n := len(l.Evaluated())
	for query, field := range map[string]string{
		"overdue=true&asOf=yesterday":                 "asOf",
		"overdue=true&asOf=2025-10-09":                "asOf",
		"overdue=true&asOf=2025-10-09T00:00:00+08:00": "asOf", // an unencoded + is a space
		"status=applied&asOf=2025-10-09T00:00:00Z":    "asOf",
	} {
		r := do(t, ts, "GET", "/v1/pledges?"+query, "")
		if r.status != 422 {
			t.Fatalf("%s: status %d %s", query, r.status, r.body)
		}
		if code, msg, _ := r.errorCode(t); code != string(api.CodeInvalidArgument) || !strings.HasPrefix(msg, field+": ") {
			t.Fatalf("%s: %s %q, want the field %s", query, code, msg, field)
		}
	}
	if len(l.Evaluated()) != n {
		t.Fatalf("an invalid asOf reached the chaincode: %+v", l.Evaluated()[n:])
	}
	r := do(t, ts, "GET", "/v1/pledges?overdue=true&asOf=2025-10-09T00:00:00Z&bookmark=other", "")
	if code, msg, _ := r.errorCode(t); r.status != 422 || code != string(api.CodeInvalidArgument) || !strings.HasPrefix(msg, "bookmark: ") {
		t.Fatalf("the chaincode's refusal: %d %s", r.status, r.body)
	}
}
