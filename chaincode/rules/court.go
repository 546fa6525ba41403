package rules

import (
	"slices"
	"strconv"
	"time"

	api "github.com/ipledger/ipledger/chaincode/api"
)

// Court measures (C1–C3): the IP office records each court's freeze of a right in its order of
// arrival. The first is in effect, later ones wait (轮候查封) and take effect in turn when the one before
// them is lifted; only the court whose freeze is in effect may have the right transferred.

// parseFreezeInput decodes and validates a RecordFreeze payload (C1).
func parseFreezeInput(payload string) (api.FreezeInput, error) {
	var in api.FreezeInput
	if err := DecodeStrict("freeze", payload, &in); err != nil {
		return in, err
	}
	var c check
	c.text("court", in.Court, 1, 200)
	c.text("ref", in.Ref, 1, 200)
	return in, c.err
}

// RecordFreeze records a court's freeze of an IP right (C1): in effect when no other is, else waiting
// behind the earlier ones, in order of arrival. The same decision of the same court is not recorded
// twice while in force. IP office only.
func (s *Service) RecordFreeze(requestID, assetID, payload string) (string, error) {
	return s.submit(api.RecordFreeze.Name, requestID, assetID+"\x00"+payload,
		func() error { return requireOrg(s.tx.Caller, "C1", api.MSPIPOffice) },
		func() (any, api.Event, error) {
			var c check
			if c.id("assetId", assetID); c.err != nil {
				return nil, api.Event{}, c.err
			}
			in, err := parseFreezeInput(payload)
			if err != nil {
				return nil, api.Event{}, err
			}
			a, err := s.loadAsset(assetID)
			if err != nil {
				return nil, api.Event{}, err
			}
			for _, m := range a.CourtMeasures {
				if m.Status != api.MeasureLifted && m.Court == in.Court && m.Ref == in.Ref {
					return nil, api.Event{}, api.Conflict("C1", "this court's freeze is already recorded on the right",
						"assetId", a.ID, "n", strconv.Itoa(m.N), "reason", "freeze-already-recorded")
				}
			}
			n := len(a.CourtMeasures) + 1
			a.CourtMeasures = append(a.CourtMeasures, api.CourtMeasure{Court: in.Court, Kind: api.MeasureFreeze, N: n,
				ReceivedAt: s.now(), Ref: in.Ref, Status: api.MeasureWaiting, TxID: s.tx.ID})
			s.settleMeasures(a)
			if err := s.saveAsset(a, "FreezeRecorded:"+strconv.Itoa(n)); err != nil {
				return nil, api.Event{}, err
			}
			return a, api.Event{Type: "FreezeRecorded", ID: a.ID, AssetIDs: []string{a.ID},
				Status: string(a.CourtMeasures[n-1].Status)}, nil
		})
}

// LiftFreeze records a court's decision lifting its freeze n of a right (C2). When that freeze was in
// effect, the first waiting one takes effect now; a waiting one lifted leaves the queue, and those
// behind it move up. IP office only.
func (s *Service) LiftFreeze(requestID, assetID, n, payload string) (string, error) {
	return s.submit(api.LiftFreeze.Name, requestID, assetID+"\x00"+n+"\x00"+payload,
		func() error { return requireOrg(s.tx.Caller, "C2", api.MSPIPOffice) },
		func() (any, api.Event, error) {
			var c check
			c.id("assetId", assetID)
			num, err := strconv.Atoi(n)
			if err != nil || num < 1 || strconv.Itoa(num) != n {
				c.fail("n", "must be the number of a court measure of the right (1, 2, ...)")
			}
			var in api.LiftInput
			if c.err == nil {
				if err := DecodeStrict("lift", payload, &in); err != nil {
					return nil, api.Event{}, err
				}
				c.text("ref", in.Ref, 1, 200)
			}
			if c.err != nil {
				return nil, api.Event{}, c.err
			}
			a, err := s.loadAsset(assetID)
			if err != nil {
				return nil, api.Event{}, err
			}
			if num > len(a.CourtMeasures) {
				return nil, api.Event{}, api.NotFound("freeze", assetID+"/"+n)
			}
			if m := a.CourtMeasures[num-1]; m.Status == api.MeasureLifted {
				return nil, api.Event{}, api.Conflict("C2", "this freeze is already lifted", "assetId", a.ID, "n", n,
					"liftedTxId", m.LiftedTxID, "reason", "already-lifted")
			}
			s.liftMeasure(&a.CourtMeasures[num-1], in.Ref, "")
			s.settleMeasures(a)
			if err := s.saveAsset(a, "FreezeLifted:"+n); err != nil {
				return nil, api.Event{}, err
			}
			return a, api.Event{Type: "FreezeLifted", ID: a.ID, AssetIDs: []string{a.ID},
				Status: string(api.MeasureLifted)}, nil
		})
}

// liftMeasure ends a measure now, by the court's decision ref or by the recording of its transfer.
func (s *Service) liftMeasure(m *api.CourtMeasure, ref, transferID string) {
	m.Status, m.Priority = api.MeasureLifted, 0
	m.LiftedAt, m.LiftedByTransferID, m.LiftedRef, m.LiftedTxID = s.now(), transferID, ref, s.tx.ID
}

// settleMeasures puts a right's measures in order after a change (C1, C2): when none is in effect, the
// first waiting one (the earliest received) takes effect now; the priorities follow the order of
// arrival; the freeze flag shows the measure in effect.
func (s *Service) settleMeasures(a *api.Asset) {
	if !slices.ContainsFunc(a.CourtMeasures, func(m api.CourtMeasure) bool { return m.Status == api.MeasureEffective }) {
		if i := slices.IndexFunc(a.CourtMeasures, func(m api.CourtMeasure) bool { return m.Status == api.MeasureWaiting }); i >= 0 {
			a.CourtMeasures[i].Status, a.CourtMeasures[i].EffectiveFrom = api.MeasureEffective, s.now()
		}
	}
	a.Freeze = api.Flag{}
	priority := 0
	for i := range a.CourtMeasures {
		m := &a.CourtMeasures[i]
		if m.Status == api.MeasureLifted {
			continue
		}
		priority++
		m.Priority = priority
		if m.Status == api.MeasureEffective {
			a.Freeze = api.Flag{Active: true, Court: m.Court, Ref: m.Ref, Since: dayOf(m.EffectiveFrom)}
		}
	}
}

// effectiveMeasure is the court measure in effect on a right, or nil.
func effectiveMeasure(a *api.Asset) *api.CourtMeasure {
	for i := range a.CourtMeasures {
		if a.CourtMeasures[i].Status == api.MeasureEffective {
			return &a.CourtMeasures[i]
		}
	}
	return nil
}

// measuresInForce are the measures not lifted, in their order of priority (which is their order of
// arrival: the one in effect is always the earliest in force).
func measuresInForce(a *api.Asset) []api.CourtMeasure {
	out := []api.CourtMeasure{}
	for _, m := range a.CourtMeasures {
		if m.Status != api.MeasureLifted {
			out = append(out, m)
		}
	}
	return out
}

// dayOf is the register's date (UTC+8) of a time on the ledger; a date is itself.
func dayOf(ts string) string {
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return ts
	}
	return t.In(chinaTime).Format(time.DateOnly)
}

// migrateFreeze gives a right read from the ledger its list of court measures: a right written before
// the register kept them has none, and its freeze flag, if raised, becomes its first measure, in effect
// since the day the flag was raised (its court unknown).
func migrateFreeze(a *api.Asset) {
	if a.CourtMeasures != nil {
		return
	}
	a.CourtMeasures = []api.CourtMeasure{}
	if a.Freeze.Active {
		a.CourtMeasures = append(a.CourtMeasures, api.CourtMeasure{Court: a.Freeze.Court, EffectiveFrom: a.Freeze.Since,
			Kind: api.MeasureFreeze, N: 1, Priority: 1, ReceivedAt: a.Freeze.Since, Ref: a.Freeze.Ref,
			Status: api.MeasureEffective, TxID: a.LastChange.TxID})
	}
}

// checkCourtTransfer admits a court-ordered transfer only while the ordering court's own freeze is in
// effect on the right (C3): not without one, and not while another court's is, the ordering court's
// waiting behind it. A disputed right is refused as for any transfer (T2).
func checkCourtTransfer(a *api.Asset, court string) error {
	if a.Dispute.Active {
		return api.Conflict("T2", "the ownership of the IP right is disputed", "assetId", a.ID, "reason", "disputed")
	}
	m := effectiveMeasure(a)
	if m == nil {
		return api.Conflict("C3", "no court's freeze is in effect on the right: a court-ordered transfer needs the ordering court's",
			"assetId", a.ID, "court", court, "reason", "court-freeze-not-effective")
	}
	if m.Court != court {
		return api.Conflict("C3", "another court's freeze is in effect on the right", "assetId", a.ID, "court", court,
			"effectiveCourt", m.Court, "effectiveN", strconv.Itoa(m.N), "reason", "another-court-freeze-effective")
	}
	return nil
}

// courtPurge ends every active pledge on a right sold by a court whose decision purges them (C3; SPC
// provisions on auction and sale in civil enforcement, art. 28): each is discharged with the court, its
// decision and the transfer, and no longer encumbers the right; the court distributes the price. A
// pledge that also covers other rights is not half-ended: the recording is refused. It returns the
// pledges ended and their pledgee banks, for the event. Each pledge key is written under its own
// pledgee's policy.
func (s *Service) courtPurge(a *api.Asset, t *api.Transfer) ([]string, []api.MSPID, error) {
	var ids []string
	var banks []api.MSPID
	for _, e := range a.Encumbrances {
		p, err := s.loadPledge(e.PledgeID)
		if err != nil {
			return nil, nil, err
		}
		if len(p.AssetIDs) > 1 {
			return nil, nil, api.Conflict("C3", "an active pledge on the right also covers other rights: the court's sale of this right cannot end it",
				"assetId", a.ID, "pledgeId", p.ID, "transferId", t.ID, "reason", "pledge-beyond-transfer")
		}
		p.Discharge = &api.Discharge{At: s.now(), Court: t.Court, CourtRef: t.CourtRef, TransferID: t.ID, TxID: s.tx.ID}
		if err := s.setStatus(p, api.PledgeDischarged); err != nil {
			return nil, nil, err
		}
		if err := s.savePledge(p, "PledgeDischarged:"+t.ID); err != nil {
			return nil, nil, err
		}
		ids = append(ids, p.ID)
		if !slices.Contains(banks, p.Pledgee.MSP) {
			banks = append(banks, p.Pledgee.MSP)
		}
	}
	a.Encumbrances = []api.Encumbrance{}
	return ids, banks, nil
}

// endMeasures lifts every court measure in force on a right whose court-ordered transfer is recorded
// (C3): the right has left the debtor's estate; the ordering court's freeze and the waiting ones end
// with the court's decision as their reference and the transfer that ended them.
func (s *Service) endMeasures(a *api.Asset, t *api.Transfer) {
	for i := range a.CourtMeasures {
		if a.CourtMeasures[i].Status != api.MeasureLifted {
			s.liftMeasure(&a.CourtMeasures[i], t.CourtRef, t.ID)
		}
	}
	s.settleMeasures(a)
}
