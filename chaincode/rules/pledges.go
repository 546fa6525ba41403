package rules

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	api "github.com/ipledger/ipledger/chaincode/api"
)

// ParsePledgeApplication decodes and validates an ApplyPledge payload (P2).
func ParsePledgeApplication(payload string) (api.PledgeApplication, error) {
	var in api.PledgeApplication
	if err := DecodeStrict("application", payload, &in); err != nil {
		return in, err
	}
	var c check
	c.assetIDs(in.AssetIDs)
	c.parties("pledgors", in.Pledgors)
	c.text("pledgeeName", in.PledgeeName, 1, 200)
	enum(&c, "debtKind", in.DebtKind, api.DebtKinds)
	c.date("debtTermStart", in.DebtTermStart)
	c.date("debtTermEnd", in.DebtTermEnd)
	if c.err == nil && in.DebtTermEnd <= in.DebtTermStart {
		c.fail("debtTermEnd", "must be after debtTermStart")
	}
	c.hash("contractHash", in.ContractHash)
	c.checkSecurity(&in)
	c.checkBorrower(in.Industry, in.Region)
	if in.ValuationReportID != "" {
		c.id("valuationReportId", in.ValuationReportID)
	}
	return in, c.err
}

// assetIDs checks the rights of a pledge or a valuation report (P2, F2): one to MaxPackage ids, none twice.
func (c *check) assetIDs(ids []string) {
	c.count("assetIds", len(ids), 1, api.MaxPackage)
	seen := make(map[string]bool, len(ids))
	for i, id := range ids {
		c.id(fmt.Sprintf("assetIds[%d]", i), id)
		if seen[id] {
			c.fail(fmt.Sprintf("assetIds[%d]", i), "duplicate IP right")
		}
		seen[id] = true
	}
}

// ParseTerms decodes and validates private terms (V2) from the transient map's "terms" value.
func ParseTerms(raw []byte) (api.Terms, error) {
	var t api.Terms
	if err := DecodeStrict("transient.terms", string(raw), &t); err != nil {
		return t, err
	}
	var c check
	t.Amount = c.positiveMoney("terms.amount", t.Amount)
	if t.MaximumAmount != "" {
		t.MaximumAmount = c.positiveMoney("terms.maximumAmount", t.MaximumAmount)
	}
	if !currencyPattern.MatchString(t.Currency) {
		c.fail("terms.currency", "must be an ISO 4217 code such as CNY")
	}
	if !ratePattern.MatchString(t.InterestRate) {
		c.fail("terms.interestRate", "must be a yearly rate in percent, e.g. 3.85")
	}
	c.text("terms.scope", t.Scope, 1, 1000)
	c.text("terms.conditions", t.Conditions, 0, 4000)
	c.salt("terms.salt", t.Salt)
	if v := t.Valuation; v != nil {
		c.text("terms.valuation.appraiser", v.Appraiser, 1, 200)
		v.Value = c.positiveMoney("terms.valuation.value", v.Value)
		c.hash("terms.valuation.reportHash", v.ReportHash)
	}
	return t, c.err
}

func parseReason(payload string) (api.Reason, error) {
	var r api.Reason
	if err := DecodeStrict("reason", payload, &r); err != nil {
		return r, err
	}
	var c check
	c.text("reason", r.Reason, 1, 500)
	return r, c.err
}

func parseRefusal(payload string) (api.Refusal, error) {
	var r api.Refusal
	if err := DecodeStrict("refusal", payload, &r); err != nil {
		return r, err
	}
	var c check
	c.reasons("reasons", r.Reasons)
	c.text("note", r.Note, 0, 1000)
	return r, c.err
}

// ParseDisposal decodes and validates a DisposePledge payload (P8).
func ParseDisposal(payload string) (api.DisposalInput, error) {
	var in api.DisposalInput
	if err := DecodeStrict("disposal", payload, &in); err != nil {
		return in, err
	}
	var c check
	enum(&c, "method", in.Method, api.DisposalMethods)
	c.owners("buyers", in.Buyers)
	in.Price = c.positiveMoney("price", in.Price)
	if !currencyPattern.MatchString(in.Currency) {
		c.fail("currency", "must be an ISO 4217 code such as CNY")
	}
	c.count("proceeds", len(in.Proceeds), 1, 20)
	for i, p := range in.Proceeds {
		c.id(fmt.Sprintf("proceeds[%d].pledgeId", i), p.PledgeID)
		in.Proceeds[i].Amount = c.money(fmt.Sprintf("proceeds[%d].amount", i), p.Amount)
		if slices.IndexFunc(in.Proceeds, func(q api.ProceedInput) bool { return q.PledgeID == p.PledgeID }) != i {
			c.fail(fmt.Sprintf("proceeds[%d].pledgeId", i), "duplicate pledge")
		}
	}
	in.Surplus = c.money("surplus", in.Surplus)
	c.text("saleRef", in.SaleRef, 1, 100)
	return in, c.err
}

func pledgeKey(id string) string { return CompositeKey(keyPledge, id) }

func (s *Service) loadPledge(id string) (*api.Pledge, error) {
	var c check
	if c.id("pledgeId", id); c.err != nil {
		return nil, c.err
	}
	var p api.Pledge
	found, err := s.get(pledgeKey(id), &p)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, api.NotFound("pledge", id)
	}
	return &p, nil
}

func (s *Service) savePledge(p *api.Pledge, action string) error {
	p.Version++
	p.LastChange = s.change(action)
	return s.put(pledgeKey(p.ID), p, api.PledgeEndorsement(p.Pledgee.MSP))
}

// setStatus moves a pledge between status-index entries. An application leaving `applied` after its
// examination time goes into the overdue index (P9).
func (s *Service) setStatus(p *api.Pledge, status api.PledgeStatus) error {
	if p.Status == api.PledgeApplied && status != api.PledgeApplied {
		if err := s.recordLateDecision(p); err != nil {
			return err
		}
	}
	if err := s.delIndex(idxPledgeStatus, string(p.Status), p.ID); err != nil {
		return err
	}
	if !status.IsActive() {
		s.lapseFiledChange(p, status)
	}
	p.Status = status
	return s.putIndex(api.PledgeEndorsement(p.Pledgee.MSP), idxPledgeStatus, string(status), p.ID)
}

// lapseFiledChange ends the change filed on a pledge that ends (released, revoked, deregistered, sold,
// discharged) before the IP office decided it (P6): there is nothing left for it to change. It is kept
// refused, with reason pledge-ended, and its private terms are no longer pending.
func (s *Service) lapseFiledChange(p *api.Pledge, status api.PledgeStatus) {
	i := slices.IndexFunc(p.Changes, func(x api.PledgeChange) bool { return x.ID == p.PendingChangeID })
	if p.PendingChangeID == "" || i < 0 {
		return
	}
	ch := &p.Changes[i]
	ch.Status, ch.DecidedAt, ch.DecisionTxID = api.ChangeRefused, s.now(), s.tx.ID
	ch.RefusalReasons, ch.RefusalNote = []string{"pledge-ended"}, "the pledge was "+string(status)+" before the change was recorded"
	p.PendingChangeID = ""
}

// loadPackage reads the rights of a pledge's package (P4): a right that is not on the register refuses
// the whole package with reason not-registered, naming the right and its index in assetIds (not
// NOT_FOUND, which would not say which of several hundred rights is missing).
func (s *Service) loadPackage(ids []string) ([]*api.Asset, error) {
	assets := make([]*api.Asset, 0, len(ids))
	for i, id := range ids {
		var a api.Asset
		found, err := s.get(assetKey(id), &a)
		if err != nil {
			return nil, err
		}
		if !found {
			return nil, api.Conflict("P4", "the IP right is not on the register", "assetId", id,
				"index", strconv.Itoa(i), "reason", "not-registered")
		}
		assets = append(assets, &a)
	}
	return assets, nil
}

func (s *Service) loadAssets(ids []string) ([]*api.Asset, error) {
	assets := make([]*api.Asset, 0, len(ids))
	for _, id := range ids {
		a, err := s.loadAsset(id)
		if err != nil {
			return nil, err
		}
		assets = append(assets, a)
	}
	return assets, nil
}

// pledgeEvent is the event of a change of pledge p; it names p's bank in pledgeeMsps, so that a bank
// finds every change of its pledges there, whoever made it.
func (s *Service) pledgeEvent(typ string, p *api.Pledge) api.Event {
	return api.Event{Type: typ, ID: p.ID, AssetIDs: slices.Clone(p.AssetIDs), Status: string(p.Status),
		PledgeeMSPs: []api.MSPID{p.Pledgee.MSP}}
}

// requirePledgee admits only the pledge's own bank, with its loan-officer or admin role (P6).
func (s *Service) requirePledgee(p *api.Pledge, rule api.Code) error {
	c := s.tx.Caller
	if c.MSP == api.MSPRegulator {
		return api.Forbidden("V3", "the regulator reads everything and writes nothing", "msp", string(c.MSP))
	}
	if !c.member() || c.MSP != p.Pledgee.MSP {
		return api.Forbidden(rule, "only the pledgee bank may do this", "msp", string(c.MSP), "pledgeeMsp", string(p.Pledgee.MSP))
	}
	return nil
}

func requireStatus(p *api.Pledge, rule api.Code, allowed ...api.PledgeStatus) error {
	if !slices.Contains(allowed, p.Status) {
		return api.Conflict(rule, fmt.Sprintf("pledge is %s; this needs it %v", p.Status, allowed),
			"pledgeId", p.ID, "status", string(p.Status), "reason", "wrong-status")
	}
	return nil
}

// checkPledgeable applies P1, P4 and P5 to a pledge and its rights, as they stand now. It runs when the
// application is filed and again when it is registered (P4).
func (s *Service) checkPledgeable(p *api.Pledge, assets []*api.Asset) error {
	for _, a := range assets {
		if pending, err := s.pendingDisposal(a.ID); err != nil {
			return err
		} else if pending != "" {
			return api.Conflict("P8", "the right was sold in a disposal; its buyer's title is not recorded yet",
				"assetId", a.ID, "disposalTransferId", pending, "reason", "disposal-transfer-pending")
		}
	}
	pledgors := map[string]bool{}
	for _, pl := range p.Pledgors {
		pledgors[pl.ID] = true
	}
	owners := map[string]bool{}
	for _, a := range assets {
		for _, o := range a.Owners {
			owners[o.ID] = true
			if !pledgors[o.ID] {
				return api.Conflict("P1", "every registered owner of every IP right must be a pledgor",
					"assetId", a.ID, "ownerId", o.ID, "reason", "owner-missing")
			}
		}
	}
	for _, pl := range p.Pledgors {
		if !owners[pl.ID] {
			return api.Conflict("P1", "a pledgor is not a registered owner of any IP right in the pledge",
				"pledgorId", pl.ID, "reason", "not-owner")
		}
	}
	today := s.today()
	for _, a := range assets {
		refuse := func(reason, msg string) error {
			return api.Conflict("P4", msg, "assetId", a.ID, "reason", reason)
		}
		switch {
		case a.LegalStatus != api.LegalValid:
			return refuse("not-valid", "the IP right is "+string(a.LegalStatus)+", not valid")
		case a.Kind.IsPatent() && a.FeesPaidThrough < today:
			return refuse("fees-unpaid", "the patent's fees are unpaid (paid through "+a.FeesPaidThrough+")")
		case a.Freeze.Active:
			return refuse("frozen", "the IP right is frozen by a court")
		case a.Dispute.Active:
			return refuse("disputed", "the ownership of the IP right is disputed")
		case p.DebtTermEnd > a.ExpiryDate:
			return refuse("term-after-expiry", "the debt term ends after the IP right expires ("+a.ExpiryDate+")")
		case a.Invalidation.Active && !p.AcknowledgeInvalidationRisk:
			return refuse("invalidation-pending", "an invalidation request is pending and the risk is not acknowledged")
		}
		if a.Kind.IsPatent() {
			for _, e := range a.Encumbrances {
				if e.PledgeID != p.ID {
					return api.Conflict("P5", "a patent carries at most one active pledge",
						"assetId", a.ID, "activePledgeId", e.PledgeID, "reason", "patent-already-pledged")
				}
			}
		}
	}
	return s.checkMarkFamilies(p, assets)
}

// checkMarkFamilies: a trademark is pledged together with the same owners' identical or similar marks
// in the same Nice class (P4). The IP office groups such marks by giving them one markFamily; every
// valid member of a family with the same owners and class must be in the package.
//
// The work is linear in the package and the families it touches: each family is scanned once, and each
// member outside the package is read once, however many of the package's marks belong to it.
func (s *Service) checkMarkFamilies(p *api.Pledge, assets []*api.Asset) error {
	inPackage := make(map[string]bool, len(p.AssetIDs))
	for _, id := range p.AssetIDs {
		inPackage[id] = true
	}
	outside := map[string][]*api.Asset{} // family → its members outside the package
	for _, a := range assets {
		if a.Kind != api.KindTrademark || a.MarkFamily == "" {
			continue
		}
		members, scanned := outside[a.MarkFamily]
		if !scanned {
			var err error
			if members, err = s.familyOutside(a.MarkFamily, inPackage); err != nil {
				return err
			}
			outside[a.MarkFamily] = members
		}
		for _, m := range members {
			if m.LegalStatus == api.LegalValid && m.NiceClass == a.NiceClass && sameIDs(m.Owners, a.Owners, func(o api.Owner) string { return o.ID }) {
				return api.Conflict("P4", "the owner's identical or similar marks in the same class must be pledged together",
					"assetId", a.ID, "missingAssetId", m.ID, "reason", "similar-marks-missing")
			}
		}
	}
	return nil
}

// familyOutside reads the members of a mark family that are not in the package, in key order.
func (s *Service) familyOutside(family string, inPackage map[string]bool) ([]*api.Asset, error) {
	keys, err := s.l.Scan(idxAssetFamily, []string{family})
	if err != nil {
		return nil, internal("scan", err)
	}
	var out []*api.Asset
	for _, k := range keys {
		_, attrs, err := SplitCompositeKey(k)
		if err != nil || len(attrs) != 2 {
			return nil, internal("split key", fmt.Errorf("bad index key %q", k))
		}
		if inPackage[attrs[1]] {
			continue
		}
		m, err := s.loadAsset(attrs[1])
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// sameIDs tells whether two lists name the same ids, in any order and whatever else they say.
func sameIDs[T any](a, b []T, id func(T) string) bool {
	ids := func(xs []T) []string {
		out := make([]string, len(xs))
		for i, x := range xs {
			out[i] = id(x)
		}
		slices.Sort(out)
		return out
	}
	return slices.Equal(ids(a), ids(b))
}

// ApplyPledge files a pledge application (P1, P2, P4, P5, P9, P14). Banks only; the applying bank is the
// pledgee. The private terms come in the transient map under "terms" and go to the bank's collection.
func (s *Service) ApplyPledge(requestID, payload string) (string, error) {
	return s.submit(api.ApplyPledge.Name, requestID, payload+s.termsFingerprint(),
		func() error { return requireBank(s.tx.Caller, "P1") },
		func() (any, api.Event, error) {
			in, err := ParsePledgeApplication(payload)
			if err != nil {
				return nil, api.Event{}, err
			}
			if err := checkDebtTermLimit(in); err != nil {
				return nil, api.Event{}, err
			}
			raw, ok := s.tx.Transient[api.TransientTermsKey]
			if !ok || len(raw) == 0 {
				return nil, api.Event{}, api.Invalid("transient.terms", "the private terms are required in the transient map under \"terms\"")
			}
			terms, err := ParseTerms(raw)
			if err != nil {
				return nil, api.Event{}, err
			}
			if err := checkTermsSecurity(in.SecurityType, terms); err != nil {
				return nil, api.Event{}, err
			}
			assets, err := s.loadPackage(in.AssetIDs)
			if err != nil {
				return nil, api.Event{}, err
			}
			p := s.appliedPledge(in, assets, terms)
			if err := s.checkPledgeable(p, assets); err != nil {
				return nil, api.Event{}, err
			}
			if err := s.citeValuation(p, terms); err != nil { // F3
				return nil, api.Event{}, err
			}
			if found, err := s.exists(pledgeKey(p.ID)); err != nil {
				return nil, api.Event{}, err
			} else if found {
				return nil, api.Event{}, api.Conflict("I3", "a pledge with this id exists", "pledgeId", p.ID)
			}
			if err := s.fileApplication(p, terms); err != nil {
				return nil, api.Event{}, err
			}
			return p, s.pledgeEvent("PledgeApplied", p), nil
		})
}

// appliedPledge is the record of an application by the calling bank, which becomes the pledgee. Its
// examination is due by a time that depends on the kinds of the rights (P9).
func (s *Service) appliedPledge(in api.PledgeApplication, assets []*api.Asset, terms api.Terms) *api.Pledge {
	bank := s.tx.Caller.MSP
	kinds := make([]api.AssetKind, len(assets))
	for i, a := range assets {
		kinds[i] = a.Kind
	}
	return &api.Pledge{
		AcknowledgeInvalidationRisk: in.AcknowledgeInvalidationRisk, AppliedAt: s.now(), AssetIDs: in.AssetIDs,
		ClaimPeriod: in.ClaimPeriod, ContractHash: in.ContractHash, DebtKind: in.DebtKind, DebtTermEnd: in.DebtTermEnd,
		DebtTermStart: in.DebtTermStart, Debtors: debtorsOf(in), DocType: keyPledge,
		ExaminationDueBy: ExaminationDueBy(s.tx.Time, kinds).Format(time.RFC3339Nano),
		ID:               s.derivedID("PL-"), Industry: in.Industry, Pledgee: api.Pledgee{MSP: bank, Name: in.PledgeeName}, Region: in.Region,
		Pledgors: in.Pledgors, Ranks: []api.Rank{}, SecurityType: in.SecurityType, Status: api.PledgeApplied, TermsCollection: api.TermsCollection(bank),
		TermsHash: TermsHash(terms), ValuationReportID: in.ValuationReportID,
	}
}

// fileApplication writes a new application with its asset, pledgee and status indexes, all under the
// pledgee's policy, and its private terms to the pledgee's collection.
func (s *Service) fileApplication(p *api.Pledge, terms api.Terms) error {
	pol := api.PledgeEndorsement(p.Pledgee.MSP)
	if err := s.savePledge(p, "PledgeApplied"); err != nil {
		return err
	}
	for _, id := range p.AssetIDs {
		if err := s.putIndex(pol, idxPledgeAsset, id, p.ID); err != nil {
			return err
		}
	}
	if err := s.putIndex(pol, idxPledgePledgee, string(p.Pledgee.MSP), p.ID); err != nil {
		return err
	}
	if err := s.putIndex(pol, idxPledgeStatus, string(p.Status), p.ID); err != nil {
		return err
	}
	if err := s.reindex(pol, nil, pledgorKeys(p)); err != nil { // S1
		return err
	}
	return s.putTerms(p, terms)
}

func (s *Service) putTerms(p *api.Pledge, terms api.Terms) error {
	rec, err := json.Marshal(PrivateTerms{PledgeID: p.ID, Terms: terms, TermsHash: p.TermsHash, TxID: s.tx.ID})
	if err != nil {
		return internal("encode terms", err)
	}
	if err := s.l.PutPrivate(p.TermsCollection, pledgeKey(p.ID), rec); err != nil {
		return privateWriteError(p.TermsCollection, err)
	}
	return nil
}

// privateWriteError is the refusal of a private write to a collection that the chaincode definition
// lacks (P1 `no-terms-collection`): a bank that joined the channel files only once the definition has
// its terms collection. Any other failure is internal.
func privateWriteError(collection string, err error) error {
	var ae *api.Error
	if errors.As(err, &ae) {
		return err
	}
	msg := err.Error()
	if strings.Contains(msg, collection) &&
		(strings.Contains(msg, "could not be found") || strings.Contains(msg, "not defined in the collection config")) {
		return api.Conflict("P1", "the bank's terms collection is not in the chaincode definition: a bank files "+
			"pledges once the definition has its collection", "reason", "no-terms-collection",
			"collection", collection, "pledgeeMsp", strings.TrimPrefix(collection, "terms"))
	}
	return internal("put private data", err)
}

// RegisterPledge registers an applied pledge (P3), after checking P1, P4 and P5 again against the rights
// as they are now. Each right gets the pledge as an encumbrance with the next rank (P5). IP office only.
func (s *Service) RegisterPledge(requestID, pledgeID, payload string) (string, error) {
	return s.submit(api.RegisterPledge.Name, requestID, pledgeID+"\x00"+payload,
		func() error { return requireOrg(s.tx.Caller, "P3", api.MSPIPOffice) },
		func() (any, api.Event, error) {
			var in api.Registration
			if err := DecodeStrict("registration", payload, &in); err != nil {
				return nil, api.Event{}, err
			}
			var c check
			if c.id("registrationNumber", in.RegistrationNumber); c.err != nil {
				return nil, api.Event{}, c.err
			}
			p, err := s.loadPledge(pledgeID)
			if err != nil {
				return nil, api.Event{}, err
			}
			if err := requireStatus(p, "P3", api.PledgeApplied); err != nil {
				return nil, api.Event{}, err
			}
			taken, err := s.l.Scan(idxPledgeRegNumber, []string{in.RegistrationNumber})
			if err != nil {
				return nil, api.Event{}, internal("scan", err)
			}
			if len(taken) > 0 {
				return nil, api.Event{}, api.Conflict("P3", "registration number already in use",
					"registrationNumber", in.RegistrationNumber, "reason", "registration-number-taken")
			}
			assets, err := s.loadPackage(p.AssetIDs)
			if err != nil {
				return nil, api.Event{}, err
			}
			if err := s.checkPledgeable(p, assets); err != nil {
				return nil, api.Event{}, err
			}
			if err := s.recheckValuation(p); err != nil { // F3, again on the day of registration
				return nil, api.Event{}, err
			}
			now := s.now()
			p.RegisteredAt, p.RegistrationNumber, p.RegistrationTxID = now, in.RegistrationNumber, s.tx.ID
			for _, a := range assets {
				rank := a.NextRank
				a.NextRank++
				p.Ranks = append(p.Ranks, api.Rank{AssetID: a.ID, Rank: rank})
				a.Encumbrances = append(a.Encumbrances, encumbranceOf(p, rank, api.PledgeRegistered))
				if err := s.saveAsset(a, "PledgeRegistered:"+p.ID); err != nil {
					return nil, api.Event{}, err
				}
			}
			p.DecidedAt = now
			if err := s.setStatus(p, api.PledgeRegistered); err != nil {
				return nil, api.Event{}, err
			}
			if err := s.putIndex(api.PledgeEndorsement(p.Pledgee.MSP), idxPledgeRegNumber, in.RegistrationNumber, p.ID); err != nil {
				return nil, api.Event{}, err
			}
			if err := s.savePledge(p, "PledgeRegistered"); err != nil {
				return nil, api.Event{}, err
			}
			return p, s.pledgeEvent("PledgeRegistered", p), nil
		})
}

// RefusePledge refuses an applied pledge with reason codes (P3). IP office only.
func (s *Service) RefusePledge(requestID, pledgeID, payload string) (string, error) {
	return s.submit(api.RefusePledge.Name, requestID, pledgeID+"\x00"+payload,
		func() error { return requireOrg(s.tx.Caller, "P3", api.MSPIPOffice) },
		func() (any, api.Event, error) {
			in, err := parseRefusal(payload)
			if err != nil {
				return nil, api.Event{}, err
			}
			p, err := s.loadPledge(pledgeID)
			if err != nil {
				return nil, api.Event{}, err
			}
			if err := requireStatus(p, "P3", api.PledgeApplied); err != nil {
				return nil, api.Event{}, err
			}
			p.DecidedAt, p.RefusalReasons, p.RefusalNote = s.now(), in.Reasons, in.Note
			if err := s.setStatus(p, api.PledgeRefused); err != nil {
				return nil, api.Event{}, err
			}
			if err := s.savePledge(p, "PledgeRefused"); err != nil {
				return nil, api.Event{}, err
			}
			return p, s.pledgeEvent("PledgeRefused", p), nil
		})
}

// endPledge takes an active pledge off its rights' encumbrances and moves it to status.
func (s *Service) endPledge(p *api.Pledge, status api.PledgeStatus, action string) error {
	assets, err := s.loadAssets(p.AssetIDs)
	if err != nil {
		return err
	}
	for _, a := range assets {
		a.Encumbrances = slices.DeleteFunc(a.Encumbrances, func(e api.Encumbrance) bool { return e.PledgeID == p.ID })
		if err := s.saveAsset(a, action+":"+p.ID); err != nil {
			return err
		}
	}
	return s.setStatus(p, status)
}

// RevokePledge revokes an improper registration (P6). IP office only.
func (s *Service) RevokePledge(requestID, pledgeID, payload string) (string, error) {
	return s.submit(api.RevokePledge.Name, requestID, pledgeID+"\x00"+payload,
		func() error { return requireOrg(s.tx.Caller, "P6", api.MSPIPOffice) },
		func() (any, api.Event, error) {
			in, err := parseReason(payload)
			if err != nil {
				return nil, api.Event{}, err
			}
			p, err := s.loadPledge(pledgeID)
			if err != nil {
				return nil, api.Event{}, err
			}
			if err := requireStatus(p, "P6", api.PledgeRegistered, api.PledgeDefaulted); err != nil {
				return nil, api.Event{}, err
			}
			p.Revocation = &api.Closure{At: s.now(), Reason: in.Reason, TxID: s.tx.ID}
			if err := s.endPledge(p, api.PledgeRevoked, "PledgeRevoked"); err != nil {
				return nil, api.Event{}, err
			}
			if err := s.savePledge(p, "PledgeRevoked"); err != nil {
				return nil, api.Event{}, err
			}
			return p, s.pledgeEvent("PledgeRevoked", p), nil
		})
}

// pledgeeOp runs an operation of the pledgee bank on one of its pledges (P6, P8).
func (s *Service) pledgeeOp(function, requestID, pledgeID, payload string, rule api.Code,
	run func(p *api.Pledge) (api.Event, error)) (string, error) {
	return s.submit(function, requestID, pledgeID+"\x00"+payload+s.termsFingerprint(),
		func() error { return requireBank(s.tx.Caller, rule) },
		func() (any, api.Event, error) {
			p, err := s.loadPledge(pledgeID)
			if err != nil {
				return nil, api.Event{}, err
			}
			if err := s.requirePledgee(p, rule); err != nil {
				return nil, api.Event{}, err
			}
			ev, err := run(p)
			if err != nil {
				return nil, api.Event{}, err
			}
			return p, ev, nil
		})
}

// ReleasePledge releases (注销) a pledge, e.g. when the loan is repaid (P6). Pledgee only.
func (s *Service) ReleasePledge(requestID, pledgeID, payload string) (string, error) {
	return s.pledgeeOp(api.ReleasePledge.Name, requestID, pledgeID, payload, "P6", func(p *api.Pledge) (api.Event, error) {
		in, err := parseReason(payload)
		if err != nil {
			return api.Event{}, err
		}
		if err := requireStatus(p, "P6", api.PledgeRegistered, api.PledgeDefaulted); err != nil {
			return api.Event{}, err
		}
		p.Release = &api.Closure{At: s.now(), Reason: in.Reason, TxID: s.tx.ID}
		if err := s.endPledge(p, api.PledgeReleased, "PledgeReleased"); err != nil {
			return api.Event{}, err
		}
		if err := s.savePledge(p, "PledgeReleased"); err != nil {
			return api.Event{}, err
		}
		return s.pledgeEvent("PledgeReleased", p), nil
	})
}

// DeclareDefault records the debtor's default, which opens disposal (P8), and the outstanding secured
// claim the disposal is to pay, checked against the private terms (statedClaim). Pledgee only.
func (s *Service) DeclareDefault(requestID, pledgeID, payload string) (string, error) {
	return s.pledgeeOp(api.DeclareDefault.Name, requestID, pledgeID, payload, "P8", func(p *api.Pledge) (api.Event, error) {
		var in api.DefaultInput
		if err := DecodeStrict("default", payload, &in); err != nil {
			return api.Event{}, err
		}
		var c check
		c.text("reason", in.Reason, 1, 500)
		if c.err != nil {
			return api.Event{}, c.err
		}
		if err := parseClaim("claim.", in.Claim); err != nil {
			return api.Event{}, err
		}
		if err := parseClaimDates("claim.", p, in.Claim); err != nil {
			return api.Event{}, err
		}
		if err := requireStatus(p, "P8", api.PledgeRegistered); err != nil {
			return api.Event{}, err
		}
		s.determineByDefault(p)
		claim, err := s.statedClaim(p, in.Claim)
		if err != nil {
			return api.Event{}, err
		}
		p.Claim = claim
		p.Default = &api.Closure{At: s.now(), Reason: in.Reason, TxID: s.tx.ID}
		assets, err := s.loadAssets(p.AssetIDs)
		if err != nil {
			return api.Event{}, err
		}
		for _, a := range assets {
			for i := range a.Encumbrances {
				if a.Encumbrances[i].PledgeID == p.ID {
					a.Encumbrances[i].Status = api.PledgeDefaulted
				}
			}
			if err := s.saveAsset(a, "PledgeDefaulted:"+p.ID); err != nil {
				return api.Event{}, err
			}
		}
		if err := s.setStatus(p, api.PledgeDefaulted); err != nil {
			return api.Event{}, err
		}
		if err := s.savePledge(p, "PledgeDefaulted"); err != nil {
			return api.Event{}, err
		}
		return s.pledgeEvent("PledgeDefaulted", p), nil
	})
}
