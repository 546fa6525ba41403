package rules

import (
	"encoding/json"
	"slices"

	api "github.com/ipledger/ipledger/chaincode/api"
)

// A change (变更) or extension (延期) of a registered pledge is filed by its pledgee and takes effect
// only when the IP office records it (P6). The pledge holds at most one filed change at a time
// (PendingChangeID); new private terms of a filed change wait in the pledgee's collection under
// [keyPledgeChange] and replace the terms in force when the change is recorded.

// keyPledgeChange is the private-data key of the terms of a filed change: pledge id, change id.
const keyPledgeChange = "pledge-change"

func pendingTermsKey(pledgeID, changeID string) string {
	return CompositeKey(keyPledgeChange, pledgeID, changeID)
}

// AmendPledge files a change (变更) of names, debt kind, private terms or contract of a registered pledge
// (P6). Pledgee only; nothing changes until the IP office records it (RecordPledgeChange). New terms
// that change the secured amount need the hash of a new (supplementary) contract.
func (s *Service) AmendPledge(requestID, pledgeID, payload string) (string, error) {
	return s.pledgeeOp(api.AmendPledge.Name, requestID, pledgeID, payload, "P6", func(p *api.Pledge) (api.Event, error) {
		raw, hasTerms := s.tx.Transient[api.TransientTermsKey]
		in, err := parseAmendment(payload, hasTerms)
		if err != nil {
			return api.Event{}, err
		}
		var terms *api.Terms
		if hasTerms {
			t, err := ParseTerms(raw)
			if err != nil {
				return api.Event{}, err
			}
			if err := checkTermsSecurity(securityOf(p), t); err != nil {
				return api.Event{}, err
			}
			if p.ValuationReportID != "" && t.Valuation != nil { // F3: the cited report is the valuation
				return api.Event{}, api.Invalid("transient.terms.valuation", "must be left out: the pledge cites a valuation report")
			}
			terms = &t
		}
		if err := s.checkChangeable(p); err != nil {
			return api.Event{}, err
		}
		if in.Pledgors != nil && !sameIDs(in.Pledgors, p.Pledgors, func(x api.Party) string { return x.ID }) {
			return api.Event{}, pledgorsChanged(p)
		}
		if err := s.checkNewContract(p, in.ContractHash, terms); err != nil {
			return api.Event{}, err
		}
		ch := s.newChange(api.ChangeAmendment, in.ContractHash)
		ch.DebtKind, ch.PledgeeName, ch.Pledgors = in.DebtKind, in.PledgeeName, in.Pledgors
		if terms != nil {
			ch.TermsHash = TermsHash(*terms)
			if err := s.putPrivateTerms(p, pendingTermsKey(p.ID, ch.ID), *terms, ch.TermsHash); err != nil {
				return api.Event{}, err
			}
		}
		return s.fileChange(p, ch)
	})
}

// ExtendPledge files an extension (延期) of the debt term of a registered pledge (P6); the new end must be
// later and not after any pledged right expires (P4). Pledgee only; the term changes when the IP
// office records it.
func (s *Service) ExtendPledge(requestID, pledgeID, payload string) (string, error) {
	return s.pledgeeOp(api.ExtendPledge.Name, requestID, pledgeID, payload, "P6", func(p *api.Pledge) (api.Event, error) {
		var in api.Extension
		if err := DecodeStrict("extension", payload, &in); err != nil {
			return api.Event{}, err
		}
		var c check
		c.date("debtTermEnd", in.DebtTermEnd)
		if in.ContractHash != "" {
			c.hash("contractHash", in.ContractHash)
		}
		if c.err != nil {
			return api.Event{}, c.err
		}
		if err := s.checkChangeable(p); err != nil {
			return api.Event{}, err
		}
		if err := s.checkExtension(p, in.DebtTermEnd); err != nil {
			return api.Event{}, err
		}
		ch := s.newChange(api.ChangeExtension, in.ContractHash)
		ch.DebtTermEnd = in.DebtTermEnd
		return s.fileChange(p, ch)
	})
}

// checkChangeable admits a filing on a registered pledge without a change already filed.
func (s *Service) checkChangeable(p *api.Pledge) error {
	if err := requireStatus(p, "P6", api.PledgeRegistered); err != nil {
		return err
	}
	if p.PendingChangeID != "" {
		return api.Conflict("P6", "a change of this pledge is already filed: the IP office records or refuses it first",
			"pledgeId", p.ID, "pendingChangeId", p.PendingChangeID, "reason", "change-pending")
	}
	return nil
}

// checkExtension refuses an extension that does not move the term's end later (P6) or that ends it
// after a pledged right expires (P4), against the pledge and its rights as they are now.
func (s *Service) checkExtension(p *api.Pledge, end string) error {
	if end <= p.DebtTermEnd {
		return api.Conflict("P6", "an extension must move the debt term end later",
			"pledgeId", p.ID, "debtTermEnd", p.DebtTermEnd, "reason", "not-later")
	}
	// A term limit (P14) holds for the term as extended, not only as applied for.
	if err := checkDebtTermLimit(api.PledgeApplication{DebtTermStart: p.DebtTermStart, DebtTermEnd: end}); err != nil {
		return err
	}
	assets, err := s.loadAssets(p.AssetIDs)
	if err != nil {
		return err
	}
	for _, a := range assets {
		if end > a.ExpiryDate {
			return api.Conflict("P4", "the debt term would end after the IP right expires ("+a.ExpiryDate+")",
				"assetId", a.ID, "reason", "term-after-expiry")
		}
	}
	return nil
}

// checkNewContract refuses new terms that change the secured amount without the hash of a new
// contract (the supplementary contract, P6), and a contract hash that is the one in force. The
// amount in force is read from the pledgee's collection, of which both endorsers are members.
func (s *Service) checkNewContract(p *api.Pledge, contractHash string, terms *api.Terms) error {
	if contractHash != "" && contractHash == p.ContractHash {
		return api.Conflict("P6", "the contract hash is the one already registered: a change names its supplementary contract",
			"pledgeId", p.ID, "reason", "contract-hash-unchanged")
	}
	if terms == nil {
		return nil
	}
	cur, err := s.pendingTerms(p, "")
	if err != nil {
		return err
	}
	if cur != nil {
		if err := s.checkMaximumAmountChange(p, cur.Terms, *terms); err != nil {
			return err
		}
	}
	if contractHash != "" {
		return nil
	}
	if cur == nil || mustCents(cur.Terms.Amount) != mustCents(terms.Amount) ||
		mustCents(cur.Terms.MaximumAmount) != mustCents(terms.MaximumAmount) {
		return api.Conflict("P6", "a change of the secured amount needs the hash of the supplementary contract (contractHash)",
			"pledgeId", p.ID, "reason", "contract-hash-required")
	}
	return nil
}

func pledgorsChanged(p *api.Pledge) error {
	return api.Conflict("P6", "a change may rename the pledgors, not change who they are",
		"pledgeId", p.ID, "reason", "pledgors-changed")
}

// newChange is a change filed now, in this transaction, with a derived id.
func (s *Service) newChange(kind, contractHash string) api.PledgeChange {
	return api.PledgeChange{ContractHash: contractHash, FiledAt: s.now(), ID: s.derivedID("CH-"), Kind: kind,
		Status: api.ChangeFiled, TxID: s.tx.ID}
}

// fileChange puts a filed change on the pledge, as its pending change, and saves it.
func (s *Service) fileChange(p *api.Pledge, ch api.PledgeChange) (api.Event, error) {
	p.Changes = append(p.Changes, ch)
	p.PendingChangeID = ch.ID
	if err := s.savePledge(p, "PledgeChangeFiled:"+ch.ID); err != nil {
		return api.Event{}, err
	}
	return s.pledgeEvent("PledgeChangeFiled", p), nil
}

// putPrivateTerms writes terms to the pledgee's collection under key.
func (s *Service) putPrivateTerms(p *api.Pledge, key string, terms api.Terms, hash string) error {
	rec, err := json.Marshal(PrivateTerms{PledgeID: p.ID, Terms: terms, TermsHash: hash, TxID: s.tx.ID})
	if err != nil {
		return internal("encode terms", err)
	}
	if err := s.l.PutPrivate(p.TermsCollection, key, rec); err != nil {
		return privateWriteError(p.TermsCollection, err)
	}
	return nil
}

// parseAmendment decodes and validates an AmendPledge payload; new private terms in the transient map
// (hasTerms) are a change too, so that an empty payload may come with them.
func parseAmendment(payload string, hasTerms bool) (api.Amendment, error) {
	var in api.Amendment
	if err := DecodeStrict("amendment", payload, &in); err != nil {
		return in, err
	}
	var c check
	if in.ContractHash != "" {
		c.hash("contractHash", in.ContractHash)
	}
	if in.DebtKind != "" {
		enum(&c, "debtKind", in.DebtKind, api.DebtKinds)
	}
	if in.PledgeeName != "" {
		c.text("pledgeeName", in.PledgeeName, 1, 200)
	}
	if in.Pledgors != nil {
		c.parties("pledgors", in.Pledgors)
	}
	if c.err == nil && in.ContractHash == "" && in.DebtKind == "" && in.PledgeeName == "" && in.Pledgors == nil && !hasTerms {
		c.fail("", "at least one change is required: contractHash, debtKind, pledgeeName, pledgors or transient terms")
	}
	return in, c.err
}

// RecordPledgeChange records a filed change or extension (P6): it takes effect now. The pledge must
// still be registered; an extension is checked again against the rights as they are now (P4), and
// renamed pledgors must still be the pledgors (they change when a pledged right is assigned, P7). New
// private terms replace those in force and the pledge's termsHash becomes theirs; a contract hash
// replaces the registered one. IP office only.
func (s *Service) RecordPledgeChange(requestID, pledgeID, changeID, payload string) (string, error) {
	return s.submit(api.RecordPledgeChange.Name, requestID, pledgeID+"\x00"+changeID+"\x00"+payload,
		func() error { return requireOrg(s.tx.Caller, "P6", api.MSPIPOffice) },
		func() (any, api.Event, error) {
			var in struct{}
			if err := DecodeStrict("record", payload, &in); err != nil {
				return nil, api.Event{}, err
			}
			p, ch, err := s.loadFiledChange(pledgeID, changeID)
			if err != nil {
				return nil, api.Event{}, err
			}
			if err := requireStatus(p, "P6", api.PledgeRegistered); err != nil {
				return nil, api.Event{}, err
			}
			if err := s.applyChange(p, ch); err != nil {
				return nil, api.Event{}, err
			}
			ch.Status, ch.DecidedAt, ch.DecisionTxID = api.ChangeRecorded, s.now(), s.tx.ID
			p.PendingChangeID = ""
			if err := s.savePledge(p, "PledgeChangeRecorded:"+ch.ID); err != nil {
				return nil, api.Event{}, err
			}
			return p, s.pledgeEvent("PledgeChangeRecorded", p), nil
		})
}

// applyChange puts what a change sets on its pledge, after checking it against the pledge as it is now.
func (s *Service) applyChange(p *api.Pledge, ch *api.PledgeChange) error {
	if ch.Kind == api.ChangeExtension {
		if err := s.checkExtension(p, ch.DebtTermEnd); err != nil {
			return err
		}
		p.DebtTermEnd = ch.DebtTermEnd
	}
	if ch.Pledgors != nil {
		if !sameIDs(ch.Pledgors, p.Pledgors, func(x api.Party) string { return x.ID }) {
			return pledgorsChanged(p)
		}
		if err := s.reindexPledgors(p, ch.Pledgors); err != nil { // S1: the renamed pledgors' names
			return err
		}
	}
	if ch.DebtKind != "" {
		p.DebtKind = ch.DebtKind
	}
	if ch.PledgeeName != "" {
		p.Pledgee.Name = ch.PledgeeName
	}
	if ch.ContractHash != "" {
		p.ContractHash = ch.ContractHash
	}
	if ch.TermsHash == "" {
		return nil
	}
	// The filed terms move to the key of the terms in force. Both endorsers, the IP office and the
	// pledgee, are members of the collection.
	terms, err := s.pendingTerms(p, ch.ID)
	if err != nil {
		return err
	}
	if terms == nil || terms.TermsHash != ch.TermsHash {
		return api.NotFound("terms", p.ID+"/"+ch.ID)
	}
	if cur, err := s.pendingTerms(p, ""); err != nil {
		return err
	} else if cur != nil {
		if err := s.checkMaximumAmountChange(p, cur.Terms, terms.Terms); err != nil {
			return err
		}
	}
	p.TermsHash = ch.TermsHash
	return s.putPrivateTerms(p, pledgeKey(p.ID), terms.Terms, ch.TermsHash)
}

// checkMaximumAmountChange refuses a change of a maximum-amount pledge's maximum amount once its claims
// are determined, or its claim-determination period is over (P11; Civil Code 422, applied by 439: the
// maximum amount may be changed before the claims are determined).
func (s *Service) checkMaximumAmountChange(p *api.Pledge, cur, next api.Terms) error {
	if securityOf(p) != api.SecurityMaximumAmount || mustCents(cur.MaximumAmount) == mustCents(next.MaximumAmount) {
		return nil
	}
	if p.ClaimsDetermination != nil || (p.ClaimPeriod != nil && s.today() > p.ClaimPeriod.End) {
		return api.Conflict("P11", "the maximum amount may be changed only before the claims are determined",
			"pledgeId", p.ID, "reason", "claims-determined")
	}
	return nil
}

// pendingTerms reads the private terms of a filed change, or with changeID "" the terms in force; nil
// when there are none.
func (s *Service) pendingTerms(p *api.Pledge, changeID string) (*PrivateTerms, error) {
	key := pendingTermsKey(p.ID, changeID)
	if changeID == "" {
		key = pledgeKey(p.ID)
	}
	raw, err := s.l.GetPrivate(p.TermsCollection, key)
	if err != nil {
		return nil, internal("get private data", err)
	}
	if raw == nil {
		return nil, nil
	}
	var rec PrivateTerms
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, internal("decode terms", err)
	}
	return &rec, nil
}

// RefusePledgeChange refuses a filed change or extension with reason codes (P6): the pledge stays as
// it was. IP office only; whatever the pledge's status, so that no filing stays pending for ever.
func (s *Service) RefusePledgeChange(requestID, pledgeID, changeID, payload string) (string, error) {
	return s.submit(api.RefusePledgeChange.Name, requestID, pledgeID+"\x00"+changeID+"\x00"+payload,
		func() error { return requireOrg(s.tx.Caller, "P6", api.MSPIPOffice) },
		func() (any, api.Event, error) {
			in, err := parseRefusal(payload)
			if err != nil {
				return nil, api.Event{}, err
			}
			p, ch, err := s.loadFiledChange(pledgeID, changeID)
			if err != nil {
				return nil, api.Event{}, err
			}
			ch.Status, ch.DecidedAt, ch.DecisionTxID = api.ChangeRefused, s.now(), s.tx.ID
			ch.RefusalReasons, ch.RefusalNote = in.Reasons, in.Note
			p.PendingChangeID = ""
			if err := s.savePledge(p, "PledgeChangeRefused:"+ch.ID); err != nil {
				return nil, api.Event{}, err
			}
			return p, s.pledgeEvent("PledgeChangeRefused", p), nil
		})
}

// loadFiledChange reads a pledge and one of its changes, which must be the filed one.
func (s *Service) loadFiledChange(pledgeID, changeID string) (*api.Pledge, *api.PledgeChange, error) {
	var c check
	if c.id("changeId", changeID); c.err != nil {
		return nil, nil, c.err
	}
	p, err := s.loadPledge(pledgeID)
	if err != nil {
		return nil, nil, err
	}
	i := slices.IndexFunc(p.Changes, func(x api.PledgeChange) bool { return x.ID == changeID })
	if i < 0 {
		return nil, nil, api.NotFound("change", changeID)
	}
	if ch := &p.Changes[i]; ch.Status != api.ChangeFiled {
		return nil, nil, api.Conflict("P6", "the change is "+string(ch.Status)+", not filed",
			"pledgeId", p.ID, "changeId", ch.ID, "status", string(ch.Status), "reason", "change-decided")
	}
	return p, &p.Changes[i], nil
}
