package console

import (
	"strings"
	"testing"
)

// The apply form offers the maximum-amount fields (P11) and a debtor who is not the pledgors (P12),
// each in a part of the form disabled until chosen, with the API document's checks.
func TestApplyForm_P11P12_MaximumAmountAndDebtorFields(t *testing.T) {
	_, body := get(t, newConsole(t, "Bank1MSP"), Prefix+"apply")
	for _, want := range []string{
		`name="securityType" data-field="securityType"`,
		`<fieldset id="f-max" class="sub" disabled hidden>`,
		`name="claimPeriodStart" type="date" required data-pattern=`,
		`name="maximumAmount" inputmode="decimal" required data-pattern=`,
		`data-field="terms.maximumAmount"`,
		`<fieldset id="f-debtor" class="sub" disabled hidden>`,
		`data-field="debtor.id"`,
		`data-field="debtor.name"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("apply form lacks %s", want)
		}
	}
}
