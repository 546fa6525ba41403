package rules

import (
	"fmt"
	"slices"
	"strconv"

	api "github.com/ipledger/ipledger/chaincode/api"
)

// DisposePledge records the disposal of a defaulted pledge (P8): an auction or sale through the
// exchange, or an agreed value. The proceeds are applied by rank: they must list the pledges on the
// rights in rank order, none with money while a better-ranked pledge is left out, and a surplus (which
// goes to the pledgors) only once every pledge is listed; proceeds and surplus add up to the price. The
// pledge is then disposed and no longer encumbers its rights, and for each right a transfer to the
// buyers is requested, for the IP office to record (T1). Exchange only.
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
			proceeds, err := applyByRank(p, assets, in)
			if err != nil {
				return nil, api.Event{}, err
			}
			if err := s.endPledge(p, api.PledgeDisposed, "PledgeDisposed"); err != nil {
				return nil, api.Event{}, err
			}
			// endPledge saved the rights without this pledge; the transfers start from the same owners.
			var transferIDs []string
			base := s.derivedID("TR-")
			for i, a := range assets {
				t := &api.Transfer{AssetID: a.ID, Consents: []api.Consent{}, DisposalPledgeID: p.ID, DocType: keyTransfer,
					FromOwners: a.Owners, ID: base + "-" + strconv.Itoa(i+1), Kind: "assignment", NewOwners: in.Buyers,
					Origin: "disposal", RequestedAt: s.now(), Status: api.TransferRequested, TradeRef: in.SaleRef}
				if err := s.createTransfer(t); err != nil {
					return nil, api.Event{}, err
				}
				// Until the buyer's title is recorded, the right is the buyer's to receive: no new
				// pledge, no other transfer (P8, T3).
				if err := s.put(CompositeKey(keyPendingDisposal, a.ID), PendingDisposal{PledgeID: p.ID, TransferID: t.ID}, api.RightEndorsement); err != nil {
					return nil, api.Event{}, err
				}
				transferIDs = append(transferIDs, t.ID)
			}
			p.Disposal = &api.Disposal{At: s.now(), Buyers: in.Buyers, Currency: in.Currency, Method: in.Method,
				Price: in.Price, Proceeds: proceeds, SaleRef: in.SaleRef, Surplus: in.Surplus,
				SurplusTo: p.Pledgors, TransferIDs: transferIDs, TxID: s.tx.ID}
			if err := s.savePledge(p, "PledgeDisposed"); err != nil {
				return nil, api.Event{}, err
			}
			return p, s.pledgeEvent("PledgeDisposed", p), nil
		})
}

// applyByRank checks a disposal's distribution of the price against the active pledges on the rights
// (P8) and returns the proceeds with their ranks. A pledge's rank here is its best rank on the rights.
func applyByRank(p *api.Pledge, assets []*api.Asset, in api.DisposalInput) ([]api.Proceed, error) {
	refuse := func(reason, msg string, kv ...string) error {
		return api.Conflict("P8", msg, append([]string{"pledgeId", p.ID, "reason", reason}, kv...)...)
	}
	ranks := bestRanks(assets)
	out, err := ranks.rankProceeds(in.Proceeds, refuse)
	if err != nil {
		return nil, err
	}
	var total int64
	listed := map[string]bool{}
	for _, q := range out {
		listed[q.PledgeID] = true
		total += mustCents(q.Amount)
	}
	if !listed[p.ID] {
		return nil, refuse("disposing-pledge-missing", "the proceeds must include the disposing pledge")
	}
	left := ranks.unlisted(listed)
	unpaid, err := ranks.checkPaidDownRanks(out, left, refuse)
	if err != nil {
		return nil, err
	}
	surplus := mustCents(in.Surplus)
	if surplus > 0 {
		if unpaid == "" && len(left) > 0 {
			unpaid = left[0]
		}
		if unpaid != "" {
			return nil, refuse("surplus-before-creditors", "a surplus goes to the pledgors only after every pledge",
				"unpaidPledgeId", unpaid)
		}
	}
	if total+surplus != mustCents(in.Price) {
		return nil, refuse("proceeds-do-not-add-up", "proceeds and surplus must add up to the price",
			"sum", formatCents(total+surplus), "price", in.Price)
	}
	slices.SortStableFunc(out, func(a, b api.Proceed) int { return a.Rank - b.Rank })
	return out, nil
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

// checkPaidDownRanks refuses money for a pledge while a better-ranked one is left out of the list (left)
// or listed with nothing. It returns the first listed pledge that gets nothing, "" when every one is paid.
func (r pledgeRanks) checkPaidDownRanks(out []api.Proceed, left []string, refuse disposalRefusal) (string, error) {
	for _, q := range out {
		if mustCents(q.Amount) == 0 {
			continue
		}
		for _, id := range left {
			if r.rank[id] < q.Rank {
				return "", refuse("better-rank-skipped", "a pledge of better rank must be paid first",
					"skippedPledgeId", id)
			}
		}
	}
	// Money flows down the ranks: once a listed pledge gets nothing, no later pledge may get anything.
	unpaid := ""
	for _, q := range out {
		switch {
		case mustCents(q.Amount) == 0 && unpaid == "":
			unpaid = q.PledgeID
		case mustCents(q.Amount) > 0 && unpaid != "":
			return "", refuse("better-rank-unpaid", "a pledge of better rank gets nothing while a lower one is paid",
				"unpaidPledgeId", unpaid)
		}
	}
	return unpaid, nil
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
