package rules

import (
	"fmt"
	"math/big"
	"strconv"

	api "github.com/ipledger/ipledger/chaincode/api"
)

// Keys of the risk-compensation fund (F6–F8).
const (
	keyFundRules        = "fund-rules"           // year
	keyFundUsage        = "fund-usage"           // year [, "bank", MSP | "enterprise", id]
	keyFundClaim        = "fund-claim"           // claim id
	idxFundClaimPledge  = "fund-claim-by-pledge" // pledge id, claim id
	idxFundClaimStatus  = "fund-claim-by-status" // status, claim id
	keySubsidy          = "subsidy"              // subsidy id
	idxSubsidyPledge    = "subsidy-by-pledge"    // pledge id, subsidy id
	idxSubsidyStatus    = "subsidy-by-status"    // status, subsidy id
	idxSubsidyBasis     = "subsidy-by-basis"     // kind, what it is for (pledge, cover, report), subsidy id
	minFundYear         = 2000
	maxFundYear         = 2100
	maxFundNoteLen      = 1000
	maxFundReferenceLen = 64
)

// FundEndorsement is the key-level policy of the fund's rules and its usage counters (I1): the fund's
// manager and the regulator, which supervises the fund and reads all its decisions (V3: its peer
// endorses, its identities never submit).
var FundEndorsement = api.Endorsement{All: []api.MSPID{api.MSPFund, api.MSPRegulator}}

// FundClaimEndorsement is the key-level policy of a bank's claim or subsidy application (I1): the
// fund's manager and the bank.
func FundClaimEndorsement(bank api.MSPID) api.Endorsement {
	return api.Endorsement{All: []api.MSPID{api.MSPFund, bank}}
}

func fundRulesKey(year int) string { return CompositeKey(keyFundRules, strconv.Itoa(year)) }

// usageRef is a usage counter of the fund (F7, F8): its key, and its scope as an answer names it
// ("all", "bank:Bank1MSP", "enterprise:<unified social credit code>").
type usageRef struct{ key, scope string }

func fundUsage(year int, attrs ...string) usageRef {
	scope := "all"
	if len(attrs) == 2 {
		scope = attrs[0] + ":" + attrs[1]
	}
	return usageRef{CompositeKey(keyFundUsage, append([]string{strconv.Itoa(year)}, attrs...)...), scope}
}

// year is the transaction's calendar year (UTC+8).
func (s *Service) year() int { return s.tx.Time.In(chinaTime).Year() }

// ParseFundRules decodes and validates a SetFundRules payload (F6).
func ParseFundRules(payload string) (api.FundRulesInput, error) {
	var in api.FundRulesInput
	if err := DecodeStrict("rules", payload, &in); err != nil {
		return in, err
	}
	var c check
	if !currencyPattern.MatchString(in.Currency) {
		c.fail("currency", "must be an ISO 4217 code such as CNY")
	}
	for field, bp := range map[string]int{"lossShare": in.LossShare, "interestSubsidyShare": in.InterestSubsidyShare,
		"premiumSubsidyShare": in.PremiumSubsidyShare, "valuationFeeSubsidyShare": in.ValuationFeeSubsidyShare} {
		if bp < 0 || bp > 10000 {
			c.fail(field, "must be basis points from 0 to 10000")
		}
	}
	in.CapPerLoan = c.money("capPerLoan", in.CapPerLoan)
	in.CapPerBank = c.money("capPerBank", in.CapPerBank)
	in.CapPerYear = c.money("capPerYear", in.CapPerYear)
	in.SubsidyCapPerEnterprise = c.money("subsidyCapPerEnterprise", in.SubsidyCapPerEnterprise)
	if c.err == nil && (mustCents(in.CapPerLoan) > mustCents(in.CapPerBank) || mustCents(in.CapPerBank) > mustCents(in.CapPerYear)) {
		c.fail("capPerBank", "the caps must be ordered: capPerLoan ≤ capPerBank ≤ capPerYear")
	}
	return in, c.err
}

func parseYear(s string) (int, error) {
	y, err := strconv.Atoi(s)
	if err != nil || y < minFundYear || y > maxFundYear || strconv.Itoa(y) != s {
		return 0, api.Invalid("year", fmt.Sprintf("must be a year from %d to %d", minFundYear, maxFundYear))
	}
	return y, nil
}

// SetFundRules records the fund's figures for a year (F6): before the year's first approval, which
// fixes them. The fund's manager only.
func (s *Service) SetFundRules(requestID, year, payload string) (string, error) {
	return s.submit(api.SetFundRules.Name, requestID, year+"\x00"+payload,
		func() error { return requireOrg(s.tx.Caller, "F6", api.MSPFund) },
		func() (any, api.Event, error) {
			y, err := parseYear(year)
			if err != nil {
				return nil, api.Event{}, err
			}
			in, err := ParseFundRules(payload)
			if err != nil {
				return nil, api.Event{}, err
			}
			r := &api.FundRules{}
			found, err := s.get(fundRulesKey(y), r)
			if err != nil {
				return nil, api.Event{}, err
			}
			if found && r.Fixed {
				return nil, api.Event{}, api.Conflict("F6", "the fund approved claims or subsidies under this year's rules: they are fixed",
					"year", year, "reason", "rules-fixed")
			}
			if y < s.year() {
				return nil, api.Event{}, api.Conflict("F6", "the year is over", "year", year, "reason", "year-over")
			}
			r.FundRulesInput, r.DocType, r.Year = in, keyFundRules, y
			if err := s.saveFundRules(r, "FundRulesSet"); err != nil {
				return nil, api.Event{}, err
			}
			return r, api.Event{Type: "FundRulesSet", ID: year}, nil
		})
}

func (s *Service) saveFundRules(r *api.FundRules, action string) error {
	r.Version++
	r.LastChange = s.change(action)
	return s.put(fundRulesKey(r.Year), r, FundEndorsement)
}

// fundRules loads the rules of a year; rule names the rule a missing one refuses under.
func (s *Service) fundRules(year int, rule api.Code) (*api.FundRules, error) {
	r := &api.FundRules{}
	found, err := s.get(fundRulesKey(year), r)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, api.Conflict(rule, fmt.Sprintf("the fund has no rules for %d", year), "year", strconv.Itoa(year),
			"reason", "no-fund-rules")
	}
	return r, nil
}

// GetFundRules returns a year's rules of the fund (F6); public to members.
func (s *Service) GetFundRules(year string) (string, error) {
	if err := requireMember(s.tx.Caller); err != nil {
		return "", err
	}
	y, err := parseYear(year)
	if err != nil {
		return "", err
	}
	r, err := s.fundRules(y, "F6")
	if err != nil {
		if ae, ok := api.AsError(err); ok && ae.Code == "F6" {
			return "", api.NotFound("fund rules", year)
		}
		return "", err
	}
	return marshal(r)
}

// usage reads a usage counter (its approved total in cents).
func (s *Service) usage(u usageRef) (int64, error) {
	var rec api.FundUsage
	found, err := s.get(u.key, &rec)
	if err != nil || !found {
		return 0, err
	}
	return mustCents(rec.Approved), nil
}

// spend adds cents to the usage counters of keys and fixes the year's rules: every approval reads and
// writes the counters it is capped by, so two approvals racing in one block conflict (MVCC) and the
// second is decided again against the first (F7, F8).
func (s *Service) spend(r *api.FundRules, cents int64, counters ...usageRef) error {
	for _, u := range counters {
		used, err := s.usage(u)
		if err != nil {
			return err
		}
		if err := s.put(u.key, api.FundUsage{Approved: formatCents(used + cents), Scope: u.scope, Year: r.Year}, FundEndorsement); err != nil {
			return err
		}
	}
	if !r.Fixed {
		r.Fixed = true
		return s.saveFundRules(r, "FundRulesFixed")
	}
	return nil
}

// shareOf is bp basis points of cents, rounded down to the cent, without overflow: amounts go up to
// 10^17 cents, which times 10,000 is beyond int64.
func shareOf(cents int64, bp int) int64 {
	return new(big.Int).Quo(new(big.Int).Mul(big.NewInt(cents), big.NewInt(int64(bp))), big.NewInt(10000)).Int64()
}

func fundClaimKey(id string) string { return CompositeKey(keyFundClaim, id) }

// FileFundClaim files the calling bank's claim on the fund for its loss on a disposed pledge (F7):
// the loss from the ledger's own figures ([api.Loss]: the stated claim, the proceeds, what insurers
// paid), the fund's share of it capped per loan, by this year's rules; one claim per pledge, unless
// the last was refused. The pledgee bank only.
func (s *Service) FileFundClaim(requestID, payload string) (string, error) {
	return s.submit(api.FileFundClaim.Name, requestID, payload,
		func() error { return requireBank(s.tx.Caller, "F7") },
		func() (any, api.Event, error) {
			var in api.FundClaimInput
			if err := DecodeStrict("claim", payload, &in); err != nil {
				return nil, api.Event{}, err
			}
			var c check
			if c.id("pledgeId", in.PledgeID); c.err != nil {
				return nil, api.Event{}, c.err
			}
			p, err := s.loadPledge(in.PledgeID)
			if err != nil {
				return nil, api.Event{}, err
			}
			if err := s.requirePledgee(p, "F7"); err != nil {
				return nil, api.Event{}, err
			}
			if err := s.noOpenClaim(p.ID); err != nil {
				return nil, api.Event{}, err
			}
			loss, err := s.lossOf(p, "F7")
			if err != nil {
				return nil, api.Event{}, err
			}
			r, err := s.fundRules(s.year(), "F7")
			if err != nil {
				return nil, api.Event{}, err
			}
			if loss.Currency != r.Currency {
				return nil, api.Event{}, api.Conflict("F7", "the loss is in another currency than the fund's",
					"currency", loss.Currency, "fundCurrency", r.Currency, "reason", "currency-mismatch")
			}
			computed := min(shareOf(mustCents(loss.Net), r.LossShare), mustCents(r.CapPerLoan))
			if computed == 0 {
				return nil, api.Event{}, api.Conflict("F7", "the fund's share of the net loss is nothing",
					"net", loss.Net, "reason", "no-net-loss")
			}
			fc := &api.FundClaim{Bank: p.Pledgee.MSP, Computed: formatCents(computed), Currency: r.Currency,
				DocType: keyFundClaim, FiledAt: s.now(), ID: s.derivedID("FC-"), Loss: *loss, PledgeID: p.ID,
				FundDecision: api.FundDecision{Status: api.FundFiled}}
			if err := s.saveFundClaim(fc, "FundClaimFiled", ""); err != nil {
				return nil, api.Event{}, err
			}
			if err := s.putIndex(FundClaimEndorsement(fc.Bank), idxFundClaimPledge, p.ID, fc.ID); err != nil {
				return nil, api.Event{}, err
			}
			return fc, s.fundClaimEvent("FundClaimFiled", fc), nil
		})
}

// noOpenClaim refuses a second claim on a pledge while one is filed, approved or paid (F7).
func (s *Service) noOpenClaim(pledgeID string) error {
	claims, err := s.fundClaimsOf(pledgeID)
	if err != nil {
		return err
	}
	for _, fc := range claims {
		if fc.Status != api.FundRefused {
			return api.Conflict("F7", "the pledge has a claim on the fund that is "+fc.Status, "pledgeId", pledgeID,
				"claimId", fc.ID, "reason", "claim-exists")
		}
	}
	return nil
}

// fundClaimsOf reads every claim on the fund of a pledge (F7).
func (s *Service) fundClaimsOf(pledgeID string) ([]*api.FundClaim, error) {
	keys, err := s.l.Scan(idxFundClaimPledge, []string{pledgeID})
	if err != nil {
		return nil, internal("scan", err)
	}
	out := make([]*api.FundClaim, 0, len(keys))
	for _, k := range keys {
		_, attrs, err := SplitCompositeKey(k)
		if err != nil || len(attrs) != 2 {
			return nil, internal("split key", fmt.Errorf("%q", k))
		}
		fc, err := s.loadFundClaim(attrs[1])
		if err != nil {
			return nil, err
		}
		out = append(out, fc)
	}
	return out, nil
}

func (s *Service) fundClaimEvent(typ string, fc *api.FundClaim) api.Event {
	return api.Event{Type: typ, ID: fc.ID, PledgeIDs: []string{fc.PledgeID}, PledgeeMSPs: []api.MSPID{fc.Bank}, Status: fc.Status}
}

// saveFundClaim writes a claim and moves its status index from old ("" for a new claim).
func (s *Service) saveFundClaim(fc *api.FundClaim, action, old string) error {
	fc.Version++
	fc.LastChange = s.change(action)
	pol := FundClaimEndorsement(fc.Bank)
	if old != fc.Status {
		if old != "" {
			if err := s.delIndex(idxFundClaimStatus, old, fc.ID); err != nil {
				return err
			}
		}
		if err := s.putIndex(pol, idxFundClaimStatus, fc.Status, fc.ID); err != nil {
			return err
		}
	}
	return s.put(fundClaimKey(fc.ID), fc, pol)
}

func (s *Service) loadFundClaim(id string) (*api.FundClaim, error) {
	var c check
	if c.id("claimId", id); c.err != nil {
		return nil, c.err
	}
	fc := &api.FundClaim{}
	found, err := s.get(fundClaimKey(id), fc)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, api.NotFound("fund claim", id)
	}
	return fc, nil
}

// ApproveFundClaim approves a filed claim (F7): the loss is computed again from the ledger (an insurer
// may have paid since), the fund's share of it capped per loan and by what is left of the bank's and
// the year's caps under this year's rules; the approved amount counts against those caps. Nothing
// left under a cap is refused `cap-reached`: the manager refuses the claim with its reasons. The
// fund's manager only.
func (s *Service) ApproveFundClaim(requestID, claimID, payload string) (string, error) {
	return s.submit(api.ApproveFundClaim.Name, requestID, claimID+"\x00"+payload,
		func() error { return requireOrg(s.tx.Caller, "F7", api.MSPFund) },
		func() (any, api.Event, error) {
			in, err := parseFundDecision(payload)
			if err != nil {
				return nil, api.Event{}, err
			}
			fc, err := s.loadFundClaim(claimID)
			if err != nil {
				return nil, api.Event{}, err
			}
			if fc.Status != api.FundFiled {
				return nil, api.Event{}, api.Conflict("F7", "the claim is "+fc.Status, "claimId", fc.ID,
					"status", fc.Status, "reason", "not-filed")
			}
			loss, r, err := s.claimFigures(fc)
			if err != nil {
				return nil, api.Event{}, err
			}
			year := r.Year
			bankKey, yearKey := fundUsage(year, "bank", string(fc.Bank)), fundUsage(year)
			usedBank, err := s.usage(bankKey)
			if err != nil {
				return nil, api.Event{}, err
			}
			usedYear, err := s.usage(yearKey)
			if err != nil {
				return nil, api.Event{}, err
			}
			if shareOf(mustCents(loss.Net), r.LossShare) == 0 {
				return nil, api.Event{}, api.Conflict("F7", "the fund's share of the net loss is nothing (an insurer paid it since the filing)",
					"claimId", fc.ID, "net", loss.Net, "reason", "no-net-loss")
			}
			amount := min(shareOf(mustCents(loss.Net), r.LossShare), mustCents(r.CapPerLoan),
				mustCents(r.CapPerBank)-usedBank, mustCents(r.CapPerYear)-usedYear)
			if amount <= 0 {
				return nil, api.Event{}, api.Conflict("F7", "nothing is left under the fund's caps for this claim",
					"claimId", fc.ID, "bankApproved", formatCents(usedBank), "capPerBank", r.CapPerBank,
					"yearApproved", formatCents(usedYear), "capPerYear", r.CapPerYear, "net", loss.Net, "reason", "cap-reached")
			}
			if err := s.spend(r, amount, bankKey, yearKey); err != nil {
				return nil, api.Event{}, err
			}
			fc.Approved, fc.DecidedAt, fc.Loss, fc.Note, fc.Status, fc.Year = formatCents(amount), s.now(), *loss, in.Note,
				api.FundApproved, year
			if err := s.saveFundClaim(fc, "FundClaimApproved", api.FundFiled); err != nil {
				return nil, api.Event{}, err
			}
			return fc, s.fundClaimEvent("FundClaimApproved", fc), nil
		})
}

// claimFigures reads what the approval of a claim is decided on (F7): the pledge's loss as the ledger
// shows it now (an insurer may have paid since the filing) and this year's rules, in the claim's
// currency.
func (s *Service) claimFigures(fc *api.FundClaim) (*api.Loss, *api.FundRules, error) {
	p, err := s.loadPledge(fc.PledgeID)
	if err != nil {
		return nil, nil, err
	}
	loss, err := s.lossOf(p, "F7")
	if err != nil {
		return nil, nil, err
	}
	r, err := s.fundRules(s.year(), "F7")
	if err != nil {
		return nil, nil, err
	}
	if r.Currency != fc.Currency {
		return nil, nil, api.Conflict("F7", "this year's rules are in another currency than the claim",
			"currency", fc.Currency, "fundCurrency", r.Currency, "reason", "currency-mismatch")
	}
	return loss, r, nil
}

func parseFundDecision(payload string) (api.FundDecisionInput, error) {
	var in api.FundDecisionInput
	if err := DecodeStrict("decision", payload, &in); err != nil {
		return in, err
	}
	var c check
	c.text("note", in.Note, 0, maxFundNoteLen)
	return in, c.err
}

func parseFundPayment(payload string) (api.FundPaymentInput, error) {
	var in api.FundPaymentInput
	if err := DecodeStrict("payment", payload, &in); err != nil {
		return in, err
	}
	var c check
	c.text("reference", in.Reference, 1, maxFundReferenceLen)
	return in, c.err
}

// RefuseFundClaim refuses a filed claim with reason codes and a note (F7). The fund's manager only.
func (s *Service) RefuseFundClaim(requestID, claimID, payload string) (string, error) {
	return s.fundStep(api.RefuseFundClaim.Name, requestID, claimID, payload, "F7", api.FundFiled, "FundClaimRefused",
		s.parseFundRefusal, s.claimRecord)
}

// PayFundClaim records the payment of an approved claim (F7). The fund's manager only.
func (s *Service) PayFundClaim(requestID, claimID, payload string) (string, error) {
	return s.fundStep(api.PayFundClaim.Name, requestID, claimID, payload, "F7", api.FundApproved, "FundClaimPaid",
		s.parseFundPay, s.claimRecord)
}

// fundRecord is a claim (F7) or a subsidy (F8) as the fund's manager refuses or pays it.
type fundRecord struct {
	decision *api.FundDecision
	idKey    string // the record's id in a refusal's details: claimId, subsidyId
	id       string
	save     func(action, old string) error
	event    func(typ string) api.Event
	value    any
}

func (s *Service) claimRecord(id string) (fundRecord, error) {
	fc, err := s.loadFundClaim(id)
	if err != nil {
		return fundRecord{}, err
	}
	return fundRecord{decision: &fc.FundDecision, idKey: "claimId", id: fc.ID, value: fc,
		save:  func(action, old string) error { return s.saveFundClaim(fc, action, old) },
		event: func(typ string) api.Event { return s.fundClaimEvent(typ, fc) }}, nil
}

// fundStep is a refusal or a payment by the fund's manager (F7, F8): parse reads the payload into the
// change it makes, load reads the record, which must be in status from; the record is saved with its
// status index moved and the event action.
func (s *Service) fundStep(function, requestID, id, payload string, rule api.Code, from, action string,
	parse func(string) (func(*api.FundDecision), error), load func(string) (fundRecord, error)) (string, error) {
	return s.submit(function, requestID, id+"\x00"+payload,
		func() error { return requireOrg(s.tx.Caller, rule, api.MSPFund) },
		func() (any, api.Event, error) {
			change, err := parse(payload)
			if err != nil {
				return nil, api.Event{}, err
			}
			r, err := load(id)
			if err != nil {
				return nil, api.Event{}, err
			}
			if st := r.decision.Status; st != from {
				if from == api.FundFiled {
					return nil, api.Event{}, api.Conflict(rule, "only a filed one is decided on; this one is "+st,
						r.idKey, r.id, "status", st, "reason", "not-filed")
				}
				return nil, api.Event{}, api.Conflict(rule, "only an approved one is paid; this one is "+st,
					r.idKey, r.id, "status", st, "reason", "not-approved")
			}
			change(r.decision)
			if err := r.save(action, from); err != nil {
				return nil, api.Event{}, err
			}
			return r.value, r.event(action), nil
		})
}

// parseFundRefusal reads a refusal's reason codes and note (F7, F8).
func (s *Service) parseFundRefusal(payload string) (func(*api.FundDecision), error) {
	in, err := parseRefusal(payload)
	if err != nil {
		return nil, err
	}
	return func(d *api.FundDecision) {
		d.DecidedAt, d.Note, d.RefusalReasons, d.Status = s.now(), in.Note, in.Reasons, api.FundRefused
	}, nil
}

// parseFundPay reads a payment's reference (F7, F8).
func (s *Service) parseFundPay(payload string) (func(*api.FundDecision), error) {
	in, err := parseFundPayment(payload)
	if err != nil {
		return nil, err
	}
	return func(d *api.FundDecision) {
		d.Payment = &api.FundPayment{At: s.now(), Reference: in.Reference, TxID: s.tx.ID}
		d.Status = api.FundPaid
	}, nil
}

// GetFundClaim returns a claim on the fund (F7); public to members: the province's money.
func (s *Service) GetFundClaim(claimID string) (string, error) {
	if err := requireMember(s.tx.Caller); err != nil {
		return "", err
	}
	fc, err := s.loadFundClaim(claimID)
	if err != nil {
		return "", err
	}
	return marshal(fc)
}

// ListFundClaims lists one page of the claims on the fund of a pledge or in a status, exactly one of
// the two (F7).
func (s *Service) ListFundClaims(pledgeID, status string, size int32, bookmark string) (string, error) {
	family, attr, err := byPledgeOrStatus(idxFundClaimPledge, idxFundClaimStatus, pledgeID, status)
	if err != nil {
		return "", err
	}
	items, next, err := listPage(s, family, []string{attr}, size, bookmark, s.loadFundClaim, nil)
	if err != nil {
		return "", err
	}
	return marshal(api.FundClaimPage{Bookmark: next, Count: len(items), Items: items})
}

// GetFundUsage returns what the fund approved in a year, in all and for one bank or enterprise when
// given (F7, F8); public to members.
func (s *Service) GetFundUsage(year, bank, enterprise string) (string, error) {
	if err := requireMember(s.tx.Caller); err != nil {
		return "", err
	}
	y, err := parseYear(year)
	if err != nil {
		return "", err
	}
	u := fundUsage(y)
	switch {
	case bank != "" && enterprise != "":
		return "", api.Invalid("bank", "give at most one of bank and enterprise")
	case bank != "":
		u = fundUsage(y, "bank", bank)
	case enterprise != "":
		u = fundUsage(y, "enterprise", enterprise)
	}
	used, err := s.usage(u)
	if err != nil {
		return "", err
	}
	return marshal(api.FundUsage{Approved: formatCents(used), Scope: u.scope, Year: y})
}

// byPledgeOrStatus is the index a list of claims or subsidies reads (F7, F8): by pledge or by status,
// exactly one of the two given.
func byPledgeOrStatus(byPledge, byStatus, pledgeID, status string) (family, attr string, err error) {
	switch {
	case (pledgeID == "") == (status == ""):
		return "", "", api.Invalid("pledgeId", "give exactly one of pledgeId and status")
	case status != "":
		var c check
		if enum(&c, "status", status, []string{api.FundFiled, api.FundApproved, api.FundRefused, api.FundPaid}); c.err != nil {
			return "", "", c.err
		}
		return byStatus, status, nil
	}
	return byPledge, pledgeID, nil
}
