package rules

import (
	"fmt"
	"slices"
	"testing"
	"time"

	api "github.com/ipledger/ipledger/chaincode/api"
)

func (e *env) evaluation(c Caller, from, to string) (*api.Evaluation, error) {
	e.t.Helper()
	out, err := e.query(c, func(s *Service) (string, error) { return s.GetEvaluation(from, to) })
	if err != nil {
		return nil, err
	}
	var ev api.Evaluation
	mustDecode(e.t, out, &ev)
	return &ev, nil
}

func groupLoans(gs []api.EvaluationGroup) map[string]int {
	out := map[string]int{}
	for _, g := range gs {
		out[g.Key] = g.Loans
	}
	return out
}

func cnyOf(list []api.Amount) string {
	for _, a := range list {
		if a.Currency == "CNY" {
			return a.Amount
		}
	}
	return ""
}

// evaluated is a year of IP finance: Bank1's loan on P1 and P2 (industry C3911, region 420106) cites an
// 8,000,000.00 report, is insured, defaults, is sold for 600,000.00 and the fund approves its claim;
// Bank2's loan on T9 (I65, 420502); Bank1's loan on T8 (no industry, no region) with an approved
// interest subsidy.
func evaluated(t *testing.T) *env {
	t.Helper()
	e, r := valuedRights(t)
	wantCode(t, e.setFundRules(fundStaff, "2025", rules2025), "")
	app := application("P1", "P2")
	app.ValuationReportID, app.Industry, app.Region = r.ID, "C3911", "420106"
	p, err := e.apply(bank1, app)
	if err != nil {
		t.Fatal(err)
	}
	if p.Industry != "C3911" || p.Region != "420106" {
		t.Fatalf("the pledge keeps industry %q, region %q", p.Industry, p.Region)
	}
	if p, err = e.registerPledge(p.ID, "ZX-F9-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.recordCover(insurer, coverOf(p.ID, "PICC-F9", 5000)); err != nil {
		t.Fatal(err)
	}
	e.defaultedAndSold(p)
	fc, err := e.fileFundClaim(bank1, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.approveFundClaim(fundStaff, fc.ID); err != nil {
		t.Fatal(err)
	}

	e.register(trademark("T9", "", 9))
	app = application("T9")
	app.Industry, app.Region = "I65", "420502"
	q, err := e.apply(bank2, app)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.registerPledge(q.ID, "ZX-F9-2"); err != nil {
		t.Fatal(err)
	}
	e.register(trademark("T8", "", 9))
	plain := e.pledgedFor(bank1, "ZX-F9-3", "2000000.00", "T8")
	sb, err := e.applySubsidy(bank1, subsidyOf(api.SubsidyInterest, plain.ID, "10000"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.approveSubsidy(sb.ID); err != nil {
		t.Fatal(err)
	}
	return e
}

// TestF9_TheEvaluationCountsLoansByBankIndustryAndRegionAndWhatTheFinanceBrought: the regulator's
// evaluation of the year counts the three loans by bank, by industry section and by prefecture, with
// their amounts; sets the cited report's value against what the sale brought (600,000.00 of
// 8,000,000.00: 7.5 %); and gives the insurer's cover, the fund's approval and the subsidy with the
// loan it supported.
func TestF9_TheEvaluationCountsLoansByBankIndustryAndRegionAndWhatTheFinanceBrought(t *testing.T) {
	e := evaluated(t)
	ev, err := e.evaluation(auditor, "2025-01-01", "2025-12-31")
	if err != nil {
		t.Fatal(err)
	}
	if ev.Loans.Loans != 3 || ev.Loans.Defaulted != 1 || ev.Loans.Covered != 1 || ev.Loans.Valued != 1 || !ev.TermsCoverage.Complete {
		t.Fatalf("loans %+v, coverage %+v", ev.Loans, ev.TermsCoverage)
	}
	if got := cnyOf(ev.Loans.Amounts); got != "12000000.00" { // 5,000,000 + 5,000,000 + 2,000,000
		t.Errorf("secured %q", got)
	}
	for name, c := range map[string]struct {
		got  []api.EvaluationGroup
		want map[string]int
	}{
		"by bank":     {ev.ByBank, map[string]int{"Bank1MSP": 2, "Bank2MSP": 1}},
		"by industry": {ev.ByIndustry, map[string]int{"C": 1, "I": 1, api.Unstated: 1}},
		"by region":   {ev.ByRegion, map[string]int{"420100": 1, "420500": 1, api.Unstated: 1}},
	} {
		if got := groupLoans(c.got); !mapsEqual(got, c.want) {
			t.Errorf("%s: %v, want %v", name, got, c.want)
		}
	}
	v := ev.Valuations
	if v.Sales != 1 || v.PartSales != 0 || v.ValuesRead != 1 || cnyOf(v.Value) != "8000000.00" || cnyOf(v.Price) != "600000.00" || v.Recovery == nil || *v.Recovery != 7.5 {
		t.Errorf("valuations %+v", v)
	}
	if i := slices.IndexFunc(ev.Covers, func(c api.CoverFigures) bool { return c.Kind == api.CoverInsurance }); i < 0 ||
		ev.Covers[i].Recorded != 1 || cnyOf(ev.Covers[i].Premiums) != "30000.00" || len(ev.Covers) != len(api.CoverKinds) {
		t.Errorf("covers %+v", ev.Covers)
	}
	if ev.Fund.Approved != 1 || cnyOf(ev.Fund.ApprovedAmount) != "100000.00" || ev.Fund.Paid != 0 {
		t.Errorf("fund %+v", ev.Fund)
	}
	i := slices.IndexFunc(ev.Subsidies, func(s api.SubsidyFigures) bool { return s.Kind == api.SubsidyInterest })
	if i < 0 || ev.Subsidies[i].Approved != 1 || ev.Subsidies[i].Loans != 1 || ev.Subsidies[i].Flagged != 0 || cnyOf(ev.Subsidies[i].ApprovedAmount) != "5000.00" {
		t.Errorf("subsidies %+v", ev.Subsidies)
	}
	// A window before everything counts nothing.
	if ev, err := e.evaluation(auditor, "2024-01-01", "2024-12-31"); err != nil || ev.Loans.Loans != 0 || ev.Fund.Approved != 0 || ev.Valuations.Sales != 0 {
		t.Errorf("2024: %+v %v", ev, err)
	}
}

// TestF9_ABankSeesItsOwnLoansTheFundNoAmountsAndTheOthersNothing: a bank's evaluation is of its own
// loans, covers, claims and subsidies; the fund's manager gets every loan but no amount (it holds no
// terms, V2) and no report's value (F2), so no recovery; the exchange, the agency and the insurer are
// refused; a window out of order or a date that is none is refused.
func TestF9_ABankSeesItsOwnLoansTheFundNoAmountsAndTheOthersNothing(t *testing.T) {
	e := evaluated(t)
	ev, err := e.evaluation(bank2, "2025-01-01", "2025-12-31")
	if err != nil {
		t.Fatal(err)
	}
	if ev.Pledgee != api.MSPBank2 || ev.Loans.Loans != 1 || !mapsEqual(groupLoans(ev.ByBank), map[string]int{"Bank2MSP": 1}) ||
		ev.Valuations.Sales != 0 || ev.Fund.Approved != 0 || slices.ContainsFunc(ev.Covers, func(c api.CoverFigures) bool { return c.Recorded != 0 }) ||
		slices.ContainsFunc(ev.Subsidies, func(s api.SubsidyFigures) bool { return s.Approved != 0 }) {
		t.Errorf("Bank2's: %+v", ev)
	}
	ev, err = e.evaluation(fundStaff, "2025-01-01", "2025-12-31")
	if err != nil {
		t.Fatal(err)
	}
	if ev.Loans.Loans != 3 || len(ev.Loans.Amounts) != 0 || ev.TermsCoverage.NotEntitled != 3 || ev.Valuations.ValuesRead != 0 ||
		ev.Valuations.Recovery != nil || ev.Fund.Approved != 1 {
		t.Errorf("the fund's: %+v", ev)
	}
	for _, c := range []Caller{trader, valuer, insurer} {
		_, err := e.evaluation(c, "", "")
		wantCode(t, err, api.CodeForbidden, "F9")
	}
	_, err = e.evaluation(auditor, "2025-12-31", "2025-01-01")
	wantCode(t, err, api.CodeInvalidArgument, "from")
	_, err = e.evaluation(auditor, "", "2025-13-01")
	wantCode(t, err, api.CodeInvalidArgument, "to")
}

// TestF9_AnApplicationsIndustryAndRegionAreCodesOfTheNationalStandards: GB/T 4754 codes (a section
// letter with or without its division, group or class) and six-digit GB/T 2260 codes are taken; any
// other form is refused naming the field.
func TestF9_AnApplicationsIndustryAndRegionAreCodesOfTheNationalStandards(t *testing.T) {
	e := newEnv(t)
	e.register(patent("P1"))
	for _, c := range []struct{ industry, region, field string }{
		{"Z99", "", "industry"}, {"c39", "", "industry"}, {"C3", "", "industry"}, {"C39111", "", "industry"},
		{"A39", "", "industry"}, {"C12", "", "industry"}, {"T98", "", "industry"}, {"K71", "", "industry"},
		{"", "42010", "region"}, {"", "042010", "region"}, {"", "4201060", "region"}, {"", "CN-HB", "region"},
	} {
		app := application("P1")
		app.Industry, app.Region = c.industry, c.region
		_, err := e.apply(bank1, app)
		wantCode(t, err, api.CodeInvalidArgument, c.field)
	}
	for i, c := range []struct{ industry, region string }{{"C", "420100"}, {"C39", "110105"}, {"C391", ""}, {"", "420106"},
		{"A05", "429004"}, {"C13", ""}, {"C43", ""}, {"S96", ""}, {"T97", ""}, {"K70", ""}} {
		id := fmt.Sprintf("PF9-%d", i)
		e.register(patent(id))
		app := application(id)
		app.Industry, app.Region = c.industry, c.region
		p, err := e.apply(bank1, app)
		if err != nil || p.Industry != c.industry || p.Region != c.region {
			t.Fatalf("%+v: %+v %v", c, p, err)
		}
	}
}

// TestF9_OneReportIsSetAgainstOneSaleOnce: Bank1's rank-1 and rank-2 pledges of T1 both cite the one
// 8,000,000.00 report of T1; the sale of the rank-1 pledge for 1,600,000.00 ends both. The evaluation
// sets the report against the sale once: 8,000,000.00 against 1,600,000.00, 20 %, not twice the value.
// A sale of a package of more rights than a report valued is counted apart, not compared; a value in
// another currency than the sale's is read but not compared, and no recovery is given.
func TestF9_OneReportIsSetAgainstOneSaleOnce(t *testing.T) {
	e := newEnv(t)
	e.register(trademark("T1", "", 9))
	e.register(trademark("T2", "", 9))
	if _, err := e.accredit(examiner, api.MSPValuer, accreditationA); err != nil {
		t.Fatal(err)
	}
	r, err := e.issueReport(valuer, reportOf(api.MSPBank1, "T1"), valueA)
	if err != nil {
		t.Fatal(err)
	}
	first, second := e.citing(r.ID, "R1", "T1"), e.citing(r.ID, "R2", "T1")
	wantCode(t, e.declareDefault(bank1, first.ID, "1000000"), "")
	wantCode(t, e.stateClaim(bank1, second.ID, "1000000", "CNY"), "")
	if _, err := e.dispose(first.ID, sold("1600000", "0", first.ID, "1000000", second.ID, "600000")); err != nil {
		t.Fatal(err)
	}
	ev, err := e.evaluation(auditor, "2025-01-01", "2025-12-31")
	if err != nil {
		t.Fatal(err)
	}
	if v := ev.Valuations; v.Sales != 1 || v.ValuesRead != 1 || cnyOf(v.Value) != "8000000.00" || cnyOf(v.Price) != "1600000.00" ||
		v.Recovery == nil || *v.Recovery != 20 {
		t.Fatalf("one report, one sale: %+v", v)
	}

	// A package of T2 and P9 is sold; the rank-2 pledge of T2 alone cited a report of T2: its price is
	// not T2's alone.
	e.register(patent("P9"))
	r2, err := e.issueReport(valuer, reportOf(api.MSPBank1, "T2"), valueA)
	if err != nil {
		t.Fatal(err)
	}
	pkg := e.pledgedFor(bank2, "R3", "1000000.00", "T2", "P9")
	app := application("T2")
	app.ValuationReportID = r2.ID
	part, err := e.apply(bank1, app)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.registerPledge(part.ID, "R4"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, e.declareDefault(bank2, pkg.ID, "1000000"), "")
	wantCode(t, e.stateClaim(bank1, part.ID, "500000", "CNY"), "")
	if _, err := e.dispose(pkg.ID, sold("1200000", "0", pkg.ID, "1000000", part.ID, "200000")); err != nil {
		t.Fatal(err)
	}
	if ev, err = e.evaluation(auditor, "2025-01-01", "2025-12-31"); err != nil || ev.Valuations.PartSales != 1 || ev.Valuations.Sales != 1 {
		t.Fatalf("a package sold: %+v %v", ev.Valuations, err)
	}

	// A USD value set against a CNY sale is read, not compared: no recovery for the window.
	e.register(patent("P5"))
	usd := valueA
	usd.Currency = "USD"
	r3, err := e.issueReport(valuer, reportOf(api.MSPBank1, "P5"), usd)
	if err != nil {
		t.Fatal(err)
	}
	p5 := e.citing(r3.ID, "R5", "P5")
	wantCode(t, e.declareDefault(bank1, p5.ID, "1000000"), "")
	if _, err := e.dispose(p5.ID, sold("900000", "0", p5.ID, "900000")); err != nil {
		t.Fatal(err)
	}
	ev, err = e.evaluation(auditor, "2025-01-01", "2025-12-31")
	if v := ev.Valuations; err != nil || v.Sales != 2 || v.ValuesRead != 2 || cnyOf(v.Value) != "8000000.00" || cnyOf(v.Price) != "1600000.00" || v.Recovery != nil {
		t.Fatalf("a value in another currency: %+v %v", ev.Valuations, err)
	}
}

// TestF9_TheWindowIsOfChinaDaysAndRegionsOfPrefectures: a loan registered at 16:30 UTC on 31 December
// 2025 is registered on 1 January 2026 in China, and counts in 2026, not 2025; a county-level unit
// directly under the province (429004 Xiantao, 429005 Qianjiang) is a region of its own. Two
// subsidies of one loan flagged since count one flagged loan.
func TestF9_TheWindowIsOfChinaDaysAndRegionsOfPrefectures(t *testing.T) {
	e := newEnv(t)
	wantCode(t, e.setFundRules(fundStaff, "2025", rules2025), "")
	for i, region := range []string{"429004", "429005"} {
		id := fmt.Sprintf("PR-%d", i)
		e.register(patent(id))
		app := application(id)
		app.Region = region
		p, err := e.apply(bank1, app)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.registerPledge(p.ID, "R-"+id); err != nil {
			t.Fatal(err)
		}
	}
	e.register(trademark("T7", "", 9))
	loan := e.pledgedFor(bank1, "R-T7", "1000000.00", "T7")
	e.now = time.Date(2025, 6, 2, 2, 0, 0, 0, time.UTC)
	for _, period := range [][2]string{{"2025-03-01", "2025-03-31"}, {"2025-04-01", "2025-04-30"}} {
		in := subsidyOf(api.SubsidyInterest, loan.ID, "1000")
		in.PeriodStart, in.PeriodEnd = period[0], period[1]
		sb, err := e.applySubsidy(bank1, in)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.approveSubsidy(sb.ID); err != nil {
			t.Fatal(err)
		}
	}
	wantCode(t, e.declareDefault(bank1, loan.ID, "1000000"), "")
	e.register(patent("PNY"))
	app := application("PNY")
	p, err := e.apply(bank1, app)
	if err != nil {
		t.Fatal(err)
	}
	e.now = time.Date(2025, 12, 31, 16, 30, 0, 0, time.UTC)
	if _, err := e.registerPledge(p.ID, "R-PNY"); err != nil {
		t.Fatal(err)
	}
	ev, err := e.evaluation(auditor, "2025-01-01", "2025-12-31")
	if err != nil {
		t.Fatal(err)
	}
	if got := groupLoans(ev.ByRegion); !mapsEqual(got, map[string]int{"429004": 1, "429005": 1, api.Unstated: 1}) {
		t.Errorf("2025 by region: %v", got)
	}
	i := slices.IndexFunc(ev.Subsidies, func(s api.SubsidyFigures) bool { return s.Kind == api.SubsidyInterest })
	if s := ev.Subsidies[i]; s.Approved != 2 || s.Loans != 1 || s.Flagged != 1 {
		t.Errorf("two subsidies of one defaulted loan: %+v", s)
	}
	ev, err = e.evaluation(auditor, "2026-01-01", "2026-01-01")
	if err != nil || ev.Loans.Loans != 1 {
		t.Fatalf("1 January 2026: %+v %v", ev, err)
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
