package rules

import (
	"encoding/json"
	"fmt"
	"regexp"

	api "github.com/ipledger/ipledger/chaincode/api"
)

var (
	industryPattern       = regexp.MustCompile(api.IndustryPattern)
	borrowerRegionPattern = regexp.MustCompile(api.RegionPattern)
)

// industryDivisions are the divisions (大类, two digits) of each section (门类) of GB/T 4754-2017.
var industryDivisions = map[byte][2]int{'A': {1, 5}, 'B': {6, 12}, 'C': {13, 43}, 'D': {44, 46}, 'E': {47, 50},
	'F': {51, 52}, 'G': {53, 60}, 'H': {61, 62}, 'I': {63, 65}, 'J': {66, 69}, 'K': {70, 70}, 'L': {71, 72},
	'M': {73, 75}, 'N': {76, 79}, 'O': {80, 82}, 'P': {83, 83}, 'Q': {84, 85}, 'R': {86, 90}, 'S': {91, 96}, 'T': {97, 97}}

// checkBorrower checks an application's industry and region (F9), both optional: an industry's
// division must be one of its section's.
func (c *check) checkBorrower(industry, region string) {
	if industry != "" {
		ok := industryPattern.MatchString(industry)
		if ok && len(industry) >= 3 {
			div, r := int(industry[1]-'0')*10+int(industry[2]-'0'), industryDivisions[industry[0]]
			ok = r[0] <= div && div <= r[1]
		}
		if !ok {
			c.fail("industry", "must be a code of GB/T 4754-2017 (国民经济行业分类): a section letter A to T, "+
				"alone or with one of its divisions, and a group or class of it (C, C39, C391, C3911)")
		}
	}
	if region != "" && !borrowerRegionPattern.MatchString(region) {
		c.fail("region", "must be a six-digit code of GB/T 2260 (行政区划代码), e.g. 420106")
	}
}

// industryGroup is the group an industry counts in: its GB/T 4754 section letter.
func industryGroup(industry string) string {
	if industry == "" {
		return api.Unstated
	}
	return industry[:1]
}

// regionGroup is the group a region counts in: its prefecture, the code's first four digits followed
// by 00 (420106, Wuchang District, counts in 420100, Wuhan); a county-level unit directly under its
// province (xx90xx: Xiantao 429004, Qianjiang 429005, Tianmen 429006, Shennongjia 429021) by its own
// code, as the province reports it. *Interpretation:* the guideline asks for figures by region; a
// prefecture is the level the province's reports use.
func regionGroup(region string) string {
	switch {
	case region == "":
		return api.Unstated
	case region[2:4] == "90":
		return region
	}
	return region[:4] + "00"
}

// GetEvaluation answers the evaluation of the province's IP finance over a window of dates (F9,
// api.Evaluation): from and to are dates in China time, both included; to defaults to today, from to
// the first day of to's year. The IP office, the regulator and the fund's manager get every bank's
// loans; a bank its own loans and its own covers, claims and subsidies; the other members are refused.
// Amounts come from the private terms and reports the caller's organization holds (V2, F2).
func (s *Service) GetEvaluation(from, to string) (string, error) {
	caller := s.tx.Caller
	if err := requireMember(caller); err != nil {
		return "", err
	}
	a := &evalAcc{s: s, byBank: map[string]*groupAcc{}, byIndustry: map[string]*groupAcc{}, byRegion: map[string]*groupAcc{},
		covered: map[string]bool{}, covers: map[string]*coverAcc{}, subsidies: map[string]*subsidyAcc{},
		seenSales: map[string]bool{}, valueRead: sums{}, salePrice: sums{}, fundApproved: sums{}, fundPaid: sums{}}
	a.all = newGroupAcc("all")
	switch kind, _ := api.KindOf(caller.MSP); {
	case caller.MSP == api.MSPIPOffice || caller.MSP == api.MSPRegulator || caller.MSP == api.MSPFund:
	case kind == api.KindBank:
		a.pledgee = caller.MSP
	default:
		return "", api.Forbidden("F9", "the evaluation is for the IP office, the regulator, the fund's manager, and each bank for its own loans",
			"msp", string(caller.MSP))
	}
	var c check
	if to == "" {
		to = s.today()
	}
	c.date("to", to)
	if from != "" {
		c.date("from", from)
	}
	if c.err != nil {
		return "", c.err
	}
	if from == "" {
		from = to[:4] + "-01-01"
	}
	if from > to {
		return "", api.Invalid("from", "must not be after to ("+to+")")
	}
	a.from, a.to = from, to
	// Covers first: a loan of the window counts as covered by a cover recorded at any time.
	if err := scanAll(s, keyCover, func(cv *api.Cover) error { return a.addCover(cv) }); err != nil {
		return "", err
	}
	if err := scanAll(s, keyPledge, func(p *api.Pledge) error { return a.addPledge(p) }); err != nil {
		return "", err
	}
	if err := scanAll(s, keyFundClaim, func(fc *api.FundClaim) error { a.addClaim(fc); return nil }); err != nil {
		return "", err
	}
	if err := scanAll(s, keySubsidy, func(sb *api.Subsidy) error { return a.addSubsidy(sb) }); err != nil {
		return "", err
	}
	return marshal(a.result())
}

// scanAll reads every record of a family, a page at a time (StatisticsPageSize), and hands each to f.
func scanAll[T any](s *Service, family string, f func(*T) error) error {
	bookmark := ""
	for {
		page, next, err := s.l.ScanValuesPage(family, nil, StatisticsPageSize, bookmark)
		if err != nil {
			return internal("scan", err)
		}
		for _, kv := range page {
			v := new(T)
			if err := json.Unmarshal(kv.Value, v); err != nil {
				return internal("decode "+family, fmt.Errorf("%q: %w", kv.Key, err))
			}
			if err := f(v); err != nil {
				return err
			}
		}
		if next == "" || len(page) == 0 {
			return nil
		}
		bookmark = next
	}
}

// evalAcc accumulates an evaluation, one record at a time.
type evalAcc struct {
	s                                 *Service
	from, to                          string
	pledgee                           api.MSPID // a bank's own figures; "" for every bank's
	all                               *groupAcc
	byBank, byIndustry, byRegion      map[string]*groupAcc
	coverage                          api.TermsCoverage
	covered                           map[string]bool // pledge ids with a cover
	covers                            map[string]*coverAcc
	subsidies                         map[string]*subsidyAcc
	sales, partSales, valuesRead      int
	comparable                        int             // values read in their sale's currency
	seenSales                         map[string]bool // report id and sale, each counted once
	valueRead, salePrice              sums
	fundApproved, fundPaid            sums
	fundApprovedN, fundPaidN, refused int
}

type groupAcc struct {
	g       api.EvaluationGroup
	amounts sums
}

func newGroupAcc(key string) *groupAcc {
	return &groupAcc{g: api.EvaluationGroup{Key: key}, amounts: sums{}}
}

type coverAcc struct {
	f              api.CoverFigures
	premiums, paid sums
}

type subsidyAcc struct {
	f              api.SubsidyFigures
	approved, paid sums
	loans, flagged map[string]bool // pledge ids
}

// in says whether the date of a time the chaincode wrote is in the window.
func (a *evalAcc) in(ts string) bool {
	if ts == "" {
		return false
	}
	d := dayOf(ts)
	return a.from <= d && d <= a.to
}

func (a *evalAcc) mine(bank api.MSPID) bool { return a.pledgee == "" || bank == a.pledgee }

func (a *evalAcc) addCover(cv *api.Cover) error {
	if !a.mine(cv.Pledgee) {
		return nil
	}
	a.covered[cv.PledgeID] = true
	k := a.covers[cv.Kind]
	if k == nil {
		k = &coverAcc{f: api.CoverFigures{Kind: cv.Kind}, premiums: sums{}, paid: sums{}}
		a.covers[cv.Kind] = k
	}
	if a.in(cv.RecordedAt) {
		k.f.Recorded++
		k.premiums.add(cv.Currency, cv.Premium)
	}
	if cv.Payment != nil && a.in(cv.Payment.At) {
		k.f.Payments++
		k.paid.add(cv.Payment.Currency, cv.Payment.Amount)
	}
	return nil
}

// addPledge counts a loan registered in the window in its groups, and a sale in the window of a
// pledge that cited a report against the report's value.
func (a *evalAcc) addPledge(p *api.Pledge) error {
	if !a.mine(p.Pledgee.MSP) {
		return nil
	}
	if a.in(p.RegisteredAt) {
		terms, read := a.s.readTerms(p, &a.coverage)
		for _, g := range []*groupAcc{a.all, group(a.byBank, string(p.Pledgee.MSP)), group(a.byIndustry, industryGroup(p.Industry)),
			group(a.byRegion, regionGroup(p.Region))} {
			g.g.Loans++
			if read {
				g.amounts.add(terms.Currency, terms.Amount)
			}
			if a.covered[p.ID] {
				g.g.Covered++
			}
			if p.Default != nil {
				g.g.Defaulted++
			}
			if p.ValuationReportID != "" {
				g.g.Valued++
			}
		}
	}
	return a.addSale(p)
}

func group(m map[string]*groupAcc, key string) *groupAcc {
	if m[key] == nil {
		m[key] = newGroupAcc(key)
	}
	return m[key]
}

// addSale counts the sale in the window of the rights of a pledge that cited a report (its own
// disposal, or another pledge's that discharged it), once per report and sale: the report's value, when
// the caller may read it and the peer holds it, against the sale's price. A sale of more rights than
// the report valued is counted apart (partSales): its price is not the report's rights' alone.
func (a *evalAcc) addSale(p *api.Pledge) error {
	if p.ValuationReportID == "" {
		return nil
	}
	sale, sold := p.Disposal, p.AssetIDs
	if sale == nil && p.Discharge != nil && p.Discharge.DisposalPledgeID != "" {
		d, err := a.s.loadPledge(p.Discharge.DisposalPledgeID)
		if err != nil {
			return err
		}
		sale, sold = d.Disposal, d.AssetIDs // nil when that disposal was undone
	}
	if sale == nil || !a.in(sale.At) || a.seenSales[p.ValuationReportID+"\x00"+sale.TxID] {
		return nil
	}
	a.seenSales[p.ValuationReportID+"\x00"+sale.TxID] = true
	r, err := a.s.loadValuation(p.ValuationReportID)
	if err != nil {
		return err
	}
	if !sameIDs(r.AssetIDs, sold, func(id string) string { return id }) {
		a.partSales++
		return nil
	}
	a.sales++
	if !mayReadValuation(a.s.tx.Caller, r) {
		return nil
	}
	// A value not on this peer (one outside the collection) or not the one recorded is not counted.
	rec, ok := a.s.readValuation(r)
	if !ok {
		return nil
	}
	a.valuesRead++
	if rec.Value.Currency == sale.Currency {
		a.comparable++
		a.valueRead.add(rec.Value.Currency, rec.Value.Value)
		a.salePrice.add(sale.Currency, sale.Price)
	}
	return nil
}

// readValuation is a report's private value when this peer holds it and it hashes to the report's
// public hash; ok is false otherwise.
func (s *Service) readValuation(r *api.ValuationReport) (*privateValuation, bool) {
	rec, err := s.valuationValue(r)
	if err != nil || ValuationHash(rec.Value) != r.ValueHash {
		return nil, false
	}
	return rec, true
}

func (a *evalAcc) addClaim(fc *api.FundClaim) {
	if !a.mine(fc.Bank) {
		return
	}
	switch {
	case fc.Status == api.FundRefused && a.in(fc.DecidedAt):
		a.refused++
	case (fc.Status == api.FundApproved || fc.Status == api.FundPaid) && a.in(fc.DecidedAt):
		a.fundApprovedN++
		a.fundApproved.add(fc.Currency, fc.Approved)
	}
	if fc.Payment != nil && a.in(fc.Payment.At) {
		a.fundPaidN++
		a.fundPaid.add(fc.Currency, fc.Approved)
	}
}

func newSubsidyAcc(kind string) *subsidyAcc {
	return &subsidyAcc{f: api.SubsidyFigures{Kind: kind}, approved: sums{}, paid: sums{}, loans: map[string]bool{}, flagged: map[string]bool{}}
}

func (a *evalAcc) addSubsidy(sb *api.Subsidy) error {
	if !a.mine(sb.Bank) {
		return nil
	}
	k := a.subsidies[sb.Kind]
	if k == nil {
		k = newSubsidyAcc(sb.Kind)
		a.subsidies[sb.Kind] = k
	}
	if (sb.Status == api.FundApproved || sb.Status == api.FundPaid) && a.in(sb.DecidedAt) {
		k.f.Approved++
		k.approved.add(sb.Currency, sb.Approved)
		k.loans[sb.PledgeID] = true
		p, err := a.s.loadPledge(sb.PledgeID)
		if err != nil {
			return err
		}
		if len(subsidyFlags(p)) > 0 {
			k.flagged[sb.PledgeID] = true
		}
	}
	if sb.Payment != nil && a.in(sb.Payment.At) {
		k.f.Paid++
		k.paid.add(sb.Currency, sb.Approved)
	}
	return nil
}

func (g *groupAcc) result() api.EvaluationGroup {
	out := g.g
	out.Amounts = g.amounts.list()
	return out
}

func groups(m map[string]*groupAcc) []api.EvaluationGroup {
	out := []api.EvaluationGroup{}
	for _, k := range sortedKeys(m) {
		out = append(out, m[k].result())
	}
	return out
}

// result is the answer: every list in the order of its keys, every kind of cover and subsidy listed.
func (a *evalAcc) result() api.Evaluation {
	a.coverage.Complete = a.coverage.Read == a.coverage.Registrations
	out := api.Evaluation{AsOf: a.s.now(), From: a.from, To: a.to, Pledgee: a.pledgee, QueriedBy: a.s.tx.Caller.MSP,
		TermsCoverage: a.coverage, Loans: a.all.result(), ByBank: groups(a.byBank), ByIndustry: groups(a.byIndustry),
		ByRegion: groups(a.byRegion), Covers: []api.CoverFigures{}, Subsidies: []api.SubsidyFigures{},
		Fund: api.FundFigures{Approved: a.fundApprovedN, ApprovedAmount: a.fundApproved.list(), Paid: a.fundPaidN,
			PaidAmount: a.fundPaid.list(), Refused: a.refused},
		Valuations: api.ValuationFigures{Sales: a.sales, PartSales: a.partSales, ValuesRead: a.valuesRead,
			Value: a.valueRead.list(), Price: a.salePrice.list()}}
	if v, p := a.valueRead["CNY"], a.salePrice["CNY"]; a.comparable == a.sales && v != nil && p != nil && v.cents.Sign() > 0 {
		r := ratio(&p.cents, &v.cents)
		out.Valuations.Recovery = &r
	}
	for _, kind := range api.CoverKinds {
		k := a.covers[kind]
		if k == nil {
			k = &coverAcc{f: api.CoverFigures{Kind: kind}, premiums: sums{}, paid: sums{}}
		}
		f := k.f
		f.Premiums, f.Paid = k.premiums.list(), k.paid.list()
		out.Covers = append(out.Covers, f)
	}
	for _, kind := range api.SubsidyKinds {
		k := a.subsidies[kind]
		if k == nil {
			k = newSubsidyAcc(kind)
		}
		f := k.f
		f.ApprovedAmount, f.PaidAmount, f.Loans, f.Flagged = k.approved.list(), k.paid.list(), len(k.loans), len(k.flagged)
		out.Subsidies = append(out.Subsidies, f)
	}
	return out
}
