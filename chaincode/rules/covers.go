package rules

import (
	"fmt"
	"slices"

	api "github.com/ipledger/ipledger/chaincode/api"
)

// Keys of the covers (F4, F5).
const (
	keyCover            = "cover"            // cover id
	idxCoverPledge      = "cover-by-pledge"  // pledge id, cover id
	idxCoverInsurer     = "cover-by-insurer" // insurer MSP, cover id
	idxCoverPolicy      = "cover-by-policy"  // insurer MSP, policy number, cover id
	maxPolicyNumberLen  = 64
	maxClaimReferenceLn = 64
)

func coverKey(id string) string { return CompositeKey(keyCover, id) }

// CoverEndorsement is the key-level policy of a cover's keys (I1): the insurer and the pledgee bank.
func CoverEndorsement(insurer, bank api.MSPID) api.Endorsement {
	return api.Endorsement{All: []api.MSPID{insurer, bank}}
}

// ParseCover decodes and validates a RecordCover payload (F4).
func ParseCover(payload string) (api.CoverInput, error) {
	var in api.CoverInput
	if err := DecodeStrict("cover", payload, &in); err != nil {
		return in, err
	}
	var c check
	enum(&c, "kind", in.Kind, api.CoverKinds)
	c.id("pledgeId", in.PledgeID)
	c.text("policyNumber", in.PolicyNumber, 1, maxPolicyNumberLen)
	if in.CoveredShare < 1 || in.CoveredShare > 10000 {
		c.fail("coveredShare", "must be basis points from 1 to 10000")
	}
	c.date("termStart", in.TermStart)
	c.date("termEnd", in.TermEnd)
	if c.err == nil && in.TermEnd < in.TermStart {
		c.fail("termEnd", "must not be before termStart")
	}
	in.Premium = c.money("premium", in.Premium)
	if !currencyPattern.MatchString(in.Currency) {
		c.fail("currency", "must be an ISO 4217 code such as CNY")
	}
	return in, c.err
}

// RecordCover records the calling insurer's insurance or guarantee on a registered pledge's loan
// (F4): one record per policy number of an insurer, a term not yet ended. The pledgee bank endorses it
// with the insurer.
func (s *Service) RecordCover(requestID, payload string) (string, error) {
	return s.submit(api.RecordCover.Name, requestID, payload,
		func() error { return requireKind(s.tx.Caller, "F4", api.KindInsurer) },
		func() (any, api.Event, error) {
			in, err := ParseCover(payload)
			if err != nil {
				return nil, api.Event{}, err
			}
			p, err := s.loadPledge(in.PledgeID)
			if err != nil {
				return nil, api.Event{}, err
			}
			if err := requireStatus(p, "F4", api.PledgeRegistered); err != nil {
				return nil, api.Event{}, err
			}
			if in.TermEnd < s.today() {
				return nil, api.Event{}, api.Conflict("F4", "the cover's term has already ended", "termEnd", in.TermEnd,
					"reason", "term-ended")
			}
			insurer := s.tx.Caller.MSP
			taken, err := s.l.Scan(idxCoverPolicy, []string{string(insurer), in.PolicyNumber})
			if err != nil {
				return nil, api.Event{}, internal("scan", err)
			}
			if len(taken) > 0 {
				return nil, api.Event{}, api.Conflict("F4", "this insurer recorded a cover under that number already",
					"policyNumber", in.PolicyNumber, "reason", "policy-number-taken")
			}
			cv := &api.Cover{CoveredShare: in.CoveredShare, Currency: in.Currency, DocType: keyCover, ID: s.derivedID("CV-"),
				Insurer: insurer, Kind: in.Kind, PledgeID: p.ID, Pledgee: p.Pledgee.MSP, PolicyNumber: in.PolicyNumber,
				Premium: in.Premium, RecordedAt: s.now(), TermEnd: in.TermEnd, TermStart: in.TermStart}
			if err := s.saveCover(cv, "CoverRecorded"); err != nil {
				return nil, api.Event{}, err
			}
			pol := CoverEndorsement(insurer, p.Pledgee.MSP)
			for _, idx := range [][]string{{idxCoverPledge, p.ID, cv.ID}, {idxCoverInsurer, string(insurer), cv.ID},
				{idxCoverPolicy, string(insurer), in.PolicyNumber, cv.ID}} {
				if err := s.putIndex(pol, idx[0], idx[1:]...); err != nil {
					return nil, api.Event{}, err
				}
			}
			return cv, api.Event{Type: "CoverRecorded", ID: cv.ID, AssetIDs: p.AssetIDs, PledgeIDs: []string{p.ID},
				PledgeeMSPs: []api.MSPID{p.Pledgee.MSP}}, nil
		})
}

func (s *Service) saveCover(cv *api.Cover, action string) error {
	cv.Version++
	cv.LastChange = s.change(action)
	return s.put(coverKey(cv.ID), cv, CoverEndorsement(cv.Insurer, cv.Pledgee))
}

func (s *Service) loadCover(id string) (*api.Cover, error) {
	var c check
	if c.id("coverId", id); c.err != nil {
		return nil, c.err
	}
	cv := &api.Cover{}
	found, err := s.get(coverKey(id), cv)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, api.NotFound("cover", id)
	}
	return cv, nil
}

// GetCover returns a cover (F4); public to members.
func (s *Service) GetCover(coverID string) (string, error) {
	if err := requireMember(s.tx.Caller); err != nil {
		return "", err
	}
	cv, err := s.loadCover(coverID)
	if err != nil {
		return "", err
	}
	return marshal(cv)
}

// ListCovers lists one page of the covers of a pledge or of an insurer, exactly one of the two (F4).
func (s *Service) ListCovers(pledgeID, insurer string, size int32, bookmark string) (string, error) {
	family, attr := idxCoverPledge, pledgeID
	switch {
	case (pledgeID == "") == (insurer == ""):
		return "", api.Invalid("pledgeId", "give exactly one of pledgeId and insurer")
	case insurer != "":
		family, attr = idxCoverInsurer, insurer
	}
	items, next, err := listPage(s, family, []string{attr}, size, bookmark, s.loadCover, nil)
	if err != nil {
		return "", err
	}
	return marshal(api.CoverPage{Bookmark: next, Count: len(items), Items: items})
}

// lossOf computes a pledge's loss from the ledger's figures (F5, F7): its stated claim less the
// proceeds it received from the disposal of its rights, less what insurers paid on it. It refuses (rule)
// a pledge whose rights have not been sold for good: not disposed or discharged by a sale, or whose
// buyer's title is not recorded yet (a refused title undoes the sale, P8).
func (s *Service) lossOf(p *api.Pledge, rule api.Code) (*api.Loss, error) {
	refuse := func(reason, msg string) error {
		return api.Conflict(rule, msg, "pledgeId", p.ID, "status", string(p.Status), "reason", reason)
	}
	if p.Claim == nil {
		return nil, refuse("not-disposed", "the pledge has no stated claim: it was not defaulted and disposed")
	}
	var proceeds string
	var transfers []string
	switch {
	case p.Status == api.PledgeDisposed && p.Disposal != nil:
		i := slices.IndexFunc(p.Disposal.Proceeds, func(q api.Proceed) bool { return q.PledgeID == p.ID })
		if i < 0 {
			return nil, internal("loss", fmt.Errorf("disposal of %s without its own proceeds", p.ID))
		}
		proceeds, transfers = p.Disposal.Proceeds[i].Amount, p.Disposal.TransferIDs
	case p.Status == api.PledgeDischarged && p.Discharge != nil && p.Discharge.DisposalPledgeID != "":
		d, err := s.loadPledge(p.Discharge.DisposalPledgeID)
		if err != nil {
			return nil, err
		}
		if d.Disposal == nil {
			return nil, refuse("not-disposed", "the disposal that discharged the pledge was undone")
		}
		proceeds, transfers = p.Discharge.Amount, d.Disposal.TransferIDs
	default:
		return nil, refuse("not-disposed", "the pledge's rights were not sold in a disposal of a pledge")
	}
	for _, id := range transfers {
		t, err := s.loadTransfer(id)
		if err != nil {
			return nil, err
		}
		if t.Status != api.TransferRecorded {
			return nil, refuse("disposal-not-final", "the buyer's title from the disposal is not recorded yet")
		}
	}
	gross := max(mustCents(p.Claim.Amount)-mustCents(proceeds), 0)
	paid, err := s.insurancePaid(p.ID)
	if err != nil {
		return nil, err
	}
	return &api.Loss{Claim: p.Claim.Amount, Currency: p.Claim.Currency, Gross: formatCents(gross),
		InsurancePaid: formatCents(paid), Net: formatCents(max(gross-paid, 0)), PledgeID: p.ID, Proceeds: proceeds}, nil
}

// insurancePaid sums what insurers paid on a pledge's covers (F5).
func (s *Service) insurancePaid(pledgeID string) (int64, error) {
	keys, err := s.l.Scan(idxCoverPledge, []string{pledgeID})
	if err != nil {
		return 0, internal("scan", err)
	}
	var paid int64
	for _, k := range keys {
		_, attrs, err := SplitCompositeKey(k)
		if err != nil || len(attrs) != 2 {
			return 0, internal("split key", fmt.Errorf("%q", k))
		}
		cv, err := s.loadCover(attrs[1])
		if err != nil {
			return 0, err
		}
		if cv.Payment != nil {
			paid += mustCents(cv.Payment.Amount)
		}
	}
	return paid, nil
}

// GetLoss returns a pledge's loss (F5, F7); public to members, as its claim and proceeds are.
func (s *Service) GetLoss(pledgeID string) (string, error) {
	if err := requireMember(s.tx.Caller); err != nil {
		return "", err
	}
	p, err := s.loadPledge(pledgeID)
	if err != nil {
		return "", err
	}
	l, err := s.lossOf(p, "F5")
	if err != nil {
		return "", err
	}
	return marshal(l)
}

// RecordCoverPayment records what the calling insurer paid on its cover after the pledge's default
// and disposal (F5): once per cover, in the claim's currency, at most the covered share of the loss
// left after the proceeds and the other covers' payments, and only when the default fell within the
// cover's term.
func (s *Service) RecordCoverPayment(requestID, coverID, payload string) (string, error) {
	return s.submit(api.RecordCoverPayment.Name, requestID, coverID+"\x00"+payload,
		func() error { return requireKind(s.tx.Caller, "F5", api.KindInsurer) },
		func() (any, api.Event, error) {
			var in api.CoverPaymentInput
			if err := DecodeStrict("payment", payload, &in); err != nil {
				return nil, api.Event{}, err
			}
			var c check
			in.Amount = c.positiveMoney("amount", in.Amount)
			c.text("reference", in.Reference, 1, maxClaimReferenceLn)
			if c.err != nil {
				return nil, api.Event{}, c.err
			}
			cv, err := s.loadCover(coverID)
			if err != nil {
				return nil, api.Event{}, err
			}
			if cv.Insurer != s.tx.Caller.MSP {
				return nil, api.Event{}, api.Forbidden("F5", "only the insurer of the cover records its payment",
					"msp", string(s.tx.Caller.MSP), "insurer", string(cv.Insurer))
			}
			if cv.Payment != nil {
				return nil, api.Event{}, api.Conflict("F5", "the cover's payment is recorded already", "coverId", cv.ID,
					"reason", "already-paid")
			}
			p, err := s.loadPledge(cv.PledgeID)
			if err != nil {
				return nil, api.Event{}, err
			}
			loss, err := s.lossOf(p, "F5")
			if err != nil {
				return nil, api.Event{}, err
			}
			// The fund shares the loss left after insurance (F7): once it approved on that figure, a
			// payment recorded later would make the fund and the insurer pay the same loss twice.
			if err := s.noDecidedFundClaim(p.ID); err != nil {
				return nil, api.Event{}, err
			}
			if p.Default == nil || dayOf(p.Default.At) < cv.TermStart || dayOf(p.Default.At) > cv.TermEnd {
				return nil, api.Event{}, api.Conflict("F5", "the default did not fall within the cover's term",
					"coverId", cv.ID, "termStart", cv.TermStart, "termEnd", cv.TermEnd, "reason", "default-outside-term")
			}
			if cv.Currency != loss.Currency {
				return nil, api.Event{}, api.Conflict("F5", "the cover is in another currency than the claim",
					"coverId", cv.ID, "currency", cv.Currency, "claimCurrency", loss.Currency, "reason", "currency-mismatch")
			}
			limit := shareOf(mustCents(loss.Net), cv.CoveredShare)
			if mustCents(in.Amount) > limit {
				return nil, api.Event{}, api.Conflict("F5", "the payment exceeds the covered share of the loss left",
					"coverId", cv.ID, "loss", loss.Net, "coveredShare", fmt.Sprint(cv.CoveredShare),
					"limit", formatCents(limit), "reason", "over-covered-share")
			}
			cv.Payment = &api.CoverPayment{Amount: in.Amount, At: s.now(), Currency: loss.Currency, Loss: loss.Net,
				Reference: in.Reference, TxID: s.tx.ID}
			if err := s.saveCover(cv, "CoverPaid"); err != nil {
				return nil, api.Event{}, err
			}
			return cv, api.Event{Type: "CoverPaid", ID: cv.ID, AssetIDs: p.AssetIDs, PledgeIDs: []string{p.ID},
				PledgeeMSPs: []api.MSPID{p.Pledgee.MSP}}, nil
		})
}

// noDecidedFundClaim refuses (F5) an insurer's payment on a pledge whose loss the fund has approved
// a share of (approved or paid): that share was computed net of the insurance paid until then.
func (s *Service) noDecidedFundClaim(pledgeID string) error {
	claims, err := s.fundClaimsOf(pledgeID)
	if err != nil {
		return err
	}
	for _, fc := range claims {
		if fc.Status == api.FundApproved || fc.Status == api.FundPaid {
			return api.Conflict("F5", "the fund approved its share of this loss net of the insurance paid until then",
				"pledgeId", pledgeID, "claimId", fc.ID, "reason", "fund-claim-decided")
		}
	}
	return nil
}
