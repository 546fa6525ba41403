package console

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The pledge page holds the forms of the actions its organization may take and no other (the script
// then shows those the pledge's state allows): the bank's, the IP office's, the exchange's; none for
// the regulator, which writes nothing (V3).
func TestPledgePage_FormsFollowTheOrganization(t *testing.T) {
	form := regexp.MustCompile(`<form id="(f-[a-z-]+)" class="act`)
	for msp, want := range map[string][]string{
		"Bank1MSP":     {"f-amend", "f-claim", "f-default", "f-extend", "f-release"},
		"Bank2MSP":     {"f-amend", "f-claim", "f-default", "f-extend", "f-release"},
		"IPOfficeMSP":  {"f-deregister", "f-record", "f-refuse-change", "f-revoke"},
		"ExchangeMSP":  {"f-dispose"},
		"RegulatorMSP": nil,
	} {
		for _, lang := range LanguageTags() {
			res, body := get(t, newConsole(t, msp), Prefix+"pledge?id=PL-1&lang="+lang)
			if res.Code != 200 {
				t.Fatalf("%s %s: %d", msp, lang, res.Code)
			}
			var got []string
			for _, m := range form.FindAllStringSubmatch(body, -1) {
				got = append(got, m[1])
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("%s %s: forms %v, want %v", msp, lang, got, want)
			}
			// Every form's inputs are tied to labels, and the irreversible ones ask first.
			for _, id := range []string{"f-default", "f-release", "f-revoke", "f-deregister", "f-dispose"} {
				if i := strings.Index(body, `<form id="`+id+`"`); i >= 0 && !strings.Contains(body[i:i+200], "data-irreversible") {
					t.Errorf("%s: %s does not ask for a confirmation", msp, id)
				}
			}
		}
	}
}

// Each action form's fields carry the checks of the API's request schema (docs/openapi.yaml).
func TestPledgePage_ChecksComeFromTheAPISchema(t *testing.T) {
	for msp, fields := range map[string][]string{
		"Bank1MSP":    {`id="ex-end" name="debtTermEnd" type="date" required data-pattern="^[0-9]{4}-[0-9]{2}-[0-9]{2}$" data-field="debtTermEnd"`, `id="am-contract" name="contractHash" data-pattern="^([0-9a-f]{64})?$" data-field="contractHash"`, `id="df-reason" name="reason" required maxlength="500" data-minlength="1" data-field="reason"`, `data-field="claim.amount"`},
		"IPOfficeMSP": {`id="rv-reason" name="reason" required maxlength="500" data-minlength="1" data-field="reason"`, `id="dg-ref" name="reference" maxlength="200" data-field="reference"`, `id="rc-note" name="note" maxlength="1000" data-field="note"`},
		"ExchangeMSP": {`id="ds-ref" name="saleRef" required maxlength="100" data-minlength="1" data-field="saleRef"`, `data-field="proceeds.amount"`, `min="1" max="10000" data-field="buyers.share"`},
	} {
		_, body := get(t, newConsole(t, msp), Prefix+"pledge?id=PL-1")
		for _, f := range fields {
			if !strings.Contains(body, f) {
				t.Errorf("%s: no %s", msp, f)
			}
		}
	}
}
