//go:build integration

package e2e

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/ipledger/ipledger/network/itest"
)

// badInput is one hostile request and the answer it must get.
type badInput struct {
	name    string
	c       *caller
	method  string
	path    string
	body    any      // string as is, else JSON
	headers []string // name, value pairs
	status  int
	code    string
}

// TestE2E_BadInputWritesNothing sends malformed, mistyped, unknown-field, missing-field, oversized and
// huge-array bodies, hostile ids in paths, bodies and headers, bad credentials and wrong content types
// through the gateways: each gets the 4xx expected with its error code and a message, and together
// they write nothing: the ledger height on the regulator's peer (qscc) and the records they aim at
// are unchanged.
func TestE2E_BadInputWritesNothing(t *testing.T) {
	ipo, bank1, reg := as(t, "IPOfficeMSP", "examiner1"), as(t, "Bank1MSP", "officer1"), as(t, "RegulatorMSP", "auditor1")
	assetID := itest.Uniq("CN-E2E-BAD")
	registerAll(t, itest.Patent(assetID))
	pledgeID := bank1.write(201, "apply", "POST", "/v1/pledges", itest.Application(assetID)).Str(t, "id")
	snapshot := func() []byte {
		var b bytes.Buffer
		for _, p := range []string{"/v1/assets/" + assetID, "/v1/assets/" + assetID + "/history", "/v1/pledges/" + pledgeID,
			"/v1/pledges/" + pledgeID + "/history", "/v1/pledges?assetId=" + assetID} {
			r := reg.Do("GET", p, nil)
			if r.Status != 200 {
				t.Fatalf("snapshot %s: %s", p, r)
			}
			b.Write(r.Body)
		}
		return b.Bytes()
	}
	before := snapshot()

	with := func(m map[string]any, kv ...any) map[string]any {
		out := map[string]any{}
		for k, v := range m {
			out[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(out, kv[i].(string))
			} else {
				out[kv[i].(string)] = kv[i+1]
			}
		}
		return out
	}
	fresh := func() map[string]any { return itest.Patent(itest.Uniq("CN-E2E-BADNEW")) }
	many := func(n int, item any) []any {
		xs := make([]any, n)
		for i := range xs {
			xs[i] = item
		}
		return xs
	}
	anon, foreign, wrong, basic, empty := *ipo, *ipo, *ipo, *ipo, *ipo
	anon.Key, foreign.Key, wrong.Key = "", bank1.Key, "ipl_"+strings.Repeat("0", 43)
	basic.Key, empty.Key = "", ""
	pl := "/v1/pledges/" + pledgeID
	const M, U, F, NF, TL = "MALFORMED", "UNAUTHENTICATED", "INVALID_ARGUMENT", "NOT_FOUND", "PAYLOAD_TOO_LARGE"
	inputs := []badInput{
		// Malformed JSON.
		{name: "truncated JSON", c: ipo, method: "POST", path: "/v1/assets", body: `{"id":`, status: 400, code: M},
		{name: "not JSON", c: ipo, method: "POST", path: "/v1/assets", body: `register it please`, status: 400, code: M},
		{name: "empty body", c: ipo, method: "POST", path: "/v1/assets", body: ``, status: 400, code: M},
		{name: "trailing data", c: bank1, method: "POST", path: pl + "/release", body: `{"reason":"a"}{"reason":"b"}`, status: 400, code: M},
		{name: "JSON array, not an object", c: ipo, method: "POST", path: "/v1/assets", body: `[]`, status: 422, code: F},
		{name: "JSON null", c: ipo, method: "POST", path: "/v1/assets", body: `null`, status: 422, code: F},
		{name: "invalid UTF-8", c: ipo, method: "PATCH", path: "/v1/assets/" + assetID, body: "{\"title\":\"\xff\xfe\"}", status: 400, code: M},
		{name: "NaN number", c: ipo, method: "POST", path: "/v1/assets", body: `{"niceClass":NaN}`, status: 400, code: M},
		{name: "deeply nested", c: ipo, method: "PATCH", path: "/v1/assets/" + assetID, body: strings.Repeat(`{"title":`, 5000) + `"x"` + strings.Repeat(`}`, 5000), status: 422, code: F},
		// Wrong types.
		{name: "share as a string", c: ipo, method: "POST", path: "/v1/assets", body: with(fresh(), "owners", []any{map[string]any{"id": "X1", "name": "X", "share": "all"}}), status: 422, code: F},
		{name: "niceClass as a string", c: ipo, method: "POST", path: "/v1/assets", body: with(fresh(), "niceClass", "9"), status: 422, code: F},
		{name: "assetIds as a string", c: bank1, method: "POST", path: "/v1/pledges", body: with(itest.Application(assetID), "assetIds", assetID), status: 422, code: F},
		{name: "a freeze patched (court measures have their own route)", c: ipo, method: "PATCH", path: "/v1/assets/" + assetID, body: map[string]any{"freeze": true}, status: 422, code: F},
		{name: "a freeze without its court", c: ipo, method: "POST", path: "/v1/assets/" + assetID + "/freezes", body: map[string]any{"ref": "(2026)E01-1"}, status: 422, code: F},
		{name: "a lift of freeze 0", c: ipo, method: "POST", path: "/v1/assets/" + assetID + "/freezes/0/lift", body: map[string]any{"ref": "(2026)E01-1"}, status: 422, code: F},
		{name: "date as a number", c: bank1, method: "POST", path: pl + "/extend", body: map[string]any{"debtTermEnd": 20291231}, status: 422, code: F},
		{name: "amount as a number", c: bank1, method: "POST", path: "/v1/pledges", body: with(itest.Application(assetID), "terms", with(itest.Terms("1"), "amount", 5e6)), status: 422, code: F},
		{name: "share as a float", c: ipo, method: "POST", path: "/v1/assets", body: with(fresh(), "owners", []any{map[string]any{"id": "X1", "name": "X", "share": 9999.5}}), status: 422, code: F},
		{name: "negative amount", c: bank1, method: "POST", path: "/v1/pledges", body: with(itest.Application(assetID), "terms", with(itest.Terms("1"), "amount", "-5")), status: 422, code: F},
		// Unknown and missing fields.
		{name: "unknown field", c: ipo, method: "POST", path: "/v1/assets", body: with(fresh(), "colour", "red"), status: 422, code: F},
		{name: "unknown field in terms", c: bank1, method: "POST", path: "/v1/pledges", body: with(itest.Application(assetID), "terms", with(itest.Terms("1.00"), "penalty", "high")), status: 422, code: F},
		{name: "unknown field in a patch", c: ipo, method: "PATCH", path: "/v1/assets/" + assetID, body: map[string]any{"owners": []any{}}, status: 422, code: F},
		{name: "missing owners", c: ipo, method: "POST", path: "/v1/assets", body: with(fresh(), "owners", nil), status: 422, code: F},
		{name: "missing terms", c: bank1, method: "POST", path: "/v1/pledges", body: with(itest.Application(assetID), "terms", nil), status: 422, code: F},
		{name: "missing registration number", c: ipo, method: "POST", path: pl + "/register", body: map[string]any{}, status: 422, code: F},
		{name: "empty patch", c: ipo, method: "PATCH", path: "/v1/assets/" + assetID, body: map[string]any{}, status: 422, code: F},
		{name: "shares not summing to 10000", c: ipo, method: "POST", path: "/v1/assets", body: with(fresh(), "owners", []any{map[string]any{"id": "X1", "name": "X", "share": 5000}}), status: 422, code: F},
		// Oversized bodies and huge arrays.
		{name: "2 MiB body", c: ipo, method: "POST", path: "/v1/assets", body: with(fresh(), "title", strings.Repeat("x", 2<<20)), status: 413, code: TL},
		{name: "title of 501 characters", c: ipo, method: "PATCH", path: "/v1/assets/" + assetID, body: map[string]any{"title": strings.Repeat("长", 501)}, status: 422, code: F},
		{name: "5000 owners", c: ipo, method: "POST", path: "/v1/assets", body: with(fresh(), "owners", many(5000, map[string]any{"id": "X1", "name": "X", "share": 2})), status: 422, code: F},
		{name: "200000 asset ids (under 1 MiB)", c: bank1, method: "POST", path: "/v1/pledges", body: with(itest.Application(assetID), "assetIds", many(200000, "X")), status: 422, code: F},
		{name: "400000 asset ids (over 1 MiB)", c: bank1, method: "POST", path: "/v1/pledges", body: with(itest.Application(assetID), "assetIds", many(400000, "X")), status: 413, code: TL},
		{name: "21 asset ids", c: bank1, method: "POST", path: "/v1/pledges", body: with(itest.Application(assetID), "assetIds", many(21, assetID)), status: 422, code: F},
		{name: "duplicate asset ids", c: bank1, method: "POST", path: "/v1/pledges", body: with(itest.Application(assetID), "assetIds", []string{assetID, assetID}), status: 422, code: F},
		// Hostile ids in paths, bodies and headers.
		{name: "path traversal in the path", c: ipo, method: "GET", path: "/v1/assets/..%2F..%2Fetc%2Fpasswd", status: 404, code: NF},
		{name: "dot-dot segments out of the API", c: ipo, method: "PATCH", path: "/v1/assets/" + assetID + "/../../../admin", body: map[string]any{"title": "x"}, status: 404, code: NF},
		{name: "encoded slash", c: bank1, method: "POST", path: "/v1/pledges/" + pledgeID + "%2Frelease/release", body: map[string]any{"reason": "x"}, status: 404, code: NF},
		{name: "NUL in a path id", c: ipo, method: "PATCH", path: "/v1/assets/" + assetID + "%00", body: map[string]any{"title": "x"}, status: 422, code: F},
		{name: "newline in a path id", c: ipo, method: "GET", path: "/v1/assets/" + assetID + "%0Aadmin", status: 422, code: F},
		{name: "right-to-left override in a path id", c: ipo, method: "GET", path: "/v1/assets/%E2%80%AE" + assetID, status: 422, code: F},
		{name: "fullwidth digits in a path id", c: ipo, method: "GET", path: "/v1/transfers/%EF%BC%91%EF%BC%92", status: 422, code: F},
		{name: "65-character id", c: ipo, method: "GET", path: "/v1/pledges/" + strings.Repeat("A", 65), status: 422, code: F},
		{name: "10000-character id", c: ipo, method: "GET", path: "/v1/verify/" + strings.Repeat("A", 10000), status: 422, code: F},
		{name: "traversal id in a body", c: ipo, method: "POST", path: "/v1/assets", body: with(fresh(), "id", "../../"+assetID), status: 422, code: F},
		{name: "control characters in a body id", c: ipo, method: "POST", path: "/v1/assets", body: with(fresh(), "id", "CN\u0000\u001b[31mX"), status: 422, code: F},
		{name: "zero-width space in a body id", c: bank1, method: "POST", path: "/v1/pledges", body: with(itest.Application(assetID), "assetIds", []string{assetID + "\u200b"}), status: 422, code: F},
		{name: "composite-key separator in a body id", c: ipo, method: "POST", path: "/v1/transfers", body: with(itest.TradeTransfer(assetID), "assetId", assetID+"\u0000x", "origin", "owner-request", "tradeRef", ""), status: 422, code: F},
		{name: "emoji in a pledgee query", c: ipo, method: "GET", path: "/v1/pledges?pledgee=%F0%9F%8F%A6", status: 422, code: F},
		{name: "traversal Idempotency-Key", c: ipo, method: "PATCH", path: "/v1/assets/" + assetID, body: map[string]any{"title": "x"}, headers: []string{"Idempotency-Key", "../../requests"}, status: 422, code: F},
		{name: "no Idempotency-Key", c: ipo, method: "PATCH", path: "/v1/assets/" + assetID, body: map[string]any{"title": "x"}, headers: []string{"Idempotency-Key", ""}, status: 422, code: F},
		{name: "unicode Idempotency-Key", c: ipo, method: "PATCH", path: "/v1/assets/" + assetID, body: map[string]any{"title": "x"}, headers: []string{"Idempotency-Key", "ключ-1"}, status: 422, code: F},
		{name: "bad IPLedger-After-Block", c: ipo, method: "GET", path: "/v1/assets/" + assetID, headers: []string{"IPLedger-After-Block", "-1"}, status: 400, code: M},
		// Credentials.
		{name: "no credentials", c: &anon, method: "PATCH", path: "/v1/assets/" + assetID, body: map[string]any{"title": "x"}, status: 401, code: U},
		{name: "unknown key (as a revoked one)", c: &wrong, method: "PATCH", path: "/v1/assets/" + assetID, body: map[string]any{"title": "x"}, status: 401, code: U},
		{name: "another organization's key", c: &foreign, method: "PATCH", path: "/v1/assets/" + assetID, body: map[string]any{"title": "x"}, status: 401, code: U},
		{name: "Basic scheme", c: &basic, method: "PATCH", path: "/v1/assets/" + assetID, body: map[string]any{"title": "x"}, headers: []string{"Authorization", "Basic ZXhhbWluZXIxOnB3"}, status: 401, code: U},
		{name: "empty bearer", c: &empty, method: "PATCH", path: "/v1/assets/" + assetID, body: map[string]any{"title": "x"}, headers: []string{"Authorization", "Bearer "}, status: 401, code: U},
		{name: "key with trailing garbage", c: &empty, method: "PATCH", path: "/v1/assets/" + assetID, body: map[string]any{"title": "x"}, headers: []string{"Authorization", "Bearer " + ipo.Key + "x"}, status: 401, code: U},
		// Content types and methods.
		{name: "text/plain", c: ipo, method: "PATCH", path: "/v1/assets/" + assetID, body: `{"title":"x"}`, headers: []string{"Content-Type", "text/plain"}, status: 400, code: M},
		{name: "form encoded", c: ipo, method: "PATCH", path: "/v1/assets/" + assetID, body: `title=x`, headers: []string{"Content-Type", "application/x-www-form-urlencoded"}, status: 400, code: M},
		{name: "multipart", c: ipo, method: "PATCH", path: "/v1/assets/" + assetID, body: `--b--`, headers: []string{"Content-Type", "multipart/form-data; boundary=b"}, status: 400, code: M},
		{name: "DELETE of a right", c: ipo, method: "DELETE", path: "/v1/assets/" + assetID, status: 405, code: "METHOD_NOT_ALLOWED"},
	}
	itest.WritesNothing(t, "bad input", func() {
		for _, in := range inputs {
			r := in.c.Do(in.method, in.path, in.body, in.headers...)
			e := r.Err()
			if r.Status != in.status || e.Code != in.code || e.Message == "" {
				t.Errorf("%s: %s, want %d %s with a message", in.name, r, in.status, in.code)
				continue
			}
			t.Logf("%-38s %d %-17s %.110s", in.name, r.Status, e.Code, e.Message)
		}
	})
	if after := snapshot(); !bytes.Equal(before, after) {
		t.Fatalf("the records the bad input aimed at changed")
	}
	var h struct {
		Items []json.RawMessage `json:"items"`
	}
	_ = json.Unmarshal(reg.Do("GET", "/v1/assets/"+assetID+"/history", nil).Body, &h)
	t.Logf("bad input: %d requests, each refused 4xx with its code and a message; ledger height unchanged; the right (%d versions) and the pledge read the same before and after",
		len(inputs), len(h.Items))
}
