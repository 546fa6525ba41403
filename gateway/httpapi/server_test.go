package httpapi

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/docs"

	"github.com/ipledger/ipledger/gateway"
	"github.com/ipledger/ipledger/gateway/metrics"
)

const officerKey = "ipl_officer-key"

func hashOf(k string) string {
	s := sha256.Sum256([]byte(k))
	return hex.EncodeToString(s[:])
}

// newServer is a Bank1 gateway over a fake ledger, with officer1's key.
func newServer(t *testing.T, l *fakeLedger) *httptest.Server {
	t.Helper()
	return newServerFor(t, l, "Bank1MSP", Options{})
}

func newServerFor(t *testing.T, l *fakeLedger, msp string, o Options) *httptest.Server {
	t.Helper()
	keys, err := gateway.NewKeyring(msp, []gateway.IdentityConfig{
		{Name: "officer1", Role: "loan-officer", APIKeySHA256: hashOf(officerKey)},
		{Name: "admin", Role: "admin", APIKeySHA256: hashOf("ipl_admin-key")},
	})
	if err != nil {
		t.Fatal(err)
	}
	o.Ledger, o.Keyring, o.MSPID, o.Channel = l, keys, msp, "ipledger"
	o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if o.MaxBodyBytes == 0 {
		o.MaxBodyBytes = 4096
	}
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return ts
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body %q: %v", r.body, err)
	}
	return m
}

func (r response) errorCode(t *testing.T) (string, string, string) {
	t.Helper()
	var e errorBody
	if err := json.Unmarshal(r.body, &e); err != nil || e.Error.Code == "" {
		t.Fatalf("not the error JSON: %q", r.body)
	}
	return string(e.Error.Code), e.Error.Message, e.Error.TxID
}

var keySeq atomic.Int64

func do(t *testing.T, ts *httptest.Server, method, path, body string, headers ...string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, ts.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+officerKey)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if method == http.MethodPost || method == http.MethodPatch {
		// Every submission carries an Idempotency-Key; a test that sends none says so with "".
		req.Header.Set("Idempotency-Key", fmt.Sprintf("test-%d", keySeq.Add(1)))
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: raw}
}

const assetBody = `{"id":"CN-1","kind":"patent-invention","number":"ZL-1","title":"Coupler",
 "owners":[{"id":"91420100MA4K0001","name":"Wuhan Optics Co.","share":10000}],
 "applicationDate":"2020-01-15","grantDate":"2022-03-01","expiryDate":"2040-01-15","feesPaidThrough":"2030-01-15"}`

const pledgeBody = `{"assetIds":["CN-1"],"pledgors":[{"id":"91420100MA4K0001","name":"Wuhan Optics Co."}],
 "pledgeeName":"Bank One","debtKind":"loan","debtTermStart":"2025-01-01","debtTermEnd":"2027-12-31",
 "contractHash":"9f2c4e7a1b3d5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8",
 "terms":{"amount":"5000000.00","currency":"CNY","interestRate":"3.85","scope":"principal"}}`

func TestAuth_MissingOrUnknownKeyIs401(t *testing.T) {
	ts := newServer(t, &fakeLedger{})
	for name, h := range map[string]string{"none": "", "unknown key": "Bearer nope", "basic": "Basic b2ZmaWNlcjE6eA=="} {
		t.Run(name, func(t *testing.T) {
			r := do(t, ts, "GET", "/v1/assets/CN-1", "", "Authorization", h)
			if r.status != 401 {
				t.Fatalf("status %d, want 401", r.status)
			}
			if code, _, _ := r.errorCode(t); code != string(api.CodeUnauthenticated) {
				t.Fatalf("code %s", code)
			}
			if r.header.Get("WWW-Authenticate") == "" {
				t.Fatal("no WWW-Authenticate")
			}
		})
	}
}

func TestAuth_KeyActsAsItsIdentity(t *testing.T) {
	l := &fakeLedger{OnEvaluate: func(id, fn string, args ...string) ([]byte, error) { return []byte(`{"id":"CN-1"}`), nil }}
	ts := newServer(t, l)
	if r := do(t, ts, "GET", "/v1/assets/CN-1", "", "Authorization", "Bearer ipl_admin-key"); r.status != 200 {
		t.Fatalf("status %d %s", r.status, r.body)
	}
	ev := l.Evaluated()
	if len(ev) != 1 || ev[0].Identity != "admin" || ev[0].Function != "GetAsset" || ev[0].Args[0] != "CN-1" {
		t.Fatalf("evaluated %+v", ev)
	}
}

func TestValidation_AgainstTheOpenAPIDocument(t *testing.T) {
	ts := newServer(t, &fakeLedger{})
	cases := []struct {
		name, method, path, body string
		headers                  []string
		status                   int
		code, field              string
	}{
		{"malformed JSON", "POST", "/v1/assets", `{"id":`, nil, 400, string(api.CodeMalformed), ""},
		{"missing body", "POST", "/v1/assets", ``, nil, 400, string(api.CodeMalformed), ""},
		{"wrong type", "POST", "/v1/assets", strings.Replace(assetBody, `"share":10000`, `"share":"all"`, 1), nil, 422, string(api.CodeInvalidArgument), "owners[0].share"},
		{"unknown field", "POST", "/v1/assets", strings.Replace(assetBody, `"title"`, `"colour":"red","title"`, 1), nil, 422, string(api.CodeInvalidArgument), "colour"},
		{"nested unknown field", "POST", "/v1/assets", strings.Replace(assetBody, `"share":10000`, `"share":10000,"x":1`, 1), nil, 422, string(api.CodeInvalidArgument), "owners[0].x"},
		{"missing field", "POST", "/v1/assets", strings.Replace(assetBody, `"title":"Coupler",`, ``, 1), nil, 422, string(api.CodeInvalidArgument), "title"},
		{"bad enum", "POST", "/v1/assets", strings.Replace(assetBody, `patent-invention`, `recipe`, 1), nil, 422, string(api.CodeInvalidArgument), "kind"},
		{"missing terms field", "POST", "/v1/pledges", strings.Replace(pledgeBody, `"currency":"CNY",`, ``, 1), nil, 422, string(api.CodeInvalidArgument), "terms.currency"},
		{"bad path id", "GET", "/v1/assets/bad%20id", "", nil, 422, string(api.CodeInvalidArgument), "id"},
		{"bad idempotency key", "POST", "/v1/assets", assetBody, []string{"Idempotency-Key", "not ok!"}, 422, string(api.CodeInvalidArgument), "Idempotency-Key"},
		{"empty patch", "PATCH", "/v1/assets/CN-1", `{}`, nil, 422, string(api.CodeInvalidArgument), "(body)"},
		{"record takes no fields", "POST", "/v1/transfers/TR-1/record", `{"x":1}`, nil, 422, string(api.CodeInvalidArgument), "x"},
		{"bad tx id", "GET", "/v1/transactions/xyz", "", nil, 422, string(api.CodeInvalidArgument), "txId"},
		{"too large", "POST", "/v1/assets", `{"title":"` + strings.Repeat("x", 5000) + `"}`, nil, 413, string(api.CodeTooLarge), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, ts, tc.method, tc.path, tc.body, tc.headers...)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			code, msg, _ := r.errorCode(t)
			if code != tc.code {
				t.Fatalf("code %s, want %s", code, tc.code)
			}
			if tc.field != "" && !strings.HasPrefix(msg, tc.field+": ") {
				t.Fatalf("message %q does not start with the field %q", msg, tc.field)
			}
		})
	}
}

func TestValidation_BodyAcceptedWithoutContentType(t *testing.T) {
	ts := newServer(t, &fakeLedger{})
	if r := do(t, ts, "POST", "/v1/assets", assetBody, "Content-Type", ""); r.status != 201 {
		t.Fatalf("status %d %s", r.status, r.body)
	}
	if r := do(t, ts, "POST", "/v1/transfers/TR-1/record", ""); r.status != 200 {
		t.Fatalf("record without a body: status %d %s", r.status, r.body)
	}
}

// A Go client that marshals the chaincode's own payload types (zero values, nulls) is accepted: the
// document is no stricter than the chaincode.
func TestValidation_AcceptsTheChaincodeTypesAsMarshalled(t *testing.T) {
	ts := newServer(t, &fakeLedger{})
	in, _ := json.Marshal(api.AssetInput{ID: "CN-2", Kind: api.KindPatentInvention, Number: "ZL2", Title: "T",
		Owners:          []api.Owner{{ID: "91420100MA4K0001", Name: "W", Share: 10000}},
		ApplicationDate: "2020-01-15", GrantDate: "2022-03-01", ExpiryDate: "2040-01-15", FeesPaidThrough: "2030-01-15"})
	if r := do(t, ts, "POST", "/v1/assets", string(in)); r.status != 201 {
		t.Fatalf("AssetInput: %d %s", r.status, r.body)
	}
	title := "New"
	patch, _ := json.Marshal(api.AssetPatch{Title: &title})
	if r := do(t, ts, "PATCH", "/v1/assets/CN-2", string(patch)); r.status != 200 {
		t.Fatalf("AssetPatch %s: %d %s", patch, r.status, r.body)
	}
	am, _ := json.Marshal(api.Amendment{PledgeeName: "Bank One"})
	if r := do(t, ts, "POST", "/v1/pledges/PL-1/amend", string(am)); r.status != 200 {
		t.Fatalf("Amendment %s: %d %s", am, r.status, r.body)
	}
	for _, body := range []string{`{"freeze":{"active":"yes"}}`, `{"legalStatus":"gone"}`} {
		if r := do(t, ts, "PATCH", "/v1/assets/CN-2", body); r.status != 422 {
			t.Fatalf("%s: %d", body, r.status)
		}
	}
}

func TestSubmit_CommittedWithTxIDAndBlock(t *testing.T) {
	l := &fakeLedger{OnSubmit: func(_ string, s gateway.Submission) (*gateway.Receipt, error) {
		return &gateway.Receipt{TxID: "abc", BlockNumber: 12, Committed: true, Result: []byte(`{"id":"CN-1","version":1}`), Attempts: 2}, nil
	}}
	ts := newServer(t, l)
	r := do(t, ts, "POST", "/v1/assets", assetBody, "Idempotency-Key", "req-1")
	if r.status != 201 {
		t.Fatalf("status %d %s", r.status, r.body)
	}
	m := r.json(t)
	if m["txId"] != "abc" || m["blockNumber"] != 12.0 || m["id"] != "CN-1" || m["status"] != "committed" || m["requestId"] != "req-1" || m["attempts"] != 2.0 {
		t.Fatalf("answer %v", m)
	}
	if r.header.Get("Location") != "/v1/assets/CN-1" || r.header.Get("Idempotency-Key") != "req-1" {
		t.Fatalf("headers %v", r.header)
	}
	sub := l.Submitted()[0]
	if sub.Function != "RegisterAsset" || sub.RequestID != "req-1" || len(sub.Args) != 1 || sub.Async || len(sub.EndorsingOrgs) != 0 {
		t.Fatalf("submission %+v", sub)
	}
	var payload api.AssetInput
	if err := json.Unmarshal([]byte(sub.Args[0]), &payload); err != nil || payload.Owners[0].Share != 10000 {
		t.Fatalf("payload %s: %v", sub.Args[0], err)
	}
}

func TestSubmit_I3_IdempotencyKeyRequiredAndPayloadNormalized(t *testing.T) {
	l := &fakeLedger{}
	ts := newServer(t, l)
	// Without a key a retry could become a second request: refused, nothing submitted.
	r := do(t, ts, "POST", "/v1/assets", assetBody, "Idempotency-Key", "")
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("without Idempotency-Key: %d %s", r.status, r.body)
	}
	if code, msg, _ := r.errorCode(t); code != string(api.CodeInvalidArgument) || !strings.Contains(msg, "Idempotency-Key") {
		t.Errorf("error %s %q does not name the header", code, msg)
	}
	if n := len(l.Submitted()); n != 0 {
		t.Fatalf("%d submissions without a key", n)
	}
	r1 := do(t, ts, "POST", "/v1/assets", assetBody, "Idempotency-Key", "k-1")
	r2 := do(t, ts, "POST", "/v1/assets", strings.ReplaceAll(assetBody, "\n", "  "), "Idempotency-Key", "k-2")
	if r1.header.Get("Idempotency-Key") != "k-1" || r2.header.Get("Idempotency-Key") != "k-2" {
		t.Fatalf("keys answered %q %q", r1.header.Get("Idempotency-Key"), r2.header.Get("Idempotency-Key"))
	}
	subs := l.Submitted()
	if subs[0].RequestID != "k-1" || subs[0].Args[0] != subs[1].Args[0] {
		t.Fatalf("payloads differ for the same JSON: %q vs %q", subs[0].Args[0], subs[1].Args[0])
	}
}

func TestSubmit_PreferRespondAsyncIs202(t *testing.T) {
	l := &fakeLedger{}
	ts := newServer(t, l)
	r := do(t, ts, "POST", "/v1/pledges/PL-1/release", `{"reason":"repaid"}`, "Prefer", "respond-async, wait=5", "Idempotency-Key", "k1")
	if r.status != 202 {
		t.Fatalf("status %d %s", r.status, r.body)
	}
	m := r.json(t)
	if m["txId"] != "tx-k1" || m["status"] != "submitted" || m["blockNumber"] != nil {
		t.Fatalf("answer %v", m)
	}
	if r.header.Get("Location") != "/v1/transactions/tx-k1" {
		t.Fatalf("location %q", r.header.Get("Location"))
	}
	sub := l.Submitted()[0]
	if !sub.Async || sub.Function != "ReleasePledge" || sub.Args[0] != "PL-1" || sub.Args[1] != `{"reason":"repaid"}` {
		t.Fatalf("submission %+v", sub)
	}
}

func TestSubmit_V2_TermsGoToTheTransientMapWithASalt(t *testing.T) {
	l := &fakeLedger{}
	ts := newServer(t, l)
	if r := do(t, ts, "POST", "/v1/pledges", pledgeBody); r.status != 201 {
		t.Fatalf("status %d %s", r.status, r.body)
	}
	sub := l.Submitted()[0]
	if strings.Contains(sub.Args[0], "5000000") || strings.Contains(sub.Args[0], "terms") {
		t.Fatalf("terms leaked into the public payload: %s", sub.Args[0])
	}
	var app api.PledgeApplication
	if err := json.Unmarshal([]byte(sub.Args[0]), &app); err != nil || len(app.AssetIDs) == 0 {
		t.Fatalf("payload is not an application: %v %s", err, sub.Args[0])
	}
	var terms api.Terms
	err := json.Unmarshal(sub.Transient[api.TransientTermsKey], &terms)
	if err != nil || terms.Amount != "5000000.00" || len(terms.Salt) != 64 {
		t.Fatalf("transient terms %s: %v", sub.Transient["terms"], err)
	}
}

// A request decided before answers its first decision, marked as a replay, with the first transaction;
// a refusal kept under the request id answers 409 with the transaction that decided it (I3).
func TestSubmit_I3_ARepeatAnswersTheFirstDecision(t *testing.T) {
	l := &fakeLedger{OnSubmit: func(_ string, s gateway.Submission) (*gateway.Receipt, error) {
		if s.RequestID == "refused-1" {
			return nil, &api.Error{Code: "P5", Message: "a patent carries at most one active pledge", TxID: "tx-first",
				Details: map[string]string{"reason": "patent-already-pledged"}}
		}
		return &gateway.Receipt{TxID: "tx-first", BlockNumber: 5, Committed: true, Replay: true,
			Result: []byte(`{"id":"PL-1"}`), Attempts: 0}, nil
	}}
	ts := newServer(t, l)
	r := do(t, ts, "POST", "/v1/pledges", pledgeBody, "Idempotency-Key", "apply-1")
	var out submitResult
	if err := json.Unmarshal(r.body, &out); r.status != 201 || err != nil || !out.Replay || out.TxID != "tx-first" ||
		out.ID != "PL-1" || out.BlockNumber == nil || *out.BlockNumber != 5 {
		t.Fatalf("replay: %d %s", r.status, r.body)
	}
	// Asked to answer asynchronously, a replay is still answered as committed: nothing is pending.
	r = do(t, ts, "POST", "/v1/pledges", pledgeBody, "Idempotency-Key", "apply-1", "Prefer", "respond-async")
	if err := json.Unmarshal(r.body, &out); r.status != 201 || err != nil || out.Status != "committed" || out.BlockNumber == nil {
		t.Fatalf("async replay: %d %s", r.status, r.body)
	}
	r = do(t, ts, "POST", "/v1/pledges", pledgeBody, "Idempotency-Key", "refused-1")
	if code, _, _ := r.errorCode(t); r.status != 409 || code != "P5" || !strings.Contains(string(r.body), `"txId":"tx-first"`) {
		t.Fatalf("kept refusal: %d %s", r.status, r.body)
	}
}

func TestErrors_EveryClassMapsToItsStatus(t *testing.T) {
	cases := []struct {
		name   string
		err    error
		status int
		code   string
		txID   string
	}{
		{"P4 rule conflict", api.Conflict("P4", "the right is frozen", "reason", "frozen"), 409, "P4", ""},
		{"T3 via wrapped peer message", fmt.Errorf("rpc error: code = Aborted desc = failed to endorse: chaincode response 500, %w",
			api.Conflict("T3", "owners changed")), 409, "T3", ""},
		{"forbidden", api.Forbidden("A1", "organization or role may not do this"), 403, "FORBIDDEN", ""},
		{"not found", api.NotFound("asset", "CN-9"), 404, "NOT_FOUND", ""},
		{"invalid field", api.Invalid("owners[1].share", "must be basis points"), 422, "INVALID_ARGUMENT", ""},
		{"malformed", api.Malformed("payload is not well-formed JSON"), 400, "MALFORMED", ""},
		{"chaincode internal", &api.Error{Code: "INTERNAL", Message: "internal error", Details: map[string]string{"cause": "secret"}}, 500, "INTERNAL", ""},
		{"unavailable", &api.Error{Code: api.CodeUnavailable, Message: "no peers"}, 503, "UNAVAILABLE", ""},
		{"commit timeout", &api.Error{Code: api.CodeTimeout, Message: "poll", TxID: "t1"}, 504, "COMMIT_TIMEOUT", "t1"},
		{"read conflicts outlasted retries", &api.Error{Code: "MVCC_READ_CONFLICT", Message: "lost", TxID: "t2"}, 409, "MVCC_READ_CONFLICT", "t2"},
		{"context deadline", context.DeadlineExceeded, 503, "UNAVAILABLE", ""},
		{"anything else", errors.New("boom"), 500, "INTERNAL", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := &fakeLedger{OnSubmit: func(string, gateway.Submission) (*gateway.Receipt, error) { return nil, tc.err }}
			ts := newServer(t, l)
			r := do(t, ts, "POST", "/v1/assets", assetBody)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			code, msg, tx := r.errorCode(t)
			if code != tc.code || tx != tc.txID {
				t.Fatalf("code %s tx %q, want %s %q", code, tx, tc.code, tc.txID)
			}
			if tc.status == 500 && (msg != "internal error" || strings.Contains(string(r.body), "secret") || strings.Contains(string(r.body), "boom")) {
				t.Fatalf("internal detail leaked: %s", r.body)
			}
			if tc.code == "INVALID_ARGUMENT" && !strings.HasPrefix(msg, "owners[1].share: ") {
				t.Fatalf("message %q does not name the field", msg)
			}
		})
	}
}

func TestGetPledge_V2_PrivateTermsOnlyForEntitledCallers(t *testing.T) {
	for _, entitled := range []bool{true, false} {
		t.Run(fmt.Sprint("entitled=", entitled), func(t *testing.T) {
			l := &fakeLedger{OnEvaluate: func(_, fn string, args ...string) ([]byte, error) {
				switch {
				case fn == "GetPledge":
					return []byte(`{"id":"PL-1","status":"registered"}`), nil
				case fn == "GetPledgeTerms" && entitled:
					return []byte(`{"pledgeId":"PL-1","terms":{"amount":"1.00"},"verified":true}`), nil
				}
				return nil, api.Forbidden("V2", "private terms are for the pledgee bank, the IP office and the regulator")
			}}
			ts := newServer(t, l)
			r := do(t, ts, "GET", "/v1/pledges/PL-1", "")
			if r.status != 200 {
				t.Fatalf("status %d %s", r.status, r.body)
			}
			m := r.json(t)
			if _, has := m["privateTerms"]; has != entitled || m["status"] != "registered" {
				t.Fatalf("answer %v", m)
			}
		})
	}
}

func TestListPledges(t *testing.T) {
	l := &fakeLedger{OnEvaluate: func(_, fn string, args ...string) ([]byte, error) { return []byte(`{"items":[],"count":0}`), nil }}
	ts := newServer(t, l)
	if r := do(t, ts, "GET", "/v1/pledges?status=applied&pageSize=5", ""); r.status != 200 {
		t.Fatalf("status %d %s", r.status, r.body)
	}
	ev := l.Evaluated()[0]
	if ev.Function != "ListPledgesByStatus" || strings.Join(ev.Args, "|") != "applied|5|" {
		t.Fatalf("evaluated %+v", ev)
	}
	if r := do(t, ts, "GET", "/v1/pledges?status=applied&assetId=CN-1", ""); r.status != 422 {
		t.Fatalf("two filters: status %d", r.status)
	}
	if r := do(t, ts, "GET", "/v1/pledges?status=lost", ""); r.status != 422 {
		t.Fatalf("bad status: %d", r.status)
	}
}

func TestListTransfers_ArgumentsFromTheCatalogue(t *testing.T) {
	l := &fakeLedger{OnEvaluate: func(_, fn string, args ...string) ([]byte, error) { return []byte(`{"items":[],"count":0}`), nil }}
	ts := newServer(t, l)
	for query, want := range map[string]string{
		"requestedBy=ExchangeMSP&status=requested&pageSize=5": "|requested|ExchangeMSP|5|||",
		"assetId=CN-1&bookmark=b1":                            "CN-1|||0|b1||",
		"":                                                    "|||0|||",
	} {
		if r := do(t, ts, "GET", "/v1/transfers?"+query, ""); r.status != 200 {
			t.Fatalf("%s: status %d %s", query, r.status, r.body)
		}
		ev := l.Evaluated()[len(l.Evaluated())-1]
		if ev.Function != api.ListTransfers.Name || strings.Join(ev.Args, "|") != want {
			t.Fatalf("%s: evaluated %+v, want args %s", query, ev, want)
		}
	}
	if r := do(t, ts, "GET", "/v1/transfers?status=pending", ""); r.status != 422 {
		t.Fatalf("bad status: %d", r.status)
	}
}

// TestListTransfers_KindAndConsentOf: kind and consentOf go to the chaincode after the page's
// arguments (optional arguments come last); a value the document does not admit is refused naming the
// field before the chaincode; an answer that does not name a filter asked for (a chaincode of older
// rules, which ignored it) is not passed on as if filtered: 503.
func TestListTransfers_KindAndConsentOf(t *testing.T) {
	answer := `{"bookmark":"","consentOf":"Bank1MSP","count":0,"items":[],"kind":"license"}`
	l := &fakeLedger{OnEvaluate: func(_, fn string, args ...string) ([]byte, error) { return []byte(answer), nil }}
	ts := newServer(t, l)
	r := do(t, ts, "GET", "/v1/transfers?consentOf=Bank1MSP&kind=license&pageSize=100", "")
	if r.status != 200 || string(r.body) != answer {
		t.Fatalf("filtered: %d %s", r.status, r.body)
	}
	if ev := l.Evaluated()[0]; strings.Join(ev.Args, "|") != "|||100||license|Bank1MSP" {
		t.Fatalf("evaluated %+v", ev)
	}
	for query, field := range map[string]string{"kind=sale": "kind", "consentOf=ExchangeMSP": "consentOf", "consentOf=Bank1": "consentOf"} {
		r := do(t, ts, "GET", "/v1/transfers?"+query, "")
		var e errorBody
		if r.status != 422 || json.Unmarshal(r.body, &e) != nil || e.Error.Details["field"] != field {
			t.Errorf("%s: %d %s, want 422 naming %s", query, r.status, r.body, field)
		}
	}
	if n := len(l.Evaluated()); n != 1 {
		t.Errorf("a request refused by the document reached the chaincode: %d evaluations", n)
	}
	answer = `{"bookmark":"","count":1,"items":[{"id":"TR-1","kind":"assignment"}]}` // older rules: no filter named
	for _, query := range []string{"consentOf=Bank1MSP", "kind=license", "kind=license&consentOf=Bank2MSP"} {
		r := do(t, ts, "GET", "/v1/transfers?"+query, "")
		if r.status != 503 || !strings.Contains(string(r.body), "older rules") || strings.Contains(string(r.body), "TR-1") {
			t.Errorf("%s from a chaincode of older rules: %d %s", query, r.status, r.body)
		}
	}
	if r := do(t, ts, "GET", "/v1/transfers?status=requested", ""); r.status != 200 {
		t.Errorf("no filter asked, from a chaincode of older rules: %d %s", r.status, r.body)
	}
}

// Every route of the catalogue is an operation of the OpenAPI document that names the same chaincode
// transaction, so the document, the routes and the chaincode cannot drift apart.
func TestCatalogueRoutesAreDocumented(t *testing.T) {
	spec, err := LoadSpec(docs.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range api.Operations {
		if op.Path == "" {
			continue
		}
		route, err := spec.route(op.Method, op.Path)
		if err != nil {
			t.Errorf("%s: %v", op.Name, err)
			continue
		}
		if x, _ := route.Operation.Extensions["x-chaincode"].(string); !strings.Contains(x, op.Name) &&
			!strings.HasPrefix(op.Name, "ListPledges") && op.Name != api.ListOverdueExaminations.Name {
			t.Errorf("%s %s names chaincode %q, the catalogue %s", op.Method, op.Path, x, op.Name)
		}
		// A query argument the document does not declare would be dropped without a word (the
		// validator ignores unknown query parameters): every one is a parameter of the route.
		for _, a := range op.Args {
			if a.In != api.InQuery {
				continue
			}
			if p := route.Operation.Parameters.GetByInAndName("query", a.Param); p == nil {
				t.Errorf("%s %s: the catalogue's query argument %q (%s) is not a documented parameter", op.Method, op.Path, a.Param, op.Name)
			}
		}
	}
}

func TestVerify_StatementWithItsProof(t *testing.T) {
	at := time.Date(2025, 3, 1, 1, 2, 3, 0, time.UTC)
	l := &fakeLedger{
		OnEvaluate: func(_, fn string, args ...string) ([]byte, error) {
			return []byte(`{"assetId":"CN-1","titleTxId":"t-title","lastTxId":"t-last","owners":[],
				"encumbrances":[{"pledgeId":"PL-1","rank":1,"registrationTxId":"t-reg","pledgeeMsp":"Bank1MSP"}]}`), nil
		},
		Transactions: map[string]*api.Transaction{
			"t-title": {TxID: "t-title", BlockNumber: 5, Valid: true, ValidationCode: "VALID", Time: at, EndorsingOrgs: []string{"Bank1MSP", "IPOfficeMSP"}},
			"t-last":  {TxID: "t-last", BlockNumber: 9, Valid: true, ValidationCode: "VALID", EndorsingOrgs: []string{"Bank1MSP", "IPOfficeMSP"}},
			"t-reg":   {TxID: "t-reg", BlockNumber: 8, Valid: true, ValidationCode: "VALID", EndorsingOrgs: []string{"Bank1MSP", "IPOfficeMSP"}},
		},
		LedgerHeight: 10,
	}
	ts := newServer(t, l)
	r := do(t, ts, "GET", "/v1/verify/CN-1", "")
	if r.status != 200 {
		t.Fatalf("status %d %s", r.status, r.body)
	}
	var v struct {
		Statement api.Statement `json:"statement"`
		Proof     struct {
			LedgerHeight uint64            `json:"ledgerHeight"`
			VerifiedBy   string            `json:"verifiedBy"`
			Title        api.Transaction   `json:"title"`
			LastChange   api.Transaction   `json:"lastChange"`
			Encumbrances []json.RawMessage `json:"encumbrances"`
		} `json:"proof"`
	}
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatal(err)
	}
	if v.Statement.AssetID != "CN-1" || v.Proof.LedgerHeight != 10 || v.Proof.VerifiedBy != "Bank1MSP" ||
		v.Proof.Title.BlockNumber != 5 || !v.Proof.Title.Time.Equal(at) || v.Proof.LastChange.BlockNumber != 9 || len(v.Proof.Encumbrances) != 1 {
		t.Fatalf("verification %s", r.body)
	}
	var enc struct {
		PledgeID      string   `json:"pledgeId"`
		Rank          int      `json:"rank"`
		TxID          string   `json:"txId"`
		BlockNumber   uint64   `json:"blockNumber"`
		EndorsingOrgs []string `json:"endorsingOrgs"`
	}
	_ = json.Unmarshal(v.Proof.Encumbrances[0], &enc)
	if enc.PledgeID != "PL-1" || enc.Rank != 1 || enc.TxID != "t-reg" || enc.BlockNumber != 8 || len(enc.EndorsingOrgs) != 2 {
		t.Fatalf("encumbrance proof %s", v.Proof.Encumbrances[0])
	}
}

func TestTransactions(t *testing.T) {
	tx := strings.Repeat("ab", 32)
	l := &fakeLedger{Transactions: map[string]*api.Transaction{tx: {TxID: tx, BlockNumber: 3, ValidationCode: "VALID", Valid: true,
		EndorsingOrgs: []string{"Bank1MSP", "IPOfficeMSP"}}}, LedgerHeight: 4}
	ts := newServer(t, l)
	r := do(t, ts, "GET", "/v1/transactions/"+tx, "")
	m := r.json(t)
	if r.status != 200 || m["blockNumber"] != 3.0 || m["validationCode"] != "VALID" || m["ledgerHeight"] != 4.0 {
		t.Fatalf("status %d %s", r.status, r.body)
	}
	r = do(t, ts, "GET", "/v1/transactions/"+strings.Repeat("cd", 32), "")
	if code, _, txID := r.errorCode(t); r.status != 404 || code != "NOT_FOUND" || txID == "" {
		t.Fatalf("unknown tx: %d %s", r.status, r.body)
	}
}

// readEvents reads n server-sent events.
func readEvents(t *testing.T, ts *httptest.Server, query string, n int, headers ...string) []map[string]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+"/v1/events"+query, nil)
	req.Header.Set("Authorization", "Bearer "+officerKey)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("status %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	var out []map[string]string
	cur := map[string]string{}
	sc := bufio.NewScanner(res.Body)
	for len(out) < n && sc.Scan() {
		line := sc.Text()
		if line == "" {
			if len(cur) > 0 {
				out = append(out, cur)
				cur = map[string]string{}
			}
			continue
		}
		if k, v, ok := strings.Cut(line, ": "); ok && !strings.HasPrefix(line, ":") {
			cur[k] = v
		}
	}
	return out
}

func TestEvents_ResumableWithLastEventID(t *testing.T) {
	l := &fakeLedger{Stream: []gateway.Event{
		{BlockNumber: 5, TransactionID: "aa", Name: "AssetRegistered", Payload: []byte(`{"id":"CN-1"}`)},
		{BlockNumber: 5, TransactionID: "bb", Name: "PledgeApplied", Payload: []byte(`{"id":"PL-1"}`)},
		{BlockNumber: 6, TransactionID: "cc", Name: "PledgeRegistered", Payload: []byte(`{"id":"PL-1"}`)},
	}}
	ts := newServer(t, l)
	all := readEvents(t, ts, "?from=0", 3)
	if len(all) != 3 || all[0]["id"] != "5:aa" || all[0]["event"] != "AssetRegistered" || all[2]["id"] != "6:cc" {
		t.Fatalf("events %v", all)
	}
	var d eventData
	if err := json.Unmarshal([]byte(all[1]["data"]), &d); err != nil || d.TxID != "bb" || string(d.Payload) != `{"id":"PL-1"}` {
		t.Fatalf("data %s: %v", all[1]["data"], err)
	}
	rest := readEvents(t, ts, "", 2, "Last-Event-ID", "5:aa")
	if len(rest) != 2 || rest[0]["id"] != "5:bb" || rest[1]["id"] != "6:cc" {
		t.Fatalf("resumed events %v", rest)
	}
	if f := l.From(); f[0] == nil || !f[0].IsZero() || f[1] == nil || f[1].TransactionID != "aa" {
		t.Fatalf("start positions %+v %+v", f[0], f[1])
	}
}

func TestEvents_NamedStreamKeepsItsCheckpoint(t *testing.T) {
	l := &fakeLedger{Stream: []gateway.Event{
		{BlockNumber: 5, TransactionID: "aa", Name: "A", Payload: []byte(`{}`)},
		{BlockNumber: 6, TransactionID: "bb", Name: "B", Payload: []byte(`{}`)},
	}}
	ts := newServer(t, l)
	first := readEvents(t, ts, "?stream=audit&from=0", 2)
	if len(first) != 2 || first[1]["id"] != "6:bb" {
		t.Fatalf("first %v", first)
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		if cp, _ := l.OpenCheckpoint("officer1", "audit"); cp.Checkpoint().TransactionID == "bb" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the stream's checkpoint did not reach 6:bb")
		}
		time.Sleep(10 * time.Millisecond)
	}
	l.Append(gateway.Event{BlockNumber: 7, TransactionID: "cc", Name: "C", Payload: []byte(`{}`)})
	next := readEvents(t, ts, "?stream=audit", 1)
	if len(next) != 1 || next[0]["id"] != "7:cc" {
		t.Fatalf("next %v", next)
	}
}

func TestOperations(t *testing.T) {
	l := &fakeLedger{}
	m := metrics.New("Bank1MSP")
	// Every probe pings here (ReadyInterval 1ns), so that the peer's outage shows at the next probe;
	// ready_test.go proves the cache of the default interval.
	ts := newServerFor(t, l, "Bank1MSP", Options{Metrics: m, ReadyInterval: time.Nanosecond})
	if r := do(t, ts, "GET", "/healthz", "", "Authorization", ""); r.status != 200 {
		t.Fatalf("healthz %d", r.status)
	}
	if r := do(t, ts, "GET", "/readyz", "", "Authorization", ""); r.status != 200 || r.json(t)["chaincode"] != "ipledger-cc/fake" {
		t.Fatalf("readyz %d %s", r.status, r.body)
	}
	r := do(t, ts, "GET", "/openapi.json", "", "Authorization", "")
	if r.status != 200 || r.json(t)["openapi"] != "3.0.3" {
		t.Fatalf("openapi.json %d", r.status)
	}
	do(t, ts, "POST", "/v1/assets", assetBody)
	// The API's listener serves no /metrics (the operations listener does, to holders of a client
	// certificate): the requests are counted all the same.
	if r := do(t, ts, "GET", "/metrics", "", "Authorization", ""); r.status != 404 {
		t.Fatalf("/metrics on the API's listener: %d, want 404", r.status)
	}
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	r = response{status: rec.Code, body: rec.Body.Bytes()}
	for _, want := range []string{`ipledger_gateway_http_requests_total{method="POST",msp="Bank1MSP",route="/v1/assets",status="201"} 1`,
		`ipledger_gateway_http_request_duration_seconds_bucket`} {
		if !strings.Contains(string(r.body), want) {
			t.Fatalf("metrics lack %s", want)
		}
	}
	l.PingErr = errors.New("connection refused")
	if r := do(t, ts, "GET", "/readyz", "", "Authorization", ""); r.status != 503 {
		t.Fatalf("readyz without peer %d", r.status)
	}
	if r := do(t, ts, "GET", "/v1/nothing", ""); r.status != 404 {
		t.Fatalf("unknown route %d", r.status)
	}
	if r := do(t, ts, "DELETE", "/v1/assets/CN-1", ""); r.status != 405 {
		t.Fatalf("wrong method %d", r.status)
	}
}

func TestGinPath(t *testing.T) {
	for path, want := range map[string]string{
		"/v1/assets": "/v1/assets", "/v1/pledges/{id}/register": "/v1/pledges/:id/register",
		"/v1/verify/{assetId}": "/v1/verify/:assetId",
	} {
		if got := ginPath(path); got != want {
			t.Errorf("%s: %s, want %s", path, got, want)
		}
	}
}
