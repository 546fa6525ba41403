package rules

import (
	"testing"

	api "github.com/ipledger/ipledger/chaincode/api"
)

func TestMoneyIsCanonical(t *testing.T) {
	for in, want := range map[string]string{"100": "100.00", "100.0": "100.00", "100.5": "100.50", "100.05": "100.05",
		"0": "0.00", "0.1": "0.10", "999999999999999.99": "999999999999999.99"} {
		var c check
		if got := c.money("m", in); got != want || c.err != nil {
			t.Errorf("money(%q) = %q, %v; want %q", in, got, c.err, want)
		}
	}
	for _, bad := range []string{"", "01", "1.", ".5", "1.234", "-1", "1e3", "1,000"} {
		var c check
		if got := c.money("m", bad); got != bad || c.err == nil {
			t.Errorf("money(%q) = %q, %v; want it refused as it is", bad, got, c.err)
		}
	}
	var c check
	if c.positiveMoney("m", "0.0"); c.err == nil {
		t.Error("a zero amount passed positiveMoney")
	}
}

// V2: the private terms are stored and hashed with their money in canonical form (two decimals), so
// that "100" and "100.00" are one amount to the terms hash, and GetPledgeTerms returns "100.00".
func TestV2_MoneyIsCanonicalInThePrivateTermsAndTheirHash(t *testing.T) {
	e := newEnv(t)
	e.register(patent("P1"))
	e.register(patent("P2"))
	spelled := func(amount, value string) api.Terms {
		terms := termsA
		terms.Amount = amount
		terms.Valuation = &api.Valuation{Appraiser: "Hubei Appraisal", ReportHash: hashA, Value: value}
		return terms
	}
	apply := func(asset string, terms api.Terms) *api.Pledge {
		out := e.must(e.submit(bank1, withTerms(terms), func(s *Service) (string, error) { return s.ApplyPledge(e.req(), js(application(asset))) }))
		var p api.Pledge
		mustDecode(t, out, &p)
		return &p
	}
	short := apply("P1", spelled("100", "8000000.5"))
	long := apply("P2", spelled("100.00", "8000000.50"))
	if short.TermsHash != long.TermsHash {
		t.Fatalf("one amount, two terms hashes: %s and %s", short.TermsHash, long.TermsHash)
	}
	if want := TermsHash(spelled("100.00", "8000000.50")); short.TermsHash != want {
		t.Fatalf("terms hash %s, want the hash of the canonical terms %s", short.TermsHash, want)
	}
	var view api.TermsView
	mustDecode(t, e.must(e.query(bank1, func(s *Service) (string, error) { return s.GetPledgeTerms(short.ID) })), &view)
	if view.Terms.Amount != "100.00" || view.Terms.Valuation.Value != "8000000.50" || !view.Verified {
		t.Fatalf("stored terms %+v (valuation %+v), verified %v", view.Terms, view.Terms.Valuation, view.Verified)
	}
	// An amendment's terms are canonical too, filed and once recorded.
	amended := spelled("4500000", "7000000")
	e.must(e.submit(examiner, nil, func(s *Service) (string, error) {
		return s.RegisterPledge(e.req(), short.ID, `{"registrationNumber":"R1"}`)
	}))
	var filed api.Pledge
	mustDecode(t, e.must(e.submit(bank1, withTerms(amended), func(s *Service) (string, error) {
		return s.AmendPledge(e.req(), short.ID, js(api.Amendment{ContractHash: hashB}))
	})), &filed)
	want := TermsHash(spelled("4500000.00", "7000000.00"))
	if got := e.recordChange(short.ID, filed.PendingChangeID); got.TermsHash != want {
		t.Fatalf("amended terms hash %s, want %s", got.TermsHash, want)
	}
	mustDecode(t, e.must(e.query(auditor, func(s *Service) (string, error) { return s.GetPledgeTerms(short.ID) })), &view)
	if view.Terms.Amount != "4500000.00" || view.Terms.Valuation.Value != "7000000.00" || view.TermsHash != want || !view.Verified {
		t.Fatalf("amended terms %+v, hash %s", view.Terms, view.TermsHash)
	}
}

// P8: the disposal's price, proceeds and surplus, and the stated claim, are stored in canonical form.
func TestP8_DisposalMoneyIsStoredCanonical(t *testing.T) {
	e := newEnv(t)
	e.register(patent("P1"))
	p := e.pledged(bank1, "R1", "P1")
	wantCode(t, e.declareDefault(bank1, p.ID, "4000000.5"), "")
	d, err := e.dispose(p.ID, sold("6000000", "1999999.5", p.ID, "4000000.5"))
	wantCode(t, err, "")
	if got := d.Disposal; got.Price != "6000000.00" || got.Proceeds[0].Amount != "4000000.50" || got.Surplus != "1999999.50" ||
		got.Proceeds[0].Claim != "4000000.50" || d.Claim.Amount != "4000000.50" {
		t.Fatalf("disposal stored as price %s, proceeds %+v, surplus %s, claim %+v", got.Price, got.Proceeds, got.Surplus, d.Claim)
	}
}
