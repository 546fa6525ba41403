package api

import "encoding/json"

// DefaultPageSize and MaxPageSize bound the paginated lists.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// Event is the payload of the one chaincode event of every transaction that changes state (I2). Its
// name is Type. It never carries private terms. PledgeIDs and PledgeeMSPs name the pledges of other
// records that the transaction changed as well, and their pledgee banks, so that a bank watching the
// stream learns of a change to its pledge made by someone else's transaction: the new pledgors after
// an assignment is recorded (P7), the loss of a pledged right (P10).
type Event struct {
	AssetIDs    []string `json:"assetIds"`
	ID          string   `json:"id"`
	MSP         MSPID    `json:"msp"`
	PledgeIDs   []string `json:"pledgeIds,omitempty"`
	PledgeeMSPs []MSPID  `json:"pledgeeMsps,omitempty"`
	RequestID   string   `json:"requestId"`
	Status      string   `json:"status,omitempty"`
	Submitter   string   `json:"submitter"`
	Time        string   `json:"time"`
	TxID        string   `json:"txId"`
	Type        string   `json:"type"`
}

// HistoryItem is one version of a record, from the history database (I2).
type HistoryItem struct {
	Action    string          `json:"action"`
	IsDelete  bool            `json:"isDelete"`
	MSP       MSPID           `json:"msp"`
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

// Statement is the title-and-encumbrance statement of an IP right, for the exchange before a trade.
// CourtMeasures are the courts' freezes in force, in their order of priority: the one in effect, then
// those waiting (C1, C2). The gateway adds block numbers and endorsing organizations of TitleTxID and each encumbrance's
// RegistrationTxID to make it a proof.
// Licenses lists the right's licences that are not terminated, each with its status on the
// statement's date; Licensed says that one is in force (L4). An exclusive or sole licence in force or
// yet to start is an obstacle, exclusive-license:<transferId> or sole-license:<transferId>.
type Statement struct {
	AsOf             string             `json:"asOf"`
	AssetID          string             `json:"assetId"`
	CourtMeasures    []CourtMeasure     `json:"courtMeasures"`
	Dispute          Flag               `json:"dispute"`
	Encumbrances     []Encumbrance      `json:"encumbrances"`
	ExpiryDate       string             `json:"expiryDate"`
	Freeze           Flag               `json:"freeze"`
	Invalidation     Flag               `json:"invalidation"`
	Kind             AssetKind          `json:"kind"`
	LastTxID         string             `json:"lastTxId"`
	LegalStatus      LegalStatus        `json:"legalStatus"`
	Licensed         bool               `json:"licensed"`
	Licenses         []StatementLicense `json:"licenses"`
	Number           string             `json:"number"`
	Obstacles        []string           `json:"obstacles"`
	Owners           []Owner            `json:"owners"`
	PendingTransfers []string           `json:"pendingTransfers"`
	Title            string             `json:"title"`
	TitleTxID        string             `json:"titleTxId"`
	Unencumbered     bool               `json:"unencumbered"`
}
