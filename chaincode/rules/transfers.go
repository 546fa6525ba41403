package rules

import (
	"slices"

	api "github.com/ipledger/ipledger/chaincode/api"
)

// ParseTransferRequest decodes and validates a RequestTransfer payload.
func ParseTransferRequest(payload string) (api.TransferRequest, error) {
	var in api.TransferRequest
	if err := DecodeStrict("transfer", payload, &in); err != nil {
		return in, err
	}
	var c check
	c.id("assetId", in.AssetID)
	enum(&c, "kind", in.Kind, api.TransferKinds)
	enum(&c, "origin", in.Origin, api.TransferOrigins)
	c.owners("newOwners", in.NewOwners)
	switch {
	case in.Kind == "license" && in.License == nil:
		c.fail("license", "is required for a licence: type, term, territory and filing number")
	case in.Kind == "license":
		c.licenseTerms("license", in.License)
	case in.License != nil:
		c.fail("license", "is only for a licence")
	}
	if in.Origin == "trade" {
		c.text("tradeRef", in.TradeRef, 1, 100)
	} else {
		c.text("tradeRef", in.TradeRef, 0, 100)
	}
	if courtOrigin(in.Origin) {
		c.text("court", in.Court, 1, 200)
		c.text("courtRef", in.CourtRef, 1, 200)
		if in.Kind != "assignment" {
			c.fail("kind", "a court orders an assignment")
		}
	} else if in.Court != "" || in.CourtRef != "" || in.PledgesPurged {
		c.fail("origin", "court, courtRef and pledgesPurged are for a court-order or judicial-auction")
	}
	return in, c.err
}

// courtOrigin says whether a transfer of this origin is ordered by a court (C3).
func courtOrigin(origin string) bool { return origin == "court-order" || origin == "judicial-auction" }

// checkOrigin admits each origin from its organization: a trade or a judicial auction from the
// exchange, an owner's request or a court's order through the IP office.
func checkOrigin(in api.TransferRequest, msp api.MSPID) error {
	switch {
	case (in.Origin == "trade" || in.Origin == "judicial-auction") && msp != api.MSPExchange:
		return api.Invalid("origin", "a trade or a judicial auction is requested by the exchange")
	case (in.Origin == "owner-request" || in.Origin == "court-order") && msp != api.MSPIPOffice:
		return api.Invalid("origin", "an owner's request or a court's order goes through the IP office")
	}
	return nil
}

// checkTransferFor checks the right for a transfer: one ordered by a court (court given) against the
// court measures (C3), any other against the freeze and the dispute (T2).
func checkTransferFor(a *api.Asset, court string) error {
	if court != "" {
		return checkCourtTransfer(a, court)
	}
	return checkTransferable(a)
}

func transferKey(id string) string { return CompositeKey(keyTransfer, id) }

// createTransfer writes a new transfer, requested by the caller's organization, with its indexes.
func (s *Service) createTransfer(t *api.Transfer) error {
	t.RequestedBy = s.tx.Caller.MSP
	if err := s.saveTransfer(t, "TransferRequested"); err != nil {
		return err
	}
	if err := s.putIndex(api.RightEndorsement, idxTransferAsset, t.AssetID, t.ID); err != nil {
		return err
	}
	return s.putIndex(api.RightEndorsement, idxTransferRequester, string(t.RequestedBy), t.ID)
}

func (s *Service) saveTransfer(t *api.Transfer, action string) error {
	t.Version++
	t.LastChange = s.change(action)
	return s.put(transferKey(t.ID), t, api.RightEndorsement)
}

func (s *Service) loadTransfer(id string) (*api.Transfer, error) {
	var c check
	if c.id("transferId", id); c.err != nil {
		return nil, c.err
	}
	var t api.Transfer
	found, err := s.get(transferKey(id), &t)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, api.NotFound("transfer", id)
	}
	return &t, nil
}

func transferEvent(typ string, t *api.Transfer) api.Event {
	return api.Event{Type: typ, ID: t.ID, AssetIDs: []string{t.AssetID}, Status: string(t.Status)}
}

// checkTransferable refuses a transfer of a frozen or disputed right (T2).
func checkTransferable(a *api.Asset) error {
	if a.Freeze.Active {
		return api.Conflict("T2", "the IP right is frozen by a court", "assetId", a.ID, "reason", "frozen")
	}
	if a.Dispute.Active {
		return api.Conflict("T2", "the ownership of the IP right is disputed", "assetId", a.ID, "reason", "disputed")
	}
	return nil
}

// RequestTransfer requests the recording of a transfer or license of an IP right (T1): by the exchange
// after a trade or a judicial auction, or by the IP office for an owner or on a court's order (C3). The transfer remembers the owners it starts from and
// the title it was requested against (T3).
func (s *Service) RequestTransfer(requestID, payload string) (string, error) {
	return s.submit(api.RequestTransfer.Name, requestID, payload,
		func() error { return requireOrg(s.tx.Caller, "T1", api.MSPExchange, api.MSPIPOffice) },
		func() (any, api.Event, error) {
			in, err := ParseTransferRequest(payload)
			if err != nil {
				return nil, api.Event{}, err
			}
			if err := checkOrigin(in, s.tx.Caller.MSP); err != nil {
				return nil, api.Event{}, err
			}
			a, err := s.loadAsset(in.AssetID)
			if err != nil {
				return nil, api.Event{}, err
			}
			if err := checkTransferFor(a, in.Court); err != nil {
				return nil, api.Event{}, err
			}
			// A right sold in a disposal is its buyer's to receive: no other transfer can be recorded,
			// so none is requested (P8, T3).
			if pending, err := s.pendingDisposal(a.ID); err != nil {
				return nil, api.Event{}, err
			} else if pending != "" {
				return nil, api.Event{}, api.Conflict("T3", "the right was sold in a disposal: only the transfer to its buyer can be recorded",
					"assetId", a.ID, "disposalTransferId", pending, "reason", "disposal-transfer-pending")
			}
			if in.License != nil {
				if err := checkLicensable(a, in.License, s.today()); err != nil {
					return nil, api.Event{}, err
				}
			}
			t := &api.Transfer{AssetID: a.ID, Consents: []api.Consent{}, Court: in.Court, CourtRef: in.CourtRef,
				DocType: keyTransfer, FromOwners: a.Owners, ID: s.derivedID("TR-"), Kind: in.Kind, License: in.License,
				NewOwners: in.NewOwners, Origin: in.Origin, PledgesPurged: in.PledgesPurged || in.Origin == "judicial-auction",
				RequestedAt: s.now(), Status: api.TransferRequested, TitleTxID: a.TitleTxID, TradeRef: in.TradeRef}
			if found, err := s.exists(transferKey(t.ID)); err != nil {
				return nil, api.Event{}, err
			} else if found {
				return nil, api.Event{}, api.Conflict("I3", "a transfer with this id exists", "transferId", t.ID)
			}
			if err := s.createTransfer(t); err != nil {
				return nil, api.Event{}, err
			}
			return t, transferEvent("TransferRequested", t), nil
		})
}

// ConsentToTransfer records a pledgee's consent to the transfer of a right its active pledge
// encumbers, and whether the proceeds go to early repayment or escrow (P7). Pledgee only.
func (s *Service) ConsentToTransfer(requestID, transferID, payload string) (string, error) {
	return s.submit(api.ConsentToTransfer.Name, requestID, transferID+"\x00"+payload,
		func() error { return requireBank(s.tx.Caller, "P7") },
		func() (any, api.Event, error) {
			var in api.ConsentInput
			if err := DecodeStrict("consent", payload, &in); err != nil {
				return nil, api.Event{}, err
			}
			var c check
			c.id("pledgeId", in.PledgeID)
			enum(&c, "proceedsUse", in.ProceedsUse, api.ProceedsUses)
			if c.err != nil {
				return nil, api.Event{}, c.err
			}
			t, err := s.loadTransfer(transferID)
			if err != nil {
				return nil, api.Event{}, err
			}
			if t.Status != api.TransferRequested {
				return nil, api.Event{}, api.Conflict("P7", "the transfer is "+string(t.Status)+", not requested",
					"transferId", t.ID, "reason", "wrong-status")
			}
			p, err := s.loadPledge(in.PledgeID)
			if err != nil {
				return nil, api.Event{}, err
			}
			if err := s.requirePledgee(p, "P7"); err != nil {
				return nil, api.Event{}, err
			}
			if !p.Status.IsActive() || !slices.Contains(p.AssetIDs, t.AssetID) {
				return nil, api.Event{}, api.Conflict("P7", "the pledge is not an active pledge on this right",
					"pledgeId", p.ID, "assetId", t.AssetID, "reason", "not-an-encumbrance")
			}
			if slices.ContainsFunc(t.Consents, func(x api.Consent) bool { return x.PledgeID == p.ID }) {
				return nil, api.Event{}, api.Conflict("P7", "this pledgee has already consented", "pledgeId", p.ID,
					"reason", "already-consented")
			}
			t.Consents = append(t.Consents, api.Consent{At: s.now(), MSP: s.tx.Caller.MSP, PledgeID: p.ID,
				ProceedsUse: in.ProceedsUse, Submitter: s.tx.Caller.Submitter, TxID: s.tx.ID})
			if err := s.saveTransfer(t, "TransferConsented"); err != nil {
				return nil, api.Event{}, err
			}
			return t, transferEvent("TransferConsented", t), nil
		})
}

// RecordTransfer records a requested transfer (T1): the title changes now (or the license is added,
// if the register can record it now: L1, L2).
// Refused while the right is frozen or disputed, or an active pledge lacks its pledgee's consent (T2),
// and when the title is no longer the one the request was made against: of two conflicting requests
// only the first recorded succeeds (T3). A court-ordered transfer is recorded only while the ordering
// court's freeze is in effect, and needs no consent when its sale purges the pledges (C3). IP office
// only.
func (s *Service) RecordTransfer(requestID, transferID, payload string) (string, error) {
	return s.submit(api.RecordTransfer.Name, requestID, transferID+"\x00"+payload,
		func() error { return requireOrg(s.tx.Caller, "T1", api.MSPIPOffice) },
		func() (any, api.Event, error) {
			var in struct{}
			if err := DecodeStrict("record", payload, &in); err != nil {
				return nil, api.Event{}, err
			}
			t, err := s.loadTransfer(transferID)
			if err != nil {
				return nil, api.Event{}, err
			}
			if t.Status != api.TransferRequested {
				return nil, api.Event{}, api.Conflict("T1", "the transfer is "+string(t.Status)+", not requested",
					"transferId", t.ID, "reason", "wrong-status")
			}
			a, err := s.loadAsset(t.AssetID)
			if err != nil {
				return nil, api.Event{}, err
			}
			if err := checkTransferFor(a, t.Court); err != nil {
				return nil, api.Event{}, err
			}
			if pending, err := s.pendingDisposal(a.ID); err != nil {
				return nil, api.Event{}, err
			} else if pending != "" && pending != t.ID {
				return nil, api.Event{}, api.Conflict("T3", "the right was sold in a disposal: only the transfer to its buyer can be recorded",
					"assetId", a.ID, "transferId", t.ID, "disposalTransferId", pending, "reason", "disposal-transfer-pending")
			}
			if err := s.endPendingDisposal(t); err != nil {
				return nil, api.Event{}, err
			}
			if err := checkConsents(a, t); err != nil {
				return nil, api.Event{}, err
			}
			if err := checkSameTitle(a, t); err != nil {
				return nil, api.Event{}, err
			}
			ev, err := s.recordTitle(a, t)
			if err != nil {
				return nil, api.Event{}, err
			}
			t.Status, t.DecidedAt = api.TransferRecorded, s.now()
			if err := s.saveTransfer(t, "TransferRecorded"); err != nil {
				return nil, api.Event{}, err
			}
			ev.Status = string(t.Status)
			return t, ev, nil
		})
}

// recordTitle changes the right's title to the transfer's new owners, moving the right in the party
// index from the old owners' entries to the new owners' (S1), or adds the licence (L1), and carries the
// change to the pledges on it: they follow the right (P7), or a court's sale that purges them ends them
// (C3); a court-ordered transfer also ends the court measures on the right. It returns the transfer's
// event, naming the pledges changed.
func (s *Service) recordTitle(a *api.Asset, t *api.Transfer) (api.Event, error) {
	ev := transferEvent("TransferRecorded", t)
	if t.Kind != "assignment" {
		if err := s.addLicense(a, t, s.now()); err != nil {
			return ev, err
		}
	} else {
		if err := s.reindex(api.RightEndorsement, ownerKeys(a.ID, a.Owners), ownerKeys(a.ID, t.NewOwners)); err != nil {
			return ev, err
		}
		a.Owners, a.TitleTxID = t.NewOwners, s.tx.ID
		var err error
		if t.PledgesPurged {
			ev.PledgeIDs, ev.PledgeeMSPs, err = s.courtPurge(a, t)
		} else {
			ev.PledgeIDs, ev.PledgeeMSPs, err = s.pledgorsFollowTitle(a, t)
		}
		if err != nil {
			return ev, err
		}
	}
	if t.Court != "" {
		s.endMeasures(a, t)
	}
	return ev, s.saveAsset(a, "TransferRecorded:"+t.ID)
}

// pledgorsFollowTitle gives every active pledge on a right whose assignment is being recorded (a, with
// its new owners) the owners of all its rights as pledgors: the pledge follows the right (Civil Code
// 406 by analogy, 444), keeps its rank and says in its history which transfer changed its pledgors.
// It returns the pledges changed and their pledgee banks, for the event. Each pledge key is written
// under its own pledgee's policy.
func (s *Service) pledgorsFollowTitle(a *api.Asset, t *api.Transfer) ([]string, []api.MSPID, error) {
	var ids []string
	var banks []api.MSPID
	for _, e := range a.Encumbrances {
		p, err := s.loadPledge(e.PledgeID)
		if err != nil {
			return nil, nil, err
		}
		pledgors, err := s.ownersOfPackage(p, a)
		if err != nil {
			return nil, nil, err
		}
		if err := s.reindexPledgors(p, pledgors); err != nil { // S1
			return nil, nil, err
		}
		if err := s.savePledge(p, "PledgorsChanged:"+t.ID); err != nil {
			return nil, nil, err
		}
		ids = append(ids, p.ID)
		if !slices.Contains(banks, p.Pledgee.MSP) {
			banks = append(banks, p.Pledgee.MSP)
		}
	}
	return ids, banks, nil
}

// ownersOfPackage lists the owners of every right of a pledge, once each, in the order of its rights
// and their owners; changed is a right as this transaction leaves it (it cannot read its own write).
func (s *Service) ownersOfPackage(p *api.Pledge, changed *api.Asset) ([]api.Party, error) {
	out := []api.Party{}
	for _, id := range p.AssetIDs {
		r := changed
		if id != changed.ID {
			var err error
			if r, err = s.loadAsset(id); err != nil {
				return nil, err
			}
		}
		for _, o := range r.Owners {
			if !slices.ContainsFunc(out, func(x api.Party) bool { return x.ID == o.ID }) {
				out = append(out, api.Party{ID: o.ID, Name: o.Name})
			}
		}
	}
	return out, nil
}

// consentsAwaited lists the active pledges on the right (a, as it is now) whose pledgee's consent the
// transfer t still lacks to be recorded (T2, P7), in the order of the right's encumbrances. A court's
// order needs no pledgee's consent: the court sells the right, and the pledges either end with its
// sale or follow the right (C3).
func consentsAwaited(a *api.Asset, t *api.Transfer) []api.Encumbrance {
	if t.Court != "" {
		return nil
	}
	var out []api.Encumbrance
	for _, e := range a.Encumbrances {
		if !slices.ContainsFunc(t.Consents, func(c api.Consent) bool { return c.PledgeID == e.PledgeID }) {
			out = append(out, e)
		}
	}
	return out
}

// checkConsents refuses a transfer while an active pledge on the right lacks its pledgee's recorded
// consent (T2, P7).
func checkConsents(a *api.Asset, t *api.Transfer) error {
	if missing := consentsAwaited(a, t); len(missing) > 0 {
		e := missing[0]
		return api.Conflict("T2", "an active pledge on the right has no recorded consent of its pledgee",
			"assetId", a.ID, "pledgeId", e.PledgeID, "pledgeeMsp", string(e.PledgeeMSP), "reason", "consent-missing")
	}
	return nil
}

// awaitsConsentOf says whether a transfer is requested and waits for the consent of bank, as
// RecordTransfer decides: an active pledge of that bank on the right has not consented (P7).
func (s *Service) awaitsConsentOf(t *api.Transfer, bank api.MSPID) (bool, error) {
	if t.Status != api.TransferRequested {
		return false, nil
	}
	a, err := s.loadAsset(t.AssetID)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(consentsAwaited(a, t), func(e api.Encumbrance) bool { return e.PledgeeMSP == bank }), nil
}

// checkSameTitle refuses a transfer once the title it was requested against has changed (T3): of two
// conflicting requests only the first recorded succeeds, and a request made while X owned the right
// stays stale after X→Y→X, though the owners read the same again. A licence too is granted by the
// title it was requested from. A transfer requested before transfers remembered their title (none)
// is compared by owners.
func checkSameTitle(a *api.Asset, t *api.Transfer) error {
	if t.TitleTxID != "" && t.TitleTxID == a.TitleTxID || t.TitleTxID == "" && slices.Equal(a.Owners, t.FromOwners) {
		return nil
	}
	return api.Conflict("T3", "the title changed since this transfer was requested: a conflicting transfer was recorded first",
		"assetId", a.ID, "transferId", t.ID, "requestedTitleTxId", t.TitleTxID, "titleTxId", a.TitleTxID, "reason", "title-changed")
}

// RefuseTransfer refuses a requested transfer with reason codes (T1). Refusing the transfer of a right
// sold in a disposal to its buyer undoes the disposal (failDisposal, P8). IP office only.
func (s *Service) RefuseTransfer(requestID, transferID, payload string) (string, error) {
	return s.submit(api.RefuseTransfer.Name, requestID, transferID+"\x00"+payload,
		func() error { return requireOrg(s.tx.Caller, "T1", api.MSPIPOffice) },
		func() (any, api.Event, error) {
			in, err := parseRefusal(payload)
			if err != nil {
				return nil, api.Event{}, err
			}
			t, err := s.loadTransfer(transferID)
			if err != nil {
				return nil, api.Event{}, err
			}
			if t.Status != api.TransferRequested {
				return nil, api.Event{}, api.Conflict("T1", "the transfer is "+string(t.Status)+", not requested",
					"transferId", t.ID, "reason", "wrong-status")
			}
			ev := transferEvent("TransferRefused", t)
			if t.Origin == "disposal" && t.DisposalPledgeID != "" {
				if ev.PledgeIDs, ev.PledgeeMSPs, err = s.failDisposal(t, in); err != nil {
					return nil, api.Event{}, err
				}
			}
			t.Status, t.DecidedAt, t.RefusalReasons, t.RefusalNote = api.TransferRefused, s.now(), in.Reasons, in.Note
			if err := s.endPendingDisposal(t); err != nil {
				return nil, api.Event{}, err
			}
			if err := s.saveTransfer(t, "TransferRefused"); err != nil {
				return nil, api.Event{}, err
			}
			ev.Status = string(t.Status)
			return t, ev, nil
		})
}
