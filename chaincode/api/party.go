package api

import "encoding/json"

// A party is an owner of IP rights or a pledgor, named on the register by its unified social credit
// code (统一社会信用代码, its `id`) and its name. It is not a member of the network. The party search (S1)
// finds everything a party owns and has pledged; the extract (S2) certifies it.

// Bounds of the party search and the extract (S1, S2).
const (
	// MinNameQuery and MaxNameQuery bound a name query, in characters after normalization (S1).
	MinNameQuery = 2
	MaxNameQuery = 32
	// MaxIndexedName is how many leading characters of a name the name index covers (S1): a name
	// query finds a name when it occurs within them.
	MaxIndexedName = 32
	// MaxExtractRecords bounds the rights and pledges of one extract (S2).
	MaxExtractRecords = 1000
)

// PartyRight is an IP right a party owns now, as the party search lists it (S1).
type PartyRight struct {
	Disputed     bool        `json:"disputed"`
	Encumbrances int         `json:"encumbrances"`
	Frozen       bool        `json:"frozen"`
	ID           string      `json:"id"`
	Kind         AssetKind   `json:"kind"`
	LastTxID     string      `json:"lastTxId"`
	LegalStatus  LegalStatus `json:"legalStatus"`
	Name         string      `json:"name"`
	Number       string      `json:"number"`
	Share        int         `json:"share"`
	Title        string      `json:"title"`
	TitleTxID    string      `json:"titleTxId"`
}

// PartyPledge is a pledge in which a party is a pledgor, in any status, as the party search lists it
// (S1).
type PartyPledge struct {
	AssetIDs           []string     `json:"assetIds"`
	ID                 string       `json:"id"`
	LastTxID           string       `json:"lastTxId"`
	Name               string       `json:"name"`
	Pledgee            Pledgee      `json:"pledgee"`
	RegisteredAt       string       `json:"registeredAt,omitempty"`
	RegistrationNumber string       `json:"registrationNumber,omitempty"`
	RegistrationTxID   string       `json:"registrationTxId,omitempty"`
	Status             PledgeStatus `json:"status"`
}

// PartyHoldings is one party found by the search (S1): the rights it owns now and the pledges where it
// is pledgor, with the names the records give it (Name on each record; Names, each once). In a page, a
// party's records may continue on the next page, under the same id.
type PartyHoldings struct {
	// Debts are the pledges that secure the party's debts, given by others (P12: the party is their
	// debtor, not a pledgor).
	Debts   []PartyPledge `json:"debts"`
	ID      string        `json:"id"`
	Names   []string      `json:"names"`
	Pledges []PartyPledge `json:"pledges"`
	Rights  []PartyRight  `json:"rights"`
}

// PartyPage is one page of a party search (S1). Bookmark is "" after the last page.
type PartyPage struct {
	Bookmark string          `json:"bookmark"`
	Count    int             `json:"count"`
	Items    []PartyHoldings `json:"items"`
}

// PartyView is the answer of GetParty: one party's rights and pledges, a page at a time (S1).
type PartyView struct {
	PartyHoldings
	Bookmark string `json:"bookmark"`
}

// PartyExtract is the search extract (查询证明) of a party (S2): every right it owns and every pledge in
// which it is pledgor, as of AsOf (the query's time), read for the organization QueriedBy. The gateway
// adds, for each record, the transactions that prove it.
type PartyExtract struct {
	AsOf      string        `json:"asOf"`
	Debts     []PartyPledge `json:"debts"`
	ID        string        `json:"id"`
	Names     []string      `json:"names"`
	Pledges   []PartyPledge `json:"pledges"`
	QueriedBy MSPID         `json:"queriedBy"`
	Rights    []PartyRight  `json:"rights"`
}

// ExtractView is the answer of GET /v1/parties/{id}/extract: the chaincode's [PartyExtract] and its
// proof from the ledger (S2).
type ExtractView struct {
	Extract json.RawMessage `json:"extract"`
	Proof   ExtractProof    `json:"proof"`
}

// ExtractProof is, for each right of an extract, the transaction of its title and of its last change,
// and for each pledge those of its registration (none while applied or refused) and its last change,
// as the ledger records them, with the ledger height after the extract was read (S2).
type ExtractProof struct {
	Channel      string        `json:"channel"`
	LedgerHeight uint64        `json:"ledgerHeight"`
	Debts        []RecordProof `json:"debts"`
	Pledges      []RecordProof `json:"pledges"`
	Rights       []RecordProof `json:"rights"`
	VerifiedBy   MSPID         `json:"verifiedBy"`
}

// RecordProof is the proof of one record of an extract: Registration is a right's title transaction
// or a pledge's registration transaction.
type RecordProof struct {
	ID           string       `json:"id"`
	LastChange   *Transaction `json:"lastChange"`
	Registration *Transaction `json:"registration"`
}
