package rules

import (
	"testing"

	"github.com/ipledger/ipledger/chaincode/api"
)

// P14: a program built with MaxDebtTermYears refuses an application whose debt term is longer than
// that; a program built without it (the default) sets no limit; a malformed limit refuses every
// application rather than being ignored.
func TestP14_DebtTermLimitSwitchedOnAtBuild(t *testing.T) {
	cases := []struct {
		name, limit, termTo string
		code                api.Code
		reason              string
	}{
		{"no limit built in: 14 years", "", "2039-03-01", "", ""},
		{"10 years: exactly 10", "10", "2035-03-01", "", ""},
		{"10 years: a day more", "10", "2035-03-02", "P14", "debt-term-too-long"},
		{"10 years: 14 years", "10", "2039-03-01", "P14", "debt-term-too-long"},
		{"malformed limit", "ten", "2027-03-01", api.CodeInternal, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			old := MaxDebtTermYears
			MaxDebtTermYears = tc.limit
			t.Cleanup(func() { MaxDebtTermYears = old })
			e := newEnv(t)
			e.register(patent("P1"))
			app := application("P1")
			app.DebtTermEnd = tc.termTo
			_, err := e.apply(bank1, app)
			if tc.reason == "" {
				wantCode(t, err, tc.code)
			} else {
				wantCode(t, err, tc.code, tc.reason)
			}
		})
	}
}
