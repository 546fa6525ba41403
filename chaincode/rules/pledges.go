package rules

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// TransientTermsKey is the transient-map key that carries the private terms (V2) to ApplyPledge and
// AmendPledge. The terms never appear in arguments, events or the public record.
const TransientTermsKey = "terms"

// MaxPackage is the largest number of IP rights in one pledge.
const MaxPackage = 20

// PledgeApplication is the public part of a pledge application (P1, P2). The pledgee is the applying
// bank; its private terms travel in the transient map.
type PledgeApplication struct {
	AcknowledgeInvalidationRisk bool     `json:"acknowledgeInvalidationRisk"`
	AssetIDs                    []string `json:"assetIds"`
	ContractHash                string   `json:"contractHash"`
	DebtKind                    string   `json:"debtKind"`
	DebtTermEnd                 string   `json:"debtTermEnd"`
	DebtTermStart               string   `json:"debtTermStart"`
	PledgeeName                 string   `json:"pledgeeName"`
	Pledgors                    []Party  `json:"pledgors"`
}

// Registration is the payload of RegisterPledge: the IP office's registration number (P3).
type Registration struct {
	RegistrationNumber string `json:"registrationNumber"`
}

// Refusal is the payload of RefusePledge and RefuseTransfer: reason codes and an optional note.
type Refusal struct {
	Note    string   `json:"note"`
	Reasons []string `json:"reasons"`
}

// Reason is the payload of RevokePledge, ReleasePledge and DeclareDefault.
type Reason struct {
	Reason string `json:"reason"`
}

// Amendment is the payload of AmendPledge (P6): names and debt kind; new private terms, if any, travel
// in the transient map. Pledgors, when given, must be the same ids: only their names may change.
type Amendment struct {
	DebtKind    string  `json:"debtKind"`
	PledgeeName string  `json:"pledgeeName"`
	Pledgors    []Party `json:"pledgors"`
}

// Extension is the payload of ExtendPledge (P6).
type Extension struct {
	DebtTermEnd string `json:"debtTermEnd"`
}

// ProceedInput is one pledge's share of a disposal's price.
type ProceedInput struct {
	Amount   string `json:"amount"`
	PledgeID string `json:"pledgeId"`
}

// DisposalInput is the payload of DisposePledge (P8).
type DisposalInput struct {
	Buyers   []Owner        `json:"buyers"`
	Currency string         `json:"currency"`
	Method   string         `json:"method"`
	Price    string         `json:"price"`
	Proceeds []ProceedInput `json:"proceeds"`
	SaleRef  string         `json:"saleRef"`
	Surplus  string         `json:"surplus"`
}

// ParsePledgeApplication decodes and validates an ApplyPledge payload (P2).
func ParsePledgeApplication(payload string) (PledgeApplication, error) {
	var in PledgeApplication
	if err := DecodeStrict("application", payload, &in); err != nil {
		return in, err
	}
	var c check
	c.count("assetIds", len(in.AssetIDs), 1, MaxPackage)
	for i, id := range in.AssetIDs {
		c.id(fmt.Sprintf("assetIds[%d]", i), id)
		if slices.Index(in.AssetIDs, id) != i {
			c.fail(fmt.Sprintf("assetIds[%d]", i), "duplicate IP right")
		}
	}
	c.parties("pledgors", in.Pledgors)
	c.text("pledgeeName", in.PledgeeName, 1, 200)
	c.enum("debtKind", in.DebtKind, DebtKinds)
	c.date("debtTermStart", in.DebtTermStart)
	c.date("debtTermEnd", in.DebtTermEnd)
	if c.err == nil && in.DebtTermEnd <= in.DebtTermStart {
		c.fail("debtTermEnd", "must be after debtTermStart")
	}
	c.hash("contractHash", in.ContractHash)
	return in, c.err
}

// ParseTerms decodes and validates private terms (V2) from the transient map's "terms" value.
func ParseTerms(raw []byte) (Terms, error) {
	var t Terms
	if err := DecodeStrict("transient.terms", string(raw), &t); err != nil {
		return t, err
	}
	var c check
	c.positiveMoney("terms.amount", t.Amount)
	if !currencyPattern.MatchString(t.Currency) {
		c.fail("terms.currency", "must be an ISO 4217 code such as CNY")
	}
	if !ratePattern.MatchString(t.InterestRate) {
		c.fail("terms.interestRate", "must be a yearly rate in percent, e.g. 3.85")
	}
	c.text("terms.scope", t.Scope, 1, 1000)
	c.text("terms.conditions", t.Conditions, 0, 4000)
	if !saltPattern.MatchString(t.Salt) {
		c.fail("terms.salt", "must be 32 to 128 lower-case hex digits chosen at random by the client")
	}
	if v := t.Valuation; v != nil {
		c.text("terms.valuation.appraiser", v.Appraiser, 1, 200)
		c.positiveMoney("terms.valuation.value", v.Value)
		c.hash("terms.valuation.reportHash", v.ReportHash)
	}
	return t, c.err
}

// TermsHash is the public fingerprint of private terms: the SHA-256, in hex, of their canonical JSON
// (the encoding of [Terms], as GetPledgeTerms returns it), salt included (V2).
func TermsHash(t Terms) string {
	b, _ := json.Marshal(t) // only strings: cannot fail
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func parseReason(payload string) (Reason, error) {
	var r Reason
	if err := DecodeStrict("reason", payload, &r); err != nil {
		return r, err
	}
	var c check
	c.text("reason", r.Reason, 1, 500)
	return r, c.err
}

func parseRefusal(payload string) (Refusal, error) {
	var r Refusal
	if err := DecodeStrict("refusal", payload, &r); err != nil {
		return r, err
	}
	var c check
	c.reasons("reasons", r.Reasons)
	c.text("note", r.Note, 0, 1000)
	return r, c.err
}

// ParseDisposal decodes and validates a DisposePledge payload (P8).
func ParseDisposal(payload string) (DisposalInput, error) {
	var in DisposalInput
	if err := DecodeStrict("disposal", payload, &in); err != nil {
		return in, err
	}
	var c check
	c.enum("method", in.Method, DisposalMethods)
	c.owners("buyers", in.Buyers)
	c.positiveMoney("price", in.Price)
	if !currencyPattern.MatchString(in.Currency) {
		c.fail("currency", "must be an ISO 4217 code such as CNY")
	}
	c.count("proceeds", len(in.Proceeds), 1, 20)
	for i, p := range in.Proceeds {
		c.id(fmt.Sprintf("proceeds[%d].pledgeId", i), p.PledgeID)
		c.money(fmt.Sprintf("proceeds[%d].amount", i), p.Amount)
		if slices.IndexFunc(in.Proceeds, func(q ProceedInput) bool { return q.PledgeID == p.PledgeID }) != i {
			c.fail(fmt.Sprintf("proceeds[%d].pledgeId", i), "duplicate pledge")
		}
	}
	c.money("surplus", in.Surplus)
	c.text("saleRef", in.SaleRef, 1, 100)
	return in, c.err
}

func pledgeKey(id string) string { return CompositeKey(keyPledge, id) }

func (s *Service) loadPledge(id string) (*Pledge, error) {
	var c check
	if c.id("pledgeId", id); c.err != nil {
		return nil, c.err
	}
	var p Pledge
	found, err := s.get(pledgeKey(id), &p)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, NotFound("pledge", id)
	}
	return &p, nil
}

func (s *Service) savePledge(p *Pledge, action string) error {
	p.Version++
	p.LastChange = s.change(action)
	return s.put(pledgeKey(p.ID), p, PledgePolicy(p.Pledgee.MSP))
}

// setStatus moves a pledge between status-index entries.
func (s *Service) setStatus(p *Pledge, status string) error {
	if err := s.delIndex(idxPledgeStatus, p.Status, p.ID); err != nil {
		return err
	}
	p.Status = status
	return s.putIndex(PledgePolicy(p.Pledgee.MSP), idxPledgeStatus, status, p.ID)
}

func (s *Service) loadAssets(ids []string) ([]*Asset, error) {
	assets := make([]*Asset, 0, len(ids))
	for _, id := range ids {
		a, err := s.loadAsset(id)
		if err != nil {
			return nil, err
		}
		assets = append(assets, a)
	}
	return assets, nil
}

func (s *Service) pledgeEvent(typ string, p *Pledge) Event {
	return Event{Type: typ, ID: p.ID, AssetIDs: slices.Clone(p.AssetIDs), Status: p.Status}
}

// requirePledgee admits only the pledge's own bank, with its loan-officer or admin role (P6).
func (s *Service) requirePledgee(p *Pledge, rule string) error {
	c := s.tx.Caller
	if c.MSP == MSPRegulator {
		return Forbidden("V3", "the regulator reads everything and writes nothing", "msp", c.MSP)
	}
	if !c.member() || c.MSP != p.Pledgee.MSP {
		return Forbidden(rule, "only the pledgee bank may do this", "msp", c.MSP, "pledgeeMsp", p.Pledgee.MSP)
	}
	return nil
}

func requireStatus(p *Pledge, rule string, allowed ...string) error {
	if !slices.Contains(allowed, p.Status) {
		return Conflict(rule, fmt.Sprintf("pledge is %s; this needs it %v", p.Status, allowed),
			"pledgeId", p.ID, "status", p.Status, "reason", "wrong-status")
	}
	return nil
}

// checkPledgeable applies P1, P4 and P5 to a pledge and its rights, as they stand now. It runs when the
// application is filed and again when it is registered (P4).
func (s *Service) checkPledgeable(p *Pledge, assets []*Asset) error {
	for _, a := range assets {
		if pending, err := s.pendingDisposal(a.ID); err != nil {
			return err
		} else if pending != "" {
			return Conflict("P8", "the right was sold in a disposal; its buyer's title is not recorded yet",
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
				return Conflict("P1", "every registered owner of every IP right must be a pledgor",
					"assetId", a.ID, "ownerId", o.ID, "reason", "owner-missing")
			}
		}
	}
	for _, pl := range p.Pledgors {
		if !owners[pl.ID] {
			return Conflict("P1", "a pledgor is not a registered owner of any IP right in the pledge",
				"pledgorId", pl.ID, "reason", "not-owner")
		}
	}
	today := s.today()
	for _, a := range assets {
		refuse := func(reason, msg string) error {
			return Conflict("P4", msg, "assetId", a.ID, "reason", reason)
		}
		switch {
		case a.LegalStatus != LegalValid:
			return refuse("not-valid", "the IP right is "+a.LegalStatus+", not valid")
		case IsPatent(a.Kind) && a.FeesPaidThrough < today:
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
		if IsPatent(a.Kind) {
			for _, e := range a.Encumbrances {
				if e.PledgeID != p.ID {
					return Conflict("P5", "a patent carries at most one active pledge",
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
func (s *Service) checkMarkFamilies(p *Pledge, assets []*Asset) error {
	for _, a := range assets {
		if a.Kind != KindTrademark || a.MarkFamily == "" {
			continue
		}
		keys, err := s.l.Scan(idxAssetFamily, []string{a.MarkFamily})
		if err != nil {
			return internal("scan", err)
		}
		for _, k := range keys {
			_, attrs, err := SplitCompositeKey(k)
			if err != nil || len(attrs) != 2 {
				return internal("split key", fmt.Errorf("bad index key %q", k))
			}
			memberID := attrs[1]
			if slices.Contains(p.AssetIDs, memberID) {
				continue
			}
			m, err := s.loadAsset(memberID)
			if err != nil {
				return err
			}
			if m.LegalStatus == LegalValid && m.NiceClass == a.NiceClass && sameOwners(m.Owners, a.Owners) {
				return Conflict("P4", "the owner's identical or similar marks in the same class must be pledged together",
					"assetId", a.ID, "missingAssetId", m.ID, "reason", "similar-marks-missing")
			}
		}
	}
	return nil
}

func sameOwners(a, b []Owner) bool {
	ids := func(os []Owner) []string {
		out := make([]string, len(os))
		for i, o := range os {
			out[i] = o.ID
		}
		slices.Sort(out)
		return out
	}
	return slices.Equal(ids(a), ids(b))
}

// ApplyPledge files a pledge application (P1, P2, P4, P5, P9). Banks only; the applying bank is the
// pledgee. The private terms come in the transient map under "terms" and go to the bank's collection.
func (s *Service) ApplyPledge(requestID, payload string) (string, error) {
	return s.submit("ApplyPledge", requestID, payload+s.termsFingerprint(),
		func() error { return requireOrg(s.tx.Caller, "P1", Banks...) },
		func() (any, Event, error) {
			in, err := ParsePledgeApplication(payload)
			if err != nil {
				return nil, Event{}, err
			}
			raw, ok := s.tx.Transient[TransientTermsKey]
			if !ok || len(raw) == 0 {
				return nil, Event{}, Invalid("transient.terms", "the private terms are required in the transient map under \"terms\"")
			}
			terms, err := ParseTerms(raw)
			if err != nil {
				return nil, Event{}, err
			}
			assets, err := s.loadAssets(in.AssetIDs)
			if err != nil {
				return nil, Event{}, err
			}
			bank := s.tx.Caller.MSP
			kinds := make([]string, len(assets))
			for i, a := range assets {
				kinds[i] = a.Kind
			}
			p := &Pledge{
				AcknowledgeInvalidationRisk: in.AcknowledgeInvalidationRisk, AppliedAt: s.now(), AssetIDs: in.AssetIDs,
				ContractHash: in.ContractHash, DebtKind: in.DebtKind, DebtTermEnd: in.DebtTermEnd,
				DebtTermStart: in.DebtTermStart, DocType: keyPledge,
				ExaminationDueBy: ExaminationDueBy(s.tx.Time, kinds).Format(time.RFC3339Nano),
				ID:               s.derivedID("PL-"), Pledgee: Pledgee{MSP: bank, Name: in.PledgeeName},
				Pledgors: in.Pledgors, Ranks: []Rank{}, Status: PledgeApplied, TermsCollection: TermsCollection(bank),
				TermsHash: TermsHash(terms),
			}
			if err := s.checkPledgeable(p, assets); err != nil {
				return nil, Event{}, err
			}
			if found, err := s.exists(pledgeKey(p.ID)); err != nil {
				return nil, Event{}, err
			} else if found {
				return nil, Event{}, Conflict("I3", "a pledge with this id exists", "pledgeId", p.ID)
			}
			pol := PledgePolicy(bank)
			if err := s.savePledge(p, "PledgeApplied"); err != nil {
				return nil, Event{}, err
			}
			for _, id := range p.AssetIDs {
				if err := s.putIndex(pol, idxPledgeAsset, id, p.ID); err != nil {
					return nil, Event{}, err
				}
			}
			if err := s.putIndex(pol, idxPledgePledgee, bank, p.ID); err != nil {
				return nil, Event{}, err
			}
			if err := s.putIndex(pol, idxPledgeStatus, p.Status, p.ID); err != nil {
				return nil, Event{}, err
			}
			if err := s.putTerms(p, terms); err != nil {
				return nil, Event{}, err
			}
			return p, s.pledgeEvent("PledgeApplied", p), nil
		})
}

func (s *Service) putTerms(p *Pledge, terms Terms) error {
	rec, err := json.Marshal(PrivateTerms{PledgeID: p.ID, Terms: terms, TermsHash: p.TermsHash, TxID: s.tx.ID})
	if err != nil {
		return internal("encode terms", err)
	}
	if err := s.l.PutPrivate(p.TermsCollection, pledgeKey(p.ID), rec); err != nil {
		return internal("put private data", err)
	}
	return nil
}

// RegisterPledge registers an applied pledge (P3), after checking P1, P4 and P5 again against the rights
// as they are now. Each right gets the pledge as an encumbrance with the next rank (P5). IP office only.
func (s *Service) RegisterPledge(requestID, pledgeID, payload string) (string, error) {
	return s.submit("RegisterPledge", requestID, pledgeID+"\x00"+payload,
		func() error { return requireOrg(s.tx.Caller, "P3", MSPIPOffice) },
		func() (any, Event, error) {
			var in Registration
			if err := DecodeStrict("registration", payload, &in); err != nil {
				return nil, Event{}, err
			}
			var c check
			if c.id("registrationNumber", in.RegistrationNumber); c.err != nil {
				return nil, Event{}, c.err
			}
			p, err := s.loadPledge(pledgeID)
			if err != nil {
				return nil, Event{}, err
			}
			if err := requireStatus(p, "P3", PledgeApplied); err != nil {
				return nil, Event{}, err
			}
			taken, err := s.l.Scan(idxPledgeRegNumber, []string{in.RegistrationNumber})
			if err != nil {
				return nil, Event{}, internal("scan", err)
			}
			if len(taken) > 0 {
				return nil, Event{}, Conflict("P3", "registration number already in use",
					"registrationNumber", in.RegistrationNumber, "reason", "registration-number-taken")
			}
			assets, err := s.loadAssets(p.AssetIDs)
			if err != nil {
				return nil, Event{}, err
			}
			if err := s.checkPledgeable(p, assets); err != nil {
				return nil, Event{}, err
			}
			now := s.now()
			for _, a := range assets {
				rank := a.NextRank
				a.NextRank++
				a.Encumbrances = append(a.Encumbrances, Encumbrance{PledgeID: p.ID, PledgeeMSP: p.Pledgee.MSP,
					Rank: rank, RegisteredAt: now, RegistrationNumber: in.RegistrationNumber,
					RegistrationTxID: s.tx.ID, Status: PledgeRegistered})
				p.Ranks = append(p.Ranks, Rank{AssetID: a.ID, Rank: rank})
				if err := s.saveAsset(a, "PledgeRegistered:"+p.ID); err != nil {
					return nil, Event{}, err
				}
			}
			p.RegisteredAt, p.DecidedAt, p.RegistrationNumber, p.RegistrationTxID = now, now, in.RegistrationNumber, s.tx.ID
			if err := s.setStatus(p, PledgeRegistered); err != nil {
				return nil, Event{}, err
			}
			if err := s.putIndex(PledgePolicy(p.Pledgee.MSP), idxPledgeRegNumber, in.RegistrationNumber, p.ID); err != nil {
				return nil, Event{}, err
			}
			if err := s.savePledge(p, "PledgeRegistered"); err != nil {
				return nil, Event{}, err
			}
			return p, s.pledgeEvent("PledgeRegistered", p), nil
		})
}

// RefusePledge refuses an applied pledge with reason codes (P3). IP office only.
func (s *Service) RefusePledge(requestID, pledgeID, payload string) (string, error) {
	return s.submit("RefusePledge", requestID, pledgeID+"\x00"+payload,
		func() error { return requireOrg(s.tx.Caller, "P3", MSPIPOffice) },
		func() (any, Event, error) {
			in, err := parseRefusal(payload)
			if err != nil {
				return nil, Event{}, err
			}
			p, err := s.loadPledge(pledgeID)
			if err != nil {
				return nil, Event{}, err
			}
			if err := requireStatus(p, "P3", PledgeApplied); err != nil {
				return nil, Event{}, err
			}
			p.DecidedAt, p.RefusalReasons, p.RefusalNote = s.now(), in.Reasons, in.Note
			if err := s.setStatus(p, PledgeRefused); err != nil {
				return nil, Event{}, err
			}
			if err := s.savePledge(p, "PledgeRefused"); err != nil {
				return nil, Event{}, err
			}
			return p, s.pledgeEvent("PledgeRefused", p), nil
		})
}

// endPledge takes an active pledge off its rights' encumbrances and moves it to status.
func (s *Service) endPledge(p *Pledge, status, action string) error {
	assets, err := s.loadAssets(p.AssetIDs)
	if err != nil {
		return err
	}
	for _, a := range assets {
		a.Encumbrances = slices.DeleteFunc(a.Encumbrances, func(e Encumbrance) bool { return e.PledgeID == p.ID })
		if err := s.saveAsset(a, action+":"+p.ID); err != nil {
			return err
		}
	}
	return s.setStatus(p, status)
}

// RevokePledge revokes an improper registration (P6). IP office only.
func (s *Service) RevokePledge(requestID, pledgeID, payload string) (string, error) {
	return s.submit("RevokePledge", requestID, pledgeID+"\x00"+payload,
		func() error { return requireOrg(s.tx.Caller, "P6", MSPIPOffice) },
		func() (any, Event, error) {
			in, err := parseReason(payload)
			if err != nil {
				return nil, Event{}, err
			}
			p, err := s.loadPledge(pledgeID)
			if err != nil {
				return nil, Event{}, err
			}
			if err := requireStatus(p, "P6", PledgeRegistered, PledgeDefaulted); err != nil {
				return nil, Event{}, err
			}
			p.Revocation = &Closure{At: s.now(), Reason: in.Reason, TxID: s.tx.ID}
			if err := s.endPledge(p, PledgeRevoked, "PledgeRevoked"); err != nil {
				return nil, Event{}, err
			}
			if err := s.savePledge(p, "PledgeRevoked"); err != nil {
				return nil, Event{}, err
			}
			return p, s.pledgeEvent("PledgeRevoked", p), nil
		})
}

// pledgeeOp runs an operation of the pledgee bank on one of its pledges (P6, P8).
func (s *Service) pledgeeOp(function, requestID, pledgeID, payload, rule string,
	run func(p *Pledge) (Event, error)) (string, error) {
	return s.submit(function, requestID, pledgeID+"\x00"+payload+s.termsFingerprint(),
		func() error { return requireOrg(s.tx.Caller, rule, Banks...) },
		func() (any, Event, error) {
			p, err := s.loadPledge(pledgeID)
			if err != nil {
				return nil, Event{}, err
			}
			if err := s.requirePledgee(p, rule); err != nil {
				return nil, Event{}, err
			}
			ev, err := run(p)
			if err != nil {
				return nil, Event{}, err
			}
			return p, ev, nil
		})
}

// AmendPledge records a change (变更) of names, debt kind or private terms of a registered pledge (P6).
// Filed by the pledgee; recorded with the IP office's mandatory endorsement (I1).
func (s *Service) AmendPledge(requestID, pledgeID, payload string) (string, error) {
	return s.pledgeeOp("AmendPledge", requestID, pledgeID, payload, "P6", func(p *Pledge) (Event, error) {
		var in Amendment
		if err := DecodeStrict("amendment", payload, &in); err != nil {
			return Event{}, err
		}
		var c check
		if in.DebtKind != "" {
			c.enum("debtKind", in.DebtKind, DebtKinds)
		}
		if in.PledgeeName != "" {
			c.text("pledgeeName", in.PledgeeName, 1, 200)
		}
		if in.Pledgors != nil {
			c.parties("pledgors", in.Pledgors)
		}
		raw, hasTerms := s.tx.Transient[TransientTermsKey]
		if c.err == nil && in.DebtKind == "" && in.PledgeeName == "" && in.Pledgors == nil && !hasTerms {
			c.fail("", "at least one change is required: debtKind, pledgeeName, pledgors or transient terms")
		}
		if c.err != nil {
			return Event{}, c.err
		}
		var terms Terms
		if hasTerms {
			var err error
			if terms, err = ParseTerms(raw); err != nil {
				return Event{}, err
			}
		}
		if err := requireStatus(p, "P6", PledgeRegistered); err != nil {
			return Event{}, err
		}
		if in.Pledgors != nil {
			ids := func(ps []Party) []string {
				out := make([]string, len(ps))
				for i, x := range ps {
					out[i] = x.ID
				}
				slices.Sort(out)
				return out
			}
			if !slices.Equal(ids(in.Pledgors), ids(p.Pledgors)) {
				return Event{}, Conflict("P6", "an amendment may change the pledgors' names, not who they are",
					"pledgeId", p.ID, "reason", "pledgors-changed")
			}
			p.Pledgors = in.Pledgors
		}
		if in.DebtKind != "" {
			p.DebtKind = in.DebtKind
		}
		if in.PledgeeName != "" {
			p.Pledgee.Name = in.PledgeeName
		}
		if hasTerms {
			p.TermsHash = TermsHash(terms)
			if err := s.putTerms(p, terms); err != nil {
				return Event{}, err
			}
		}
		if err := s.savePledge(p, "PledgeAmended"); err != nil {
			return Event{}, err
		}
		return s.pledgeEvent("PledgeAmended", p), nil
	})
}

// ExtendPledge records an extension (延期) of the debt term (P6); the new end must not be after any
// pledged right expires (P4). Filed by the pledgee; recorded with the IP office's endorsement (I1).
func (s *Service) ExtendPledge(requestID, pledgeID, payload string) (string, error) {
	return s.pledgeeOp("ExtendPledge", requestID, pledgeID, payload, "P6", func(p *Pledge) (Event, error) {
		var in Extension
		if err := DecodeStrict("extension", payload, &in); err != nil {
			return Event{}, err
		}
		var c check
		if c.date("debtTermEnd", in.DebtTermEnd); c.err != nil {
			return Event{}, c.err
		}
		if err := requireStatus(p, "P6", PledgeRegistered); err != nil {
			return Event{}, err
		}
		if in.DebtTermEnd <= p.DebtTermEnd {
			return Event{}, Conflict("P6", "an extension must move the debt term end later",
				"pledgeId", p.ID, "debtTermEnd", p.DebtTermEnd, "reason", "not-later")
		}
		assets, err := s.loadAssets(p.AssetIDs)
		if err != nil {
			return Event{}, err
		}
		for _, a := range assets {
			if in.DebtTermEnd > a.ExpiryDate {
				return Event{}, Conflict("P4", "the debt term would end after the IP right expires ("+a.ExpiryDate+")",
					"assetId", a.ID, "reason", "term-after-expiry")
			}
		}
		p.DebtTermEnd = in.DebtTermEnd
		if err := s.savePledge(p, "PledgeExtended"); err != nil {
			return Event{}, err
		}
		return s.pledgeEvent("PledgeExtended", p), nil
	})
}

// ReleasePledge releases (注销) a pledge, e.g. when the loan is repaid (P6). Pledgee only.
func (s *Service) ReleasePledge(requestID, pledgeID, payload string) (string, error) {
	return s.pledgeeOp("ReleasePledge", requestID, pledgeID, payload, "P6", func(p *Pledge) (Event, error) {
		in, err := parseReason(payload)
		if err != nil {
			return Event{}, err
		}
		if err := requireStatus(p, "P6", PledgeRegistered, PledgeDefaulted); err != nil {
			return Event{}, err
		}
		p.Release = &Closure{At: s.now(), Reason: in.Reason, TxID: s.tx.ID}
		if err := s.endPledge(p, PledgeReleased, "PledgeReleased"); err != nil {
			return Event{}, err
		}
		if err := s.savePledge(p, "PledgeReleased"); err != nil {
			return Event{}, err
		}
		return s.pledgeEvent("PledgeReleased", p), nil
	})
}

// DeclareDefault records the debtor's default, which opens disposal (P8). Pledgee only.
func (s *Service) DeclareDefault(requestID, pledgeID, payload string) (string, error) {
	return s.pledgeeOp("DeclareDefault", requestID, pledgeID, payload, "P8", func(p *Pledge) (Event, error) {
		in, err := parseReason(payload)
		if err != nil {
			return Event{}, err
		}
		if err := requireStatus(p, "P8", PledgeRegistered); err != nil {
			return Event{}, err
		}
		p.Default = &Closure{At: s.now(), Reason: in.Reason, TxID: s.tx.ID}
		assets, err := s.loadAssets(p.AssetIDs)
		if err != nil {
			return Event{}, err
		}
		for _, a := range assets {
			for i := range a.Encumbrances {
				if a.Encumbrances[i].PledgeID == p.ID {
					a.Encumbrances[i].Status = PledgeDefaulted
				}
			}
			if err := s.saveAsset(a, "PledgeDefaulted:"+p.ID); err != nil {
				return Event{}, err
			}
		}
		if err := s.setStatus(p, PledgeDefaulted); err != nil {
			return Event{}, err
		}
		if err := s.savePledge(p, "PledgeDefaulted"); err != nil {
			return Event{}, err
		}
		return s.pledgeEvent("PledgeDefaulted", p), nil
	})
}
