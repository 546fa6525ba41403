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
	return s.submit("DisposePledge", requestID, pledgeID+"\x00"+payload,
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
				if err := s.put(CompositeKey(keyPendingDisposal, a.ID), PendingDisposal{PledgeID: p.ID, TransferID: t.ID}, RightPolicy); err != nil {
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
	rank := map[string]int{}
	var order []string // active pledges on the rights, in first-seen order
	for _, a := range assets {
		for _, e := range a.Encumbrances {
			if r, ok := rank[e.PledgeID]; !ok || e.Rank < r {
				if !ok {
					order = append(order, e.PledgeID)
				}
				rank[e.PledgeID] = e.Rank
			}
		}
	}
	var total int64
	out := make([]api.Proceed, 0, len(in.Proceeds))
	listed := map[string]bool{}
	for i, q := range in.Proceeds {
		r, ok := rank[q.PledgeID]
		if !ok {
			return nil, refuse("not-an-encumbrance", "proceeds go only to active pledges on the disposed rights",
				"field", fmt.Sprintf("proceeds[%d].pledgeId", i))
		}
		if i > 0 && r < out[i-1].Rank {
			return nil, refuse("out-of-rank-order", "proceeds must be listed in order of rank",
				"field", fmt.Sprintf("proceeds[%d]", i))
		}
		listed[q.PledgeID] = true
		total += mustCents(q.Amount)
		out = append(out, api.Proceed{Amount: q.Amount, PledgeID: q.PledgeID, Rank: r})
	}
	if !listed[p.ID] {
		return nil, refuse("disposing-pledge-missing", "the proceeds must include the disposing pledge")
	}
	for _, q := range out {
		if mustCents(q.Amount) == 0 {
			continue
		}
		for _, id := range order {
			if rank[id] < q.Rank && !listed[id] {
				return nil, refuse("better-rank-skipped", "a pledge of better rank must be paid first",
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
			return nil, refuse("better-rank-unpaid", "a pledge of better rank gets nothing while a lower one is paid",
				"unpaidPledgeId", unpaid)
		}
	}
	surplus := mustCents(in.Surplus)
	if surplus > 0 && unpaid != "" {
		return nil, refuse("surplus-before-creditors", "a surplus goes to the pledgors only after every pledge",
			"unpaidPledgeId", unpaid)
	}
	if surplus > 0 {
		for _, id := range order {
			if !listed[id] {
				return nil, refuse("surplus-before-creditors", "a surplus goes to the pledgors only after every pledge",
					"unpaidPledgeId", id)
			}
		}
	}
	if total+surplus != mustCents(in.Price) {
		return nil, refuse("proceeds-do-not-add-up", "proceeds and surplus must add up to the price",
			"sum", formatCents(total+surplus), "price", in.Price)
	}
	slices.SortStableFunc(out, func(a, b api.Proceed) int { return a.Rank - b.Rank })
	return out, nil
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
