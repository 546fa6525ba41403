package rules

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	api "github.com/ipledger/ipledger/chaincode/api"
)

// GetPledge returns the public record of a pledge (V1). Private terms: GetPledgeTerms.
func (s *Service) GetPledge(pledgeID string) (string, error) {
	if err := requireMember(s.tx.Caller); err != nil {
		return "", err
	}
	p, err := s.loadPledge(pledgeID)
	if err != nil {
		return "", err
	}
	return marshal(p)
}

// GetPledgeTerms returns a pledge's private terms to the pledgee bank, the IP office and the regulator
// (V2). Others are refused before the collection is read: their peers are not members of it.
func (s *Service) GetPledgeTerms(pledgeID string) (string, error) {
	if err := requireMember(s.tx.Caller); err != nil {
		return "", err
	}
	p, err := s.loadPledge(pledgeID)
	if err != nil {
		return "", err
	}
	c := s.tx.Caller
	if c.MSP != p.Pledgee.MSP && c.MSP != api.MSPIPOffice && c.MSP != api.MSPRegulator {
		return "", api.Forbidden("V2", "private terms are for the pledgee bank, the IP office and the regulator",
			"msp", string(c.MSP))
	}
	raw, err := s.l.GetPrivate(p.TermsCollection, pledgeKey(p.ID))
	if err != nil {
		return "", internal("get private data", err)
	}
	if raw == nil {
		return "", api.NotFound("terms", p.ID)
	}
	var rec PrivateTerms
	if err := json.Unmarshal(raw, &rec); err != nil {
		return "", internal("decode terms", err)
	}
	enc := termsEncodingOf(rec.Terms, p.TermsHash)
	view := api.TermsView{PledgeID: p.ID, Terms: rec.Terms, TermsHash: rec.TermsHash, TxID: rec.TxID,
		Verified: enc != "", TermsEncoding: enc}
	if view.Pending, err = s.pendingTermsView(p); err != nil {
		return "", err
	}
	if view.CitedValuation, err = s.citedValuation(p, rec.Terms); err != nil { // F3
		return "", err
	}
	return marshal(view)
}

// pendingTermsView is the private terms of the pledge's filed change, if it brings any (P6, V2).
func (s *Service) pendingTermsView(p *api.Pledge) (*api.PendingTerms, error) {
	i := slices.IndexFunc(p.Changes, func(x api.PledgeChange) bool { return x.ID == p.PendingChangeID })
	if p.PendingChangeID == "" || i < 0 || p.Changes[i].TermsHash == "" {
		return nil, nil
	}
	rec, err := s.pendingTerms(p, p.PendingChangeID)
	if err != nil || rec == nil {
		return nil, err
	}
	enc := termsEncodingOf(rec.Terms, p.Changes[i].TermsHash)
	return &api.PendingTerms{ChangeID: p.PendingChangeID, Terms: rec.Terms, TermsHash: rec.TermsHash,
		Verified: enc != "", TermsEncoding: enc}, nil
}

// GetTransfer returns a transfer (V1).
func (s *Service) GetTransfer(transferID string) (string, error) {
	if err := requireMember(s.tx.Caller); err != nil {
		return "", err
	}
	t, err := s.loadTransfer(transferID)
	if err != nil {
		return "", err
	}
	return marshal(t)
}

func (s *Service) history(kind, id, key string) (string, error) {
	if err := requireMember(s.tx.Caller); err != nil {
		return "", err
	}
	var c check
	if c.id(kind+"Id", id); c.err != nil {
		return "", c.err
	}
	entries, err := s.l.History(key)
	if err != nil {
		return "", internal("history", err)
	}
	if len(entries) == 0 {
		return "", api.NotFound(kind, id)
	}
	h := api.History{ID: id, Items: make([]api.HistoryItem, 0, len(entries)), Kind: kind}
	for _, e := range entries {
		item := api.HistoryItem{IsDelete: e.IsDelete, Time: e.Time.UTC().Format(time.RFC3339Nano), TxID: e.TxID}
		if !e.IsDelete {
			var rec struct {
				LastChange api.Change `json:"lastChange"`
			}
			if err := json.Unmarshal(e.Value, &rec); err != nil {
				return "", internal("decode history", err)
			}
			item.Action, item.MSP, item.RequestID, item.Submitter = rec.LastChange.Action, rec.LastChange.MSP,
				rec.LastChange.RequestID, rec.LastChange.Submitter
			item.Record = json.RawMessage(e.Value)
		}
		h.Items = append(h.Items, item)
	}
	return marshal(h)
}

// GetAssetHistory returns every version of an IP right, with tx id, time, MSP and submitter (I2, V1).
func (s *Service) GetAssetHistory(assetID string) (string, error) {
	return s.history("asset", assetID, assetKey(assetID))
}

// GetPledgeHistory returns every version of a pledge's public record (I2, V1).
func (s *Service) GetPledgeHistory(pledgeID string) (string, error) {
	return s.history("pledge", pledgeID, pledgeKey(pledgeID))
}

// GetTransferHistory returns every version of a transfer (I2, V1).
func (s *Service) GetTransferHistory(transferID string) (string, error) {
	return s.history("transfer", transferID, transferKey(transferID))
}

func pageSize(n int32) (int32, error) {
	switch {
	case n == 0:
		return api.DefaultPageSize, nil
	case n < 0 || n > api.MaxPageSize:
		return 0, api.Invalid("pageSize", fmt.Sprintf("must be from 1 to %d (0 for %d)", api.MaxPageSize, api.DefaultPageSize))
	}
	return n, nil
}

// listPledges reads one page of a pledge index; the pledge id is the index key's last attribute.
func (s *Service) listPledges(index string, attrs []string, size int32, bookmark string, keep func(*api.Pledge) (bool, error)) (string, error) {
	items, next, err := listPage(s, index, attrs, size, bookmark, s.loadPledge, keep)
	if err != nil {
		return "", err
	}
	return marshal(api.PledgePage{Bookmark: next, Count: len(items), Items: items})
}

// listPage reads one page of an index (or of the records themselves) for a member: the records whose
// ids end the page's keys, those that keep keeps (all when it is nil). A filtered page may hold fewer
// than size records while more follow: the bookmark is "" only after the last page.
func listPage[T any](s *Service, index string, attrs []string, size int32, bookmark string,
	load func(id string) (T, error), keep func(T) (bool, error)) ([]T, string, error) {
	if err := requireMember(s.tx.Caller); err != nil {
		return nil, "", err
	}
	n, err := pageSize(size)
	if err != nil {
		return nil, "", err
	}
	if len(bookmark) > 1024 {
		return nil, "", api.Invalid("bookmark", "is too long")
	}
	keys, next, err := s.l.ScanPage(index, attrs, n, bookmark)
	if err != nil {
		return nil, "", internal("scan", err)
	}
	items := []T{}
	for _, k := range keys {
		_, parts, err := SplitCompositeKey(k)
		if err != nil || len(parts) == 0 {
			return nil, "", internal("split key", fmt.Errorf("bad index key %q", k))
		}
		v, err := load(parts[len(parts)-1])
		if err != nil {
			return nil, "", err
		}
		ok := keep == nil
		if !ok {
			if ok, err = keep(v); err != nil {
				return nil, "", err
			}
		}
		if ok {
			items = append(items, v)
		}
	}
	return items, next, nil
}

// ListPledgesByAsset lists the pledges (every status) on an IP right, a page at a time.
func (s *Service) ListPledgesByAsset(assetID string, size int32, bookmark string) (string, error) {
	var c check
	if c.id("assetId", assetID); c.err != nil {
		return "", c.err
	}
	return s.listPledges(idxPledgeAsset, []string{assetID}, size, bookmark, nil)
}

// ListPledgesByPledgee lists a bank's pledges, a page at a time.
func (s *Service) ListPledgesByPledgee(pledgeeMSP string, size int32, bookmark string) (string, error) {
	var c check
	if !api.IsBank(api.MSPID(pledgeeMSP)) {
		c.fail("pledgeeMsp", "must be a bank's MSP id: "+api.BankMSPPattern+", not "+strings.Join(fixedOrgNames(), ", "))
	}
	if c.err != nil {
		return "", c.err
	}
	return s.listPledges(idxPledgePledgee, []string{pledgeeMSP}, size, bookmark, nil)
}

// ListPledgesByStatus lists the pledges in a status, a page at a time.
func (s *Service) ListPledgesByStatus(status string, size int32, bookmark string) (string, error) {
	var c check
	if enum(&c, "status", api.PledgeStatus(status), api.PledgeStatuses); c.err != nil {
		return "", c.err
	}
	return s.listPledges(idxPledgeStatus, []string{status}, size, bookmark, nil)
}

// GetStatement returns the title-and-encumbrance statement of an IP right (A3, V1).
func (s *Service) GetStatement(assetID string) (string, error) {
	if err := requireMember(s.tx.Caller); err != nil {
		return "", err
	}
	var c check
	if c.id("assetId", assetID); c.err != nil {
		return "", c.err
	}
	a, err := s.loadAsset(assetID)
	if err != nil {
		return "", err
	}
	st := api.Statement{AsOf: s.now(), AssetID: a.ID, CourtMeasures: measuresInForce(a), Dispute: a.Dispute, Encumbrances: a.Encumbrances,
		ExpiryDate: a.ExpiryDate, Freeze: a.Freeze, Invalidation: a.Invalidation, Kind: a.Kind,
		LastTxID: a.LastChange.TxID, LegalStatus: a.LegalStatus, Number: a.Number, Obstacles: []string{},
		Owners: a.Owners, PendingTransfers: []string{}, Title: a.Title, TitleTxID: a.TitleTxID,
		Unencumbered: len(a.Encumbrances) == 0}
	if a.LegalStatus != api.LegalValid {
		st.Obstacles = append(st.Obstacles, "legal-status:"+string(a.LegalStatus))
	}
	if a.Freeze.Active {
		st.Obstacles = append(st.Obstacles, "frozen")
	}
	if a.Dispute.Active {
		st.Obstacles = append(st.Obstacles, "disputed")
	}
	for _, e := range a.Encumbrances {
		st.Obstacles = append(st.Obstacles, "pledge-consent-required:"+e.PledgeID)
	}
	if pending, err := s.pendingDisposal(a.ID); err != nil {
		return "", err
	} else if pending != "" { // sold in a disposal: the buyer's to receive (P8)
		st.Obstacles, st.Unencumbered = append(st.Obstacles, "disposal-pending:"+pending), false
	}
	var licenseObstacles []string
	st.Licenses, st.Licensed, licenseObstacles = statementLicenses(a, s.today())
	st.Obstacles = append(st.Obstacles, licenseObstacles...)
	keys, err := s.l.Scan(idxTransferAsset, []string{a.ID})
	if err != nil {
		return "", internal("scan", err)
	}
	for _, k := range keys {
		_, parts, err := SplitCompositeKey(k)
		if err != nil || len(parts) != 2 {
			return "", internal("split key", fmt.Errorf("bad index key %q", k))
		}
		t, err := s.loadTransfer(parts[1])
		if err != nil {
			return "", err
		}
		if t.Status == api.TransferRequested {
			st.PendingTransfers = append(st.PendingTransfers, t.ID)
		}
	}
	return marshal(st)
}

// ListTransfers lists transfers, a page at a time (A3: public to every member): those of one IP right
// when assetID is given, else those requested by one organization when requestedBy is given, else
// all, in id order. Every filter given must hold: status; kind (assignment or license); consentOf, a
// bank: the transfers still requested that wait for that bank's consent, an active pledge of that
// bank on the right not having consented, as RecordTransfer decides (P7, T2). A filtered page may
// hold fewer than size transfers while more follow. The answer names the kind and consentOf it
// applied (api.TransferPage).
func (s *Service) ListTransfers(assetID, status, requestedBy string, size int32, bookmark, kind, consentOf string) (string, error) {
	var c check
	if assetID != "" {
		c.id("assetId", assetID)
	}
	if status != "" {
		enum(&c, "status", api.TransferStatus(status), api.TransferStatuses)
	}
	if requestedBy != "" {
		if !api.IsMember(api.MSPID(requestedBy)) {
			c.fail("requestedBy", "must be a member's MSP id: a bank's ("+api.BankMSPPattern+") or one of "+
				strings.Join(fixedOrgNames()[:3], ", "))
		}
	}
	if kind != "" {
		enum(&c, "kind", kind, api.TransferKinds)
	}
	if consentOf != "" && !api.IsBank(api.MSPID(consentOf)) {
		c.fail("consentOf", "must be a bank's MSP id: "+api.BankMSPPattern+", not "+strings.Join(fixedOrgNames(), ", "))
	}
	if c.err != nil {
		return "", c.err
	}
	index, attrs := keyTransfer, []string(nil)
	switch {
	case assetID != "":
		index, attrs = idxTransferAsset, []string{assetID}
	case requestedBy != "":
		index, attrs = idxTransferRequester, []string{requestedBy}
	}
	keep := func(t *api.Transfer) (bool, error) {
		if status != "" && t.Status != api.TransferStatus(status) || requestedBy != "" && t.RequestedBy != api.MSPID(requestedBy) ||
			kind != "" && t.Kind != kind {
			return false, nil
		}
		if consentOf == "" {
			return true, nil
		}
		return s.awaitsConsentOf(t, api.MSPID(consentOf))
	}
	items, next, err := listPage(s, index, attrs, size, bookmark, s.loadTransfer, keep)
	if err != nil {
		return "", err
	}
	return marshal(api.TransferPage{Bookmark: next, ConsentOf: api.MSPID(consentOf), Count: len(items), Items: items, Kind: kind})
}

// fixedOrgNames are the MSP ids of the members whose role is fixed, for messages.
func fixedOrgNames() []string {
	out := make([]string, len(api.FixedOrgs))
	for i, o := range api.FixedOrgs {
		out[i] = string(o)
	}
	return out
}
