package rules

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"slices"
	"sort"
	"strings"
	"time"

	api "github.com/ipledger/ipledger/chaincode/api"
)

// StatisticsPageSize is the page of GetStatistics' scan of the pledge records. Every range query of a
// transaction is cut at the peer's ledger.state.totalQueryLimit (100000 by default) without an error,
// so the scan reads pages far below it and follows their bookmarks: any number of pledges is read
// whole. A variable so that the tests can read in pages of a few records.
var StatisticsPageSize int32 = 500

// GetStatistics answers the regulator's statistics over the pledges on the ledger (api.Statistics):
// from and to are dates in China time, both included (to defaults to today, from to the first day
// of the interval eleven intervals before to's: twelve intervals), interval is month (the default),
// quarter or year. Any member may ask: counts and times come from the public records (V1); amounts
// only from the private terms the caller's organization holds (V2): a bank its own pledges', the IP
// office and the regulator every bank's. Terms that the answering peer cannot read are counted, not
// guessed (termsCoverage). pledgee (a bank's MSP id) and kind (a kind of right, or mixed) filter the
// pledges: every figure counts only those of that pledgee bank, whose rights are of that kind (a
// package of several kinds is mixed, as byKind counts it); the answer names the filters applied.
func (s *Service) GetStatistics(from, to, interval, pledgee, kind string) (string, error) {
	if err := requireMember(s.tx.Caller); err != nil {
		return "", err
	}
	w, err := statsWindowOf(from, to, interval, s.today())
	if err != nil {
		return "", err
	}
	var c check
	if pledgee != "" && !api.IsBank(api.MSPID(pledgee)) {
		c.fail("pledgee", "must be a bank's MSP id: "+api.BankMSPPattern+", not "+strings.Join(fixedOrgNames(), ", "))
	}
	if kind != "" {
		enum(&c, "kind", kind, api.StatisticsKinds())
	}
	if c.err != nil {
		return "", c.err
	}
	acc := newStatsAcc(s, w)
	acc.pledgee, acc.kind = api.MSPID(pledgee), kind
	bookmark := ""
	for {
		page, next, err := s.l.ScanValuesPage(keyPledge, nil, StatisticsPageSize, bookmark)
		if err != nil {
			return "", internal("scan", err)
		}
		for _, kv := range page {
			var p api.Pledge
			if err := json.Unmarshal(kv.Value, &p); err != nil {
				return "", internal("decode pledge", fmt.Errorf("%q: %w", kv.Key, err))
			}
			if err := acc.add(&p); err != nil {
				return "", err
			}
		}
		if next == "" || len(page) == 0 {
			break
		}
		bookmark = next
	}
	return marshal(acc.result())
}

// statsWindow is the window of a statistics query and its intervals, clipped to it.
type statsWindow struct {
	from, to, interval string
	periods            []api.StatisticsPeriod // Start, End, Label only
}

// statsWindowOf checks the query's arguments and makes its intervals.
func statsWindowOf(from, to, interval, today string) (statsWindow, error) {
	var c check
	if interval == "" {
		interval = api.StatisticsIntervals[0]
	}
	enum(&c, "interval", interval, api.StatisticsIntervals)
	if to == "" {
		to = today
	}
	c.date("to", to)
	if from != "" {
		c.date("from", from)
	}
	if c.err != nil {
		return statsWindow{}, c.err
	}
	toDay, _ := time.Parse(time.DateOnly, to)
	if from == "" {
		from = intervalStart(addIntervals(intervalStart(toDay, interval), interval, -11), interval).Format(time.DateOnly)
	}
	fromDay, _ := time.Parse(time.DateOnly, from)
	if fromDay.After(toDay) {
		return statsWindow{}, api.Invalid("from", "must not be after to ("+to+")")
	}
	w := statsWindow{from: from, to: to, interval: interval}
	for start := fromDay; !start.After(toDay); {
		next := addIntervals(intervalStart(start, interval), interval, 1)
		end := next.AddDate(0, 0, -1)
		if end.After(toDay) {
			end = toDay
		}
		w.periods = append(w.periods, api.StatisticsPeriod{Start: start.Format(time.DateOnly),
			End: end.Format(time.DateOnly), Label: intervalLabel(start, interval)})
		if len(w.periods) > api.MaxStatisticsPeriods {
			return statsWindow{}, api.Invalid("from", fmt.Sprintf("the window from %s to %s holds more than %d %ss: "+
				"choose a shorter window or a longer interval (quarter, year)", from, to, api.MaxStatisticsPeriods, interval))
		}
		start = next
	}
	return w, nil
}

// intervalStart is the first day of the interval that holds day.
func intervalStart(day time.Time, interval string) time.Time {
	switch interval {
	case api.IntervalYear:
		return time.Date(day.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	case api.IntervalQuarter:
		return time.Date(day.Year(), (day.Month()-1)/3*3+1, 1, 0, 0, 0, 0, time.UTC)
	}
	return time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// addIntervals moves the first day of an interval by n intervals.
func addIntervals(start time.Time, interval string, n int) time.Time {
	switch interval {
	case api.IntervalYear:
		return start.AddDate(n, 0, 0)
	case api.IntervalQuarter:
		return start.AddDate(0, 3*n, 0)
	}
	return start.AddDate(0, n, 0)
}

func intervalLabel(day time.Time, interval string) string {
	switch interval {
	case api.IntervalYear:
		return day.Format("2006")
	case api.IntervalQuarter:
		return fmt.Sprintf("%d-Q%d", day.Year(), (int(day.Month())+2)/3)
	}
	return day.Format("2006-01")
}

// index is the interval of a date, -1 outside the window.
func (w statsWindow) index(date string) int {
	if date < w.from || date > w.to {
		return -1
	}
	return sort.Search(len(w.periods), func(i int) bool { return w.periods[i].End >= date })
}

// chinaDate is the date (UTC+8) of a time the chaincode wrote (RFC 3339).
func chinaDate(ts string) (string, error) {
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return "", internal("decode time", fmt.Errorf("%q: %w", ts, err))
	}
	return t.In(chinaTime).Format(time.DateOnly), nil
}

// sums adds money per currency.
type sums map[string]*moneySum

type moneySum struct {
	cents big.Int
	n     int
}

func (m sums) add(currency, amount string) {
	if m[currency] == nil {
		m[currency] = &moneySum{}
	}
	m[currency].cents.Add(&m[currency].cents, big.NewInt(mustCents(amount)))
	m[currency].n++
}

// list is the sums in currency order, as money with two decimals.
func (m sums) list() []api.Amount {
	out := []api.Amount{}
	for _, cur := range sortedKeys(m) {
		out = append(out, api.Amount{Amount: bigMoney(&m[cur].cents), Count: m[cur].n, Currency: cur})
	}
	return out
}

func bigMoney(cents *big.Int) string {
	q, r := new(big.Int).QuoRem(cents, big.NewInt(100), new(big.Int))
	return fmt.Sprintf("%s.%02d", q, r.Int64())
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// ratio is 100 a / b in percent, two decimals (0 when b is 0).
func ratio(a, b *big.Int) float64 {
	if b.Sign() == 0 {
		return 0
	}
	f, _ := new(big.Rat).SetFrac(new(big.Int).Mul(a, big.NewInt(100)), b).Float64()
	return round2(f)
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// decisionTimes summarizes durations in days: mean, and the 50th and 90th percentiles by nearest rank.
func decisionTimes(days []float64) api.DecisionTimes {
	if len(days) == 0 {
		return api.DecisionTimes{}
	}
	sorted := slices.Sorted(slices.Values(days))
	var total float64
	for _, d := range sorted {
		total += d
	}
	rank := func(p float64) float64 { return sorted[int(math.Ceil(p*float64(len(sorted))))-1] }
	return api.DecisionTimes{Count: len(sorted), MeanDays: round2(total / float64(len(sorted))),
		P50Days: round2(rank(0.5)), P90Days: round2(rank(0.9))}
}

// entitledToTerms says whether the caller's organization may read a pledge's terms (V2), as
// GetPledgeTerms decides.
func entitledToTerms(c Caller, p *api.Pledge) bool {
	return c.MSP == p.Pledgee.MSP || c.MSP == api.MSPIPOffice || c.MSP == api.MSPRegulator
}

// kindOf is the kind of a pledge's rights: theirs when they are all of one kind, else api.KindMixed.
func (a *statsAcc) kindOf(p *api.Pledge) (string, error) {
	kind := ""
	for _, id := range p.AssetIDs {
		k, ok := a.kinds[id]
		if !ok {
			var asset api.Asset
			found, err := a.s.get(assetKey(id), &asset)
			if err != nil {
				return "", err
			}
			k = "unknown"
			if found {
				k = string(asset.Kind)
			}
			a.kinds[id] = k
		}
		switch {
		case kind == "":
			kind = k
		case kind != k:
			return api.KindMixed, nil
		}
	}
	return kind, nil
}

// terms reads the terms of a pledge registered in the window when the caller is entitled to them,
// and counts what it could not read; ok is false then.
func (a *statsAcc) terms(p *api.Pledge) (api.Terms, bool) { return a.s.readTerms(p, &a.coverage) }

// readTerms reads a pledge's terms when the caller is entitled to them (V2), and counts in cov what
// it read and what it could not; ok is false then.
func (s *Service) readTerms(p *api.Pledge, cov *api.TermsCoverage) (api.Terms, bool) {
	cov.Registrations++
	if !entitledToTerms(s.tx.Caller, p) {
		cov.NotEntitled++
		return api.Terms{}, false
	}
	raw, err := s.l.GetPrivate(p.TermsCollection, pledgeKey(p.ID))
	var rec PrivateTerms
	if err != nil || raw == nil || json.Unmarshal(raw, &rec) != nil || !moneyPattern.MatchString(rec.Terms.Amount) {
		cov.Unavailable++ // a peer not a member of the collection, or the terms not (yet) there
		return api.Terms{}, false
	}
	cov.Read++
	return rec.Terms, true
}

// ownerRights are the distinct rights an owner pledged (as a pledgor), for the concentration of owners.
type ownerRights struct {
	name   string
	rights map[string]bool
}

// statsAcc accumulates the statistics of a window over the pledges, one at a time.
type statsAcc struct {
	s        *Service
	w        statsWindow
	periods  []*periodAcc
	total    *periodAcc
	banks    map[string]*bankAcc
	byKind   map[string]*kindAcc
	kinds    map[string]string // asset id → kind, read once
	owners   map[string]*ownerRights
	rights   map[string]bool // distinct rights pledged by the registrations of the window
	coverage api.TermsCoverage
	read     int
	pledgee  api.MSPID // the filters: "" for every pledgee, every kind
	kind     string
}

type periodAcc struct {
	p                        api.StatisticsPeriod
	days                     []float64
	secured, price, proceeds sums
}

type bankAcc struct {
	registrations int
	amounts       sums
}

type kindAcc struct {
	registrations, rights int
	amounts               sums
}

func newPeriodAcc(p api.StatisticsPeriod) *periodAcc {
	return &periodAcc{p: p, secured: sums{}, price: sums{}, proceeds: sums{}}
}

func newStatsAcc(s *Service, w statsWindow) *statsAcc {
	a := &statsAcc{s: s, w: w, total: newPeriodAcc(api.StatisticsPeriod{Start: w.from, End: w.to, Label: "total"}),
		banks: map[string]*bankAcc{}, byKind: map[string]*kindAcc{}, kinds: map[string]string{},
		owners: map[string]*ownerRights{}, rights: map[string]bool{}}
	for _, p := range w.periods {
		a.periods = append(a.periods, newPeriodAcc(p))
	}
	return a
}

// at runs f on the interval of the date of ts and on the totals, when that date is in the window;
// in says whether it was.
func (a *statsAcc) at(ts string, f func(*periodAcc)) (in bool, err error) {
	if ts == "" {
		return false, nil
	}
	date, err := chinaDate(ts)
	if err != nil {
		return false, err
	}
	i := a.w.index(date)
	if i < 0 {
		return false, nil
	}
	f(a.periods[i])
	f(a.total)
	return true, nil
}

// keeps says whether a pledge passes the filters: its pledgee, the kind of its rights.
func (a *statsAcc) keeps(p *api.Pledge) (bool, error) {
	if a.pledgee != "" && p.Pledgee.MSP != a.pledgee {
		return false, nil
	}
	if a.kind == "" {
		return true, nil
	}
	kind, err := a.kindOf(p)
	return kind == a.kind, err
}

// add counts the events in the window of one pledge that passes the filters.
func (a *statsAcc) add(p *api.Pledge) error {
	if keep, err := a.keeps(p); err != nil || !keep {
		return err
	}
	a.read++
	dereg := ""
	if p.Deregistration != nil {
		dereg = p.Deregistration.At
	}
	for _, e := range []struct {
		at string
		f  func(*periodAcc)
	}{
		{p.AppliedAt, func(x *periodAcc) { x.p.Applications++ }},
		{closureAt(p.Release), func(x *periodAcc) { x.p.Releases++ }},
		{closureAt(p.Revocation), func(x *periodAcc) { x.p.Revocations++ }},
		{closureAt(p.Default), func(x *periodAcc) { x.p.Defaults++ }},
		{dereg, func(x *periodAcc) { x.p.Deregistrations++ }},
	} {
		if _, err := a.at(e.at, e.f); err != nil {
			return err
		}
	}
	if err := a.addDecision(p); err != nil {
		return err
	}
	if err := a.addDisposal(p); err != nil {
		return err
	}
	return a.addRegistration(p)
}

func closureAt(c *api.Closure) string {
	if c == nil {
		return ""
	}
	return c.At
}

// addDecision counts a registration or refusal and its time from the application.
func (a *statsAcc) addDecision(p *api.Pledge) error {
	if p.DecidedAt == "" {
		return nil
	}
	applied, err1 := time.Parse(time.RFC3339Nano, p.AppliedAt)
	decided, err2 := time.Parse(time.RFC3339Nano, p.DecidedAt)
	if err1 != nil || err2 != nil {
		return internal("decode time", fmt.Errorf("pledge %s: appliedAt %q, decidedAt %q", p.ID, p.AppliedAt, p.DecidedAt))
	}
	days := decided.Sub(applied).Hours() / 24
	_, err := a.at(p.DecidedAt, func(x *periodAcc) {
		x.days = append(x.days, days)
		if p.RegisteredAt == "" { // decided without a registration: refused (P3)
			x.p.Refusals++
		}
	})
	return err
}

// addDisposal counts a disposal (the one in force: a disposal undone is not one) with its price and
// the proceeds applied to the pledges.
func (a *statsAcc) addDisposal(p *api.Pledge) error {
	d := p.Disposal
	if d == nil {
		return nil
	}
	var applied int64
	for _, pr := range d.Proceeds {
		applied += mustCents(pr.Amount) // each at most the price: no overflow
	}
	_, err := a.at(d.At, func(x *periodAcc) {
		x.p.Disposals++
		x.price.add(d.Currency, d.Price)
		x.proceeds.add(d.Currency, formatCents(applied))
	})
	return err
}

// addRegistration counts a registration of the window: by bank, by kind, its rights' owners, and its
// secured amount when the caller holds its terms.
func (a *statsAcc) addRegistration(p *api.Pledge) error {
	var period *periodAcc
	in, err := a.at(p.RegisteredAt, func(x *periodAcc) {
		x.p.Registrations++
		if x != a.total {
			period = x
		}
	})
	if err != nil || !in {
		return err
	}
	kind, err := a.kindOf(p)
	if err != nil {
		return err
	}
	bank := a.banks[string(p.Pledgee.MSP)]
	if bank == nil {
		bank = &bankAcc{amounts: sums{}}
		a.banks[string(p.Pledgee.MSP)] = bank
	}
	k := a.byKind[kind]
	if k == nil {
		k = &kindAcc{amounts: sums{}}
		a.byKind[kind] = k
	}
	bank.registrations++
	k.registrations++
	k.rights += len(p.AssetIDs)
	for _, id := range p.AssetIDs {
		a.rights[id] = true
		for _, o := range p.Pledgors {
			if a.owners[o.ID] == nil {
				a.owners[o.ID] = &ownerRights{name: o.Name, rights: map[string]bool{}}
			}
			a.owners[o.ID].rights[id] = true
		}
	}
	if t, ok := a.terms(p); ok {
		for _, m := range []sums{period.secured, a.total.secured, bank.amounts, k.amounts} {
			m.add(t.Currency, t.Amount)
		}
	}
	return nil
}

func (x *periodAcc) result() api.StatisticsPeriod {
	out := x.p
	out.DecisionTimes = decisionTimes(x.days)
	out.SecuredAmount, out.DisposalPrice, out.ProceedsApplied = x.secured.list(), x.price.list(), x.proceeds.list()
	return out
}

// result is the answer: the intervals, the totals, by bank and kind, and the concentration.
func (a *statsAcc) result() api.Statistics {
	a.coverage.Complete = a.coverage.Read == a.coverage.Registrations
	out := api.Statistics{AsOf: a.s.now(), From: a.w.from, Interval: a.w.interval, Kind: a.kind, Pledgee: a.pledgee, PledgesRead: a.read,
		QueriedBy: a.s.tx.Caller.MSP, TermsCoverage: a.coverage, To: a.w.to, Totals: a.total.result(),
		Periods: make([]api.StatisticsPeriod, 0, len(a.periods)), ByBank: []api.BankStatistics{}, ByKind: []api.KindStatistics{}}
	for _, x := range a.periods {
		out.Periods = append(out.Periods, x.result())
	}
	for _, kind := range sortedKeys(a.byKind) {
		k := a.byKind[kind]
		out.ByKind = append(out.ByKind, api.KindStatistics{Amounts: k.amounts.list(), Kind: kind,
			Registrations: k.registrations, Rights: k.rights})
	}
	out.ByBank, out.Concentration = a.banksAndConcentration()
	return out
}

// banksAndConcentration is each bank's registrations and amounts with its shares, and the
// concentration of banks and owners. Shares of amounts are of CNY, and only when every registration's
// terms were read.
func (a *statsAcc) banksAndConcentration() ([]api.BankStatistics, api.Concentration) {
	const cny = "CNY"
	total, totalCNY := big.NewInt(int64(a.total.p.Registrations)), &big.Int{}
	if s := a.total.secured[cny]; s != nil {
		totalCNY = &s.cents
	}
	withAmounts := a.coverage.Complete && totalCNY.Sign() > 0
	var c api.Concentration
	var amountHHI float64
	banks := []api.BankStatistics{}
	for _, msp := range sortedKeys(a.banks) {
		b := a.banks[msp]
		st := api.BankStatistics{Amounts: b.amounts.list(), MSP: api.MSPID(msp), Registrations: b.registrations,
			RegistrationShare: ratio(big.NewInt(int64(b.registrations)), total)}
		c.RegistrationHHI += st.RegistrationShare * st.RegistrationShare
		if withAmounts {
			share := 0.0
			if s := b.amounts[cny]; s != nil {
				share = ratio(&s.cents, totalCNY)
			}
			st.AmountShare = &share
			amountHHI += share * share
		}
		banks = append(banks, st)
	}
	c.RegistrationHHI = round2(c.RegistrationHHI)
	if withAmounts {
		amountHHI = round2(amountHHI)
		c.AmountHHI = &amountHHI
	}
	c.PledgedRights = len(a.rights)
	for _, id := range sortedKeys(a.owners) {
		if o := a.owners[id]; len(o.rights) > c.TopOwnerRights {
			c.TopOwnerID, c.TopOwnerName, c.TopOwnerRights = id, o.name, len(o.rights)
		}
	}
	c.TopOwnerShare = ratio(big.NewInt(int64(c.TopOwnerRights)), big.NewInt(int64(c.PledgedRights)))
	return banks, c
}
