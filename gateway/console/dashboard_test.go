package console

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/chaincode/rules"
)

// The dashboard is the regulator's: first in its navigation after home, in no other organization's.
func TestDashboard_InTheRegulatorsNavigationOnly(t *testing.T) {
	if got := navigation("regulator"); len(got) < 2 || got[1].Path != "dashboard" {
		t.Errorf("regulator's navigation %v: the dashboard is not second", got)
	}
	for _, kind := range []string{"bank", "ipoffice", "exchange"} {
		if slices.ContainsFunc(navigation(kind), func(p Page) bool { return p.Path == "dashboard" }) {
			t.Errorf("%s's navigation offers the dashboard", kind)
		}
	}
	for _, msp := range []string{"Bank1MSP", "IPOfficeMSP", "RegulatorMSP"} {
		_, body := get(t, newConsole(t, msp), Prefix)
		nav := body[strings.Index(body, `<nav`):strings.Index(body, `</nav>`)]
		if has := strings.Contains(nav, `data-nav="dashboard"`); has != (msp == "RegulatorMSP") {
			t.Errorf("%s: dashboard in the navigation: %v", msp, has)
		}
	}
}

// The regulator's page has its filters (labelled, with the API's intervals), the "as of" block, the
// totals and a section for each chart; another organization's says it is the regulator's and has none.
func TestDashboard_Page(t *testing.T) {
	for _, lang := range LanguageTags() {
		_, body := get(t, newConsole(t, "RegulatorMSP"), Prefix+"dashboard?lang="+lang)
		for _, want := range []string{`id="dashboard"`, `id="dash-filters"`, `id="dash-asof-facts"`, `id="dash-coverage"`, `id="dash-totals"`, `id="dash-csv"`,
			`<script src="/console/static/pages/dashboard.js" defer>`} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: the page lacks %s", lang, want)
			}
		}
		// Every input and select has a label tied to it.
		for _, m := range regexp.MustCompile(`<(?:input|select) [^>]*id="([^"]+)"`).FindAllStringSubmatch(body, -1) {
			if m[1] != "apikey" && !strings.Contains(body, `<label for="`+m[1]+`">`) {
				t.Errorf("%s: #%s has no label", lang, m[1])
			}
		}
		// The options of a select, the empty one (the API's default) left out.
		options := func(id string) []string {
			sel := body[strings.Index(body, `id="`+id+`"`):]
			sel = sel[:strings.Index(sel, "</select>")]
			var out []string
			for _, m := range regexp.MustCompile(`<option value="([a-z-]+)">`).FindAllStringSubmatch(sel, -1) {
				out = append(out, m[1])
			}
			return out
		}
		if intervals := options("d-interval"); !slices.Equal(intervals, api.StatisticsIntervals) {
			t.Errorf("%s: intervals %v, the API's are %v", lang, intervals, api.StatisticsIntervals)
		}
		if kinds := options("d-kind"); !slices.Equal(kinds, api.StatisticsKinds()) {
			t.Errorf("%s: kinds %v, the API's are %v", lang, kinds, api.StatisticsKinds())
		}
		if !strings.Contains(body, `data-pattern="`+api.BankMSPPattern+`"`) {
			t.Errorf("%s: the pledgee filter does not check the API's pattern of a bank's MSP id", lang)
		}
		charts := regexp.MustCompile(`data-chart="([a-z]+)"`).FindAllStringSubmatch(body, -1)
		var names []string
		for _, m := range charts {
			names = append(names, m[1])
		}
		if want := []string{"flow", "decision", "defaults", "secured", "bank", "kind", "concentration"}; !slices.Equal(names, want) {
			t.Errorf("%s: charts %v, want %v", lang, names, want)
		}
		// Headings in order: the page's h1, then h2s only.
		levels := regexp.MustCompile(`<h([1-6])[ >]`).FindAllStringSubmatch(body[strings.Index(body, `<div id="app"`):], -1)
		if len(levels) < 9 || levels[0][1] != "1" {
			t.Errorf("%s: headings %v", lang, levels)
		}
		for _, l := range levels[1:] {
			if l[1] != "2" {
				t.Errorf("%s: a heading h%s under the h1", lang, l[1])
			}
		}
	}
	_, body := get(t, newConsole(t, "Bank1MSP"), Prefix+"dashboard")
	if strings.Contains(body, `id="dashboard"`) || !strings.Contains(body, `id="dashboard-not-yours"`) ||
		!strings.Contains(body, Message("zh-CN", "dashboard.regulator-only")) {
		t.Error("a bank's dashboard page shows the dashboard")
	}
}

// The script's filters are the API's: its kinds api.StatisticsKinds, its pattern of a bank's MSP id
// api.BankMSPPattern (what it keeps from an address, it passes on).
func TestDashboard_ScriptsFiltersAreTheAPIs(t *testing.T) {
	b, err := os.ReadFile("static/pages/dashboard.js")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`const KINDS = \[([^\]]*)\]`).FindSubmatch(b)
	if m == nil {
		t.Fatal("dashboard.js has no KINDS")
	}
	var kinds []string
	for _, q := range regexp.MustCompile(`"([^"]+)"`).FindAllSubmatch(m[1], -1) {
		kinds = append(kinds, string(q[1]))
	}
	if !slices.Equal(kinds, api.StatisticsKinds()) {
		t.Errorf("dashboard.js KINDS %v, the API's %v", kinds, api.StatisticsKinds())
	}
	if !strings.Contains(string(b), "const BANK = /"+api.BankMSPPattern+"/;") {
		t.Errorf("dashboard.js: BANK is not the API's pattern %s", api.BankMSPPattern)
	}
}

// The console's scripts (console.js and every page's script) build their pages with DOM calls and put
// ledger data in as text: no innerHTML, no HTML from strings, no eval. The dashboard's script draws
// its SVG by createElementNS.
func TestDashboard_ScriptInsertsNoHTML(t *testing.T) {
	scripts, err := filepath.Glob("static/pages/*.js")
	if err != nil {
		t.Fatal(err)
	}
	scripts = append(scripts, "static/console.js")
	if len(scripts) < 10 || !slices.Contains(scripts, "static/pages/dashboard.js") || !slices.Contains(scripts, "static/pages/rights.js") {
		t.Fatalf("the scripts read: %v", scripts)
	}
	for _, f := range scripts {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bad := htmlInsertions(string(src)); len(bad) > 0 {
			t.Errorf("%s uses %v", f, bad)
		}
	}
	// The check sees each way in.
	for _, bad := range []string{`e.innerHTML = x`, `e.outerHTML = x`, `e.insertAdjacentHTML("beforeend", x)`, `document.write(x)`, `eval(x)`, `new Function(x)`,
		`new DOMParser().parseFromString(x, "text/html")`, `range.createContextualFragment(x)`, `frame.srcdoc = x`, `e.setHTMLUnsafe(x)`} {
		if len(htmlInsertions(bad)) == 0 {
			t.Errorf("the check misses %s", bad)
		}
	}
	b, err := os.ReadFile("static/pages/dashboard.js")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "createElementNS") || !strings.Contains(string(b), `Authorization: "Bearer "`) {
		t.Error("dashboard.js: no SVG by createElementNS, or no key in the Authorization header")
	}
}

// The script's pure functions (scales, ticks, formats, the filters' query) under node's test runner,
// when node is installed; the test command installs it and sets IPLEDGER_REQUIRE_NODE=1, so that
// there the test fails instead of skipping.
func TestDashboard_ScriptFunctions(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("IPLEDGER_REQUIRE_NODE") != "" {
			t.Fatal("node is not installed (scripts/ipledger need node:nodejs)")
		}
		t.Skip("node is not installed")
	}
	out, err := exec.Command(node, "--test", "testdata/dashboard.test.js").CombinedOutput()
	if err != nil {
		t.Fatalf("node --test: %v\n%s", err, out)
	}
	if !regexp.MustCompile(`(?m)^# pass [1-9]`).Match(out) || !regexp.MustCompile(`(?m)^# fail 0$`).Match(out) {
		t.Errorf("node --test:\n%s", out)
	}
}

// The dashboard draws P9's statutory times beside the measured ones from the chaincode's rules, not
// from numbers of its own: the page carries the rules' values, and one line serves patents and
// trademarks only while the rules give both the same working days.
func TestDashboard_P9LimitsAreTheRules(t *testing.T) {
	patent, trademark, copyright := rules.ExaminationLimits()
	if patent != trademark {
		t.Fatalf("the rules give a patent %d working days and a trademark %d: the dashboard's one line for both (dashboard.decision.limit-working) must become two", patent, trademark)
	}
	_, body := get(t, newConsole(t, "RegulatorMSP"), Prefix+"dashboard")
	want := fmt.Sprintf(`<div id="dashboard" data-limit-working="%d" data-limit-copyright="%d">`, patent, copyright)
	if !strings.Contains(body, want) {
		t.Errorf("the dashboard does not carry the rules' limits: want %s", want)
	}
	// The rules' own due time agrees with the figures: a copyright filed on a Monday is due at the end
	// of its tenth calendar day.
	filed := time.Date(2026, 3, 2, 10, 0, 0, 0, time.FixedZone("UTC+8", 8*3600))
	due := rules.ExaminationDueBy(filed, []api.AssetKind{api.KindCopyright})
	if wantDue := time.Date(2026, 3, 2+copyright+1, 0, 0, 0, 0, time.FixedZone("UTC+8", 8*3600)); !due.Equal(wantDue) {
		t.Errorf("a copyright filed %s is due %s, want %s", filed, due, wantDue)
	}
}

// htmlInsertions are the ways a script in src would put a string into the page as HTML or run it.
func htmlInsertions(src string) []string {
	var out []string
	for _, bad := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "DOMParser", "createContextualFragment", "srcdoc", "setHTMLUnsafe"} {
		if strings.Contains(src, bad) {
			out = append(out, bad)
		}
	}
	return out
}

// The evaluation page (F9) is in the menu of the organizations the chaincode answers it for: the
// regulator, the IP office, the fund's manager and every bank (its own loans); not the exchange's, an
// agency's or an insurer's, which the chaincode refuses. The new members are known by their kinds.
func TestNavigation_TheEvaluationIsForWhomTheChaincodeAnswersIt(t *testing.T) {
	for msp, want := range map[string]string{"FundMSP": "fund", "ValuerMSP": "valuer", "HubeiValuerMSP": "valuer",
		"InsurerMSP": "insurer", "Bank3MSP": "bank", "ExchangeMSP": "exchange", "OrdererMSP": "other"} {
		if got := OrgKind(msp); got != want {
			t.Errorf("OrgKind(%s) = %q, want %q", msp, got, want)
		}
	}
	has := func(kind string) bool {
		return slices.ContainsFunc(navigation(kind), func(p Page) bool { return p.Path == "evaluation" })
	}
	for _, kind := range []string{"regulator", "ipoffice", "fund", "bank"} {
		if !has(kind) {
			t.Errorf("%s: no evaluation in the menu", kind)
		}
	}
	for _, kind := range []string{"exchange", "valuer", "insurer", "other"} {
		if has(kind) {
			t.Errorf("%s: the evaluation is in the menu", kind)
		}
	}
	if OrgName("zh-CN", "FundMSP") != "风险补偿资金管理机构" || OrgName("en", "InsurerMSP") != "Insurer" {
		t.Errorf("names: %q, %q", OrgName("zh-CN", "FundMSP"), OrgName("en", "InsurerMSP"))
	}
}
