package rules

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	api "github.com/ipledger/ipledger/chaincode/api"
)

// at is a time of 2025 in China time.
func at(month time.Month, day, hour, minute int) time.Time {
	return time.Date(2025, month, day, hour, minute, 0, 0, chinaTime)
}

// statsLedger builds the small set the statistics tests check by hand (all times China time):
//
//	A Bank1 P1        CNY 5,000,000  applied 03-03 10:00, registered 03-04 10:00 (1 day), released 04-10
//	B Bank2 P2 (Beta) CNY 3,000,000  applied 03-03 11:00, registered 03-05 11:00 (2 days)
//	C Bank1 P3        CNY 5,000,000  applied 03-31 20:00, refused 04-01 01:00 (5 h; 03-31 in UTC)
//	D Bank1 P4 + T1   USD 1,000,000  applied 04-02 10:00, registered 04-07 10:00 (5 days), revoked 05-06
//	E Bank1 P5        CNY 2,000,000  applied 05-01 10:00, registered 05-02 10:00 (1 day), defaulted
//	                                 05-20 (claim 1,800,000), disposed 06-03: price 2,500,000, 1,800,000 applied
func statsLedger(t *testing.T) (*env, map[string]*api.Pledge) {
	e := newEnv(t)
	betaSole := api.Owner{ID: beta.ID, Name: beta.Name, Share: 10000}
	for _, a := range []api.AssetInput{patent("P1"), patent("P2", betaSole), patent("P3"), patent("P4"), patent("P5"),
		trademark("T1", "", 9)} {
		e.register(a)
	}
	ps := map[string]*api.Pledge{}
	apply := func(name string, bank Caller, when time.Time, currency, amount string, app api.PledgeApplication) {
		e.now = when
		terms := termsA
		terms.Amount, terms.Currency = amount, currency
		var p api.Pledge
		mustDecode(t, e.must(e.submit(bank, withTerms(terms), func(s *Service) (string, error) {
			return s.ApplyPledge(e.req(), js(app))
		})), &p)
		ps[name] = &p
	}
	act := func(c Caller, when time.Time, fn func(s *Service) (string, error)) {
		e.now = when
		e.must(e.submit(c, nil, fn))
	}
	register := func(name string, when time.Time) {
		act(examiner, when, func(s *Service) (string, error) {
			return s.RegisterPledge(e.req(), ps[name].ID, js(api.Registration{RegistrationNumber: "REG-" + name}))
		})
	}
	appB := application("P2")
	appB.Pledgors = []api.Party{betaP}
	apply("A", bank1, at(3, 3, 10, 0), "CNY", "5000000", application("P1"))
	apply("B", bank2, at(3, 3, 11, 0), "CNY", "3000000", appB)
	register("A", at(3, 4, 10, 0))
	register("B", at(3, 5, 11, 0))
	apply("C", bank1, at(3, 31, 20, 0), "CNY", "5000000", application("P3"))
	act(examiner, at(4, 1, 1, 0), func(s *Service) (string, error) {
		return s.RefusePledge(e.req(), ps["C"].ID, js(api.Refusal{Reasons: []string{"incomplete"}}))
	})
	apply("D", bank1, at(4, 2, 10, 0), "USD", "1000000", application("P4", "T1"))
	register("D", at(4, 7, 10, 0))
	act(bank1, at(4, 10, 10, 0), func(s *Service) (string, error) {
		return s.ReleasePledge(e.req(), ps["A"].ID, js(api.Reason{Reason: "repaid"}))
	})
	apply("E", bank1, at(5, 1, 10, 0), "CNY", "2000000", application("P5"))
	register("E", at(5, 2, 10, 0))
	act(examiner, at(5, 6, 10, 0), func(s *Service) (string, error) {
		return s.RevokePledge(e.req(), ps["D"].ID, js(api.Reason{Reason: "improper"}))
	})
	e.now = at(5, 20, 10, 0)
	if err := e.declareDefault(bank1, ps["E"].ID, "1800000"); err != nil {
		t.Fatal(err)
	}
	e.now = at(6, 3, 10, 0)
	if _, err := e.dispose(ps["E"].ID, sold("2500000", "700000", ps["E"].ID, "1800000")); err != nil {
		t.Fatal(err)
	}
	e.now = at(7, 1, 9, 0)
	return e, ps
}

func (e *env) statistics(c Caller, from, to, interval string) (api.Statistics, error) {
	e.t.Helper()
	return e.statisticsOf(c, from, to, interval, "", "")
}

// statisticsOf is the statistics with the filters pledgee and kind.
func (e *env) statisticsOf(c Caller, from, to, interval, pledgee, kind string) (api.Statistics, error) {
	e.t.Helper()
	var st api.Statistics
	out, err := e.query(c, func(s *Service) (string, error) { return s.GetStatistics(from, to, interval, pledgee, kind) })
	if err == nil {
		mustDecode(e.t, out, &st)
	}
	return st, err
}

func amounts(list ...any) []api.Amount {
	out := []api.Amount{}
	for i := 0; i+2 < len(list); i += 3 {
		out = append(out, api.Amount{Currency: list[i].(string), Amount: list[i+1].(string), Count: list[i+2].(int)})
	}
	return out
}

func wantEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		t.Errorf("%s:\n got %s\nwant %s", what, g, w)
	}
}

func fp(x float64) *float64 { return &x }

// TestStatistics_NumbersCheckedByHand: the regulator's auditor sees every count, time and amount of
// the small set, each worked out by hand in statsLedger's comment.
func TestStatistics_NumbersCheckedByHand(t *testing.T) {
	e, _ := statsLedger(t)
	st, err := e.statistics(auditor, "2025-03-01", "2025-06-30", "")
	if err != nil {
		t.Fatal(err)
	}
	period := func(label, start, end string) api.StatisticsPeriod {
		return api.StatisticsPeriod{Label: label, Start: start, End: end, SecuredAmount: amounts(),
			DisposalPrice: amounts(), ProceedsApplied: amounts()}
	}
	mar, apr, may, jun := period("2025-03", "2025-03-01", "2025-03-31"), period("2025-04", "2025-04-01", "2025-04-30"),
		period("2025-05", "2025-05-01", "2025-05-31"), period("2025-06", "2025-06-01", "2025-06-30")
	mar.Applications, mar.Registrations = 3, 2
	mar.DecisionTimes = api.DecisionTimes{Count: 2, MeanDays: 1.5, P50Days: 1, P90Days: 2}
	mar.SecuredAmount = amounts("CNY", "8000000.00", 2)
	apr.Applications, apr.Registrations, apr.Refusals, apr.Releases = 1, 1, 1, 1
	apr.DecisionTimes = api.DecisionTimes{Count: 2, MeanDays: 2.6, P50Days: 0.21, P90Days: 5} // (5/24 + 5) / 2
	apr.SecuredAmount = amounts("USD", "1000000.00", 1)
	may.Applications, may.Registrations, may.Revocations, may.Defaults = 1, 1, 1, 1
	may.DecisionTimes = api.DecisionTimes{Count: 1, MeanDays: 1, P50Days: 1, P90Days: 1}
	may.SecuredAmount = amounts("CNY", "2000000.00", 1)
	jun.Disposals, jun.DisposalPrice, jun.ProceedsApplied = 1, amounts("CNY", "2500000.00", 1), amounts("CNY", "1800000.00", 1)
	wantEqual(t, "periods", st.Periods, []api.StatisticsPeriod{mar, apr, may, jun})

	total := period("total", "2025-03-01", "2025-06-30")
	total.Applications, total.Registrations, total.Refusals, total.Releases, total.Revocations = 5, 4, 1, 1, 1
	total.Defaults, total.Disposals = 1, 1
	total.DecisionTimes = api.DecisionTimes{Count: 5, MeanDays: 1.84, P50Days: 1, P90Days: 5} // 9.2083 / 5
	total.SecuredAmount = amounts("CNY", "10000000.00", 3, "USD", "1000000.00", 1)
	total.DisposalPrice, total.ProceedsApplied = jun.DisposalPrice, jun.ProceedsApplied
	wantEqual(t, "totals", st.Totals, total)

	wantEqual(t, "by bank", st.ByBank, []api.BankStatistics{
		{MSP: api.MSPBank1, Registrations: 3, RegistrationShare: 75, AmountShare: fp(70),
			Amounts: amounts("CNY", "7000000.00", 2, "USD", "1000000.00", 1)},
		{MSP: api.MSPBank2, Registrations: 1, RegistrationShare: 25, AmountShare: fp(30),
			Amounts: amounts("CNY", "3000000.00", 1)},
	})
	wantEqual(t, "by kind", st.ByKind, []api.KindStatistics{
		{Kind: api.KindMixed, Registrations: 1, Rights: 2, Amounts: amounts("USD", "1000000.00", 1)},
		{Kind: string(api.KindPatentInvention), Registrations: 3, Rights: 3, Amounts: amounts("CNY", "10000000.00", 3)},
	})
	wantEqual(t, "concentration", st.Concentration, api.Concentration{RegistrationHHI: 6250, AmountHHI: fp(5800),
		PledgedRights: 5, TopOwnerID: acme.ID, TopOwnerName: acme.Name, TopOwnerRights: 4, TopOwnerShare: 80})
	wantEqual(t, "coverage", st.TermsCoverage, api.TermsCoverage{Complete: true, Read: 4, Registrations: 4})
	if st.PledgesRead != 5 || st.QueriedBy != api.MSPRegulator || st.Interval != api.IntervalMonth {
		t.Errorf("pledgesRead %d, queriedBy %s, interval %s", st.PledgesRead, st.QueriedBy, st.Interval)
	}
}

// TestStatistics_ABankSeesOnlyItsOwnAmounts: Bank1's officer gets every count, but amounts only of
// Bank1's pledges; Bank2's terms are never read (V2) and counted as not entitled; no share of amounts
// is given on a part of them. The exchange gets the counts and no amount at all.
func TestStatistics_ABankSeesOnlyItsOwnAmounts(t *testing.T) {
	e, _ := statsLedger(t)
	full, err := e.statistics(auditor, "2025-03-01", "2025-06-30", "")
	if err != nil {
		t.Fatal(err)
	}
	st, err := e.statistics(bank1, "2025-03-01", "2025-06-30", "")
	if err != nil {
		t.Fatal(err)
	}
	wantEqual(t, "by bank", st.ByBank, []api.BankStatistics{
		{MSP: api.MSPBank1, Registrations: 3, RegistrationShare: 75, Amounts: amounts("CNY", "7000000.00", 2, "USD", "1000000.00", 1)},
		{MSP: api.MSPBank2, Registrations: 1, RegistrationShare: 25, Amounts: amounts()},
	})
	wantEqual(t, "coverage", st.TermsCoverage, api.TermsCoverage{Read: 3, NotEntitled: 1, Registrations: 4})
	wantEqual(t, "march secured", st.Periods[0].SecuredAmount, amounts("CNY", "5000000.00", 1))
	if st.Concentration.AmountHHI != nil || st.Concentration.RegistrationHHI != 6250 {
		t.Errorf("concentration %+v", st.Concentration)
	}
	for i := range st.Periods { // the public counts are everyone's
		if st.Periods[i].Registrations != full.Periods[i].Registrations || st.Periods[i].DecisionTimes != full.Periods[i].DecisionTimes {
			t.Errorf("period %s differs from the regulator's", st.Periods[i].Label)
		}
	}
	ex, err := e.statistics(trader, "2025-03-01", "2025-06-30", "")
	if err != nil {
		t.Fatal(err)
	}
	wantEqual(t, "exchange coverage", ex.TermsCoverage, api.TermsCoverage{NotEntitled: 4, Registrations: 4})
	wantEqual(t, "exchange secured", ex.Totals.SecuredAmount, amounts())
	if ex.Totals.Registrations != 4 || ex.Totals.DisposalPrice[0].Amount != "2500000.00" {
		t.Errorf("the exchange's public counts: %+v", ex.Totals)
	}
	_, err = e.statistics(stranger, "", "", "")
	wantCode(t, err, api.CodeForbidden)
	_, err = e.statistics(noRole, "", "", "")
	wantCode(t, err, api.CodeForbidden)
}

// TestStatistics_FilterByPledgee: with pledgee, every figure counts only that bank's pledges, worked
// out by hand from statsLedger (Bank2 has B alone: applied 03-03, registered 03-05, CNY 3,000,000;
// Bank1 has A, C, D and E); the answer names the filter. Amounts are still only those the caller may
// read (V2): Bank1's officer asking for Bank2's pledges gets the counts and no amount.
func TestStatistics_FilterByPledgee(t *testing.T) {
	e, _ := statsLedger(t)
	st, err := e.statisticsOf(auditor, "2025-03-01", "2025-06-30", "quarter", "Bank2MSP", "")
	if err != nil {
		t.Fatal(err)
	}
	if st.Pledgee != api.MSPBank2 || st.Kind != "" || st.PledgesRead != 1 {
		t.Errorf("pledgee %q, kind %q, pledgesRead %d; want Bank2MSP, none, 1", st.Pledgee, st.Kind, st.PledgesRead)
	}
	total := api.StatisticsPeriod{Label: "total", Start: "2025-03-01", End: "2025-06-30", Applications: 1, Registrations: 1,
		DecisionTimes: api.DecisionTimes{Count: 1, MeanDays: 2, P50Days: 2, P90Days: 2},
		SecuredAmount: amounts("CNY", "3000000.00", 1), DisposalPrice: amounts(), ProceedsApplied: amounts()}
	wantEqual(t, "totals", st.Totals, total)
	wantEqual(t, "by bank", st.ByBank, []api.BankStatistics{{MSP: api.MSPBank2, Registrations: 1, RegistrationShare: 100,
		AmountShare: fp(100), Amounts: amounts("CNY", "3000000.00", 1)}})
	wantEqual(t, "by kind", st.ByKind, []api.KindStatistics{{Kind: string(api.KindPatentInvention), Registrations: 1, Rights: 1,
		Amounts: amounts("CNY", "3000000.00", 1)}})
	wantEqual(t, "concentration", st.Concentration, api.Concentration{RegistrationHHI: 10000, AmountHHI: fp(10000),
		PledgedRights: 1, TopOwnerID: beta.ID, TopOwnerName: beta.Name, TopOwnerRights: 1, TopOwnerShare: 100})
	wantEqual(t, "coverage", st.TermsCoverage, api.TermsCoverage{Complete: true, Read: 1, Registrations: 1})

	b1, err := e.statisticsOf(auditor, "2025-03-01", "2025-06-30", "", "Bank1MSP", "")
	if err != nil {
		t.Fatal(err)
	}
	tt := b1.Totals
	if got := []int{b1.PledgesRead, tt.Applications, tt.Registrations, tt.Refusals, tt.Releases, tt.Revocations, tt.Defaults, tt.Disposals}; !slices.Equal(got, []int{4, 4, 3, 1, 1, 1, 1, 1}) {
		t.Errorf("Bank1's pledges read, applications, registrations, refusals, releases, revocations, defaults, disposals: %v", got)
	}
	wantEqual(t, "Bank1's secured", tt.SecuredAmount, amounts("CNY", "7000000.00", 2, "USD", "1000000.00", 1))
	if len(b1.ByBank) != 1 || b1.ByBank[0].MSP != api.MSPBank1 || b1.ByBank[0].RegistrationShare != 100 {
		t.Errorf("Bank1's by bank: %+v", b1.ByBank)
	}

	// V2 unchanged: Bank1 asks for Bank2's pledges: counts, no amount.
	other, err := e.statisticsOf(bank1, "2025-03-01", "2025-06-30", "", "Bank2MSP", "")
	if err != nil {
		t.Fatal(err)
	}
	wantEqual(t, "coverage of another bank's", other.TermsCoverage, api.TermsCoverage{NotEntitled: 1, Registrations: 1})
	wantEqual(t, "another bank's secured", other.Totals.SecuredAmount, amounts())
	if other.Totals.Registrations != 1 || other.ByBank[0].AmountShare != nil || other.Concentration.AmountHHI != nil {
		t.Errorf("another bank's statistics: %+v", other)
	}

	// A bank not on the ledger: nothing counted, and no failure.
	none, err := e.statisticsOf(auditor, "2025-03-01", "2025-06-30", "", "Bank9MSP", "")
	if err != nil || none.PledgesRead != 0 || none.Totals.Applications != 0 || len(none.ByBank) != 0 || len(none.ByKind) != 0 {
		t.Errorf("a bank with no pledge: %+v, %v", none, err)
	}
}

// TestStatistics_FilterByKind: with kind, every figure counts only the pledges whose rights are of that
// kind as byKind counts them: D (a patent with a trademark) alone is mixed; A, B, C and E are
// patent-invention, C refused. With pledgee too, both hold.
func TestStatistics_FilterByKind(t *testing.T) {
	e, _ := statsLedger(t)
	mixed, err := e.statisticsOf(auditor, "2025-03-01", "2025-06-30", "", "", "mixed")
	if err != nil {
		t.Fatal(err)
	}
	if mixed.Kind != api.KindMixed || mixed.Pledgee != "" || mixed.PledgesRead != 1 {
		t.Errorf("kind %q, pledgee %q, pledgesRead %d", mixed.Kind, mixed.Pledgee, mixed.PledgesRead)
	}
	mt := mixed.Totals
	if got := []int{mt.Applications, mt.Registrations, mt.Revocations, mt.Releases, mt.Refusals}; !slices.Equal(got, []int{1, 1, 1, 0, 0}) {
		t.Errorf("mixed: applications, registrations, revocations, releases, refusals %v, want [1 1 1 0 0]", got)
	}
	wantEqual(t, "mixed by kind", mixed.ByKind, []api.KindStatistics{{Kind: api.KindMixed, Registrations: 1, Rights: 2,
		Amounts: amounts("USD", "1000000.00", 1)}})
	wantEqual(t, "mixed by bank", mixed.ByBank, []api.BankStatistics{{MSP: api.MSPBank1, Registrations: 1, RegistrationShare: 100,
		Amounts: amounts("USD", "1000000.00", 1)}}) // no CNY: no share of amounts
	if mixed.Periods[1].Applications != 1 || mixed.Periods[1].Registrations != 1 || mixed.Periods[2].Revocations != 1 {
		t.Errorf("mixed by month: %+v", mixed.Periods)
	}

	pi, err := e.statisticsOf(auditor, "2025-03-01", "2025-06-30", "", "", "patent-invention")
	if err != nil {
		t.Fatal(err)
	}
	pt := pi.Totals
	if got := []int{pi.PledgesRead, pt.Applications, pt.Registrations, pt.Refusals, pt.Releases, pt.Revocations, pt.Defaults, pt.Disposals}; !slices.Equal(got, []int{4, 4, 3, 1, 1, 0, 1, 1}) {
		t.Errorf("patent-invention: pledges read, applications, registrations, refusals, releases, revocations, defaults, disposals %v", got)
	}
	wantEqual(t, "patent-invention secured", pt.SecuredAmount, amounts("CNY", "10000000.00", 3))
	if len(pi.ByKind) != 1 || pi.ByKind[0].Kind != string(api.KindPatentInvention) || pi.Concentration.PledgedRights != 3 {
		t.Errorf("patent-invention by kind %+v, concentration %+v", pi.ByKind, pi.Concentration)
	}

	both, err := e.statisticsOf(auditor, "2025-03-01", "2025-06-30", "", "Bank1MSP", "patent-invention")
	if err != nil {
		t.Fatal(err)
	}
	if both.PledgesRead != 3 || both.Totals.Registrations != 2 || both.Pledgee != api.MSPBank1 || both.Kind != "patent-invention" {
		t.Errorf("Bank1's patent-invention: %d read, %d registrations, filters %q %q", both.PledgesRead, both.Totals.Registrations, both.Pledgee, both.Kind)
	}
	wantEqual(t, "Bank1's patent-invention secured", both.Totals.SecuredAmount, amounts("CNY", "7000000.00", 2))

	tm, err := e.statisticsOf(auditor, "2025-03-01", "2025-06-30", "", "", "trademark")
	if err != nil || tm.PledgesRead != 0 || tm.Totals.Registrations != 0 || len(tm.ByKind) != 0 {
		t.Errorf("no trademark pledge alone: %+v, %v", tm, err)
	}
}

// TestStatistics_InvalidFiltersAreRefusedNamingTheField: a pledgee that is not a bank's MSP id and a
// kind that is neither a kind of right nor mixed are refused, naming the field.
func TestStatistics_InvalidFiltersAreRefusedNamingTheField(t *testing.T) {
	e, _ := statsLedger(t)
	for _, bad := range []struct{ pledgee, kind, field string }{
		{"IPOfficeMSP", "", "pledgee"},
		{"Bank1", "", "pledgee"},
		{"bank1msp", "", "pledgee"},
		{"", "software", "kind"},
		{"", "assignment", "kind"},
		{"", "Mixed", "kind"},
	} {
		_, err := e.statisticsOf(auditor, "", "", "", bad.pledgee, bad.kind)
		wantCode(t, err, api.CodeInvalidArgument, bad.field)
	}
}

// TestStatistics_TermsThePeerCannotReadAreCounted: on a peer that is not a member of Bank2's
// collection the regulator's query skips those terms and says so; nothing fails.
func TestStatistics_TermsThePeerCannotReadAreCounted(t *testing.T) {
	e, _ := statsLedger(t)
	e.l.NonMemberOf["termsBank2MSP"] = true
	st, err := e.statistics(auditor, "2025-03-01", "2025-06-30", "quarter")
	if err != nil {
		t.Fatal(err)
	}
	wantEqual(t, "coverage", st.TermsCoverage, api.TermsCoverage{Read: 3, Unavailable: 1, Registrations: 4})
	wantEqual(t, "secured", st.Totals.SecuredAmount, amounts("CNY", "7000000.00", 2, "USD", "1000000.00", 1))
	if st.ByBank[0].AmountShare != nil {
		t.Error("a share of amounts given on a part of them")
	}
}

// TestStatistics_IntervalsInChinaTime: intervals are calendar months, quarters or years in UTC+8,
// clipped to the window; an event counts by its date in China time (C's refusal at 01:00 on 1 April
// is 31 March in UTC, and counts in April); the window's dates are both included.
func TestStatistics_IntervalsInChinaTime(t *testing.T) {
	e, _ := statsLedger(t)
	q, err := e.statistics(auditor, "2025-02-15", "2025-07-01", api.IntervalQuarter)
	if err != nil {
		t.Fatal(err)
	}
	var labels []string
	for _, p := range q.Periods {
		labels = append(labels, p.Label+":"+p.Start+".."+p.End)
	}
	wantEqual(t, "quarters", labels, []string{"2025-Q1:2025-02-15..2025-03-31", "2025-Q2:2025-04-01..2025-06-30",
		"2025-Q3:2025-07-01..2025-07-01"})
	if q.Periods[0].Refusals != 0 || q.Periods[1].Refusals != 1 {
		t.Errorf("the refusal at 01:00 on 1 April, China time, counts in Q2: %+v", q.Periods)
	}
	// The last day of March alone holds C's application (20:00) but not its refusal.
	d, err := e.statistics(auditor, "2025-03-31", "2025-03-31", "")
	if err != nil {
		t.Fatal(err)
	}
	if d.Totals.Applications != 1 || d.Totals.Refusals != 0 || len(d.Periods) != 1 {
		t.Errorf("31 March: %+v", d.Totals)
	}
	y, err := e.statistics(auditor, "2024-12-31", "2025-12-31", api.IntervalYear)
	if err != nil {
		t.Fatal(err)
	}
	if len(y.Periods) != 2 || y.Periods[1].Label != "2025" || y.Periods[1].Registrations != 4 || y.Periods[0].Registrations != 0 {
		t.Errorf("years: %+v", y.Periods)
	}
	// Defaults: to today (1 July), from the first day of the month eleven months before: twelve months.
	def, err := e.statistics(auditor, "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if def.From != "2024-08-01" || def.To != "2025-07-01" || len(def.Periods) != 12 {
		t.Errorf("default window %s..%s, %d periods", def.From, def.To, len(def.Periods))
	}
	for _, bad := range []struct{ from, to, interval, field string }{
		{"2025-05-01", "2025-04-01", "", "from"},
		{"2025-13-01", "", "", "from"},
		{"", "yesterday", "", "to"},
		{"", "", "week", "interval"},
		{"1990-01-01", "2025-01-01", "month", "from"}, // 421 months
	} {
		_, err := e.statistics(auditor, bad.from, bad.to, bad.interval)
		wantCode(t, err, api.CodeInvalidArgument, bad.field)
	}
}

// limitLedger answers a paginated scan as a peer does under ledger.state.totalQueryLimit: no more
// than limit records per query, without an error. It counts the ledger calls a query makes.
type limitLedger struct {
	*MemLedger
	limit                 int32
	pages, gets, privates int
}

func (l *limitLedger) ScanValuesPage(objectType string, attrs []string, pageSize int32, bookmark string) ([]KV, string, error) {
	l.pages++
	kvs, next, err := l.MemLedger.ScanValuesPage(objectType, attrs, min(pageSize, l.limit), bookmark)
	if pageSize > l.limit && len(kvs) == int(l.limit) {
		next = "" // the peer's page is cut short: the contract's short-page rule ends the scan
	}
	return kvs, next, err
}

func (l *limitLedger) GetState(key string) ([]byte, error) {
	l.gets++
	return l.MemLedger.GetState(key)
}

func (l *limitLedger) GetPrivate(c, key string) ([]byte, error) {
	l.privates++
	return l.MemLedger.GetPrivate(c, key)
}

// manyPledges writes n registered pledges straight into the ledger (as RegisterPledge leaves them:
// the record and its terms), alternating between the banks, on n/3 rights of two owners.
func manyPledges(l *MemLedger, n int) {
	l.Begin("seed", time.Time{})
	for i := range n / 3 {
		a := api.Asset{ID: fmt.Sprintf("M%d", i), Kind: api.KindPatentInvention}
		raw, _ := json.Marshal(a)
		_ = l.PutState(assetKey(a.ID), raw)
	}
	for i := range n {
		bank := []api.MSPID{api.MSPBank1, api.MSPBank2}[i%2]
		owner := []api.Party{acmeP, betaP}[i%5/4]
		day := at(1, 1, 10, 0).AddDate(0, 0, i%360)
		p := api.Pledge{ID: fmt.Sprintf("PL-%06d", i), AppliedAt: day.UTC().Format(time.RFC3339Nano),
			DecidedAt: day.Add(36 * time.Hour).UTC().Format(time.RFC3339Nano), RegisteredAt: day.Add(36 * time.Hour).UTC().Format(time.RFC3339Nano),
			AssetIDs: []string{fmt.Sprintf("M%d", i%(n/3))}, Pledgee: api.Pledgee{MSP: bank}, Pledgors: []api.Party{owner},
			Status: api.PledgeRegistered, TermsCollection: "terms" + string(bank)}
		raw, _ := json.Marshal(p)
		_ = l.PutState(pledgeKey(p.ID), raw)
		terms, _ := json.Marshal(PrivateTerms{PledgeID: p.ID, Terms: api.Terms{Amount: "1000.00", Currency: "CNY"}})
		_ = l.PutPrivate(p.TermsCollection, pledgeKey(p.ID), terms)
	}
	l.Commit()
}

// TestStatistics_ScanReadsEveryPledgeInPagesUnderTheQueryLimit: the scan follows the bookmarks of
// pages no larger than StatisticsPageSize, so a peer that cuts every query at its totalQueryLimit
// still gives the whole answer, at any page size up to the limit; a page size above it would not
// (which is why StatisticsPageSize is far below the peer's 100000). Logs the query's cost.
func TestStatistics_ScanReadsEveryPledgeInPagesUnderTheQueryLimit(t *testing.T) {
	run := func(l *MemLedger, page, limit int32) (api.Statistics, *limitLedger, time.Duration) {
		t.Helper()
		defer func(old int32) { StatisticsPageSize = old }(StatisticsPageSize)
		StatisticsPageSize = page
		ll := &limitLedger{MemLedger: l, limit: limit}
		l.ReadOnly = true
		defer func() { l.ReadOnly = false }()
		start := time.Now()
		out, err := New(ll, Tx{ID: "q", Time: at(12, 31, 12, 0), Caller: auditor}).GetStatistics("2025-01-01", "2025-12-31", "quarter", "", "")
		if err != nil {
			t.Fatal(err)
		}
		var st api.Statistics
		mustDecode(t, out, &st)
		return st, ll, time.Since(start)
	}
	const n = 3000
	big := NewMemLedger()
	manyPledges(big, n)
	want, ll, took := run(big, StatisticsPageSize, 100000)
	if want.PledgesRead != n || want.Totals.Registrations != n || !want.TermsCoverage.Complete ||
		want.Totals.SecuredAmount[0].Amount != fmt.Sprintf("%d.00", n*1000) || want.ByBank[0].RegistrationShare != 50 {
		t.Fatalf("the whole set: read %d, registrations %d, %+v, %+v", want.PledgesRead, want.Totals.Registrations,
			want.TermsCoverage, want.Totals.SecuredAmount)
	}
	t.Logf("FIGURE statistics over %d pledges (%d rights), page %d: %d pages, %d point reads (rights), %d private reads, %s in memory",
		n, n/3, StatisticsPageSize, ll.pages, ll.gets, ll.privates, took.Round(time.Millisecond))

	const m = 150 // the in-memory ledger sorts its keys for every page: small pages over a small set
	small := NewMemLedger()
	manyPledges(small, m)
	want, _, _ = run(small, StatisticsPageSize, 100000)
	for _, page := range []int32{1, 2, 7, 64} {
		got, ll, _ := run(small, page, 64)
		wantEqual(t, fmt.Sprintf("page %d under a limit of 64", page), got.Totals, want.Totals)
		if wantPages := (m + int(page) - 1) / int(page); ll.pages < wantPages || got.PledgesRead != m {
			t.Errorf("page %d: %d pages, %d pledges read, want at least %d pages and %d pledges", page, ll.pages,
				got.PledgesRead, wantPages, m)
		}
	}
	if cut, _, _ := run(small, 100, 64); cut.PledgesRead == m {
		t.Error("a page above the peer's limit was not cut short: the test's peer does not limit")
	}
	if api.MaxKeyPageSize > 100000 || StatisticsPageSize > 100000 {
		t.Error("a page above the peer's default totalQueryLimit")
	}
}
