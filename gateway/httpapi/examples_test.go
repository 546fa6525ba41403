package httpapi

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/docs"
	"github.com/ipledger/ipledger/gateway"
)

var printExamples = flag.Bool("print-examples", false, "print each example's answer as an x-example response line")

// docExample is an operation's x-example in docs/openapi.yaml: the request (as apidoc renders it into
// a curl command) and the documented answer.
type docExample struct {
	As       string            `json:"as"`
	Path     map[string]string `json:"path"`
	Body     json.RawMessage   `json:"body"`
	Setup    string            `json:"setup"`
	Capture  string            `json:"capture"`
	Response *struct {
		Status int             `json:"status"`
		Body   json.RawMessage `json:"body"`
	} `json:"response"`
}

type docOperation struct {
	method, path string
	op           *openapi3.Operation
	ex           docExample
}

// docOperations are the document's operations with an x-example, in the order the YAML lists their
// paths (the order of the examples: an IP right, a pledge on it, its life, a transfer).
func docOperations(t *testing.T) (*openapi3.T, []docOperation) {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(docs.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	src := string(docs.OpenAPI)
	paths := doc.Paths.Keys()
	sort.Slice(paths, func(i, j int) bool {
		return strings.Index(src, "\n  "+paths[i]+":") < strings.Index(src, "\n  "+paths[j]+":")
	})
	var out []docOperation
	for _, p := range paths {
		for _, m := range []string{"POST", "PATCH", "GET"} {
			op := doc.Paths.Value(p).GetOperation(m)
			if op == nil || op.Extensions["x-example"] == nil {
				continue
			}
			o := docOperation{method: m, path: p, op: op}
			raw, _ := json.Marshal(op.Extensions["x-example"])
			if err := json.Unmarshal(raw, &o.ex); err != nil {
				t.Fatalf("%s %s: x-example: %v", m, p, err)
			}
			out = append(out, o)
		}
	}
	return doc, out
}

// orgs are the five organizations' gateways over one world running the real rules, each with the
// users the examples act as.
type orgs struct {
	t       *testing.T
	servers map[string]*httptest.Server
	ledgers map[string]*rulesLedger
	vars    map[string]string
	seq     int
}

var orgMSPs = map[string]api.MSPID{"ipoffice": api.MSPIPOffice, "bank1": api.MSPBank1, "bank2": api.MSPBank2,
	"exchange": api.MSPExchange, "regulator": api.MSPRegulator,
	// The IP-finance record's members (docs/ip-finance.md).
	"valuer": api.MSPValuer, "insurer": api.MSPInsurer, "fund": api.MSPFund}

var userRoles = map[string]api.Role{"examiner1": api.RoleExaminer, "officer1": api.RoleLoanOfficer,
	"trader1": api.RoleTrader, "auditor1": api.RoleAuditor, "admin": api.RoleAdmin,
	"appraiser1": api.RoleValuer, "underwriter1": api.RoleUnderwriter, "manager1": api.RoleFundOfficer}

func newOrgs(t *testing.T) *orgs {
	t.Helper()
	w := newRulesWorld()
	o := &orgs{t: t, servers: map[string]*httptest.Server{}, ledgers: map[string]*rulesLedger{}, vars: map[string]string{
		// The register's date of the in-memory ledger's clock (2025-03-03 02:00 UTC is 10:00 in UTC+8),
		// its year, and 300 days after it (apidoc's preamble sets the same from the machine's clock).
		"TODAY": "2025-03-03", "YEAR": "2025", "LATER": "2025-12-28"}}
	for org, msp := range orgMSPs {
		o.addOrg(w, org, msp)
	}
	return o
}

// addOrg starts org's gateway over the world w, with every user of userRoles.
func (o *orgs) addOrg(w *rulesWorld, org string, msp api.MSPID) {
	t := o.t
	t.Helper()
	var ids []gateway.IdentityConfig
	for user, role := range userRoles {
		ids = append(ids, gateway.IdentityConfig{Name: user, Role: string(role), APIKeySHA256: hashOf(org + "/" + user)})
	}
	keys, err := gateway.NewKeyring(string(msp), ids)
	if err != nil {
		t.Fatal(err)
	}
	l := &rulesLedger{w: w, msp: msp, roles: userRoles, org: org}
	o.ledgers[org] = l
	s, err := New(Options{Ledger: l, Keyring: keys, MSPID: string(msp), Channel: "ipledger",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), SaltKey: []byte("examples-salt-key-0123456789abcd")})
	if err != nil {
		t.Fatal(err)
	}
	o.servers[org] = httptest.NewServer(s)
	t.Cleanup(o.servers[org].Close)
}

var varRef = regexp.MustCompile(`\$([A-Z][A-Z0-9]*)`)

// expand puts the values of the example's variables in place of $NAME; $RANDOM is one number per
// example.
func (o *orgs) expand(s string) string {
	return varRef.ReplaceAllStringFunc(s, func(ref string) string {
		if v, ok := o.vars[ref[1:]]; ok {
			return v
		}
		o.t.Fatalf("the example uses %s, which no earlier example set", ref)
		return ""
	})
}

// send makes one request as org/user and returns the status and the decoded answer.
func (o *orgs) send(as, method, path, body string) (int, []byte) {
	o.t.Helper()
	org, user, _ := strings.Cut(as, "/")
	ts := o.servers[org]
	if ts == nil {
		o.t.Fatalf("unknown organization in %q", as)
	}
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, ts.URL+path, rd)
	if err != nil {
		o.t.Fatal(err)
	}
	o.seq++
	req.Header.Set("Authorization", "Bearer "+org+"/"+user)
	req.Header.Set("Content-Type", "application/json")
	if method != http.MethodGet {
		req.Header.Set("Idempotency-Key", fmt.Sprintf("demo-%d", o.seq))
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		o.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res.StatusCode, raw
}

// created posts a body and returns the new record's id, failing unless it was created.
func (o *orgs) created(as, path, body string) string {
	o.t.Helper()
	status, raw := o.send(as, http.MethodPost, path, body)
	var ans struct {
		ID string `json:"id"`
	}
	if status != http.StatusCreated || json.Unmarshal(raw, &ans) != nil || ans.ID == "" {
		o.t.Fatalf("POST %s: %d %s", path, status, raw)
	}
	return ans.ID
}

// The shell helpers of the examples' set-up (gateway/cmd/apidoc's preamble), with the same bodies.
func (o *orgs) helper(name string, args []string) string {
	o.seq++
	switch {
	case name == "new_asset" && len(args) == 0:
		return o.created("ipoffice/examiner1", "/v1/assets", fmt.Sprintf(`{"id":"CN-DEMO-H%d","kind":"patent-invention",`+
			`"number":"ZL-DEMO-H%d","title":"Demo patent","owners":[{"id":"91420100MA4K0001","name":"Wuhan Optics Co.","share":10000}],`+
			`"applicationDate":"2020-01-15","grantDate":"2022-03-01","expiryDate":"2040-01-15","feesPaidThrough":"2030-01-15"}`, o.seq, o.seq))
	case name == "new_pledge" && len(args) == 1:
		return o.created("bank1/officer1", "/v1/pledges", `{"assetIds":["`+args[0]+`"],"pledgors":[{"id":"91420100MA4K0001",`+
			`"name":"Wuhan Optics Co."}],"pledgeeName":"Bank One","debtKind":"loan","debtTermStart":"2025-01-01","debtTermEnd":"2027-12-31",`+
			`"contractHash":"`+strings.Repeat("0", 63)+`1","terms":{"amount":"1000000.00","currency":"CNY","interestRate":"3.85","scope":"principal"}}`)
	case name == "registered_pledge" && len(args) == 1:
		p := o.helper("new_pledge", args)
		if status, raw := o.send("ipoffice/examiner1", http.MethodPost, "/v1/pledges/"+p+"/register", `{"registrationNumber":"Y-`+p+`"}`); status != http.StatusOK {
			o.t.Fatalf("registered_pledge: %d %s", status, raw)
		}
		return p
	case name == "pending_change" && len(args) == 1:
		status, raw := o.send("ipoffice/examiner1", http.MethodGet, "/v1/pledges/"+args[0], "")
		var p struct {
			PendingChangeID string `json:"pendingChangeId"`
		}
		if status != http.StatusOK || json.Unmarshal(raw, &p) != nil || p.PendingChangeID == "" {
			o.t.Fatalf("pending_change %s: %d %s", args[0], status, raw)
		}
		return p.PendingChangeID
	case name == "new_license" && len(args) == 1:
		t := o.created("exchange/trader1", "/v1/transfers", fmt.Sprintf(`{"assetId":"%s","kind":"license","origin":"trade",`+
			`"tradeRef":"L-%d","newOwners":[{"id":"91420100MA4K0003","name":"Hankou Devices Co.","share":10000}],`+
			`"license":{"type":"ordinary","termStart":"2025-01-01","termEnd":"2030-12-31","territory":["CN"],"filingNumber":"X-%d"}}`, args[0], o.seq, o.seq))
		if status, raw := o.send("ipoffice/examiner1", http.MethodPost, "/v1/transfers/"+t+"/record", `{}`); status != http.StatusOK {
			o.t.Fatalf("new_license: %d %s", status, raw)
		}
		return t
	case name == "frozen_asset" && len(args) == 0:
		a := o.helper("new_asset", nil)
		if status, raw := o.send("ipoffice/examiner1", http.MethodPost, "/v1/assets/"+a+"/freezes",
			`{"court":"武汉市中级人民法院","ref":"(2026)鄂01执保13号"}`); status != http.StatusOK {
			o.t.Fatalf("frozen_asset: %d %s", status, raw)
		}
		return a
	case name == "sold_at_loss" && len(args) == 1:
		// The pledge defaulted with a claim of 1,000,000.00, its right sold for 400,000.00 and the
		// buyer's title recorded: a loss of 600,000.00 (F5, F7).
		p := args[0]
		if status, raw := o.send("bank1/officer1", http.MethodPost, "/v1/pledges/"+p+"/default",
			`{"reason":"instalments overdue 90 days","claim":{"amount":"1000000.00","currency":"CNY"}}`); status != http.StatusOK {
			o.t.Fatalf("sold_at_loss: default: %d %s", status, raw)
		}
		status, raw := o.send("exchange/trader1", http.MethodPost, "/v1/pledges/"+p+"/dispose", fmt.Sprintf(`{"method":"auction",`+
			`"buyers":[{"id":"91420100MA4K0009","name":"Hubei Photonics Ltd.","share":10000}],"price":"400000.00","currency":"CNY",`+
			`"proceeds":[{"pledgeId":"%s","amount":"400000.00"}],"surplus":"0.00","saleRef":"S-%d"}`, p, o.seq))
		var ans struct {
			Result struct {
				Disposal struct {
					TransferIDs []string `json:"transferIds"`
				} `json:"disposal"`
			} `json:"result"`
		}
		if status != http.StatusOK || json.Unmarshal(raw, &ans) != nil || len(ans.Result.Disposal.TransferIDs) != 1 {
			o.t.Fatalf("sold_at_loss: dispose: %d %s", status, raw)
		}
		if status, raw := o.send("ipoffice/examiner1", http.MethodPost, "/v1/transfers/"+ans.Result.Disposal.TransferIDs[0]+"/record", `{}`); status != http.StatusOK {
			o.t.Fatalf("sold_at_loss: record: %d %s", status, raw)
		}
		return p
	case name == "fund_claim" && len(args) == 1:
		return o.created("bank1/officer1", "/v1/fund/claims", `{"pledgeId":"`+args[0]+`"}`)
	case name == "new_subsidy" && len(args) == 1:
		return o.created("bank1/officer1", "/v1/fund/subsidies", `{"pledgeId":"`+args[0]+`","kind":"loan-interest",`+
			`"enterprise":{"id":"91420100MA4K0001","name":"Wuhan Optics Co."},"basis":"8020.55","currency":"CNY",`+
			`"periodStart":"2025-01-01","periodEnd":"2025-02-28","evidenceHash":"`+strings.Repeat("a", 64)+`"}`)
	case name == "new_transfer" && len(args) == 1:
		return o.created("exchange/trader1", "/v1/transfers", fmt.Sprintf(`{"assetId":"%s","kind":"assignment","origin":"trade",`+
			`"tradeRef":"T-%d","newOwners":[{"id":"91420100MA4K0002","name":"Jiangcheng Lasers Co.","share":10000}]}`, args[0], o.seq))
	}
	o.t.Fatalf("the set-up calls %s %v, which the test does not know", name, args)
	return ""
}

// setup runs an example's set-up lines: NAME=$(helper args…); … where an argument is $VAR or $(…).
func (o *orgs) setup(lines string) {
	for _, stmt := range strings.Split(lines, ";") {
		name, expr, ok := strings.Cut(strings.TrimSpace(stmt), "=")
		if !ok {
			o.t.Fatalf("set-up %q: not NAME=$(…)", stmt)
		}
		v, rest := o.eval(expr)
		if strings.TrimSpace(rest) != "" {
			o.t.Fatalf("set-up %q: trailing %q", stmt, rest)
		}
		o.vars[name] = v
	}
}

// eval evaluates one "$(helper args…)" at the start of s and returns its value and the rest of s.
func (o *orgs) eval(s string) (string, string) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "$(") {
		o.t.Fatalf("set-up: %q is not $(…)", s)
	}
	s = s[2:]
	var words []string
	for {
		s = strings.TrimLeft(s, " ")
		switch {
		case strings.HasPrefix(s, ")"):
			return o.helper(words[0], words[1:]), s[1:]
		case strings.HasPrefix(s, "$("):
			v, rest := o.eval(s)
			words, s = append(words, v), rest
		default:
			end := strings.IndexAny(s, " )")
			if end < 0 {
				o.t.Fatalf("set-up: unclosed $(")
			}
			words, s = append(words, o.expand(s[:end])), s[end:]
		}
	}
}

// placeholders writes the example's variables back into an answer ($PLEDGE for the pledge's id…), for
// -print-examples: the text of a response example.
func (o *orgs) placeholders(answer string) string {
	names := slices.DeleteFunc(slices.Collect(maps.Keys(o.vars)), func(k string) bool { return k == "RANDOM" })
	slices.SortFunc(names, func(a, b string) int { return len(o.vars[b]) - len(o.vars[a]) })
	for _, k := range names {
		answer = strings.ReplaceAll(answer, `"`+o.vars[k]+`"`, `"$`+k+`"`)
	}
	return strings.ReplaceAll(answer, "-"+o.vars["RANDOM"]+`"`, `-$RANDOM"`)
}

// url is the example's path with its path parameters: those it names, else the record of the kind
// the path is about ($ASSET, $PLEDGE, $TRANSFER), as apidoc writes them.
func (d docOperation) url() string {
	p := d.path
	for name, v := range d.ex.Path {
		p = strings.ReplaceAll(p, "{"+name+"}", v)
	}
	for prefix, v := range map[string]string{"/v1/assets/": "$ASSET", "/v1/pledges/": "$PLEDGE", "/v1/transfers/": "$TRANSFER"} {
		if strings.HasPrefix(p, prefix) {
			p = strings.Replace(p, "{id}", v, 1)
		}
	}
	return p
}

// Ids, hashes derived from them, random salts and times differ from run to run: the answer must have these fields,
// of the documented JSON type, whatever their value.
var variableFields = map[string]bool{"id": true, "txId": true, "requestId": true, "blockNumber": true,
	"titleTxId": true, "registrationTxId": true, "appliedAt": true, "decidedAt": true, "registeredAt": true,
	"examinationDueBy": true, "at": true, "time": true, "since": true, "termsHash": true, "transferIds": true,
	"registrationNumber": true, "salt": true, "filedAt": true, "decisionTxId": true, "pendingChangeId": true,
	"recordedAt": true, "receivedAt": true, "issuedAt": true, "valueHash": true, "effectiveFrom": true, "liftedAt": true, "requestedAt": true, "tradeRef": true}

// changeID is a change's id inside a text (an action "PledgeChangeFiled:CH-…"): derived from a
// transaction id, so it varies like one.
var changeID = regexp.MustCompile(`CH-[0-9a-f]{24}`)

// sameFields compares an answer with its documented example field by field: the same fields, the same
// values, except variableFields, whose JSON type only must match.
func sameFields(path string, want, got any, variable bool) []string {
	if variable {
		if fmt.Sprintf("%T", want) != fmt.Sprintf("%T", got) {
			return []string{fmt.Sprintf("%s: documented %T, answered %T", path, want, got)}
		}
		return nil
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: documented an object, answered %v", path, got)}
		}
		var diffs []string
		for _, k := range slices.Sorted(maps.Keys(w)) {
			if _, ok := g[k]; !ok {
				diffs = append(diffs, fmt.Sprintf("%s.%s: documented, not in the answer", path, k))
				continue
			}
			diffs = append(diffs, sameFields(path+"."+k, w[k], g[k], variableFields[k])...)
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				diffs = append(diffs, fmt.Sprintf("%s.%s: in the answer, not in the example", path, k))
			}
		}
		return diffs
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{fmt.Sprintf("%s: documented %d items, answered %v", path, len(w), got)}
		}
		var diffs []string
		for i := range w {
			diffs = append(diffs, sameFields(fmt.Sprintf("%s[%d]", path, i), w[i], g[i], false)...)
		}
		return diffs
	default:
		w, g := changeID.ReplaceAllString(fmt.Sprint(want), "CH-…"), changeID.ReplaceAllString(fmt.Sprint(got), "CH-…")
		if w != g || fmt.Sprintf("%T", want) != fmt.Sprintf("%T", got) {
			return []string{fmt.Sprintf("%s: documented %v, answered %v", path, want, got)}
		}
		return nil
	}
}

// The request examples of docs/openapi.yaml's submitting routes, sent in the document's order through
// the gateway's HTTP handler to the real chaincode rules, are accepted, and what comes back is the
// documented response example, field by field (ids and times aside), and valid against the route's
// documented response schema.
func TestDocumentedExamplesRoundTripThroughTheRules(t *testing.T) {
	doc, ops := docOperations(t)
	o := newOrgs(t)
	checked := 0
	for _, d := range ops {
		// Every submission's example; a read's when it documents its answer.
		if d.method == http.MethodGet && d.ex.Response == nil || d.method != http.MethodGet && d.ex.Body == nil {
			continue
		}
		o.vars["RANDOM"] = fmt.Sprint(20000 + o.seq)
		if d.ex.Setup != "" {
			o.setup(d.ex.Setup)
		}
		as := d.ex.As
		body := ""
		if d.ex.Body != nil {
			body = o.expand(string(d.ex.Body))
		}
		status, raw := o.send(as, d.method, o.expand(d.url()), body)
		name := d.method + " " + d.path
		if status/100 != 2 {
			t.Errorf("%s: the documented request is refused: %d %s", name, status, raw)
			continue
		}
		var ans map[string]any
		if err := json.Unmarshal(raw, &ans); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if d.ex.Capture != "" {
			o.vars[d.ex.Capture], _ = ans["id"].(string)
			o.vars["TXID"], _ = ans["txId"].(string)
		}
		if *printExamples {
			fmt.Printf("EX\t%s\t%d\t%s\n", name, status, o.placeholders(string(raw)))
		}
		validAnswer(t, doc, d, status, raw)
		if d.ex.Response == nil {
			t.Errorf("%s: the example documents no response", name)
			continue
		}
		var want any
		if err := json.Unmarshal([]byte(o.expand(string(d.ex.Response.Body))), &want); err != nil {
			t.Fatalf("%s: response example: %v", name, err)
		}
		if d.ex.Response.Status != status {
			t.Errorf("%s: documented status %d, answered %d", name, d.ex.Response.Status, status)
		}
		for _, diff := range sameFields("", want, ans, false) {
			t.Errorf("%s: %s", name, diff)
		}
		checked++
	}
	if checked < 10 {
		t.Fatalf("only %d submitting examples checked", checked)
	}
}

// validAnswer checks an answer against the response the document declares for its status.
func validAnswer(t *testing.T, doc *openapi3.T, d docOperation, status int, body []byte) {
	t.Helper()
	req, _ := http.NewRequest(d.method, "http://gateway"+d.path, nil)
	route := &routers.Route{Spec: doc, Path: d.path, PathItem: doc.Paths.Value(d.path), Method: d.method, Operation: d.op}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}},
		Status: status, Header: http.Header{"Content-Type": {"application/json"}},
		Options: &openapi3filter.Options{IncludeResponseStatus: true},
	}
	in.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(req.Context(), in); err != nil {
		t.Errorf("%s %s: the answer does not fit the documented response: %v", d.method, d.path, err)
	}
}

// The document's Pledge schema names every field of the chaincode's public pledge record (api.Pledge),
// and every status; GET /v1/pledges/{id} adds privateTerms.
func TestPledgeSchemaIsThePledgeRecord(t *testing.T) {
	doc, _ := docOperations(t)
	schema := doc.Components.Schemas["Pledge"].Value
	var want []string
	rt := reflect.TypeOf(api.Pledge{})
	for i := range rt.NumField() {
		name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
		want = append(want, name)
	}
	want = append(want, "privateTerms")
	got := slices.Sorted(maps.Keys(schema.Properties))
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("Pledge schema fields %v, record fields %v", got, want)
	}
	var statuses []string
	for _, v := range schema.Properties["status"].Value.Enum {
		statuses = append(statuses, fmt.Sprint(v))
	}
	var all []string
	for _, st := range api.PledgeStatuses {
		all = append(all, string(st))
	}
	if !slices.Equal(statuses, all) {
		t.Errorf("Pledge schema statuses %v, chaincode %v", statuses, all)
	}
}
