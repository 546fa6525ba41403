package console

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ipledger/ipledger/chaincode/api"
)

func newConsole(t *testing.T, msp string) *Console {
	t.Helper()
	c, err := New(Options{MSPID: msp})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// get answers the recorder (status and headers) and the body of a GET.
func get(t *testing.T, h http.Handler, path string) (*httptest.ResponseRecorder, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec, rec.Body.String()
}

func TestPages_EveryPageRendersForEveryOrganization(t *testing.T) {
	for _, msp := range []string{"Bank1MSP", "Bank2MSP", "IPOfficeMSP", "ExchangeMSP", "RegulatorMSP"} {
		c := newConsole(t, msp)
		for _, p := range Pages {
			res, body := get(t, c, Prefix+p.Path)
			if res.Code != http.StatusOK {
				t.Fatalf("%s %s: status %d: %s", msp, p.Path, res.Code, body)
			}
			if ct := res.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("%s %s: Content-Type %q", msp, p.Path, ct)
			}
			if csp := res.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
				t.Errorf("%s %s: Content-Security-Policy %q", msp, p.Path, csp)
			}
			if !strings.Contains(body, `data-msp="`+msp+`"`) || !strings.Contains(body, "<title>"+html.EscapeString(Message("zh-CN", p.TitleKey()))) {
				t.Errorf("%s %s: page does not name its organization and title", msp, p.Path)
			}
			// No inline script: every <script> has a src (the CSP would block it anyway).
			if regexp.MustCompile(`<script>`).MatchString(body) {
				t.Errorf("%s %s: inline script", msp, p.Path)
			}
		}
	}
}

func TestPages_NavigationFollowsTheOrganization(t *testing.T) {
	cases := []struct {
		msp        string
		has, lacks []string
	}{
		{"Bank1MSP", []string{"pledges", "apply", "transfers"}, []string{"queue", "audit"}},
		{"IPOfficeMSP", []string{"queue", "transfers"}, []string{"apply", "audit"}},
		{"ExchangeMSP", []string{"verify", "transfers"}, []string{"queue", "pledges"}},
		{"RegulatorMSP", []string{"audit", "history"}, []string{"apply", "queue"}},
	}
	for _, tc := range cases {
		for _, lang := range []string{"zh-CN", "en"} {
			_, body := get(t, newConsole(t, tc.msp), Prefix+"?lang="+lang)
			nav := body[strings.Index(body, `<nav`):strings.Index(body, `</nav>`)]
			for _, s := range tc.has {
				link := `data-nav="` + s + `">` + html.EscapeString(Message(lang, "page."+s+".title")) + "<"
				if !strings.Contains(nav, link) {
					t.Errorf("%s %s: navigation lacks %s", tc.msp, lang, link)
				}
			}
			for _, s := range tc.lacks {
				if strings.Contains(nav, `data-nav="`+s+`"`) {
					t.Errorf("%s %s: navigation offers %q", tc.msp, lang, s)
				}
			}
		}
	}
}

// The application form's client-side checks are the API document's: the browser and the gateway's
// 422s cannot disagree.
func TestApplyForm_ChecksComeFromTheAPISchema(t *testing.T) {
	_, body := get(t, newConsole(t, "Bank1MSP"), Prefix+"apply")
	money := html.EscapeString(`^(0|[1-9][0-9]{0,14})(\.[0-9]{1,2})?$`)
	for _, want := range []string{
		`name="amount" inputmode="decimal" required data-pattern="` + money + `" data-field="terms.amount"`,
		`name="pledgeeName" required maxlength="200" data-minlength="1" data-field="pledgeeName"`,
		`name="debtTermEnd" type="date" required data-pattern=`,
		`data-field="contractHash"`,
		`data-field="pledgors.name"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("apply form lacks %s", want)
		}
	}
}

func TestFieldAttrs_UnknownFieldIsAnError(t *testing.T) {
	if _, err := loadFormSchema(nil); err == nil {
		t.Fatal("an empty document loaded")
	}
	f := newConsole(t, "Bank1MSP").form
	if _, err := f.attrs("PledgeApplication", "terms.nope"); err == nil {
		t.Error("terms.nope: no error")
	}
	if _, err := f.attrs("Nope", "id"); err == nil {
		t.Error("schema Nope: no error")
	}
	if a, err := f.attrs("PledgeApplication", "pledgors[].id"); err != nil || !strings.Contains(string(a), "data-pattern") {
		t.Errorf("pledgors[].id: %q %v", a, err)
	}
}

func TestQR_EncodesOnlyTheVerificationPage(t *testing.T) {
	c := newConsole(t, "ExchangeMSP")
	res, body := get(t, c, Prefix+"qr.svg?asset=CN-ZL-2020-0001")
	if res.Code != http.StatusOK || res.Header().Get("Content-Type") != "image/svg+xml" {
		t.Fatalf("status %d, type %q", res.Code, res.Header().Get("Content-Type"))
	}
	if !strings.HasPrefix(body, "<svg") || !strings.Contains(body, "M4 4h1v1h-1z") {
		t.Errorf("not an SVG QR code with a quiet zone: %.80s", body)
	}
	want, _ := QRSVG(VerifyURL("http://example.com", "CN-ZL-2020-0001"))
	if body != string(want) {
		t.Error("the QR code does not encode the verification page of this gateway")
	}
	for _, bad := range []string{"", "../x", "a%20b", strings.Repeat("a", 65)} {
		if res, _ := get(t, c, Prefix+"qr.svg?asset="+bad); res.Code != http.StatusBadRequest {
			t.Errorf("asset %q: status %d", bad, res.Code)
		}
	}
}

func TestVerifyURL(t *testing.T) {
	if got := VerifyURL("http://127.0.0.1:7045/", "CN-1"); got != "http://127.0.0.1:7045/console/verify?asset=CN-1" {
		t.Error(got)
	}
}

func TestStatic_ScriptAndStyleAreServed(t *testing.T) {
	c := newConsole(t, "Bank1MSP")
	for path, typ := range map[string]string{"static/console.js": "javascript", "static/console.css": "text/css"} {
		res, body := get(t, c, Prefix+path)
		if res.Code != http.StatusOK || !strings.Contains(res.Header().Get("Content-Type"), typ) || len(body) < 100 {
			t.Errorf("%s: status %d, type %q, %d bytes", path, res.Code, res.Header().Get("Content-Type"), len(body))
		}
	}
}

func TestServe_UnknownPagesAndMethods(t *testing.T) {
	c := newConsole(t, "Bank1MSP")
	if res, _ := get(t, c, Prefix+"nope"); res.Code != http.StatusNotFound {
		t.Errorf("unknown page: %d", res.Code)
	}
	rec := httptest.NewRecorder()
	c.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, Prefix, strings.NewReader("x")))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", rec.Code)
	}
}

// Every error code the API can answer (the constants of chaincode/api's error.go, read from its source)
// and every rule of docs/domain-rules.md has words for a clerk in every language: a code or a rule
// added there without words fails here. The few rules that never are an error's code are named below
// with the reason.
func TestMessages_CoverEveryCodeAndRule(t *testing.T) {
	codes := apiErrorCodes(t)
	if !slices.Contains(codes, string(api.CodeClockSkew)) || !slices.Contains(codes, string(api.CodeNotFound)) || len(codes) < 15 {
		t.Fatalf("the API's error codes read from its source: %v", codes)
	}
	codes = append(codes, ErrorCodes...)
	notCodes := map[string]string{
		"P10": "a lost right is recorded on its pledges, nothing is refused under it",
		"P12": "the debtor's fields; their refusals are INVALID_ARGUMENT on the field",
		"I4":  "a skewed clock is refused as CLOCK_SKEW, with the rule in details",
	}
	rules := domainRules(t)
	if len(rules) < 30 {
		t.Fatalf("%d rules read from docs/domain-rules.md: %v", len(rules), rules)
	}
	for _, r := range rules {
		if notCodes[r] == "" {
			codes = append(codes, r)
		}
	}
	for _, lang := range LanguageTags() {
		for _, code := range codes {
			if Catalogue(lang)["error."+code] == "" {
				t.Errorf("%s: no words for %s", lang, code)
			}
		}
	}
	// The script gets them from the console, as JSON, in the page's language.
	for _, lang := range LanguageTags() {
		res, body := get(t, newConsole(t, "Bank1MSP"), Prefix+"i18n/"+lang+".json")
		var got map[string]string
		if res.Code != http.StatusOK || !strings.HasPrefix(res.Header().Get("Content-Type"), "application/json") ||
			json.Unmarshal([]byte(body), &got) != nil || got["error.P4/fees-unpaid"] != Catalogue(lang)["error.P4/fees-unpaid"] || got["error.P4/fees-unpaid"] == "" {
			t.Errorf("%s: the console does not serve the catalogue as JSON (%d)", lang, res.Code)
		}
	}
	if res, _ := get(t, newConsole(t, "Bank1MSP"), Prefix+"i18n/fr.json"); res.Code != http.StatusNotFound {
		t.Errorf("an unknown language's catalogue: %d", res.Code)
	}
}

func TestOrgNames(t *testing.T) {
	for msp, want := range map[string]string{"Bank1MSP": "Bank 1", "Bank2MSP": "Bank 2", "IPOfficeMSP": "IP office", "XMSP": "XMSP"} {
		if got := OrgName("en", msp); got != want {
			t.Errorf("OrgName(en, %s) = %q", msp, got)
		}
	}
	for msp, want := range map[string]string{"Bank1MSP": "银行1", "IPOfficeMSP": "知识产权局", "ExchangeMSP": "武汉知识产权交易所", "XMSP": "XMSP"} {
		if got := OrgName("zh-CN", msp); got != want {
			t.Errorf("OrgName(zh-CN, %s) = %q", msp, got)
		}
	}
	// A bank that joined later is a bank to the console too: none is named.
	if OrgKind("Bank3MSP") != "bank" || OrgKind("HubeiBankMSP") != "bank" || OrgName("en", "Bank3MSP") != "Bank 3" ||
		OrgName("en", "HubeiBankMSP") != "HubeiBankMSP" || OrgKind("OrdererMSP") != "other" {
		t.Error("a later bank")
	}
	if OrgKind("XMSP") != "other" || OrgKind("Bank2MSP") != "bank" {
		t.Error("OrgKind")
	}
}

// A printed search extract (S2) carries a QR code of the party's live extract on this gateway.
func TestQR_EncodesTheLiveExtractOfAParty(t *testing.T) {
	c := newConsole(t, "Bank1MSP")
	res, body := get(t, c, Prefix+"qr.svg?party=91420100MA4K0001")
	want, _ := QRSVG(ExtractURL("http://example.com", "91420100MA4K0001"))
	if res.Code != http.StatusOK || body != string(want) {
		t.Fatalf("status %d: the QR code does not encode the party's extract on this gateway", res.Code)
	}
	for _, bad := range []string{"party=", "party=a%20b", "party=a&party=b"} {
		if res, _ := get(t, c, Prefix+"qr.svg?"+bad); res.Code != http.StatusBadRequest {
			t.Errorf("%q: status %d", bad, res.Code)
		}
	}
	if got := ExtractURL("https://127.0.0.1:7045/", "91420100MA4K0001"); got != "https://127.0.0.1:7045/console/parties?id=91420100MA4K0001" {
		t.Error(got)
	}
	_, page := get(t, c, Prefix+"parties")
	for _, id := range []string{`id="parties-form"`, `id="extract"`, `id="ex-qr"`, `id="ex-print"`} {
		if !strings.Contains(page, id) {
			t.Errorf("the parties page lacks %s", id)
		}
	}
}

// A page with its own script (static/pages/<name>.js) loads it after console.js, and it is served; a
// page without one names no such script.
func TestPages_APagesOwnScriptIsLoadedAfterConsoleJS(t *testing.T) {
	c := newConsole(t, "RegulatorMSP")
	pagesOwnFiles(t, c, `<script src="([^"]+)"`, "console.js", ".js", "text/javascript")
	if res, body := get(t, c, Prefix+"static/pages/audit.js"); res.Code != http.StatusOK || !strings.Contains(body, "pages.audit = function") {
		t.Errorf("audit.js: status %d", res.Code)
	}
}

// apiErrorCodes are the values of the api.Code constants, read from chaincode/api/error.go.
func apiErrorCodes(t *testing.T) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "../../chaincode/api/error.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, spec := range g.Specs {
			v, ok := spec.(*ast.ValueSpec)
			if !ok {
				continue
			}
			if id, ok := v.Type.(*ast.Ident); !ok || id.Name != "Code" {
				continue
			}
			for _, val := range v.Values {
				if lit, ok := val.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					s, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					codes = append(codes, s)
				}
			}
		}
	}
	return codes
}

// domainRules are the rule ids of docs/domain-rules.md's tables (a row beginning "| <id> |").
func domainRules(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../../docs/domain-rules.md")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range regexp.MustCompile(`(?m)^\| ([A-Z][0-9]+) \|`).FindAllStringSubmatch(string(b), -1) {
		if !slices.Contains(ids, m[1]) {
			ids = append(ids, m[1])
		}
	}
	return ids
}
