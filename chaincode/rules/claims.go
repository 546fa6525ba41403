package rules

import (
	"encoding/json"

	api "github.com/ipledger/ipledger/chaincode/api"
)

// parseClaim validates a stated claim: a positive amount in an ISO 4217 currency (P8).
func parseClaim(field string, in api.ClaimInput) error {
	var c check
	c.positiveMoney(field+"amount", in.Amount)
	if !currencyPattern.MatchString(in.Currency) {
		c.fail(field+"currency", "must be an ISO 4217 code such as CNY")
	}
	return c.err
}

// privateTerms reads a pledge's private terms from its pledgee's collection (V2). Only the peers of the
// pledgee bank, the IP office and the regulator can: the first two endorse the pledge's transactions.
func (s *Service) privateTerms(p *api.Pledge) (api.Terms, error) {
	raw, err := s.l.GetPrivate(p.TermsCollection, pledgeKey(p.ID))
	if err != nil {
		return api.Terms{}, internal("get private data", err)
	}
	if raw == nil {
		return api.Terms{}, api.NotFound("terms", p.ID)
	}
	var rec PrivateTerms
	if err := json.Unmarshal(raw, &rec); err != nil {
		return api.Terms{}, internal("decode terms", err)
	}
	return rec.Terms, nil
}

// statedClaim checks a pledgee's stated outstanding claim against the pledge's private terms: the same
// currency, and not more than the secured amount (P8) or, for a maximum-amount pledge, its maximum
// amount, the claims having arisen within its claim-determination period (P11). The refusal names neither amount of the terms:
// a refusal may be kept on the public ledger. The claim is returned ready to be put on the pledge.
func (s *Service) statedClaim(p *api.Pledge, in api.ClaimInput) (*api.Claim, error) {
	terms, err := s.privateTerms(p)
	if err != nil {
		return nil, err
	}
	if in.Currency != terms.Currency {
		return nil, api.Conflict("P8", "the claim is not in the currency of the secured debt", "pledgeId", p.ID,
			"currency", in.Currency, "reason", "currency-mismatch")
	}
	if err := checkCeiling(p, terms, in); err != nil {
		return nil, err
	}
	if err := s.checkClaimWindow(p, in); err != nil {
		return nil, err
	}
	return &api.Claim{Amount: formatCents(mustCents(in.Amount)), ArisenFrom: in.ArisenFrom, ArisenTo: in.ArisenTo,
		At: s.now(), Currency: in.Currency, TermsHash: p.TermsHash, TxID: s.tx.ID}, nil
}

// StateClaim records the outstanding secured claim of an active pledge (P8), checked against its private
// terms: a disposal of its rights by another pledge pays it only up to a stated claim. It may be stated
// again, e.g. after a repayment. Pledgee only; endorsed by the IP office and the pledgee bank, whose
// peers hold the terms.
func (s *Service) StateClaim(requestID, pledgeID, payload string) (string, error) {
	return s.pledgeeOp(api.StateClaim.Name, requestID, pledgeID, payload, "P8", func(p *api.Pledge) (api.Event, error) {
		var in api.ClaimInput
		if err := DecodeStrict("claim", payload, &in); err != nil {
			return api.Event{}, err
		}
		if err := parseClaim("", in); err != nil {
			return api.Event{}, err
		}
		if err := parseClaimDates("", p, in); err != nil {
			return api.Event{}, err
		}
		if err := requireStatus(p, "P8", api.PledgeRegistered, api.PledgeDefaulted); err != nil {
			return api.Event{}, err
		}
		s.determineByPeriod(p)
		claim, err := s.statedClaim(p, in)
		if err != nil {
			return api.Event{}, err
		}
		p.Claim = claim
		if err := s.savePledge(p, "PledgeClaimStated"); err != nil {
			return api.Event{}, err
		}
		return s.pledgeEvent("PledgeClaimStated", p), nil
	})
}
