package console

import (
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// The register of rights is the IP office's alone (A1): in its navigation only, and any other
// organization's page says whose it is and holds no form.
func TestRightsPage_TheIPOfficesAlone(t *testing.T) {
	for _, msp := range []string{"Bank1MSP", "IPOfficeMSP", "ExchangeMSP", "RegulatorMSP"} {
		c := newConsole(t, msp)
		_, home := get(t, c, Prefix)
		nav := home[strings.Index(home, `<nav`):strings.Index(home, `</nav>`)]
		own := msp == "IPOfficeMSP"
		if got := strings.Contains(nav, `data-nav="rights">`+html.EscapeString(Message("zh-CN", "page.rights.title"))+"<"); got != own {
			t.Errorf("%s: navigation offers the register of rights: %v", msp, got)
		}
		res, body := get(t, c, Prefix+"rights")
		if res.Code != http.StatusOK {
			t.Fatalf("%s: %d", msp, res.Code)
		}
		if got := strings.Contains(body, `id="register-form"`) && strings.Contains(body, `id="update-form"`); got != own {
			t.Errorf("%s: the forms are offered: %v", msp, got)
		}
		if got := strings.Contains(body, `id="rights-not-yours"`); got == own {
			t.Errorf("%s: the page says it is not the organization's: %v", msp, got)
		}
		if !strings.Contains(body, `<script src="/console/static/pages/rights.js" defer>`) {
			t.Errorf("%s: the page does not load its script", msp)
		}
	}
}

// The forms' checks are the API document's: AssetInput for the registration (owners with their shares
// in basis points), AssetPatch for the change, its flags' case references included (a nullable
// reference to Flag, which the field lookup follows).
func TestRightsForms_ChecksComeFromTheAPISchema(t *testing.T) {
	_, body := get(t, newConsole(t, "IPOfficeMSP"), Prefix+"rights?lang=en")
	id := html.EscapeString(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	date := html.EscapeString(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
	for _, want := range []string{
		`id="r-id" name="id" required data-pattern="` + id + `" data-field="id"`,
		`id="r-kind" name="kind" required data-field="kind"`,
		`id="r-number" name="number" required maxlength="64" data-minlength="1" data-field="number"`,
		`id="r-title" name="title" required maxlength="500" data-minlength="1" data-field="title"`,
		`id="r-applied" name="applicationDate" type="date" required data-pattern="` + date + `" data-field="applicationDate"`,
		`id="r-expiry" name="expiryDate" type="date" required data-pattern="` + date + `" data-field="expiryDate"`,
		`id="r-fees" name="feesPaidThrough" type="date" required data-pattern=`,
		`id="r-nice" name="niceClass" type="number" required min="0" max="45" data-field="niceClass"`,
		`name="owner-id" required data-pattern="` + id + `" data-field="owners.id"`,
		`name="owner-name" required maxlength="200" data-minlength="1" data-field="owners.name"`,
		`name="owner-share" type="number" required min="1" max="10000" data-field="owners.share"`,
		`id="r-owners" data-field="owners"`,
		`id="u-fees" name="feesPaidThrough" type="date" required disabled data-pattern="` + date + `" data-field="feesPaidThrough"`,
		`id="u-title" name="title" required maxlength="500" data-minlength="1" data-field="title"`,
		`id="u-family" name="markFamily" disabled maxlength="64" data-field="markFamily"`,
		`id="u-dispute-ref" name="dispute-ref" maxlength="200" data-field="dispute.ref"`,
		`id="u-invalidation-ref" name="invalidation-ref" maxlength="200" data-field="invalidation.ref"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the rights page lacks %s", want)
		}
	}
	// Every kind of right and legal status, in words: the enumerations of the API.
	for _, k := range Enums["assetKind"] {
		if !strings.Contains(body, `<option value="`+k+`">`+html.EscapeString(Message("en", "enum.assetKind."+k))+`</option>`) {
			t.Errorf("kind %s is not offered in words", k)
		}
	}
	for _, s := range Enums["legalStatus"] {
		if !strings.Contains(body, `<option value="`+s+`">`+html.EscapeString(Message("en", "enum.legalStatus."+s))+`</option>`) {
			t.Errorf("legal status %s is not offered in words", s)
		}
	}
}

// Every label names an input that exists (for/id), rows' labels are tied by the script (data-for), and
// the script inserts ledger data as text only.
func TestRightsPage_LabelsAndScript(t *testing.T) {
	_, body := get(t, newConsole(t, "IPOfficeMSP"), Prefix+"rights")
	for _, m := range regexp.MustCompile(`<label[^>]* for="([^"]+)"`).FindAllStringSubmatch(body, -1) {
		if !strings.Contains(body, `id="`+m[1]+`"`) {
			t.Errorf("label for %q names no element", m[1])
		}
	}
	if n := strings.Count(body, `<label data-for=`); n != 3 {
		t.Errorf("the owner's row has %d labels tied by the script, want 3", n)
	}
	_, js := get(t, newConsole(t, "IPOfficeMSP"), Prefix+"static/pages/rights.js")
	for _, bad := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"} {
		if strings.Contains(js, bad) {
			t.Errorf("rights.js uses %s", bad)
		}
	}
	for _, want := range []string{`method: "PATCH"`, `path: "/v1/assets"`, "actionForm(reg", "actionForm(upd", "findAsset("} {
		if !strings.Contains(js, want) {
			t.Errorf("rights.js lacks %s", want)
		}
	}
}
