package rules

import (
	api "github.com/ipledger/ipledger/chaincode/api"
)

// securityOf is a pledge's security type; a pledge filed before security types existed is ordinary.
func securityOf(p *api.Pledge) string {
	if p.SecurityType == "" {
		return api.SecurityOrdinary
	}
	return p.SecurityType
}

// checkSecurity validates the security type, claim-determination period (P11) and debtor (P12) of an
// application: a maximum-amount pledge has a period, start not after end; an ordinary one has none.
func (c *check) checkSecurity(in *api.PledgeApplication) {
	if in.SecurityType == "" {
		in.SecurityType = api.SecurityOrdinary
	}
	enum(c, "securityType", in.SecurityType, api.SecurityTypes)
	switch {
	case in.SecurityType == api.SecurityMaximumAmount && in.ClaimPeriod == nil:
		c.fail("claimPeriod", "is required for a maximum-amount pledge")
	case in.SecurityType == api.SecurityOrdinary && in.ClaimPeriod != nil:
		c.fail("claimPeriod", "only a maximum-amount pledge has a claim-determination period")
	case in.ClaimPeriod != nil:
		c.date("claimPeriod.start", in.ClaimPeriod.Start)
		c.date("claimPeriod.end", in.ClaimPeriod.End)
		if c.err == nil && in.ClaimPeriod.End < in.ClaimPeriod.Start {
			c.fail("claimPeriod.end", "must not be before claimPeriod.start")
		}
	}
	if in.Debtor != nil {
		c.id("debtor.id", in.Debtor.ID)
		c.text("debtor.name", in.Debtor.Name, 1, 200)
	}
}

// checkTermsSecurity: the private terms of a maximum-amount pledge state its maximum amount; an
// ordinary pledge's terms have none (P11).
func checkTermsSecurity(securityType string, t api.Terms) error {
	switch {
	case securityType == api.SecurityMaximumAmount && t.MaximumAmount == "":
		return api.Invalid("terms.maximumAmount", "is required for a maximum-amount pledge")
	case securityType != api.SecurityMaximumAmount && t.MaximumAmount != "":
		return api.Invalid("terms.maximumAmount", "only a maximum-amount pledge has a maximum amount")
	}
	return nil
}

// debtorsOf are the debtors of an application: the debtor it names (P12), else the pledgors.
func debtorsOf(in api.PledgeApplication) []api.Party {
	if in.Debtor != nil {
		return []api.Party{*in.Debtor}
	}
	return append([]api.Party(nil), in.Pledgors...)
}

// parseClaimDates validates the dates a claim on a maximum-amount pledge arose (P11); an ordinary
// pledge's claim has none.
func parseClaimDates(field string, p *api.Pledge, in api.ClaimInput) error {
	var c check
	if securityOf(p) != api.SecurityMaximumAmount {
		if in.ArisenFrom != "" || in.ArisenTo != "" {
			c.fail(field+"arisenFrom", "only the claims of a maximum-amount pledge state when they arose")
		}
		return c.err
	}
	c.date(field+"arisenFrom", in.ArisenFrom)
	c.date(field+"arisenTo", in.ArisenTo)
	if c.err == nil && in.ArisenTo < in.ArisenFrom {
		c.fail(field+"arisenTo", "must not be before arisenFrom")
	}
	return c.err
}

// determineByPeriod records the determination of a maximum-amount pledge's claims when its period
// has run out (Civil Code 423(1)): the next transaction on the pledge writes it down, dated the
// period's last day. Nothing happens to an ordinary pledge or one already determined.
func (s *Service) determineByPeriod(p *api.Pledge) {
	if securityOf(p) != api.SecurityMaximumAmount || p.ClaimsDetermination != nil || p.ClaimPeriod == nil {
		return
	}
	if s.today() > p.ClaimPeriod.End {
		p.ClaimsDetermination = &api.Determination{At: s.now(), Basis: api.DeterminationPeriodEnded,
			Date: p.ClaimPeriod.End, TxID: s.tx.ID}
	}
}

// determineByDefault records the determination of a maximum-amount pledge's claims when its pledgee
// declares default to realize it (Civil Code 423(3), (6)), unless the period had already run out.
func (s *Service) determineByDefault(p *api.Pledge) {
	if securityOf(p) != api.SecurityMaximumAmount || p.ClaimsDetermination != nil {
		return
	}
	if s.determineByPeriod(p); p.ClaimsDetermination == nil {
		p.ClaimsDetermination = &api.Determination{At: s.now(), Basis: api.DeterminationDefault,
			Date: s.today(), TxID: s.tx.ID}
	}
}

// checkClaimWindow: the claims stated on a maximum-amount pledge arose within its claim-determination
// period, not after the determination of its claims, and not after today (P11).
func (s *Service) checkClaimWindow(p *api.Pledge, in api.ClaimInput) error {
	if securityOf(p) != api.SecurityMaximumAmount || p.ClaimPeriod == nil {
		return nil
	}
	last := min(p.ClaimPeriod.End, s.today())
	if d := p.ClaimsDetermination; d != nil {
		last = min(last, d.Date)
	}
	if in.ArisenFrom < p.ClaimPeriod.Start || in.ArisenTo > last {
		return api.Conflict("P11", "a maximum-amount pledge secures only the claims arising within its claim-determination period, "+
			"up to the determination of its claims", "pledgeId", p.ID, "periodStart", p.ClaimPeriod.Start,
			"lastDay", last, "reason", "claim-outside-period")
	}
	return nil
}

// checkCeiling checks a stated claim against the maximum amount of a maximum-amount pledge's terms
// (P11), the amount of an ordinary one's (P8). The refusal names neither amount of the terms.
func checkCeiling(p *api.Pledge, t api.Terms, in api.ClaimInput) error {
	if securityOf(p) == api.SecurityMaximumAmount && t.MaximumAmount != "" {
		if mustCents(in.Amount) > mustCents(t.MaximumAmount) {
			return api.Conflict("P11", "the claim is more than the maximum amount in the private terms",
				"pledgeId", p.ID, "claim", in.Amount, "reason", "claim-above-maximum-amount")
		}
		return nil
	}
	if mustCents(in.Amount) > mustCents(t.Amount) {
		return api.Conflict("P8", "the claim is more than the secured debt's amount in the private terms",
			"pledgeId", p.ID, "claim", in.Amount, "reason", "claim-above-secured-amount")
	}
	return nil
}

// encumbranceOf is a registered pledge as its rights list it, with its rank there: with its security
// type and period (P11) and its debtors (P12), for whoever reads the register.
func encumbranceOf(p *api.Pledge, rank int, status api.PledgeStatus) api.Encumbrance {
	return api.Encumbrance{ClaimPeriod: p.ClaimPeriod, Debtors: p.Debtors, PledgeID: p.ID, PledgeeMSP: p.Pledgee.MSP,
		Rank: rank, RegisteredAt: p.RegisteredAt, RegistrationNumber: p.RegistrationNumber,
		RegistrationTxID: p.RegistrationTxID, SecurityType: p.SecurityType, Status: status}
}
