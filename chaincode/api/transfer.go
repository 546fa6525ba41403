package api

// TransferStatus is the status of a transfer.
type TransferStatus string

// Transfer statuses.
const (
	TransferRequested TransferStatus = "requested"
	TransferRecorded  TransferStatus = "recorded"
	TransferRefused   TransferStatus = "refused"
)

// TransferStatuses lists every transfer status.
var TransferStatuses = []TransferStatus{TransferRequested, TransferRecorded, TransferRefused}

// Transfer kinds, origins and the uses of proceeds a pledgee may choose when consenting (P7).
var (
	TransferKinds   = []string{"assignment", "license"}
	TransferOrigins = []string{"trade", "owner-request", "court-order", "judicial-auction"}
	ProceedsUses    = []string{"early-repayment", "escrow"}
)

// Consent is a pledgee's recorded consent to a transfer of a pledged right (P7, T2).
type Consent struct {
	At          string `json:"at"`
	MSP         MSPID  `json:"msp"`
	PledgeID    string `json:"pledgeId"`
	ProceedsUse string `json:"proceedsUse"`
	Submitter   string `json:"submitter"`
	TxID        string `json:"txId"`
}

// Transfer is a request to change the owners of a right, or to license it (T1). RequestedBy is the
// organization that requested it; a transfer requested before the chaincode recorded it has none, and
// is then not found by a list of one organization's requests. TitleTxID is the title the request was
// made against (the right's TitleTxID at request time: the transaction that registered the right or
// recorded its last assignment); the transfer records only while the title is still that one (T3).
// A transfer ordered by a court (origin court-order, or judicial-auction through the exchange) names
// the court whose freeze must be in effect and its decision (CourtRef); PledgesPurged says that the
// sale purges the pledges on the right (C3).
type Transfer struct {
	AssetID          string         `json:"assetId"`
	Consents         []Consent      `json:"consents"`
	Court            string         `json:"court,omitempty"`
	CourtRef         string         `json:"courtRef,omitempty"`
	DecidedAt        string         `json:"decidedAt,omitempty"`
	DisposalPledgeID string         `json:"disposalPledgeId,omitempty"`
	DocType          string         `json:"docType"`
	FromOwners       []Owner        `json:"fromOwners"`
	ID               string         `json:"id"`
	Kind             string         `json:"kind"`
	LastChange       Change         `json:"lastChange"`
	License          *LicenseTerms  `json:"license,omitempty"`
	NewOwners        []Owner        `json:"newOwners"`
	Origin           string         `json:"origin"`
	PledgesPurged    bool           `json:"pledgesPurged,omitempty"`
	RefusalNote      string         `json:"refusalNote,omitempty"`
	RefusalReasons   []string       `json:"refusalReasons,omitempty"`
	RequestedAt      string         `json:"requestedAt"`
	RequestedBy      MSPID          `json:"requestedBy,omitempty"`
	Status           TransferStatus `json:"status"`
	TitleTxID        string         `json:"titleTxId,omitempty"`
	TradeRef         string         `json:"tradeRef,omitempty"`
	Version          int            `json:"version"`
}

// TransferRequest is the payload of RequestTransfer (T1). Court, CourtRef and PledgesPurged are for the
// origins court-order and judicial-auction only (C3). A licence (kind "license") carries its register
// details in License (L1), and its licensees in NewOwners; an assignment has no License.
type TransferRequest struct {
	AssetID       string        `json:"assetId"`
	Court         string        `json:"court"`
	CourtRef      string        `json:"courtRef"`
	Kind          string        `json:"kind"`
	License       *LicenseTerms `json:"license,omitempty"`
	NewOwners     []Owner       `json:"newOwners"`
	Origin        string        `json:"origin"`
	PledgesPurged bool          `json:"pledgesPurged"`
	TradeRef      string        `json:"tradeRef"`
}

// ConsentInput is the payload of ConsentToTransfer (P7).
type ConsentInput struct {
	PledgeID    string `json:"pledgeId"`
	ProceedsUse string `json:"proceedsUse"`
}

// TransferPage is one page of a transfer list. Bookmark is "" after the last page. Kind and
// ConsentOf are the filters of those names applied, when asked (ListTransfers): the transfers of that
// kind; the transfers still requested that wait for that bank's consent (P7).
type TransferPage struct {
	Bookmark  string      `json:"bookmark"`
	ConsentOf MSPID       `json:"consentOf,omitempty"`
	Count     int         `json:"count"`
	Items     []*Transfer `json:"items"`
	Kind      string      `json:"kind,omitempty"`
}
