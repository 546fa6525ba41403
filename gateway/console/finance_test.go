package console

import (
	"html"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/docs"
)

// financePages are the IP-finance record's pages and the one kind of organization each is for: the IP
// office accredits agencies (F1), an agency issues reports (F2), an insurer records covers and pays
// (F4, F5), a bank claims on the fund and applies for subsidies (F7, F8), the fund's manager sets the
// rules and decides (F6–F8). The chaincode refuses each of these to every other organization.
var financePages = map[string]string{
	"accreditations": "ipoffice", "valuations": "valuer", "covers": "insurer", "finance": "bank", "fund": "fund",
}

// Each IP-finance page is in the menu of exactly its organization's kind, in both languages.
func TestNavigation_FinancePagesForTheirOrganizationsOnly(t *testing.T) {
	for _, kind := range []string{"bank", "ipoffice", "exchange", "regulator", "fund", "valuer", "insurer", "other"} {
		nav := navigation(kind)
		for page, forKind := range financePages {
			has := slices.ContainsFunc(nav, func(p Page) bool { return p.Path == page })
			if has != (kind == forKind) {
				t.Errorf("%s's menu: %s offered %v, want %v", kind, page, has, kind == forKind)
			}
		}
	}
	for _, msp := range []string{"Bank1MSP", "Bank3MSP", "IPOfficeMSP", "ExchangeMSP", "RegulatorMSP", "FundMSP", "ValuerMSP", "HubeiValuerMSP", "InsurerMSP"} {
		for _, lang := range LanguageTags() {
			_, body := get(t, newConsole(t, msp), Prefix+"?lang="+lang)
			nav := body[strings.Index(body, `<nav`):strings.Index(body, `</nav>`)]
			for page, forKind := range financePages {
				link := `data-nav="` + page + `">` + html.EscapeString(Message(lang, "page."+page+".title")) + "<"
				if has := strings.Contains(nav, link); has != (OrgKind(msp) == forKind) {
					t.Errorf("%s %s: %s in the menu: %v", msp, lang, page, has)
				}
			}
		}
	}
}

// financeIDs are the elements each page has, which the browser tests find them by.
var financeIDs = map[string][]string{
	"accreditations": {`id="acc-form"`, `id="acc-msp" name="msp"`, `name="name"`, `name="filingNumber"`, `name="validFrom" type="date"`, `name="validUntil" type="date"`, `id="acc-done"`},
	"valuations": {`id="val-form"`, `name="assetIds"`, `name="clientBank"`, `name="method"`, `name="value"`, `name="currency"`, `name="valuationDate" type="date"`,
		`name="validUntil" type="date"`, `name="reportNumber"`, `name="reportHash"`, `id="val-submit"`, `id="val-issued"`, `id="val-rows"`},
	"covers": {`id="cover-form"`, `name="pledgeId"`, `name="kind"`, `name="policyNumber"`, `name="coveredShare" type="number"`, `name="premium"`, `name="currency"`,
		`name="termStart" type="date"`, `name="termEnd" type="date"`, `id="cover-done"`, `id="cover-rows"`, `<form class="cover-pay"`, `name="amount"`, `name="reference"`},
	"fund": {`id="rules-form"`, `name="year"`, `name="lossShare"`, `name="interestSubsidyShare"`, `name="premiumSubsidyShare"`, `name="valuationFeeSubsidyShare"`,
		`name="capPerLoan"`, `name="capPerBank"`, `name="capPerYear"`, `name="currency"`, `name="subsidyCapPerEnterprise"`, `id="rules-done"`, `id="claim-rows"`, `id="subsidy-rows"`,
		`<form class="claim-decide"`, `<form class="subsidy-decide"`, `<form class="claim-pay"`, `<form class="subsidy-pay"`, `data-action="approve"`, `data-action="refuse"`},
	"finance": {`id="claim-form"`, `id="claim-done"`, `id="subsidy-form"`, `name="kind"`, `name="pledgeId"`, `name="enterprise-id"`, `name="enterprise-name"`, `name="basis"`,
		`name="currency"`, `name="periodStart"`, `name="periodEnd"`, `name="coverId"`, `name="evidenceHash"`, `id="subsidy-done"`},
}

// The IP-finance pages: their elements, every input labelled (by for= or by its label around it),
// headings in order, every table captioned, the API's checks on the fields, the API's enumerations in
// the selects, and the refusal reasons codes the API accepts.
func TestFinancePages_ElementsLabelsAndChecks(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(docs.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	refusal := regexp.MustCompile(doc.Components.Schemas["Refusal"].Value.Properties["reasons"].Value.Items.Value.Pattern)
	for page, kind := range financePages {
		msp := map[string]string{"ipoffice": "IPOfficeMSP", "valuer": "ValuerMSP", "insurer": "InsurerMSP", "bank": "Bank1MSP", "fund": "FundMSP"}[kind]
		for _, lang := range LanguageTags() {
			_, body := get(t, newConsole(t, msp), Prefix+page+"?lang="+lang)
			app := body[strings.Index(body, `<div id="app"`):]
			for _, want := range append(financeIDs[page], `<script src="/console/static/pages/`+page+`.js" defer>`) {
				if !strings.Contains(body, want) {
					t.Errorf("%s %s: the page lacks %s", page, lang, want)
				}
			}
			// Every input and select: its label names it, or is around it (the rows' forms).
			labelled := regexp.MustCompile(`(?s)<label>[^<]*(?:<small>[^<]*</small>)?\s*<(?:input|select) `)
			n := len(labelled.FindAllString(app, -1))
			for _, m := range regexp.MustCompile(`<(?:input|select)\b[^>]*>`).FindAllString(app, -1) {
				id := regexp.MustCompile(`\bid="([^"]+)"`).FindStringSubmatch(m)
				if id == nil {
					n--
					continue
				}
				if !strings.Contains(app, `<label for="`+id[1]+`">`) {
					t.Errorf("%s %s: #%s has no label", page, lang, id[1])
				}
			}
			if n != 0 {
				t.Errorf("%s %s: %d inputs without an id and a label around them", page, lang, -n)
			}
			levels := regexp.MustCompile(`<h([1-6])[ >]`).FindAllStringSubmatch(app, -1)
			if len(levels) == 0 || levels[0][1] != "1" {
				t.Errorf("%s %s: headings %v", page, lang, levels)
			}
			for _, l := range levels[1:] {
				if l[1] != "2" {
					t.Errorf("%s %s: a heading h%s under the h1", page, lang, l[1])
				}
			}
			if strings.Count(app, "<table") != strings.Count(app, "<caption>") {
				t.Errorf("%s %s: a table without a caption", page, lang)
			}
			for _, m := range regexp.MustCompile(`<option value="([^"]*)">`).FindAllStringSubmatch(app, -1) {
				if m[1] != "" && strings.Contains(m[0], "F") && !refusal.MatchString(m[1]) {
					t.Errorf("%s: reason %q is not a code the API accepts", page, m[1])
				}
			}
		}
	}
	options := func(body, name string) []string {
		sel := body[strings.Index(body, `name="`+name+`"`):]
		sel = sel[:strings.Index(sel, "</select>")]
		var out []string
		for _, m := range regexp.MustCompile(`<option value="([a-z-]+)">`).FindAllStringSubmatch(sel, -1) {
			out = append(out, m[1])
		}
		return out
	}
	_, val := get(t, newConsole(t, "ValuerMSP"), Prefix+"valuations")
	_, cov := get(t, newConsole(t, "InsurerMSP"), Prefix+"covers")
	_, fin := get(t, newConsole(t, "Bank1MSP"), Prefix+"finance")
	_, acc := get(t, newConsole(t, "IPOfficeMSP"), Prefix+"accreditations")
	_, fund := get(t, newConsole(t, "FundMSP"), Prefix+"fund")
	if got := options(val, "method"); !slices.Equal(got, api.ValuationMethods) {
		t.Errorf("methods %v, the API's %v", got, api.ValuationMethods)
	}
	if got := options(cov, "kind"); !slices.Equal(got, api.CoverKinds) {
		t.Errorf("cover kinds %v, the API's %v", got, api.CoverKinds)
	}
	if got := options(fin, "kind"); !slices.Equal(got, api.SubsidyKinds) {
		t.Errorf("subsidy kinds %v, the API's %v", got, api.SubsidyKinds)
	}
	money := html.EscapeString(`^(0|[1-9][0-9]{0,14})(\.[0-9]{1,2})?$`)
	for body, wants := range map[*string][]string{
		&acc: {`data-pattern="` + html.EscapeString(api.ValuerMSPPattern) + `" data-field="msp"`, `name="filingNumber" required maxlength="64" data-minlength="1" data-field="filingNumber"`},
		&val: {`name="value" inputmode="decimal" required data-pattern="` + money + `" data-field="valuation.value"`, `data-field="valuation.currency"`,
			`data-pattern="` + html.EscapeString(api.BankMSPPattern) + `" data-field="clientBank"`, `data-field="reportHash"`},
		&cov: {`name="coveredShare" type="number" min="0.01" max="100" step="0.01" required data-field="coveredShare"`, `data-field="premium"`,
			`name="amount" inputmode="decimal" required data-pattern="` + money + `" data-field="amount"`, `data-field="reference"`},
		&fin: {`data-field="enterprise.id"`, `data-field="enterprise.name"`, `data-field="basis"`, `data-field="periodStart"`, `data-field="coverId"`, `data-field="evidenceHash"`},
		&fund: {`name="lossShare" type="number" min="0" max="100" step="0.01" required data-field="lossShare"`, `data-field="capPerLoan"`, `data-field="subsidyCapPerEnterprise"`,
			`name="reasons" data-field="reasons"`, `maxlength="1000" data-field="note"`},
	} {
		for _, want := range wants {
			if !strings.Contains(*body, want) {
				t.Errorf("a page lacks %s", want)
			}
		}
	}
}

// The application form asks for the IP-finance facts with the API's checks, and its script sends each
// only when it is filled.
func TestApplyForm_IPFinanceFieldsAreOptional(t *testing.T) {
	_, body := get(t, newConsole(t, "Bank1MSP"), Prefix+"apply")
	for _, want := range []string{
		`id="f-valuation" name="valuationReportId" data-pattern=`,
		`id="f-industry" name="industry" data-pattern="` + html.EscapeString(api.IndustryPattern) + `" data-field="industry"`,
		`id="f-region" name="region" inputmode="numeric" data-pattern="` + html.EscapeString(api.RegionPattern) + `" data-field="region"`,
		`<label for="f-valuation">`, `<label for="f-industry">`, `<label for="f-region">`,
		`data-error-for="valuationReportId"`, `data-error-for="industry"`, `data-error-for="region"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("apply form lacks %s", want)
		}
	}
	if regexp.MustCompile(`id="f-(?:valuation|industry|region)"[^>]* required`).MatchString(body) {
		t.Error("an IP-finance field of the application is required")
	}
	js, err := os.ReadFile("static/console.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`if (v("#f-valuation")) app.valuationReportId = v("#f-valuation");`,
		`if (v("#f-industry")) app.industry = v("#f-industry");`, `if (v("#f-region")) app.region = v("#f-region");`} {
		if !strings.Contains(string(js), want) {
			t.Errorf("console.js lacks %s", want)
		}
	}
}

// The pages' scripts insert no HTML and call the API's paths.
func TestFinancePages_Scripts(t *testing.T) {
	for page, wants := range map[string][]string{
		"accreditations": {`"/v1/accreditations/" + encodeURIComponent(v("msp"))`, "actionForm(form"},
		"valuations":     {`path: "/v1/valuations"`, `"/v1/valuations?valuer=" + encodeURIComponent(MSP)`, "valuation: { value: v(\"value\"), currency: v(\"currency\") }"},
		"covers":         {`path: "/v1/covers"`, `"/v1/covers?insurer=" + encodeURIComponent(MSP)`, `"/payment"`, "coveredShare: basisPoints("},
		"fund":           {`"/v1/fund/rules/" + encodeURIComponent(v("year"))`, `"/v1/fund/claims?status=filed"`, `"/v1/fund/subsidies?status=approved"`, `reasons: [reason]`, `"/pay"`},
		"finance":        {`path: "/v1/fund/claims"`, `path: "/v1/fund/subsidies"`, `"/loss"`},
	} {
		b, err := os.ReadFile("static/pages/" + page + ".js")
		if err != nil {
			t.Fatal(err)
		}
		if bad := htmlInsertions(string(b)); len(bad) > 0 {
			t.Errorf("%s.js inserts HTML: %v", page, bad)
		}
		for _, want := range append(wants, "pages."+page+" = function") {
			if !strings.Contains(string(b), want) {
				t.Errorf("%s.js lacks %s", page, want)
			}
		}
	}
}
