package rules

import (
	"testing"
	"time"

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

// P14 holds for a term as extended (P6), not only as applied for; a program built with a malformed
// limit does not start.
func TestP14_TheLimitHoldsForAnExtensionAndAMalformedBuildDoesNotStart(t *testing.T) {
	old := MaxDebtTermYears
	t.Cleanup(func() { MaxDebtTermYears = old })
	MaxDebtTermYears = "10"
	if err := CheckBuildSettings(); err != nil {
		t.Fatalf("a well-formed limit: %v", err)
	}
	e := newEnv(t)
	e.register(patent("P1"))
	p := e.pledged(bank1, "R1", "P1")
	lastDay, err := time.Parse(time.DateOnly, p.DebtTermStart)
	if err != nil {
		t.Fatal(err)
	}
	tooLong := lastDay.AddDate(10, 0, 1).Format(time.DateOnly)
	_, err = e.submit(bank1, nil, func(s *Service) (string, error) {
		return s.ExtendPledge(e.req(), p.ID, `{"debtTermEnd":"`+tooLong+`"}`)
	})
	wantCode(t, err, "P14", "debt-term-too-long")
	MaxDebtTermYears = "ten"
	if err := CheckBuildSettings(); err == nil {
		t.Fatal("a malformed limit starts")
	}
	MaxDebtTermYears = ""
	if err := CheckBuildSettings(); err != nil {
		t.Fatalf("no limit: %v", err)
	}
}
