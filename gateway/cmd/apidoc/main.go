// Command apidoc writes the API reference (docs/api.md) from the OpenAPI document (docs/openapi.yaml),
// with a curl example per endpoint that runs against a network started by `./scripts/ipledger up`.
//
//	go run ./gateway/cmd/apidoc            # writes docs/api.md
//	go run ./gateway/cmd/apidoc -check     # fails when docs/api.md is not up to date
//	go run ./gateway/cmd/apidoc -script    # prints the examples as one shell script
//
// Examples come from each operation's x-example: as (org/user), path (path parameters), query, body,
// setup (shell lines run first) and capture (a variable that receives the new record's id).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/ipledger/ipledger/docs"
)

func main() {
	out := flag.String("o", "docs/api.md", "the file to write")
	check := flag.Bool("check", false, "fail when the file is not what would be written")
	script := flag.Bool("script", false, "print the examples as one shell script instead")
	flag.Parse()
	doc, err := openapi3.NewLoader().LoadFromData(docs.OpenAPI)
	if err == nil {
		err = doc.Validate(context.Background())
	}
	if err != nil {
		fatal(err)
	}
	if *script {
		fmt.Print(preamble + "\n")
		for _, op := range operations(doc) {
			fmt.Println(op.example())
		}
		return
	}
	md := render(doc)
	if *check {
		cur, err := os.ReadFile(*out)
		if err != nil || !bytes.Equal(cur, md) {
			fatal(fmt.Errorf("%s is not up to date: run go run ./gateway/cmd/apidoc", *out))
		}
		return
	}
	if err := os.WriteFile(*out, md, 0o644); err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "apidoc:", err)
	os.Exit(1)
}

// preamble sets up the shell for the examples.
const preamble = `# Against a network started with ./scripts/ipledger up (data directory .ipledger, port base 7000;
# set IPLEDGER_DATA_DIR and IPLEDGER_PORT_BASE as you did for up). Needs bash and curl.
# The gateways serve HTTPS only, each with a certificate of its organization's own CA: curl trusts
# that CA (--cacert "$(ca <org>)") and no other.
D=${IPLEDGER_DATA_DIR:-.ipledger}; P=${IPLEDGER_PORT_BASE:-7000}
BANK1=https://127.0.0.1:$((P+25)) BANK2=https://127.0.0.1:$((P+35)) EXCHANGE=https://127.0.0.1:$((P+45))
IPOFFICE=https://127.0.0.1:$((P+55)) REGULATOR=https://127.0.0.1:$((P+65))
# The IP-finance record's members: the valuation agency, the insurer and the fund's manager.
VALUER=https://127.0.0.1:$((P+105)) INSURER=https://127.0.0.1:$((P+115)) FUND=https://127.0.0.1:$((P+125))
key() { cat "$D/orgs/$1/users/$2/api-key"; }          # the API key of user $2 of organization $1
ca() { echo "$D/orgs/$1/ca/server/ca-cert.pem"; }     # the CA certificate of organization $1
idof() { grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4; }
txof() { grep -o '"txId":"[^"]*"' | head -1 | cut -d'"' -f4; }
# post ORG PATH KEY BODY: a submission at organization ORG's gateway (ORG's URL is the variable ${ORG^^}).
post() { local u=${1^^}; curl -sS --cacert "$(ca "$1")" -X POST "${!u}$2" -H "Authorization: Bearer $3" \
  -H 'Content-Type: application/json' -H "Idempotency-Key: demo-$RANDOM$RANDOM" -d "$4"; }
# Helpers for examples that need a record in a given state.
new_asset() { post ipoffice /v1/assets "$(key ipoffice examiner1)" \
  "{\"id\":\"CN-DEMO-$RANDOM$RANDOM\",\"kind\":\"patent-invention\",\"number\":\"ZL-DEMO-$RANDOM$RANDOM\",\"title\":\"Demo patent\",\"owners\":[{\"id\":\"91420100MA4K0001\",\"name\":\"Wuhan Optics Co.\",\"share\":10000}],\"applicationDate\":\"2020-01-15\",\"grantDate\":\"2022-03-01\",\"expiryDate\":\"2040-01-15\",\"feesPaidThrough\":\"2030-01-15\"}" | idof; }
# frozen_asset: a new right, frozen by the Wuhan Intermediate People's Court (its measure 1).
frozen_asset() { local a; a=$(new_asset); post ipoffice "/v1/assets/$a/freezes" "$(key ipoffice examiner1)" \
  "{\"court\":\"武汉市中级人民法院\",\"ref\":\"(2026)鄂01执保13号\"}" >/dev/null; echo "$a"; }
new_pledge() { post bank1 /v1/pledges "$(key bank1 officer1)" \
  "{\"assetIds\":[\"$1\"],\"pledgors\":[{\"id\":\"91420100MA4K0001\",\"name\":\"Wuhan Optics Co.\"}],\"pledgeeName\":\"Bank One\",\"debtKind\":\"loan\",\"debtTermStart\":\"2025-01-01\",\"debtTermEnd\":\"2027-12-31\",\"contractHash\":\"$(printf %064d 1)\",\"terms\":{\"amount\":\"1000000.00\",\"currency\":\"CNY\",\"interestRate\":\"3.85\",\"scope\":\"principal\"}}" | idof; }
registered_pledge() { local p; p=$(new_pledge "$1"); post ipoffice "/v1/pledges/$p/register" "$(key ipoffice examiner1)" "{\"registrationNumber\":\"Y-$p\"}" >/dev/null; echo "$p"; }
pending_change() { curl -sS --cacert "$(ca ipoffice)" "$IPOFFICE/v1/pledges/$1" -H "Authorization: Bearer $(key ipoffice examiner1)" \
  | grep -o '"pendingChangeId":"[^"]*"' | cut -d'"' -f4; }    # the change filed on pledge $1, waiting for the IP office
new_transfer() { post exchange /v1/transfers "$(key exchange trader1)" \
  "{\"assetId\":\"$1\",\"kind\":\"assignment\",\"origin\":\"trade\",\"tradeRef\":\"T-$RANDOM\",\"newOwners\":[{\"id\":\"91420100MA4K0002\",\"name\":\"Jiangcheng Lasers Co.\",\"share\":10000}]}" | idof; }
TODAY=$(TZ=UTC-8 date -I)                              # the register's date (UTC+8)
YEAR=${TODAY%%-*} LATER=$(TZ=UTC-8 date -I -d '+300 days') # its year; 300 days on
# sold_at_loss PLEDGE: the pledge defaulted with a claim of 1,000,000.00, its right sold for 400,000.00,
# the buyer's title recorded (a loss of 600,000.00: F5, F7).
sold_at_loss() { local t; post bank1 "/v1/pledges/$1/default" "$(key bank1 officer1)" \
  '{"reason":"instalments overdue 90 days","claim":{"amount":"1000000.00","currency":"CNY"}}' >/dev/null
  t=$(post exchange "/v1/pledges/$1/dispose" "$(key exchange trader1)" \
  "{\"method\":\"auction\",\"buyers\":[{\"id\":\"91420100MA4K0009\",\"name\":\"Hubei Photonics Ltd.\",\"share\":10000}],\"price\":\"400000.00\",\"currency\":\"CNY\",\"proceeds\":[{\"pledgeId\":\"$1\",\"amount\":\"400000.00\"}],\"surplus\":\"0.00\",\"saleRef\":\"S-$RANDOM\"}" \
  | grep -o '"transferIds":\["[^"]*"' | cut -d'"' -f4)
  post ipoffice "/v1/transfers/$t/record" "$(key ipoffice examiner1)" "{}" >/dev/null; echo "$1"; }
fund_claim() { post bank1 /v1/fund/claims "$(key bank1 officer1)" "{\"pledgeId\":\"$1\"}" | idof; }
new_subsidy() { post bank1 /v1/fund/subsidies "$(key bank1 officer1)" \
  "{\"pledgeId\":\"$1\",\"kind\":\"loan-interest\",\"enterprise\":{\"id\":\"91420100MA4K0001\",\"name\":\"Wuhan Optics Co.\"},\"basis\":\"8020.55\",\"currency\":\"CNY\",\"periodStart\":\"2025-01-01\",\"periodEnd\":\"2025-02-28\",\"evidenceHash\":\"$(head -c 64 /dev/zero | tr '\0' a)\"}" | idof; }
# new_license ASSET: an ordinary licence of the right for all of China, requested and recorded; its transfer id.
new_license() { local t; t=$(post exchange /v1/transfers "$(key exchange trader1)" \
  "{\"assetId\":\"$1\",\"kind\":\"license\",\"origin\":\"trade\",\"tradeRef\":\"L-$RANDOM\",\"newOwners\":[{\"id\":\"91420100MA4K0003\",\"name\":\"Hankou Devices Co.\",\"share\":10000}],\"license\":{\"type\":\"ordinary\",\"termStart\":\"2025-01-01\",\"termEnd\":\"2030-12-31\",\"territory\":[\"CN\"],\"filingNumber\":\"X-$RANDOM\"}}" | idof)
  post ipoffice "/v1/transfers/$t/record" "$(key ipoffice examiner1)" "{}" >/dev/null; echo "$t"; }`

type operation struct {
	method, path string
	op           *openapi3.Operation
	item         *openapi3.PathItem
	ex           example
}

type example struct {
	As      string            `json:"as"`
	Path    map[string]string `json:"path"`
	Query   string            `json:"query"`
	Body    json.RawMessage   `json:"body"`
	Setup   string            `json:"setup"`
	Capture string            `json:"capture"`
	Stream  bool              `json:"stream"`
	// Response is the documented answer: gateway/httpapi's TestDocumentedExamplesRoundTripThroughTheRules
	// sends the request through the HTTP handler to the real rules and compares it, field by field.
	Response *struct {
		Status int             `json:"status"`
		Body   json.RawMessage `json:"body"`
	} `json:"response"`
}

// operations lists the document's operations in its own order of paths (the examples build on one
// another in that order: an IP right, a pledge on it, its lifecycle, a transfer, the proofs).
func operations(doc *openapi3.T) []operation {
	var out []operation
	for _, path := range doc.Paths.InMatchingOrder() {
		_ = path
	}
	paths := orderedPaths(doc)
	for _, path := range paths {
		item := doc.Paths.Value(path)
		for _, m := range []string{"GET", "POST", "PATCH", "PUT", "DELETE"} {
			op := item.GetOperation(m)
			if op == nil {
				continue
			}
			o := operation{method: m, path: path, op: op, item: item}
			if raw, ok := op.Extensions["x-example"]; ok {
				b, _ := json.Marshal(raw)
				_ = json.Unmarshal(b, &o.ex)
			}
			out = append(out, o)
		}
	}
	return out
}

// orderedPaths returns the paths in the order the YAML document lists them.
func orderedPaths(doc *openapi3.T) []string {
	src := string(docs.OpenAPI)
	paths := doc.Paths.Keys()
	sort.Slice(paths, func(i, j int) bool {
		return strings.Index(src, "\n  "+paths[i]+":") < strings.Index(src, "\n  "+paths[j]+":")
	})
	return paths
}

var defaultParam = map[string]string{"/v1/assets/": "$ASSET", "/v1/pledges/": "$PLEDGE", "/v1/transfers/": "$TRANSFER"}

func (o operation) url() string {
	p := o.path
	for name, v := range o.ex.Path {
		p = strings.ReplaceAll(p, "{"+name+"}", v)
	}
	for prefix, v := range defaultParam {
		if strings.HasPrefix(p, prefix) {
			p = strings.Replace(p, "{id}", v, 1)
		}
	}
	if o.ex.Query != "" {
		p += "?" + o.ex.Query
	}
	return p
}

// example is the curl command of the operation.
func (o operation) example() string {
	var b strings.Builder
	org, user, _ := strings.Cut(o.ex.As, "/")
	if org == "" {
		org = "bank1"
	}
	base := "$" + strings.ToUpper(org)
	if o.ex.Setup != "" {
		b.WriteString(o.ex.Setup + "\n")
	}
	curl := "curl -sS"
	if o.ex.Stream {
		curl = "curl -sSN --max-time 3"
	}
	if o.method != "GET" {
		curl += " -X " + o.method
	}
	cmd := fmt.Sprintf(`%s --cacert "$(ca %s)" "%s%s"`, curl, org, base, o.url())
	if user != "" {
		cmd += fmt.Sprintf(` \`+"\n"+`  -H "Authorization: Bearer $(key %s %s)"`, org, user)
	}
	if o.method != "GET" {
		cmd += ` -H "Idempotency-Key: demo-$RANDOM$RANDOM"`
	}
	if o.ex.Body != nil {
		var pretty bytes.Buffer
		_ = json.Indent(&pretty, o.ex.Body, "", "  ")
		cmd += " -H 'Content-Type: application/json' -d @- <<EOF\n" + pretty.String() + "\nEOF"
	}
	switch {
	case o.ex.Capture != "":
		fmt.Fprintf(&b, "R=$(%s\n)\necho \"$R\"; %s=$(echo \"$R\" | idof); TXID=$(echo \"$R\" | txof)", cmd, o.ex.Capture)
	case o.ex.Stream:
		b.WriteString(cmd + " || true  # ends after 3 s")
	case o.path == "/openapi.json":
		b.WriteString(cmd + " | head -c 600; echo")
	case o.ex.Body != nil: // the here-document's end must stand alone on its line
		b.WriteString(cmd + "\necho")
	default:
		b.WriteString(cmd + "; echo")
	}
	return b.String()
}

// writef appends formatted text to the document being rendered.
type writef func(format string, a ...any)

// render writes the API reference: the header, the table of endpoints, how to try the examples, a
// section per operation (in the order of operations) and the schemas.
func render(doc *openapi3.T) []byte {
	var b bytes.Buffer
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	ops := operations(doc)
	renderHeader(w, doc)
	renderEndpoints(w, ops)
	renderTryingExamples(w)
	for _, o := range ops {
		renderOperation(w, o)
	}
	renderSchemas(w, doc)
	return b.Bytes()
}

// renderHeader writes the title, the generated-file notice and the API's description.
func renderHeader(w writef, doc *openapi3.T) {
	w("# %s (v%s)\n\n", doc.Info.Title, doc.Info.Version)
	w("<!-- Generated from docs/openapi.yaml by `go run ./gateway/cmd/apidoc`. Do not edit. -->\n\n")
	w("%s\n", strings.TrimSpace(doc.Info.Description))
}

// renderEndpoints writes the table of endpoints, each linking to its section.
func renderEndpoints(w writef, ops []operation) {
	w("\n## Endpoints\n\n| method and path | summary | chaincode |\n| --- | --- | --- |\n")
	for _, o := range ops {
		cc, _ := o.op.Extensions["x-chaincode"].(string)
		w("| [`%s %s`](#%s) | %s | %s |\n", o.method, o.path, anchor(o), o.op.Summary, cc)
	}
}

// renderTryingExamples writes how to run the examples: the shell set-up (preamble) and the script.
func renderTryingExamples(w writef) {
	w("\n## Trying the examples\n\nEvery example below runs against a network started with `./scripts/ipledger up`, in this order\n")
	w("(later examples use the records earlier ones made), after this set-up in the repository root:\n\n```bash\n%s\n```\n", preamble)
	w("\nAll examples as one script: `go run ./gateway/cmd/apidoc -script > /tmp/examples.sh && bash /tmp/examples.sh`.\n")
}

// renderOperation writes the section of one operation: summary, description, parameters, body,
// responses and its curl example.
func renderOperation(w writef, o operation) {
	w("\n## %s %s\n\n", o.method, o.path)
	w("<a id=\"%s\"></a>**%s**", anchor(o), o.op.Summary)
	if cc, ok := o.op.Extensions["x-chaincode"].(string); ok {
		w(" — chaincode `%s`", cc)
	}
	w("\n\n")
	if d := strings.TrimSpace(o.op.Description); d != "" {
		w("%s\n\n", d)
	}
	if o.op.Security != nil && len(*o.op.Security) == 0 {
		w("No authentication.\n\n")
	}
	renderParameters(w, o)
	if rb := o.op.RequestBody; rb != nil && rb.Value != nil {
		if mt := rb.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
			w("Body%s: `%s`\n\n", map[bool]string{true: " (required)", false: " (optional)"}[rb.Value.Required], refName(mt.Schema))
		}
	}
	renderResponses(w, o)
	w("\n\n```bash\n%s\n```\n", o.example())
	if r := o.ex.Response; r != nil {
		var pretty bytes.Buffer
		_ = json.Indent(&pretty, r.Body, "", "  ")
		w("\nAnswer, `%d` (`$NAME` stands for the value of that example variable; ids, hashes and times vary):\n\n```json\n%s\n```\n",
			r.Status, pretty.String())
	}
}

// renderParameters writes the table of an operation's parameters (the path's, then its own), if any.
func renderParameters(w writef, o operation) {
	params := append(openapi3.Parameters{}, o.item.Parameters...)
	params = append(params, o.op.Parameters...)
	if len(params) == 0 {
		return
	}
	w("| parameter | in | schema | description |\n| --- | --- | --- | --- |\n")
	for _, p := range params {
		pv := p.Value
		w("| `%s`%s | %s | %s | %s |\n", pv.Name, req(pv.Required), pv.In, schemaText(pv.Schema), oneLine(pv.Description))
	}
	w("\n")
}

// renderResponses writes the line listing an operation's responses, by status code.
func renderResponses(w writef, o operation) {
	w("Responses: ")
	codes := o.op.Responses.Keys()
	sort.Strings(codes)
	for i, c := range codes {
		if i > 0 {
			w(", ")
		}
		r := o.op.Responses.Value(c)
		w("`%s` %s", c, oneLine(*r.Value.Description))
	}
}

// renderSchemas writes the schemas section: each component schema by name, with a table of its fields.
func renderSchemas(w writef, doc *openapi3.T) {
	w("\n## Schemas\n\nRequest bodies are validated against these (unknown fields are refused: 422).\n")
	names := make([]string, 0, len(doc.Components.Schemas))
	for n := range doc.Components.Schemas {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		renderSchema(w, n, doc.Components.Schemas[n])
	}
}

// renderSchema writes the section of one component schema: its description and its fields (or, without
// properties, the one-line schema).
func renderSchema(w writef, name string, ref *openapi3.SchemaRef) {
	s := ref.Value
	w("\n### %s\n\n", name)
	if s.Description != "" {
		w("%s\n\n", oneLine(s.Description))
	}
	if len(s.Properties) == 0 {
		w("%s\n", schemaText(ref))
		return
	}
	w("| field | schema | description |\n| --- | --- | --- |\n")
	props := make([]string, 0, len(s.Properties))
	for p := range s.Properties {
		props = append(props, p)
	}
	sort.Strings(props)
	for _, p := range props {
		ps := s.Properties[p]
		w("| `%s`%s | %s | %s |\n", p, req(slices.Contains(s.Required, p)), schemaText(ps), oneLine(ps.Value.Description))
	}
}

func anchor(o operation) string {
	r := strings.NewReplacer("/", "-", "{", "", "}", "", ".", "")
	return strings.ToLower(o.method + r.Replace(o.path))
}

func req(b bool) string {
	if b {
		return " (required)"
	}
	return ""
}

func refName(s *openapi3.SchemaRef) string {
	if s.Ref != "" {
		return s.Ref[strings.LastIndex(s.Ref, "/")+1:]
	}
	return schemaText(s)
}

// schemaText is a one-line description of a schema.
func schemaText(s *openapi3.SchemaRef) string {
	if s == nil || s.Value == nil {
		return ""
	}
	if s.Ref != "" {
		return "[" + refName(s) + "](#" + strings.ToLower(refName(s)) + ")"
	}
	v := s.Value
	var parts []string
	t := strings.Join(v.Type.Slice(), "|")
	if v.Items != nil {
		t = "array of " + schemaText(v.Items)
	}
	if t != "" {
		parts = append(parts, t)
	}
	if len(v.Enum) > 0 {
		var e []string
		for _, x := range v.Enum {
			e = append(e, fmt.Sprint(x))
		}
		parts = append(parts, "one of "+strings.Join(e, ", "))
	}
	if v.Pattern != "" {
		parts = append(parts, "pattern `"+strings.ReplaceAll(v.Pattern, "|", `\|`)+"`")
	}
	if v.Min != nil {
		parts = append(parts, fmt.Sprintf("≥ %v", *v.Min))
	}
	if v.Max != nil {
		parts = append(parts, fmt.Sprintf("≤ %v", *v.Max))
	}
	if v.MinLength > 0 {
		parts = append(parts, fmt.Sprintf("length ≥ %d", v.MinLength))
	}
	if v.MaxLength != nil {
		parts = append(parts, fmt.Sprintf("length ≤ %d", *v.MaxLength))
	}
	if v.MinItems > 0 {
		parts = append(parts, fmt.Sprintf("≥ %d items", v.MinItems))
	}
	if v.MaxItems != nil {
		parts = append(parts, fmt.Sprintf("≤ %d items", *v.MaxItems))
	}
	if v.AdditionalProperties.Has != nil && !*v.AdditionalProperties.Has {
		parts = append(parts, "no other fields")
	}
	return strings.Join(parts, "; ")
}

func oneLine(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(strings.TrimSpace(s), "\n", " "), "|", `\|`)
}
