package rules

import (
	"slices"
)

// TransferRequest is the payload of RequestTransfer (T1).
type TransferRequest struct {
	AssetID   string  `json:"assetId"`
	Kind      string  `json:"kind"`
	NewOwners []Owner `json:"newOwners"`
	Origin    string  `json:"origin"`
	TradeRef  string  `json:"tradeRef"`
}

// ConsentInput is the payload of ConsentToTransfer (P7).
type ConsentInput struct {
	PledgeID    string `json:"pledgeId"`
	ProceedsUse string `json:"proceedsUse"`
}

// ParseTransferRequest decodes and validates a RequestTransfer payload.
func ParseTransferRequest(payload string) (TransferRequest, error) {
	var in TransferRequest
	if err := DecodeStrict("transfer", payload, &in); err != nil {
		return in, err
	}
	var c check
	c.id("assetId", in.AssetID)
	c.enum("kind", in.Kind, TransferKinds)
	c.enum("origin", in.Origin, TransferOrigins)
	c.owners("newOwners", in.NewOwners)
	if in.Origin == "trade" {
		c.text("tradeRef", in.TradeRef, 1, 100)
	} else {
		c.text("tradeRef", in.TradeRef, 0, 100)
	}
	return in, c.err
}

func transferKey(id string) string { return CompositeKey(keyTransfer, id) }

func (s *Service) saveTransfer(t *Transfer, action string) error {
	t.Version++
	t.LastChange = s.change(action)
	return s.put(transferKey(t.ID), t, RightPolicy)
}

func (s *Service) loadTransfer(id string) (*Transfer, error) {
	var c check
	if c.id("transferId", id); c.err != nil {
		return nil, c.err
	}
	var t Transfer
	found, err := s.get(transferKey(id), &t)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, NotFound("transfer", id)
	}
	return &t, nil
}

func transferEvent(typ string, t *Transfer) Event {
	return Event{Type: typ, ID: t.ID, AssetIDs: []string{t.AssetID}, Status: t.Status}
}

// checkTransferable refuses a transfer of a frozen or disputed right (T2).
func checkTransferable(a *Asset) error {
	if a.Freeze.Active {
		return Conflict("T2", "the IP right is frozen by a court", "assetId", a.ID, "reason", "frozen")
	}
	if a.Dispute.Active {
		return Conflict("T2", "the ownership of the IP right is disputed", "assetId", a.ID, "reason", "disputed")
	}
	return nil
}

// RequestTransfer requests the recording of a transfer or license of an IP right (T1): by the exchange
// after a trade, or by the IP office for an owner. The transfer remembers the owners it starts from.
func (s *Service) RequestTransfer(requestID, payload string) (string, error) {
	return s.submit("RequestTransfer", requestID, payload,
		func() error { return requireOrg(s.tx.Caller, "T1", MSPExchange, MSPIPOffice) },
		func() (any, Event, error) {
			in, err := ParseTransferRequest(payload)
			if err != nil {
				return nil, Event{}, err
			}
			if in.Origin == "trade" && s.tx.Caller.MSP != MSPExchange {
				return nil, Event{}, Invalid("origin", "a trade is requested by the exchange")
			}
			if in.Origin == "owner-request" && s.tx.Caller.MSP != MSPIPOffice {
				return nil, Event{}, Invalid("origin", "an owner's request goes through the IP office")
			}
			a, err := s.loadAsset(in.AssetID)
			if err != nil {
				return nil, Event{}, err
			}
			if err := checkTransferable(a); err != nil {
				return nil, Event{}, err
			}
			t := &Transfer{AssetID: a.ID, Consents: []Consent{}, DocType: keyTransfer, FromOwners: a.Owners,
				ID: s.derivedID("TR-"), Kind: in.Kind, NewOwners: in.NewOwners, Origin: in.Origin,
				RequestedAt: s.now(), Status: TransferRequested, TradeRef: in.TradeRef}
			if found, err := s.exists(transferKey(t.ID)); err != nil {
				return nil, Event{}, err
			} else if found {
				return nil, Event{}, Conflict("I3", "a transfer with this id exists", "transferId", t.ID)
			}
			if err := s.saveTransfer(t, "TransferRequested"); err != nil {
				return nil, Event{}, err
			}
			if err := s.putIndex(RightPolicy, idxTransferAsset, a.ID, t.ID); err != nil {
				return nil, Event{}, err
			}
			return t, transferEvent("TransferRequested", t), nil
		})
}

// ConsentToTransfer records a pledgee's consent to the transfer of a right its active pledge
// encumbers, and whether the proceeds go to early repayment or escrow (P7). Pledgee only.
func (s *Service) ConsentToTransfer(requestID, transferID, payload string) (string, error) {
	return s.submit("ConsentToTransfer", requestID, transferID+"\x00"+payload,
		func() error { return requireOrg(s.tx.Caller, "P7", Banks...) },
		func() (any, Event, error) {
			var in ConsentInput
			if err := DecodeStrict("consent", payload, &in); err != nil {
				return nil, Event{}, err
			}
			var c check
			c.id("pledgeId", in.PledgeID)
			c.enum("proceedsUse", in.ProceedsUse, ProceedsUses)
			if c.err != nil {
				return nil, Event{}, c.err
			}
			t, err := s.loadTransfer(transferID)
			if err != nil {
				return nil, Event{}, err
			}
			if t.Status != TransferRequested {
				return nil, Event{}, Conflict("P7", "the transfer is "+t.Status+", not requested",
					"transferId", t.ID, "reason", "wrong-status")
			}
			p, err := s.loadPledge(in.PledgeID)
			if err != nil {
				return nil, Event{}, err
			}
			if err := s.requirePledgee(p, "P7"); err != nil {
				return nil, Event{}, err
			}
			if !IsActive(p.Status) || !slices.Contains(p.AssetIDs, t.AssetID) {
				return nil, Event{}, Conflict("P7", "the pledge is not an active pledge on this right",
					"pledgeId", p.ID, "assetId", t.AssetID, "reason", "not-an-encumbrance")
			}
			if slices.ContainsFunc(t.Consents, func(x Consent) bool { return x.PledgeID == p.ID }) {
				return nil, Event{}, Conflict("P7", "this pledgee has already consented", "pledgeId", p.ID,
					"reason", "already-consented")
			}
			t.Consents = append(t.Consents, Consent{At: s.now(), MSP: s.tx.Caller.MSP, PledgeID: p.ID,
				ProceedsUse: in.ProceedsUse, Submitter: s.tx.Caller.Submitter, TxID: s.tx.ID})
			if err := s.saveTransfer(t, "TransferConsented"); err != nil {
				return nil, Event{}, err
			}
			return t, transferEvent("TransferConsented", t), nil
		})
}

// RecordTransfer records a requested transfer (T1): the title changes now (or the license is added).
// Refused while the right is frozen or disputed, or an active pledge lacks its pledgee's consent (T2),
// and when the owners are no longer those the request started from: of two conflicting requests only
// the first recorded succeeds (T3). IP office only.
func (s *Service) RecordTransfer(requestID, transferID, payload string) (string, error) {
	return s.submit("RecordTransfer", requestID, transferID+"\x00"+payload,
		func() error { return requireOrg(s.tx.Caller, "T1", MSPIPOffice) },
		func() (any, Event, error) {
			var in struct{}
			if err := DecodeStrict("record", payload, &in); err != nil {
				return nil, Event{}, err
			}
			t, err := s.loadTransfer(transferID)
			if err != nil {
				return nil, Event{}, err
			}
			if t.Status != TransferRequested {
				return nil, Event{}, Conflict("T1", "the transfer is "+t.Status+", not requested",
					"transferId", t.ID, "reason", "wrong-status")
			}
			a, err := s.loadAsset(t.AssetID)
			if err != nil {
				return nil, Event{}, err
			}
			if err := checkTransferable(a); err != nil {
				return nil, Event{}, err
			}
			if pending, err := s.pendingDisposal(a.ID); err != nil {
				return nil, Event{}, err
			} else if pending != "" && pending != t.ID {
				return nil, Event{}, Conflict("T3", "the right was sold in a disposal: only the transfer to its buyer can be recorded",
					"assetId", a.ID, "transferId", t.ID, "disposalTransferId", pending, "reason", "disposal-transfer-pending")
			}
			if err := s.endPendingDisposal(t); err != nil {
				return nil, Event{}, err
			}
			for _, e := range a.Encumbrances {
				if !slices.ContainsFunc(t.Consents, func(c Consent) bool { return c.PledgeID == e.PledgeID }) {
					return nil, Event{}, Conflict("T2", "an active pledge on the right has no recorded consent of its pledgee",
						"assetId", a.ID, "pledgeId", e.PledgeID, "pledgeeMsp", e.PledgeeMSP, "reason", "consent-missing")
				}
			}
			// A licence too is granted by the owners it was requested from: after an assignment, the
			// new owners have not granted it.
			if !slices.Equal(a.Owners, t.FromOwners) {
				return nil, Event{}, Conflict("T3", "the owners changed since this transfer was requested: a conflicting transfer was recorded first",
					"assetId", a.ID, "transferId", t.ID, "titleTxId", a.TitleTxID, "reason", "owners-changed")
			}
			now := s.now()
			if t.Kind == "assignment" {
				a.Owners, a.TitleTxID = t.NewOwners, s.tx.ID
			} else {
				a.Licenses = append(a.Licenses, License{Licensees: t.NewOwners, RecordedAt: now, TransferID: t.ID, TxID: s.tx.ID})
			}
			if err := s.saveAsset(a, "TransferRecorded:"+t.ID); err != nil {
				return nil, Event{}, err
			}
			t.Status, t.DecidedAt = TransferRecorded, now
			if err := s.saveTransfer(t, "TransferRecorded"); err != nil {
				return nil, Event{}, err
			}
			return t, transferEvent("TransferRecorded", t), nil
		})
}

// RefuseTransfer refuses a requested transfer with reason codes (T1). IP office only.
func (s *Service) RefuseTransfer(requestID, transferID, payload string) (string, error) {
	return s.submit("RefuseTransfer", requestID, transferID+"\x00"+payload,
		func() error { return requireOrg(s.tx.Caller, "T1", MSPIPOffice) },
		func() (any, Event, error) {
			in, err := parseRefusal(payload)
			if err != nil {
				return nil, Event{}, err
			}
			t, err := s.loadTransfer(transferID)
			if err != nil {
				return nil, Event{}, err
			}
			if t.Status != TransferRequested {
				return nil, Event{}, Conflict("T1", "the transfer is "+t.Status+", not requested",
					"transferId", t.ID, "reason", "wrong-status")
			}
			t.Status, t.DecidedAt, t.RefusalReasons, t.RefusalNote = TransferRefused, s.now(), in.Reasons, in.Note
			if err := s.endPendingDisposal(t); err != nil {
				return nil, Event{}, err
			}
			if err := s.saveTransfer(t, "TransferRefused"); err != nil {
				return nil, Event{}, err
			}
			return t, transferEvent("TransferRefused", t), nil
		})
}
