package console

import (
	"html"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/ipledger/ipledger/docs"
)

// The transfers page is for the organizations that act on transfers and for the regulator, who reads
// them; the court page for the IP office, which alone records freezes (C1, C2), and for the regulator,
// who reads them; every member reads the licence register.
func TestTransfersPages_ShownToTheOrganizationsThatUseThem(t *testing.T) {
	for msp, want := range map[string][]string{
		"Bank1MSP":     {"transfers", "licences"},
		"ExchangeMSP":  {"transfers", "licences"},
		"IPOfficeMSP":  {"transfers", "licences", "court"},
		"RegulatorMSP": {"transfers", "licences", "court"},
	} {
		_, body := get(t, newConsole(t, msp), Prefix)
		nav := body[strings.Index(body, `<nav`):strings.Index(body, `</nav>`)]
		for _, p := range []string{"transfers", "licences", "court"} {
			if got := strings.Contains(nav, `data-nav="`+p+`"`); got != slices.Contains(want, p) {
				t.Errorf("%s: navigation offers %s: %v", msp, p, got)
			}
		}
	}
}

// The exchange and the IP office are offered the request form, each with the origins the chaincode
// admits from it (a trade or a judicial auction from the exchange, an owner's request or a court's
// order through the IP office), the court's fields and the rows of new owners with their shares; a
// bank is not. The IP office gets the list of the requests waiting for it, a bank the filter of those
// needing its consent.
func TestTransfersPage_EachOrganizationItsPart(t *testing.T) {
	_, x := get(t, newConsole(t, "ExchangeMSP"), Prefix+"transfers?lang=en")
	_, o := get(t, newConsole(t, "IPOfficeMSP"), Prefix+"transfers?lang=en")
	_, b := get(t, newConsole(t, "Bank1MSP"), Prefix+"transfers?lang=en")
	if !strings.Contains(x, `id="transfer-form"`) || !strings.Contains(o, `id="transfer-form"`) || strings.Contains(b, `id="transfer-form"`) {
		t.Error("the request form is the exchange's and the IP office's")
	}
	origins := regexp.MustCompile(`<select id="t-origin"[^>]*>(.*?)</select>`)
	offered := func(body string) (out []string) {
		m := origins.FindStringSubmatch(body)
		if m == nil {
			return nil
		}
		for _, v := range regexp.MustCompile(`<option value="([^"]+)"`).FindAllStringSubmatch(m[1], -1) {
			out = append(out, v[1])
		}
		return out
	}
	if got := offered(x); !slices.Equal(got, []string{"trade", "judicial-auction"}) {
		t.Errorf("the exchange's origins: %v", got)
	}
	if got := offered(o); !slices.Equal(got, []string{"owner-request", "court-order"}) {
		t.Errorf("the IP office's origins: %v", got)
	}
	for _, want := range []string{`id="t-court-name"`, `id="t-court-ref"`, `id="t-purged"`, `id="t-owner-row"`, `id="t-add-owner"`, `id="t-owner-total"`,
		`data-field="newOwners.share"`, `data-field="court"`, `data-field="courtRef"`} {
		if !strings.Contains(o, want) || !strings.Contains(x, want) {
			t.Errorf("the request form has no %s", want)
		}
	}
	if !strings.Contains(x, `<option value="ExchangeMSP" selected>`) {
		t.Error("the exchange's list does not start with its own requests")
	}
	if !strings.Contains(o, `<option value="requested" selected>`) || !strings.Contains(o, html.EscapeString(Message("en", "transfers.list-heading.ipoffice"))) {
		t.Error("the IP office's list does not start with the requests waiting")
	}
	if !strings.Contains(b, `id="tl-consent" type="checkbox" name="needsConsent" checked`) || strings.Contains(x, `id="tl-consent"`) {
		t.Error("a bank's list does not start with the transfers needing its consent")
	}
	for _, body := range []string{x, o, b} {
		if !strings.Contains(body, `<script src="/console/static/pages/transfers.js" defer>`) {
			t.Error("the transfers page does not load its script")
		}
	}
	if _, js := get(t, newConsole(t, "IPOfficeMSP"), Prefix+"static/console.js"); strings.Contains(js, "pages.transfers") || !strings.Contains(js, "actionForm,") {
		t.Error("console.js still holds the transfers page, or does not export actionForm")
	}
}

// The refusal reasons offered are codes the API's Refusal schema accepts, each with words in every
// language beside its rule id, and no more than a refusal may carry.
func TestTransfersPage_RefusalReasonsAreCodesTheAPIAccepts(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(docs.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	reasons := doc.Components.Schemas["Refusal"].Value.Properties["reasons"].Value
	pattern := regexp.MustCompile(reasons.Items.Value.Pattern)
	_, body := get(t, newConsole(t, "IPOfficeMSP"), Prefix+"transfers")
	tpl := body[strings.Index(body, `<template id="transfer-refusal-reasons">`):]
	tpl = tpl[:strings.Index(tpl, `</template>`)]
	codes := regexp.MustCompile(`name="reason" value="([^"]+)"`).FindAllStringSubmatch(tpl, -1)
	if len(codes) < 5 || uint64(len(codes)) > *reasons.MaxItems {
		t.Fatalf("%d reasons offered (at most %d)", len(codes), *reasons.MaxItems)
	}
	rule := regexp.MustCompile(`^[A-Z][0-9]+-`)
	for _, m := range codes {
		code := m[1]
		if !pattern.MatchString(code) {
			t.Errorf("reason %q does not match the Refusal schema's %s", code, pattern)
		}
		for _, lang := range LanguageTags() {
			words := Catalogue(lang)["transfers.reason."+code]
			if words == "" || (rule.MatchString(code) && !strings.Contains(words, "("+strings.SplitN(code, "-", 2)[0]+")") &&
				!strings.Contains(words, "（"+strings.SplitN(code, "-", 2)[0]+"）")) {
				t.Errorf("%s: reason %q has no words with its rule id: %q", lang, code, words)
			}
		}
	}
}

// The forms' checks are the API document's: FreezeInput, LiftInput, Termination, TransferRequest.
func TestTransfersForms_ChecksComeFromTheAPISchema(t *testing.T) {
	_, court := get(t, newConsole(t, "IPOfficeMSP"), Prefix+"court")
	_, lic := get(t, newConsole(t, "IPOfficeMSP"), Prefix+"licences")
	_, x := get(t, newConsole(t, "ExchangeMSP"), Prefix+"transfers")
	date := html.EscapeString(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
	for _, c := range []struct{ body, want string }{
		{court, `id="fz-court" name="court" required maxlength="200" data-minlength="1" data-field="court"`},
		{court, `id="fz-ref" name="ref" required maxlength="200" data-minlength="1" data-field="ref"`},
		{court, `id="lf-ref" name="ref" required maxlength="200" data-minlength="1" data-field="ref"`},
		{court, `<label for="lf-n">`},
		{lic, `id="lt-date" name="date" type="date" required data-pattern="` + date + `" data-field="date"`},
		{lic, `id="lt-reason" name="reason" required maxlength="500" data-minlength="1" data-field="reason"`},
		{x, `id="t-lnote" name="license-territoryNote" maxlength="500" data-field="license.territoryNote"`},
		{x, `<input name="owner-id" required data-pattern=`},
		{x, `<input name="owner-share" type="number" required min="1" max="10000" data-field="newOwners.share">`},
		{x, `id="t-court-ref" name="courtRef" maxlength="200" data-field="courtRef" required`},
	} {
		if !strings.Contains(c.body, c.want) {
			t.Errorf("a form lacks %s", c.want)
		}
	}
	// The IP office alone is offered the termination; every member sees the register.
	_, bank := get(t, newConsole(t, "Bank1MSP"), Prefix+"licences")
	if strings.Contains(bank, `id="licence-terminate"`) || !strings.Contains(lic, `id="licence-terminate"`) || !strings.Contains(bank, `id="l-rows"`) {
		t.Error("the termination form is the IP office's alone")
	}
}

// Every label of the new pages names an input that exists (for/id), and every table header has a scope.
func TestTransfersPages_LabelsAndHeaders(t *testing.T) {
	labelFor := regexp.MustCompile(`<label[^>]* for="([^"]+)"`)
	for _, msp := range []string{"ExchangeMSP", "IPOfficeMSP", "Bank1MSP"} {
		c := newConsole(t, msp)
		for _, p := range []string{"transfers", "licences", "court"} {
			res, body := get(t, c, Prefix+p)
			if res.Code != http.StatusOK {
				t.Fatalf("%s %s: %d", msp, p, res.Code)
			}
			for _, m := range labelFor.FindAllStringSubmatch(body, -1) {
				if !strings.Contains(body, `id="`+m[1]+`"`) {
					t.Errorf("%s %s: label for %q names no element", msp, p, m[1])
				}
			}
			if strings.Contains(body, `<th>`) {
				t.Errorf("%s %s: a table header without scope", msp, p)
			}
		}
	}
}

// A bank's "needs my consent" list is the API's own filter, consentOf=<its MSP>, one query a page:
// not a GET per pledged right fired at once (which a bank with many pledges would send past its rate
// limit), nor the rule of who must consent restated in the script.
func TestTransfersPage_ABanksConsentListIsOneQueryOfTheAPI(t *testing.T) {
	b, err := os.ReadFile("static/pages/transfers.js")
	if err != nil {
		t.Fatal(err)
	}
	js := string(b)
	if !strings.Contains(js, `q.set("consentOf", MSP)`) {
		t.Error("transfers.js does not ask /v1/transfers for consentOf=<its MSP>")
	}
	for _, bad := range []string{"Promise.all([...byAsset", "pledgee=", "listAll("} {
		if strings.Contains(js, bad) {
			t.Errorf("transfers.js still reads the bank's pledges to find the transfers to consent to (%s)", bad)
		}
	}
}

// The regulator reads the court measures and the transfers but is offered no form to record or lift a
// freeze, nor to request a transfer.
func TestCourtAndTransfersPages_TheRegulatorReadsOnly(t *testing.T) {
	_, court := get(t, newConsole(t, "RegulatorMSP"), Prefix+"court")
	_, transfers := get(t, newConsole(t, "RegulatorMSP"), Prefix+"transfers")
	for _, form := range []string{`id="freeze-form"`, `id="lift-form"`} {
		if strings.Contains(court, form) {
			t.Errorf("the regulator's court page offers %s", form)
		}
	}
	if !strings.Contains(court, `id="court-lookup"`) || !strings.Contains(court, Message(DefaultLanguage, "court.intro.read-only")) {
		t.Error("the regulator's court page lacks its lookup or its read-only introduction")
	}
	if strings.Contains(transfers, `id="t-origin"`) || !strings.Contains(transfers, Message(DefaultLanguage, "transfers.list-heading.regulator")) {
		t.Error("the regulator's transfers page offers a request or lacks its own list heading")
	}
	_, office := get(t, newConsole(t, "IPOfficeMSP"), Prefix+"court")
	if !strings.Contains(office, `id="freeze-form"`) {
		t.Error("the IP office's court page lacks the freeze form")
	}
}
