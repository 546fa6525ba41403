package rules

import (
	"fmt"
	"slices"
	"testing"

	api "github.com/ipledger/ipledger/chaincode/api"
)

// rules2025 compensates 40 % of a net loss, at most 100,000.00 a loan, 150,000.00 a bank and 200,000.00
// in the year; subsidises 50 % of interest, 30 % of premiums and 60 % of valuation fees, at most
// 20,000.00 an enterprise in the year.
var rules2025 = api.FundRulesInput{CapPerBank: "150000", CapPerLoan: "100000", CapPerYear: "200000", Currency: "CNY",
	InterestSubsidyShare: 5000, LossShare: 4000, PremiumSubsidyShare: 3000, SubsidyCapPerEnterprise: "20000",
	ValuationFeeSubsidyShare: 6000}

func (e *env) setFundRules(c Caller, year string, in api.FundRulesInput) error {
	e.t.Helper()
	return e.submitErr(c, func(s *Service) (string, error) { return s.SetFundRules(e.req(), year, js(in)) })
}

func (e *env) fileFundClaim(c Caller, pledgeID string) (*api.FundClaim, error) {
	e.t.Helper()
	out, err := e.submit(c, nil, func(s *Service) (string, error) {
		return s.FileFundClaim(e.req(), js(api.FundClaimInput{PledgeID: pledgeID}))
	})
	if err != nil {
		return nil, err
	}
	var fc api.FundClaim
	mustDecode(e.t, out, &fc)
	return &fc, nil
}

func (e *env) approveFundClaim(c Caller, id string) (*api.FundClaim, error) {
	e.t.Helper()
	out, err := e.submit(c, nil, func(s *Service) (string, error) { return s.ApproveFundClaim(e.req(), id, `{"note":"ok"}`) })
	if err != nil {
		return nil, err
	}
	var fc api.FundClaim
	mustDecode(e.t, out, &fc)
	return &fc, nil
}

// soldPledge registers trademark id pledged to bank for 1,000,000.00, defaults it with a claim of
// 1,000,000, sells it for price and records the buyer's title: a net loss of 1,000,000 − price.
func (e *env) soldPledge(bank Caller, id, price string) *api.Pledge {
	e.t.Helper()
	e.register(trademark(id, "", 9))
	p := e.pledgedFor(bank, "R-"+id, "1000000.00", id)
	wantCode(e.t, e.declareDefault(bank, p.ID, "1000000"), "")
	got, err := e.dispose(p.ID, sold(price, "0", p.ID, price))
	if err != nil {
		e.t.Fatal(err)
	}
	for _, tr := range got.Disposal.TransferIDs {
		e.must(e.submit(examiner, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), tr, "{}") }))
	}
	return p
}

func TestF6_TheFundManagerSetsTheYearsRulesUntilTheFirstApproval(t *testing.T) {
	e := newEnv(t)
	for _, c := range []Caller{bank1, examiner, insurer, valuer} {
		wantCode(t, e.setFundRules(c, "2025", rules2025), api.CodeForbidden, "F6")
	}
	wantCode(t, e.setFundRules(auditor, "2025", rules2025), api.CodeForbidden, "V3")
	bad := rules2025
	bad.CapPerLoan = "200000.01"
	wantCode(t, e.setFundRules(fundStaff, "2025", bad), api.CodeInvalidArgument, "capPerBank")
	bad = rules2025
	bad.LossShare = 10001
	wantCode(t, e.setFundRules(fundStaff, "2025", bad), api.CodeInvalidArgument, "lossShare")
	wantCode(t, e.setFundRules(fundStaff, "25", rules2025), api.CodeInvalidArgument, "year")
	wantCode(t, e.setFundRules(fundStaff, "2024", rules2025), "F6", "year-over")
	wantCode(t, e.setFundRules(fundStaff, "2025", rules2025), "")
	changed := rules2025
	changed.LossShare = 5000
	wantCode(t, e.setFundRules(fundStaff, "2025", changed), "") // no approval yet: may change
	if pol, _ := e.l.Policy(fundRulesKey(2025)); pol.String() != FundEndorsement.String() {
		t.Fatalf("rules policy %s", pol)
	}
	p := e.soldPledge(bank1, "T1", "600000")
	fc, err := e.fileFundClaim(bank1, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.approveFundClaim(fundStaff, fc.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, e.setFundRules(fundStaff, "2025", rules2025), "F6", "rules-fixed")
	var r api.FundRules
	mustDecode(t, e.must(e.query(bank2, func(s *Service) (string, error) { return s.GetFundRules("2025") })), &r)
	if !r.Fixed || r.LossShare != 5000 || r.CapPerLoan != "100000.00" {
		t.Fatalf("rules = %+v", r)
	}
	_, err = e.query(bank2, func(s *Service) (string, error) { return s.GetFundRules("2026") })
	wantCode(t, err, api.CodeNotFound)
}

func TestF7_AClaimIsComputedFromTheLedgersFiguresAndCappedPerLoan(t *testing.T) {
	e := newEnv(t)
	p := e.soldPledge(bank1, "T1", "600000") // net loss 400,000.00
	_, err := e.fileFundClaim(bank1, p.ID)
	wantCode(t, err, "F7", "no-fund-rules")
	wantCode(t, e.setFundRules(fundStaff, "2025", rules2025), "")
	_, err = e.fileFundClaim(bank2, p.ID)
	wantCode(t, err, api.CodeForbidden, "F7")
	_, err = e.fileFundClaim(fundStaff, p.ID)
	wantCode(t, err, api.CodeForbidden, "F7")
	fc, err := e.fileFundClaim(bank1, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	// 40 % of 400,000.00 is 160,000.00, capped per loan at 100,000.00.
	if fc.Loss.Net != "400000.00" || fc.Computed != "100000.00" || fc.Status != api.FundFiled {
		t.Fatalf("claim = %+v", fc)
	}
	_, err = e.fileFundClaim(bank1, p.ID)
	wantCode(t, err, "F7", "claim-exists")
	for _, c := range []Caller{bank1, examiner} {
		_, err := e.approveFundClaim(c, fc.ID)
		wantCode(t, err, api.CodeForbidden, "F7")
	}
	_, err = e.approveFundClaim(auditor, fc.ID)
	wantCode(t, err, api.CodeForbidden, "V3")
	approved, err := e.approveFundClaim(fundStaff, fc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if approved.Approved != "100000.00" || approved.Year != 2025 || approved.Status != api.FundApproved {
		t.Fatalf("approved = %+v", approved)
	}
	_, err = e.approveFundClaim(fundStaff, fc.ID)
	wantCode(t, err, "F7", "not-filed")
	wantCode(t, e.submitErr(fundStaff, func(s *Service) (string, error) { return s.PayFundClaim(e.req(), fc.ID, `{"reference":"HB-TR-1"}`) }), "")
	wantCode(t, e.submitErr(fundStaff, func(s *Service) (string, error) { return s.PayFundClaim(e.req(), fc.ID, `{"reference":"HB-TR-2"}`) }),
		"F7", "not-approved")
	var u api.FundUsage
	mustDecode(t, e.must(e.query(trader, func(s *Service) (string, error) { return s.GetFundUsage("2025", "Bank1MSP", "") })), &u)
	if u.Approved != "100000.00" || u.Scope != "bank:Bank1MSP" {
		t.Fatalf("usage = %+v", u)
	}
	// A pledge not disposed has no loss to claim.
	e.register(trademark("T9", "", 9))
	live := e.pledgedFor(bank1, "R-T9", "1000000.00", "T9")
	_, err = e.fileFundClaim(bank1, live.ID)
	wantCode(t, err, "F7", "not-disposed")
}

func TestF7_TheCapsPerBankAndPerYearHoldAcrossClaims(t *testing.T) {
	e := newEnv(t)
	wantCode(t, e.setFundRules(fundStaff, "2025", rules2025), "")
	// Each sale leaves a net loss of 400,000.00: 40 % is 160,000.00, capped at 100,000.00 a loan.
	var claims []*api.FundClaim
	for i, bank := range []Caller{bank1, bank1, bank2} {
		p := e.soldPledge(bank, fmt.Sprintf("T%d", i+1), "600000")
		fc, err := e.fileFundClaim(bank, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		claims = append(claims, fc)
	}
	// Bank1's first claim 100,000.00; its second only the 50,000.00 left of its 150,000.00.
	a, err := e.approveFundClaim(fundStaff, claims[0].ID)
	if err != nil || a.Approved != "100000.00" {
		t.Fatalf("first: %+v %v", a, err)
	}
	b, err := e.approveFundClaim(fundStaff, claims[1].ID)
	if err != nil || b.Approved != "50000.00" {
		t.Fatalf("second: %+v %v", b, err)
	}
	// Bank2's: the year has 50,000.00 left of 200,000.00.
	c, err := e.approveFundClaim(fundStaff, claims[2].ID)
	if err != nil || c.Approved != "50000.00" {
		t.Fatalf("third: %+v %v", c, err)
	}
	p := e.soldPledge(bank2, "T4", "600000")
	fc, err := e.fileFundClaim(bank2, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.approveFundClaim(fundStaff, fc.ID)
	wantCode(t, err, "F7", "cap-reached")
	wantCode(t, e.submitErr(fundStaff, func(s *Service) (string, error) {
		return s.RefuseFundClaim(e.req(), fc.ID, `{"reasons":["cap-reached"],"note":"the year's fund is spent"}`)
	}), "")
	// A refused claim may be filed again (next year, under that year's rules).
	if _, err := e.fileFundClaim(bank2, p.ID); err != nil {
		t.Fatal(err)
	}
	var page api.FundClaimPage
	mustDecode(t, e.must(e.query(auditor, func(s *Service) (string, error) { return s.ListFundClaims("", api.FundApproved, 0, "") })), &page)
	if page.Count != 3 {
		t.Fatalf("approved claims: %d", page.Count)
	}
}

// TestF7_EveryApprovalWritesTheCountersItIsCappedBy: two approvals endorsed against the same state
// both read the year's and the bank's counters and both write them, so Fabric lets only the first to
// commit stand (the second is invalidated: MVCC, or in the same block the key-level policy its
// predecessor set) and the gateway decides the second again against the first. The race itself on a
// real network is for the integration tests once the fund is a member (docs/ip-finance.md).
func TestF7_EveryApprovalWritesTheCountersItIsCappedBy(t *testing.T) {
	e := newEnv(t)
	wantCode(t, e.setFundRules(fundStaff, "2025", rules2025), "")
	var claims []*api.FundClaim
	for i := range 2 {
		p := e.soldPledge(bank1, fmt.Sprintf("T%d", i+1), "600000")
		fc, err := e.fileFundClaim(bank1, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		claims = append(claims, fc)
	}
	keys := func(id string) []string {
		e.l.Begin(e.nextTx(), e.now)
		defer e.l.Begin("", e.now)
		_, err := New(e.l, Tx{ID: "x", Time: e.now, Caller: fundStaff}).ApproveFundClaim("race-"+id, id, "{}")
		if err != nil {
			t.Fatal(err)
		}
		return e.l.Writes()
	}
	a, b := keys(claims[0].ID), keys(claims[1].ID)
	for _, k := range []string{fundUsage(2025).key, fundUsage(2025, "bank", "Bank1MSP").key} {
		if !slices.Contains(a, k) || !slices.Contains(b, k) {
			t.Fatalf("the approvals do not both write counter %q: %q, %q", k, a, b)
		}
	}
}

func TestF7_WhatAnInsurerPaidIsDeductedFromTheLossTheFundShares(t *testing.T) {
	e := newEnv(t)
	wantCode(t, e.setFundRules(fundStaff, "2025", rules2025), "")
	e.register(trademark("T1", "", 9))
	p := e.pledgedFor(bank1, "R-T1", "1000000.00", "T1")
	cv, err := e.recordCover(insurer, coverOf(p.ID, "PICC-1", 7000))
	if err != nil {
		t.Fatal(err)
	}
	e.defaultedAndSold(p) // a net loss of 400,000.00
	wantCode(t, e.payCover(insurer, cv.ID, "280000"), "")
	fc, err := e.fileFundClaim(bank1, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	// 40 % of the 120,000.00 left.
	if fc.Loss.InsurancePaid != "280000.00" || fc.Loss.Net != "120000.00" || fc.Computed != "48000.00" {
		t.Fatalf("claim = %+v", fc)
	}
}

func subsidyOf(kind, pledgeID, basis string) api.SubsidyInput {
	in := api.SubsidyInput{Basis: basis, Currency: "CNY", Enterprise: acmeP, EvidenceHash: hashA, Kind: kind, PledgeID: pledgeID}
	if kind == api.SubsidyInterest {
		in.PeriodStart, in.PeriodEnd = "2025-03-01", "2025-03-03"
	}
	return in
}

func (e *env) applySubsidy(c Caller, in api.SubsidyInput) (*api.Subsidy, error) {
	e.t.Helper()
	out, err := e.submit(c, nil, func(s *Service) (string, error) { return s.ApplyForSubsidy(e.req(), js(in)) })
	if err != nil {
		return nil, err
	}
	var sb api.Subsidy
	mustDecode(e.t, out, &sb)
	return &sb, nil
}

func (e *env) approveSubsidy(id string) (*api.Subsidy, error) {
	e.t.Helper()
	out, err := e.submit(fundStaff, nil, func(s *Service) (string, error) { return s.ApproveSubsidy(e.req(), id, "{}") })
	if err != nil {
		return nil, err
	}
	var sb api.Subsidy
	mustDecode(e.t, out, &sb)
	return &sb, nil
}

func TestF8_SubsidiesAreTiedToARegisteredPledgeCappedPerEnterpriseAndTracked(t *testing.T) {
	e, r := valuedRights(t)
	wantCode(t, e.setFundRules(fundStaff, "2025", rules2025), "")
	app := application("P1", "P2")
	app.ValuationReportID = r.ID
	applied, err := e.apply(bank1, app)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.applySubsidy(bank1, subsidyOf(api.SubsidyInterest, applied.ID, "10000"))
	wantCode(t, err, "F8") // not registered yet
	p, err := e.registerPledge(applied.ID, "ZX2025000001")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []Caller{bank2, fundStaff, insurer} {
		_, err := e.applySubsidy(c, subsidyOf(api.SubsidyInterest, p.ID, "10000"))
		wantCode(t, err, api.CodeForbidden, "F8")
	}
	stranger := subsidyOf(api.SubsidyInterest, p.ID, "10000")
	stranger.Enterprise = betaP
	_, err = e.applySubsidy(bank1, stranger)
	wantCode(t, err, "F8", "not-a-party")
	late := subsidyOf(api.SubsidyInterest, p.ID, "10000")
	late.PeriodEnd = "2025-04-01"
	_, err = e.applySubsidy(bank1, late)
	wantCode(t, err, "F8", "period-outside-term")
	_, err = e.applySubsidy(bank1, subsidyOf(api.SubsidyPremium, p.ID, "100"))
	wantCode(t, err, api.CodeInvalidArgument, "coverId")

	// Interest: 50 % of 30,000.00 is 15,000.00.
	interest, err := e.applySubsidy(bank1, subsidyOf(api.SubsidyInterest, p.ID, "30000"))
	if err != nil {
		t.Fatal(err)
	}
	if pol, _ := e.l.Policy(subsidyKey(interest.ID)); pol.String() != FundClaimEndorsement(api.MSPBank1).String() {
		t.Fatalf("subsidy policy %s", pol)
	}
	_, err = e.applySubsidy(bank1, subsidyOf(api.SubsidyInterest, p.ID, "30000"))
	wantCode(t, err, "F8", "period-overlaps")
	overlapping := subsidyOf(api.SubsidyInterest, p.ID, "30000")
	overlapping.PeriodStart = "2025-03-02" // another text, the same days in part
	_, err = e.applySubsidy(bank1, overlapping)
	wantCode(t, err, "F8", "period-overlaps")
	a, err := e.approveSubsidy(interest.ID)
	if err != nil || a.Approved != "15000.00" || a.Computed != "15000.00" {
		t.Fatalf("interest subsidy: %+v %v", a, err)
	}
	// Valuation fee: 60 % of 20,000.00 is 12,000.00, but only 5,000.00 of the enterprise's 20,000.00
	// are left.
	fee, err := e.applySubsidy(bank1, subsidyOf(api.SubsidyValuationFee, p.ID, "20000"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.approveSubsidy(fee.ID)
	if err != nil || b.Approved != "5000.00" || b.Computed != "12000.00" {
		t.Fatalf("fee subsidy: %+v %v", b, err)
	}
	// Premium: the cover's premium bounds the basis; the enterprise's cap is spent.
	cv, err := e.recordCover(insurer, coverOf(p.ID, "PICC-1", 7000))
	if err != nil {
		t.Fatal(err)
	}
	over := subsidyOf(api.SubsidyPremium, p.ID, "30000.01")
	over.CoverID = cv.ID
	_, err = e.applySubsidy(bank1, over)
	wantCode(t, err, "F8", "basis-above-premium")
	prem := subsidyOf(api.SubsidyPremium, p.ID, "30000")
	prem.CoverID = cv.ID
	premium, err := e.applySubsidy(bank1, prem)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.approveSubsidy(premium.ID)
	wantCode(t, err, "F8", "cap-reached")

	// Paid, then the loan is released early: every answer flags it.
	wantCode(t, e.submitErr(fundStaff, func(s *Service) (string, error) { return s.PaySubsidy(e.req(), interest.ID, `{"reference":"HB-1"}`) }), "")
	wantCode(t, e.submitErr(bank1, func(s *Service) (string, error) {
		return s.ReleasePledge(e.req(), p.ID, js(api.Reason{Reason: "repaid early"}))
	}), "")
	var got api.Subsidy
	mustDecode(t, e.must(e.query(auditor, func(s *Service) (string, error) { return s.GetSubsidy(interest.ID) })), &got)
	if got.Status != api.FundPaid || len(got.Flags) != 1 || got.Flags[0] != api.FlagReleasedEarly {
		t.Fatalf("tracked subsidy = %+v", got)
	}
	var page api.SubsidyPage
	mustDecode(t, e.must(e.query(auditor, func(s *Service) (string, error) { return s.ListSubsidies(p.ID, "", 0, "") })), &page)
	if page.Count != 3 {
		t.Fatalf("subsidies of the pledge: %d", page.Count)
	}
	for _, sb := range page.Items {
		if len(sb.Flags) != 1 {
			t.Fatalf("subsidy %s without its flag: %+v", sb.ID, sb.Flags)
		}
	}
	// A flagged loan's pending application is not approved.
	_, err = e.approveSubsidy(premium.ID)
	wantCode(t, err, "F8", "loan-flagged")
}

func TestF8_ADefaultedLoansSubsidyIsFlagged(t *testing.T) {
	e := newEnv(t)
	wantCode(t, e.setFundRules(fundStaff, "2025", rules2025), "")
	e.register(trademark("T1", "", 9))
	p := e.pledgedFor(bank1, "R-T1", "1000000.00", "T1")
	sb, err := e.applySubsidy(bank1, subsidyOf(api.SubsidyInterest, p.ID, "10000"))
	if err != nil {
		t.Fatal(err)
	}
	wantCode(t, e.declareDefault(bank1, p.ID, "1000000"), "")
	var got api.Subsidy
	mustDecode(t, e.must(e.query(bank2, func(s *Service) (string, error) { return s.GetSubsidy(sb.ID) })), &got)
	if len(got.Flags) != 1 || got.Flags[0] != api.FlagDefaulted {
		t.Fatalf("flags = %v", got.Flags)
	}
}

// A report's fee is subsidised once, whichever pledge cites it: a bank that releases a pledge and files
// another citing the same valid report does not get the fee subsidised again.
func TestF8_AReportsFeeIsSubsidisedOnceAcrossPledges(t *testing.T) {
	e, r := valuedRights(t)
	wantCode(t, e.setFundRules(fundStaff, "2025", rules2025), "")
	cite := func(regNo string) *api.Pledge { return e.citing(r.ID, regNo, "P1", "P2") }
	first := cite("ZX2025000001")
	fee, err := e.applySubsidy(bank1, subsidyOf(api.SubsidyValuationFee, first.ID, "10000"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.approveSubsidy(fee.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, e.submitErr(bank1, func(s *Service) (string, error) {
		return s.ReleasePledge(e.req(), first.ID, js(api.Reason{Reason: "refinanced"}))
	}), "")
	second := cite("ZX2025000002")
	_, err = e.applySubsidy(bank1, subsidyOf(api.SubsidyValuationFee, second.ID, "10000"))
	wantCode(t, err, "F8", "already-applied")
}

// coveredClaim is the bank's claim on the fund for a pledge of 1,000,000.00 covered at share basis
// points by an insurer, defaulted and sold (the 2025 rules set), and its cover.
func (e *env) coveredClaim(t *testing.T, share int) (*api.Cover, *api.FundClaim) {
	t.Helper()
	wantCode(t, e.setFundRules(fundStaff, "2025", rules2025), "")
	e.register(trademark("T1", "", 9))
	p := e.pledgedFor(bank1, "R-T1", "1000000.00", "T1")
	cv, err := e.recordCover(insurer, coverOf(p.ID, "PICC-1", share))
	if err != nil {
		t.Fatal(err)
	}
	e.defaultedAndSold(p)
	fc, err := e.fileFundClaim(bank1, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	return cv, fc
}

// Once the fund approved its share of a loss net of the insurance paid until then, an insurer's later
// payment is refused: the fund and the insurer would pay the same part of the loss.
func TestF5_NoInsurersPaymentAfterTheFundApprovedItsShare(t *testing.T) {
	e := newEnv(t)
	cv, fc := e.coveredClaim(t, 7000)
	if _, err := e.approveFundClaim(fundStaff, fc.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, e.payCover(insurer, cv.ID, "280000"), "F5", "fund-claim-decided")
}

// A claim filed before the insurer paid the whole loss is refused as no net loss, not as a spent cap.
func TestF7_AClaimWhoseLossTheInsurerPaidSinceIsRefusedAsNoNetLoss(t *testing.T) {
	e := newEnv(t)
	cv, fc := e.coveredClaim(t, 10000)
	wantCode(t, e.payCover(insurer, cv.ID, "400000"), "")
	_, err := e.approveFundClaim(fundStaff, fc.ID)
	wantCode(t, err, "F7", "no-net-loss")
}

// Shares and percentages of the largest amounts the money format allows do not overflow.
func TestF_MoneyArithmeticAtTheLargestAmounts(t *testing.T) {
	largest := mustCents("999999999999999.99")
	if got := shareOf(largest, 10000); got != largest {
		t.Fatalf("shareOf(largest, 10000) = %d", got)
	}
	if got := shareOf(largest, 5000); got != largest/2 {
		t.Fatalf("shareOf(largest, 5000) = %d", got)
	}
	if got := percent(largest, largest); got != "100.00" {
		t.Fatalf("percent(largest, largest) = %s", got)
	}
	if got := percent(largest, 1); got != "9999999999999999900.00" {
		t.Fatalf("percent(largest, 1) = %s", got)
	}
}

// The regulator writes nothing (V3): every writing operation of the IP-finance record refuses it
// under V3, before anything else.
func TestF_TheRegulatorIsRefusedEveryFinanceWrite(t *testing.T) {
	e := newEnv(t)
	calls := map[string]func(*Service) (string, error){
		"RecordAccreditation":     func(s *Service) (string, error) { return s.RecordAccreditation("r1", "ValuerMSP", js(accreditationA)) },
		"SetAccreditationStatus":  func(s *Service) (string, error) { return s.SetAccreditationStatus("r2", "ValuerMSP", "{}") },
		"IssueValuationReport":    func(s *Service) (string, error) { return s.IssueValuationReport("r3", "{}") },
		"WithdrawValuationReport": func(s *Service) (string, error) { return s.WithdrawValuationReport("r4", "VR-1", "{}") },
		"RecordCover":             func(s *Service) (string, error) { return s.RecordCover("r5", "{}") },
		"RecordCoverPayment":      func(s *Service) (string, error) { return s.RecordCoverPayment("r6", "CV-1", "{}") },
		"SetFundRules":            func(s *Service) (string, error) { return s.SetFundRules("r7", "2025", "{}") },
		"FileFundClaim":           func(s *Service) (string, error) { return s.FileFundClaim("r8", "{}") },
		"ApproveFundClaim":        func(s *Service) (string, error) { return s.ApproveFundClaim("r9", "FC-1", "{}") },
		"RefuseFundClaim":         func(s *Service) (string, error) { return s.RefuseFundClaim("r10", "FC-1", "{}") },
		"PayFundClaim":            func(s *Service) (string, error) { return s.PayFundClaim("r11", "FC-1", "{}") },
		"ApplyForSubsidy":         func(s *Service) (string, error) { return s.ApplyForSubsidy("r12", "{}") },
		"ApproveSubsidy":          func(s *Service) (string, error) { return s.ApproveSubsidy("r13", "SB-1", "{}") },
		"RefuseSubsidy":           func(s *Service) (string, error) { return s.RefuseSubsidy("r14", "SB-1", "{}") },
		"PaySubsidy":              func(s *Service) (string, error) { return s.PaySubsidy("r15", "SB-1", "{}") },
	}
	for _, op := range api.FinanceOperations {
		if op.ReadOnly {
			continue
		}
		call, ok := calls[op.Name]
		if !ok {
			t.Errorf("no call of %s in this test", op.Name)
			continue
		}
		for _, c := range []Caller{auditor, regAdmin} {
			_, err := e.submit(c, nil, call)
			wantCode(t, err, api.CodeForbidden, "V3")
		}
	}
}
