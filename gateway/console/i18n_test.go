package console

import (
	"html"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/ipledger/ipledger/docs"
)

// catalogueProblems lists the keys missing from a language that another has, and the empty messages.
func catalogueProblems(cats map[string]map[string]string) []string {
	var out []string
	for a, ma := range cats {
		for key, text := range ma {
			if strings.TrimSpace(text) == "" {
				out = append(out, a+": "+key+" is empty")
			}
			for b, mb := range cats {
				if _, ok := mb[key]; !ok {
					out = append(out, key+" is in "+a+" but not in "+b)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// (a) Every key of one catalogue is in every other, and no message is empty: a string added in one
// language only fails here.
func TestCatalogues_SameKeysInEveryLanguage(t *testing.T) {
	tags := LanguageTags()
	if tags[0] != DefaultLanguage || DefaultLanguage != "zh-CN" {
		t.Fatalf("languages %v: Chinese must come first, as the default", tags)
	}
	cats := map[string]map[string]string{}
	for _, tag := range tags {
		if len(Catalogue(tag)) < 100 {
			t.Fatalf("%s: %d messages", tag, len(Catalogue(tag)))
		}
		cats[tag] = Catalogue(tag)
	}
	for _, p := range catalogueProblems(cats) {
		t.Error(p)
	}
	// The check sees a key missing from either language, and an empty message.
	for _, drop := range tags {
		broken := map[string]map[string]string{}
		for _, tag := range tags {
			broken[tag] = maps.Clone(Catalogue(tag))
		}
		delete(broken[drop], "page.home.title")
		if got := catalogueProblems(broken); len(got) != 1 || !strings.Contains(got[0], "not in "+drop) {
			t.Errorf("page.home.title removed from %s: %v", drop, got)
		}
		broken[drop]["page.home.title"] = " "
		if got := catalogueProblems(broken); len(got) != 1 || !strings.Contains(got[0], "is empty") {
			t.Errorf("page.home.title empty in %s: %v", drop, got)
		}
	}
}

// Variables are the same in both languages: a message that names {{.Org}} in Chinese names it in
// English too, so that neither the server nor console.js leaves a value out.
func TestCatalogues_SameVariablesInEveryLanguage(t *testing.T) {
	vars := regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)
	names := func(s string) []string {
		var out []string
		for _, m := range vars.FindAllStringSubmatch(s, -1) {
			out = append(out, m[1])
		}
		sort.Strings(out)
		return slices.Compact(out)
	}
	for key, zh := range Catalogue("zh-CN") {
		if key == "fmt.datetime" || key == "fmt.date" {
			continue // each language picks the date's parts it shows (Month or MonthName)
		}
		if a, b := names(zh), names(Catalogue("en")[key]); !slices.Equal(a, b) {
			t.Errorf("%s: variables %v in zh-CN, %v in en", key, a, b)
		}
	}
}

var (
	// templateKey is a key in a template: {{t "key" ...}}.
	templateKey = regexp.MustCompile(`\{\{-?\s*t\s+"([^"]+)"`)
	// scriptKey is a string in a script (static/console.js, static/pages/*.js) that is a key: t("key"), and any other string literal
	// beginning with a catalogue's section ("check.", "timeline." ...), as passed to t() in a condition.
	scriptString = regexp.MustCompile(`"([a-z][a-z0-9-]*(?:\.[A-Za-z0-9/_-]+)+)"`)
	// scriptPrefix is a key's beginning that console.js completes at run time: t("enum." + ...).
	scriptPrefix = regexp.MustCompile(`\b(?:t|has)\("([a-z][a-z0-9.-]*\.)"\s*\+`)
)

// (b) Every key the templates and console.js use is in the catalogues, and every key of the catalogues
// is used (a word no page shows is a word no one will keep up to date).
func TestCatalogues_EveryKeyUsedIsDefined(t *testing.T) {
	sections := map[string]bool{}
	for key := range Catalogue(DefaultLanguage) {
		sections[strings.SplitN(key, ".", 2)[0]] = true
	}
	used := map[string]string{} // key → where
	files, _ := filepath.Glob("templates/*.html")
	if len(files) < len(Pages) {
		t.Fatalf("templates: %v", files)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range templateKey.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = f
		}
	}
	scripts, _ := filepath.Glob("static/*.js")
	pageScripts, _ := filepath.Glob("static/pages/*.js")
	var js []byte
	for _, f := range append(scripts, pageScripts...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		js = append(js, b...)
		for _, m := range scriptString.FindAllStringSubmatch(string(b), -1) {
			if sections[strings.SplitN(m[1], ".", 2)[0]] {
				used[m[1]] = f
			}
		}
	}
	if used["verify.heading"] == "" || used["queue.registered"] == "" || used["check.invalidation-acknowledged"] == "" {
		t.Fatalf("the scan finds no keys: %v", used)
	}
	// Keys made at run time: the pages' titles, the enumerations, the refusal reasons, the errors, the
	// organizations; and in console.js the prefixes it completes.
	for _, p := range Pages {
		used[p.TitleKey()] = "Pages"
	}
	for name, values := range Enums {
		for _, v := range values {
			used["enum."+name+"."+v] = "Enums"
		}
	}
	for _, r := range RefusalReasons {
		used["refusal."+r] = "RefusalReasons"
	}
	for _, c := range ErrorCodes {
		used["error."+c] = "ErrorCodes"
	}
	for _, msp := range []string{"IPOfficeMSP", "ExchangeMSP", "RegulatorMSP", "FundMSP", "ValuerMSP", "InsurerMSP"} {
		used["org."+msp] = "OrgName"
	}
	used["org.bank"] = "OrgName"
	prefixes := []string{"error."} // error.<rule> and error.<rule>/<reason>: the API's, see messages.go
	for _, m := range scriptPrefix.FindAllStringSubmatch(string(js), -1) {
		prefixes = append(prefixes, m[1])
	}
	for key, where := range used {
		for _, lang := range LanguageTags() {
			if _, ok := Catalogue(lang)[key]; !ok {
				t.Errorf("%s uses %q, which the %s catalogue lacks", where, key, lang)
			}
		}
	}
	for _, prefix := range prefixes {
		n := 0
		for key := range Catalogue(DefaultLanguage) {
			if strings.HasPrefix(key, prefix) {
				n++
			}
		}
		if n == 0 {
			t.Errorf("console.js completes %q, but no key begins with it", prefix)
		}
	}
	for key := range Catalogue(DefaultLanguage) {
		if _, ok := used[key]; ok || slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(key, p) }) {
			continue
		}
		t.Errorf("%q is in the catalogues but nothing uses it", key)
	}
}

// The enumerations the console names are the API document's: a status added to the API without words
// fails here.
func TestCatalogues_EnumsAreTheAPIs(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(docs.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	values := func(schema, field string) []string {
		s := doc.Components.Schemas[schema].Value
		for _, part := range strings.Split(field, ".") {
			s = s.Properties[part].Value
		}
		var out []string
		for _, v := range s.Enum {
			if v, ok := v.(string); ok && v != "" {
				out = append(out, v)
			}
		}
		sort.Strings(out)
		return out
	}
	for name, src := range map[string][2]string{
		"pledgeStatus": {"Pledge", "status"}, "assetKind": {"AssetInput", "kind"}, "debtKind": {"PledgeApplication", "debtKind"},
		"securityType": {"PledgeApplication", "securityType"}, "transferKind": {"TransferRequest", "kind"},
		"transferOrigin": {"TransferRequest", "origin"}, "licenseType": {"LicenseTerms", "type"},
		"proceedsUse": {"Consent", "proceedsUse"}, "legalStatus": {"AssetInput", "legalStatus"},
		"valuationMethod": {"ValuationReportInput", "method"}, "coverKind": {"CoverInput", "kind"},
		"subsidyKind": {"SubsidyInput", "kind"}, "accreditationStatus": {"AccreditationStatusInput", "status"},
	} {
		if doc.Components.Schemas[src[0]] == nil {
			t.Errorf("%s: no schema %s in the API document", name, src[0])
			continue
		}
		want := values(src[0], src[1])
		got := slices.Clone(Enums[name])
		sort.Strings(got)
		if len(want) == 0 || !slices.Equal(got, want) {
			t.Errorf("enum %s: the console has %v, the API document %v", name, got, want)
		}
	}
	// The words a page completes from a value of the API (pledge.js: "pledge.method." + a disposal's
	// method, "pledge.basis." + a deregistration's basis): the key-usage test counts every key under
	// such a prefix as used, so here each value of the enum has its key in every catalogue, and no key
	// names a value the API lacks.
	for prefix, src := range map[string][2]string{"pledge.method.": {"Disposal", "method"}, "pledge.basis.": {"Deregistration", "basis"}} {
		if doc.Components.Schemas[src[0]] == nil {
			t.Errorf("%s: no schema %s in the API document", prefix, src[0])
			continue
		}
		want := values(src[0], src[1])
		for _, tag := range LanguageTags() {
			var got []string
			for key := range Catalogue(tag) {
				if v, ok := strings.CutPrefix(key, prefix); ok {
					got = append(got, v)
				}
			}
			sort.Strings(got)
			if len(want) == 0 || !slices.Equal(got, want) {
				t.Errorf("%s: the %s catalogue has %s%v, the API document's %s.%s %v", prefix, tag, prefix, got, src[0], src[1], want)
			}
		}
	}
	if !slices.Contains(Enums["action"], "RegisterPledge") || slices.Contains(Enums["action"], "GetPledge") {
		t.Errorf("actions: %v", Enums["action"])
	}
}

// request GETs path with an optional language cookie.
func request(t *testing.T, h http.Handler, path, cookie string) (*httptest.ResponseRecorder, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: LanguageCookie, Value: cookie})
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec, rec.Body.String()
}

// (c) A page is Chinese by default, whatever Accept-Language says; English with the cookie or ?lang=en,
// and ?lang= (the switch) sets the cookie.
func TestLanguage_ChineseByDefaultEnglishBySwitch(t *testing.T) {
	c := newConsole(t, "Bank1MSP")
	zhHeading, enHeading := Message("zh-CN", "verify.heading"), Message("en", "verify.heading")
	if zhHeading == enHeading || zhHeading == "verify.heading" {
		t.Fatalf("headings %q %q", zhHeading, enHeading)
	}
	req := httptest.NewRequest(http.MethodGet, Prefix+"verify", nil)
	req.Header.Set("Accept-Language", "en-US,en;q=0.9")
	rec := httptest.NewRecorder()
	c.ServeHTTP(rec, req)
	body := rec.Body.String()
	if !strings.Contains(body, `<html lang="zh-CN">`) || !strings.Contains(body, zhHeading) || strings.Contains(body, enHeading) ||
		rec.Header().Get("Content-Language") != "zh-CN" || rec.Header().Get("Set-Cookie") != "" {
		t.Errorf("default (Accept-Language en): not the Chinese page, or a cookie set: %q", rec.Header().Get("Set-Cookie"))
	}
	// The switch is on every page, a link per language that keeps the page's query.
	for _, p := range Pages {
		_, b := request(t, c, Prefix+p.Path, "")
		if !strings.Contains(b, `id="lang-en"`) || !strings.Contains(b, `>English</a>`) || !strings.Contains(b, `>中文</a>`) {
			t.Errorf("%s: no language switch", p.Name())
		}
	}
	_, b := request(t, c, Prefix+"verify?asset=CN-1", "")
	if !strings.Contains(b, `href="`+html.EscapeString(Prefix+"verify?asset=CN-1&lang=en")+`"`) {
		t.Error("the switch does not keep the page's query")
	}

	// ?lang=en: English, and remembered.
	rec, body = request(t, c, Prefix+"verify?lang=en", "")
	ck := rec.Result().Cookies()
	if !strings.Contains(body, `<html lang="en">`) || !strings.Contains(body, enHeading) || strings.Contains(body, zhHeading) {
		t.Error("?lang=en: not the English page")
	}
	if len(ck) != 1 || ck[0].Name != LanguageCookie || ck[0].Value != "en" || ck[0].Path != Prefix || ck[0].MaxAge <= 0 {
		t.Errorf("?lang=en: cookie %v", ck)
	}
	// The cookie: English on the next page, with no ?lang=.
	rec, body = request(t, c, Prefix+"parties", "en")
	if !strings.Contains(body, `<html lang="en">`) || !strings.Contains(body, Message("en", "parties.heading")) || rec.Header().Get("Set-Cookie") != "" {
		t.Error("cookie en: not the English page")
	}
	// Back to Chinese by the switch; a cookie or ?lang= of a language the console lacks is the default.
	rec, body = request(t, c, Prefix+"parties?lang=zh-CN", "en")
	if !strings.Contains(body, `<html lang="zh-CN">`) || len(rec.Result().Cookies()) != 1 || rec.Result().Cookies()[0].Value != "zh-CN" {
		t.Error("?lang=zh-CN over cookie en: not Chinese, or not remembered")
	}
	for _, path := range []string{Prefix + "?lang=fr", Prefix} {
		if _, body := request(t, c, path, "fr"); !strings.Contains(body, `<html lang="zh-CN">`) {
			t.Errorf("%s with cookie fr: not the default", path)
		}
	}
}

// Every page renders in every language for every organization, with its title in that language and
// no key left unreplaced.
func TestLanguage_EveryPageInEveryLanguage(t *testing.T) {
	key := regexp.MustCompile(`>\s*(?:page|common|apply|verify|queue|enum|error)\.[a-z.-]+\s*<`)
	for _, msp := range []string{"Bank1MSP", "IPOfficeMSP", "ExchangeMSP", "RegulatorMSP"} {
		c := newConsole(t, msp)
		for _, lang := range LanguageTags() {
			for _, p := range Pages {
				res, body := request(t, c, Prefix+p.Path+"?lang="+lang, "")
				if res.Code != http.StatusOK {
					t.Fatalf("%s %s %s: %d %s", msp, lang, p.Name(), res.Code, body)
				}
				if !strings.Contains(body, "<title>"+html.EscapeString(Message(lang, p.TitleKey()))+" · ") ||
					!strings.Contains(body, `data-lang="`+lang+`"`) || key.MatchString(body) {
					t.Errorf("%s %s %s: title, data-lang, or a key shown as text", msp, lang, p.Name())
				}
			}
		}
	}
	// The legal vocabulary is there in Chinese.
	_, body := request(t, newConsole(t, "Bank1MSP"), Prefix+"apply", "")
	for _, term := range []string{"出质人", "质权人", "质押登记", "统一社会信用代码", "最高额质权"} {
		if !strings.Contains(body, term) {
			t.Errorf("the Chinese apply page lacks %s", term)
		}
	}
	_, body = request(t, newConsole(t, "IPOfficeMSP"), Prefix+"queue", "")
	for _, term := range []string{"不予登记", "查封", "准予登记"} {
		if !strings.Contains(body+Catalogue("zh-CN")["queue.refuse"]+Catalogue("zh-CN")["queue.register"], term) {
			t.Errorf("the Chinese queue lacks %s", term)
		}
	}
}

// (d) Money from the API's decimal strings, never a float.
func TestFormatMoney(t *testing.T) {
	for _, c := range []struct{ amount, currency, want string }{
		{"5000000.00", "CNY", "¥5,000,000.00"},
		{"1234567.89", "CNY", "¥1,234,567.89"},
		{"999999999999999.99", "CNY", "¥999,999,999,999,999.99"}, // the API's largest: a float64 would round it
		{"123456789012345678901234.05", "CNY", "¥123,456,789,012,345,678,901,234.05"},
		{"0.5", "CNY", "¥0.50"},
		{"0.05", "cny", "¥0.05"},
		{"7", "CNY", "¥7.00"},
		{"100", "CNY", "¥100.00"},
		{"1000", "CNY", "¥1,000.00"},
		{"-1234.5", "CNY", "-¥1,234.50"},
		{"-0.00", "CNY", "¥0.00"},
		{"1234.5", "USD", "USD 1,234.50"},
		{"1234.5", "", "1,234.50"},
		{"abc", "CNY", "abc CNY"},
		{"1,000.00", "CNY", "1,000.00 CNY"},
		{"01.00", "CNY", "01.00 CNY"},
		{"", "CNY", "CNY"},
		{"1e6", "CNY", "1e6 CNY"},
	} {
		if got := FormatMoney(c.amount, c.currency); got != c.want {
			t.Errorf("FormatMoney(%q, %q) = %q, want %q", c.amount, c.currency, got, c.want)
		}
	}
}

// (d) Times in China time (UTC+8 all year: no daylight saving), to the minute; dates as they are.
func TestFormatTimeAndDate(t *testing.T) {
	for _, c := range []struct{ lang, in, want string }{
		{"zh-CN", "2026-11-30T06:05:00Z", "2026年11月30日 14:05"},
		{"en", "2026-11-30T06:05:00Z", "30 Nov 2026 14:05"},
		// Across midnight UTC: the next day in Shanghai.
		{"zh-CN", "2026-12-31T16:30:59.999Z", "2027年1月1日 00:30"},
		{"en", "2026-12-31T16:30:00Z", "1 Jan 2027 00:30"},
		{"zh-CN", "2026-03-31T23:59:00Z", "2026年4月1日 07:59"},
		// Summer and winter alike (China has no daylight saving time).
		{"en", "2026-07-01T00:00:00Z", "1 Jul 2026 08:00"},
		{"en", "2026-01-01T00:00:00Z", "1 Jan 2026 08:00"},
		// An instant given in another offset is the same instant.
		{"zh-CN", "2026-11-30T14:05:00+08:00", "2026年11月30日 14:05"},
		{"zh-CN", "2026-11-29T22:05:00-08:00", "2026年11月30日 14:05"},
		// What is not a time comes back as given.
		{"zh-CN", "soon", "soon"},
		{"en", "", ""},
	} {
		if got := FormatTime(c.lang, c.in); got != c.want {
			t.Errorf("FormatTime(%s, %q) = %q, want %q", c.lang, c.in, got, c.want)
		}
	}
	for _, c := range []struct{ lang, in, want string }{
		{"zh-CN", "2028-12-31", "2028年12月31日"},
		{"en", "2028-12-31", "31 Dec 2028"},
		{"zh-CN", "2031-01-05", "2031年1月5日"},
		{"en", "2031-02-30", "2031-02-30"}, // not a date: as given
		{"en", "", ""},
	} {
		if got := FormatDate(c.lang, c.in); got != c.want {
			t.Errorf("FormatDate(%s, %q) = %q, want %q", c.lang, c.in, got, c.want)
		}
	}
	// The zone exists even where the machine has no zoneinfo (time/tzdata is linked in).
	if _, off := time.Date(2026, 7, 1, 0, 0, 0, 0, shanghai).Zone(); off != 8*3600 {
		t.Errorf("Asia/Shanghai offset %d", off)
	}
}

// The templates' formatting functions follow the page's language.
func TestTemplateFuncs_FormatInThePagesLanguage(t *testing.T) {
	for lang, want := range map[string]string{"zh-CN": "2026年11月30日 14:05 ¥5,000,000.00 银行1", "en": "30 Nov 2026 14:05 ¥5,000,000.00 Bank 1"} {
		f := templateFuncs(lang, nil)
		got := f["datetime"].(func(string) string)("2026-11-30T06:05:00Z") + " " +
			f["money"].(func(string, string) string)("5000000.00", "CNY") + " " + f["org"].(func(string) string)("Bank1MSP")
		if got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
		if _, err := f["t"].(func(string, ...any) (string, error))("no.such.key"); err == nil {
			t.Errorf("%s: a missing key is not an error", lang)
		}
	}
	if got := Message("en", "signin.heading", "Org", "Bank 1"); got != "Sign in to the Bank 1 console" {
		t.Error(got)
	}
	if got := Message("zh-CN", "no.such.key"); got != "no.such.key" {
		t.Error(got)
	}
}

// A catalogue's language is the last part of its file's name, as go-i18n reads it: an area's own file
// (locales/<area>.<tag>.toml) belongs to the same language as the shared one.
func TestCatalogues_AFilesLanguageIsTheLastPartOfItsName(t *testing.T) {
	for name, want := range map[string]string{
		"locales/zh-CN.toml": "zh-CN", "locales/en.toml": "en", "locales/pledge.zh-CN.toml": "zh-CN",
		"locales/dashboard.en.toml": "en",
	} {
		if got := catalogueLanguage(name); got != want {
			t.Errorf("catalogueLanguage(%q) = %q, want %q", name, got, want)
		}
	}
}

// Every event type the chaincode's rules emit has words (Enums["eventType"]): the live line names
// the last change by them. A new event type without them fails here.
func TestCatalogues_EveryEventTypeOfTheRulesHasWords(t *testing.T) {
	emitted := regexp.MustCompile(`(?:Event\{Type: |(?:pledge|transfer)Event\()"([A-Z][A-Za-z]+)"`)
	seen := 0
	for f, src := range rulesSources(t) {
		for _, m := range emitted.FindAllStringSubmatch(src, -1) {
			seen++
			if !slices.Contains(Enums["eventType"], m[1]) {
				t.Errorf("%s emits %q, which Enums[\"eventType\"] lacks", f, m[1])
			}
		}
	}
	if seen < 20 {
		t.Fatalf("found %d event types in the rules: the scan is broken", seen)
	}
}

// Every rule the chaincode's rules refuse under (api.Conflict, api.Forbidden) has a clerk's sentence
// in both catalogues ("error.<rule>"), and so does every reason the disposal gives (refuse(...) in
// disposal.go, all under P8): a refusal without words would show only "the request could not be
// completed".
func TestCatalogues_EveryRuleTheChaincodeRefusesUnderHasWords(t *testing.T) {
	rule := regexp.MustCompile(`api\.(?:Conflict|Forbidden)\("([A-Z][0-9]+)"`)
	disposal := regexp.MustCompile(`\brefuse\("([a-z-]+)"`)
	want := map[string]string{}
	for f, src := range rulesSources(t) {
		for _, m := range rule.FindAllStringSubmatch(src, -1) {
			want["error."+m[1]] = f
		}
		if filepath.Base(f) == "disposal.go" {
			for _, m := range disposal.FindAllStringSubmatch(src, -1) {
				want["error.P8/"+m[1]] = f
			}
		}
	}
	if len(want) < 30 {
		t.Fatalf("found %d rules and reasons in the rules: the scan is broken", len(want))
	}
	for key, where := range want {
		for _, lang := range LanguageTags() {
			if Catalogue(lang)[key] == "" {
				t.Errorf("%s refuses with %q, which the %s catalogue lacks", where, key, lang)
			}
		}
	}
}

// rulesSources are the chaincode's rules, its Go files but the tests, by name.
func rulesSources(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob("../../chaincode/rules/*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("the chaincode's rules: %v %v", files, err)
	}
	out := map[string]string{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[f] = string(b)
	}
	return out
}

// Every change the chaincode's rules record on a record (its lastChange.action, what a timeline shows:
// saveAsset/savePledge/saveTransfer's name, the part before a colon) has words in both catalogues: an
// event type's (Enums["eventType"]) or a change's own ("change.<name>"). A new change without them would
// show as its English name on a Chinese page.
func TestCatalogues_EveryChangeOfTheRulesHasWords(t *testing.T) {
	named := regexp.MustCompile(`save(?:Asset|Pledge|Transfer)\([a-z]+, "([A-Za-z]+)|action :?= "([A-Za-z]+)`)
	seen := 0
	for f, src := range rulesSources(t) {
		for _, m := range named.FindAllStringSubmatch(src, -1) {
			name := m[1] + m[2]
			seen++
			if slices.Contains(Enums["eventType"], name) {
				continue
			}
			for _, lang := range LanguageTags() {
				if Catalogue(lang)["change."+name] == "" {
					t.Errorf("%s records the change %q, which is no event type and has no words (change.%s) in %s", f, name, name, lang)
				}
			}
		}
	}
	if seen < 30 {
		t.Fatalf("found %d changes in the rules: the scan is broken", seen)
	}
}
