package rules

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	api "github.com/ipledger/ipledger/chaincode/api"
)

// The party search (S1) and the search extract (S2) start from a party: an owner of IP rights or a
// pledgor, by its unified social credit code (its id) or by a part of its name. Four indexes, kept on
// every write that changes who owns a right or who pledged it, serve them; each index key is written
// under the policy of the record it indexes (I1): a right's under the IP office's, a pledge's under
// the IP office's and its pledgee's.
const (
	idxAssetOwner        = "asset-by-owner"         // owner id, assetId
	idxAssetOwnerName    = "asset-by-owner-name"    // bigram of the owner's name, owner id, assetId
	idxPledgePledgor     = "pledge-by-pledgor"      // pledgor id, pledgeId
	idxPledgePledgorName = "pledge-by-pledgor-name" // bigram of the pledgor's name, pledgor id, pledgeId
	idxPledgeDebtor      = "pledge-by-debtor"       // debtor id (not a pledgor of it), pledgeId
	idxPledgeDebtorName  = "pledge-by-debtor-name"  // bigram of the debtor's name, debtor id, pledgeId
)

// foldName is a name as the name index and name queries compare it: full-width ASCII forms made
// half-width, letters in lower case, white space dropped, so that "光谷 光电" and "光谷光电" or "ＡＢＣ" and
// "abc" are alike.
func foldName(s string) []rune {
	out := make([]rune, 0, utf8.RuneCountInString(s))
	for _, r := range s {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			r -= 0xFEE0
		case r == 0x3000:
			r = ' '
		}
		if unicode.IsSpace(r) || r == utf8.MaxRune { // U+10FFFF ends the ledger's key ranges: never in a key
			continue
		}
		out = append(out, unicode.ToLower(r))
	}
	return out
}

// bigrams are the distinct pairs of adjacent characters of a folded name, in order of first
// occurrence, from its first limit characters: the name index's terms. A one-character name has
// none: it is found by its party's id only.
func bigrams(folded []rune, limit int) []string {
	if len(folded) > limit {
		folded = folded[:limit]
	}
	var out []string
	for i := 0; i+1 < len(folded); i++ {
		if g := string(folded[i : i+2]); !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	return out
}

// partyKeys are the index keys of one party named on one record: by id, and by each bigram of its
// name (at most [api.MaxIndexedName]-1 of them, a cost bounded whatever the name's length).
func partyKeys(byID, byName, partyID, name, recordID string) []string {
	keys := []string{CompositeKey(byID, partyID, recordID)}
	for _, g := range bigrams(foldName(name), api.MaxIndexedName) {
		keys = append(keys, CompositeKey(byName, g, partyID, recordID))
	}
	return keys
}

// ownerKeys are the party index keys of a right with these owners.
func ownerKeys(assetID string, owners []api.Owner) []string {
	var keys []string
	for _, o := range owners {
		keys = append(keys, partyKeys(idxAssetOwner, idxAssetOwnerName, o.ID, o.Name, assetID)...)
	}
	return keys
}

// pledgorKeys are the party index keys of a pledge: its pledgors', and its debtors' who are not its
// pledgors (P12: a third party's debt secured by the pledge), under indexes of their own, so that the
// search lists each in its role.
func pledgorKeys(p *api.Pledge) []string {
	var keys []string
	for _, pl := range p.Pledgors {
		keys = append(keys, partyKeys(idxPledgePledgor, idxPledgePledgorName, pl.ID, pl.Name, p.ID)...)
	}
	for _, d := range p.Debtors {
		if !slices.ContainsFunc(p.Pledgors, func(x api.Party) bool { return x.ID == d.ID }) {
			keys = append(keys, partyKeys(idxPledgeDebtor, idxPledgeDebtorName, d.ID, d.Name, p.ID)...)
		}
	}
	return keys
}

// reindex moves a record's party index from the keys before to the keys after a change, under the
// record's policy: it deletes the keys no longer wanted, then writes the new ones; keys in both stay
// as they are (no write).
func (s *Service) reindex(policy api.Endorsement, before, after []string) error {
	set := func(keys []string) map[string]bool {
		m := make(map[string]bool, len(keys))
		for _, k := range keys {
			m[k] = true
		}
		return m
	}
	had, wants := set(before), set(after)
	for _, k := range before { // in order: no map iteration reaches the writes
		if !wants[k] {
			if err := s.l.DelState(k); err != nil {
				return internal("delete index", err)
			}
		}
	}
	for _, k := range after {
		if had[k] {
			continue
		}
		had[k] = true
		if err := s.l.PutState(k, []byte{0}); err != nil {
			return internal("put index", err)
		}
		if err := s.l.SetEndorsement(k, policy); err != nil {
			return internal("set endorsement", err)
		}
	}
	return nil
}

// reindexPledgors replaces a pledge's pledgors and keeps its party index in step (P6, P7).
func (s *Service) reindexPledgors(p *api.Pledge, pledgors []api.Party) error {
	before := pledgorKeys(p)
	p.Pledgors = pledgors
	return s.reindex(api.PledgeEndorsement(p.Pledgee.MSP), before, pledgorKeys(p))
}

// partySearch is one search of the party index (S1): by a party's id, or by a part of a name (its
// folded characters and their bigrams). It reads the rights' index, then the pledges'.
type partySearch struct {
	s     *Service
	id    string
	query []rune
	grams []string
}

// The phases of a search, each the first character of its bookmark.
const (
	phaseRights  = 'r'
	phasePledges = 'p'
	phaseDebts   = 'd'
)

// nextPhase is the phase after phase, 0 after the last.
func nextPhase(phase byte) byte {
	switch phase {
	case phaseRights:
		return phasePledges
	case phasePledges:
		return phaseDebts
	}
	return 0
}

func (q *partySearch) indexes(phase byte) (byID, byName string) {
	switch phase {
	case phaseRights:
		return idxAssetOwner, idxAssetOwnerName
	case phaseDebts:
		return idxPledgeDebtor, idxPledgeDebtorName
	}
	return idxPledgePledgor, idxPledgePledgorName
}

// bookmark of a page: the phase, for a name search the bigram whose index drives it and "|", then the
// ledger's bookmark within that index.
func (q *partySearch) bookmark(phase byte, drive, inner string) string {
	if q.query == nil {
		return string(phase) + inner
	}
	return string(phase) + drive + "|" + inner
}

// parseBookmark is the inverse of bookmark; a bookmark this search cannot have made is invalid.
func (q *partySearch) parseBookmark(b string) (phase byte, drive, inner string, err error) {
	bad := api.Invalid("bookmark", "is not a bookmark of this search")
	if b == "" {
		return phaseRights, "", "", nil
	}
	if len(b) > 1024 {
		return 0, "", "", api.Invalid("bookmark", "is too long")
	}
	phase, rest := b[0], b[1:]
	if phase != phaseRights && phase != phasePledges && phase != phaseDebts {
		return 0, "", "", bad
	}
	if q.query == nil || rest == "" {
		return phase, "", rest, nil
	}
	// The bigram is two characters, whatever their length in bytes; the ledger's bookmark follows as
	// it is, byte for byte.
	_, n1 := utf8.DecodeRuneInString(rest)
	_, n2 := utf8.DecodeRuneInString(rest[n1:])
	drive, after, ok := strings.Cut(rest[n1+n2:], "|")
	if drive != "" || !ok || !slices.Contains(q.grams, rest[:n1+n2]) {
		return 0, "", "", bad
	}
	return phase, rest[:n1+n2], after, nil
}

// page reads up to size index keys from the bookmark on and gathers the matching records by party.
func (q *partySearch) page(size int32, bookmark string) ([]api.PartyHoldings, string, error) {
	n, err := pageSize(size)
	if err != nil {
		return nil, "", err
	}
	phase, drive, inner, err := q.parseBookmark(bookmark)
	if err != nil {
		return nil, "", err
	}
	acc := holdings{items: []api.PartyHoldings{}}
	for {
		keys, next, err := q.scan(phase, &drive, n, inner)
		if err != nil {
			return nil, "", err
		}
		for _, k := range keys {
			if err := q.gather(&acc, phase, k); err != nil {
				return nil, "", err
			}
		}
		n -= int32(len(keys))
		switch {
		case next != "":
			return acc.items, q.bookmark(phase, drive, next), nil
		case nextPhase(phase) == 0:
			return acc.items, "", nil
		case n == 0:
			return acc.items, string(nextPhase(phase)), nil
		}
		phase, drive, inner = nextPhase(phase), "", ""
	}
}

// scan reads one page of the phase's index: by id, or by the driving bigram of a name search. A name
// search chooses its driving bigram when a phase starts: the one whose posting list is shortest on a
// first page, so that "有限公司" does not read every company when "光谷" is also asked for.
func (q *partySearch) scan(phase byte, drive *string, n int32, inner string) ([]string, string, error) {
	byID, byName := q.indexes(phase)
	if q.query == nil {
		return q.scanPage(byID, []string{q.id}, n, inner)
	}
	if *drive != "" {
		return q.scanPage(byName, []string{*drive}, n, inner)
	}
	var best []string
	bestNext := ""
	for _, g := range q.grams {
		keys, next, err := q.scanPage(byName, []string{g}, n, "")
		if err != nil {
			return nil, "", err
		}
		if *drive == "" || shorter(keys, next, best, bestNext) {
			*drive, best, bestNext = g, keys, next
		}
		if len(keys) == 0 {
			break // no name has this bigram: nothing matches
		}
	}
	return best, bestNext, nil
}

// shorter tells whether a first page (keys, next) is a shorter posting list than another: complete
// lists by their length, before any list that goes on.
func shorter(keys []string, next string, than []string, thanNext string) bool {
	if (next == "") != (thanNext == "") {
		return next == ""
	}
	return len(keys) < len(than)
}

func (q *partySearch) scanPage(index string, attrs []string, n int32, bookmark string) ([]string, string, error) {
	keys, next, err := q.s.l.ScanPage(index, attrs, n, bookmark)
	if err != nil {
		return nil, "", internal("scan", err)
	}
	return keys, next, nil
}

// gather adds the record of one index key to acc when it matches: for a name search, when the key's
// party and record are under every bigram of the query (the posting lists intersect) and the name on
// the record holds the query.
func (q *partySearch) gather(acc *holdings, phase byte, key string) error {
	_, attrs, err := SplitCompositeKey(key)
	if err != nil || len(attrs) < 2 {
		return internal("split key", fmt.Errorf("bad index key %q", key))
	}
	partyID, recordID := attrs[len(attrs)-2], attrs[len(attrs)-1]
	if q.query != nil {
		_, byName := q.indexes(phase)
		for _, g := range q.grams {
			if found, err := q.s.exists(CompositeKey(byName, g, partyID, recordID)); err != nil || !found {
				return err
			}
		}
	}
	return q.s.addRecord(acc, phase, partyID, recordID, q.matches)
}

// matches tells whether a name on a record holds the query (always, for a search by id).
func (q *partySearch) matches(name string) bool {
	return q.query == nil || strings.Contains(string(foldName(name)), string(q.query))
}

// addRecord reads a right (phase r) or a pledge and adds it to the party's holdings when the party is
// on it under a name that match accepts.
func (s *Service) addRecord(acc *holdings, phase byte, partyID, recordID string, match func(string) bool) error {
	if phase == phaseRights {
		a, err := s.loadAsset(recordID)
		if err != nil {
			return err
		}
		if i := slices.IndexFunc(a.Owners, func(o api.Owner) bool { return o.ID == partyID }); i >= 0 && match(a.Owners[i].Name) {
			acc.right(partyID, partyRight(a, a.Owners[i]))
		}
		return nil
	}
	p, err := s.loadPledge(recordID)
	if err != nil {
		return err
	}
	parties := p.Pledgors
	if phase == phaseDebts {
		parties = p.Debtors
	}
	if i := slices.IndexFunc(parties, func(x api.Party) bool { return x.ID == partyID }); i >= 0 && match(parties[i].Name) {
		acc.pledge(partyID, phase, partyPledge(p, parties[i].Name))
	}
	return nil
}

func partyRight(a *api.Asset, o api.Owner) api.PartyRight {
	return api.PartyRight{Disputed: a.Dispute.Active, Encumbrances: len(a.Encumbrances), Frozen: a.Freeze.Active,
		ID: a.ID, Kind: a.Kind, LastTxID: a.LastChange.TxID, LegalStatus: a.LegalStatus, Name: o.Name,
		Number: a.Number, Share: o.Share, Title: a.Title, TitleTxID: a.TitleTxID}
}

func partyPledge(p *api.Pledge, name string) api.PartyPledge {
	return api.PartyPledge{AssetIDs: p.AssetIDs, ID: p.ID, LastTxID: p.LastChange.TxID, Name: name, Pledgee: p.Pledgee,
		RegisteredAt: p.RegisteredAt, RegistrationNumber: p.RegistrationNumber, RegistrationTxID: p.RegistrationTxID,
		Status: p.Status}
}

// holdings gathers records by party, in the order the parties are met.
type holdings struct {
	items []api.PartyHoldings
}

func (h *holdings) party(id, name string) *api.PartyHoldings {
	i := slices.IndexFunc(h.items, func(x api.PartyHoldings) bool { return x.ID == id })
	if i < 0 {
		h.items = append(h.items, api.PartyHoldings{Debts: []api.PartyPledge{}, ID: id, Names: []string{},
			Pledges: []api.PartyPledge{}, Rights: []api.PartyRight{}})
		i = len(h.items) - 1
	}
	p := &h.items[i]
	if !slices.Contains(p.Names, name) {
		p.Names = append(p.Names, name)
	}
	return p
}

func (h *holdings) right(partyID string, r api.PartyRight) {
	p := h.party(partyID, r.Name)
	p.Rights = append(p.Rights, r)
}

// pledge adds a pledge the party gave (phase p) or one that secures its debt (phase d, P12).
func (h *holdings) pledge(partyID string, phase byte, pl api.PartyPledge) {
	p := h.party(partyID, pl.Name)
	if phase == phaseDebts {
		p.Debts = append(p.Debts, pl)
		return
	}
	p.Pledges = append(p.Pledges, pl)
}

// newPartySearch validates a search: exactly one of a party id or a name query of
// [api.MinNameQuery] to [api.MaxNameQuery] characters (once folded).
func newPartySearch(s *Service, id, name string) (*partySearch, error) {
	var c check
	switch {
	case (id == "") == (name == ""):
		c.fail("id", "exactly one of id or name is required")
	case id != "":
		c.id("id", id)
	default:
		c.text("name", name, 1, 200)
	}
	if c.err != nil {
		return nil, c.err
	}
	if id != "" {
		return &partySearch{s: s, id: id}, nil
	}
	query := foldName(name)
	if len(query) < api.MinNameQuery || len(query) > api.MaxNameQuery {
		return nil, api.Invalid("name", fmt.Sprintf("must be %d to %d characters, white space aside",
			api.MinNameQuery, api.MaxNameQuery))
	}
	return &partySearch{s: s, query: query, grams: bigrams(query, api.MaxNameQuery)}, nil
}

// SearchParties finds parties (S1): by id, the party with that unified social credit code; by name,
// every party whose name on a record holds the query. Each comes with the rights it owns now and the
// pledges in which it is pledgor, a page of index entries at a time; a party's records may continue
// on the next page. Public to every member (A3).
func (s *Service) SearchParties(id, name string, size int32, bookmark string) (string, error) {
	if err := requireMember(s.tx.Caller); err != nil {
		return "", err
	}
	q, err := newPartySearch(s, id, name)
	if err != nil {
		return "", err
	}
	items, next, err := q.page(size, bookmark)
	if err != nil {
		return "", err
	}
	return marshal(api.PartyPage{Bookmark: next, Count: len(items), Items: items})
}

// GetParty returns one party's rights and pledges, a page at a time (S1); NOT_FOUND when no record
// names it.
func (s *Service) GetParty(partyID string, size int32, bookmark string) (string, error) {
	if err := requireMember(s.tx.Caller); err != nil {
		return "", err
	}
	q, err := newPartySearch(s, partyID, "")
	if err != nil {
		return "", err
	}
	items, next, err := q.page(size, bookmark)
	if err != nil {
		return "", err
	}
	view := api.PartyView{PartyHoldings: api.PartyHoldings{Debts: []api.PartyPledge{}, ID: partyID, Names: []string{},
		Pledges: []api.PartyPledge{}, Rights: []api.PartyRight{}}, Bookmark: next}
	if len(items) == 1 {
		view.PartyHoldings = items[0]
	} else if bookmark == "" && next == "" {
		return "", api.NotFound("party", partyID)
	}
	return marshal(view)
}

// GetPartyExtract returns the search extract (查询证明) of a party (S2): every right it owns now and
// every pledge in which it is pledgor, in one answer, with the query's time and the querying
// organization. A party with more than [api.MaxExtractRecords] records is refused (S2): an extract is
// complete or it is not given. Public to every member (A3).
func (s *Service) GetPartyExtract(partyID string) (string, error) {
	if err := requireMember(s.tx.Caller); err != nil {
		return "", err
	}
	var c check
	if c.id("id", partyID); c.err != nil {
		return "", c.err
	}
	rights, err := s.l.Scan(idxAssetOwner, []string{partyID})
	if err != nil {
		return "", internal("scan", err)
	}
	pledges, err := s.l.Scan(idxPledgePledgor, []string{partyID})
	if err != nil {
		return "", internal("scan", err)
	}
	debts, err := s.l.Scan(idxPledgeDebtor, []string{partyID})
	if err != nil {
		return "", internal("scan", err)
	}
	if n := len(rights) + len(pledges) + len(debts); n > api.MaxExtractRecords {
		return "", api.Conflict("S2", fmt.Sprintf("the party has %d records, more than an extract lists (%d)", n, api.MaxExtractRecords),
			"id", partyID, "records", fmt.Sprint(n), "reason", "too-many-records")
	}
	var acc holdings
	all := func(string) bool { return true }
	for _, part := range []struct {
		phase byte
		keys  []string
	}{{phaseRights, rights}, {phasePledges, pledges}, {phaseDebts, debts}} {
		for _, k := range part.keys {
			if err := s.addRecord(&acc, part.phase, partyID, lastAttr(k), all); err != nil {
				return "", err
			}
		}
	}
	if len(acc.items) == 0 {
		return "", api.NotFound("party", partyID)
	}
	h := acc.items[0]
	return marshal(api.PartyExtract{AsOf: s.now(), Debts: h.Debts, ID: partyID, Names: h.Names, Pledges: h.Pledges,
		QueriedBy: s.tx.Caller.MSP, Rights: h.Rights})
}

// lastAttr is the last attribute of an index key: the id of the record it indexes.
func lastAttr(key string) string {
	_, attrs, err := SplitCompositeKey(key)
	if err != nil || len(attrs) == 0 {
		return ""
	}
	return attrs[len(attrs)-1]
}
