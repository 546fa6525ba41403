package rules

import (
	"fmt"
	"slices"

	api "github.com/ipledger/ipledger/chaincode/api"
)

func subsidyKey(id string) string { return CompositeKey(keySubsidy, id) }

// ParseSubsidy decodes and validates an ApplyForSubsidy payload (F8).
func ParseSubsidy(payload string) (api.SubsidyInput, error) {
	var in api.SubsidyInput
	if err := DecodeStrict("subsidy", payload, &in); err != nil {
		return in, err
	}
	var c check
	enum(&c, "kind", in.Kind, api.SubsidyKinds)
	c.id("pledgeId", in.PledgeID)
	c.id("enterprise.id", in.Enterprise.ID)
	c.text("enterprise.name", in.Enterprise.Name, 1, 200)
	in.Basis = c.positiveMoney("basis", in.Basis)
	if !currencyPattern.MatchString(in.Currency) {
		c.fail("currency", "must be an ISO 4217 code such as CNY")
	}
	c.hash("evidenceHash", in.EvidenceHash)
	switch in.Kind {
	case api.SubsidyInterest:
		c.date("periodStart", in.PeriodStart)
		c.date("periodEnd", in.PeriodEnd)
		if c.err == nil && in.PeriodEnd < in.PeriodStart {
			c.fail("periodEnd", "must not be before periodStart")
		}
		if in.CoverID != "" {
			c.fail("coverId", "is for a premium subsidy only")
		}
	case api.SubsidyPremium:
		c.id("coverId", in.CoverID)
		if in.PeriodStart != "" || in.PeriodEnd != "" {
			c.fail("periodStart", "is for a loan-interest subsidy only")
		}
	case api.SubsidyValuationFee:
		if in.CoverID != "" || in.PeriodStart != "" || in.PeriodEnd != "" {
			c.fail("coverId", "a valuation-fee subsidy is for the pledge's cited report: no coverId or period")
		}
	}
	return in, c.err
}

// subsidyBasis is what an application is for, so that nothing is subsidised twice (F8): a loan's
// interest (by its pledge: the periods of one loan must not overlap), a cover's premium, or a
// report's fee (by the report: a report cited again by a later pledge is not paid for again).
func subsidyBasis(in api.SubsidyInput, p *api.Pledge) string {
	switch in.Kind {
	case api.SubsidyInterest:
		return p.ID
	case api.SubsidyPremium:
		return in.CoverID
	}
	return p.ValuationReportID
}

// ApplyForSubsidy files the calling bank's application for a subsidy supporting one of its registered
// pledges (F8): a loan-interest subsidy for a period within the debt term, a premium subsidy for a
// cover of the pledge, or a valuation-fee subsidy for the report the pledge cites; for an enterprise
// that is a pledgor or the debtor; each period, cover or report once. The pledgee bank only.
func (s *Service) ApplyForSubsidy(requestID, payload string) (string, error) {
	return s.submit(api.ApplyForSubsidy.Name, requestID, payload,
		func() error { return requireBank(s.tx.Caller, "F8") },
		func() (any, api.Event, error) {
			in, err := ParseSubsidy(payload)
			if err != nil {
				return nil, api.Event{}, err
			}
			p, err := s.loadPledge(in.PledgeID)
			if err != nil {
				return nil, api.Event{}, err
			}
			if err := s.requirePledgee(p, "F8"); err != nil {
				return nil, api.Event{}, err
			}
			if err := requireStatus(p, "F8", api.PledgeRegistered); err != nil {
				return nil, api.Event{}, err
			}
			if err := s.checkSubsidyBasis(in, p); err != nil {
				return nil, api.Event{}, err
			}
			basis := subsidyBasis(in, p)
			if err := s.noOpenSubsidy(in, basis); err != nil {
				return nil, api.Event{}, err
			}
			sb := &api.Subsidy{SubsidyInput: in, Bank: p.Pledgee.MSP, DocType: keySubsidy, FiledAt: s.now(),
				ID: s.derivedID("SB-"), FundDecision: api.FundDecision{Status: api.FundFiled}}
			if err := s.saveSubsidy(sb, "SubsidyApplied", ""); err != nil {
				return nil, api.Event{}, err
			}
			pol := FundClaimEndorsement(sb.Bank)
			if err := s.putIndex(pol, idxSubsidyPledge, p.ID, sb.ID); err != nil {
				return nil, api.Event{}, err
			}
			if err := s.putIndex(pol, idxSubsidyBasis, in.Kind, basis, sb.ID); err != nil {
				return nil, api.Event{}, err
			}
			return s.withFlags(sb, p), s.subsidyEvent("SubsidyApplied", sb), nil
		})
}

// noOpenSubsidy refuses (F8) an application for what a subsidy filed, approved or paid is already for:
// an interest period overlapping one of the same loan's (`period-overlaps`), the same cover's premium
// or the same report's fee (`already-applied`).
func (s *Service) noOpenSubsidy(in api.SubsidyInput, basis string) error {
	taken, err := s.l.Scan(idxSubsidyBasis, []string{in.Kind, basis})
	if err != nil {
		return internal("scan", err)
	}
	for _, k := range taken {
		_, attrs, err := SplitCompositeKey(k)
		if err != nil || len(attrs) != 3 {
			return internal("split key", fmt.Errorf("%q", k))
		}
		prior, err := s.loadSubsidy(attrs[2])
		if err != nil {
			return err
		}
		switch {
		case prior.Status == api.FundRefused:
		case in.Kind != api.SubsidyInterest:
			return api.Conflict("F8", "a subsidy of this kind for this is "+prior.Status, "pledgeId", in.PledgeID,
				"subsidyId", prior.ID, "reason", "already-applied")
		case prior.PeriodStart <= in.PeriodEnd && in.PeriodStart <= prior.PeriodEnd:
			return api.Conflict("F8", "the interest period overlaps one subsidised already ("+prior.Status+")",
				"pledgeId", in.PledgeID, "subsidyId", prior.ID, "periodStart", prior.PeriodStart,
				"periodEnd", prior.PeriodEnd, "reason", "period-overlaps")
		}
	}
	return nil
}

// checkSubsidyBasis refuses (F8) an application whose enterprise is not a party of the pledge, or
// whose basis does not fit its kind: an interest period outside the debt term or after today, a cover
// of another pledge or a basis above its premium, a valuation fee without a cited report.
func (s *Service) checkSubsidyBasis(in api.SubsidyInput, p *api.Pledge) error {
	refuse := func(reason, msg string, kv ...string) error {
		return api.Conflict("F8", msg, append([]string{"pledgeId", p.ID, "reason", reason}, kv...)...)
	}
	isParty := func(x api.Party) bool { return x.ID == in.Enterprise.ID }
	if !slices.ContainsFunc(p.Pledgors, isParty) && !slices.ContainsFunc(p.Debtors, isParty) {
		return refuse("not-a-party", "the enterprise is neither a pledgor nor the debtor of the pledge",
			"enterprise", in.Enterprise.ID)
	}
	switch in.Kind {
	case api.SubsidyInterest:
		if in.PeriodStart < p.DebtTermStart || in.PeriodEnd > p.DebtTermEnd || in.PeriodEnd > s.today() {
			return refuse("period-outside-term",
				"the interest period must lie within the debt term and not end after today",
				"debtTermStart", p.DebtTermStart, "debtTermEnd", p.DebtTermEnd)
		}
	case api.SubsidyPremium:
		cv, err := s.loadCover(in.CoverID)
		if err != nil {
			return err
		}
		if cv.PledgeID != p.ID {
			return refuse("cover-of-another-pledge", "the cover is of another pledge", "coverId", cv.ID)
		}
		if in.Currency != cv.Currency || mustCents(in.Basis) > mustCents(cv.Premium) {
			return refuse("basis-above-premium", "a premium subsidy's basis is at most the cover's premium",
				"coverId", cv.ID, "premium", cv.Premium, "currency", cv.Currency)
		}
	case api.SubsidyValuationFee:
		if p.ValuationReportID == "" {
			return refuse("no-cited-report", "the pledge cites no valuation report")
		}
	}
	return nil
}

func (s *Service) subsidyEvent(typ string, sb *api.Subsidy) api.Event {
	return api.Event{Type: typ, ID: sb.ID, PledgeIDs: []string{sb.PledgeID}, PledgeeMSPs: []api.MSPID{sb.Bank}, Status: sb.Status}
}

// saveSubsidy writes a subsidy (without its flags, which are computed when read) and moves its status
// index from old ("" for a new one).
func (s *Service) saveSubsidy(sb *api.Subsidy, action, old string) error {
	sb.Version++
	sb.LastChange = s.change(action)
	pol := FundClaimEndorsement(sb.Bank)
	if old != sb.Status {
		if old != "" {
			if err := s.delIndex(idxSubsidyStatus, old, sb.ID); err != nil {
				return err
			}
		}
		if err := s.putIndex(pol, idxSubsidyStatus, sb.Status, sb.ID); err != nil {
			return err
		}
	}
	rec := *sb
	rec.Flags = nil
	return s.put(subsidyKey(sb.ID), rec, pol)
}

func (s *Service) loadSubsidy(id string) (*api.Subsidy, error) {
	var c check
	if c.id("subsidyId", id); c.err != nil {
		return nil, c.err
	}
	sb := &api.Subsidy{}
	found, err := s.get(subsidyKey(id), sb)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, api.NotFound("subsidy", id)
	}
	return sb, nil
}

// subsidyFlags is what happened to a subsidised loan since (F8, the guideline's whole-process
// tracking), from its pledge as it is now: defaulted (defaulted, disposed or discharged by a sale),
// released before the debt term's end, revoked, deregistered.
func subsidyFlags(p *api.Pledge) []string {
	flags := []string{}
	if p.Default != nil || p.Status == api.PledgeDefaulted || p.Status == api.PledgeDisposed || p.Status == api.PledgeDischarged {
		flags = append(flags, api.FlagDefaulted)
	}
	if p.Status == api.PledgeReleased && p.Release != nil && dayOf(p.Release.At) < p.DebtTermEnd {
		flags = append(flags, api.FlagReleasedEarly)
	}
	if p.Status == api.PledgeRevoked {
		flags = append(flags, api.FlagRevoked)
	}
	if p.Status == api.PledgeDeregistered {
		flags = append(flags, api.FlagDeregistered)
	}
	return flags
}

func (s *Service) withFlags(sb *api.Subsidy, p *api.Pledge) *api.Subsidy {
	sb.Flags = subsidyFlags(p)
	return sb
}

// loadSubsidyFlagged loads a subsidy with its flags.
func (s *Service) loadSubsidyFlagged(id string) (*api.Subsidy, error) {
	sb, err := s.loadSubsidy(id)
	if err != nil {
		return nil, err
	}
	p, err := s.loadPledge(sb.PledgeID)
	if err != nil {
		return nil, err
	}
	return s.withFlags(sb, p), nil
}

// subsidyShare is the rules' share for a kind of subsidy (F6).
func subsidyShare(r *api.FundRules, kind string) int {
	switch kind {
	case api.SubsidyInterest:
		return r.InterestSubsidyShare
	case api.SubsidyPremium:
		return r.PremiumSubsidyShare
	}
	return r.ValuationFeeSubsidyShare
}

// ApproveSubsidy approves a filed application (F8): the rules' share of its basis for its kind, within
// what is left of the enterprise's cap for this year, counted against it. A loan flagged since the
// application (defaulted, released early, revoked, deregistered) is refused `loan-flagged`: the
// manager refuses it with its reasons or, knowing the flags, the guideline's tracking shows them on
// every answer. The fund's manager only.
func (s *Service) ApproveSubsidy(requestID, subsidyID, payload string) (string, error) {
	return s.submit(api.ApproveSubsidy.Name, requestID, subsidyID+"\x00"+payload,
		func() error { return requireOrg(s.tx.Caller, "F8", api.MSPFund) },
		func() (any, api.Event, error) {
			in, err := parseFundDecision(payload)
			if err != nil {
				return nil, api.Event{}, err
			}
			sb, err := s.loadSubsidyFlagged(subsidyID)
			if err != nil {
				return nil, api.Event{}, err
			}
			if sb.Status != api.FundFiled {
				return nil, api.Event{}, api.Conflict("F8", "the subsidy is "+sb.Status, "subsidyId", sb.ID,
					"status", sb.Status, "reason", "not-filed")
			}
			if len(sb.Flags) > 0 {
				return nil, api.Event{}, api.Conflict("F8", "the supported loan is flagged: "+sb.Flags[0], "subsidyId", sb.ID,
					"flag", sb.Flags[0], "reason", "loan-flagged")
			}
			year := s.year()
			r, err := s.fundRules(year, "F8")
			if err != nil {
				return nil, api.Event{}, err
			}
			if r.Currency != sb.Currency {
				return nil, api.Event{}, api.Conflict("F8", "the basis is in another currency than the fund's",
					"currency", sb.Currency, "fundCurrency", r.Currency, "reason", "currency-mismatch")
			}
			counter := fundUsage(year, "enterprise", sb.Enterprise.ID)
			used, err := s.usage(counter)
			if err != nil {
				return nil, api.Event{}, err
			}
			computed := shareOf(mustCents(sb.Basis), subsidyShare(r, sb.Kind))
			amount := min(computed, mustCents(r.SubsidyCapPerEnterprise)-used)
			if amount <= 0 {
				return nil, api.Event{}, api.Conflict("F8", "nothing is left under the enterprise's cap for this year",
					"subsidyId", sb.ID, "enterpriseApproved", formatCents(used), "cap", r.SubsidyCapPerEnterprise,
					"computed", formatCents(computed), "reason", "cap-reached")
			}
			if err := s.spend(r, amount, counter); err != nil {
				return nil, api.Event{}, err
			}
			sb.Approved, sb.Computed, sb.DecidedAt, sb.Note, sb.Status, sb.Year = formatCents(amount), formatCents(computed),
				s.now(), in.Note, api.FundApproved, year
			if err := s.saveSubsidy(sb, "SubsidyApproved", api.FundFiled); err != nil {
				return nil, api.Event{}, err
			}
			return sb, s.subsidyEvent("SubsidyApproved", sb), nil
		})
}

// RefuseSubsidy refuses a filed application with reason codes and a note (F8). The fund's manager only.
func (s *Service) RefuseSubsidy(requestID, subsidyID, payload string) (string, error) {
	return s.fundStep(api.RefuseSubsidy.Name, requestID, subsidyID, payload, "F8", api.FundFiled, "SubsidyRefused",
		s.parseFundRefusal, s.subsidyRecord)
}

// PaySubsidy records the payment of an approved subsidy (F8). The fund's manager only.
func (s *Service) PaySubsidy(requestID, subsidyID, payload string) (string, error) {
	return s.fundStep(api.PaySubsidy.Name, requestID, subsidyID, payload, "F8", api.FundApproved, "SubsidyPaid",
		s.parseFundPay, s.subsidyRecord)
}

func (s *Service) subsidyRecord(id string) (fundRecord, error) {
	sb, err := s.loadSubsidyFlagged(id)
	if err != nil {
		return fundRecord{}, err
	}
	return fundRecord{decision: &sb.FundDecision, idKey: "subsidyId", id: sb.ID, value: sb,
		save:  func(action, old string) error { return s.saveSubsidy(sb, action, old) },
		event: func(typ string) api.Event { return s.subsidyEvent(typ, sb) }}, nil
}

// GetSubsidy returns a subsidy with its flags (F8); public to members.
func (s *Service) GetSubsidy(subsidyID string) (string, error) {
	if err := requireMember(s.tx.Caller); err != nil {
		return "", err
	}
	sb, err := s.loadSubsidyFlagged(subsidyID)
	if err != nil {
		return "", err
	}
	return marshal(sb)
}

// ListSubsidies lists one page of the subsidies of a pledge or in a status, exactly one of the two,
// each with its flags (F8).
func (s *Service) ListSubsidies(pledgeID, status string, size int32, bookmark string) (string, error) {
	family, attr, err := byPledgeOrStatus(idxSubsidyPledge, idxSubsidyStatus, pledgeID, status)
	if err != nil {
		return "", err
	}
	items, next, err := listPage(s, family, []string{attr}, size, bookmark, s.loadSubsidyFlagged, nil)
	if err != nil {
		return "", err
	}
	return marshal(api.SubsidyPage{Bookmark: next, Count: len(items), Items: items})
}
