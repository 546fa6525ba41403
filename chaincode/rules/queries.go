package rules

import (
	"encoding/json"
	"fmt"
	"time"
)

// DefaultPageSize and MaxPageSize bound the paginated lists.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// HistoryItem is one version of a record, from the history database (I2).
type HistoryItem struct {
	Action    string          `json:"action"`
	IsDelete  bool            `json:"isDelete"`
	MSP       string          `json:"msp"`
	Record    json.RawMessage `json:"record,omitempty"`
	RequestID string          `json:"requestId"`
	Submitter string          `json:"submitter"`
	Time      string          `json:"time"`
	TxID      string          `json:"txId"`
}

// History is the answer of the Get…History queries: every version, oldest first.
type History struct {
	ID    string        `json:"id"`
	Items []HistoryItem `json:"items"`
	Kind  string        `json:"kind"`
}

// PledgePage is one page of a pledge list. Bookmark is "" after the last page.
type PledgePage struct {
	Bookmark string    `json:"bookmark"`
	Count    int       `json:"count"`
	Items    []*Pledge `json:"items"`
}

// TermsView is what GetPledgeTerms returns to an entitled caller (V2). Verified says the stored terms
// hash to the public record's TermsHash.
type TermsView struct {
	PledgeID  string `json:"pledgeId"`
	Terms     Terms  `json:"terms"`
	TermsHash string `json:"termsHash"`
	TxID      string `json:"txId"`
	Verified  bool   `json:"verified"`
}

// Statement is the title-and-encumbrance statement of an IP right, for the exchange before a trade.
// The gateway adds block numbers and endorsing organizations of TitleTxID and each encumbrance's
// RegistrationTxID to make it a proof.
type Statement struct {
	AsOf             string        `json:"asOf"`
	AssetID          string        `json:"assetId"`
	Dispute          Flag          `json:"dispute"`
	Encumbrances     []Encumbrance `json:"encumbrances"`
	ExpiryDate       string        `json:"expiryDate"`
	Freeze           Flag          `json:"freeze"`
	Invalidation     Flag          `json:"invalidation"`
	Kind             string        `json:"kind"`
	LastTxID         string        `json:"lastTxId"`
	LegalStatus      string        `json:"legalStatus"`
	Number           string        `json:"number"`
	Obstacles        []string      `json:"obstacles"`
	Owners           []Owner       `json:"owners"`
	PendingTransfers []string      `json:"pendingTransfers"`
	Title            string        `json:"title"`
	TitleTxID        string        `json:"titleTxId"`
	Unencumbered     bool          `json:"unencumbered"`
}

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
	if c.MSP != p.Pledgee.MSP && c.MSP != MSPIPOffice && c.MSP != MSPRegulator {
		return "", Forbidden("V2", "private terms are for the pledgee bank, the IP office and the regulator",
			"msp", c.MSP)
	}
	raw, err := s.l.GetPrivate(p.TermsCollection, pledgeKey(p.ID))
	if err != nil {
		return "", internal("get private data", err)
	}
	if raw == nil {
		return "", NotFound("terms", p.ID)
	}
	var rec PrivateTerms
	if err := json.Unmarshal(raw, &rec); err != nil {
		return "", internal("decode terms", err)
	}
	return marshal(TermsView{PledgeID: p.ID, Terms: rec.Terms, TermsHash: rec.TermsHash, TxID: rec.TxID,
		Verified: TermsHash(rec.Terms) == p.TermsHash})
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
		return "", NotFound(kind, id)
	}
	h := History{ID: id, Items: make([]HistoryItem, 0, len(entries)), Kind: kind}
	for _, e := range entries {
		item := HistoryItem{IsDelete: e.IsDelete, Time: e.Time.UTC().Format(time.RFC3339Nano), TxID: e.TxID}
		if !e.IsDelete {
			var rec struct {
				LastChange Change `json:"lastChange"`
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
		return DefaultPageSize, nil
	case n < 0 || n > MaxPageSize:
		return 0, Invalid("pageSize", fmt.Sprintf("must be from 1 to %d (0 for %d)", MaxPageSize, DefaultPageSize))
	}
	return n, nil
}

// listPledges reads one page of a pledge index; the pledge id is the index key's last attribute.
func (s *Service) listPledges(index string, attrs []string, size int32, bookmark string, keep func(*Pledge) bool) (string, error) {
	if err := requireMember(s.tx.Caller); err != nil {
		return "", err
	}
	n, err := pageSize(size)
	if err != nil {
		return "", err
	}
	if len(bookmark) > 1024 {
		return "", Invalid("bookmark", "is too long")
	}
	keys, next, err := s.l.ScanPage(index, attrs, n, bookmark)
	if err != nil {
		return "", internal("scan", err)
	}
	page := PledgePage{Bookmark: next, Items: []*Pledge{}}
	for _, k := range keys {
		_, parts, err := SplitCompositeKey(k)
		if err != nil || len(parts) == 0 {
			return "", internal("split key", fmt.Errorf("bad index key %q", k))
		}
		p, err := s.loadPledge(parts[len(parts)-1])
		if err != nil {
			return "", err
		}
		if keep == nil || keep(p) {
			page.Items = append(page.Items, p)
		}
	}
	page.Count = len(page.Items)
	return marshal(page)
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
	if c.enum("pledgeeMsp", pledgeeMSP, Banks); c.err != nil {
		return "", c.err
	}
	return s.listPledges(idxPledgePledgee, []string{pledgeeMSP}, size, bookmark, nil)
}

// ListPledgesByStatus lists the pledges in a status, a page at a time.
func (s *Service) ListPledgesByStatus(status string, size int32, bookmark string) (string, error) {
	var c check
	if c.enum("status", status, PledgeStatuses); c.err != nil {
		return "", c.err
	}
	return s.listPledges(idxPledgeStatus, []string{status}, size, bookmark, nil)
}

// ListOverdueExaminations lists applications still undecided after their statutory examination time
// (P9), as of asOf (RFC 3339; "" for the transaction time). It pages through the applied pledges, so a
// page may hold fewer items than its size; continue while the bookmark is not "".
func (s *Service) ListOverdueExaminations(asOf string, size int32, bookmark string) (string, error) {
	at := s.tx.Time
	if asOf != "" {
		t, err := time.Parse(time.RFC3339, asOf)
		if err != nil {
			return "", Invalid("asOf", "must be an RFC 3339 time, e.g. 2025-03-01T09:00:00+08:00")
		}
		at = t
	}
	return s.listPledges(idxPledgeStatus, []string{PledgeApplied}, size, bookmark, func(p *Pledge) bool {
		due, err := time.Parse(time.RFC3339Nano, p.ExaminationDueBy)
		return err == nil && !at.Before(due)
	})
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
	st := Statement{AsOf: s.now(), AssetID: a.ID, Dispute: a.Dispute, Encumbrances: a.Encumbrances,
		ExpiryDate: a.ExpiryDate, Freeze: a.Freeze, Invalidation: a.Invalidation, Kind: a.Kind,
		LastTxID: a.LastChange.TxID, LegalStatus: a.LegalStatus, Number: a.Number, Obstacles: []string{},
		Owners: a.Owners, PendingTransfers: []string{}, Title: a.Title, TitleTxID: a.TitleTxID,
		Unencumbered: len(a.Encumbrances) == 0}
	if a.LegalStatus != LegalValid {
		st.Obstacles = append(st.Obstacles, "legal-status:"+a.LegalStatus)
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
		if t.Status == TransferRequested {
			st.PendingTransfers = append(st.PendingTransfers, t.ID)
		}
	}
	return marshal(st)
}
