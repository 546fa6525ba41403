package rules

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	api "github.com/ipledger/ipledger/chaincode/api"
)

var (
	// termsMax are the terms of a maximum-amount pledge: a credit line of 5,000,000.00 secured up to
	// 8,000,000.00.
	termsMax = api.Terms{Amount: "5000000.00", Currency: "CNY", InterestRate: "3.85", MaximumAmount: "8000000.00",
		Salt: saltA, Scope: "principal, interest and costs"}
	delta = api.Party{ID: "91420100MA4K0007D", Name: "Delta Trading Co."}
)

// maxApplication is an application for a maximum-amount pledge whose claims arise in 2025.
func maxApplication(assetIDs ...string) api.PledgeApplication {
	app := application(assetIDs...)
	app.SecurityType = api.SecurityMaximumAmount
	app.ClaimPeriod = &api.ClaimPeriod{End: "2025-12-31", Start: "2025-01-01"}
	return app
}

func (e *env) applyWith(app api.PledgeApplication, terms api.Terms) (*api.Pledge, error) {
	e.t.Helper()
	out, err := e.submit(bank1, withTerms(terms), func(s *Service) (string, error) { return s.ApplyPledge(e.req(), js(app)) })
	if err != nil {
		return nil, err
	}
	var p api.Pledge
	mustDecode(e.t, out, &p)
	return &p, nil
}

func (e *env) stateMaxClaim(bank Caller, pledgeID string, in api.ClaimInput) (*api.Pledge, error) {
	e.t.Helper()
	out, err := e.submit(bank, nil, func(s *Service) (string, error) { return s.StateClaim(e.req(), pledgeID, js(in)) })
	if err != nil {
		return nil, err
	}
	var p api.Pledge
	mustDecode(e.t, out, &p)
	return &p, nil
}

func cny(amount, from, to string) api.ClaimInput {
	return api.ClaimInput{Amount: amount, ArisenFrom: from, ArisenTo: to, Currency: "CNY"}
}

// The application of a maximum-amount pledge names its claim-determination period; its terms, its
// maximum amount; an ordinary pledge has neither (P11).
func TestP11_AMaximumAmountPledgeHasAPeriodAndAMaximumAmount(t *testing.T) {
	ordinaryWith := func(f func(*api.PledgeApplication)) api.PledgeApplication { a := application("P1"); f(&a); return a }
	maxWith := func(f func(*api.PledgeApplication)) api.PledgeApplication { a := maxApplication("P1"); f(&a); return a }
	cases := []struct {
		name  string
		app   api.PledgeApplication
		terms api.Terms
		field string
	}{
		{"unknown security type", ordinaryWith(func(a *api.PledgeApplication) { a.SecurityType = "floating" }), termsA, "securityType"},
		{"maximum amount without a period", maxWith(func(a *api.PledgeApplication) { a.ClaimPeriod = nil }), termsMax, "claimPeriod"},
		{"ordinary with a period", ordinaryWith(func(a *api.PledgeApplication) {
			a.ClaimPeriod = &api.ClaimPeriod{End: "2025-12-31", Start: "2025-01-01"}
		}), termsA, "claimPeriod"},
		{"period start not a date", maxWith(func(a *api.PledgeApplication) { a.ClaimPeriod.Start = "2025-13-01" }), termsMax, "claimPeriod.start"},
		{"period reversed", maxWith(func(a *api.PledgeApplication) { a.ClaimPeriod.End = "2024-12-31" }), termsMax, "claimPeriod.end"},
		{"maximum amount missing from the terms", maxApplication("P1"), termsA, "terms.maximumAmount"},
		{"maximum amount on an ordinary pledge", application("P1"), termsMax, "terms.maximumAmount"},
		{"maximum amount zero", maxApplication("P1"), func() api.Terms { t := termsMax; t.MaximumAmount = "0"; return t }(), "terms.maximumAmount"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.register(patent("P1"))
			_, err := e.applyWith(tc.app, tc.terms)
			wantCode(t, err, api.CodeInvalidArgument, tc.field)
		})
	}

	e := newEnv(t)
	e.register(patent("P1"))
	e.register(patent("P2"))
	ordinary, err := e.applyWith(application("P2"), termsA)
	wantCode(t, err, "")
	if ordinary.SecurityType != api.SecurityOrdinary || ordinary.ClaimPeriod != nil {
		t.Fatalf("an application without a security type is ordinary: %+v", ordinary)
	}
	p, err := e.applyWith(maxApplication("P1"), termsMax)
	wantCode(t, err, "")
	p, err = e.registerPledge(p.ID, "REG-MAX-1")
	wantCode(t, err, "")
	if p.SecurityType != api.SecurityMaximumAmount || *p.ClaimPeriod != (api.ClaimPeriod{End: "2025-12-31", Start: "2025-01-01"}) {
		t.Fatalf("the security type and period are public on the pledge: %+v", p)
	}
	// The hash covers the maximum amount: the same terms with another maximum hash otherwise.
	other := termsMax
	other.MaximumAmount = "9000000.00"
	if p.TermsHash != TermsHash(termsMax) || TermsHash(other) == p.TermsHash {
		t.Fatalf("terms hash %s does not cover the maximum amount", p.TermsHash)
	}
	var view api.TermsView
	mustDecode(t, e.must(e.query(bank1, func(s *Service) (string, error) { return s.GetPledgeTerms(p.ID) })), &view)
	if view.Terms.MaximumAmount != "8000000.00" || !view.Verified {
		t.Fatalf("the maximum amount is in the private terms: %+v", view)
	}
	var st api.Statement
	mustDecode(t, e.must(e.query(trader, func(s *Service) (string, error) { return s.GetStatement("P1") })), &st)
	if len(st.Encumbrances) != 1 || st.Encumbrances[0].SecurityType != api.SecurityMaximumAmount ||
		st.Encumbrances[0].ClaimPeriod == nil || st.Encumbrances[0].ClaimPeriod.End != "2025-12-31" {
		t.Fatalf("the statement shows the security type and period: %+v", st.Encumbrances)
	}

	// New terms keep the maximum amount; another maximum amount is a new agreement (P6).
	for _, tc := range []struct {
		terms api.Terms
		code  api.Code
		why   string
	}{
		{termsA, api.CodeInvalidArgument, "terms.maximumAmount"},
		{other, "P6", "contract-hash-required"},
	} {
		wantCode(t, e.submitErr2(bank1, withTerms(tc.terms), func(s *Service) (string, error) {
			return s.AmendPledge(e.req(), p.ID, "{}")
		}), tc.code, tc.why)
	}
}

func (e *env) submitErr2(c Caller, transient map[string][]byte, fn func(*Service) (string, error)) error {
	e.t.Helper()
	_, err := e.submit(c, transient, fn)
	return err
}

// The claims stated on a maximum-amount pledge are checked against its maximum amount (an ordinary
// pledge's against its amount), must have arisen within its claim-determination period and not after
// the determination of its claims, which default records (P11).
func TestP11_ClaimsWithinThePeriodUpToTheMaximumAmountAndTheirDetermination(t *testing.T) {
	e := newEnv(t)
	e.register(patent("P1"))
	e.register(patent("P2"))
	p, err := e.applyWith(maxApplication("P1"), termsMax)
	wantCode(t, err, "")
	_, err = e.registerPledge(p.ID, "REG-MAX-1")
	wantCode(t, err, "")
	ord := e.pledged(bank1, "REG-ORD-1", "P2")

	for _, tc := range []struct {
		name   string
		id     string
		in     api.ClaimInput
		code   api.Code
		reason string
	}{
		{"above the maximum amount", p.ID, cny("8000000.01", "2025-01-15", "2025-02-15"), "P11", "claim-above-maximum-amount"},
		{"arose before the period", p.ID, cny("1000000.00", "2024-12-31", "2025-02-15"), "P11", "claim-outside-period"},
		{"arises in the future", p.ID, cny("1000000.00", "2025-01-15", "2025-03-04"), "P11", "claim-outside-period"},
		{"no dates", p.ID, cny("1000000.00", "", ""), api.CodeInvalidArgument, "arisenFrom"},
		{"dates reversed", p.ID, cny("1000000.00", "2025-02-15", "2025-01-15"), api.CodeInvalidArgument, "arisenTo"},
		{"ordinary: above the amount", ord.ID, cny("5000000.01", "", ""), "P8", "claim-above-secured-amount"},
		{"ordinary: dates", ord.ID, cny("1000000.00", "2025-01-15", "2025-02-15"), api.CodeInvalidArgument, "arisenFrom"},
	} {
		_, err := e.stateMaxClaim(bank1, tc.id, tc.in)
		if e, ok := api.AsError(err); !ok || e.Code != tc.code || (e.Details["reason"] != tc.reason && e.Details["field"] != tc.reason) {
			t.Fatalf("%s: want %s/%s, got %v", tc.name, tc.code, tc.reason, err)
		}
	}
	// More than the amount of the credit line, within the maximum amount: secured.
	got, err := e.stateMaxClaim(bank1, p.ID, cny("6500000", "2025-01-15", "2025-03-03"))
	wantCode(t, err, "")
	if got.Claim.Amount != "6500000.00" || got.Claim.ArisenFrom != "2025-01-15" || got.Claim.ArisenTo != "2025-03-03" || got.ClaimsDetermination != nil {
		t.Fatalf("claim: %+v, determination %+v", got.Claim, got.ClaimsDetermination)
	}

	// Default determines the claims: from then on, only the claims arisen by that day are secured.
	e.now = e.now.Add(24 * time.Hour) // Tuesday 4 March
	def := api.DefaultInput{Claim: cny("7000000.00", "2025-01-15", "2025-03-04"), Reason: "instalment unpaid"}
	var d api.Pledge
	mustDecode(t, e.must(e.submit(bank1, nil, func(s *Service) (string, error) { return s.DeclareDefault(e.req(), p.ID, js(def)) })), &d)
	if d.ClaimsDetermination == nil || d.ClaimsDetermination.Basis != api.DeterminationDefault || d.ClaimsDetermination.Date != "2025-03-04" ||
		d.ClaimsDetermination.TxID != d.LastChange.TxID {
		t.Fatalf("default determines the claims: %+v", d.ClaimsDetermination)
	}
	e.now = e.now.Add(10 * 24 * time.Hour)
	_, err = e.stateMaxClaim(bank1, p.ID, cny("7000000.00", "2025-01-15", "2025-03-05"))
	wantCode(t, err, "P11", "claim-outside-period")
	got, err = e.stateMaxClaim(bank1, p.ID, cny("6800000.00", "2025-01-15", "2025-03-04"))
	wantCode(t, err, "")
	if *got.ClaimsDetermination != *d.ClaimsDetermination {
		t.Fatalf("the determination stays: %+v", got.ClaimsDetermination)
	}
}

// When the claim-determination period has run out, the next transaction on the pledge records the
// determination of its claims, dated the period's last day (Civil Code 423(1), P11).
func TestP11_TheEndOfThePeriodDeterminesTheClaims(t *testing.T) {
	e := newEnv(t)
	e.register(patent("P1"))
	app := maxApplication("P1")
	app.ClaimPeriod.End = "2025-03-31"
	p, err := e.applyWith(app, termsMax)
	wantCode(t, err, "")
	_, err = e.registerPledge(p.ID, "REG-MAX-1")
	wantCode(t, err, "")
	e.now = time.Date(2025, 4, 10, 10, 0, 0, 0, chinaTime)
	_, err = e.stateMaxClaim(bank1, p.ID, cny("1000000.00", "2025-02-01", "2025-04-01"))
	wantCode(t, err, "P11", "claim-outside-period")
	if e.pledge(p.ID).ClaimsDetermination != nil {
		t.Fatalf("a refused claim records nothing")
	}
	got, err := e.stateMaxClaim(bank1, p.ID, cny("1000000.00", "2025-02-01", "2025-03-31"))
	wantCode(t, err, "")
	det := got.ClaimsDetermination
	if det == nil || det.Basis != api.DeterminationPeriodEnded || det.Date != "2025-03-31" || det.TxID != got.LastChange.TxID {
		t.Fatalf("the end of the period determines the claims: %+v", det)
	}
	// Default later keeps the period's determination.
	var d api.Pledge
	mustDecode(t, e.must(e.submit(bank1, nil, func(s *Service) (string, error) {
		return s.DeclareDefault(e.req(), p.ID, js(api.DefaultInput{Claim: cny("1000000.00", "2025-02-01", "2025-03-31"), Reason: "unpaid"}))
	})), &d)
	if *d.ClaimsDetermination != *det {
		t.Fatalf("default after the period: %+v", d.ClaimsDetermination)
	}
}

// The debtor of the secured claims may be someone other than the pledgors (third-party security,
// Civil Code 392, 436): the application names it, the pledge and the register show it, it need own
// nothing; by default the pledgors are the debtors. P1 still holds of the pledgors (P12).
func TestP12_TheDebtorNeedNotBeAPledgor(t *testing.T) {
	e := newEnv(t)
	e.register(trademark("T1", "", 9))
	e.register(patent("P2"))
	for _, tc := range []struct {
		name  string
		f     func(*api.PledgeApplication)
		code  api.Code
		field string
	}{
		{"debtor id", func(a *api.PledgeApplication) { a.Debtor = &api.Party{ID: "not a code", Name: "X"} }, api.CodeInvalidArgument, "debtor.id"},
		{"debtor name", func(a *api.PledgeApplication) { a.Debtor = &api.Party{ID: delta.ID} }, api.CodeInvalidArgument, "debtor.name"},
		{"the debtor is no pledgor of its own", func(a *api.PledgeApplication) { a.Debtor = &delta; a.Pledgors = []api.Party{delta} }, "P1", "owner-missing"},
		{"the debtor among the pledgors must own", func(a *api.PledgeApplication) { a.Debtor = &delta; a.Pledgors = []api.Party{acmeP, delta} }, "P1", "not-owner"},
	} {
		app := application("T1")
		tc.f(&app)
		_, err := e.applyWith(app, termsA)
		if e, ok := api.AsError(err); !ok || e.Code != tc.code || (e.Details["field"] != tc.field && e.Details["reason"] != tc.field) {
			t.Fatalf("%s: want %s/%s, got %v", tc.name, tc.code, tc.field, err)
		}
	}
	own, err := e.applyWith(application("P2"), termsA)
	wantCode(t, err, "")
	if !slices.Equal(own.Debtors, []api.Party{acmeP}) {
		t.Fatalf("by default the pledgors are the debtors: %+v", own.Debtors)
	}
	app := application("T1")
	app.Debtor = &delta
	p, err := e.applyWith(app, termsA)
	wantCode(t, err, "")
	p, err = e.registerPledge(p.ID, "REG-3P-1")
	wantCode(t, err, "")
	if !slices.Equal(p.Debtors, []api.Party{delta}) || !slices.Equal(p.Pledgors, []api.Party{acmeP}) {
		t.Fatalf("debtor %+v, pledgors %+v", p.Debtors, p.Pledgors)
	}
	var st api.Statement
	mustDecode(t, e.must(e.query(trader, func(s *Service) (string, error) { return s.GetStatement("T1") })), &st)
	if len(st.Encumbrances) != 1 || !slices.Equal(st.Encumbrances[0].Debtors, []api.Party{delta}) || st.Encumbrances[0].SecurityType != api.SecurityOrdinary {
		t.Fatalf("the statement shows the debtor: %+v", st.Encumbrances)
	}
	// The right is assigned: the pledgors follow the right (P7), the debtor stays the debtor.
	var tr api.Transfer
	mustDecode(t, e.must(e.submit(trader, nil, func(s *Service) (string, error) { return s.RequestTransfer(e.req(), js(trade("T1"))) })), &tr)
	e.must(e.submit(bank1, nil, func(s *Service) (string, error) {
		return s.ConsentToTransfer(e.req(), tr.ID, js(api.ConsentInput{PledgeID: p.ID, ProceedsUse: "escrow"}))
	}))
	e.must(e.submit(examiner, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), tr.ID, "{}") }))
	if got := e.pledge(p.ID); !slices.Equal(got.Debtors, []api.Party{delta}) || got.Pledgors[0].ID != buyer.ID {
		t.Fatalf("after the assignment: debtors %+v, pledgors %+v", got.Debtors, got.Pledgors)
	}
}

// The IP office, and only it, deregisters an active pledge on the pledgor's request with the pledgee's
// release document, or on a court judgment or arbitral award; the pledge ends and leaves its rights;
// the transaction writes the pledge's keys, so the pledgee bank endorses it too (P13).
func TestP13_TheIPOfficeDeregistersOnRequestOrDecision(t *testing.T) {
	e := newEnv(t)
	e.register(trademark("T1", "", 9))
	e.register(patent("P2"))
	e.register(patent("P3"))
	p := e.pledged(bank1, "REG-1", "T1")
	second := e.pledged(bank2, "REG-2", "T1")
	applied, _ := e.apply(bank1, application("P3"))
	byRequest := js(api.Deregistration{Basis: api.DeregistrationPledgorRequest, DocumentHash: hashA})
	deregister := func(c Caller, id, payload string) error {
		return e.submitErr(c, func(s *Service) (string, error) { return s.DeregisterPledge(e.req(), id, payload) })
	}
	for _, c := range []Caller{bank1, bank2, trader, wrongRole} {
		wantCode(t, deregister(c, p.ID, byRequest), api.CodeForbidden, "P13")
	}
	wantCode(t, deregister(auditor, p.ID, byRequest), api.CodeForbidden, "V3")
	for _, bad := range []struct{ payload, field string }{
		{`{"basis":"settlement","documentHash":"` + hashA + `"}`, "basis"},
		{`{"basis":"pledgor-request","documentHash":"abc"}`, "documentHash"},
		{`{"basis":"court-decision","documentHash":"` + hashA + `"}`, "reference"},
		{`{"basis":"arbitral-award","documentHash":"` + hashA + `","reference":" "}`, "reference"},
	} {
		wantCode(t, deregister(examiner, p.ID, bad.payload), api.CodeInvalidArgument, bad.field)
	}
	wantCode(t, deregister(examiner, applied.ID, byRequest), "P13", "wrong-status")
	wantCode(t, deregister(examiner, "PL-none", byRequest), api.CodeNotFound)

	// The plan names the pledgee bank: the pledge's keys are under its policy (I1).
	e.l.Begin(e.nextTx(), e.now)
	raw, err := New(e.l, Tx{ID: "tx-plan", Time: e.now, Caller: examiner}).PlanSubmission("DeregisterPledge",
		js([]string{"dereg-plan", p.ID, byRequest}))
	e.l.Begin("", e.now)
	var plan api.Plan
	if err != nil || json.Unmarshal([]byte(raw), &plan) != nil || !slices.Equal(plan.Endorsers, []api.MSPID{api.MSPBank1, api.MSPIPOffice}) {
		t.Fatalf("plan: %s %v", raw, err)
	}

	var got api.Pledge
	mustDecode(t, e.must(e.submit(examiner, nil, func(s *Service) (string, error) { return s.DeregisterPledge("dereg-1", p.ID, byRequest) })), &got)
	if got.Status != api.PledgeDeregistered || got.Deregistration == nil || got.Deregistration.Basis != api.DeregistrationPledgorRequest ||
		got.Deregistration.DocumentHash != hashA || got.Deregistration.TxID != got.LastChange.TxID || got.LastChange.Action != "PledgeDeregistered" {
		t.Fatalf("deregistered pledge: %+v", got)
	}
	if encs := e.asset("T1").Encumbrances; len(encs) != 1 || encs[0].PledgeID != second.ID {
		t.Fatalf("the deregistered pledge leaves the right, the other stays: %+v", encs)
	}
	if pol, _ := e.l.Policy(pledgeKey(p.ID)); !slices.Equal(pol.All, api.PledgeEndorsers(api.MSPBank1)) {
		t.Fatalf("the pledge's key keeps its pledgee's policy: %v", pol)
	}
	wantCode(t, deregister(examiner, p.ID, byRequest), "P13", "wrong-status")
	// A defaulted pledge is deregistered on a court's judgment.
	e.must(e.submit(bank2, nil, func(s *Service) (string, error) {
		return s.DeclareDefault(e.req(), second.ID, defaultIn("unpaid", "1000000.00"))
	}))
	judgment := js(api.Deregistration{Basis: api.DeregistrationCourtDecision, DocumentHash: hashA, Reference: "(2025) E01 Min Chu 123"})
	mustDecode(t, e.must(e.submit(examiner, nil, func(s *Service) (string, error) { return s.DeregisterPledge(e.req(), second.ID, judgment) })), &got)
	if got.Status != api.PledgeDeregistered || got.Deregistration.Reference != "(2025) E01 Min Chu 123" || len(e.asset("T1").Encumbrances) != 0 {
		t.Fatalf("deregistered on a judgment: %+v", got)
	}
	var page api.PledgePage
	mustDecode(t, e.must(e.query(auditor, func(s *Service) (string, error) { return s.ListPledgesByStatus("deregistered", 0, "") })), &page)
	if page.Count != 2 {
		t.Fatalf("deregistered pledges listed: %d", page.Count)
	}
}
