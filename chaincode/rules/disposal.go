package rules

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	api "github.com/ipledger/ipledger/chaincode/api"
)

// DisposePledge records the disposal of a defaulted pledge (P8): an auction or sale through the
// exchange, or an agreed value. A frozen or disputed right cannot be disposed. The proceeds must list
// every active pledge on the rights, in rank order, and are checked against the claims their pledgees
// stated (applyByRank). The sale purges the rights: the disposing pledge is disposed, every other listed
// pledge discharged with its share, and none encumbers the rights any more; for each right a transfer
// to the buyers is requested, for the IP office to record (T1). Exchange only.
func (s *Service) DisposePledge(requestID, pledgeID, payload string) (string, error) {
	return s.submit(api.DisposePledge.Name, requestID, pledgeID+"\x00"+payload,
		func() error { return requireOrg(s.tx.Caller, "P8", api.MSPExchange) },
		func() (any, api.Event, error) {
			in, err := ParseDisposal(payload)
			if err != nil {
				return nil, api.Event{}, err
			}
			p, err := s.loadPledge(pledgeID)
			if err != nil {
				return nil, api.Event{}, err
			}
			if err := requireStatus(p, "P8", api.PledgeDefaulted); err != nil {
				return nil, api.Event{}, err
			}
			assets, err := s.loadAssets(p.AssetIDs)
			if err != nil {
				return nil, api.Event{}, err
			}
			if err := checkDisposable(p, assets); err != nil {
				return nil, api.Event{}, err
			}
			pledges, err := s.encumbrancePledges(p, assets)
			if err != nil {
				return nil, api.Event{}, err
			}
			proceeds, err := applyByRank(p, assets, pledges, in)
			if err != nil {
				return nil, api.Event{}, err
			}
			if err := s.purge(p, assets, pledges, proceeds, in); err != nil {
				return nil, api.Event{}, err
			}
			transferIDs, err := s.disposalTransfers(p, assets, in)
			if err != nil {
				return nil, api.Event{}, err
			}
			p.Disposal = &api.Disposal{At: s.now(), Buyers: in.Buyers, Currency: in.Currency, Method: in.Method,
				Price: in.Price, Proceeds: proceeds, SaleRef: in.SaleRef, Surplus: in.Surplus,
				SurplusTo: p.Pledgors, TransferIDs: transferIDs, TxID: s.tx.ID}
			if err := s.savePledge(p, "PledgeDisposed"); err != nil {
				return nil, api.Event{}, err
			}
			ev := s.pledgeEvent("PledgeDisposed", p)
			for _, q := range proceeds { // the other pledges the sale discharged
				if q.PledgeID != p.ID {
					ev.PledgeIDs = append(ev.PledgeIDs, q.PledgeID)
					if bank := pledges[q.PledgeID].Pledgee.MSP; !slices.Contains(ev.PledgeeMSPs, bank) {
						ev.PledgeeMSPs = append(ev.PledgeeMSPs, bank)
					}
				}
			}
			return p, ev, nil
		})
}

// checkDisposable refuses the disposal of a frozen or disputed right (P8). A court's freeze (保全) keeps
// the right where it is until the court lifts it; a disputed title cannot be sold free and clear, and
// the buyer's transfer could not be recorded (T2) anyway.
func checkDisposable(p *api.Pledge, assets []*api.Asset) error {
	for _, a := range assets {
		if a.Freeze.Active {
			return api.Conflict("P8", "the IP right is frozen by a court: it cannot be disposed", "pledgeId", p.ID,
				"assetId", a.ID, "reason", "frozen")
		}
		if a.Dispute.Active {
			return api.Conflict("P8", "the ownership of the IP right is disputed: it cannot be disposed", "pledgeId", p.ID,
				"assetId", a.ID, "reason", "disputed")
		}
	}
	return nil
}

// encumbrancePledges loads every active pledge on the rights, the disposing one included (as p).
func (s *Service) encumbrancePledges(p *api.Pledge, assets []*api.Asset) (map[string]*api.Pledge, error) {
	pledges := map[string]*api.Pledge{p.ID: p}
	for _, id := range bestRanks(assets).order {
		if pledges[id] != nil {
			continue
		}
		q, err := s.loadPledge(id)
		if err != nil {
			return nil, err
		}
		pledges[id] = q
	}
	return pledges, nil
}

// purge ends every listed pledge with the sale (P8; Civil Code 436–438, 414): the disposing pledge is
// disposed (its record is saved by the caller), each other one discharged with its share; no right keeps
// any of them as an encumbrance. Each pledge key is written under its own pledgee's policy.
func (s *Service) purge(p *api.Pledge, assets []*api.Asset, pledges map[string]*api.Pledge, proceeds []api.Proceed,
	in api.DisposalInput) error {
	ended := map[string]bool{}
	for _, q := range proceeds {
		ended[q.PledgeID] = true
	}
	for _, a := range assets {
		a.Encumbrances = slices.DeleteFunc(a.Encumbrances, func(e api.Encumbrance) bool { return ended[e.PledgeID] })
		if err := s.saveAsset(a, "PledgeDisposed:"+p.ID); err != nil {
			return err
		}
	}
	for _, q := range proceeds {
		pl := pledges[q.PledgeID]
		if pl.ID == p.ID {
			if err := s.setStatus(p, api.PledgeDisposed); err != nil {
				return err
			}
			continue
		}
		pl.Discharge = &api.Discharge{Amount: q.Amount, At: s.now(), Currency: in.Currency, DisposalPledgeID: p.ID,
			SaleRef: in.SaleRef, TxID: s.tx.ID}
		if err := s.setStatus(pl, api.PledgeDischarged); err != nil {
			return err
		}
		if err := s.savePledge(pl, "PledgeDischarged"); err != nil {
			return err
		}
	}
	return nil
}

// disposalTransfers requests for each sold right its transfer to the buyers, from the owners it has now,
// and marks the right as the buyer's to receive.
func (s *Service) disposalTransfers(p *api.Pledge, assets []*api.Asset, in api.DisposalInput) ([]string, error) {
	var transferIDs []string
	base := s.derivedID("TR-")
	for i, a := range assets {
		t := &api.Transfer{AssetID: a.ID, Consents: []api.Consent{}, DisposalPledgeID: p.ID, DocType: keyTransfer,
			FromOwners: a.Owners, ID: base + "-" + strconv.Itoa(i+1), Kind: "assignment", NewOwners: in.Buyers,
			Origin: "disposal", RequestedAt: s.now(), Status: api.TransferRequested, TradeRef: in.SaleRef}
		if err := s.createTransfer(t); err != nil {
			return nil, err
		}
		// Until the buyer's title is recorded, the right is the buyer's to receive: no new
		// pledge, no other transfer (P8, T3).
		if err := s.put(CompositeKey(keyPendingDisposal, a.ID), PendingDisposal{PledgeID: p.ID, TransferID: t.ID}, api.RightEndorsement); err != nil {
			return nil, err
		}
		transferIDs = append(transferIDs, t.ID)
	}
	return transferIDs, nil
}

// applyByRank checks a disposal's distribution of the price (P8) and returns the proceeds with their
// ranks, claims and the pledges' statuses before the disposal. Every active pledge on the rights must be
// listed, in rank order (a pledge's rank here is its best rank on the rights), none reaching beyond the
// disposed rights. A share is at most its pledge's stated claim; nothing goes to a lower rank, nor as
// surplus to the pledgors, while a better-ranked (or any) listed claim is not paid in full, a pledge
// without a stated claim counting as not paid in full; proceeds and surplus add up to the price.
func applyByRank(p *api.Pledge, assets []*api.Asset, pledges map[string]*api.Pledge, in api.DisposalInput) ([]api.Proceed, error) {
	refuse := func(reason, msg string, kv ...string) error {
		return api.Conflict("P8", msg, append([]string{"pledgeId", p.ID, "reason", reason}, kv...)...)
	}
	ranks := bestRanks(assets)
	out, err := ranks.rankProceeds(in.Proceeds, refuse)
	if err != nil {
		return nil, err
	}
	listed := map[string]bool{}
	for _, q := range out {
		listed[q.PledgeID] = true
	}
	if !listed[p.ID] {
		return nil, refuse("disposing-pledge-missing", "the proceeds must include the disposing pledge")
	}
	if left := ranks.unlisted(listed); len(left) > 0 {
		return nil, refuse("pledge-not-listed", "every active pledge on the rights must be listed in the proceeds: the sale ends them all",
			"unlistedPledgeId", left[0])
	}
	if err := checkClaims(p, out, pledges, in.Currency, refuse); err != nil {
		return nil, err
	}
	if err := checkPaidDownRanks(out, mustCents(in.Surplus), refuse); err != nil {
		return nil, err
	}
	var total int64
	for _, q := range out {
		total += mustCents(q.Amount)
	}
	if surplus := mustCents(in.Surplus); total+surplus != mustCents(in.Price) {
		return nil, refuse("proceeds-do-not-add-up", "proceeds and surplus must add up to the price",
			"sum", formatCents(total+surplus), "price", in.Price)
	}
	slices.SortStableFunc(out, func(a, b api.Proceed) int { return a.Rank - b.Rank })
	return out, nil
}

// checkClaims gives each share its pledge's stated claim and status, and refuses a listed pledge that
// also covers rights outside the disposal, a claim in another currency or checked against since
// changed terms, a share with no stated claim and a share above the claim.
func checkClaims(p *api.Pledge, out []api.Proceed, pledges map[string]*api.Pledge, currency string, refuse disposalRefusal) error {
	for i := range out {
		q := &out[i]
		pl := pledges[q.PledgeID]
		q.PriorStatus = pl.Status
		for _, id := range pl.AssetIDs {
			if !slices.Contains(p.AssetIDs, id) {
				return refuse("pledge-beyond-disposal", "a listed pledge also covers rights outside the disposal",
					"otherPledgeId", pl.ID, "assetId", id)
			}
		}
		if c := pl.Claim; c != nil {
			switch {
			case c.Currency != currency:
				return refuse("currency-mismatch", "a stated claim is in another currency than the price",
					"otherPledgeId", pl.ID, "currency", c.Currency)
			case c.TermsHash != pl.TermsHash:
				return refuse("claim-stale", "the private terms changed since the claim was stated: state it again",
					"otherPledgeId", pl.ID)
			}
			q.Claim = c.Amount
		}
		switch {
		case mustCents(q.Amount) > 0 && q.Claim == "":
			return refuse("no-stated-claim", "a share goes only to a pledge whose pledgee stated its claim",
				"otherPledgeId", pl.ID)
		case q.Claim != "" && mustCents(q.Amount) > mustCents(q.Claim):
			return refuse("share-above-claim", "a share is more than its pledge's stated claim",
				"otherPledgeId", pl.ID, "claim", q.Claim, "amount", q.Amount)
		}
	}
	return nil
}

// paidInFull says whether a share pays its pledge's stated claim in full; never without a claim.
func paidInFull(q api.Proceed) bool {
	return q.Claim != "" && mustCents(q.Amount) == mustCents(q.Claim)
}

// checkPaidDownRanks refuses money for a pledge while a pledge of better rank is not paid its claim in
// full, and a surplus while any listed pledge is not.
func checkPaidDownRanks(out []api.Proceed, surplus int64, refuse disposalRefusal) error {
	for _, q := range out {
		if mustCents(q.Amount) == 0 {
			continue
		}
		for _, r := range out {
			if r.Rank < q.Rank && !paidInFull(r) {
				return refuse("better-rank-unpaid", "a pledge of better rank must be paid its claim in full first",
					"unpaidPledgeId", r.PledgeID, "paidPledgeId", q.PledgeID)
			}
		}
	}
	if surplus > 0 {
		for _, r := range out {
			if !paidInFull(r) {
				return refuse("surplus-before-creditors", "a surplus goes to the pledgors only once every claim is paid in full",
					"unpaidPledgeId", r.PledgeID)
			}
		}
	}
	return nil
}

// disposalRefusal refuses a disposal under P8 for a reason, with details.
type disposalRefusal func(reason, msg string, kv ...string) error

// pledgeRanks are the active pledges on the disposed rights, each with its best rank on them.
type pledgeRanks struct {
	rank  map[string]int
	order []string // first-seen order: a refusal names the same pledge on every peer
}

// bestRanks reads the ranks off the rights' encumbrances.
func bestRanks(assets []*api.Asset) pledgeRanks {
	r := pledgeRanks{rank: map[string]int{}}
	for _, a := range assets {
		for _, e := range a.Encumbrances {
			if best, ok := r.rank[e.PledgeID]; !ok || e.Rank < best {
				if !ok {
					r.order = append(r.order, e.PledgeID)
				}
				r.rank[e.PledgeID] = e.Rank
			}
		}
	}
	return r
}

// rankProceeds gives each listed share its pledge's rank, refusing a share for a pledge not on the
// rights and a list out of rank order.
func (r pledgeRanks) rankProceeds(proceeds []api.ProceedInput, refuse disposalRefusal) ([]api.Proceed, error) {
	out := make([]api.Proceed, 0, len(proceeds))
	for i, q := range proceeds {
		rank, ok := r.rank[q.PledgeID]
		if !ok {
			return nil, refuse("not-an-encumbrance", "proceeds go only to active pledges on the disposed rights",
				"field", fmt.Sprintf("proceeds[%d].pledgeId", i))
		}
		if i > 0 && rank < out[i-1].Rank {
			return nil, refuse("out-of-rank-order", "proceeds must be listed in order of rank",
				"field", fmt.Sprintf("proceeds[%d]", i))
		}
		out = append(out, api.Proceed{Amount: q.Amount, PledgeID: q.PledgeID, Rank: rank})
	}
	return out, nil
}

// unlisted are the active pledges that the proceeds leave out, in first-seen order.
func (r pledgeRanks) unlisted(listed map[string]bool) []string {
	var left []string
	for _, id := range r.order {
		if !listed[id] {
			left = append(left, id)
		}
	}
	return left
}

// PendingDisposal marks a right sold in a disposal whose transfer to the buyer is not recorded yet.
type PendingDisposal struct {
	PledgeID   string `json:"pledgeId"`
	TransferID string `json:"transferId"`
}

// pendingDisposal is the transfer to the buyer of a right sold in a disposal, "" when there is none.
func (s *Service) pendingDisposal(assetID string) (string, error) {
	var pd PendingDisposal
	if _, err := s.get(CompositeKey(keyPendingDisposal, assetID), &pd); err != nil {
		return "", err
	}
	return pd.TransferID, nil
}

// endPendingDisposal clears the mark once the disposal's transfer is recorded or refused.
func (s *Service) endPendingDisposal(t *api.Transfer) error {
	pending, err := s.pendingDisposal(t.AssetID)
	if err != nil || pending != t.ID {
		return err
	}
	if err := s.l.DelState(CompositeKey(keyPendingDisposal, t.AssetID)); err != nil {
		return internal("delete state", err)
	}
	return nil
}

// failDisposal undoes the disposal whose transfer t the IP office refuses (P8): a disposal is one sale,
// and the buyer who cannot have the title has not bought. The other transfers of the disposal are
// refused with it; every pledge it ended returns to its status and ranks before it, the disposing one
// to defaulted with the failed disposal kept in its failedDisposals. Once the buyer's title to one of the
// rights is recorded, the disposal can no longer fail: the refusal is refused (T1).
// It returns the pledges it changed and their pledgee banks, for the event.
func (s *Service) failDisposal(t *api.Transfer, in api.Refusal) ([]string, []api.MSPID, error) {
	p, err := s.loadPledge(t.DisposalPledgeID)
	if err != nil {
		return nil, nil, err
	}
	if p.Status != api.PledgeDisposed || p.Disposal == nil || !slices.Contains(p.Disposal.TransferIDs, t.ID) {
		return nil, nil, internal("disposal", fmt.Errorf("transfer %s is not one of the disposal of pledge %s", t.ID, p.ID))
	}
	if err := s.refuseSiblings(t, p.Disposal.TransferIDs, in); err != nil {
		return nil, nil, err
	}
	ids, banks, err := s.restoreEncumbrances(p)
	if err != nil {
		return nil, nil, err
	}
	p.FailedDisposals = append(p.FailedDisposals, api.FailedDisposal{Disposal: *p.Disposal,
		Failure: api.Closure{At: s.now(), Reason: "transfer " + t.ID + " refused: " + strings.Join(in.Reasons, ", "), TxID: s.tx.ID}})
	p.Disposal = nil
	return ids, banks, s.savePledge(p, "DisposalFailed")
}

// refuseSiblings refuses the other transfers of a disposal with the same reasons, and ends their marks.
func (s *Service) refuseSiblings(t *api.Transfer, ids []string, in api.Refusal) error {
	var siblings []*api.Transfer
	for _, id := range ids {
		if id == t.ID {
			continue
		}
		o, err := s.loadTransfer(id)
		if err != nil {
			return err
		}
		if o.Status == api.TransferRecorded {
			return api.Conflict("T1", "the buyer's title to another right of the same disposal is recorded: the disposal can no longer fail",
				"transferId", t.ID, "recordedTransferId", o.ID, "reason", "disposal-partly-recorded")
		}
		if o.Status == api.TransferRequested {
			siblings = append(siblings, o)
		}
	}
	for _, o := range siblings {
		o.Status, o.DecidedAt, o.RefusalReasons = api.TransferRefused, s.now(), in.Reasons
		o.RefusalNote = "the disposal failed: transfer " + t.ID + " of the same sale was refused"
		if err := s.endPendingDisposal(o); err != nil {
			return err
		}
		if err := s.saveTransfer(o, "TransferRefused"); err != nil {
			return err
		}
	}
	return nil
}

// restoreEncumbrances puts every pledge a disposal ended back on the rights with its rank and status
// before the disposal, and back in that status; a discharged pledge loses its discharge. The disposing
// pledge p is changed in memory and saved by the caller.
func (s *Service) restoreEncumbrances(p *api.Pledge) ([]string, []api.MSPID, error) {
	assets, err := s.loadAssets(p.AssetIDs)
	if err != nil {
		return nil, nil, err
	}
	var ids []string
	var banks []api.MSPID
	for _, q := range p.Disposal.Proceeds {
		if q.PriorStatus == "" { // recorded before disposals ended every pledge: only the disposing one ended
			if q.PledgeID != p.ID {
				continue
			}
			q.PriorStatus = api.PledgeDefaulted
		}
		pl := p
		if q.PledgeID != p.ID {
			if pl, err = s.loadPledge(q.PledgeID); err != nil {
				return nil, nil, err
			}
		}
		for _, a := range assets {
			for _, r := range pl.Ranks {
				if r.AssetID == a.ID {
					a.Encumbrances = append(a.Encumbrances, encumbranceOf(pl, r.Rank, q.PriorStatus))
					s.reconcileCollateral(pl, a)
				}
			}
		}
		if err := s.setStatus(pl, q.PriorStatus); err != nil {
			return nil, nil, err
		}
		if pl != p {
			pl.Discharge = nil
			if err := s.savePledge(pl, "DisposalFailed"); err != nil {
				return nil, nil, err
			}
		}
		ids = append(ids, pl.ID)
		if !slices.Contains(banks, pl.Pledgee.MSP) {
			banks = append(banks, pl.Pledgee.MSP)
		}
	}
	for _, a := range assets {
		slices.SortStableFunc(a.Encumbrances, func(x, y api.Encumbrance) int { return x.Rank - y.Rank })
		if err := s.saveAsset(a, "DisposalFailed:"+p.ID); err != nil {
			return nil, nil, err
		}
	}
	return ids, banks, nil
}

// reconcileCollateral brings a pledge that returns to a right up to the right's legal status (P10):
// while it was off the right, the right may have lost its validity (a loss to record now) or got it
// back (an open loss to close).
func (s *Service) reconcileCollateral(p *api.Pledge, a *api.Asset) {
	open := slices.ContainsFunc(p.CollateralLosses, func(l api.CollateralLoss) bool { return l.AssetID == a.ID && l.RestoredAt == "" })
	switch {
	case a.LegalStatus == api.LegalValid && open:
		s.restoreCollateral(p, a.ID)
	case a.LegalStatus != api.LegalValid && !open:
		p.CollateralLosses = append(p.CollateralLosses, api.CollateralLoss{AssetID: a.ID, At: s.now(),
			LegalStatus: a.LegalStatus, TxID: s.tx.ID})
	}
}
